import TracksheetLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies an XML part through libxml2's text writer, event by event: every element, attribute,
/// namespace declaration (prefixes as written, which `mc:Ignorable` depends on), text, comment
/// and processing instruction. Subclasses change what they understand and pass the rest on.
///
/// The output is equivalent XML, not the same bytes (quoting, `<a></a>` vs `<a/>`), which is why
/// only parts that are edited go through here.
class XMLRewriter: XMLContentHandler {
    private let writer: xmlTextWriterPtr
    let part: String
    private var started = false
    private var failed = false
    private var textBuffer: [CChar] = []
    /// While > 0, an element dropped by `dropElement()` and its content are being left out.
    private var skipDepth = 0

    /// Writes to the file `path` (created or truncated).
    init(outputPath path: String, part: String) throws {
        guard let w = xmlNewTextWriterFilename(path, 0) else {
            throw XLSXError(.fileUnreadable, part: part, english: "Cannot write a scratch file for the part", chinese: "无法为该部件写入临时文件")
        }
        writer = w
        self.part = part
    }

    deinit { xmlFreeTextWriter(writer) }

    // MARK: pass-through

    func declaration(standalone: Bool?) throws {
        startDocument(standalone: standalone)
    }

    final func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if skipDepth > 0 { skipDepth += 1; return }
        try rewriteStart(name, attributes)
    }

    final func endElement(_ name: XMLName) throws {
        if skipDepth > 0 { skipDepth -= 1; return }
        try rewriteEnd(name)
    }

    final func characters(_ text: UnsafeRawBufferPointer) throws {
        if skipDepth == 0 { writeText(text) }
    }

    final func comment(_ text: String) throws {
        if skipDepth == 0 { check(xmlTextWriterWriteComment(writer, text)) }
    }

    final func processingInstruction(_ target: String, _ data: String) throws {
        if skipDepth == 0 { check(xmlTextWriterWritePI(writer, target, data)) }
    }

    // MARK: for subclasses

    /// A start tag to rewrite; by default copied as it is.
    func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        copyStart(name, attributes)
    }

    /// An end tag to rewrite; by default copied.
    func rewriteEnd(_ name: XMLName) throws {
        end()
    }

    /// Called from `rewriteStart`: leaves out the element being started and all it contains.
    final func dropElement() {
        skipDepth = 1
    }

    final func copyStart(_ name: XMLName, _ attributes: XMLAttributes, replacing: [String: String?] = [:]) {
        start(name.qualifiedName)
        if let decl = name.declarations {
            for i in 0..<name.declarationCount {
                guard let uri = decl[2 * i + 1] else { continue }
                let prefix = decl[2 * i].map { "xmlns:\(String(cString: $0))" } ?? "xmlns"
                check(xmlTextWriterWriteAttribute(writer, prefix, uri))
            }
        }
        for (n, v) in attributes.all {
            if let r = replacing[n] { if let r { attribute(n, r) } } else { attribute(n, v) }
        }
        for (n, v) in replacing where !attributes.all.contains(where: { $0.0 == n }) { if let v { attribute(n, v) } }
    }

    final func start(_ qualifiedName: String) {
        if !started { startDocument(standalone: true) }
        check(xmlTextWriterStartElement(writer, qualifiedName))
    }

    final func attribute(_ name: String, _ value: String) {
        check(xmlTextWriterWriteAttribute(writer, name, value))
    }

    /// Text, escaped by libxml2.
    final func text(_ s: String) {
        check(xmlTextWriterWriteString(writer, s))
    }

    final func end() {
        check(xmlTextWriterEndElement(writer))
    }

    /// `<name attr…>text</name>` in one call.
    final func element(_ name: String, _ attributes: [(String, String)] = [], text value: String? = nil) {
        start(name)
        for (n, v) in attributes { attribute(n, v) }
        if let value { text(value) }
        end()
    }

    private func writeText(_ chunk: UnsafeRawBufferPointer) {
        textBuffer.removeAll(keepingCapacity: true)
        textBuffer.append(contentsOf: chunk.bindMemory(to: CChar.self))
        textBuffer.append(0)
        check(textBuffer.withUnsafeBufferPointer { xmlTextWriterWriteString(writer, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: xmlChar.self)) })
    }

    private func startDocument(standalone: Bool?) {
        guard !started else { return }
        started = true
        switch standalone {
        case true?: check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "yes"))
        case false?: check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "no"))
        case nil: check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
        }
    }

    @inline(__always)
    private func check(_ rc: Int32) { if rc < 0 { failed = true } }

    /// Closes every open element and flushes the file; throws when any write failed (disk full).
    func finish() throws {
        check(xmlTextWriterEndDocument(writer))
        check(xmlTextWriterFlush(writer))
        if failed {
            throw XLSXError(.fileUnreadable, part: part, english: "Writing the edited part failed (is the disk full?)",
                            chinese: "写入修改后的部件失败(磁盘是否已满?)")
        }
    }
}

/// Copies a part, leaving out the elements (and everything inside them) that `drop` picks.
final class FilteringRewriter: XMLRewriter {
    private let drop: (XMLName, XMLAttributes) -> Bool

    init(outputPath: String, part: String, drop: @escaping (XMLName, XMLAttributes) -> Bool) throws {
        self.drop = drop
        try super.init(outputPath: outputPath, part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if drop(name, attributes) { dropElement() } else { copyStart(name, attributes) }
    }
}
