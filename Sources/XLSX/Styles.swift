/// What the reader takes from `xl/styles.xml`: each cell format's number format, classified.
public struct StyleSheet: Sendable {
    /// An element as read: qualified name, attributes, and child elements (one level, no text).
    public struct RawElement: Sendable, Equatable {
        public var name: String
        public var attributes: [(String, String)]
        public var children: [RawElement] = []

        public static func == (a: Self, b: Self) -> Bool {
            a.name == b.name && a.children == b.children
                && a.attributes.map { $0.0 + "=" + $0.1 } == b.attributes.map { $0.0 + "=" + $0.1 }
        }

        public func attribute(_ n: String) -> String? { attributes.first { $0.0 == n }?.1 }
    }

    /// Per `cellXfs` index: the number format id.
    public var cellFormatIDs: [Int] = []
    /// Per `cellXfs` index: the `<xf>` with its children (alignment, protection), for deriving.
    public var cellFormats: [RawElement] = []
    /// The `<font>` elements, for deriving a font from a cell's own.
    public var fonts: [RawElement] = []
    /// Number of `<fill>` elements.
    public var fillCount = 0
    /// Per fill: the solid colour (`FFFFC7CE`), nil for other fills.
    public var solidFills: [String?] = []
    /// The lists the part has (`numFmts`, `fonts`, `fills`, `borders`, `cellXfs` …); a workbook may
    /// have an empty `<styleSheet/>`.
    public var lists: Set<String> = []
    /// Number of `<dxf>` (conditional-format styles).
    public var dxfCount = 0
    /// Custom number formats by id.
    public var customFormats: [Int: String] = [:]
    /// Per `cellXfs` index: date, duration or plain.
    public var kinds: [NumberFormatKind] = []

    public init() {}

    /// The format code of a cell format, custom or built-in id as `#<id>`.
    public func formatCode(ofStyle index: Int) -> String? {
        guard index >= 0, index < cellFormatIDs.count else { return nil }
        let id = cellFormatIDs[index]
        return customFormats[id] ?? "#\(id)"
    }

    mutating func classify() {
        kinds = cellFormatIDs.map { id in
            if let code = customFormats[id] { return NumberFormatKind.classify(code) }
            return NumberFormatKind.builtin(id)
        }
    }
}

final class StylesHandler: XMLContentHandler {
    var sheet = StyleSheet()
    private let limits: Limits
    private let part: String
    /// Formats, fonts, fills and conditional styles read so far, together.
    private var entries = 0

    init(limits: Limits, part: String) {
        self.limits = limits
        self.part = part
    }

    /// One more format, font, fill or style: refused past `maxStyleEntries`.
    private func count() throws {
        entries += 1
        guard entries > limits.maxStyleEntries else { return }
        throw XLSXError(.tooManyCells, .tooManyStyles, ["limit": "\(limits.maxStyleEntries)"], part: part)
    }
    private var inNumFmts = false, inCellXfs = false, inFonts = false, inFills = false
    /// The `<xf>` or `<font>` being read (depth 1 below its list), collecting children.
    private var current: StyleSheet.RawElement?
    private var depth = 0

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if current != nil {
            depth += 1
            if depth == 1 { current!.children.append(.init(name: name.localName, attributes: attributes.all)) }
            return
        }
        if depth == 0, ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "dxfs"].contains(name.localName) {
            sheet.lists.insert(name.localName)
        }
        if name.is("numFmts") { inNumFmts = true }
        else if name.is("cellXfs") { inCellXfs = true }
        else if name.is("fonts") { inFonts = true }
        else if name.is("fills") { inFills = true }
        else if name.is("dxf") { try count(); sheet.dxfCount += 1 }
        else if inNumFmts, name.is("numFmt"), let id = attributes["numFmtId"].flatMap({ Int($0) }) {
            try count()
            sheet.customFormats[id] = attributes["formatCode"] ?? ""
        } else if inCellXfs, name.is("xf") {
            try count()
            sheet.cellFormatIDs.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
            current = .init(name: "xf", attributes: attributes.all)
            depth = 0
        } else if inFonts, name.is("font") {
            try count()
            current = .init(name: "font", attributes: attributes.all)
            depth = 0
        } else if inFills, name.is("fill") {
            try count()
            sheet.fillCount += 1
            sheet.solidFills.append(nil)
        } else if inFills, name.is("fgColor"), let rgb = attributes["rgb"], !sheet.solidFills.isEmpty {
            // A colour outside any <fill> (crafted: before its pattern) belongs to none.
            sheet.solidFills[sheet.solidFills.count - 1] = rgb
        }
    }

    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML else { return }
        if let c = current {
            if depth > 0 { depth -= 1; return }
            if c.name == "xf" { sheet.cellFormats.append(c) } else { sheet.fonts.append(c) }
            current = nil
            return
        }
        if name.is("numFmts") { inNumFmts = false } else if name.is("cellXfs") { inCellXfs = false }
        else if name.is("fonts") { inFonts = false } else if name.is("fills") { inFills = false }
    }
    func characters(_ text: UnsafeRawBufferPointer) throws {}
}
