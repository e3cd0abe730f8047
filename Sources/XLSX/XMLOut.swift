import TracksheetLibXML2

/// XML output through libxml2's `xmlTextWriter`, to a file or to memory. libxml2 does all the
/// escaping; a write that fails (disk full) is remembered and reported by `finish()`.
/// `@exclusivity(unchecked)` on its state: one owner calls it, one call at a time, and no call
/// reaches back into it, so the runtime's check on every cell written is dropped.
final class XMLOut {
    /// nil once `finish()` has closed it.
    @exclusivity(unchecked) private var handle: xmlTextWriterPtr?
    private var writer: xmlTextWriterPtr { handle! }
    private let buffer: xmlBufferPtr?
    /// Where the bytes go when they are deflated as they come (else a file or memory).
    private var zipped: ZippedPart?
    let part: String
    @exclusivity(unchecked) private var failed = false
    @exclusivity(unchecked) private var started = false
    @exclusivity(unchecked) private var textBuffer: [CChar] = []

    // MARK: raw copy

    /// Input copied byte for byte (`XMLRewriter`'s raw copy): the part being read, where the
    /// bytes not yet written start (nil: none pending), and where the current event's markup
    /// starts — any write first flushes the pending bytes up to there.
    @exclusivity(unchecked) var raw: RawInput?
    @exclusivity(unchecked) var rawFrom: Int?
    @exclusivity(unchecked) var eventStart = 0
    /// Set by any write; the rewriter clears it before each event.
    @exclusivity(unchecked) var touched = false

    @inline(__always) private func willWrite() {
        touched = true
        if rawFrom != nil { flushRaw() }
    }

    /// Writes the pending input bytes up to `eventStart`.
    func flushRaw() {
        guard let from = rawFrom, let raw else { return }
        rawFrom = nil
        guard eventStart > from else { return }
        raw.withBytes(from: from, to: eventStart) { b in
            check(xmlTextWriterWriteRawLen(writer, b.baseAddress!.assumingMemoryBound(to: xmlChar.self), Int32(b.count)))
        }
    }

    /// Writes an element the parser passed over (`ElementSkipping`) where it stood, at `offset`
    /// in the parsed input: the pending bytes before it first, its bytes as they are, and the
    /// pending bytes go on from there.
    func passOver(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        eventStart = offset
        flushRaw()
        check(xmlTextWriterWriteRawLen(writer, bytes.baseAddress!.assumingMemoryBound(to: xmlChar.self), Int32(bytes.count)))
        rawFrom = offset
    }

    /// Bytes written as they are, nothing pending flushed first (a row edited in its bytes,
    /// `rawFrom` cleared meanwhile).
    func rawBytes(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        check(xmlTextWriterWriteRawLen(writer, bytes.baseAddress!.assumingMemoryBound(to: xmlChar.self), Int32(bytes.count)))
    }

    /// In raw copy the input's own XML declaration is copied: none is written.
    func copiesDeclaration() { started = true }

    /// Writes to the file `path` (created or truncated).
    init(file path: String, part: String) throws {
        guard let w = xmlNewTextWriterFilename(path, 0) else {
            throw XLSXError(.fileUnreadable, .partScratchFile, part: part)
        }
        handle = w
        buffer = nil
        self.part = part
    }

    /// Writes to `zipped`, which deflates on a thread of its own as the bytes come.
    init(zipped: ZippedPart, part: String) throws {
        let context = Unmanaged.passUnretained(zipped).toOpaque()
        guard let output = xmlOutputBufferCreateIO({ context, bytes, count in
            guard let bytes, count > 0 else { return 0 }
            // A part that takes no more (stopped, or its thread failed) says so at finish(); told
            // here, libxml2 would print an I/O error of its own.
            _ = Unmanaged<ZippedPart>.fromOpaque(context!).takeUnretainedValue().write(bytes, count: Int(count))
            return count
        }, nil, context, nil), let w = xmlNewTextWriter(output) else {
            zipped.cancel()
            throw XLSXError(.fileUnreadable, .partCannotWrite, part: part)
        }
        handle = w
        buffer = nil
        self.zipped = zipped
        self.part = part
    }

    /// Writes to memory; `finish()` returns the bytes.
    init(part: String) {
        buffer = xmlBufferCreate()
        handle = xmlNewTextWriterMemory(buffer, 0)
        self.part = part
    }

    deinit {
        // Not finished (a failure on the way): the deflating thread is stopped, its file removed.
        if handle != nil { zipped?.cancel() }
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
        willWrite()
        if !started { startDocument() }
        check(xmlTextWriterStartElement(writer, qualifiedName))
    }

    /// A start tag named by the parser's own pointers: no String is made (the copy's hot path).
    func start(_ name: XMLName) {
        willWrite()
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
        willWrite()
        if let prefix { check(xmlTextWriterStartAttributeNS(writer, prefix, local, nil)) }
        else { check(xmlTextWriterStartAttribute(writer, local)) }
        if count > 0 { check(xmlTextWriterWriteRawLen(writer, value, Int32(count))) }
        check(xmlTextWriterEndAttribute(writer))
        return true
    }

    func attribute(_ name: String, _ value: String) {
        willWrite()
        check(xmlTextWriterWriteAttribute(writer, name, value))
    }

    func text(_ s: String) {
        willWrite()
        check(xmlTextWriterWriteString(writer, s))
    }

    /// Text straight from a parser's buffer (not NUL-terminated).
    func text(_ chunk: UnsafeRawBufferPointer) {
        willWrite()
        textBuffer.removeAll(keepingCapacity: true)
        textBuffer.append(contentsOf: chunk.bindMemory(to: CChar.self))
        textBuffer.append(0)
        check(textBuffer.withUnsafeBufferPointer { xmlTextWriterWriteString(writer, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: xmlChar.self)) })
    }

    /// Markup made by the caller, already escaped (`CellXML.markup`), written by `writeMarkup()`.
    @exclusivity(unchecked) var markup: [UInt8] = []

    func writeMarkup() {
        willWrite()
        if !started { startDocument() }
        guard !markup.isEmpty else { return }
        check(markup.withUnsafeBufferPointer { xmlTextWriterWriteRawLen(writer, $0.baseAddress!, Int32($0.count)) })
    }

    func comment(_ s: String) { willWrite(); check(xmlTextWriterWriteComment(writer, s)) }
    func processingInstruction(_ target: String, _ data: String) { willWrite(); check(xmlTextWriterWritePI(writer, target, data)) }

    func end() { willWrite(); check(xmlTextWriterEndElement(writer)) }

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
        if raw != nil {
            // The input's tail (after its root) was copied; EndDocument would add a newline.
            eventStart = raw!.end
            flushRaw()
        } else {
            check(xmlTextWriterEndDocument(handle))
        }
        check(xmlTextWriterFlush(handle))
        xmlFreeTextWriter(handle)
        self.handle = nil
        if failed { zipped?.cancel() }
        try zipped?.finish()
        if failed {
            throw XLSXError(.fileUnreadable, .partWriteFailed, part: part)
        }
        guard let buffer, let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
    }
}
