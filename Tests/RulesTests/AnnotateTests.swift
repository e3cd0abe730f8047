import Foundation
import Testing
import Templates
@testable import Rules
import XLSX

/// `--annotate` takes each flagged cell's format from the diagnostic (as the check read it)
/// instead of reading the sheet again: the copy must be the one reading the sheets makes.
@Suite struct AnnotateTests {
    /// Every worksheet cell's value and format, and the styles part, of `path`.
    static func contents(_ path: String) throws -> (cells: [String: String], styles: Data) {
        let book = try Workbook(path: path)
        var cells: [String: String] = [:]
        for sheet in book.sheets where sheet.kind == .worksheet {
            _ = try book.readSheet(sheet) { row in
                for c in row.cells { cells["\(sheet.name)!\(CellReference(row: row.index, column: c.column))"] = "\(c.value) s\(c.styleIndex)" }
            }
        }
        let styles = try #require(book.archive.entry(named: "xl/styles.xml"))
        return (cells, Data(try book.archive.data(styles)))
    }

    static var workbooks: [String] {
        let real = SampleValidationTests.root.appendingPathComponent("Tests/TracksheetCLITests/Fixtures/real-world").path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: real)) ?? []).filter { $0.hasSuffix(".xlsx") }.sorted()
        return [SampleValidationTests.samples.appendingPathComponent("with-errors/marketing-plan-errors.xlsx").path] + names.map { "\(real)/\($0)" }
    }

    @Test("the annotated copy made from the diagnostics' formats equals the one made by reading each flagged sheet")
    func formatsFromTheDiagnostics() throws {
        let dir = NSTemporaryDirectory() + "tracksheet-annotate-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var known = 0, flagged = 0
        for (i, path) in Self.workbooks.enumerated() {
            let report = try SampleValidationTests.validate(path, asOf: "2025-06-09")
            let cells = report.diagnostics.filter { $0.severity != .info && $0.cell != nil }
            flagged += cells.count
            known += cells.filter { $0.styleIndex != nil }.count
            var unknown = report
            for j in unknown.diagnostics.indices { unknown.diagnostics[j].styleIndex = nil }
            try Annotator.annotate(report, source: path, to: "\(dir)/\(i)-a.xlsx", chinese: report.isChinese)
            try Annotator.annotate(unknown, source: path, to: "\(dir)/\(i)-b.xlsx", chinese: report.isChinese)
            let (a, b) = (try Self.contents("\(dir)/\(i)-a.xlsx"), try Self.contents("\(dir)/\(i)-b.xlsx"))
            let differ = Set(a.cells.keys).union(b.cells.keys).filter { a.cells[$0] != b.cells[$0] }.sorted()
            #expect(differ.isEmpty, "\((path as NSString).lastPathComponent): \(differ.prefix(5))")
            #expect(a.styles == b.styles, "\((path as NSString).lastPathComponent): styles.xml")
        }
        // Most flagged cells' formats come from the checks (headers and merged cells are read).
        let counts = (known: known, flagged: flagged)
        #expect(counts.flagged > 20 && counts.known * 10 >= counts.flagged * 7, "\(counts)")
    }
}
