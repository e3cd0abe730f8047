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
/// only parts that are edited go through here — except in raw copy (`copiesRaw`), where what a
/// subclass copies unchanged goes from the input to the output byte for byte and only what it
/// changes is written again: an edited sheet keeps every other row exactly as it was, and
/// copying costs little more than the parse.
///
/// `@exclusivity(unchecked)` on its state (and its subclasses'): touched only from the parser's
/// callbacks, one at a time on one thread, never through overlapping accesses, so the runtime's
/// per-access check (paid on every element of every edited sheet) is dropped.
class XMLRewriter: XMLContentHandler {
    let out: XMLOut
    var part: String { out.part }
    /// While > 0, an element dropped by `dropElement()` and its content are being left out.
    @exclusivity(unchecked) private var skipDepth = 0

    /// Where a rewritten part goes: a scratch file (created or truncated), or a one-entry zip
    /// deflated as it is written.
    enum Output {
        case file(String)
        case zipped(ZippedPart)
    }

    /// `copiesRaw` asks for raw copy.
    init(output: Output, part: String, copiesRaw: Bool = false) throws {
        switch output {
        case .file(let path): out = try XMLOut(file: path, part: part)
        case .zipped(let z): out = try XMLOut(zipped: z, part: part)
        }
        if copiesRaw {
            let raw = RawInput()
            raw.keepFrom = { [unowned out] in out.rawFrom }
            // Everything before the parser's position has been decided: copied bytes go out.
            raw.release = { [unowned out] offset in
                guard out.rawFrom != nil else { return }
                out.eventStart = offset
                out.flushRaw()
                out.rawFrom = offset
            }
            rawInput = raw
            out.raw = raw
            out.rawFrom = 0
        } else {
            rawInput = nil
        }
    }

    // MARK: raw copy

    let rawInput: RawInput?
    /// Per open element: true when its tags stay in the input's bytes (copied, not written).
    @exclusivity(unchecked) private var rawOpen: [Bool] = []
    /// Set by `copyStart` when the tag is copied as it is.
    @exclusivity(unchecked) private var tagIsRaw = false
    /// While true, nothing of the input is pending (a replaced or captured element being read).
    @exclusivity(unchecked) private var suspended = false
    /// The offset right after the current empty element's `/>`, for its end callback.
    @exclusivity(unchecked) private var emptyEnd = -1
    /// In raw copy, true while the start tag being rewritten closes itself (`<sheetData/>`): a
    /// subclass that will write children into it must write the tag (`copyStart(…, raw: false)`).
    @exclusivity(unchecked) private(set) var startTagIsEmpty = false

    /// Raw copy was asked for and the part allows it.
    var copiesRaw: Bool { out.raw != nil }

    /// True when an element may be copied without being parsed here (`ElementSkipping`): raw copy,
    /// nothing suspended or being left out, every byte before it settled.
    final var mayPassOver: Bool { copiesRaw && !suspended && skipDepth == 0 && out.rawFrom != nil }

    /// Copies an element the parser passed over, at `offset` in the bytes it parsed.
    final func passOver(_ element: UnsafeRawBufferPointer, at offset: Int) { out.passOver(element, at: offset) }

    /// The input from here on is not copied (its content is being replaced) until `resumeRaw()`.
    final func suspendRaw() {
        guard copiesRaw else { return }
        out.flushRaw()
        suspended = true
    }

    /// Copying goes on after the current event.
    final func resumeRaw() { suspended = false }

    /// The offsets of the current start tag: its `<`, and just past its `>`.
    private func startTag(_ raw: RawInput) throws -> (Int, Int) {
        let p = raw.position
        guard p < raw.end, let from = raw.tagStart(before: p) else { throw RawCopyLost() }
        switch raw[p] {
        case UInt8(ascii: ">"): return (from, p + 1)
        case UInt8(ascii: "/"): emptyEnd = p + 2; return (from, p + 2)
        default: throw RawCopyLost()
        }
    }

    /// The offsets of the current end tag (none of its own for an empty element).
    private func endTag(_ raw: RawInput) throws -> (Int, Int) {
        let p = raw.position
        if p == emptyEnd { emptyEnd = -1; return (p, p) }
        guard p > raw.start, p <= raw.end, raw[p - 1] == UInt8(ascii: ">"), let from = raw.tagStart(before: p) else { throw RawCopyLost() }
        return (from, p)
    }

    /// After an event: what of its bytes is still to copy.
    private func settle(tagStart: Int, tagEnd: Int, raw tagStays: Bool) {
        if suspended { out.rawFrom = nil }
        else if tagStays { if out.touched || out.rawFrom == nil { out.rawFrom = tagStart } }
        else if out.touched || out.rawFrom == nil { out.rawFrom = tagEnd }
    }

    // MARK: pass-through

    func declaration(standalone: Bool?) throws {
        if let raw = rawInput {
            if raw.usable { return out.copiesDeclaration() }
            // UTF-16: written again like any other part.
            out.raw = nil
            out.rawFrom = nil
        }
        out.startDocument(standalone: standalone)
    }

    final func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if skipDepth > 0 { skipDepth += 1; return }
        guard copiesRaw, let raw = rawInput else {
            rawOpen.append(false)
            return try rewriteStart(name, attributes)
        }
        let (from, to) = try startTag(raw)
        startTagIsEmpty = emptyEnd == to
        out.eventStart = from
        out.touched = false
        tagIsRaw = false
        try rewriteStart(name, attributes)
        if skipDepth > 0 {
            // Dropped: nothing of it is copied; copying resumes after its end tag.
            out.flushRaw()
            return
        }
        rawOpen.append(tagIsRaw)
        settle(tagStart: from, tagEnd: to, raw: tagIsRaw)
    }

    final func endElement(_ name: XMLName) throws {
        if skipDepth > 0 {
            skipDepth -= 1
            if skipDepth == 0, copiesRaw, let raw = rawInput { out.rawFrom = try endTag(raw).1 }
            return
        }
        guard copiesRaw, let raw = rawInput else {
            try rewriteEnd(name)
            rawOpen.removeLast()
            return
        }
        let (from, to) = try endTag(raw)
        out.eventStart = from
        out.touched = false
        let wasRaw = rawOpen.last ?? false
        try rewriteEnd(name)
        rawOpen.removeLast()
        settle(tagStart: from, tagEnd: to, raw: wasRaw)
    }

    func characters(_ text: UnsafeRawBufferPointer) throws {
        if skipDepth == 0 && !copiesRaw { out.text(text) }
    }

    final func comment(_ text: String) throws {
        if skipDepth == 0 && !copiesRaw { out.comment(text) }
    }

    final func processingInstruction(_ target: String, _ data: String) throws {
        if skipDepth == 0 && !copiesRaw { out.processingInstruction(target, data) }
    }

    /// Ends the element being ended: its end tag is written, or stays in the copied bytes.
    final func closeElement() {
        if rawOpen.last == true { return }
        out.end()
    }

    // MARK: for subclasses

    /// A start tag to rewrite; by default copied as it is.
    func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        copyStart(name, attributes)
    }

    /// An end tag to rewrite; by default copied.
    func rewriteEnd(_ name: XMLName) throws {
        closeElement()
    }

    /// Called from `rewriteStart`: leaves out the element being started and all it contains.
    final func dropElement() {
        skipDepth = 1
    }

    /// Copies a start tag with its namespace declarations and attributes; `replacing` sets
    /// (or, with nil, removes) attributes by qualified name.
    /// In raw copy the tag stays in the input's bytes unless `raw` is false.
    final func copyStart(_ name: XMLName, _ attributes: XMLAttributes, replacing: [String: String?] = [:], raw: Bool = true) {
        guard replacing.isEmpty else { return copyStart(name, attributes, changing: replacing) }
        if raw && copiesRaw && !suspended { tagIsRaw = true; return }
        // Unchanged: names and values go from the parser's buffers to the writer's.
        out.start(name)
        copyDeclarations(name)
        guard let base = attributes.base else { return }
        for i in 0..<attributes.count {
            let at = base + i * 5
            guard let local = at[0], let value = at[3], let end = at[4] else { continue }
            if !out.rawAttribute(prefix: at[1], local: local, value: value, count: end - value),
               let (n, v) = attributes.attribute(at: i) {
                out.attribute(n, v)
            }
        }
    }

    private func copyDeclarations(_ name: XMLName) {
        if let decl = name.declarations {
            for i in 0..<name.declarationCount {
                guard let uri = decl[2 * i + 1] else { continue }
                let prefix = decl[2 * i].map { "xmlns:\(String(cString: $0))" } ?? "xmlns"
                out.attribute(prefix, String(cString: uri))
            }
        }
    }

    private func copyStart(_ name: XMLName, _ attributes: XMLAttributes, changing replacing: [String: String?]) {
        out.start(name)
        copyDeclarations(name)
        let all = attributes.all
        for (n, v) in all {
            if let r = replacing[n] { if let r { out.attribute(n, r) } } else { out.attribute(n, v) }
        }
        for (n, v) in replacing where !all.contains(where: { $0.0 == n }) { if let v { out.attribute(n, v) } }
    }

    /// Writes an element read or built as a `RawElement`, in the namespace prefix given.
    final func writeRaw(_ e: StyleSheet.RawElement, prefix: String) {
        out.start(prefix + e.name)
        for (n, v) in e.attributes { out.attribute(n, v) }
        for c in e.children { writeRaw(c, prefix: prefix) }
        out.end()
    }

    /// Closes every open element and flushes the file; throws when any write failed.
    func finish() throws { try out.finish() }
}

/// The parser's offsets did not match the bytes (a libxml2 that reports them differently): the
/// part is written again without raw copy.
struct RawCopyLost: Error {}

/// Changes to a small part (relationships, content types, workbook.xml), applied in one pass
/// however many features asked for them.
struct PartPatch {
    /// Elements to leave out (with everything inside them).
    var drops: [(XMLName, XMLAttributes) -> Bool] = []
    /// Elements to add at the end of the first element with the given local name.
    var appends: [(into: String, element: StyleSheet.RawElement)] = []
    /// New text for elements with the given local name (e.g. `definedName`), made from the old.
    var texts: [String: (String) -> String] = [:]
    /// Attributes to set on elements with the given local name.
    var attributes: [String: [String: String?]] = [:]
}

/// Copies a part, applying a `PartPatch`.
final class PatchRewriter: XMLRewriter {
    private let patch: PartPatch
    private var prefixes: [String] = []
    private var done: Set<String> = []

    init(outputPath: String, part: String, patch: PartPatch) throws {
        self.patch = patch
        try super.init(output: .file(outputPath), part: part)
    }

    /// The text of an element in `patch.texts`, being read.
    private var text: (transform: (String) -> String, bytes: [UInt8])?

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if patch.drops.contains(where: { $0(name, attributes) }) { return dropElement() }
        if let t = text { text = nil; out.text(t.transform(String(decoding: t.bytes, as: UTF8.self))) }
        prefixes.append(name.prefix.map { String(cString: $0) + ":" } ?? "")
        let local = name.localName
        copyStart(name, attributes, replacing: patch.attributes[local] ?? [:])
        if let transform = patch.texts[local] { text = (transform, []) }
    }

    override func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if text != nil { text!.bytes.append(contentsOf: chunk); return }
        try super.characters(chunk)
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if let t = text { text = nil; out.text(t.transform(String(decoding: t.bytes, as: UTF8.self))) }
        let local = name.localName
        let prefix = prefixes.popLast() ?? ""
        if !done.contains(local) {
            let adds = patch.appends.filter { $0.into == local }
            if !adds.isEmpty {
                done.insert(local)
                for a in adds { writeRaw(a.element, prefix: prefix) }
            }
        }
        out.end()
    }
}
