/// A new content for one cell: a value, optionally a formula (whose cached result the value is),
/// and optionally a cell format; nil keeps the cell's own.
///
/// A text is always written as text, never as a formula, even when it starts with `=`, `+`, `-`
/// or `@` (SPEC §7): only `formula` makes a formula.
public struct CellEdit: Sendable, Equatable {
    public var value: CellValue
    public var formula: String?
    public var styleIndex: Int?

    /// True for `CellEdit.style(_:)`: only the format changes; the value and formula stay.
    public var keepsContent = false

    public init(value: CellValue, formula: String? = nil, styleIndex: Int? = nil) {
        self.value = value
        self.formula = formula
        self.styleIndex = styleIndex
    }

    /// Gives the cell the format `index` (e.g. from `WorkbookEditor.deriveStyle`), keeping what it holds.
    public static func style(_ index: Int) -> CellEdit {
        var e = CellEdit(value: .empty, styleIndex: index)
        e.keepsContent = true
        return e
    }
}

/// Streams a worksheet through, replacing and inserting the edited cells in place and keeping
/// every other element and attribute — including those it does not understand (`extLst`,
/// `x14ac:*`, `mc:AlternateContent`) — as they were.
final class SheetEditRewriter: XMLRewriter {
    /// row → column → edit
    private var edits: [Int: [Int: CellEdit]]
    /// Edited rows in order, and the first one not yet reached (an index, not removals: a sheet
    /// of 200,000 edited rows would otherwise be quadratic).
    private var pendingRows: [Int]
    private var nextPending = 0
    private var inSheetData = false
    private var rowIndex = 0, lastRow = 0, lastColumn = 0
    private var rowEdits: [(Int, CellEdit)] = []
    private let editedRange: CellRange?
    /// The prefix the sheet uses for SpreadsheetML (`x` in `<x:row>`), so new elements land in it.
    private var prefix = ""

    /// The relationship id of a VML drawing to reference with `<legacyDrawing>` (for new notes).
    private var legacyDrawing: String?
    private var depth = 0
    /// CT_Worksheet's children that come after `legacyDrawing`.
    private static let afterLegacyDrawing: Set<String> = ["legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                                                          "webPublishItems", "tableParts", "extLst"]

    /// Shared-string indexes of the texts being written; a text not in it is written inline.
    private let sharedStrings: [String: Int]

    /// Columns to hide, not yet written into `<cols>`.
    private var toHide: [Int]
    private var sawCols = false

    init(outputPath: String, part: String, edits: [CellReference: CellEdit], legacyDrawing: String? = nil,
         sharedStrings: [String: Int] = [:], hiddenColumns: Set<Int> = []) throws {
        self.legacyDrawing = legacyDrawing
        toHide = hiddenColumns.sorted()
        self.sharedStrings = sharedStrings
        var byRow: [Int: [Int: CellEdit]] = [:]
        for (ref, edit) in edits { byRow[ref.row, default: [:]][ref.column] = edit }
        self.edits = byRow
        pendingRows = byRow.keys.sorted()
        let refs = Array(edits.keys)
        editedRange = refs.isEmpty ? nil : CellRange(
            first: CellReference(row: refs.map(\.row).min()!, column: refs.map(\.column).min()!),
            last: CellReference(row: refs.map(\.row).max()!, column: refs.map(\.column).max()!))
        try super.init(outputPath: outputPath, part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        depth += 1
        if depth == 2 && name.namespace == .spreadsheetML && Self.afterLegacyDrawing.contains(name.localName) { writeLegacyDrawing() }
        guard name.namespace == .spreadsheetML else { return copyStart(name, attributes) }
        if !toHide.isEmpty && depth == 3 && name.is("col") { return try hideColumns(in: attributes) }
        if !toHide.isEmpty && depth == 2 && name.is("cols") {
            sawCols = true
            colsPrefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
        }
        if !toHide.isEmpty && depth == 2 && name.is("sheetData") && !sawCols {
            // No <cols> yet: it comes right before <sheetData> (CT_Worksheet's order).
            colsPrefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
            out.start(colsPrefix + "cols")
            writeHiddenColumns(before: Int.max)
            out.end()
        }
        if inSheetData && name.is("row") {
            let r = attributes.raw("r").flatMap(SheetHandler.integer) ?? lastRow + 1
            writeRows(before: r)
            rowIndex = r
            lastRow = r
            lastColumn = 0
            if nextPending < pendingRows.count && pendingRows[nextPending] == r { nextPending += 1 }
            rowEdits = (edits.removeValue(forKey: r) ?? [:]).sorted { $0.key < $1.key }
            copyStart(name, attributes)
        } else if inSheetData && name.is("c") {
            let column = attributes.raw("r").flatMap { CellReference(utf8: $0)?.column } ?? lastColumn + 1
            lastColumn = column
            writeCells(before: column)
            if let i = rowEdits.firstIndex(where: { $0.0 == column }) {
                let edit = rowEdits.remove(at: i).1
                if edit.keepsContent, let s = edit.styleIndex {
                    copyStart(name, attributes, replacing: ["s": String(s)])
                } else {
                    writeCell(CellReference(row: rowIndex, column: column), edit, keepingStyle: attributes["s"])
                    dropElement()
                    depth -= 1 // its end tag is dropped too and never reaches rewriteEnd
                }
            } else {
                copyStart(name, attributes)
            }
        } else if name.is("sheetData") {
            inSheetData = true
            prefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
            copyStart(name, attributes)
        } else if name.is("dimension"), let ref = attributes["ref"], let edited = editedRange {
            let old = CellRange(ref)
            let merged = old.map {
                CellRange(first: CellReference(row: min($0.first.row, edited.first.row), column: min($0.first.column, edited.first.column)),
                          last: CellReference(row: max($0.last.row, edited.last.row), column: max($0.last.column, edited.last.column)))
            } ?? edited
            copyStart(name, attributes, replacing: ["ref": merged.description])
        } else {
            copyStart(name, attributes)
        }
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if depth == 1 { writeLegacyDrawing() }
        if depth == 2 && name.namespace == .spreadsheetML && name.is("cols") { writeHiddenColumns(before: Int.max) }
        depth -= 1
        if name.namespace == .spreadsheetML && inSheetData {
            if name.is("row") {
                writeCells(before: Int.max)
            } else if name.is("sheetData") {
                writeRows(before: Int.max)
                inSheetData = false
            }
        }
        out.end()
    }

    /// A `<col min max …>`: columns to hide left of it come first; one inside it splits it so
    /// the hidden column keeps the range's width and format.
    private func hideColumns(in attributes: XMLAttributes) throws {
        let lo = attributes["min"].flatMap { Int($0) } ?? 1, hi = attributes["max"].flatMap { Int($0) } ?? lo
        writeHiddenColumns(before: lo)
        let inside = toHide.filter { $0 >= lo && $0 <= hi }
        let all = attributes.all
        func piece(_ a: Int, _ b: Int, hidden: Bool) {
            guard a <= b else { return }
            out.start(colsPrefix + "col")
            for (n, v) in all {
                switch n {
                case "min": out.attribute(n, String(a))
                case "max": out.attribute(n, String(b))
                case "hidden": if !hidden { out.attribute(n, v) }
                default: out.attribute(n, v)
                }
            }
            if hidden { out.attribute("hidden", "1") }
            out.end()
        }
        var from = lo
        for c in inside {
            piece(from, c - 1, hidden: false)
            piece(c, c, hidden: true)
            from = c + 1
        }
        piece(from, hi, hidden: false)
        toHide.removeAll { $0 >= lo && $0 <= hi }
        dropElement()
        depth -= 1 // its end tag is dropped too
    }

    /// The prefix of `<cols>` and its children, as the sheet writes them.
    private var colsPrefix = ""

    private func writeHiddenColumns(before column: Int) {
        while let c = toHide.first, c < column {
            toHide.removeFirst()
            out.element(colsPrefix + "col", [("min", String(c)), ("max", String(c)), ("width", "18"), ("hidden", "1"), ("customWidth", "1")])
        }
    }

    private func writeLegacyDrawing() {
        guard let id = legacyDrawing else { return }
        legacyDrawing = nil
        // The r prefix is declared on the element itself, whatever the sheet calls it.
        out.element(prefix + "legacyDrawing", [("xmlns:r", WorkbookWriter.relNS), ("r:id", id)])
    }

    /// New rows for edits above `row`, in order.
    private func writeRows(before row: Int) {
        while nextPending < pendingRows.count, pendingRows[nextPending] < row {
            let r = pendingRows[nextPending]
            nextPending += 1
            guard let cells = edits.removeValue(forKey: r) else { continue }
            out.start(prefix + "row")
            out.attribute("r", String(r))
            for (column, edit) in cells.sorted(by: { $0.key < $1.key }) {
                writeCell(CellReference(row: r, column: column), edit, keepingStyle: nil)
            }
            out.end()
        }
    }

    /// New cells of the current row left of `column`.
    private func writeCells(before column: Int) {
        while let (c, edit) = rowEdits.first, c < column {
            rowEdits.removeFirst()
            writeCell(CellReference(row: rowIndex, column: c), edit, keepingStyle: nil)
        }
    }

    private func writeCell(_ ref: CellReference, _ edit: CellEdit, keepingStyle: String?) {
        var shared: Int?
        if case .string(let t) = edit.value { shared = sharedStrings[t] }
        CellXML.write(ref, value: edit.value, formula: edit.formula,
                      style: edit.styleIndex.map(String.init) ?? keepingStyle, prefix: prefix, to: out,
                      sharedString: shared.map { i in { _ in i } })
    }

    static func number(_ n: Double) -> String { shortestText(n) }
}

/// One `<c>` element, for the editor and the writer alike (ECMA-376 Part 1, §18.3.1.4).
enum CellXML {
    /// Writes `<c r s t><f/><v/></c>`. Text goes to the shared-string table when `sharedString`
    /// gives an index, else inline; a text is never a formula unless `formula` says so.
    static func write(_ ref: CellReference, value: CellValue, formula: String?, style: String?, prefix: String = "",
                      to out: XMLOut, sharedString: ((String) -> Int)? = nil) {
        out.start(prefix + "c")
        out.attribute("r", ref.description)
        if let style, style != "0" { out.attribute("s", style) }
        var value = value
        // Excel has no NaN or infinity; a number that is not finite is its #NUM! error.
        if let n = value.number, !n.isFinite { value = .error("#NUM!") }
        switch value {
        case .empty:
            if let formula { out.element(prefix + "f", text: formula) }
        case .number(let n):
            if let formula { out.element(prefix + "f", text: formula) }
            out.element(prefix + "v", text: SheetEditRewriter.number(n))
        case .date(let d):
            if let formula { out.element(prefix + "f", text: formula) }
            out.element(prefix + "v", text: SheetEditRewriter.number(d.serial))
        case .bool(let b):
            out.attribute("t", "b")
            if let formula { out.element(prefix + "f", text: formula) }
            out.element(prefix + "v", text: b ? "1" : "0")
        case .error(let e):
            out.attribute("t", "e")
            if let formula { out.element(prefix + "f", text: formula) }
            out.element(prefix + "v", text: e)
        case .string(let s):
            if let formula {
                out.attribute("t", "str")
                out.element(prefix + "f", text: formula)
                out.element(prefix + "v", text: OOXMLText.escape(s))
            } else if let sharedString {
                out.attribute("t", "s")
                out.element(prefix + "v", text: String(sharedString(s)))
            } else {
                out.attribute("t", "inlineStr")
                out.start(prefix + "is")
                out.element(prefix + "t", [("xml:space", "preserve")], text: OOXMLText.escape(s))
                out.end()
            }
        }
        out.end()
    }
}
