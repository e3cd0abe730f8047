/// A sheet as the workbook lists it.
public struct SheetInfo: Sendable, Equatable {
    public enum Kind: String, Sendable { case worksheet, chartsheet, dialogsheet, macrosheet, unknown }
    public enum Visibility: String, Sendable { case visible, hidden, veryHidden }

    public let name: String
    public let sheetID: Int
    /// Position in the workbook's tab order, 0-based.
    public let position: Int
    public let visibility: Visibility
    public let kind: Kind
    /// The zip entry name, or nil when the relationship is missing or points outside the package.
    public let part: String?
}

/// A `<definedName>`: a named range, a print area, a constant.
public struct DefinedName: Sendable, Equatable {
    public let name: String
    /// The formula text, e.g. `主跟踪表!$A$3:$P$20`.
    public let formula: String
    /// The sheet it is local to (tab position), or nil for a workbook-wide name.
    public let localSheet: Int?
    public let isHidden: Bool
}

final class WorkbookPartHandler: XMLContentHandler {
    struct RawSheet { let name: String; let sheetID: Int; let relID: String?; let state: String? }
    var sheets: [RawSheet] = []
    var definedNames: [DefinedName] = []
    var is1904 = false
    var sawWorkbook = false
    private var text: TextBuffer
    private var pendingName: (name: String, local: Int?, hidden: Bool)?
    private let part: String

    init(limits: Limits, part: String) {
        self.part = part
        text = TextBuffer(limit: limits.maxStringBytes)
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("workbook") { sawWorkbook = true }
        else if name.is("sheet") {
            sheets.append(RawSheet(name: attributes["name"] ?? "", sheetID: attributes["sheetId"].flatMap { Int($0) } ?? 0,
                                   relID: attributes.relationship("id"), state: attributes["state"]))
        } else if name.is("workbookPr") {
            let v = attributes["date1904"]
            is1904 = v == "1" || v == "true"
        } else if name.is("definedName") {
            text.clear()
            pendingName = (attributes["name"] ?? "", attributes["localSheetId"].flatMap { Int($0) },
                           attributes["hidden"] == "1" || attributes["hidden"] == "true")
        }
    }

    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML, name.is("definedName"), let p = pendingName else { return }
        definedNames.append(DefinedName(name: p.name, formula: text.rawString, localSheet: p.local, isHidden: p.hidden))
        pendingName = nil
    }

    func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if pendingName != nil { try text.append(chunk, part: part) }
    }
}
