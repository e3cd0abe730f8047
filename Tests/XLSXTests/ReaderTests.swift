import Foundation
import Testing
@testable import XLSX

/// What the reader takes from a sheet besides values, on corpus files saved by Excel.
@Suite struct ReaderTests {
    @Test func mergedRanges() throws {
        let book = try Corpus.open("excel-made/merge_range02.xlsx")
        let meta = try book.readSheet(book.sheets[0]) { _ in }
        #expect(meta.mergedRanges.map(\.description) == ["B2:D6"])
    }

    @Test func listValidations() throws {
        let book = try Corpus.open("excel-made/data_validation02.xlsx")
        let meta = try book.readSheet(book.sheets[0]) { _ in }
        let v = try #require(meta.dataValidations.first)
        #expect(v.type == "list")
        #expect(v.ranges.map(\.description) == ["C2"])
        #expect(v.listItems == ["Foo", "Bar", "Baz"])
    }

    @Test func commentsHyperlinksNamesAndVisibility() throws {
        let comments = try Corpus.open("excel-made/comment01.xlsx")
        #expect(try comments.comments(of: comments.sheets[0]) == [Comment(cell: CellReference("B2")!, author: "John", text: "Some text")])

        let links = try Corpus.open("excel-made/hyperlink01.xlsx")
        let meta = try links.readSheet(links.sheets[0]) { _ in }
        #expect(meta.hyperlinks.first?.target == "http://www.perl.org/")

        let names = try Corpus.open("excel-made/defined_name01.xlsx")
        #expect(names.definedNames.contains(DefinedName(name: "_Egg", formula: "Sheet1!$A$1", localSheet: nil, isHidden: false)))
        #expect(names.definedNames.contains { $0.name == "aaa" && $0.localSheet == 1 })

        let hidden = try Corpus.open("excel-made/hide01.xlsx")
        #expect(hidden.sheets.map(\.visibility) == [.visible, .hidden, .visible])

        let charts = try Corpus.open("excel-made/chartsheet01.xlsx")
        #expect(charts.sheets.map(\.kind) == [.worksheet, .chartsheet])
    }

    @Test func columnsAndFrozenPanes() throws {
        let cols = try Corpus.open("excel-made/set_column01.xlsx")
        let meta = try cols.readSheet(cols.sheets[0]) { _ in }
        #expect(meta.columns.first == ColumnInfo(first: 1, last: 1, width: 0.140625, isHidden: false))
        let panes = try Corpus.open("excel-made/panes01.xlsx")
        let frozen = try panes.sheets.prefix(4).map { try panes.readSheet($0) { _ in }.frozenAt?.description }
        #expect(frozen == ["A2", "A3", "B1", "C1"])
    }

    @Test func sharedFormulasAreExpandedForEveryCell() throws {
        let book = try Corpus.open("calamine/shared_formula_simple.xlsx")
        var formulas: [String: String] = [:]
        try book.readSheet(book.sheets[0]) { row in
            for c in row.cells { if let f = c.formula { formulas["\(CellReference.columnName(c.column))\(row.index)"] = f } }
        }
        // B1 anchors `A1*2`; B2 and B3 only say si="0" and get it moved down.
        #expect(formulas == ["B1": "A1*2", "B2": "A2*2", "B3": "A3*2"])
    }

    @Test func dates1904AndDurations() throws {
        let book = try Corpus.open("calamine/date_1904.xlsx")
        #expect(book.is1904)
        let cells = try Corpus.cells(book)["Sheet1"]!
        #expect(cells["A1"]?.value.portableJSON == .object([("date", .string("2021-01-01"))]))
        #expect(cells["A3"]?.value.portableJSON == .object([("duration", .number(918_610))]))
    }

    @Test func strictNamespacesAndOddPrefixes() throws {
        for file in ["calamine/strict_iso_paths.xlsx", "calamine/nonstandard-xml-ns-prefix.xlsx", "calamine/richtext-namespaced.xlsx"] {
            let book = try Corpus.open(file)
            let cells = try Corpus.cells(book)
            #expect(cells.values.contains { !$0.isEmpty }, "\(file) read no cell")
        }
    }

    @Test func phoneticRunsAreLeftOut() throws {
        let book = try Corpus.open("calamine/rph.xlsx")
        let cells = try Corpus.cells(book)
        let texts = cells.values.flatMap(\.values).compactMap { if case .string(let s) = $0.value { s } else { nil } }
        // The furigana カ and ケ sit in <rPh> runs and are not part of the text.
        #expect(texts == ["課きく　毛こ"])
    }

    @Test func backslashEntryNamesAreRead() throws {
        let book = try Corpus.open("calamine/issue_530.xlsx")
        #expect(book.workbookPart == "xl/workbook.xml")
        #expect(!book.sheets.isEmpty)
    }
}
