import Foundation
import Testing
@testable import XLSX

/// Edits made while the sheet is rewritten (`RowEditSource`, how `recalc` writes its derived
/// columns) and the rows pulled for them (`SheetStream`): the same rows as `readSheet`, the edits
/// written where they belong, formulas filled down as shared groups reaching the dimension's last
/// row, a sheet given no edit left byte for byte, `setCell` winning over the source.
@Suite struct RowEditSourceTests {
    /// Gives prepared edits row by row, as a source computing them would.
    final class ListSource: RowEditSource {
        let rows: [(row: Int, edits: [(column: Int, edit: CellEdit)])]
        var at = 0
        private(set) var given = 0
        private(set) var closed = false
        let columns: ClosedRange<Int>?
        var lastRow: Int?

        init(_ rows: [(row: Int, edits: [(column: Int, edit: CellEdit)])], columns: ClosedRange<Int>? = nil) {
            self.rows = rows
            self.columns = columns
        }

        func nextRow() throws -> Int? { at < rows.count ? rows[at].row : nil }

        func take(row: Int) throws -> [(column: Int, edit: CellEdit)] {
            guard at < rows.count, rows[at].row == row else { return [] }
            defer { at += 1 }
            given += rows[at].edits.count
            return rows[at].edits
        }

        func close() { closed = true }
    }

    /// Column G of every third row from 3: `B{r}*3` filled down, with its value.
    static func tripled(rows: Int) -> [(row: Int, edits: [(column: Int, edit: CellEdit)])] {
        stride(from: 3, through: rows, by: 3).map { r in
            (r, [(7, CellEdit(value: .number(Double(r) / 7 * 3), formula: "B\(r)*3", fillDown: "tripled"))])
        }
    }

    static func describe(_ row: Row) -> String { PipelinedReaderTests.describe(row) }

    // MARK: SheetStream

    @Test(arguments: [50, 12_000])
    func aStreamGivesWhatReadSheetGives(rows: Int) throws {
        let path = try PipelinedReaderTests.package(rows: rows)
        defer { unlink(path) }
        let book = try Workbook(path: path)
        let sheet = try #require(book.sheets.first)
        var expected: [String] = []
        try book.readSheet(sheet) { row in if row.index % 7 != 0 { expected.append(Self.describe(row)) } }
        let stream = try SheetStream(book, sheet: sheet, batchSize: 100) { row in row.index % 7 == 0 ? nil : Self.describe(row) }
        var got: [String] = []
        while let item = try stream.next() { got.append(item) }
        #expect(got.count == expected.count && got == expected)
        #expect(try stream.next() == nil)
    }

    @Test func aDamagedSheetThrowsAfterTheSameRowsAndAClosedStreamLetsGo() throws {
        let path = try PipelinedReaderTests.package(rows: 12_000, damageAt: 9_000)
        defer { unlink(path) }
        let book = try Workbook(path: path)
        let sheet = try #require(book.sheets.first)
        var plain = 0, plainError = ""
        do { try book.readSheet(sheet) { _ in plain += 1 } } catch { plainError = "\(error)" }
        let stream = try SheetStream(book, sheet: sheet) { $0.index }
        var streamed = 0, streamError = ""
        do { while try stream.next() != nil { streamed += 1 } } catch { streamError = "\(error)" }
        #expect(!plainError.isEmpty && streamError == plainError)
        #expect(plain > 0 && streamed == plain)
        // Closed after a few rows: the thread stops (no hang) and the workbook reads on.
        let early = try SheetStream(book, sheet: sheet, batchSize: 16) { $0.index }
        #expect(try early.next() == 1)
        early.close()
        var again = 0
        do { try book.readSheetPipelined(sheet) { _ in again += 1 } } catch {}
        #expect(again == plain)
    }

    // MARK: edits from a source

    /// Saves the package with `source`'s edits (and `then` on the editor), and reads every cell back.
    static func save(_ path: String, rawCopy: Bool = true, _ make: @escaping () -> RowEditSource,
                     then: (WorkbookEditor, SheetInfo) throws -> Void = { _, _ in }) throws -> (out: String, cells: [CellReference: Cell]) {
        let editor = try WorkbookEditor(path: path)
        editor.rawCopy = rawCopy
        let sheet = try #require(editor.workbook.sheets.first)
        try editor.streamEdits(in: sheet) { make() }
        try then(editor, sheet)
        let out = RawCopyTests.temporary("source")
        try editor.save(to: out)
        var cells: [CellReference: Cell] = [:]
        let book = try Workbook(path: out)
        try book.readSheet(try #require(book.sheets.first)) { row in
            for c in row.cells { cells[CellReference(row: row.index, column: c.column)] = c }
        }
        return (out, cells)
    }

    @Test(arguments: [true, false])
    func editsAreWrittenAndFilledDownToTheDimension(rawCopy: Bool) throws {
        let rows = 12_000
        let path = try PipelinedReaderTests.package(rows: rows, dimension: "A1:F\(rows)")
        defer { unlink(path) }
        let before = try Workbook(path: path)
        var original: [CellReference: Cell] = [:]
        try before.readSheet(try #require(before.sheets.first)) { row in
            for c in row.cells { original[CellReference(row: row.index, column: c.column)] = c }
        }
        var made: [ListSource] = []
        let (out, cells) = try Self.save(path, rawCopy: rawCopy, {
            let s = ListSource(Self.tripled(rows: rows), columns: 7...7)
            made.append(s)
            return s
        })
        defer { unlink(out) }
        #expect(made.count == 1 && made[0].given == rows / 3 && made[0].closed)
        for r in 1...rows {
            let g = cells[CellReference(row: r, column: 7)]
            if r >= 3 && r % 3 == 0 {
                #expect(g?.formula == "B\(r)*3" && g?.value == .number(Double(r) / 7 * 3), "G\(r)")
            } else {
                #expect(g == nil, "G\(r) was not edited")
            }
        }
        // Nothing else changed.
        #expect(cells.filter { $0.key.column != 7 }.count == original.count)
        for (ref, c) in original { #expect(cells[ref] == c, "\(ref)") }
        // One shared group from the first edit to the dimension's last row, text once.
        let xml = String(decoding: try RawCopyTests.part(out, "xl/worksheets/sheet1.xml"), as: UTF8.self)
        #expect(xml.contains("<f t=\"shared\" ref=\"G3:G\(rows)\" si=\"0\">B3*3</f>"))
        #expect(xml.components(separatedBy: "<f t=\"shared\" si=\"0\"/>").count - 1 == rows / 3 - 1)
        #expect(xml.contains("<dimension ref=\"A1:G\(rows)\"/>"))
    }

    @Test func belowAnUndercountingDimensionFormulasAreWrittenAlone() throws {
        let rows = 3_000
        let path = try PipelinedReaderTests.package(rows: rows, dimension: "A1:F100")
        defer { unlink(path) }
        let (out, cells) = try Self.save(path) { ListSource(Self.tripled(rows: rows), columns: 7...7) }
        defer { unlink(out) }
        for r in stride(from: 3, through: rows, by: 3) {
            #expect(cells[CellReference(row: r, column: 7)]?.formula == "B\(r)*3", "G\(r)")
        }
        let xml = String(decoding: try RawCopyTests.part(out, "xl/worksheets/sheet1.xml"), as: UTF8.self)
        #expect(xml.contains("<f t=\"shared\" ref=\"G3:G100\" si=\"0\">B3*3</f>"))
        #expect(xml.contains("<f>B102*3</f>") && xml.contains("<f>B\(rows)*3</f>"))
    }

    @Test func withoutADimensionEachFormulaIsWrittenAloneUnlessTheLastRowIsKnown() throws {
        let path = try PipelinedReaderTests.package(rows: 300)
        defer { unlink(path) }
        let (out, cells) = try Self.save(path) { ListSource(Self.tripled(rows: 300)) }
        defer { unlink(out) }
        #expect(cells[CellReference(row: 300, column: 7)]?.formula == "B300*3")
        let xml = String(decoding: try RawCopyTests.part(out, "xl/worksheets/sheet1.xml"), as: UTF8.self)
        #expect(!xml.contains("t=\"shared\"") && xml.contains("<f>B3*3</f>"))
        // A source that knows its last row shares to it, dimension or not.
        let (known, again) = try Self.save(path) {
            let s = ListSource(Self.tripled(rows: 300))
            s.lastRow = 300
            return s
        }
        defer { unlink(known) }
        #expect(again == cells)
        let shared = String(decoding: try RawCopyTests.part(known, "xl/worksheets/sheet1.xml"), as: UTF8.self)
        #expect(shared.contains("<f t=\"shared\" ref=\"G3:G300\" si=\"0\">B3*3</f>"))
    }

    @Test func aSheetGivenNoEditIsKeptByteForByte() throws {
        let path = try PipelinedReaderTests.package(rows: 12_000, dimension: "A1:F12000")
        defer { unlink(path) }
        let source = ListSource([])
        let (out, _) = try Self.save(path) { source }
        defer { unlink(out) }
        #expect(source.closed && source.given == 0)
        #expect(try RawCopyTests.part(out, "xl/worksheets/sheet1.xml") == RawCopyTests.part(path, "xl/worksheets/sheet1.xml"))
        // Compressed bytes too: the entry was copied, not rewritten.
        let a = try ZipArchive(path: path), b = try ZipArchive(path: out)
        #expect(try #require(a.entry(named: "xl/worksheets/sheet1.xml")).compressedSize == #require(b.entry(named: "xl/worksheets/sheet1.xml")).compressedSize)
    }

    @Test func setCellWinsOverTheSourceAndRowsCannotMoveUnderIt() throws {
        let path = try PipelinedReaderTests.package(rows: 30, dimension: "A1:F30")
        defer { unlink(path) }
        let (out, cells) = try Self.save(path, { ListSource(Self.tripled(rows: 30)) }) { editor, sheet in
            try editor.setCell(CellReference(row: 6, column: 7), in: sheet, to: CellEdit(value: .string("mine")))
            try editor.setCell(CellReference(row: 7, column: 7), in: sheet, to: CellEdit(value: .number(70)))
        }
        defer { unlink(out) }
        #expect(cells[CellReference(row: 6, column: 7)]?.value == .string("mine"))
        #expect(cells[CellReference(row: 6, column: 7)]?.formula == nil)
        #expect(cells[CellReference(row: 7, column: 7)]?.value == .number(70))
        #expect(cells[CellReference(row: 9, column: 7)]?.formula == "B9*3")

        let editor = try WorkbookEditor(path: path)
        let sheet = try #require(editor.workbook.sheets.first)
        try editor.streamEdits(in: sheet) { ListSource(Self.tripled(rows: 30)) }
        try editor.insertRows(at: 5, in: sheet)
        let refused = RawCopyTests.temporary("refused")
        #expect(throws: XLSXError.self) { try editor.save(to: refused) }
        #expect(!FileManager.default.fileExists(atPath: refused))
    }
}
