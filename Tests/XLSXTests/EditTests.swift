import Foundation
import Testing
@testable import XLSX

/// Editing one cell changes that cell and nothing else the user had.
@Suite struct EditTests {
    struct Snapshot: Equatable {
        var values: [String: [String: CellValue]]
        var merged: [[CellRange]], validations: [[DataValidation]], links: [[Hyperlink]], columns: [[ColumnInfo]]
        var frozen: [CellReference?]
    }

    /// The first `only` sheets (all by default).
    static func snapshot(_ path: String, only: Int = .max) throws -> Snapshot {
        let book = try Workbook(path: path)
        var s = Snapshot(values: [:], merged: [], validations: [], links: [], columns: [], frozen: [])
        for sheet in book.sheets.prefix(only) {
            var cells: [String: CellValue] = [:]
            let meta = try book.readSheet(sheet) { row in
                for c in row.cells { cells["\(CellReference.columnName(c.column))\(row.index)"] = c.value }
            }
            s.values[sheet.name] = cells
            s.merged.append(meta.mergedRanges); s.validations.append(meta.dataValidations)
            s.links.append(meta.hyperlinks); s.columns.append(meta.columns); s.frozen.append(meta.frozenAt)
        }
        return s
    }

    @Test(arguments: ["excel-made", "calamine", "excelize"])
    func oneCellChangedAndOneAddedAndNothingElse(folder: String) throws {
        try #require(Corpus.exists)
        // With TRACKSHEET_INTEROP_DIR set, every edited workbook is kept there and listed in
        // pairs-<folder>.tsv for Tests/interop/check_opens.py (openpyxl and LibreOffice).
        let interop = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"]
        var pairs = ""
        var out = FileManager.default.temporaryDirectory.appendingPathComponent("edit-\(UUID().uuidString).xlsx").path
        defer { if interop == nil { try? FileManager.default.removeItem(atPath: out) } }
        var edited = 0
        for file in try RoundTripTests.readableCorpus(folder) {
            let source = Corpus.path(file)
            if let interop { out = "\(interop)/\(file.replacingOccurrences(of: "/", with: "__"))" }
            let editor = try WorkbookEditor(path: source)
            guard let sheet = editor.workbook.sheets.first(where: { $0.kind == .worksheet && $0.part != nil }) else { continue }
            // The first cell with a value (or A1), and a new cell two rows below everything; and the
            // last cell with a value gets a red-filled twin of its own format, as --annotate does.
            var first: CellReference?
            var marked: (ref: CellReference, style: Int)?
            let meta = try editor.workbook.readSheet(sheet) { row in
                if first == nil, let c = row.cells.first(where: { !$0.value.isEmpty }) { first = CellReference(row: row.index, column: c.column) }
                if let c = row.cells.last(where: { !$0.value.isEmpty }) { marked = (CellReference(row: row.index, column: c.column), c.styleIndex) }
            }
            let changed = first ?? CellReference(row: 1, column: 1)
            let added = CellReference(row: min((meta.usedRange?.last.row ?? 0) + 2, Grid.maxRow), column: 2)
            try editor.setCell(changed, in: sheet, to: CellEdit(value: .number(12_345.5)))
            try editor.setCell(added, in: sheet, to: CellEdit(value: .string("=新值 <&> _x0041_")))
            let hasStyles = editor.workbook.relationships.contains { $0.kind == "styles" }
            var red: Int?
            if let m = marked, m.ref != changed, hasStyles {
                red = editor.deriveStyle(from: m.style, StyleChange(fill: "FFC7CE", fontColor: "9C0006"))
                try editor.setCell(m.ref, in: sheet, to: .style(red!))
            }
            // Notes, as --annotate adds them: on the changed cell, and on the last value cell (which
            // may already have one: then it keeps it, with ours below).
            let notesBefore = try editor.workbook.comments(of: sheet)
            try editor.addNote(changed, in: sheet, text: "已修改为 12345.5")
            if let m = marked { try editor.addNote(m.ref, in: sheet, text: "超支 <&>", author: "校验") }
            // A results sheet, as `validate --annotate` adds: a row, a link back, a note.
            let resultsName = editor.workbook.sheet(named: "校验结果") == nil ? "校验结果" : "校验结果2"
            let results = try editor.addSheet(resultsName)
            try results.writeRow([WriteCell(.string("单元格"), style: CellStyle(bold: true, fill: "DDEBF7")), WriteCell(.string("问题"))])
            try results.writeRow([WriteCell(.string(changed.description)), WriteCell(.number(12_345.5), style: CellStyle(numberFormat: "#,##0.0"))])
            results.addHyperlink(CellReference(row: 2, column: 1), location: "\(SheetWriter.quoted(sheet.name))!\(changed)")
            results.addNote(CellReference(row: 2, column: 2), text: "值已修改", author: "tracksheet")
            try editor.save(to: out)
            if interop != nil { pairs += "\(source)\t\(out)\n" }
            let reread = try Workbook(path: out)
            let notesAfter = try reread.comments(of: reread.sheets.first { $0.name == sheet.name }!)
            for n in notesBefore {
                #expect(notesAfter.contains { $0.cell == n.cell && $0.text.hasPrefix(n.text) }, "\(file): the note on \(n.cell) was lost")
            }
            #expect(notesAfter.contains { $0.cell == changed && $0.text.contains("已修改为 12345.5") }, "\(file): no note on \(changed)")
            if let m = marked { #expect(notesAfter.contains { $0.cell == m.ref && $0.text.contains("超支 <&>") }, "\(file): no note on \(m.ref)") }
            #expect(Set(notesAfter.map(\.cell)).count == notesAfter.count, "\(file): two notes on one cell")
            // New text goes to the shared-string table when there is one (appended, nothing moved).
            if editor.workbook.relationships.contains(where: { $0.kind == "sharedStrings" && $0.partName != nil }) {
                let before = try editor.workbook.sharedStrings(), after = try reread.sharedStrings()
                #expect(Array(after.prefix(before.count)) == before, "\(file): shared strings moved")
                #expect(after.contains("=新值 <&> _x0041_"), "\(file): the new text is not in the shared-string table")
            }
            let addedSheet = try #require(reread.sheets.last, "\(file): no sheet added")
            #expect(addedSheet.name == resultsName && reread.sheets.count == editor.workbook.sheets.count + 1, "\(file): the sheet list is wrong")
            var resultRows: [Row] = []
            let resultMeta = try reread.readSheet(addedSheet) { resultRows.append($0) }
            #expect(resultRows.map(\.index) == [1, 2] && resultRows[1].cell(at: 1)?.value == .string(changed.description), "\(file): results rows")
            #expect(resultMeta.hyperlinks.first?.location == "\(SheetWriter.quoted(sheet.name))!\(changed)", "\(file): results link")
            #expect(try reread.comments(of: addedSheet).map(\.text) == ["值已修改"], "\(file): results note")
            if let m = marked, let red {
                let saved = try Workbook(path: out)
                var style: Int?
                try saved.readSheet(saved.sheets.first { $0.name == sheet.name }!) { row in
                    if row.index == m.ref.row { style = row.cell(at: m.ref.column)?.styleIndex }
                }
                #expect(style == red, "\(file): \(m.ref) did not get the derived format")
                let original = editor.workbook.styles
                // Same number format as the cell's own (so a date stays a date), red fill, red font.
                let baseFormat = m.style < original.cellFormatIDs.count ? original.cellFormatIDs[m.style] : 0
                // Appended after the existing formats (or after the default one, created where the
                // part had no cellXfs at all): the red one and the results sheet's two.
                #expect(saved.styles.cellFormatIDs.count == StylePlan.effectiveCellFormats(original).count + editor.derivedStyles.count,
                        "\(file): cellXfs not appended to")
                #expect(saved.styles.cellFormatIDs[red] == baseFormat, "\(file): the number format changed")
                let xf = saved.styles.cellFormats[red]
                #expect(saved.styles.solidFills[Int(xf.attribute("fillId") ?? "0") ?? 0] == "FFFFC7CE", "\(file): no red fill")
                let font = saved.styles.fonts[Int(xf.attribute("fontId") ?? "0") ?? 0]
                #expect(font.children.contains { $0.name == "color" && $0.attribute("rgb") == "FF9C0006" }, "\(file): no red font")
            }
            var expected = try Self.snapshot(source)
            var got = try Self.snapshot(out, only: editor.workbook.sheets.count)
            // The changed cell keeps its own format, so a date cell stays a date with the new serial.
            #expect(got.values[sheet.name]?[changed.description]?.number == 12_345.5, "\(file): \(changed) not changed")
            #expect(got.values[sheet.name]?[added.description] == .string("=新值 <&> _x0041_"), "\(file): \(added) not added")
            for ref in [changed, added] {
                expected.values[sheet.name]?[ref.description] = nil
                got.values[sheet.name]?[ref.description] = nil
            }
            if got != expected {
                let diff = got.values.keys.flatMap { name in
                    Set(got.values[name]!.keys).union(expected.values[name]?.keys ?? [:].keys)
                        .filter { got.values[name]?[$0] != expected.values[name]?[$0] }.map { "\(name)!\($0)" }
                }
                Issue.record("\(file): the saved workbook differs beyond the two edited cells: \(diff.prefix(5)) (metadata same: \(got.merged == expected.merged && got.validations == expected.validations && got.links == expected.links && got.columns == expected.columns && got.frozen == expected.frozen))")
            }

            let before = try RoundTripTests.entries(source), after = try RoundTripTests.entries(out)
            // The original entries in their order, then the new sheet's parts.
            #expect(Array(after.map(\.0).prefix(before.count)) == before.map(\.0), "\(file): entries differ")
            // Only the edited sheet, styles.xml (formats derived), and the lists that name the new
            // sheet may differ.
            let wb = editor.workbook
            let stylesPart = wb.relationships.first { $0.kind == "styles" }?.partName
            let stringsPart = wb.relationships.first { $0.kind == "sharedStrings" }?.partName
            let sheetRels = try Workbook.relationships(of: sheet.part!, in: wb.archive)
            let notesParts = sheetRels.filter { $0.kind == "comments" || $0.kind == "vmlDrawing" }.map(\.partName)
            let allowed = Set([sheet.part, stylesPart, stringsPart, wb.workbookPart, PartName.relationships(of: wb.workbookPart), "[Content_Types].xml",
                               PartName.relationships(of: sheet.part!)] + notesParts)
            let allowedNames = Set(allowed.compactMap { $0?.lowercased() }) // part names are case-insensitive
            for (a, b) in zip(before, after) where a.1 != b.1 && !allowedNames.contains(a.0.lowercased()) {
                Issue.record("\(file): \(a.0) changed although only \(allowed.compactMap { $0 }) were edited")
            }
            edited += 1
        }
        if interop != nil { #expect(!pairs.isEmpty, "no edited workbook was listed for the interop check") }
        if let interop { try pairs.write(toFile: "\(interop)/pairs-\(folder).tsv", atomically: true, encoding: .utf8) }
        print("edit \(folder): \(edited) workbooks edited, every other cell and part unchanged")
        #expect(edited > 0)
    }

    @Test func textThatLooksLikeAFormulaStaysText() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("inject-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: Corpus.path("excel-made/simple01.xlsx"))
        for (i, text) in ["=1+1", "+CMD()", "-2+3", "@SUM(A1)"].enumerated() {
            try editor.setCell("C\(i + 1)", inSheet: "Sheet1", value: .string(text))
        }
        try editor.save(to: out)
        let book = try Workbook(path: out)
        try book.readSheet(book.sheets[0]) { row in
            if let c = row.cell(at: 3) { #expect(c.formula == nil && c.value.portableJSON != nil) }
        }
    }

    @Test func formulasDropTheCalculationChain() throws {
        let source = Corpus.path("excelize/CalcChain.xlsx")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("calc-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: source)
        // This file's chain has a content type but no relationship; it must go all the same.
        #expect(editor.workbook.archive.entry(named: "xl/calcChain.xml") != nil)
        try editor.setCell(CellReference("D1")!, in: editor.workbook.sheets[0], to: CellEdit(value: .number(3), formula: "1+2"))
        try editor.save(to: out)
        let book = try Workbook(path: out)
        #expect(!book.relationships.contains { $0.kind == "calcChain" })
        #expect(book.archive.entry(named: "xl/calcChain.xml") == nil)
        #expect(book.contentTypes.overrides["xl/calcchain.xml"] == nil)
        var formula: String?
        try book.readSheet(book.sheets[0]) { row in if row.index == 1 { formula = row.cell(at: 4)?.formula } }
        #expect(formula == "1+2")
    }
}
