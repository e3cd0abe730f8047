import Foundation
import Testing
import Templates
@testable import Rules
@testable import XLSX

/// The 数据看板 and 甘特图 recalc writes: the summary's numbers, charts whose cached points are the
/// cells they name, written anew in place when the plan changes and left alone when it does not.
@Suite struct DashboardTests {
    static let seed = RecalcTests.seed

    static func sheet(_ path: String, _ name: String) throws -> [String: Cell] {
        try RecalcTests.cells(path)[name] ?? [:]
    }

    /// Every chart part of the package, with the texts of its `c:f` references and cached points.
    static func charts(_ path: String) throws -> [String: String] {
        let book = try Workbook(path: path)
        var out: [String: String] = [:]
        for e in book.archive.entries where e.name.hasPrefix("xl/charts/chart") && e.name.hasSuffix(".xml") {
            out[e.name] = String(decoding: try book.archive.data(e), as: UTF8.self)
        }
        return out
    }

    /// The package's parts and the content types it declares agree: every part declared exists,
    /// every chart and drawing part is declared.
    static func declaredPartsExist(_ path: String) throws {
        let book = try Workbook(path: path)
        let declared = Set(book.contentTypes.overrides.keys.map { ($0.hasPrefix("/") ? String($0.dropFirst()) : $0).lowercased() })
        for name in declared { #expect(book.archive.entry(named: name) != nil, "declared but missing: \(name)") }
        for e in book.archive.entries where e.name.hasPrefix("xl/charts/") || (e.name.hasPrefix("xl/drawings/drawing") && e.name.hasSuffix(".xml")) {
            #expect(declared.contains(e.name.lowercased()), "not declared: \(e.name)")
        }
    }

    @Test func recalcWritesTheSummarysNumbersAndChartsOverThem() throws {
        let out = RecalcTests.temp("dash")
        defer { unlink(out) }
        let result = try Recalculator.recalc(path: Self.seed, to: out, options: try RecalcTests.options())
        #expect(result.dashboardSheets == ["数据看板", "甘特图"])
        let book = try Workbook(path: out)
        #expect(book.sheets.map(\.name) == ["主跟踪表", "阶段执行明细表", "效果分析表", "汇总", "数据看板", "甘特图"])
        let board = try Self.sheet(out, "数据看板"), summary = try Self.sheet(out, "汇总")
        // The phase table is the summary's, two rows lower: same values, formulas over the same cells.
        for r in 3...7 {
            for c in ["A", "B", "C", "D", "E", "F", "G", "H"] {
                let s = summary["\(c)\(r)"], d = board["\(c)\(r + 2)"]
                #expect(s?.value == d?.value, "\(c)\(r): 汇总 \(String(describing: s?.value)), 数据看板 \(String(describing: d?.value))")
                if r < 7 && (c == "B" || c == "E") { #expect(s?.formula == d?.formula) }
            }
        }
        #expect(board["A9"]?.value == .string("合计") && board["B9"]?.value == .number(6) && board["F9"]?.value == .number(268_000))
        // KPI status counts over the whole column, with the counts recalc found.
        #expect(board["A12"]?.value == .string("达标") && board["B12"]?.formula == "COUNTIF('主跟踪表'!O3:O202,\"达标\")" && board["B12"]?.value == .number(6))
        // The channels of the effect sheet, against the master plan's target (点击率≥2% in its KPIs).
        let channelRow = try #require(board.first { $0.value.value == .string("小红书KOL") && $0.key.hasPrefix("A") }?.key)
        let r = Int(channelRow.dropFirst())!
        #expect(board["G\(r)"]?.value == .number(8.38) && board["H\(r)"]?.value == .number(2) && board["M\(r)"]?.value == .number(2.68))
        #expect(board["B\(r)"]?.formula == "IF(COUNT('效果分析表'!C3:C4)=0,\"-\",SUM('效果分析表'!C3:C4))")
        // An offline channel without clicks: "-", not 0, and no CTR.
        #expect(board["C\(r + 2)"]?.value == .string("-") && board["G\(r + 2)"]?.value == .string("-"))
        // Each channel's contents: 小红书KOL's two, summed over their own rows.
        let content = try #require(board.first { $0.value.value == .string("小红书KOL · 腰部KOL(5篇)") }?.key)
        let c = Int(content.dropFirst())!
        #expect(board["B\(c)"]?.value == .number(650_000) && board["B\(c)"]?.formula == "IF(COUNT('效果分析表'!C4)=0,\"-\",SUM('效果分析表'!C4))" && board["G\(c)"]?.value == .number(8))
        // Eight charts (six, and two over the channels' contents); each cached point is the cell it names.
        let charts = try Self.charts(out)
        #expect(charts.count == 8)
        let budget = try #require(charts.values.first { $0.contains("各阶段预算与实际支出") })
        #expect(budget.contains("<c:f>'数据看板'!$F$5:$F$8</c:f>") && budget.contains("<c:v>104500</c:v>"))
        try Self.declaredPartsExist(out)
        // The Gantt: a row per task, formulas over the plan with its values.
        let gantt = try Self.sheet(out, "甘特图")
        #expect(gantt["B3"]?.formula == "IF('主跟踪表'!C3=\"\",\"\",'主跟踪表'!C3)" && gantt["B3"]?.value == .string("KOL名单筛选与签约"))
        #expect(gantt["B8"]?.value == .string("用户反馈整理与分析") && gantt["B9"] == nil)
    }

    @Test func aSecondRecalcChangesNothing() throws {
        let once = RecalcTests.temp("once"), twice = RecalcTests.temp("twice")
        defer { unlink(once); unlink(twice) }
        _ = try Recalculator.recalc(path: Self.seed, to: once, options: try RecalcTests.options())
        let second = try Recalculator.recalc(path: once, to: twice, options: try RecalcTests.options())
        #expect(second.changed.isEmpty, "\(second.changed)")
        #expect(second.dashboardSheets == ["数据看板", "甘特图"])
        #expect(try RecalcTests.cells(once).mapValues { $0.mapValues { "\($0.value) \($0.formula ?? "")" } }
                == RecalcTests.cells(twice).mapValues { $0.mapValues { "\($0.value) \($0.formula ?? "")" } })
        #expect(try Self.charts(once) == Self.charts(twice))
    }

    @Test func anEditedPlanRefreshesTheDashboardInPlace() throws {
        let once = RecalcTests.temp("once"), edited = RecalcTests.temp("edited"), again = RecalcTests.temp("again")
        defer { unlink(once); unlink(edited); unlink(again) }
        _ = try Recalculator.recalc(path: Self.seed, to: once, options: try RecalcTests.options())
        // A team raises a spend and misses a KPI: 小红书KOL笔记发布 (row 5) achieved 8万 of ≥20万.
        let editor = try WorkbookEditor(path: once)
        try editor.setCell("J3", inSheet: "主跟踪表", value: .number(60_000))
        try editor.setCell("M5", inSheet: "主跟踪表", value: .string("8万"))
        try editor.save(to: edited)
        let result = try Recalculator.recalc(path: edited, to: again, options: try RecalcTests.options())
        #expect(result.changed["数据看板"] != nil && result.changed["甘特图"] == nil)
        let book = try Workbook(path: again)
        #expect(book.sheets.map(\.name) == ["主跟踪表", "阶段执行明细表", "效果分析表", "汇总", "数据看板", "甘特图"])
        let board = try Self.sheet(again, "数据看板")
        #expect(board["F5"]?.value == .number(88_000) && board["F9"]?.value == .number(280_000))
        #expect(board["B12"]?.value == .number(5) && board["B14"]?.value == .number(1), "one task 未达标")
        // The task is listed, its cells formulas over the plan.
        #expect(board["B18"]?.formula == "IF('主跟踪表'!C5=\"\",\"\",'主跟踪表'!C5)" && board["B18"]?.value == .string("小红书KOL笔记发布(5篇)"))
        #expect(board["E18"]?.value == .string("未达标"))
        // The charts were written anew: eight of them still, caches the new cells.
        let charts = try Self.charts(again)
        #expect(charts.count == 8)
        let budget = try #require(charts.values.first { $0.contains("各阶段预算与实际支出") })
        #expect(budget.contains("<c:v>88000</c:v>") && !budget.contains("<c:v>76000</c:v>"))
        let status = try #require(charts.values.first { $0.contains("KPI 达标情况") })
        #expect(status.contains("<c:v>5</c:v>"))
        try Self.declaredPartsExist(again)
    }

    @Test func aSheetOfTheTeamsOfThatNameIsKept() throws {
        let own = RecalcTests.temp("own"), out = RecalcTests.temp("out")
        defer { unlink(own); unlink(out) }
        let editor = try WorkbookEditor(path: Self.seed)
        let sheet = try editor.addSheet("数据看板")
        try sheet.writeRow([WriteCell(.string("我们自己的看板(数据来自 tracksheet)"))])
        try sheet.writeRow([WriteCell(.number(42))])
        try editor.save(to: own)
        let result = try Recalculator.recalc(path: own, to: out, options: try RecalcTests.options())
        #expect(result.dashboardSheets == ["数据看板2", "甘特图"])
        let theirs = try Self.sheet(out, "数据看板")
        #expect(theirs.count == 2 && theirs["A1"]?.value == .string("我们自己的看板(数据来自 tracksheet)") && theirs["A2"]?.value == .number(42))
        #expect(try Self.sheet(out, "数据看板2")["B9"]?.value == .number(6))
    }

    @Test func noDashboardAddsNone() throws {
        let out = RecalcTests.temp("bare")
        defer { unlink(out) }
        var options = try RecalcTests.options()
        options.dashboard = false
        let result = try Recalculator.recalc(path: Self.seed, to: out, options: options)
        #expect(result.dashboardSheets.isEmpty)
        #expect(try Workbook(path: out).sheets.map(\.name) == ["主跟踪表", "阶段执行明细表", "效果分析表", "汇总"])
    }

    @Test func newWorkbooksGetThemOverTheirRows() throws {
        let path = RecalcTests.temp("new")
        defer { unlink(path) }
        let t = try Template.builtin("marketing-plan")
        try CampaignWorkbook.generate(t, .init(campaign: "618大促", start: CalendarDate("2025-05-01")!, end: CalendarDate("2025-07-23")!), to: path)
        let result = try Recalculator.addDashboards(path: path, options: RecalcOptions(asOf: CalendarDate("2025-05-01")!, templates: [t]))
        #expect(result.dashboardSheets == ["数据看板", "甘特图"])
        let book = try Workbook(path: path)
        #expect(book.sheets.map(\.name) == ["主跟踪表", "阶段执行明细表", "效果分析表", "数据看板", "甘特图"])
        let board = try Self.sheet(path, "数据看板")
        #expect(board["A1"]?.value == .string("618大促 数据看板"))
        #expect(board["A5"]?.value == .string("筹备期") && board["B5"]?.formula == "COUNTA('主跟踪表'!C3:C5)" && board["B5"]?.value == .number(3))
        #expect(board["A9"]?.value == .string("合计") && board["B9"]?.value == .number(12))
        // No channel rows yet: the three plan charts.
        #expect(try Self.charts(path).count == 3)
        // The Gantt: a column per week (twelve weeks) from the Monday of the first day; four formats.
        let gantt = try Self.sheet(path, "甘特图")
        #expect(gantt["G2"]?.value.portableJSON == .object([("date", .string("2025-04-28"))]))
        #expect(gantt["H2"]?.value.portableJSON == .object([("date", .string("2025-05-05"))]))
        let part = try #require(book.sheet(named: "甘特图")?.part)
        let xml = String(decoding: try book.archive.data(try #require(book.archive.entry(named: part))), as: UTF8.self)
        #expect(xml.components(separatedBy: "<cfRule ").count - 1 == 4 && xml.contains("TODAY()"))
        // A recalc of the new workbook leaves them as they are.
        let out = RecalcTests.temp("new-recalc")
        defer { unlink(out) }
        let again = try Recalculator.recalc(path: path, to: out, options: RecalcOptions(asOf: CalendarDate("2025-05-01")!, templates: [t]))
        #expect(again.changed["数据看板"] == nil && again.changed["甘特图"] == nil, "\(again.changed)")
    }
}

/// The other families' dashboards, and workbooks that are not tracksheet's.
@Suite struct FamilyDashboardTests {
    static let samples = SampleValidationTests.samples
    static let realWorld = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TracksheetCLITests/Fixtures/real-world")

    @Test func theMultiPlatformTrackerAgainstItsTargetShares() throws {
        let out = RecalcTests.temp("promo"), again = RecalcTests.temp("promo2")
        defer { unlink(out); unlink(again) }
        let result = try Recalculator.recalc(path: Self.samples.appendingPathComponent("multi-platform-618.xlsx").path, to: out, options: try RecalcTests.options())
        #expect(result.dashboardSheets == ["数据看板", "甘特图"])
        let board = try DashboardTests.sheet(out, "数据看板")
        // 天猫: 1,600,000 paid of the 5,000,000 target's 60%.
        #expect(board["A5"]?.value == .string("天猫") && board["B5"]?.value == .number(1_600_000) && board["D5"]?.value == .number(60))
        #expect(board["D5"]?.formula == "IF(ISNUMBER('活动总览'!B7),'活动总览'!B7,\"-\")")
        #expect(board["E5"]?.value == .number(3_000_000) && board["F5"]?.value == .number(53.3) && board["C5"]?.value == .number(59.7))
        // 私域 has a target and no monitoring rows yet.
        #expect(board["A7"]?.value == .string("私域") && board["B7"]?.value == .string("-") && board["E7"]?.value == .number(500_000))
        // The trend: a blank where a platform has no row at that time (the line skips it).
        // (the first of the two tables: sales; the second is exposure)
        let r = try #require(board.filter { $0.value.value == .string("6/18 12:00") }.compactMap { Int($0.key.dropFirst()) }.min())
        #expect(board["B\(r)"]?.value == .number(1_600_000) && (board["C\(r)"]?.value ?? .empty) == .empty && board["C\(r + 1)"]?.value == .number(1_080_000))
        // The review's 达成率 over its target and actual.
        let review = try #require(board.first { $0.value.value == .string("销售额(元)") }?.key)
        #expect(board["D\(review.dropFirst())"]?.value == .number(104))
        #expect(try DashboardTests.charts(out).count == 6)
        try DashboardTests.declaredPartsExist(out)
        // The platform tasks' Gantt: done is the state 已完成.
        let gantt = try DashboardTests.sheet(out, "甘特图")
        #expect(gantt["A3"]?.value == .string("天猫") && gantt["F3"]?.value == .string("已完成") && gantt["B5"]?.value == .string("社群预热与优惠券发放"))
        let second = try Recalculator.recalc(path: out, to: again, options: try RecalcTests.options())
        #expect(second.changed.isEmpty, "\(second.changed)")
    }

    @Test func theProcessCardByStageAndState() throws {
        let out = RecalcTests.temp("card")
        defer { unlink(out) }
        var options = try RecalcTests.options()
        options.asOf = CalendarDate("2025-05-20")!
        let result = try Recalculator.recalc(path: Self.samples.appendingPathComponent("process-card-spring.xlsx").path, to: out, options: options)
        #expect(result.dashboardSheets == ["数据看板"])
        let board = try DashboardTests.sheet(out, "数据看板")
        #expect(board["A8"]?.value == .string("执行落地") && board["B8"]?.value == .number(2) && board["D8"]?.value == .number(1) && board["E8"]?.value == .number(1))
        #expect(board["C5"]?.formula == "COUNTIF('流程跟踪表'!G3:G4,\"*■已完成*\")+COUNTIF('流程跟踪表'!G3:G4,\"已完成\")")
        #expect(board["A11"]?.value == .string("合计") && board["B11"]?.value == .number(15) && board["C11"]?.value == .number(8) && board["G11"]?.value == .number(3))
        // Three tasks past their deadline on 2025-05-20 and not done, listed.
        #expect(board["B15"]?.value == .string("活动正式启动") && board["E15"]?.value == .string("进行中") && board["B17"]?.value == .string("每日数据监控与预警"))
        #expect(try DashboardTests.charts(out).count == 2)
    }

    @Test(arguments: ["06-english", "27-english-multi-platform", "28-english-process-card"])
    func englishWorkbooksGetAnEnglishDashboard(name: String) throws {
        let out = RecalcTests.temp(name)
        defer { unlink(out) }
        let result = try Recalculator.recalc(path: Self.realWorld.appendingPathComponent("\(name).xlsx").path, to: out, options: try RecalcTests.options())
        #expect(result.dashboardSheets.first == "Dashboard")
        let board = try DashboardTests.sheet(out, "Dashboard")
        let texts = board.values.compactMap { if case .string(let s) = $0.value { s } else { nil } }
        #expect(!texts.contains { $0.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } }, "\(texts)")
        let charts = try DashboardTests.charts(out).values.joined()
        #expect(!charts.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF })
    }

    @Test func twoCampaignsGetADashboardEach() throws {
        let out = RecalcTests.temp("two"), again = RecalcTests.temp("two2")
        defer { unlink(out); unlink(again) }
        let result = try Recalculator.recalc(path: Self.realWorld.appendingPathComponent("05-two-campaigns.xlsx").path, to: out, options: try RecalcTests.options())
        #expect(result.dashboardSheets == ["数据看板", "甘特图", "数据看板2", "甘特图2"])
        #expect(try DashboardTests.sheet(out, "数据看板")["A1"]?.value == .string("618大促 数据看板"))
        #expect(try DashboardTests.sheet(out, "数据看板2")["A1"]?.value == .string("双11 数据看板"))
        let second = try Recalculator.recalc(path: out, to: again, options: try RecalcTests.options())
        #expect(second.changed.isEmpty, "\(second.changed)")
        #expect(second.dashboardSheets == ["数据看板", "甘特图", "数据看板2", "甘特图2"])
    }
}
