/// What the reader takes from `xl/styles.xml`: each cell format's number format, classified.
public struct StyleSheet: Sendable {
    /// Per `cellXfs` index: the number format id.
    public var cellFormatIDs: [Int] = []
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
    private var inNumFmts = false, inCellXfs = false, xfDepth = 0

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("numFmts") { inNumFmts = true }
        else if name.is("cellXfs") { inCellXfs = true }
        else if inNumFmts, name.is("numFmt"), let id = attributes["numFmtId"].flatMap({ Int($0) }) {
            sheet.customFormats[id] = attributes["formatCode"] ?? ""
        } else if inCellXfs, name.is("xf") {
            sheet.cellFormatIDs.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
        }
    }
    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("numFmts") { inNumFmts = false } else if name.is("cellXfs") { inCellXfs = false }
    }
    func characters(_ text: UnsafeRawBufferPointer) throws {}
}
