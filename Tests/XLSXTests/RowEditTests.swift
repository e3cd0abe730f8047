import Foundation
import Testing
@testable import XLSX

@Suite struct RowShiftTests {
    @Test func insertionsAndDeletionsCompose() {
        var s = RowShift()
        #expect(s.isIdentity)
        s.insert(at: 5, count: 2, formatted: true) // old 5… → 7…
        #expect(s.final(4) == 4 && s.final(5) == 7 && s.final(100) == 102)
        s.delete(at: 10, count: 1)             // row 10 now is old 8
        #expect(s.final(8) == nil && s.final(7) == 9 && s.final(9) == 10)
        s.delete(at: 6, count: 2)              // the second new row and old 5
        #expect(s.final(5) == nil && s.final(6) == 6 && s.insertedRows.map(\.row) == [5])
        s.insert(at: 1, count: 1, formatted: false)
        #expect(s.final(1) == 2 && s.insertedRows.map(\.row) == [1, 6] && s.insertedRows.map(\.formatted) == [false, true])
        #expect(!s.isIdentity)
    }

    @Test func rangesGrowAndShrinkAsInExcel() {
        var s = RowShift()
        s.insert(at: 5, count: 1)
        #expect(s.final(3, 10)! == (3, 11))    // inserted inside: grows
        #expect(s.final(5, 10)! == (6, 11))    // at its first row: moves
        #expect(s.final(2, 4)! == (2, 4))      // below it: stays
        var d = RowShift()
        d.delete(at: 4, count: 3)              // rows 4–6
        #expect(d.final(2, 10)! == (2, 7))
        #expect(d.final(4, 8)! == (4, 5))      // first rows deleted: starts at the next one
        #expect(d.final(1, 5)! == (1, 3))      // last rows deleted: ends above them
        #expect(d.final(4, 6) == nil)
        #expect(d.final(sqref: "A4:A6 C2:C9 E5") == "C2:C6")
    }

    @Test func rowsAppendedToAListGrowTheRangesEndingAboveThem() {
        var s = RowShift()
        s.insert(at: 10, count: 3, grows: true) // below the data in rows 4–9, above a total in row 10
        #expect(ReferenceShifter.shift("SUM(F4:F9)+F9+SUM(F9:F9)", home: s, sheet: { _ in nil }) == "SUM(F4:F12)+F9+SUM(F9:F9)")
        #expect(s.final(sqref: "B4:B9 C2:C5") == "B4:B12 C2:C5")
        #expect(s.final(CellRange("A4:A9")!) == CellRange("A4:A9")!) // merges and tables do not grow
        var excel = RowShift()
        excel.insert(at: 10, count: 3)
        #expect(ReferenceShifter.shift("SUM(F4:F9)", home: excel, sheet: { _ in nil }) == "SUM(F4:F9)")
    }

    @Test func formulasFollowTheirRows() {
        var s = RowShift()
        s.insert(at: 5, count: 2)
        let moved = ["数据": s, "sum sheet": s]
        func home(_ f: String) -> String { ReferenceShifter.shift(f, home: s, sheet: { moved[$0.lowercased()] }) }
        func away(_ f: String) -> String { ReferenceShifter.shift(f, home: nil, sheet: { moved[$0.lowercased()] }) }
        #expect(home("A10*$B$4+C$5") == "A12*$B$4+C$7")
        #expect(home("SUM(A2:A10)") == "SUM(A2:A12)")
        #expect(home("SUM($5:$6,A:A)") == "SUM($7:$8,A:A)")
        #expect(home("\"A10\"&LOG10(A10)") == "\"A10\"&LOG10(A12)")
        #expect(home("Other!A10+A10") == "Other!A10+A12")
        #expect(home("[1]数据!A10+Table1[[#This Row],[A10]]") == "[1]数据!A10+Table1[[#This Row],[A10]]")
        #expect(away("数据!D10+'Sum Sheet'!A9:B9+A10") == "数据!D12+'Sum Sheet'!A11:B11+A10")
        #expect(away("SUM(Sheet1:数据!A10)") == "SUM(Sheet1:数据!A10)")
        // Found by the values fuzz target: references whose rows stay are copied as written.
        #expect(home("a1+tio1+$3:$1+A02*a10") == "a1+tio1+$3:$1+A02*A12")
        #expect(ReferenceShifter.shift("sum(b2:b4)+$9:$2", home: RowShift(), sheet: { _ in nil }) == "sum(b2:b4)+$9:$2")
        var d = RowShift()
        d.delete(at: 5, count: 1)
        #expect(ReferenceShifter.shift("A5+A6+SUM(A1:A5)+SUM(A5:A5)", home: d, sheet: { _ in nil }) == "#REF!+A5+SUM(A1:A4)+SUM(#REF!)")
    }
}

/// Inserting and deleting rows in an existing workbook moves everything that refers to rows.
@Suite struct RowEditTests {
    static let items: [(String, Double, Double)] = [("笔记本", 12, 3), ("钢笔", 5, 10), ("台灯", 80, 1), ("书包", 60, 2),
                                                      ("水杯", 15, 4), ("雨伞", 35, 1), ("耳机", 120, 1), ("鼠标", 40, 2)]

    /// A workbook of eight priced rows (D = B*C), a total row, a merged note, a drop-down, a
    /// highlight, a link, a note, a defined name, and a second sheet that refers to the first.
    static func seed(_ path: String) throws {
        let book = try WorkbookWriter(path: path)
        let data = try book.addSheet("数据")
        try data.writeRow(["名称", "单价", "数量", "金额"].map { WriteCell(.string($0)) })
        for (i, it) in items.enumerated() {
            let r = i + 2
            try data.writeRow([WriteCell(.string(it.0)), WriteCell(.number(it.1)), WriteCell(.number(it.2)),
                               WriteCell(.number(it.1 * it.2), formula: "B\(r)*C\(r)", style: CellStyle(numberFormat: "0.00"))],
                              height: 20)
        }
        let qty = items.map(\.2).reduce(0, +), sum = items.map { $0.1 * $0.2 }.reduce(0, +)
        try data.writeRow([WriteCell(.string("合计")), WriteCell(.empty), WriteCell(.number(qty), formula: "SUM(C2:C9)"),
                           WriteCell(.number(sum), formula: "SUM(D2:D9)")])
        try data.writeRow(12, [WriteCell(.string("备注:金额 = 单价 × 数量"))])
        data.merge(CellRange("A12:D12")!)
        data.addListValidation([CellRange("C2:C9")!], items: ["1", "2", "3", "4", "10"])
        data.addHighlight([CellRange("D2:D9")!], when: .expression("$D2>100"), style: HighlightStyle(fill: "FFC7CE"))
        data.addHyperlink(CellReference("A3")!, url: "https://example.com/钢笔")
        data.addNote(CellReference("B4")!, text: "台灯单价待确认")
        data.addNote(CellReference("B6")!, text: "水杯会被删除")
        let other = try book.addSheet("Sum Sheet")
        try other.writeRow([WriteCell(.number(sum), formula: "数据!D10")])
        try other.writeRow([WriteCell(.number(sum), formula: "SUM('数据'!D2:D9)")])
        try other.writeRow([WriteCell(.number(sum), formula: "SUM(金额列)")])
        try other.writeRow([WriteCell(.number(items[6].1), formula: "数据!B8")])
        book.defineName("金额列", formula: "数据!$D$2:$D$9")
        try book.close()
    }

    @Test func insertedAndDeletedRowsMoveEverythingThatRefersToThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = "\(dir)/seed.xlsx", out = "\(dir)/rows-moved.xlsx"
        try Self.seed(seed)

        let editor = try WorkbookEditor(path: seed)
        let data = editor.workbook.sheet(named: "数据")!
        // Two new rows above 水杯 (row 6, as Excel's Insert: formats of the row above), then 耳机 (old
        // row 8, now 10) deleted, then the new rows filled in, with their formulas.
        try editor.insertRows(at: 6, count: 2, in: data)
        try editor.deleteRows(at: 10, count: 1, in: data)
        #expect(editor.currentRow(8, in: data) == nil && editor.currentRow(9, in: data) == 10 && editor.currentRow(10, in: data) == 11)
        let added: [(String, Double, Double)] = [("剪刀", 9, 5), ("胶水", 4, 6)]
        for (i, it) in added.enumerated() {
            let r = 6 + i
            try editor.setCell(CellReference(row: r, column: 1), in: data, to: CellEdit(value: .string(it.0)))
            try editor.setCell(CellReference(row: r, column: 2), in: data, to: CellEdit(value: .number(it.1)))
            try editor.setCell(CellReference(row: r, column: 3), in: data, to: CellEdit(value: .number(it.2)))
            try editor.setCell(CellReference(row: r, column: 4), in: data, to: CellEdit(value: .number(it.1 * it.2), formula: "B\(r)*C\(r)"))
        }
        try editor.save(to: out)

        // What the sheet now holds, in order: the rows with their items and totals.
        var rows = Self.items
        rows.remove(at: 6)                      // 耳机
        rows.insert(contentsOf: added, at: 4)   // above 水杯
        let book = try Workbook(path: out)
        var cells: [CellReference: Cell] = [:]
        var heights: [Int: Double] = [:]
        let meta = try book.readSheet(book.sheet(named: "数据")!) { row in
            for c in row.cells { cells[CellReference(row: row.index, column: c.column)] = c }
            heights[row.index] = row.height
        }
        for (i, it) in rows.enumerated() {
            let r = i + 2
            #expect(cells[CellReference(row: r, column: 1)]?.value == .string(it.0), "row \(r)")
            #expect(cells[CellReference(row: r, column: 4)]?.formula == "B\(r)*C\(r)", "row \(r): its formula follows it")
        }
        #expect(cells[CellReference("A11")!]?.value == .string("合计"))
        #expect(cells[CellReference("C11")!]?.formula == "SUM(C2:C10)" && cells[CellReference("D11")!]?.formula == "SUM(D2:D10)")
        #expect(cells[CellReference("A13")!]?.value == .string("备注:金额 = 单价 × 数量"))
        // The new rows took the row above's height and formats (D's number format).
        #expect(heights[6] == 20 && heights[7] == 20)
        #expect(cells[CellReference("D6")!]?.styleIndex == cells[CellReference("D5")!]?.styleIndex)
        #expect(meta.mergedRanges == [CellRange("A13:D13")!])
        #expect(meta.dataValidations.map(\.ranges) == [[CellRange("C2:C10")!]])
        #expect(meta.hyperlinks.map(\.range) == [CellRange("A3")!])
        #expect(meta.usedRange?.last.row == 13)
        #expect(try book.comments(of: book.sheet(named: "数据")!).map(\.cell).sorted() == [CellReference("B4")!, CellReference("B8")!])
        #expect(book.definedNames.first { $0.name == "金额列" }?.formula == "数据!$D$2:$D$10")
        var other: [String] = []
        try book.readSheet(book.sheet(named: "Sum Sheet")!) { row in other.append(row.cells.first?.formula ?? "") }
        #expect(other == ["数据!D11", "SUM('数据'!D2:D10)", "SUM(金额列)", "数据!#REF!"]) // as Excel writes it
        let entries = try RoundTripTests.entries(out).map(\.0)
        #expect(!entries.contains { $0.contains("calcChain") })

        // LibreOffice recalculates every formula (check_features.py) and must find these values.
        let amount = rows.map { $0.1 * $0.2 }.reduce(0, +)
        var expected: [String: [String: Double]] = ["数据": ["C11": rows.map(\.2).reduce(0, +), "D11": amount], "Sum Sheet": ["A1": amount, "A2": amount, "A3": amount]]
        for (i, it) in rows.enumerated() { expected["数据"]!["D\(i + 2)"] = it.1 * it.2 }
        if let interop = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"] {
            try FileManager.default.copyItem(atPath: out, toPath: "\(interop)/rows-moved.xlsx")
            try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: "\(interop)/rows-moved.json"))
        }
    }

    @Test func tablesShrinkWithTheirRowsAndTheirHeaderRowCannotBeDeleted() throws {
        try #require(Corpus.exists)
        let source = Corpus.path("excel-made/table01.xlsx") // Table1 at C3:F13
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("table-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let refused = try WorkbookEditor(path: source)
        try refused.deleteRows(at: 3, count: 1, in: refused.workbook.sheets[0])
        #expect {
            try refused.save(to: out)
        } throws: { error in
            (error as? XLSXError)?.message() == "Cannot delete row 3 of \"Sheet1\": it is the header row of the table Table1 (delete the table in Excel first) (part xl/tables/table1.xml)"
        }
        #expect(!FileManager.default.fileExists(atPath: out))

        let editor = try WorkbookEditor(path: source)
        try editor.deleteRows(at: 5, count: 2, in: editor.workbook.sheets[0])
        try editor.save(to: out)
        let table = String(decoding: try #require(RoundTripTests.entries(out).first { $0.0 == "xl/tables/table1.xml" }).1, as: UTF8.self)
        #expect(table.contains("displayName=\"Table1\" ref=\"C3:F11\"") && table.contains("<autoFilter ref=\"C3:F11\"/>"), "\(table)")
    }

    /// Every readable corpus workbook: two rows inserted at row 3 of its first sheet and the row
    /// that was row 6 deleted. Every other cell reads back with its value in its new row, its
    /// formula moved as Excel moves it, and merges, validations, links and notes moved with their
    /// rows; other sheets keep their values. The results go to check_opens.py (LibreOffice, openpyxl).
    @Test(arguments: ["excel-made", "calamine", "excelize"])
    func everyCorpusWorkbookTakesInsertedAndDeletedRows(folder: String) throws {
        try #require(Corpus.exists)
        let interop = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"]
        var pairs = ""
        var out = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString).xlsx").path
        defer { if interop == nil { try? FileManager.default.removeItem(atPath: out) } }
        var edited = 0, movedFormulas = 0
        for file in try RoundTripTests.readableCorpus(folder) {
            let source = Corpus.path(file)
            if let interop { out = "\(interop)/rows__\(file.replacingOccurrences(of: "/", with: "__"))" }
            let editor = try WorkbookEditor(path: source)
            guard let sheet = editor.workbook.sheets.first(where: { $0.kind == .worksheet && $0.part != nil }) else { continue }
            var shift = RowShift()
            shift.insert(at: 3, count: 2, formatted: true)
            shift.delete(at: 8, count: 1)
            try editor.insertRows(at: 3, count: 2, in: sheet)
            try editor.deleteRows(at: 8, count: 1, in: sheet)
            do {
                try editor.save(to: out)
            } catch let e as XLSXError where e.code == .editRefused {
                // A table's header row in row 6: refused, as Excel refuses it.
                #expect(e.english.contains("header row of the table"), "\(file): \(e)")
                continue
            }
            if interop != nil { pairs += "\(source)\t\(out)\n" }
            let moved = [sheet.name.lowercased(): shift]
            let before = try Workbook(path: source), after = try Workbook(path: out)
            for s in before.sheets where s.kind == .worksheet && s.part != nil {
                let isHome = s.name == sheet.name
                var old: [CellReference: Cell] = [:], new: [CellReference: Cell] = [:]
                let oldMeta = try before.readSheet(s) { row in for c in row.cells { old[CellReference(row: row.index, column: c.column)] = c } }
                let newMeta = try after.readSheet(after.sheet(named: s.name)!) { row in
                    for c in row.cells { new[CellReference(row: row.index, column: c.column)] = c }
                }
                var wanted: [CellReference: Cell] = [:]
                for (ref, c) in old {
                    guard let r = isHome ? shift.final(ref.row) : ref.row else { continue }
                    var c = c
                    if let f = c.formula {
                        c.formula = ReferenceShifter.shift(f, home: isHome ? shift : nil, sheet: { moved[$0.lowercased()] })
                        if c.formula != f { movedFormulas += 1 }
                    }
                    wanted[CellReference(row: r, column: ref.column)] = c
                }
                // New rows hold only formatted empty cells.
                let extra = new.filter { wanted[$0.key] == nil }
                #expect(extra.allSatisfy { [3, 4].contains($0.key.row) && isHome && $0.value.value.isEmpty && $0.value.formula == nil },
                        "\(file) \(s.name): unexpected cells \(extra.keys.sorted().prefix(3))")
                let differing = wanted.filter { want in new[want.key].map { $0.value != want.value.value || $0.formula != want.value.formula } ?? true }
                #expect(differing.isEmpty, "\(file) \(s.name): \(differing.count) cells differ, e.g. \(differing.keys.sorted().prefix(3).map { "\($0): \(String(describing: wanted[$0]!)) → \(String(describing: new[$0]))" })")
                guard isHome else { continue }
                let merges = oldMeta.mergedRanges.compactMap { shift.final($0) }.filter { $0.first != $0.last }
                #expect(newMeta.mergedRanges == merges, "\(file): merges")
                #expect(newMeta.dataValidations.map(\.ranges) == oldMeta.dataValidations.compactMap {
                    let r = $0.ranges.compactMap { shift.final($0) }
                    return r.isEmpty ? nil : r
                }, "\(file): validations")
                #expect(newMeta.hyperlinks.map(\.range) == oldMeta.hyperlinks.compactMap { shift.final($0.range) }, "\(file): links")
                let notes = try before.comments(of: s).compactMap { n in shift.final(n.cell.row).map { CellReference(row: $0, column: n.cell.column) } }
                #expect(try after.comments(of: after.sheet(named: s.name)!).map(\.cell) == notes, "\(file): notes")
            }
            edited += 1
        }
        if let interop { try pairs.write(toFile: "\(interop)/pairs-rows-\(folder).tsv", atomically: true, encoding: .utf8) }
        print("rows \(folder): \(edited) workbooks with rows inserted and deleted, \(movedFormulas) formulas moved")
        #expect(edited > 0)
    }
}

/// Edits made in reading order are spooled (to disk past a megabyte) and read back as the sheet
/// streams; edits out of order stay in memory and win; rows moved afterwards take both along.
@Suite struct EditSpoolTests {
    @Test func spooledEditsComeBackExactlyWithLaterOnesWinning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = "\(dir)/seed.xlsx", out = "\(dir)/out.xlsx"
        let book = try WorkbookWriter(path: seed)
        let sheet = try book.addSheet("数据")
        for r in 1...30 { try sheet.writeRow(r, [WriteCell(.string("原\(r)")), WriteCell(.number(Double(r)))]) }
        try book.close()

        let editor = try WorkbookEditor(path: seed)
        let info = editor.workbook.sheets[0]
        let rows = 40_000 // × 2 edits ≈ 2.5 MB of spool: spilled to its scratch file
        for r in 1...rows {
            try editor.setCell(CellReference(row: r, column: 2), in: info, to: CellEdit(value: .number(Double(r) * 1.5)))
            try editor.setCell(CellReference(row: r, column: 3), in: info,
                               to: CellEdit(value: r % 7 == 0 ? .string("第\(r)行 <&>") : r % 5 == 0 ? .bool(true) : .date(ExcelDateTime(serial: 45_000 + Double(r))),
                                            formula: r % 11 == 0 ? "B\(r)*2" : nil))
        }
        // Out of order: kept in memory, and it wins over the spooled edit of the same cell.
        try editor.setCell(CellReference(row: 10, column: 2), in: info, to: CellEdit(value: .string("后改")))
        try editor.setCell(CellReference(row: 5, column: 4), in: info, to: CellEdit(value: .error("#N/A")))
        #expect(editor.spools[info.part!]!.count == 2 * rows)
        try editor.save(to: out)

        let reread = try Workbook(path: out)
        var seen = 0
        try reread.readSheet(reread.sheets[0]) { row in
            let r = row.index
            seen += 1
            if r <= 30 { #expect(row.cell(at: 1)?.value == .string("原\(r)")) }
            #expect(row.cell(at: 2)?.value == (r == 10 ? .string("后改") : .number(Double(r) * 1.5)), "B\(r)")
            let c = row.cell(at: 3)
            if r % 7 == 0 { #expect(c?.value == .string("第\(r)行 <&>"), "C\(r)") }
            else if r % 5 == 0 { #expect(c?.value == .bool(true), "C\(r)") }
            else { #expect(c?.value.number == 45_000 + Double(r), "C\(r)") }
            #expect(c?.formula == (r % 11 == 0 ? "B\(r)*2" : nil), "C\(r)")
            if r == 5 { #expect(row.cell(at: 4)?.value == .error("#N/A")) }
        }
        #expect(seen == rows)

        // Rows inserted after edits were spooled: the spooled edits move with their rows.
        let again = try WorkbookEditor(path: seed)
        let s = again.workbook.sheets[0]
        for r in 1...30 { try again.setCell(CellReference(row: r, column: 3), in: s, to: CellEdit(value: .number(Double(r)))) }
        try again.insertRows(at: 11, count: 5, in: s)
        try again.setCell(CellReference(row: 10, column: 3), in: s, to: CellEdit(value: .number(-10)))
        try again.save(to: out)
        var c: [Int: Double] = [:]
        let moved = try Workbook(path: out)
        try moved.readSheet(moved.sheets[0]) { row in c[row.index] = row.cell(at: 3)?.value.number }
        #expect(c[10] == -10 && c[11] == nil && c[16] == 11 && c[35] == 30, "\(c.sorted { $0.key < $1.key })")
    }
}

/// The team's own charts follow their rows: a drawing's anchor on the sheet moves with its row,
/// and every chart's references into the sheet (on that sheet or another) move as formulas do.
@Suite struct ChartRowTests {
    static func python(_ script: String, _ args: [String]) throws -> String {
        let p = Process(), pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + args
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(p.terminationStatus == 0, "openpyxl is needed (make test installs it)")
        return text
    }

    @Test func chartsAndTheirAnchorsFollowInsertedAndDeletedRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("charts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = "\(dir)/seed.xlsx", out = "\(dir)/charts-moved.xlsx"
        // 数据: a header and nine rows; a bar chart on it at F6 over B2:B10 by A2:A10, titled by B1;
        // a line chart on 看板 over 数据!C2:C10.
        _ = try Self.python("""
        import openpyxl, sys
        from openpyxl.chart import BarChart, LineChart, Reference
        wb = openpyxl.Workbook(); ws = wb.active; ws.title = "数据"
        ws.append(["渠道", "曝光", "点击"])
        for i in range(9): ws.append([f"渠道{i + 1}", (i + 1) * 1000, (i + 1) * 50])
        bar = BarChart(); bar.add_data(Reference(ws, min_col=2, min_row=1, max_row=10), titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=10)); ws.add_chart(bar, "F6")
        board = wb.create_sheet("看板")
        line = LineChart(); line.add_data(Reference(ws, min_col=3, min_row=2, max_row=10)); board.add_chart(line, "A1")
        wb.save(sys.argv[1])
        """, [seed])
        let editor = try WorkbookEditor(path: seed)
        let data = try #require(editor.workbook.sheet(named: "数据"))
        // Two rows inserted at row 4 (inside the data, above the anchor), then the last data row
        // (old 10, now 12) deleted: nine rows become ten, the anchor's row 6 is now row 8.
        try editor.insertRows(at: 4, count: 2, in: data)
        try editor.deleteRows(at: 12, count: 1, in: data)
        try editor.save(to: out)
        let seen = try Self.python("""
        import openpyxl, sys
        wb = openpyxl.load_workbook(sys.argv[1])
        for name in ("数据", "看板"):
            for ch in wb[name]._charts:
                s = ch.series[0]
                cat = s.cat.numRef.f if s.cat is not None and s.cat.numRef is not None else (s.cat.strRef.f if s.cat is not None and s.cat.strRef is not None else "-")
                title = s.tx.strRef.f if s.tx is not None and s.tx.strRef is not None else "-"
                print(name, ch.anchor._from.row, s.val.numRef.f, cat, title)
        """, [out])
        #expect(seen.split(separator: "\n").map(String.init) == [
            "数据 7 '数据'!$B$2:$B$11 '数据'!$A$2:$A$11 '数据'!B1",
            "看板 0 '数据'!$C$2:$C$11 - -",
        ], "\(seen)")
        // Nothing else in the charts changed, and the parts still validate.
        let validate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/tools/ooxml-validate").path
        try #require(FileManager.default.isExecutableFile(atPath: validate), "../shared/tools/ooxml-validate is missing")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: validate)
        p.arguments = [out]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "ooxml-validate \(out) failed")
    }
}
