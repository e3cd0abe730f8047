import Foundation
import Testing
@testable import XLSX

/// New workbooks: every writer feature, read back by our reader; the same file is opened in
/// LibreOffice and openpyxl by Tests/interop/check_features.py.
@Suite struct WriterTests {
    /// The seed's effect rows: channel, content, exposures, clicks, conversions, cost, incremental sales.
    static let effectRows: [(String, String, Double, Double, Double, Double, Double)] = [
        ("小红书KOL", "头部KOL(1篇)", 150_000, 15_000, 225, 30_000, 90_000),
        ("小红书KOL", "腰部KOL(5篇)", 650_000, 52_000, 780, 120_000, 312_000),
        ("抖音信息流", "短视频素材A", 2_000_000, 60_000, 900, 90_000, 360_000),
        ("抖音信息流", "短视频素材B", 1_500_000, 30_000, 450, 45_000, 180_000),
    ]

    /// Writes the features workbook; `wrongCache` stores a deliberately wrong cached value in F3
    /// so the interop check can prove LibreOffice recalculated rather than echoed our cache.
    static func writeFeatures(to path: String, wrongCache: Bool = false) throws {
        let book = try WorkbookWriter(path: path)
        book.properties = DocumentProperties(title: "推广效果分析", creator: "tracksheet", created: "2025-05-01T09:00:00Z",
                                             custom: [("tracksheet.template", "marketing-plan"), ("tracksheet.templateVersion", "1")])
        let sheet = try book.addSheet("效果分析表")
        let options = try book.addSheet("选项", hidden: true)
        let header = CellStyle(bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center, wrap: true)
        let money = CellStyle(numberFormat: "#,##0", border: true)
        try sheet.setColumns(1, 2, width: 16)
        try sheet.setColumns(3, 9, width: 12)
        try sheet.setColumns(11, hidden: true)
        try sheet.freeze(rows: 2, columns: 1)
        sheet.printSetup = PrintSetup(landscape: true, fitToWidth: true, repeatRows: 1...2)

        try sheet.writeRow([WriteCell(.string("推广效果分析表(周期:2025年5月11日-6月20日)"), style: CellStyle(bold: true, fontSize: 14))], height: 24)
        sheet.merge(CellRange("A1:J1")!)
        let heads = ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)", "获客成本(元/人)", "ROI", "日期", "达标情况"]
        try sheet.writeRow(heads.map { WriteCell(.string($0), style: header) })
        for (i, r) in effectRows.enumerated() {
            let row = i + 3
            let ctr = r.3 / r.2 * 100, cvr = r.4 / r.3 * 100, cpa = r.5 / r.4, roi = r.6 / r.5
            try sheet.writeRow([
                WriteCell(.string(r.0)), WriteCell(.string(r.1)), WriteCell(.number(r.2), style: money), WriteCell(.number(r.3), style: money),
                WriteCell(.number(wrongCache && row == 3 ? 999 : ctr), formula: "D\(row)/C\(row)*100"),
                WriteCell(.number(r.4)), WriteCell(.number(cvr), formula: "F\(row)/D\(row)*100"), WriteCell(.number(r.5), style: money),
                WriteCell(.number(cpa), formula: "H\(row)/F\(row)"), WriteCell(.number(roi), formula: "ROUND(\(r.6)/H\(row),2)"),
                WriteCell(.date(ExcelDateTime(serial: ExcelDateTime.serial(year: 2025, month: 5, day: 11 + i))), style: CellStyle(numberFormat: "yyyy-mm-dd")),
                WriteCell(.string(roi >= 3 ? "达标" : "未达标"), formula: "IF(J\(row)>=3,\"达标\",\"未达标\")"),
            ])
        }
        let total = effectRows.reduce(0) { $0 + $1.5 }
        try sheet.writeRow(8, [WriteCell(.string("合计")), WriteCell(.number(total), column: 8, formula: "SUM(H3:H6)", style: money),
                               WriteCell(.string("=这不是公式"), column: 12)])
        sheet.addListValidation([CellRange("L3:L100")!], items: ["达标", "预警", "未达标"])
        sheet.addListValidation([CellRange("A3:A100")!], source: "\(SheetWriter.quoted("选项"))!$A$1:$A$3")
        sheet.addHighlight([CellRange("L3:L100")!], when: .cellEquals(.string("达标")), style: HighlightStyle(fontColor: "006100", fill: "C6EFCE"))
        sheet.addHighlight([CellRange("J3:J100")!], when: .expression("AND(J3<>\"\",J3<3)"), style: HighlightStyle(fontColor: "9C0006", bold: true))
        sheet.addHyperlink(CellReference("A8")!, location: "\(SheetWriter.quoted("选项"))!A1", tooltip: "选项")
        sheet.addHyperlink(CellReference("B8")!, url: "https://example.com/report?id=1&lang=zh")
        sheet.addNote(CellReference("E2")!, text: "点击率 = 点击量 / 曝光量 × 100", author: "市场部")
        for (i, name) in ["小红书KOL", "抖音信息流", "线下体验"].enumerated() {
            try options.writeRow(i + 1, [WriteCell(.string(name))])
        }
        book.defineName("渠道列表", formula: "\(SheetWriter.quoted("选项"))!$A$1:$A$3")
        try book.close()
    }

    @Test func everyFeatureReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("features-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writeFeatures(to: path)
        let book = try Workbook(path: path)
        #expect(book.sheets.map(\.name) == ["效果分析表", "选项"])
        #expect(book.sheets.map(\.visibility) == [.visible, .hidden])
        #expect(book.definedNames.contains { $0.name == "渠道列表" && $0.formula == "'选项'!$A$1:$A$3" })
        #expect(book.definedNames.contains { $0.name == "_xlnm.Print_Titles" && $0.localSheet == 0 && $0.formula == "'效果分析表'!$1:$2" })

        var rows: [Int: Row] = [:]
        let meta = try book.readSheet(book.sheets[0]) { rows[$0.index] = $0 }
        #expect(rows[1]?.height == 24)
        #expect(rows[2]?.cells.count == 12)
        let r3 = try #require(rows[3])
        #expect(r3.cell(at: 5)?.formula == "D3/C3*100")
        #expect(r3.cell(at: 5)?.value == .number(10))
        #expect(r3.cell(at: 9)?.value.number.map { abs($0 - 133.333333) < 1e-5 } == true)
        #expect(r3.cell(at: 10)?.value == .number(3))
        #expect(r3.cell(at: 11)?.value.portableJSON == .object([("date", .string("2025-05-11"))]))
        #expect(r3.cell(at: 12)?.value == .string("达标") && r3.cell(at: 12)?.formula != nil)
        #expect(rows[8]?.cell(at: 8)?.value == .number(285_000))
        #expect(rows[8]?.cell(at: 12)?.value == .string("=这不是公式") && rows[8]?.cell(at: 12)?.formula == nil)
        #expect(meta.mergedRanges.map(\.description) == ["A1:J1"])
        #expect(meta.frozenAt?.description == "B3")
        #expect(meta.columns.contains(ColumnInfo(first: 11, last: 11, width: 8.43, isHidden: true)))
        #expect(meta.dataValidations.map { $0.listItems ?? [$0.formula1 ?? ""] } == [["达标", "预警", "未达标"], ["'选项'!$A$1:$A$3"]])
        #expect(meta.hyperlinks.map(\.location) == ["'选项'!A1", nil])
        #expect(meta.hyperlinks.last?.target == "https://example.com/report?id=1&lang=zh")
        #expect(try book.comments(of: book.sheets[0]) == [Comment(cell: CellReference("E2")!, author: "市场部", text: "点击率 = 点击量 / 曝光量 × 100")])
        // The styles made it: header bold+fill, money format, date format.
        let moneyStyle = try #require(r3.cell(at: 3)?.styleIndex)
        #expect(book.styles.formatCode(ofStyle: moneyStyle) == "#3")
    }

    @Test func rowsMustAscendAndNamesMustBeValid() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).xlsx").path
        let book = try WorkbookWriter(path: path)
        let sheet = try book.addSheet("A")
        try sheet.writeRow(5, [WriteCell(.number(1))])
        #expect(throws: XLSXError.self) { try sheet.writeRow(5, [WriteCell(.number(2))]) }
        #expect(throws: XLSXError.self) { try sheet.freeze(rows: 1) }
        #expect(throws: XLSXError.self) { try book.addSheet("a") }
        #expect(throws: XLSXError.self) { try book.addSheet("bad/name") }
        #expect(throws: XLSXError.self) { try book.addSheet(String(repeating: "长", count: 32)) }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing appears before close()")
    }

    @Test("text keeps xml:space=\"preserve\" only when it starts or ends with white space, and reads back as written")
    func inlineTextSpace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("space-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let texts = ["plain", " lead", "trail ", "\tTab", "line\n", "in ner", "中文 文本", "_x0041_"]
        // A sheet added by the editor holds its text inline (a new workbook's goes to the shared strings).
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("base-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let new = try WorkbookWriter(path: base)
        try new.addSheet("A").writeRow([WriteCell(.number(1))])
        try new.close()
        let editor = try WorkbookEditor(path: base)
        try editor.addSheet("B").writeRow(texts.map { WriteCell(.string($0)) })
        try editor.save(to: path)
        let xml = String(decoding: try RawCopyTests.part(path, "xl/worksheets/sheet2.xml"), as: UTF8.self)
        #expect(xml.contains("<t>plain</t>") && xml.contains("<t>in ner</t>") && xml.contains("<t>中文 文本</t>"))
        #expect(xml.contains("<t xml:space=\"preserve\"> lead</t>") && xml.contains("<t xml:space=\"preserve\">trail </t>"))
        #expect(xml.components(separatedBy: "xml:space").count - 1 == 4, "lead, trail, tab and newline only")
        var read: [String] = []
        let workbook = try Workbook(path: path)
        try workbook.readSheet(try #require(workbook.sheet(named: "B"))) { row in
            read = row.cells.map { if case .string(let s) = $0.value { s } else { "?" } }
        }
        #expect(read == texts)
    }

    /// With TRACKSHEET_INTEROP_DIR set, leaves the features workbook (and one with a wrong cached
    /// value, the control) for Tests/interop/check_features.py.
    @Test func featuresForInterop() throws {
        guard let dir = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"] else { return }
        try Self.writeFeatures(to: "\(dir)/features.xlsx")
        try Self.writeFeatures(to: "\(dir)/features-wrong-cache.xlsx", wrongCache: true)
    }
}
