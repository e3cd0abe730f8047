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
    let out: XMLOut
    var part: String { out.part }
    /// While > 0, an element dropped by `dropElement()` and its content are being left out.
    private var skipDepth = 0

    /// Writes to the file `path` (created or truncated).
    init(outputPath path: String, part: String) throws {
        out = try XMLOut(file: path, part: part)
    }

    // MARK: pass-through

    func declaration(standalone: Bool?) throws {
        out.startDocument(standalone: standalone)
    }

    final func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if skipDepth > 0 { skipDepth += 1; return }
        try rewriteStart(name, attributes)
    }

    final func endElement(_ name: XMLName) throws {
        if skipDepth > 0 { skipDepth -= 1; return }
        try rewriteEnd(name)
    }

    func characters(_ text: UnsafeRawBufferPointer) throws {
        if skipDepth == 0 { out.text(text) }
    }

    final func comment(_ text: String) throws {
        if skipDepth == 0 { out.comment(text) }
    }

    final func processingInstruction(_ target: String, _ data: String) throws {
        if skipDepth == 0 { out.processingInstruction(target, data) }
    }

    // MARK: for subclasses

    /// A start tag to rewrite; by default copied as it is.
    func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        copyStart(name, attributes)
    }

    /// An end tag to rewrite; by default copied.
    func rewriteEnd(_ name: XMLName) throws {
        out.end()
    }

    /// Called from `rewriteStart`: leaves out the element being started and all it contains.
    final func dropElement() {
        skipDepth = 1
    }

    /// Copies a start tag with its namespace declarations and attributes; `replacing` sets
    /// (or, with nil, removes) attributes by qualified name.
    final func copyStart(_ name: XMLName, _ attributes: XMLAttributes, replacing: [String: String?] = [:]) {
        guard replacing.isEmpty else { return copyStart(name, attributes, changing: replacing) }
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
        try super.init(outputPath: outputPath, part: part)
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
