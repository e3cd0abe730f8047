import TracksheetLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The namespaces the reader tells apart; everything else is `.other`.
public enum XMLNamespace: Sendable {
    case none, spreadsheetML, officeRelationships, packageRelationships, contentTypes
    /// `x14:` (Excel 2010 extensions, in `extLst`) and `xm:` (their formulas and ranges).
    case x14, excelMain
    case other
}

/// An element name as libxml2 hands it over: pointers into the parser's dictionary, valid only
/// during the callback. Compare with `is(_:)`; nothing is copied.
public struct XMLName {
    let local: UnsafePointer<xmlChar>
    public let namespace: XMLNamespace
    /// The prefix as written (`x14ac` in `x14ac:dyDescent`), nil for none.
    let prefix: UnsafePointer<xmlChar>?
    /// Namespace declarations on this start tag, as (prefix, URI) pairs (`nil` prefix: default).
    let declarations: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let declarationCount: Int

    init(local: UnsafePointer<xmlChar>, namespace: XMLNamespace, prefix: UnsafePointer<xmlChar>? = nil,
         declarations: UnsafeMutablePointer<UnsafePointer<xmlChar>?>? = nil, declarationCount: Int = 0) {
        self.local = local
        self.namespace = namespace
        self.prefix = prefix
        self.declarations = declarations
        self.declarationCount = declarationCount
    }

    /// `prefix:local` or `local`, as written.
    public var qualifiedName: String {
        prefix.map { "\(String(cString: $0)):\(String(cString: local))" } ?? String(cString: local)
    }

    @inline(__always)
    public func `is`(_ name: StaticString) -> Bool {
        strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self),
               UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// SpreadsheetML element with this local name (transitional or strict namespace).
    @inline(__always)
    public func isSheet(_ name: StaticString) -> Bool { namespace == .spreadsheetML && self.is(name) }

    public var localName: String { String(cString: local) }
}

/// The attributes of one start tag, as libxml2's SAX2 5-tuples (localname, prefix, URI, value, end).
public struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// The value of the unprefixed attribute `name`, or nil.
    public subscript(_ name: StaticString) -> String? {
        guard let raw = raw(name, namespaced: false) else { return nil }
        return Self.decode(raw)
    }

    /// The value of `name` in the office-document relationships namespace (`r:id`).
    public func relationship(_ name: StaticString) -> String? {
        guard let raw = raw(name, namespaced: true) else { return nil }
        return Self.decode(raw)
    }

    /// True when the element has `xml:space="preserve"`. Without it, Excel trims the leading and
    /// trailing white space of a `<t>`, which is why Excel itself always writes it.
    public var preservesSpace: Bool {
        guard let base else { return false }
        for i in 0..<count {
            let at = base + i * 5
            guard let local = at[0], let prefix = at[1], let value = at[3], let end = at[4] else { continue }
            if strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), "space") == 0,
               strcmp(UnsafeRawPointer(prefix).assumingMemoryBound(to: CChar.self), "xml") == 0 {
                return end - value == 8 && memcmp(value, "preserve", 8) == 0
            }
        }
        return false
    }

    /// Every attribute as (qualified name, decoded value), in document order.
    public var all: [(String, String)] {
        guard base != nil else { return [] }
        var out: [(String, String)] = []
        out.reserveCapacity(count)
        for i in 0..<count { if let a = attribute(at: i) { out.append(a) } }
        return out
    }

    /// The `i`-th attribute as (qualified name, decoded value).
    func attribute(at i: Int) -> (String, String)? {
        guard let base else { return nil }
        let at = base + i * 5
        guard let local = at[0], let value = at[3], let end = at[4] else { return nil }
        let name = at[1].map { "\(String(cString: $0)):\(String(cString: local))" } ?? String(cString: local)
        return (name, Self.decode(UnsafeRawBufferPointer(start: value, count: end - value)))
    }

    /// The raw bytes of an unprefixed attribute, without making a String.
    @inline(__always)
    public func raw(_ name: StaticString, namespaced: Bool = false) -> UnsafeRawBufferPointer? {
        guard let base else { return nil }
        let wanted = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        for i in 0..<count {
            let at = base + i * 5
            guard let local = at[0] else { continue }
            let hasURI = at[2] != nil
            if namespaced {
                guard hasURI, let uri = at[2], XMLStreamParser.classify(uri) == .officeRelationships else { continue }
            } else if hasURI { continue }
            if strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), wanted) == 0,
               let value = at[3], let end = at[4] {
                return UnsafeRawBufferPointer(start: value, count: end - value)
            }
        }
        return nil
    }

    /// libxml2 (without entity substitution, which stays off) hands `&amp;` in an attribute over as
    /// the character reference `&#38;`; every other reference arrives decoded.
    static func decode(_ raw: UnsafeRawBufferPointer) -> String {
        let s = String(decoding: raw, as: UTF8.self)
        return raw.contains(UInt8(ascii: "&")) ? s.replacingAll("&#38;", with: "&") : s
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func range(of target: String) -> Range<Index>? {
        let t = Array(target.utf8)
        let u = self.utf8
        guard t.count <= u.count else { return nil }
        var i = u.startIndex
        while i != u.endIndex {
            var j = i, k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] { j = u.index(after: j); k += 1 }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}

/// What a part's content is handed to, element by element. Throwing stops the parse.
public protocol XMLContentHandler: AnyObject {
    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws
    func endElement(_ name: XMLName) throws
    /// Text, in pieces of any size; entity and character references arrive decoded.
    func characters(_ text: UnsafeRawBufferPointer) throws
    func comment(_ text: String) throws
    func processingInstruction(_ target: String, _ data: String) throws
    /// The XML declaration's `standalone` (`true`, `false`, nil when absent), before the first element.
    func declaration(standalone: Bool?) throws
    /// Set by a handler that copies unchanged input byte for byte: the parser keeps the bytes
    /// it still needs there and the offset of each callback.
    var rawInput: RawInput? { get }
}

extension XMLContentHandler {
    public var rawInput: RawInput? { nil }
    public func comment(_ text: String) throws {}
    public func processingInstruction(_ target: String, _ data: String) throws {}
    public func declaration(standalone: Bool?) throws {}
}

/// The bytes of the part being parsed, from the earliest offset its handler still needs, and
/// where the parser is at each element callback — for a handler that copies what it does not
/// change byte for byte instead of writing it again (`XMLRewriter`'s raw copy).
/// `@exclusivity(unchecked)` on its state and on the parser's: both are touched only by the one
/// thread that parses, one callback at a time, never through overlapping accesses.
public final class RawInput {
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    /// The offset in the part of `bytes[0]`.
    @exclusivity(unchecked) private(set) var start = 0
    /// The offset at the current callback: at the `>` (or `/>`) ending a start tag, right after an end tag.
    @exclusivity(unchecked) var position = 0
    /// False when the part's bytes are converted before parsing (UTF-16): offsets would not match.
    @exclusivity(unchecked) var usable = true
    /// The earliest offset the handler still needs (nil: none before the parser's own position).
    var keepFrom: () -> Int? = { nil }
    /// Asks the handler to write what it keeps up to an offset every event before has settled
    /// (between chunks), so that a long unchanged stretch does not stay in memory.
    var release: (Int) -> Void = { _ in }
    static let releaseAt = 1 << 20

    /// The offset just past the last byte received.
    var end: Int { start + bytes.count }

    @inline(__always) subscript(offset: Int) -> UInt8 { bytes[offset - start] }

    /// Adds the next chunk, first dropping what is before both `parsedTo` and what the handler keeps.
    func append(_ chunk: UnsafeRawBufferPointer, parsedTo: Int) {
        if let kept = keepFrom(), parsedTo - kept > Self.releaseAt { release(parsedTo) }
        let keep = min(keepFrom() ?? parsedTo, parsedTo)
        if keep > start {
            let n = min(keep - start, bytes.count)
            bytes.removeFirst(n)
            start += n
        }
        bytes.append(contentsOf: chunk)
    }

    /// The offset of the last `<` before `offset` (a tag's first byte: `<` is never inside a tag), or nil.
    func tagStart(before offset: Int) -> Int? {
        let end = min(offset - start, bytes.count)
        guard end > 0 else { return nil }
        // Through the buffer's pointer: no bounds check per byte (a start tag per cell).
        return bytes.withUnsafeBufferPointer { b -> Int? in
            var p = b.baseAddress! + end
            let first = b.baseAddress!
            while p > first {
                p -= 1
                if p.pointee == UInt8(ascii: "<") { return start + (p - first) }
            }
            return nil
        }
    }

    func withBytes<R>(from: Int, to: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[(from - start)..<(to - start)])) }
    }
}

/// A streaming parse of one zip part through libxml2's SAX2 push parser, hardened for untrusted
/// input: documents with a DTD are refused as soon as the DOCTYPE is seen (so no entity is ever
/// declared or expanded), external entities are never loaded (a deny-all loader, `XML_PARSE_NONET`),
/// `XML_PARSE_NOENT`, `XML_PARSE_HUGE` and DTD loading are never set (so libxml2's own depth and
/// text limits hold), and encodings other than UTF-8 and UTF-16 are refused.
public final class XMLStreamParser {
    private var context: xmlParserCtxtPtr?
    // A strong `let`, read through a parser the callbacks hold at +0 (`with`): no retain per
    // callback. (An unowned or unowned(unsafe) reference is retained at every use, a million
    // times a large sheet.) The handler never holds its parser, so there is no cycle.
    private let handler: XMLContentHandler
    private let part: String
    @exclusivity(unchecked) private var failure: Error?
    private let raw: RawInput?
    @exclusivity(unchecked) private var depth = 0
    /// The last namespace URIs seen and what they are: libxml2 interns URIs in its dictionary, so
    /// one pointer comparison classifies nearly every element.
    @exclusivity(unchecked) private var knownURIs: (UnsafePointer<xmlChar>?, XMLNamespace, UnsafePointer<xmlChar>?, XMLNamespace) = (nil, .none, nil, .none)
    private let maxDepth: Int

    private static let installGlobals: Void = {
        xmlInitParser()
        xmlThrDefSetStructuredErrorFunc(nil) { _, _ in }
        xmlSetExternalEntityLoader { url, _, ctxt in
            // Never fetch anything: no file, no network. The DOCTYPE check normally stops first.
            _ = url; _ = ctxt
            return nil
        }
    }()

    nonisolated(unsafe) private static let sax: xmlSAXHandler = {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startDocument = { ctx in
            let parser = XMLStreamParser.from(ctx)
            parser.checkEncoding()
            guard parser.failure == nil, let c = parser.context else { return }
            if let raw = parser.raw, tracksheet_xml_converts(c) != 0 { raw.usable = false }
            let s = tracksheet_xml_standalone(c)
            do { try parser.handler.declaration(standalone: s < 0 ? nil : s == 1) } catch { parser.stop(error) }
        }
        sax.serror = { _, _ in }
        sax.internalSubset = { ctx, name, _, _ in XMLStreamParser.from(ctx).refuseDTD(name) }
        sax.externalSubset = { ctx, name, _, _ in XMLStreamParser.from(ctx).refuseDTD(name) }
        sax.getEntity = { _, _ in nil }
        sax.getParameterEntity = { _, _ in nil }
        sax.resolveEntity = { _, _, _ in nil }
        sax.startElementNs = { ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, _, attributes in
            XMLStreamParser.with(ctx) { parser in
                guard parser.failure == nil, let localname else { return }
                parser.depth += 1
                if parser.depth > parser.maxDepth { return parser.stop(parser.tooDeep()) }
                if Int(nbAttributes) > parser.limits.maxAttributes { return parser.stop(parser.tooManyAttributes(Int(nbAttributes))) }
                let name = XMLName(local: localname, namespace: parser.namespace(uri), prefix: prefix,
                                   declarations: namespaces, declarationCount: Int(nbNamespaces))
                if let raw = parser.raw { raw.position = xmlByteConsumed(parser.context) }
                do { try parser.handler.startElement(name, XMLAttributes(base: attributes, count: Int(nbAttributes))) }
                catch { parser.stop(error) }
            }
        }
        sax.endElementNs = { ctx, localname, prefix, uri in
            XMLStreamParser.with(ctx) { parser in
                guard parser.failure == nil, let localname else { return }
                parser.depth -= 1
                let name = XMLName(local: localname, namespace: parser.namespace(uri), prefix: prefix)
                if let raw = parser.raw { raw.position = xmlByteConsumed(parser.context) }
                do { try parser.handler.endElement(name) } catch { parser.stop(error) }
            }
        }
        let characters: charactersSAXFunc = { ctx, text, length in
            XMLStreamParser.with(ctx) { parser in
                guard parser.failure == nil, let text else { return }
                do { try parser.handler.characters(UnsafeRawBufferPointer(start: text, count: Int(length))) }
                catch { parser.stop(error) }
            }
        }
        sax.characters = characters
        sax.cdataBlock = characters
        sax.ignorableWhitespace = characters
        sax.comment = { ctx, text in
            let parser = XMLStreamParser.from(ctx)
            guard parser.failure == nil, let text else { return }
            do { try parser.handler.comment(String(cString: text)) } catch { parser.stop(error) }
        }
        sax.processingInstruction = { ctx, target, data in
            let parser = XMLStreamParser.from(ctx)
            guard parser.failure == nil, let target else { return }
            do { try parser.handler.processingInstruction(String(cString: target), data.map { String(cString: $0) } ?? "") }
            catch { parser.stop(error) }
        }
        // Errors and warnings go to a structured handler that prints nothing; the parse result
        // and xmlCtxtGetLastError say what went wrong.
        sax.serror = { _, _ in }
        return sax
    }()

    @inline(__always)
    static func from(_ ctx: UnsafeMutableRawPointer?) -> XMLStreamParser {
        Unmanaged<XMLStreamParser>.fromOpaque(ctx!).takeUnretainedValue()
    }

    /// The parser behind a callback's context, without a retain and release per callback (millions
    /// per sheet): `parse` holds the parser for as long as libxml2 can call back.
    @inline(__always)
    static func with(_ ctx: UnsafeMutableRawPointer?, _ body: (XMLStreamParser) -> Void) {
        Unmanaged<XMLStreamParser>.fromOpaque(ctx!)._withUnsafeGuaranteedRef(body)
    }

    private static let mainURIs = ["http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                   "http://purl.oclc.org/ooxml/spreadsheetml/main"]
    private static let officeRelURIs = ["http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                        "http://purl.oclc.org/ooxml/officeDocument/relationships"]

    /// Classifies a namespace URI. URIs are interned in libxml2's dictionary, but comparing the
    /// text is cheap next to parsing and needs no cache.
    static func classify(_ uri: UnsafePointer<xmlChar>) -> XMLNamespace {
        let c = UnsafeRawPointer(uri).assumingMemoryBound(to: CChar.self)
        switch c[7] { // after "http://"
        case 0x73 /* s */:
            if strcmp(c, "http://schemas.openxmlformats.org/spreadsheetml/2006/main") == 0 { return .spreadsheetML }
            if strcmp(c, "http://schemas.openxmlformats.org/officeDocument/2006/relationships") == 0 { return .officeRelationships }
            if strcmp(c, "http://schemas.openxmlformats.org/package/2006/relationships") == 0 { return .packageRelationships }
            if strcmp(c, "http://schemas.openxmlformats.org/package/2006/content-types") == 0 { return .contentTypes }
            if strcmp(c, "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main") == 0 { return .x14 }
            if strcmp(c, "http://schemas.microsoft.com/office/excel/2006/main") == 0 { return .excelMain }
        case 0x70 /* p */:
            if strcmp(c, "http://purl.oclc.org/ooxml/spreadsheetml/main") == 0 { return .spreadsheetML }
            if strcmp(c, "http://purl.oclc.org/ooxml/officeDocument/relationships") == 0 { return .officeRelationships }
        default: break
        }
        return .other
    }

    @inline(__always)
    private func namespace(_ uri: UnsafePointer<xmlChar>?) -> XMLNamespace {
        guard let uri else { return .none }
        if uri == knownURIs.0 { return knownURIs.1 }
        if uri == knownURIs.2 { return knownURIs.3 }
        let ns = Self.classify(uri)
        knownURIs = (uri, ns, knownURIs.0, knownURIs.1)
        return ns
    }

    private init(handler: XMLContentHandler, part: String, limits: Limits) {
        self.handler = handler
        raw = handler.rawInput
        self.part = part
        self.maxDepth = limits.maxDepth
        self.limits = limits
        maxPending = (256 << 10) + Self.pieceBytes
        if raw != nil, let skipper = handler as? ElementSkipping {
            filter = ElementFilter(skipper: skipper, parse: { [unowned self] in try self.parse($0) }, settled: { [unowned self] in
                guard let c = self.context, xmlByteConsumed(c) == self.given else { return nil }
                return self.given
            })
        }
    }

    /// Elements the handler may take as bytes are passed to it through here (raw copy only).
    private var filter: ElementFilter?
    /// Bytes given to libxml2 so far.
    @exclusivity(unchecked) private var given = 0

    private let limits: Limits
    /// Bytes libxml2 may hold unparsed: a text or a start tag it waits to see the end of (Excel's
    /// longest text, 32,767 characters, is under 160 KB even with every character escaped). A
    /// start tag of a million attributes costs libxml2 (2.9) time quadratic in their number once
    /// parsed; refused while it is still being buffered, it costs nothing.
    private let maxPending: Int
    /// What one xmlParseChunk is given, at most, so that what it holds is checked as it grows.
    private static let pieceBytes = 64 << 10

    /// Parses the part `entry` of `archive`, streaming it through `handler`.
    public static func parse(_ entry: ZipArchive.Entry, in archive: ZipArchive, handler: XMLContentHandler) throws {
        _ = installGlobals
        quiet()
        let parser = XMLStreamParser(handler: handler, part: entry.name, limits: archive.limits)
        defer { if let ctx = parser.context { xmlFreeParserCtxt(ctx) } }
        try archive.readAhead(entry) { chunk in try parser.feed(chunk) }
        try parser.finish()
    }

    /// libxml2 prints what it finds wrong to stderr unless told otherwise (per thread); tracksheet
    /// says it in one line of its own (`malformed`), from the context's last error.
    private static func quiet() {
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        tracksheet_xml_silence()
    }

    /// Parses bytes already in memory (tests, small parts).
    public static func parse(bytes: [UInt8], part: String, handler: XMLContentHandler, limits: Limits = .default) throws {
        _ = installGlobals
        quiet()
        let parser = XMLStreamParser(handler: handler, part: part, limits: limits)
        defer { if let ctx = parser.context { xmlFreeParserCtxt(ctx) } }
        try bytes.withUnsafeBytes { try parser.feed($0) }
        try parser.finish()
    }

    private func feed(_ chunk: UnsafeRawBufferPointer) throws {
        if let filter { try filter.feed(chunk) } else { try parse(chunk) }
    }

    private func parse(_ chunk: UnsafeRawBufferPointer) throws {
        guard chunk.count > 0 else { return }
        given += chunk.count
        if let raw { raw.append(chunk, parsedTo: context.map { xmlByteConsumed($0) } ?? 0) }
        let bytes = chunk.baseAddress!.assumingMemoryBound(to: CChar.self)
        if context == nil {
            // The first bytes go to the constructor so libxml2 can detect UTF-16 from them.
            let first = min(chunk.count, 4)
            var sax = Self.sax
            guard let ctx = xmlCreatePushParserCtxt(&sax, Unmanaged.passUnretained(self).toOpaque(), bytes, Int32(first), nil) else {
                throw XLSXError(.malformedXML, .xmlParserStart, part: part)
            }
            context = ctx
            xmlCtxtUseOptions(ctx, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue))
            try push(bytes + first, chunk.count - first, terminate: false)
        } else {
            try push(bytes, chunk.count, terminate: false)
        }
    }

    private func finish() throws {
        try filter?.finish()
        guard context != nil else {
            throw XLSXError(.malformedXML, .xmlEmpty, part: part)
        }
        try push(nil, 0, terminate: true)
    }

    private func push(_ bytes: UnsafePointer<CChar>?, _ count: Int, terminate: Bool) throws {
        guard let ctx = context else { return }
        var offset = 0
        repeat {
            let n = min(count - offset, Self.pieceBytes)
            let rc = xmlParseChunk(ctx, bytes.map { $0 + offset }, Int32(n), terminate && offset + n == count ? 1 : 0)
            offset += n
            if let failure { throw failure }
            if rc != 0 || ctx.pointee.wellFormed == 0 {
                throw malformed(ctx)
            }
            if let input = ctx.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end, end - cur > maxPending {
                throw XLSXError(.malformedXML, .xmlElementTooLarge, ["kilobytes": "\(maxPending >> 10)"], part: part)
            }
        } while offset < count
    }

    private func malformed(_ ctx: xmlParserCtxtPtr) -> XLSXError {
        var why = ""
        var line = 0
        if let err = xmlCtxtGetLastError(ctx) {
            if let m = err.pointee.message { why = String(cString: m).trimmingSpaces() }
            line = Int(err.pointee.line)
        }
        let at: [String: XLSXMessage.Value] = ["at": line > 0 ? .said(.atLine) : "", "line": "\(line)"]
        if why.contains("not proper UTF-8") || why.contains("Invalid bytes in character encoding") {
            return XLSXError(.malformedXML, .xmlNotUTF8, at, part: part, underlying: why)
        }
        if why.contains("Excessive depth") {
            return XLSXError(.malformedXML, .xmlTooDeepAt, at, part: part, underlying: why)
        }
        return XLSXError(.malformedXML, .xmlNotWellFormed, at, part: part, underlying: why)
    }

    private func tooManyAttributes(_ n: Int) -> XLSXError {
        XLSXError(.malformedXML, .xmlTooManyAttributes, ["count": "\(n)", "limit": "\(limits.maxAttributes)"], part: part)
    }

    private func tooDeep() -> XLSXError {
        XLSXError(.malformedXML, .xmlTooDeep, ["depth": "\(maxDepth)"], part: part)
    }

    private func stop(_ error: Error) {
        if failure == nil { failure = error }
        if let context { xmlStopParser(context) }
    }

    private func refuseDTD(_ name: UnsafePointer<xmlChar>?) {
        stop(XLSXError(.dtdForbidden, .xmlDTD, part: part))
    }

    private func checkEncoding() {
        guard let ctx = context, let declared = tracksheet_xml_declared_encoding(ctx) else { return }
        let name = String(cString: declared).uppercased()
        if name == "UTF-8" || name == "UTF8" || name == "UTF-16" || name == "UTF16" || name == "UTF-16LE" || name == "UTF-16BE" { return }
        stop(XLSXError(.unsupportedEncoding, .xmlEncoding, ["encoding": "\(name)"], part: part))
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
