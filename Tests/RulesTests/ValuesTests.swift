import Testing
import Templates
@testable import Rules
import XLSX

/// SPEC §3: the ways people write numbers, percents, dates, times, KPIs and states.
@Suite struct ValuesTests {
    @Test(arguments: [
        ("50,000", 50_000.0, false), ("¥50,000", 50_000, false), ("5万", 50_000, false), ("1.2亿", 120_000_000, false),
        ("20万+", 200_000, false), ("2.1%", 2.1, true), ("520条", 520, false), ("10人", 10, false), ("￥1,234.5", 1234.5, false),
        ("3.5w", 35_000, false), ("15k", 15_000, false), ("100%", 100, true), ("2万元", 20_000, false), (" 7 ", 7, false),
    ])
    func quantities(_ text: String, _ value: Double, _ percent: Bool) throws {
        let q = try #require(Values.quantity(.string(text)).value, "\(text)")
        #expect(abs(q.value - value) < 1e-9 && q.isPercent == percent, "\(text) → \(q)")
    }

    @Test func noValueAndInvalid() {
        for marker in ["-", "—", "/", "无", "N/A"] {
            guard case .noValue = Values.quantity(.string(marker)) else { Issue.record("\(marker) is no value"); continue }
        }
        for bad in ["三万", "很多", "10人左右", "1.2.3"] {
            guard case .invalid = Values.quantity(.string(bad)) else { Issue.record("\(bad) is not a number"); continue }
        }
        guard case .blank = Values.quantity(.empty) else { Issue.record("empty is blank"); return }
    }

    @Test func percentPoints() {
        // 10.0, 10% and 0.1 shown through a % format all mean ten percent.
        #expect(Values.percent(.number(10), percentFormat: false).value?.value == 10)
        #expect(Values.percent(.string("10%"), percentFormat: false).value?.value == 10)
        #expect(abs((Values.percent(.number(0.1), percentFormat: true).value?.value ?? 0) - 10) < 1e-9)
        #expect(Values.isPercentFormat("0.0%") && Values.isPercentFormat("#10") && !Values.isPercentFormat("0.0\"%\""))
        #expect(Values.formatDecimals("#,##0.00") == 2 && Values.formatDecimals("0.0") == 1 && Values.formatDecimals("#,##0") == 0)
        #expect(Values.formatDecimals("yyyy-mm-dd") == nil && Values.formatDecimals("#2") == 2)
    }

    @Test(arguments: [
        ("2025-05-01", "2025-05-01", "2025-05-01"), ("2025/5/1", "2025-05-01", "2025-05-01"), ("2025年5月1日", "2025-05-01", "2025-05-01"),
        ("5月1日", "2025-05-01", "2025-05-01"), ("5.1", "2025-05-01", "2025-05-01"), ("6.2-6.5", "2025-06-02", "2025-06-05"),
        ("6.2-5", "2025-06-02", "2025-06-05"), ("2025年6月1日-6月14日", "2025-06-01", "2025-06-14"), ("6月2日至6月5日", "2025-06-02", "2025-06-05"),
        ("2025-06-01 10:00", "2025-06-01", "2025-06-01"), ("12.28-1.3", "2025-12-28", "2026-01-03"),
    ])
    func dates(_ text: String, _ start: String, _ end: String) {
        let s = DateParser.parse(.string(text), year: 2025).span
        #expect(s?.start == CalendarDate(start) && s?.end == CalendarDate(end), "\(text) → \(String(describing: s))")
    }

    @Test func dateSerialsPlaceholdersAndNonsense() {
        let serial = CalendarDate("2025-05-01")!.serial
        #expect(DateParser.parse(.date(ExcelDateTime(serial: serial)), year: nil).date == CalendarDate("2025-05-01"))
        // The 1904 system: the same day has a serial 1,462 lower.
        #expect(DateParser.parse(.date(ExcelDateTime(serial: serial - 1462, is1904: true)), year: nil).date == CalendarDate("2025-05-01"))
        #expect(DateParser.parse(.number(serial), year: nil).date == CalendarDate("2025-05-01"))
        #expect(DateParser.parse(.string("202X-05-01"), year: 2025) == .placeholder)
        #expect(DateParser.parse(.string("202X年X月X日"), year: 2025) == .placeholder)
        #expect(DateParser.parse(.string("下周"), year: 2025) == .invalid)
        #expect(DateParser.parse(.string("2025-02-30"), year: 2025) == .invalid)
        #expect(DateParser.parse(.string("-"), year: 2025) == .noValue)
    }

    @Test func times() {
        #expect(DateParser.time(.string("17:00"), year: 2025).value == TimePoint(date: nil, minutes: 17 * 60))
        #expect(DateParser.time(.string("6.5 18:00"), year: 2025).value == TimePoint(date: CalendarDate("2025-06-05"), minutes: 18 * 60))
        #expect(DateParser.time(.string("6月9日 12:00"), year: 2025).value == TimePoint(date: CalendarDate("2025-06-09"), minutes: 12 * 60))
        #expect(DateParser.time(.date(ExcelDateTime(serial: 0.75)), year: nil).value == TimePoint(date: nil, minutes: 18 * 60))
        guard case .invalid = DateParser.time(.string("25:00"), year: 2025) else { Issue.record("25:00 is not a time"); return }
    }

    @Test func kpis() throws {
        let a = try #require(KPI.parse("签约KOL数量≥10人"))
        #expect(a.metric == "签约KOL数量" && a.direction == .atLeast && a.target.value == 10 && a.target.unit == "人")
        let b = try #require(KPI.parse("笔记总阅读量≥20万"))
        #expect(b.target.value == 200_000 && abs(b.achievement(Values.quantity(text: "22万")!)! - 110) < 1e-9)
        let c = try #require(KPI.parse("点击率≥2%"))
        #expect(c.target.isPercent && c.comparable(Values.quantity(text: "2.1%")!) && !c.comparable(Values.quantity(text: "21人")!))
        let d = try #require(KPI.parse("素材通过率100%"))
        #expect(d.direction == .atLeast && d.target.value == 100 && d.metric == "素材通过率")
        let e = try #require(KPI.parse("获客成本≤150元"))
        #expect(e.lessIsBetter && abs(e.achievement(Values.quantity(text: "200元")!)! - 75) < 1e-9)
        let f = try #require(KPI.parse("获客成本150元"))
        #expect(f.lessIsBetter, "cost-like metrics are less-is-better without a comparator")
        let g = try #require(KPI.parse("ROI≥1:4"))
        #expect(g.target.value == 4)
        #expect(KPI.parse("观看人数不低于20万")?.target.value == 200_000)
        #expect(KPI.parse("UGC内容产出5000条+")?.direction == .atLeast)
        #expect(KPI.parse("曝光量500万以上")?.target.value == 5_000_000)
        #expect(KPI.parse("单价不超过99元")?.direction == .atMost)
        #expect(KPI.parse("提升品牌影响力") == nil)
    }

    @Test func statesAndCheckboxes() {
        #expect(StateValue.parse("已完成(延期1小时)") == StateValue(state: "已完成", note: "延期1小时"))
        #expect(StateValue.parse("进行中(截至6.9 10:00,消耗2万)").state == "进行中")
        let labels = ["未开始", "进行中", "已完成"]
        #expect(CheckboxState.parse("□未开始□进行中■已完成", labels: labels) == .one("已完成"))
        #expect(CheckboxState.parse("□未开始☑进行中□已完成", labels: labels) == .one("进行中"))
        #expect(CheckboxState.parse("√未开始 □进行中 □已完成", labels: labels) == .one("未开始"))
        #expect(CheckboxState.parse("已完成", labels: labels) == .one("已完成"))
        #expect(CheckboxState.parse("■已完成", labels: labels) == .one("已完成"))
        #expect(CheckboxState.parse("□未开始□进行中□已完成", labels: labels) == .unmarked)
        #expect(CheckboxState.parse("■未开始■进行中□已完成", labels: labels) == .several(["未开始", "进行中"]))
        #expect(CheckboxState.parse("完成", labels: labels) == .invalid)
    }

    @Test func raciAndDeadlines() {
        let r = RACI.parse("R:店铺运营 A:天猫负责人 C:设计 I:客服")
        #expect(r?.accountableCount == 1 && r?.responsibleCount == 1 && r?.roles["I"] == ["客服"])
        #expect(RACI.parse("R:甲、乙 A:丙")?.responsibleCount == 2)
        #expect(RACI.parse("张三(A)、李四(R)")?.accountableCount == 1)
        #expect(RACI.parse("A:甲 A:乙")?.accountableCount == 2)
        #expect(RACI.parse("店铺运营负责") == nil)
        let launch = CalendarDate("2025-05-16")!, end = CalendarDate("2025-05-31")!
        #expect(DeadlineRule.parse("活动启动前15天")?.date(launch: launch, end: end) == CalendarDate("2025-05-01"))
        #expect(DeadlineRule.parse("活动结束后3个工作日内")?.date(launch: launch, end: end) == CalendarDate("2025-06-04"))
        #expect(DeadlineRule.parse("活动启动当天")?.date(launch: launch, end: end) == launch)
        #expect(DeadlineRule.parse("15 days before launch")?.days == -15)
        // Found by the values fuzz target: a count of days past ten years is not a rule (counting
        // 99,999,999 working days one by one hung; the day after 9999 crashed).
        #expect(DeadlineRule.parse("活动启动前99999999个工作日") == nil)
        #expect(DeadlineRule.parse("活动启动后3660天")?.days == 3660)
        #expect(CalendarDate(serial: .nan) == CalendarDate(year: 1900, month: 1, day: 1))
        #expect(CalendarDate(serial: 1e300) == CalendarDate(year: 9999, month: 12, day: 31))
    }

    @Test func ratiosFromTheTemplate() throws {
        let effect = try #require(try Template.builtin("marketing-plan").sheets.first { $0.id == "effect" })
        let ratios = Ratio.of(effect, roi: "ratio")
        #expect(ratios.map(\.key) == ["ctr", "cvr", "cpa", "roi"])
        let inputs: [String: Double] = ["impressions": 150_000, "clicks": 15_000, "conversions": 225, "cost": 30_000, "sales": 90_000]
        #expect(ratios.map { $0.compute { inputs[$0] } } == [10.0, 1.5, 133.33, 3.0])
        let net = Ratio.of(effect, roi: "net").first { $0.key == "roi" }!
        #expect(net.compute { inputs[$0] } == 2.0)
        #expect(net.formula(row: 3) { ["sales": "J", "cost": "H"][$0] } == "IF(AND(ISNUMBER(J3),ISNUMBER(H3),H3>0),ROUND((J3-H3)/H3,2),\"-\")")
        // The per-row pattern recalc uses gives the same text as the formula made for each row.
        let letters = ["impressions": "C", "clicks": "D", "conversions": "F", "cost": "H", "sales": "J"]
        for r in ratios + [net] {
            let pattern = try #require(r.pattern { letters[$0] })
            for row in [1, 2, 9, 10, 999, 50_001, 1_048_576] { #expect(pattern.text(row: row) == r.formula(row: row) { letters[$0] }) }
        }
        #expect(Ratio.round(2.675, 2) == 2.68 && Ratio.round(-1.5, 0) == -2, "Excel rounds half away from zero")
    }
}

/// The validator's shortcuts give what the slow forms they replace give.
@Suite struct ShortcutTests {
    @Test func totalWordScanMissesNoTotalWord() {
        // Every spelling normalize() folds into a total word must pass the byte scan.
        let spellings = ["合计", "合 计", "总计", "小计", "总预算", "预算合计", "TOTAL", "Total", "ｔｏｔａｌ", "Ｔｏｔａｌ", "Sub Total",
                         "subtotal", "合计：", "\u{3000}合计\u{3000}", "（合计）"]
        for s in spellings { #expect(Validator.mayNameTotal(s), "\(s)") }
        for s in Validator.totalWords { #expect(Validator.mayNameTotal(s), "\(s)") }
        // And most texts fail it (the point of it).
        for s in ["小红书KOL", "素材12", "达标", "预警", "未达标", "建议3", "抖音信息流", "B站UP主"] { #expect(!Validator.mayNameTotal(s), "\(s)") }
    }

    @Test func blankWithoutMakingText() {
        let values: [CellValue] = [.empty, .string(""), .string("  "), .string("\u{3000}"), .string(" a "), .string("\t\n"), .number(0),
                                   .number(1.5), .bool(false), .error("#N/A"), .error(" "), .date(ExcelDateTime(serial: 45_000))]
        for v in values { #expect(Values.isBlank(v) == Values.trimmed(Values.text(v)).isEmpty, "\(v)") }
    }

    @Test func trimmedKeepsInnerSpaceAndDropsOuter() {
        #expect(Values.trimmed("abc") == "abc")
        #expect(Values.trimmed(" a b ") == "a b")
        #expect(Values.trimmed("\u{3000}合计\u{3000}") == "合计")
        #expect(Values.trimmed("合计 ") == "合计")
        #expect(Values.trimmed("a\u{3000}") == "a")
        #expect(Values.trimmed("") == "")
    }
}

/// The index the channel check uses answers as comparing the channel with every task text does.
@Suite struct RelatedTextsTests {
    /// The rule, one pair at a time: one contains the other, or they share a run of three characters.
    static func related(_ a: String, _ b: String) -> Bool {
        let x = HeaderMatcher.normalize(a), y = HeaderMatcher.normalize(b)
        if x.isEmpty || y.isEmpty { return false }
        if x.contains(y) || y.contains(x) { return true }
        let xs = Array(x)
        guard xs.count >= 3 else { return false }
        for i in 0...(xs.count - 3) where y.contains(String(xs[i..<(i + 3)])) { return true }
        return false
    }

    @Test func theIndexAgreesWithComparingOneByOne() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("小红书抖音KOL直播信息流ab")
        func word() -> String { String((0..<Int.random(in: 1...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        for _ in 0..<300 {
            let texts = (0..<Int.random(in: 1...6, using: &generator)).map { _ in word() }
            let index = Validator.RelatedTexts(texts)
            for _ in 0..<20 {
                let channel = word()
                #expect(index.relates(channel) == texts.contains { Self.related(channel, $0) }, "\(channel) against \(texts)")
            }
        }
    }
}
