import TracksheetLibXML2

/// XML output through libxml2's `xmlTextWriter`, to a file or to memory. libxml2 does all the
/// escaping; a write that fails (disk full) is remembered and reported by `finish()`.
final class XMLOut {
    /// nil once `finish()` has closed it.
    private var handle: xmlTextWriterPtr?
    private var writer: xmlTextWriterPtr { handle! }
    private let buffer: xmlBufferPtr?
    let part: String
    private var failed = false
    private var started = false
    private var textBuffer: [CChar] = []

    /// Writes to the file `path` (created or truncated).
    init(file path: String, part: String) throws {
        guard let w = xmlNewTextWriterFilename(path, 0) else {
            throw XLSXError(.fileUnreadable, part: part, english: "Cannot write a scratch file for the part", chinese: "无法为该部件写入临时文件")
        }
        handle = w
        buffer = nil
        self.part = part
    }

    /// Writes to memory; `finish()` returns the bytes.
    init(part: String) {
        buffer = xmlBufferCreate()
        handle = xmlNewTextWriterMemory(buffer, 0)
        self.part = part
    }

    deinit {
        if let handle { xmlFreeTextWriter(handle) }
        if let buffer { xmlBufferFree(buffer) }
    }

    func startDocument(standalone: Bool? = true) {
        guard !started else { return }
        started = true
        switch standalone {
        case true?: check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "yes"))
        case false?: check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "no"))
        case nil: check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
        }
    }

    func start(_ qualifiedName: String) {
        if !started { startDocument() }
        check(xmlTextWriterStartElement(writer, qualifiedName))
    }

    /// A start tag named by the parser's own pointers: no String is made (the copy's hot path).
    func start(_ name: XMLName) {
        if !started { startDocument() }
        if let prefix = name.prefix { check(xmlTextWriterStartElementNS(writer, prefix, name.local, nil)) }
        else { check(xmlTextWriterStartElement(writer, name.local)) }
    }

    /// An attribute copied from the parser's bytes when they need no escaping (no `&`, `<`, `>`,
    /// `"` or control character — nearly every attribute of a sheet); false, and nothing
    /// written, otherwise.
    func rawAttribute(prefix: UnsafePointer<xmlChar>?, local: UnsafePointer<xmlChar>, value: UnsafePointer<xmlChar>, count: Int) -> Bool {
        for i in 0..<count {
            let c = value[i]
            if c < 0x20 || c == UInt8(ascii: "&") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "\"") { return false }
        }
        if let prefix { check(xmlTextWriterStartAttributeNS(writer, prefix, local, nil)) }
        else { check(xmlTextWriterStartAttribute(writer, local)) }
        if count > 0 { check(xmlTextWriterWriteRawLen(writer, value, Int32(count))) }
        check(xmlTextWriterEndAttribute(writer))
        return true
    }

    func attribute(_ name: String, _ value: String) {
        check(xmlTextWriterWriteAttribute(writer, name, value))
    }

    func text(_ s: String) {
        check(xmlTextWriterWriteString(writer, s))
    }

    /// Text straight from a parser's buffer (not NUL-terminated).
    func text(_ chunk: UnsafeRawBufferPointer) {
        textBuffer.removeAll(keepingCapacity: true)
        textBuffer.append(contentsOf: chunk.bindMemory(to: CChar.self))
        textBuffer.append(0)
        check(textBuffer.withUnsafeBufferPointer { xmlTextWriterWriteString(writer, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: xmlChar.self)) })
    }

    func comment(_ s: String) { check(xmlTextWriterWriteComment(writer, s)) }
    func processingInstruction(_ target: String, _ data: String) { check(xmlTextWriterWritePI(writer, target, data)) }

    func end() { check(xmlTextWriterEndElement(writer)) }

    /// `<name a="…">text</name>` (or `<name a="…"/>`) in one call.
    func element(_ name: String, _ attributes: [(String, String)] = [], text value: String? = nil) {
        start(name)
        for (n, v) in attributes { attribute(n, v) }
        if let value { text(value) }
        end()
    }

    @inline(__always)
    private func check(_ rc: Int32) { if rc < 0 { failed = true } }

    /// Closes every open element and the output — a file is complete only once libxml2 has
    /// closed it (its stdio buffer is flushed by fclose, not by xmlTextWriterFlush) — and returns
    /// the bytes when writing to memory.
    @discardableResult
    func finish() throws -> [UInt8] {
        guard let handle else { return [] }
        check(xmlTextWriterEndDocument(handle))
        check(xmlTextWriterFlush(handle))
        xmlFreeTextWriter(handle)
        self.handle = nil
        if failed {
            throw XLSXError(.fileUnreadable, part: part, english: "Writing the part failed (is the disk full?)",
                            chinese: "写入该部件失败(磁盘是否已满?)")
        }
        guard let buffer, let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
    }
}
