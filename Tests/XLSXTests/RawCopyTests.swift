import Foundation
import Testing
@testable import XLSX

/// An edited sheet keeps everything it did not change byte for byte (raw copy), and reads the
/// same as when every element is written again.
@Suite struct RawCopyTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).xlsx").path
    }

    static func part(_ path: String, _ name: String) throws -> [UInt8] {
        let archive = try ZipArchive(path: path)
        return try archive.data(try #require(archive.entry(named: name)))
    }

    @Test(arguments: ["excel-made", "calamine", "excelize"])
    func oneEditChangesOnlyThatCellsBytes(folder: String) throws {
        try #require(Corpus.exists)
        let raw = Self.temporary("raw"), rewritten = Self.temporary("rewritten")
        defer { for p in [raw, rewritten] { try? FileManager.default.removeItem(atPath: p) } }
        var checked = 0
        for file in try RoundTripTests.readableCorpus(folder) {
            let source = Corpus.path(file)
            let book = try Workbook(path: source)
            guard let sheet = book.sheets.first(where: { $0.kind == .worksheet && $0.part != nil }) else { continue }
            // The middle cell with a value.
            var cells: [CellReference] = []
            try book.readSheet(sheet) { row in
                for c in row.cells where !c.value.isEmpty { cells.append(CellReference(row: row.index, column: c.column)) }
            }
            guard !cells.isEmpty else { continue }
            let target = cells[cells.count / 2]
            for (path, copies) in [(raw, true), (rewritten, false)] {
                let editor = try WorkbookEditor(path: source)
                editor.rawCopy = copies
                try editor.setCell(target, in: sheet, to: CellEdit(value: .number(4242.5)))
                try editor.save(to: path)
            }
            // Same values, cell by cell, either way.
            let a = try Corpus.cells(try Workbook(path: raw)), b = try Corpus.cells(try Workbook(path: rewritten))
            #expect(a == b, "\(file): raw copy reads differently from a full rewrite")
            #expect(a[sheet.name]?[target.description]?.value.number == 4242.5, "\(file): \(target) not changed")
            // One contiguous change, around the edited cell's reference.
            let before = try Self.part(source, sheet.part!), after = try Self.part(raw, sheet.part!)
            guard before.starts(with: [0x3C]) || before.starts(with: [0xEF, 0xBB, 0xBF]) || before.starts(with: Array("<?xml".utf8)) else { continue }
            var i = 0
            while i < min(before.count, after.count) && before[i] == after[i] { i += 1 }
            var j = 0
            while j < min(before.count, after.count) - i && before[before.count - 1 - j] == after[after.count - 1 - j] { j += 1 }
            let changed = before[i..<(before.count - j)]
            #expect(changed.count < 4096, "\(file): \(changed.count) bytes of the sheet changed for one cell")
            // (Where cells name themselves: some writers leave out `r`.)
            let window = String(decoding: before[max(0, i - 200)..<min(before.count, before.count - j + 200)], as: UTF8.self)
            if String(decoding: before, as: UTF8.self).contains("r=\"\(target)\"") {
                #expect(window.contains("\"\(target)\""), "\(file): the bytes that changed are not around \(target)")
            }
            checked += 1
        }
        print("raw copy \(folder): \(checked) workbooks, one cell's bytes changed in each")
        #expect(checked > 0)
    }

    /// A UTF-16 sheet cannot be copied by byte offsets: it is written again, and still edited.
    @Test func aUTF16SheetIsWrittenAgain() throws {
        let plain = Self.temporary("utf8"), utf16 = Self.temporary("utf16"), out = Self.temporary("out")
        defer { for p in [plain, utf16, out] { try? FileManager.default.removeItem(atPath: p) } }
        let writer = try WorkbookWriter(path: plain)
        let sheet = try writer.addSheet("数据")
        for r in 1...50 { try sheet.writeRow([WriteCell(.string("行\(r)")), WriteCell(.number(Double(r)))]) }
        try writer.close()
        let archive = try ZipArchive(path: plain)
        let package = try PackageWriter(path: utf16)
        for entry in archive.entries {
            var bytes = try archive.data(entry)
            if entry.name == "xl/worksheets/sheet1.xml" {
                let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\"")
                bytes = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            }
            try package.add(name: entry.name, bytes: bytes)
        }
        try package.commit()
        let editor = try WorkbookEditor(path: utf16)
        let info = try #require(editor.workbook.sheet(named: "数据"))
        try editor.setCell(CellReference(row: 20, column: 2), in: info, to: CellEdit(value: .number(-1)))
        try editor.save(to: out)
        let cells = try Corpus.cells(try Workbook(path: out))["数据"]!
        #expect(cells["B20"]?.value == .number(-1))
        #expect(cells["A50"]?.value == .string("行50") && cells["B49"]?.value == .number(49))
    }

    // MARK: shared formulas

    /// `calamine/shared_formula_simple.xlsx`: B1 holds `A1*2` for B1:B3 (si 0).
    static let simple = "calamine/shared_formula_simple.xlsx"

    static func formulas(_ path: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for (ref, cell) in try Corpus.cells(try Workbook(path: path))["Sheet1"] ?? [:] { if let f = cell.formula { out[ref] = f } }
        return out
    }

    @Test func replacingASharedFormulasFirstCellKeepsTheOthers() throws {
        try #require(Corpus.exists)
        let out = Self.temporary("shared")
        defer { try? FileManager.default.removeItem(atPath: out) }
        for copies in [true, false] {
            let editor = try WorkbookEditor(path: Corpus.path(Self.simple))
            editor.rawCopy = copies
            try editor.setCell("B1", inSheet: "Sheet1", value: .number(7))
            try editor.save(to: out)
            // B1 is a value now; B2 and B3 still compute A2*2 and A3*2, written out per cell.
            #expect(try Self.formulas(out) == ["B2": "A2*2", "B3": "A3*2"], "raw copy \(copies)")
            #expect(!String(decoding: try Self.part(out, "xl/worksheets/sheet1.xml"), as: UTF8.self).contains("t=\"shared\""))
        }
    }

    @Test func theSameFormulaWithANewValueKeepsTheGroup() throws {
        try #require(Corpus.exists)
        let out = Self.temporary("shared")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: Corpus.path(Self.simple))
        try editor.setCell("B1", inSheet: "Sheet1", value: .number(3), formula: "A1*2")
        try editor.save(to: out)
        #expect(try Self.formulas(out) == ["B1": "A1*2", "B2": "A2*2", "B3": "A3*2"])
        let xml = String(decoding: try Self.part(out, "xl/worksheets/sheet1.xml"), as: UTF8.self)
        #expect(xml.contains("ref=\"B1:B3\"") && xml.components(separatedBy: "t=\"shared\"").count == 4)
        #expect(try Corpus.cells(try Workbook(path: out))["Sheet1"]?["B1"]?.value == .number(3))
    }

    @Test func formulasFilledDownAreOneSharedFormulaBesideTheSheetsOwn() throws {
        try #require(Corpus.exists)
        let out = Self.temporary("filled")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: Corpus.path(Self.simple))
        let sheet = try #require(editor.workbook.sheet(named: "Sheet1"))
        // C1:C6 fill down A*10 (rows 4–6 are new); C2 is left out, D5 is alone.
        for r in [1, 3, 4, 5, 6] {
            try editor.setCell(CellReference(row: r, column: 3), in: sheet,
                               to: CellEdit(value: .number(Double(r * 10)), formula: "A\(r)*10", fillDown: "tenfold"))
        }
        try editor.setCell(CellReference(row: 5, column: 4), in: sheet, to: CellEdit(value: .number(1), formula: "C5/50", fillDown: "alone"))
        try editor.save(to: out)
        var expected = ["B1": "A1*2", "B2": "A2*2", "B3": "A3*2", "D5": "C5/50"]
        for r in [1, 3, 4, 5, 6] { expected["C\(r)"] = "A\(r)*10" }
        #expect(try Self.formulas(out) == expected)
        let xml = String(decoding: try Self.part(out, "xl/worksheets/sheet1.xml"), as: UTF8.self)
        // The sheet's own group and the new one have different numbers; the lone formula is plain.
        // (numbered in order of appearance: B1 comes before C1).
        #expect(xml.contains("<f t=\"shared\" ref=\"B1:B3\" si=\"0\">A1*2</f>"))
        #expect(xml.contains("<f t=\"shared\" ref=\"C1:C6\" si=\"1\">A1*10</f>"))
        #expect(xml.contains("<f>C5/50</f>"))
        // openpyxl's reading of the same file agrees (it expands shared formulas itself).
        let script = """
        import openpyxl, sys
        ws = openpyxl.load_workbook(sys.argv[1])["Sheet1"]
        print(";".join(f"{c.coordinate}={c.value}" for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, out]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(p.terminationStatus == 0, "openpyxl is needed (make test installs it)")
        let theirs = Dictionary(uniqueKeysWithValues: text.split(separator: ";").map { kv in
            let parts = kv.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]).hasPrefix("=") ? String(parts[1].dropFirst()) : String(parts[1]))
        })
        #expect(theirs == expected)
    }
}
