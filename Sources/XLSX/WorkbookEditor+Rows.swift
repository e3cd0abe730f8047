extension WorkbookEditor {
    /// Inserts `count` empty rows at `row` of a worksheet; the rows from `row` down move down, and
    /// everything that refers to them moves with them: formulas on every sheet, merged ranges,
    /// validations, conditional formats, hyperlinks, defined names, notes, tables, the
    /// auto-filter and the dimension. With `formatLikeAbove`, the new rows take the height and
    /// the cells' formats of the row above, as Excel's Insert does.
    ///
    /// Rows are counted as the sheet is after the insertions and deletions asked for before;
    /// cell edits and notes already asked for move with their rows.
    ///
    /// With `growRangesAbove`, formulas, validations and conditional formats whose range of two
    /// or more rows ends right above the new rows grow to take them in — rows appended to a list,
    /// so that `SUM(F4:F20)` in a total row below counts them (Excel's Insert would not).
    public func insertRows(at row: Int, count: Int = 1, in sheet: SheetInfo, formatLikeAbove: Bool = true,
                           growRangesAbove: Bool = false) throws {
        let part = try shiftablePart(sheet, row: row, count: count)
        rowShifts[part, default: RowShift()].insert(at: row, count: count, formatted: formatLikeAbove, grows: growRangesAbove)
        moveEdits(in: part) { $0 >= row ? $0 + count : $0 }
    }

    /// Deletes `count` rows from `row` of a worksheet; the rows below move up, and everything that
    /// refers to them moves too. A formula that referred to a deleted cell shows `#REF!`, as in
    /// Excel; merged ranges, validations, conditional formats and hyperlinks on the deleted rows
    /// go with them. Deleting a table's header row is refused (delete the table in Excel first).
    public func deleteRows(at row: Int, count: Int = 1, in sheet: SheetInfo) throws {
        let part = try shiftablePart(sheet, row: row, count: count)
        rowShifts[part, default: RowShift()].delete(at: row, count: count)
        moveEdits(in: part) { $0 < row ? $0 : $0 >= row + count ? $0 - count : nil }
    }

    /// Where a row of a worksheet as it was read ends up after the insertions and deletions so
    /// far; nil when it was deleted.
    public func currentRow(_ row: Int, in sheet: SheetInfo) -> Int? {
        guard let part = sheet.part, let shift = rowShifts[part] else { return row }
        return shift.final(row)
    }

    private func shiftablePart(_ sheet: SheetInfo, row: Int, count: Int) throws -> String {
        guard sheet.kind == .worksheet, let part = sheet.part else {
            throw XLSXError(.noSuchSheet, .notWorksheetRows, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        guard row >= 1, row <= Grid.maxRow, count >= 1, count <= Grid.maxRow else {
            throw XLSXError(.editRefused, .rowsOutsideSheet, ["first": "\(row)", "last": "\(row + count - 1)", "most": "\(Grid.maxRow)"], part: part)
        }
        return part
    }

    /// Moves the cell edits and notes already asked for on `part` with their rows (nil: deleted).
    private func moveEdits(in part: String, _ move: (Int) -> Int?) {
        // Spooled edits join the map (where an edit made later wins) to move with the rest.
        if let spool = spools.removeValue(forKey: part) {
            for (ref, edit) in spool.drain() where cellEdits[part]?[ref] == nil { cellEdits[part, default: [:]][ref] = edit }
        }
        if let edits = cellEdits[part] {
            var moved: [CellReference: CellEdit] = [:]
            moved.reserveCapacity(edits.count)
            for (ref, edit) in edits {
                if let r = move(ref.row) { moved[CellReference(row: r, column: ref.column)] = edit }
            }
            cellEdits[part] = moved
        }
        if let notes = notesToAdd[part] {
            notesToAdd[part] = notes.compactMap { n in
                move(n.ref.row).map { PendingNote(ref: CellReference(row: $0, column: n.ref.column), text: n.text, author: n.author) }
            }
        }
    }

    /// Every sheet whose rows moved, by lower-cased name (how formulas name them).
    var movedSheets: [String: RowShift] {
        var out: [String: RowShift] = [:]
        for s in workbook.sheets { if let p = s.part, let shift = rowShifts[p], !shift.isIdentity { out[s.name.lowercased()] = shift } }
        return out
    }

    /// The parts that hold row references outside the sheets: tables, defined names in
    /// workbook.xml, and the calculation settings (a deletion changes results: recalculate on load).
    /// A table is also grown to a column asked for by `extendFilter`.
    func applyRowShiftsOutsideSheets() throws {
        let moved = movedSheets
        for sheet in workbook.sheets {
            guard let part = sheet.part else { continue }
            let shift = rowShifts[part].flatMap { $0.isIdentity ? nil : $0 }
            let reach = columnReach[part]
            guard shift != nil || reach != nil else { continue }
            for rel in try Workbook.relationships(of: part, in: workbook.archive) where rel.kind == "table" {
                guard let name = rel.partName, let entry = workbook.archive.entry(named: name) else { continue }
                let file = try scratchFile(entry.name)
                let rewriter = try TableRewriter(outputPath: file, part: entry.name, shift: shift, reach: reach, sheet: sheet.name)
                try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
                try rewriter.finish()
                if rewriter.changed { setPart(entry.name, file: file) }
            }
        }
        guard !moved.isEmpty else { return }
        try moveDrawingsAndCharts(moved)
        if !workbook.definedNames.isEmpty {
            patch(workbook.workbookPart) {
                $0.texts["definedName"] = { ReferenceShifter.shift($0, home: nil, sheet: { moved[$0.lowercased()] }) }
            }
        }
        patch(workbook.workbookPart) { $0.attributes["calcPr"] = ["fullCalcOnLoad": "1"] }
    }
}

extension WorkbookEditor {
    /// Charts and pictures follow their rows: a drawing's anchors on a sheet whose rows moved move
    /// with them (an anchor on a deleted row goes to the first row below that stays, as in Excel),
    /// and every chart's series references (`c:f`: titles, categories, values) into a moved sheet
    /// move as formulas do — the team's own charts, on any sheet. A chart's cached points are left
    /// as they were: the workbook is marked to recalculate on load, and Excel and LibreOffice draw
    /// charts from the cells.
    func moveDrawingsAndCharts(_ moved: [String: RowShift]) throws {
        for sheet in workbook.sheets {
            guard let part = sheet.part, let shift = rowShifts[part], !shift.isIdentity else { continue }
            for rel in try Workbook.relationships(of: part, in: workbook.archive) where rel.kind == "drawing" {
                guard let name = rel.partName, workbook.archive.entry(named: name) != nil else { continue }
                patch(name) {
                    $0.texts["row"] = { text in
                        guard let zeroBased = Int(text.filter { $0 != " " && $0 != "\n" && $0 != "\t" && $0 != "\r" }), zeroBased >= 0, zeroBased < Grid.maxRow else { return text }
                        let row = zeroBased + 1
                        if let to = shift.final(row) { return String(to - 1) }
                        return shift.final(row, Grid.maxRow).map { String($0.0 - 1) } ?? text
                    }
                }
            }
        }
        // Charts name their sheets in every reference; only those naming a moved sheet are rewritten.
        let names = moved.keys.map { Array($0.utf8) }
        for entry in workbook.archive.entries where entry.name.hasPrefix("xl/charts/") && entry.name.hasSuffix(".xml") && !entry.name.contains("/_rels/") {
            // A chart part is a few kilobytes; one past 16 MB is not a chart Excel wrote, and is left.
            guard entry.declaredSize <= 16 << 20 else { continue }
            let bytes = try workbook.archive.data(entry).map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 32 : $0 }
            guard names.contains(where: { bytes.firstRange(of: $0) != nil }) else { continue }
            patch(entry.name) {
                $0.texts["f"] = { ReferenceShifter.shift($0, home: nil, sheet: { moved[$0.lowercased()] }) }
            }
        }
    }
}

/// A column a sheet's autofilter or table is to take in when it ends just left of it (see `extendFilter`).
struct ColumnReach {
    var column: Int
    var header: String
    var headerRow: Int
}

/// Moves a table's range (and its auto-filter's and sort's) with the rows of its sheet, and grows
/// a table whose header row is the reach's by the column just right of it: the range, its filter
/// and sort, and a `tableColumn` named as the column's header cell.
final class TableRewriter: XMLRewriter {
    private let shift: RowShift?
    private let reach: ColumnReach?
    private let sheet: String
    private(set) var changed = false
    /// The table's last column before growing, while it grows.
    private var growsFrom: Int?
    private var columnIDs: [Int] = []

    init(outputPath: String, part: String, shift: RowShift?, reach: ColumnReach?, sheet: String) throws {
        self.shift = shift
        self.reach = reach
        self.sheet = sheet
        try super.init(output: .file(outputPath), part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return copyStart(name, attributes) }
        if name.is("tableColumns"), growsFrom != nil {
            return copyStart(name, attributes, replacing: ["count": String((Int(attributes["count"] ?? "") ?? columnIDs.count) + 1)])
        }
        if name.is("tableColumn"), growsFrom != nil, let id = attributes["id"].flatMap({ Int($0) }) { columnIDs.append(id) }
        guard let ref = attributes["ref"], let range = CellRange(ref) else { return copyStart(name, attributes) }
        if name.is("table"), let reach, reach.column == range.last.column + 1, range.first.row == reach.headerRow,
           attributes["headerRowCount"] != "0", reach.column <= Grid.maxColumn {
            growsFrom = range.last.column
        }
        var moved = range
        if let shift {
            if name.is("table"), shift.final(range.first.row) == nil {
                let table = attributes["displayName"] ?? attributes["name"] ?? ""
                throw XLSXError(.editRefused, .tableHeaderRow, ["row": "\(range.first.row)", "sheet": "\(sheet)", "table": "\(table)"], part: part)
            }
            // Rows appended right below a table join it, as they do when typed there in Excel.
            if let (a, b) = shift.final(range.first.row, range.last.row, growing: true) {
                moved.first.row = a
                moved.last.row = b
                // A table keeps at least one row below its header, as Excel keeps it.
                if name.is("table"), moved.first.row == moved.last.row, attributes["headerRowCount"] != "0", moved.last.row < Grid.maxRow {
                    moved.last.row += 1
                }
            }
        }
        if let from = growsFrom, let reach, moved.last.column == from { moved.last.column = reach.column }
        guard moved != range else { return copyStart(name, attributes) }
        changed = true
        copyStart(name, attributes, replacing: ["ref": moved.description])
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if name.namespace == .spreadsheetML, name.is("tableColumns"), growsFrom != nil, let reach {
            let prefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
            out.start(prefix + "tableColumn")
            out.attribute("id", String((columnIDs.max() ?? 0) + 1))
            out.attribute("name", reach.header)
            out.end()
            changed = true
        }
        closeElement()
    }
}
