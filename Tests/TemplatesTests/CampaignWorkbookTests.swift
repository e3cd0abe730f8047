import Foundation
import Testing
import TestSupport
@testable import Templates
import XLSX

@Suite struct CampaignWorkbookTests {
    @Test func twelveWeeksGiveTheSeedsPhases() throws {
        let t = try Template.builtin("marketing-plan")
        let w = CampaignWorkbook.phaseWindows(t, start: CalendarDate("2025-05-01")!, end: CalendarDate("2025-07-23")!, language: .zh)
        #expect(w.map(\.name) == ["筹备期", "启动期", "爆发期", "收尾期"])
        #expect(w.map { "\($0.start)…\($0.end)" } == ["2025-05-01…2025-05-14", "2025-05-15…2025-05-28", "2025-05-29…2025-06-25", "2025-06-26…2025-07-23"])
    }

    @Test(arguments: [("2025-06-01", "2025-06-10"), ("2025-06-01", "2025-06-01"), ("2024-12-20", "2025-02-28")])
    func anyPeriodIsCoveredWithoutGapsOrOverlap(start: String, end: String) throws {
        let t = try Template.builtin("marketing-plan")
        let s = CalendarDate(start)!, e = CalendarDate(end)!
        let w = CampaignWorkbook.phaseWindows(t, start: s, end: e, language: .en)
        #expect(w.first?.start == s && w.last?.end == e)
        for (a, b) in zip(w, w.dropFirst()) { #expect(a.end <= b.start && a.start <= a.end, "\(w)") }
    }

    @Test(arguments: ["2025-05-01", "2025/5/1", "2025年5月1日", "2025.5.1"])
    func datesInTheFormsTeamsType(text: String) {
        #expect(CalendarDate(text) == CalendarDate(year: 2025, month: 5, day: 1))
    }

    @Test(arguments: ["2025-02-30", "202X-05-01", "5月1日", "", "2025-13-01"])
    func impossibleDatesAreRefused(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    /// A team's template file with a column type the code does not know is refused, saying where.
    @Test func anUnknownColumnTypeIsRefusedWithItsPlace() throws {
        let url = try TemplateFolder.shipped().appendingPathComponent("marketing-plan.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var sheets = try #require(json["sheets"] as? [[String: Any]])
        var columns = try #require(sheets[0]["columns"] as? [[String: Any]])
        columns[8]["type"] = "moneyy"
        sheets[0]["columns"] = columns
        json["sheets"] = sheets
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: bad) }
        try JSONSerialization.data(withJSONObject: json).write(to: bad)
        #expect(throws: TemplateError.self) { try Template.load(bad) }
        do { _ = try Template.load(bad) } catch let e as TemplateError {
            #expect(e.english.hasSuffix("is not valid: sheets[0].columns[8].type: \"moneyy\" is not a column type (\(Template.ColumnType.allCases.map(\.rawValue).joined(separator: ", ")))"), "\(e.english)")
            #expect(e.chinese.contains("sheets[0].columns[8].type:“moneyy”不是列类型"))
        }
        // Every type the shipped templates use is one the code knows (they load).
        for id in Template.builtinIDs { _ = try Template.builtin(id) }
    }

    @Test func theGeneratedWorkbookReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = try Template.builtin("marketing-plan")
        let options = CampaignWorkbook.Options(campaign: "618大促", start: CalendarDate("2025-05-01")!, end: CalendarDate("2025-07-23")!)
        try CampaignWorkbook.generate(t, options, to: path)
        let book = try Workbook(path: path)
        #expect(book.sheets.map(\.name) == ["主跟踪表", "阶段执行明细表", "效果分析表"])
        var rows: [Int: Row] = [:]
        let meta = try book.readSheet(book.sheets[0]) { rows[$0.index] = $0 }
        #expect(rows[1]?.cell(at: 1)?.value == .string("618大促 市场推广计划主跟踪表(推广周期:2025年5月1日-2025年7月23日)"))
        #expect(rows[2]?.cells.compactMap { if case .string(let s) = $0.value { s } else { nil } }.prefix(4) == ["推广阶段", "核心目标", "关键任务", "任务负责人"])
        #expect(rows[3]?.cell(at: 1)?.value == .string("筹备期") && rows[3]?.cell(at: 3)?.value == .string("KOL名单筛选与签约"))
        #expect(rows[3]?.cell(at: 5)?.value.portableJSON == .object([("date", .string("2025-05-01"))]))
        #expect(rows[14]?.cell(at: 6)?.value.portableJSON == .object([("date", .string("2025-07-23"))]))
        #expect(meta.mergedRanges.map(\.description).contains("A3:A5"))
        #expect(meta.dataValidations.first?.listItems == ["筹备期", "启动期", "爆发期", "收尾期"])
        #expect(meta.frozenAt?.description == "A3")
        var effect: [Int: Row] = [:]
        try book.readSheet(book.sheets[2]) { effect[$0.index] = $0 }
        #expect(effect[3]?.cell(at: 5)?.formula == "IF(AND(ISNUMBER(C3),ISNUMBER(D3),C3>0),ROUND(D3/C3*100,2),\"-\")")
        #expect(effect[3]?.cell(at: 5)?.value == .string("-"))
    }

    /// With TRACKSHEET_INTEROP_DIR set, leaves each template's workbook for
    /// Tests/interop/check_features.py (LibreOffice recalculates every formula).
    @Test func generatedForInterop() throws {
        guard let dir = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"] else { return }
        for id in Template.builtinIDs {
            try CampaignWorkbook.generate(try Template.builtin(id), .init(campaign: "618大促", start: CalendarDate("2025-05-01")!,
                                                                          end: CalendarDate("2025-07-23")!), to: "\(dir)/recalc-\(id).xlsx")
        }
    }

    @Test(arguments: [
        ("2025-05-31", 3, "2025-06-04"), ("2025-05-30", 1, "2025-06-02"), ("2025-06-02", 5, "2025-06-09"),
        ("2025-06-02", -1, "2025-05-30"), ("2025-06-04", 0, "2025-06-04"),
    ])
    func workingDaysSkipWeekends(from: String, days: Int, to: String) {
        #expect(CalendarDate(from)!.adding(workingDays: days) == CalendarDate(to)!)
    }

    /// Whole weeks jumped at once reach the day counting one working day at a time reaches, from
    /// every weekday, both ways; a count of years ends in bounded time.
    @Test func workingDaysByWeeksAgreeWithCountingThemOneByOne() {
        for start in 0..<14 {
            let from = CalendarDate("2025-06-01")!.adding(days: start)
            for n in -40...40 {
                var d = from, left = abs(n)
                while left > 0 { d = d.adding(days: n < 0 ? -1 : 1); if !d.isWeekend { left -= 1 } }
                #expect(from.adding(workingDays: n) == d, "\(from) + \(n) working days")
            }
        }
        #expect(CalendarDate("1900-01-03")!.adding(workingDays: -1_000_000) == CalendarDate("1900-01-01")!)
        #expect(CalendarDate("1900-01-02")!.adding(workingDays: -3) == CalendarDate("1900-01-01")!)
        #expect(CalendarDate("2025-06-02")!.adding(workingDays: 2_000_000_000).year == 9999)
    }

    @Test func weekdaysAreExcels() {
        #expect(CalendarDate("2025-05-01")!.weekday == 5) // a Thursday
        #expect(CalendarDate("2025-05-31")!.isWeekend && !CalendarDate("2025-06-02")!.isWeekend)
    }

    @Test func theProcessCardHasRulesAndDates() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("card-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = try Template.builtin("process-card")
        var o = CampaignWorkbook.Options(campaign: "春季焕新季", start: CalendarDate("2025-05-16")!, end: CalendarDate("2025-05-31")!)
        o.launch = CalendarDate("2025-05-16")!
        try CampaignWorkbook.generate(t, o, to: path)
        let book = try Workbook(path: path)
        var rows: [Int: Row] = [:]
        let meta = try book.readSheet(book.sheets[0]) { rows[$0.index] = $0 }
        // Seed 002's own rows first: 目标设定 at 活动启动前15天, 方案初稿撰写 at 活动启动前12天, 跨部门评审.
        #expect(rows[3]?.cell(at: 2)?.value == .string("目标设定") && rows[4]?.cell(at: 2)?.value == .string("方案初稿撰写"))
        #expect(rows[5]?.cell(at: 2)?.value == .string("跨部门评审"))
        #expect(rows[3]?.cell(at: 5)?.value == .string("活动启动前15天") && rows[4]?.cell(at: 5)?.value == .string("活动启动前12天"))
        #expect(rows[3]?.cell(at: 6)?.value.portableJSON == .object([("date", .string("2025-05-01"))]))
        #expect(rows[15]?.cell(at: 5)?.value == .string("活动结束后3个工作日内"))
        #expect(rows[15]?.cell(at: 6)?.value.portableJSON == .object([("date", .string("2025-06-04"))]))
        #expect(rows[3]?.cell(at: 7)?.value == .string("□未开始□进行中□已完成"))
        #expect(meta.dataValidations.contains { $0.listItems?.contains("□未开始□进行中■已完成") == true })
        #expect(meta.mergedRanges.map(\.description).contains("A3:A4") && meta.mergedRanges.map(\.description).contains("A5:A7"))
        let m = try HeaderMatcher.detect(in: book, templates: Template.builtinIDs.map { try Template.builtin($0) })
        #expect(m.first?.templateID == "process-card" && m.first?.missingRequired == [])
    }

    @Test func theMultiPlatformTrackerHasAnOverviewAndItsSheets() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mp-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CampaignWorkbook.generate(try Template.builtin("multi-platform-promo"),
                                      .init(campaign: "618大促", start: CalendarDate("2025-05-20")!, end: CalendarDate("2025-06-20")!), to: path)
        let book = try Workbook(path: path)
        #expect(book.sheets.map(\.name) == ["活动总览", "平台任务", "每日进度", "数据监控", "复盘"])
        var overview: [Int: Row] = [:]
        try book.readSheet(book.sheets[0]) { overview[$0.index] = $0 }
        #expect(overview[3]?.cell(at: 2)?.value == .string("618大促"))
        #expect(overview[7]?.cell(at: 2)?.value == .number(60))
        #expect(overview[10]?.cell(at: 2)?.formula == "SUM(B7:B9)" && overview[10]?.cell(at: 2)?.value == .number(100))
        var review: [Int: Row] = [:]
        try book.readSheet(book.sheets[4]) { review[$0.index] = $0 }
        #expect(review[3]?.cell(at: 1)?.value == .string("销售额(元)"))
        #expect(review[3]?.cell(at: 4)?.formula == "IF(AND(ISNUMBER(B3),ISNUMBER(C3),B3>0),ROUND(C3/B3*100,1),\"-\")")
        let m = try HeaderMatcher.detect(in: book, templates: Template.builtinIDs.map { try Template.builtin($0) })
        #expect(m.map(\.templateSheet) == ["overview", "platformTasks", "daily", "monitoring", "review"])
        #expect(Set(m.map(\.templateID)) == ["multi-platform-promo"])
    }
}

@Suite("The templates' messages")
struct TemplateMessageTests {
    @Test func catalogsHaveEveryKeyInBothLanguages() { MessageCatalogs.check(TemplateMessageKey.self) }

    @Test func aBrokenTemplateFileIsExplainedInEitherLanguage() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"id": "x"}"#.utf8).write(to: url)
        do {
            _ = try Template.load(url)
            Issue.record("a template without its keys was read")
        } catch let e as TemplateError {
            #expect(e.english == "the template file \(url.path) is not valid: lacks \"version\"")
            #expect(e.chinese == "模板文件 \(url.path) 格式不正确:缺少“version”")
        }
    }
}
