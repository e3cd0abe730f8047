/// Collects the text of one element as UTF-8 bytes, bounded by `Limits.maxStringBytes`.
struct TextBuffer {
    private(set) var bytes: [UInt8] = []
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        bytes.reserveCapacity(64)
    }

    @inline(__always)
    mutating func append(_ text: UnsafeRawBufferPointer, part: String) throws {
        if bytes.count + text.count > limit {
            throw XLSXError(.stringTooLong, .textTooLong, ["limit": limit >> 20 > 0 ? "\(limit >> 20) MiB" : .said(.sizeInBytes), "bytes": "\(limit)"], part: part)
        }
        bytes.append(contentsOf: text)
    }

    mutating func clear() { if !bytes.isEmpty { bytes.removeAll(keepingCapacity: true) } }

    /// Where the current `<t>` began, for `trimSegment`.
    private(set) var segmentStart = 0
    mutating func beginSegment() { segmentStart = bytes.count }

    /// Trims XML white space (space, tab, CR, LF) at both ends of the text since `beginSegment`,
    /// as Excel does for a `<t>` without `xml:space="preserve"`.
    mutating func trimSegment() {
        let isSpace = OOXMLText.isXMLSpace
        while bytes.count > segmentStart, isSpace(bytes[bytes.count - 1]) { bytes.removeLast() }
        var lead = segmentStart
        while lead < bytes.count, isSpace(bytes[lead]) { lead += 1 }
        if lead > segmentStart { bytes.removeSubrange(segmentStart..<lead) }
    }
    var isEmpty: Bool { bytes.isEmpty }

    /// The text, with OOXML's `_xHHHH_` escapes decoded (`_x000D_` → CR, `_x005F_` → `_`).
    var unescapedString: String { OOXMLText.unescape(bytes) }
    var rawString: String { String(decoding: bytes, as: UTF8.self) }
}

enum OOXMLText {
    /// Whether `s` starts or ends with XML white space (space, tab, CR, LF), which a `<t>` keeps
    /// only with `xml:space="preserve"` (Excel writes the attribute only then; so do we — a
    /// twelfth of an inline-string cell's bytes otherwise).
    static func hasEdgeSpace(_ s: String) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last else { return false }
        return isXMLSpace(first) || isXMLSpace(last)
    }

    /// XML white space: space, tab, CR, LF.
    @inline(__always)
    static func isXMLSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// Encodes what XML 1.0 cannot hold (control characters but tab, CR, LF; U+FFFE, U+FFFF) and
    /// text that already looks like an escape (`_x0041_` → `_x005F_x0041_`), as Excel does.
    static func escape(_ s: String) -> String {
        var needs = false
        for u in s.unicodeScalars where (u.value < 0x20 && u != "\t" && u != "\n" && u != "\r") || u.value == 0xFFFE || u.value == 0xFFFF || u == "_" {
            needs = true; break
        }
        guard needs else { return s }
        var out = ""
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let u = scalars[i]
            if u == "_", i + 6 < scalars.count, scalars[i + 1] == "x", scalars[i + 6] == "_",
               scalars[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }) {
                out += "_x005F_"
            } else if (u.value < 0x20 && u != "\t" && u != "\n" && u != "\r") || u.value == 0xFFFE || u.value == 0xFFFF {
                let hex = String(u.value, radix: 16, uppercase: true)
                out += "_x" + String(repeating: "0", count: 4 - hex.count) + hex + "_"
            } else {
                out.unicodeScalars.append(u)
            }
            i += 1
        }
        return out
    }

    /// Decodes `_xHHHH_` escapes (ECMA-376 Part 1, §22.4.2.4 ST_Xstring).
    static func unescape(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 7, bytes.contains(UInt8(ascii: "_")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var units: [UInt16] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "_"), i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"),
               bytes[i + 6] == UInt8(ascii: "_"),
               let a = PartName.hex(bytes[i + 2]), let b = PartName.hex(bytes[i + 3]),
               let c = PartName.hex(bytes[i + 4]), let d = PartName.hex(bytes[i + 5]) {
                units.append(UInt16(a) << 12 | UInt16(b) << 8 | UInt16(c) << 4 | UInt16(d))
                i += 7
                continue
            }
            flush(&units, into: &out)
            out.append(bytes[i])
            i += 1
        }
        flush(&units, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Escaped code units may form surrogate pairs; decode them together.
    private static func flush(_ units: inout [UInt16], into out: inout [UInt8]) {
        guard !units.isEmpty else { return }
        out.append(contentsOf: String(decoding: units, as: UTF16.self).utf8)
        units.removeAll(keepingCapacity: true)
    }
}

/// The text of a rich string — a shared string `<si>`, an inline `<is>`, a note's `<text>`:
/// its `<t>` runs joined, phonetic `<rPh>` runs left out, and each `<t>` trimmed unless it says
/// `xml:space="preserve"` (as Excel does).
struct RichText {
    private(set) var buffer: TextBuffer
    private var inText = false, phoneticDepth = 0, preserve = false

    init(limit: Int) { buffer = TextBuffer(limit: limit) }

    mutating func reset() {
        buffer.clear()
        inText = false
        phoneticDepth = 0
    }

    /// Takes a SpreadsheetML start tag inside the string; false when it is not `<t>` or `<rPh>`.
    mutating func start(_ name: XMLName, _ attributes: XMLAttributes) -> Bool {
        if name.is("t") {
            inText = phoneticDepth == 0
            preserve = attributes.preservesSpace
            buffer.beginSegment()
            return true
        }
        if name.is("rPh") { phoneticDepth += 1; return true }
        return false
    }

    mutating func end(_ name: XMLName) -> Bool {
        if name.is("t") {
            if inText && !preserve { buffer.trimSegment() }
            inText = false
            return true
        }
        if name.is("rPh") { phoneticDepth -= 1; return true }
        return false
    }

    @inline(__always)
    mutating func characters(_ chunk: UnsafeRawBufferPointer, part: String) throws {
        if inText { try buffer.append(chunk, part: part) }
    }

    var isEmpty: Bool { buffer.isEmpty }
    var string: String { buffer.unescapedString }
}
