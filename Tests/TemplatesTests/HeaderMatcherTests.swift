import Foundation
import Testing
@testable import Templates
import XLSX

/// Workbooks made elsewhere (openpyxl: Fixtures/header-variants/make.py) map onto the template:
/// title and blank rows above the header, full-width brackets, spaces and line breaks, English
/// headers, any order, extra columns, missing ones, merged header cells, aliases.
@Suite struct HeaderMatcherTests {
    struct Expected: Decodable {
        var sheet: String
        var headerRow: Int
        var columns: [String: Int]
        var extra: [String]
        var missingRequired: [String]
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/header-variants")
    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    @Test(arguments: expected.keys.sorted())
    func mapsEveryColumnOrReportsTheMissingOne(variant: String) throws {
        let want = try #require(Self.expected[variant])
        let book = try Workbook(path: Self.folder.appendingPathComponent(variant + ".xlsx").path)
        let mappings = try HeaderMatcher.detect(in: book, templates: [try Template.builtin("marketing-plan")])
        let m = try #require(mappings.first, "\(variant): no template detected")
        #expect(m.templateID == "marketing-plan")
        #expect(m.templateSheet == want.sheet, "\(variant)")
        #expect(m.headerRow == want.headerRow, "\(variant)")
        #expect(m.columns == want.columns, "\(variant): \(m.columns.sorted { $0.value < $1.value })")
        #expect(m.extra.map(\.header) == want.extra, "\(variant)")
        #expect(m.missingRequired == want.missingRequired, "\(variant)")
    }

    @Test(arguments: [("预算金额（元）", "预算金额(元)"), ("预算金额\n(元)", "预算金额(元)"), (" 任务 负责人 ", "任务负责人"), ("Budget (CNY)", "budget(cny)"),
                      ("关键任务*", "关键任务"), ("执行进度（％）", "执行进度(%)"), ("核心ＫＰＩ指标", "核心kpi指标")])
    func normalisesHeaders(raw: String, normalized: String) {
        #expect(HeaderMatcher.normalize(raw) == normalized)
    }

    @Test func theOpenpyxlSampleIsAMarketingPlan() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/seed-plan-openpyxl.xlsx").path
        let m = try HeaderMatcher.detect(in: try Workbook(path: sample), templates: [try Template.builtin("marketing-plan")])
        #expect(m.first?.templateSheet == "master" && m.first?.headerRow == 2)
        #expect(m.first?.missingRequired == [] && m.first?.columns.count == 16)
    }
}
