/// Edits made row by row while a sheet is rewritten, not before: `recalc` computes each row's
/// derived cells from rows it reads as the editor streams the same sheet through, so the sheet
/// is read and rewritten in one overlapping pass and no edit is stored. Rows are the sheet's own
/// (a source cannot be combined with rows inserted or deleted in that sheet).
public protocol RowEditSource: AnyObject {
    /// The first row at or after those already taken that has edits; nil when none is left.
    func nextRow() throws -> Int?
    /// The edits of `row` (the row `nextRow()` gave), in column order.
    func take(row: Int) throws -> [(column: Int, edit: CellEdit)]
    /// The columns its edits fall in, for the sheet's dimension; nil when unknown.
    var columns: ClosedRange<Int>? { get }
    /// The last row it will give edits, when known before the sheet is written (a small sheet
    /// read at once): where its formulas filled down are shared to. Unknown, they reach the
    /// sheet's dimension.
    var lastRow: Int? { get }
    /// How many edits it has given so far: a sheet given none is kept as it was.
    var given: Int { get }
    /// Stops it (called once the sheet is written, or given up).
    func close()
}

extension WorkbookEditor {
    /// Edits `sheet` with what `make()` gives, row by row as the sheet is rewritten at `save`.
    /// `make` is called for every attempt at the sheet (a second one when raw copy is given up),
    /// so each starts from the first row; the last source made is the one whose edits were saved.
    /// A sheet the source gives no edit is saved as it was, byte for byte. Edits from `setCell`
    /// for the same cell win over the source's.
    public func streamEdits(in sheet: SheetInfo, from make: @escaping () throws -> RowEditSource) throws {
        guard sheet.kind == .worksheet, let part = sheet.part else {
            throw XLSXError(.noSuchSheet, .notWorksheetCells, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        streams[part] = make
    }
}
