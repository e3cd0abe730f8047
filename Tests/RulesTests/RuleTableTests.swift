import Foundation
import Testing
import Templates
@testable import Rules
import XLSX

/// Every rule id of the catalog, with a failing and a passing row: each case edits a sample (as a
/// user would, in the file) and checks the rule fires at the expected cell — and that the passing
/// edit of the same cell does not fire it.
@Suite struct RuleTableTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples")
    static let plan = "marketing-plan-seed.xlsx", promo = "multi-platform-618.xlsx", card = "process-card-spring.xlsx"
    static let asOf = CalendarDate("2025-06-09")!

    struct Case: CustomStringConvertible {
        var rule: String
        var sample: String
        var sheet: String
        /// Where the diagnostic must be (sheet `sheet`).
        var at: String
        var bad: [(String, CellValue)]
        var good: [(String, CellValue)]
        /// Edits on other sheets, applied to both rows.
        var setup: [(sheet: String, cell: String, value: CellValue)] = []
        /// Formulas (with their cached value from `bad`) in the failing row only.
        var badFormulas: [(cell: String, formula: String)] = []
        var description: String { "\(rule) at \(sheet)!\(at)" }
    }

    static func s(_ t: String) -> CellValue { .string(t) }
    static func n(_ x: Double) -> CellValue { .number(x) }

    static let cases: [Case] = [
        Case(rule: "column.missing", sample: plan, sheet: "主跟踪表", at: "A2", bad: [("D2", s(""))], good: [("D2", s("负责人"))]),
        Case(rule: "column.nearMiss", sample: plan, sheet: "主跟踪表", at: "C2", bad: [("C2", s("关建任务"))], good: [("C2", s("关键任务"))]),
        // A sheet whose headers are none of the template's: listed as not checked (no cell).
        Case(rule: "sheet.unchecked", sample: plan, sheet: "效果分析表", at: "",
             bad: (1...13).map { (CellReference(row: 2, column: $0).description, s("列\($0)")) }, good: []),
        Case(rule: "column.extra", sample: plan, sheet: "主跟踪表", at: "S2", bad: [("S2", s("渠道备注"))], good: [("S2", s(""))]),
        Case(rule: "period.placeholder", sample: plan, sheet: "主跟踪表", at: "A1", bad: [("A1", s("市场推广计划主跟踪表(推广周期:202X年5月1日-202X年6月20日)"))],
             good: [("A1", s("市场推广计划主跟踪表(推广周期:2025年5月1日-2025年6月20日)"))]),
        Case(rule: "required", sample: plan, sheet: "主跟踪表", at: "C4", bad: [("C4", s(""))], good: [("C4", s("素材制作"))]),
        Case(rule: "value.allowed", sample: plan, sheet: "主跟踪表", at: "A3", bad: [("A3", s("预热期"))], good: [("A3", s("筹备期"))]),
        Case(rule: "type.number", sample: plan, sheet: "主跟踪表", at: "I4", bad: [("I4", s("三万"))], good: [("I4", s("3万"))]),
        Case(rule: "type.negative", sample: plan, sheet: "主跟踪表", at: "J4", bad: [("J4", n(-100))], good: [("J4", n(0))]),
        Case(rule: "type.quantity", sample: plan, sheet: "主跟踪表", at: "M3", bad: [("M3", s("很多"))], good: [("M3", s("10人"))]),
        Case(rule: "type.date", sample: plan, sheet: "主跟踪表", at: "E4", bad: [("E4", s("下周"))], good: [("E4", s("5月3日"))]),
        Case(rule: "type.time", sample: plan, sheet: "阶段执行明细表", at: "E3", bad: [("E3", s("傍晚"))], good: [("E3", s("17:30"))]),
        Case(rule: "date.placeholder", sample: plan, sheet: "主跟踪表", at: "E4", bad: [("E4", s("202X-05-03"))], good: [("E4", s("2025-05-03"))]),
        Case(rule: "date.order", sample: plan, sheet: "主跟踪表", at: "F4", bad: [("F4", s("2025-05-02"))], good: [("F4", s("2025/5/10"))]),
        Case(rule: "date.outsidePeriod", sample: plan, sheet: "主跟踪表", at: "E4", bad: [("E4", s("2025-04-20"))], good: [("E4", s("5.3"))]),
        Case(rule: "progress.range", sample: plan, sheet: "主跟踪表", at: "K4", bad: [("K4", n(120))], good: [("K4", s("100%"))]),
        Case(rule: "progress.doneWithoutEnd", sample: plan, sheet: "主跟踪表", at: "H4", bad: [("H4", s("-"))], good: [("H4", s("2025年5月9日"))]),
        Case(rule: "progress.endNotDone", sample: plan, sheet: "主跟踪表", at: "K4", bad: [("K4", n(80))], good: [("K4", n(100))]),
        Case(rule: "progress.state", sample: promo, sheet: "平台任务", at: "J3", bad: [("J3", s("进行中"))], good: [("J3", s("已完成"))]),
        Case(rule: "budget.overspend", sample: plan, sheet: "主跟踪表", at: "J4", bad: [("J4", s("3.1万"))], good: [("J4", s("¥29,000"))]),
        Case(rule: "budget.campaignOverspend", sample: plan, sheet: "主跟踪表", at: "J2", bad: [("J6", n(300_000))], good: [("J6", n(80_000))]),
        Case(rule: "budget.reserve", sample: plan, sheet: "主跟踪表", at: "I9", bad: [("C9", s("合计")), ("I9", n(300_000))],
             good: [("C9", s("合计")), ("I9", n(400_000))]),
        Case(rule: "kpi.unreadable", sample: plan, sheet: "主跟踪表", at: "L4", bad: [("L4", s("素材质量好"))], good: [("L4", s("素材通过率不低于95%"))]),
        Case(rule: "kpi.unit", sample: plan, sheet: "主跟踪表", at: "M4", bad: [("M4", s("100张"))], good: [("M4", s("100%"))]),
        Case(rule: "kpi.notMet", sample: plan, sheet: "主跟踪表", at: "M3", bad: [("M3", s("8人"))], good: [("M3", s("12人"))]),
        Case(rule: "kpi.status", sample: plan, sheet: "主跟踪表", at: "O3", bad: [("O3", s("未达标"))], good: [("O3", s("达标"))]),
        Case(rule: "metric.mismatch", sample: plan, sheet: "效果分析表", at: "E4", bad: [("E4", n(9))], good: [("E4", n(8))]),
        Case(rule: "metric.roiDefinition", sample: plan, sheet: "效果分析表", at: "K3",
             bad: [("K3", n(2)), ("K4", n(1.6)), ("K5", n(3)), ("K6", n(3)), ("K7", n(1.4))],
             good: [("K3", n(3)), ("K4", n(2.6)), ("K5", n(4)), ("K6", n(4)), ("K7", n(2.4))]),
        Case(rule: "formula.own", sample: plan, sheet: "效果分析表", at: "E4", bad: [("E4", n(8))], good: [("E4", n(8))],
             badFormulas: [("E4", "ROUND(D4/C4*100,1)")]),
        Case(rule: "metric.funnel", sample: plan, sheet: "效果分析表", at: "F6", bad: [("F6", n(45_000))], good: [("F6", n(450))]),
        Case(rule: "status.overdue", sample: plan, sheet: "主跟踪表", at: "F6", bad: [("F6", s("2025-06-05"))], good: [("F6", s("2025-06-20"))]),
        Case(rule: "raci.accountable", sample: promo, sheet: "平台任务", at: "E3", bad: [("E3", s("R:店铺运营 C:设计"))], good: [("E3", s("R:店铺运营 A:天猫负责人 C:设计"))]),
        Case(rule: "raci.responsible", sample: promo, sheet: "平台任务", at: "E3", bad: [("E3", s("A:天猫负责人 C:设计"))], good: [("E3", s("店铺运营(R)、天猫负责人(A)"))]),
        Case(rule: "raci.unreadable", sample: promo, sheet: "平台任务", at: "E3", bad: [("E3", s("店铺运营负责"))], good: [("E3", s("R:店铺运营 A:天猫负责人"))]),
        Case(rule: "share.total", sample: promo, sheet: "活动总览", at: "B10", bad: [("B7", n(70))], good: [("B7", s("60%"))]),
        Case(rule: "checkbox.several", sample: card, sheet: "流程跟踪表", at: "G3", bad: [("G3", s("■未开始■进行中□已完成"))], good: [("G3", s("□未开始□进行中☑已完成"))]),
        Case(rule: "checkbox.invalid", sample: card, sheet: "流程跟踪表", at: "G3", bad: [("G3", s("完成"))], good: [("G3", s("已完成"))]),
        Case(rule: "deadline.rule", sample: card, sheet: "流程跟踪表", at: "F3", bad: [("F3", s("2025-05-02"))], good: [("F3", s("2025-05-01"))]),
        Case(rule: "cross.detailOwner", sample: plan, sheet: "阶段执行明细表", at: "D3", bad: [("D3", s("外包团队"))], good: [("D3", s("渠道经理"))]),
        Case(rule: "cross.detailDate", sample: plan, sheet: "阶段执行明细表", at: "A3", bad: [("A3", s("5.20"))], good: [("A3", s("6.1"))],
             setup: [("阶段执行明细表", "A1", s("推广阶段执行明细表(阶段:爆发期,时间:2025年6月1日-6月14日)"))]),
        Case(rule: "cross.effectChannel", sample: plan, sheet: "效果分析表", at: "A3", bad: [("A3", s("微博"))], good: [("A3", s("小红书KOL"))]),
        Case(rule: "cross.effectCost", sample: plan, sheet: "效果分析表", at: "H7", bad: [("H3", n(300_000))], good: [("H3", n(30_000))]),
    ]

    @Test func everyRuleHasACase() {
        // template.ambiguous needs a workbook of its own (no edit of a sample fits two templates
        // equally): RealWorldTests.templateSettlesAnAmbiguousSheet checks it through the binary.
        #expect(Set(Self.cases.map(\.rule)).union(["template.ambiguous"]) == Set(Rule.catalog.map(\.id.rawValue)))
        #expect(Set(Rule.catalog.map(\.id.rawValue)).count == Rule.catalog.count, "rule ids are unique")
        // Every id the compiler knows is in the catalog (a rule reported but not listed would have no severity).
        #expect(Set(RuleID.allCases) == Set(Rule.catalog.map(\.id)))
    }

    /// The user's guide lists every rule, each in a row of its own with an example.
    @Test func theGuideListsEveryRule() throws {
        let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/guide.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        let rows = Set(text.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) })
        #expect(Set(Rule.catalog.map(\.id.rawValue)).subtracting(rows).isEmpty, "rules missing from docs/guide.md: \(Set(Rule.catalog.map(\.id.rawValue)).subtracting(rows).sorted())")
        #expect(rows.filter { !$0.contains(" ") && ($0.contains(".") || $0 == "required") }.subtracting(Rule.catalog.map(\.id.rawValue)).isEmpty, "rules in the guide that do not exist")
    }

    static func edited(_ c: Case, _ edits: [(String, CellValue)], formulas: [(cell: String, formula: String)] = []) throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rule-\(UUID().uuidString).xlsx").path
        let editor = try WorkbookEditor(path: samples.appendingPathComponent(c.sample).path)
        for e in c.setup { try editor.setCell(e.cell, inSheet: e.sheet, value: e.value) }
        for (cell, value) in edits { try editor.setCell(cell, inSheet: c.sheet, value: value, formula: formulas.first { $0.cell == cell }?.formula) }
        try editor.save(to: out)
        return out
    }

    static func diagnostics(_ path: String) throws -> [Diagnostic] {
        let templates = try Template.builtinIDs.map(Template.builtin)
        return try Validator.validate(path: path, options: ValidationOptions(asOf: asOf, templates: templates)).diagnostics
    }

    @Test(arguments: cases) func ruleFiresOnTheFailingRowOnly(_ c: Case) throws {
        let bad = try Self.edited(c, c.bad, formulas: c.badFormulas), good = try Self.edited(c, c.good)
        defer { try? FileManager.default.removeItem(atPath: bad); try? FileManager.default.removeItem(atPath: good) }
        let fired = try Self.diagnostics(bad)
        let hit = fired.first { $0.rule.rawValue == c.rule && $0.sheet == c.sheet && ($0.cell?.description ?? "") == c.at }
        #expect(hit != nil, "\(c): not reported; got \(fired.map { "\($0.rule)@\($0.location)" })")
        if let hit {
            #expect(hit.severity == Rule.severity(of: RuleID(rawValue: c.rule)!))
            #expect(!hit.english.isEmpty && !hit.chinese.isEmpty && hit.english != hit.chinese, "\(c): both languages")
        }
        let passing = try Self.diagnostics(good)
        #expect(!passing.contains { $0.rule.rawValue == c.rule && $0.sheet == c.sheet && ($0.cell?.description ?? "") == c.at },
                "\(c): reported on the passing row: \(passing.filter { $0.rule.rawValue == c.rule }.map(\.english))")
    }
}
