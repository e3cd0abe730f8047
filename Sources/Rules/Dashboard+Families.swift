import Foundation
import Templates
import XLSX

// MARK: - The multi-platform tracker's dashboard and Gantt

extension Recalculator {
    /// The platforms the overview splits the sales target between, by field key, and the names a
    /// monitoring sheet gives them.
    static let sharePlatforms: [(key: String, zh: String, en: String, names: [String])] = [
        ("tmallShare", "天猫", "Tmall", ["天猫", "tmall", "淘宝"]),
        ("douyinShare", "抖音", "Douyin", ["抖音", "douyin", "tiktok"]),
        ("privateShare", "私域", "Private domain", ["私域", "private", "社群", "企微", "小程序"]),
    ]

    /// A field of the overview as a formula sees it: `'活动总览'!B7` (×100 under a percent format,
    /// so a share is in points), with its value; nil when the overview has no such field.
    func field(_ key: String) -> (formula: String, value: CellValue)? {
        guard let o = book.mapping("overview"), let f = book.fields[o.sheetName]?[key] else { return nil }
        let ref = "\(SheetWriter.quoted(o.sheetName))!\(f.ref)"
        let percent = book.numberFormat(f.cell.styleIndex).percent
        let n = Self.excelNumber(f.cell).map { percent ? $0 * 100 : $0 }
        return ("IF(ISNUMBER(\(ref)),\(ref)\(percent ? "*100" : ""),\"-\")", n.map { .number(Ratio.round($0, 6)) } ?? .string("-"))
    }

    /// The multi-platform tracker's 数据看板: sales, exposure and orders per platform against the
    /// overview's target shares; the 数据监控 trend of sales and exposure per platform by day and
    /// time point; the review's 达成率 per metric. Six charts over those cells.
    func platformDashboard() throws {
        let zh = book.isChinese
        let monitoring = book.mapping("monitoring"), review = book.mapping("review")
        guard monitoring != nil || review != nil else { return }
        let campaign = campaignName
        let title = campaign.isEmpty ? (zh ? "数据看板" : "Dashboard") : (zh ? "\(campaign) 数据看板" : "\(campaign) dashboard")
        let inputs = ["paid", "impressions", "orders"]
        // One pass over the monitoring rows: the sums per platform, and the trend — a point per
        // day and time point, in order.
        struct Point { var date: Double?; var label: String; var minutes: Int; var rows: [String: [Int]] = [:]; var sums: [String: [String: Double]] = [:] }
        var points: [Point] = []
        var pointIndex: [String: Int] = [:]
        let groups = try monitoring.map { mon in
            try grouped(mon, by: ["platform"], summing: inputs, unnamed: zh ? "(未填平台)" : "(no platform)") { row in
                guard mon.columns["platform"] != nil, row.has("platform"), row.has("paid") || row.has("impressions") else { return }
                let d = book.date(row.value("date")).date
                let (time, minutes) = Self.timeLabel(row.value("time"))
                let label = (d.map { "\($0.month)/\($0.day)" } ?? row.text("date")) + (time.isEmpty ? "" : " " + time)
                let i = pointIndex[label] ?? { pointIndex[label] = points.count; points.append(Point(date: d?.serial, label: label, minutes: minutes)); return points.count - 1 }()
                points[i].rows[row.text("platform"), default: []].append(row.index)
                for k in ["paid", "impressions"] { if let n = Self.excelNumber(row.cells[k]) { points[i].sums[row.text("platform"), default: [:]][k, default: 0] += n } }
            }
        } ?? []
        points.sort { ($0.date ?? .infinity, $0.minutes) < ($1.date ?? .infinity, $1.minutes) }
        points = Array(points.prefix(200))

        try place(base: Self.dashboardName(chinese: zh), title: title) { name in
            let sources = [monitoring?.sheetName, book.mapping("overview")?.sheetName, review?.sheetName].compactMap { $0 }
            var p = SheetPlan.dashboard(name, title: title, note: zh ? "各数字均为按“\(sources.joined(separator: "”“"))”计算的公式(数据监控各行相加),图表随数据更新;tracksheet recalc 与 sync 每次运行时重写本表"
                                                            : "Every number is a formula over \(sources.map { "\"\($0)\"" }.joined(separator: ", ")) (the monitoring rows added up); the charts follow the data; tracksheet recalc and sync write this sheet anew each run")
            p.widths = [(1, 1, 16), (2, 9, 13)]
            let head = SheetPlan.head, plain = SheetPlan.plain
            let money = CellStyle(numberFormat: "#,##0", border: true, vertical: .center), one = CellStyle(numberFormat: "0.0", border: true, vertical: .center)
            func anchor(_ row: Int, rows: Int = 16) -> CellRange {
                CellRange(first: CellReference(row: row, column: 11), last: CellReference(row: row + rows - 1, column: 18))
            }
            // The charts two abreast right of the tables, in the order they are added.
            func add(_ chart: Chart) {
                var c = chart
                let i = p.charts.count, top = 3 + (i / 2) * 17, left = 11 + (i % 2) * 9
                c.anchor = CellRange(first: CellReference(row: top, column: left), last: CellReference(row: top + 15, column: left + 7))
                p.charts.append(c)
            }
            var r = 4

            // Per platform, against the overview's split of the sales target.
            if let mon = monitoring {
                let heads = zh ? ["平台", "支付金额(元)", "销售占比(%)", "目标占比(%)", "目标销售额(元)", "销售达成率(%)", "曝光量", "曝光占比(%)", "下单量"]
                               : ["Platform", "Paid (CNY)", "Sales share %", "Target share %", "Sales target (CNY)", "Sales achieved %", "Impressions", "Exposure share %", "Orders"]
                p.row(r, heads.map { WriteCell(.string($0), style: head) }, height: 30)
                let headRow = r
                var rows: [(name: String, group: Channel?, share: (formula: String, value: CellValue)?)] = []
                var used = Set<Int>()
                for sp in Self.sharePlatforms {
                    guard let share = field(sp.key) else { continue }
                    let g = groups.firstIndex { g in sp.names.contains { g.name.lowercased().contains($0) } }
                    if let g { used.insert(g) }
                    rows.append((g.map { groups[$0].name } ?? (zh ? sp.zh : sp.en), g.map { groups[$0] }, share))
                }
                for (i, g) in groups.enumerated() where !used.contains(i) { rows.append((g.name, g, nil)) }
                let first = r + 1, last = r + rows.count, total = last + 1
                let target = field("salesTarget")
                let paidTotal = groups.compactMap { $0.sums["paid"] }.reduce(0, +), seenTotal = groups.compactMap { $0.sums["impressions"] }.reduce(0, +)
                for row in rows {
                    r += 1
                    func sum(_ k: String) -> (CellValue, String?) {
                        guard let c = mon.columns[k], let g = row.group else { return (.string("-"), nil) }
                        return Self.sum(g.rows, c, sheet: mon.sheetName, g.sums[k])
                    }
                    let paid = sum("paid"), seen = sum("impressions"), orders = sum("orders")
                    let paidN = paid.0.number, seenN = seen.0.number
                    let shareN = row.share?.value.number
                    let targetN = target?.value.number
                    let targetSales: CellValue = shareN.flatMap { s in targetN.map { .number(($0 * s / 100).rounded()) } } ?? .string("-")
                    p.row(r, [
                        WriteCell(.string(row.name), style: plain),
                        WriteCell(paid.0, formula: paid.1, style: money),
                        WriteCell(paidN.map { paidTotal > 0 ? .number(Ratio.round($0 / paidTotal * 100, 1)) : .string("-") } ?? .string("-"),
                                  formula: "IF(AND(ISNUMBER(B\(r)),ISNUMBER(B$\(total)),B$\(total)>0),ROUND(B\(r)/B$\(total)*100,1),\"-\")", style: one),
                        WriteCell(row.share?.value ?? .string("-"), formula: row.share?.formula, style: one),
                        WriteCell(targetSales, formula: target.map { "IF(AND(ISNUMBER(D\(r)),ISNUMBER(\($0.formula))),ROUND(\($0.formula)*D\(r)/100,0),\"-\")" }, style: money),
                        WriteCell(paidN.flatMap { p in targetSales.number.flatMap { $0 > 0 ? .number(Ratio.round(p / $0 * 100, 1)) : nil } } ?? .string("-"),
                                  formula: "IF(AND(ISNUMBER(B\(r)),ISNUMBER(E\(r)),E\(r)>0),ROUND(B\(r)/E\(r)*100,1),\"-\")", style: one),
                        WriteCell(seen.0, formula: seen.1, style: money),
                        WriteCell(seenN.map { seenTotal > 0 ? .number(Ratio.round($0 / seenTotal * 100, 1)) : .string("-") } ?? .string("-"),
                                  formula: "IF(AND(ISNUMBER(G\(r)),ISNUMBER(G$\(total)),G$\(total)>0),ROUND(G\(r)/G$\(total)*100,1),\"-\")", style: one),
                        WriteCell(orders.0, formula: orders.1, style: money),
                    ])
                }
                r += 1
                let bold = CellStyle(numberFormat: "#,##0", bold: true, border: true, vertical: .center)
                let sumRange = { (c: String) in "SUM(\(c)\(first):\(c)\(max(first, last)))" }
                func totalOf(_ k: String) -> Double { groups.compactMap { $0.sums[k] }.reduce(0, +) }
                let targetTotal = (first...max(first, last)).compactMap { p.value($0, 5).number }.reduce(0, +)
                p.row(r, [WriteCell(.string(zh ? "合计" : "Total"), style: CellStyle(bold: true, border: true)),
                          WriteCell(.number(totalOf("paid")), formula: sumRange("B"), style: bold),
                          WriteCell(.empty, style: plain), WriteCell(.empty, style: plain),
                          WriteCell(targetTotal > 0 ? .number(targetTotal) : .string("-"), formula: "IF(COUNT(E\(first):E\(max(first, last)))=0,\"-\",SUM(E\(first):E\(max(first, last))))", style: bold),
                          WriteCell(targetTotal > 0 ? .number(Ratio.round(totalOf("paid") / targetTotal * 100, 1)) : .string("-"),
                                    formula: "IF(AND(ISNUMBER(B\(r)),ISNUMBER(E\(r)),E\(r)>0),ROUND(B\(r)/E\(r)*100,1),\"-\")", style: one),
                          WriteCell(.number(totalOf("impressions")), formula: sumRange("G"), style: bold),
                          WriteCell(.empty, style: plain),
                          WriteCell(.number(totalOf("orders")), formula: sumRange("I"), style: bold)])
                if last >= first {
                    let platforms = first...last
                    add(Chart(kind: .bar(), title: zh ? "各平台支付金额与目标销售额" : "Paid and sales target by platform", categories: p.texts(1, platforms),
                              series: [.init(name: heads[1], nameFormula: p.reference(2, headRow...headRow), values: p.numbers(2, platforms), color: "4472C4"),
                                       .init(name: heads[4], nameFormula: p.reference(5, headRow...headRow), values: p.numbers(5, platforms), color: "A5A5A5")],
                              anchor: anchor(3), valueFormat: "#,##0"))
                    add(Chart(kind: .bar(), title: zh ? "销售占比与目标占比(%)" : "Sales share and target share %", categories: p.texts(1, platforms),
                              series: [.init(name: heads[2], nameFormula: p.reference(3, headRow...headRow), values: p.numbers(3, platforms), color: "70AD47"),
                                       .init(name: heads[3], nameFormula: p.reference(4, headRow...headRow), values: p.numbers(4, platforms), kind: .line, color: "C00000")],
                              anchor: anchor(3), dataLabels: true))
                    add(Chart(kind: .bar(), title: zh ? "各平台曝光量" : "Impressions by platform", categories: p.texts(1, platforms),
                              series: [.init(name: heads[6], nameFormula: p.reference(7, headRow...headRow), values: p.numbers(7, platforms), color: "ED7D31")],
                              anchor: anchor(3), valueFormat: "#,##0"))
                }
                r += 2

                // The trend, a column per platform: sales, then exposure.
                let names = groups.map(\.name)
                if !points.isEmpty, !names.isEmpty {
                    for (k, words) in [("paid", zh ? ("支付金额趋势(按日期与时点)", "支付金额") : ("Paid by day and time point", "Paid")),
                                       ("impressions", zh ? ("曝光量趋势(按日期与时点)", "曝光量") : ("Impressions by day and time point", "Impressions"))] {
                        guard let c = mon.columns[k] else { continue }
                        p.row(r, [WriteCell(.string(words.0), style: CellStyle(bold: true))])
                        r += 1
                        let headRow = r
                        p.row(r, ([zh ? "时点" : "Time"] + names).map { WriteCell(.string($0), style: head) })
                        for point in points {
                            r += 1
                            p.row(r, [WriteCell(.string(point.label), style: plain)] + names.map { n in
                                // No row of the platform at that time: a blank, which the line skips (a "-" would plot as 0).
                                guard let rows = point.rows[n] else { return WriteCell(.empty, style: money) }
                                let s = Self.sum(rows, c, sheet: mon.sheetName, point.sums[n]?[k])
                                return WriteCell(s.0, formula: s.1, style: money)
                            })
                        }
                        let span = (headRow + 1)...r
                        add(Chart(kind: .line, title: words.0, categories: p.texts(1, span),
                                  series: names.indices.map { i in .init(name: names[i], nameFormula: p.reference(2 + i, headRow...headRow), values: p.numbers(2 + i, span)) },
                                  anchor: anchor(3), valueFormat: "#,##0"))
                        r += 2
                    }
                }
            }

            // The review's 达成率 per metric, over its target and actual.
            if let rev = review, let tc = rev.columns["target"], let ac = rev.columns["actual"], let mc = rev.columns["metric"] {
                var metrics: [(row: Int, metric: String, target: CellValue, actual: CellValue, t: Double?, a: Double?)] = []
                try book.rows(of: rev) { row in
                    guard !row.isTotal, row.has("metric") else { return }
                    metrics.append((row.index, row.text("metric"), row.value("target"), row.value("actual"),
                                    Self.excelNumber(row.cells["target"]), Self.excelNumber(row.cells["actual"])))
                }
                if !metrics.isEmpty {
                    p.row(r, [WriteCell(.string(zh ? "复盘达成率(按“\(rev.sheetName)”)" : "Review (from \"\(rev.sheetName)\")"), style: CellStyle(bold: true))])
                    r += 1
                    let heads = zh ? ["指标", "目标值", "实际值", "达成率(%)", "目标(%)"] : ["Metric", "Target", "Actual", "Achieved %", "Target %"]
                    let headRow = r
                    p.row(r, heads.map { WriteCell(.string($0), style: head) })
                    let ref = { (c: Int, row: Int) in "\(SheetWriter.quoted(rev.sheetName))!\(CellReference.columnName(c))\(row)" }
                    for m in metrics.prefix(100) {
                        r += 1
                        func shown(_ v: CellValue) -> CellValue { v.isEmpty ? .string("") : v }
                        p.row(r, [WriteCell(.string(m.metric), formula: "IF(\(ref(mc, m.row))=\"\",\"\",\(ref(mc, m.row)))", style: plain),
                                  WriteCell(shown(m.target), formula: "IF(\(ref(tc, m.row))=\"\",\"\",\(ref(tc, m.row)))", style: money),
                                  WriteCell(shown(m.actual), formula: "IF(\(ref(ac, m.row))=\"\",\"\",\(ref(ac, m.row)))", style: money),
                                  WriteCell(m.t.flatMap { t in m.a.flatMap { t > 0 ? .number(Ratio.round($0 / t * 100, 1)) : nil } } ?? .string("-"),
                                            formula: "IF(AND(ISNUMBER(B\(r)),ISNUMBER(C\(r)),B\(r)>0),ROUND(C\(r)/B\(r)*100,1),\"-\")", style: one),
                                  WriteCell(.number(100), style: one)])
                    }
                    let span = (headRow + 1)...r
                    add(Chart(kind: .bar(), title: zh ? "复盘:各指标达成率(%)" : "Review: achieved % by metric", categories: p.texts(1, span),
                              series: [.init(name: heads[3], nameFormula: p.reference(4, headRow...headRow), values: p.numbers(4, span), color: "4472C4"),
                                       .init(name: heads[4], nameFormula: p.reference(5, headRow...headRow), values: p.numbers(5, span), kind: .line, color: "C00000")],
                              anchor: anchor(3), dataLabels: true))
                }
            }
            return p
        }
    }

    /// `12:00` for a time point typed as text or held as a time of day, and its minutes since
    /// midnight as validate reads them (`DateParser.time`; 0 when it reads none).
    static func timeLabel(_ v: CellValue) -> (String, Int) {
        let minutes: Int? = if case .value(let t) = DateParser.time(v, year: nil) { t.minutes } else { nil }
        switch v {
        case .string(let s): return (Values.trimmed(s), minutes ?? 0)
        case .number, .date:
            guard let minutes else { return ("", 0) }
            return (String(format: "%d:%02d", minutes / 60, minutes % 60), minutes)
        default: return ("", 0)
        }
    }

    /// The platform tasks' Gantt: a row per task (platform, task, milestone, start, finish, state).
    func platformGantt() throws {
        guard let m = book.mapping("platformTasks") else { return }
        let zh = book.isChinese
        var rows: [Gantt.Task] = []
        var total = 0
        try book.rows(of: m) { row in
            guard !row.isTotal, row.has("task") else { return }
            total += 1
            guard rows.count < Gantt.maxRows else { return }
            rows.append(Gantt.Task(row: row.index, values: Gantt.platformKeys.map { row.isInherited($0) ? .empty : row.cells[$0]?.value ?? .empty },
                                   start: book.date(row.value("start")).date, end: book.date(row.value("finish")).date))
        }
        let spec = book.sheetSpec(m)?.columns.first { $0.key == "state" }
        let done = [spec?.allowed?[safe: 2] ?? "已完成", spec?.allowedEn?[safe: 2] ?? "Done"]
        try gantt(m, keys: Gantt.platformKeys, heads: zh ? ["平台", "任务", "关键节点", "开始时间", "完成时间", "状态"] : ["Platform", "Task", "Milestone", "Start", "Finish", "State"],
                  rows, total: total, done: "OR(" + done.map { "$F3=\"\($0)\"" }.joined(separator: ",") + ")", doneIsDate: false)
    }
}

// MARK: - The process card's dashboard

extension Recalculator {
    /// The process card's 数据看板: tasks by stage and state (未开始 / 进行中 / 已完成, and unmarked),
    /// overdue tasks by stage as of the day the run judges by, and the overdue tasks listed. The
    /// counts are formulas over the card's state cells when every state is written the card's way
    /// (`■已完成`, or the state alone); otherwise the values this run read.
    func processDashboard() throws {
        guard let m = book.mapping("process"), let stateColumn = m.columns["state"] else { return }
        let zh = book.isChinese
        let labels = CheckboxState.cardLabels
        let english = ["Not started", "In progress", "Done"]
        struct Card { var row: Int; var stage: String; var task: String; var owner: String; var state: String?; var deadline: CalendarDate? }
        var cards: [Card] = []
        var formulaMatches = true
        try book.rows(of: m) { row in
            guard !row.isTotal, row.has("task") else { return }
            let text = row.text("state")
            let state: String? = if case .one(let s) = CheckboxState.parse(text, labels: labels) { s } else { nil }
            // What the COUNTIFs below count, in the workbook's language: a mark right before the
            // label (`■已完成`, `■Done`), or the label alone (COUNTIF ignores case).
            let word = { (i: Int) in zh ? labels[i] : english[i] }
            let counted = labels.indices.filter { i in text.contains("■" + word(i)) || text.lowercased() == word(i).lowercased() }
            if counted.count > 1 || (counted.first.map { labels[$0] } != state) { formulaMatches = false }
            cards.append(Card(row: row.index, stage: row.text("stage"), task: row.text("task"), owner: row.text("owner"), state: state,
                              deadline: book.date(row.value("deadline")).date))
        }
        guard !cards.isEmpty else { return }
        let campaign = campaignName
        let title = campaign.isEmpty ? (zh ? "数据看板" : "Dashboard") : (zh ? "\(campaign) 数据看板" : "\(campaign) dashboard")
        let asOf = options.asOf
        let overdue = cards.filter { c in c.state != labels[2] && (c.deadline.map { $0 < asOf } ?? false) }
        var stages: [(name: String, cards: [Card])] = []
        for c in cards {
            let name = c.stage.isEmpty ? (zh ? "(未分阶段)" : "(no stage)") : c.stage
            if let i = stages.firstIndex(where: { $0.name == name }) { stages[i].cards.append(c) } else { stages.append((name, [c])) }
        }
        try place(base: Self.dashboardName(chinese: zh), title: title) { name in
            var p = SheetPlan.dashboard(name, title: title, note: zh ? "按“\(m.sheetName)”的完成状态计算,图表随数据更新;逾期按 \(asOf.chinese) 判断;tracksheet recalc 与 sync 每次运行时重写本表"
                                                            : "From the states on \"\(m.sheetName)\"; the charts follow the data; overdue as of \(asOf.iso); tracksheet recalc and sync write this sheet anew each run")
            p.widths = [(1, 1, 14), (2, 8, 11), (9, 9, 24)]
            let head = SheetPlan.head, plain = SheetPlan.plain, one = CellStyle(numberFormat: "0.0", border: true, vertical: .center)
            let heads = zh ? ["活动阶段", "任务数", "已完成", "进行中", "未开始", "未标记", "逾期", "完成率(%)"]
                           : ["Stage", "Tasks", "Done", "In progress", "Not started", "Unmarked", "Overdue", "Done %"]
            p.row(4, heads.map { WriteCell(.string($0), style: head) }, height: 30)
            let sheetRef = SheetWriter.quoted(m.sheetName)
            let taskColumn = m.columns["task"] ?? stateColumn
            var r = 4
            for s in stages {
                r += 1
                let rows = s.cards.map(\.row)
                func count(_ i: Int) -> WriteCell {
                    let n = Double(s.cards.filter { $0.state == labels[i] }.count)
                    guard formulaMatches else { return WriteCell(.number(n), style: plain) }
                    let f = Self.runs(rows).map { run -> String in
                        let range = Self.range(run, stateColumn, sheet: sheetRef)
                        let w = zh ? labels[i] : english[i]
                        return "COUNTIF(\(range),\"*■\(w)*\")+COUNTIF(\(range),\"\(w)\")"
                    }.joined(separator: "+")
                    return WriteCell(.number(n), formula: Self.fitting(f), style: plain)
                }
                let tasks = Double(s.cards.count)
                let done = Double(s.cards.filter { $0.state == labels[2] }.count)
                p.row(r, [WriteCell(.string(s.name), style: plain),
                          WriteCell(.number(tasks), formula: Self.fitting("COUNTA(\(Self.ranges(rows, taskColumn, sheet: sheetRef)))"), style: plain),
                          count(2), count(1), count(0),
                          WriteCell(.number(tasks - Double(s.cards.filter { $0.state != nil }.count)), formula: formulaMatches ? "B\(r)-C\(r)-D\(r)-E\(r)" : nil, style: plain),
                          WriteCell(.number(Double(overdue.filter { o in s.cards.contains { $0.row == o.row } }.count)), style: plain),
                          WriteCell(tasks > 0 ? .number(Ratio.round(done / tasks * 100, 1)) : .string("-"), formula: "IF(B\(r)>0,ROUND(C\(r)/B\(r)*100,1),\"-\")", style: one)])
            }
            let stageRows = 5...r
            r += 1
            let bold = CellStyle(bold: true, border: true, vertical: .center)
            let sums = (2...7).map { c in WriteCell(.number(stageRows.compactMap { p.value($0, c).number }.reduce(0, +)),
                                                    formula: "SUM(\(CellReference.columnName(c))\(stageRows.lowerBound):\(CellReference.columnName(c))\(stageRows.upperBound))", style: bold) }
            let all = Double(cards.count), allDone = Double(cards.filter { $0.state == labels[2] }.count)
            p.row(r, [WriteCell(.string(zh ? "合计" : "Total"), style: bold)] + sums
                  + [WriteCell(all > 0 ? .number(Ratio.round(allDone / all * 100, 1)) : .string("-"), formula: "IF(B\(r)>0,ROUND(C\(r)/B\(r)*100,1),\"-\")", style: one)])
            r += 2

            // The overdue tasks, as the card's cells.
            p.row(r, [WriteCell(.string(zh ? "逾期任务(截止日期已过仍未完成,按 \(asOf.chinese))" : "Overdue tasks (past their deadline and not done, as of \(asOf.iso))"), style: CellStyle(bold: true))])
            r += 1
            let listHeads = zh ? ["活动阶段", "任务名称", "责任人", "截止日期", "完成状态"] : ["Stage", "Task", "Owner", "Deadline", "State"]
            p.row(r, listHeads.map { WriteCell(.string($0), style: head) })
            for c in overdue.prefix(30) {
                r += 1
                func cell(_ key: String, _ value: CellValue, format: String? = nil) -> WriteCell {
                    guard let col = m.columns[key] else { return WriteCell(value, style: plain) }
                    let ref = "\(sheetRef)!\(CellReference.columnName(col))\(c.row)"
                    return WriteCell(value.isEmpty ? .string("") : value, formula: "IF(\(ref)=\"\",\"\",\(ref))", style: CellStyle(numberFormat: format, border: true, vertical: .center))
                }
                let row = cards.first { $0.row == c.row }!
                p.row(r, [WriteCell(.string(row.stage), style: plain), cell("task", .string(row.task)), cell("owner", .string(row.owner)),
                          WriteCell(row.deadline.map { .date(ExcelDateTime(serial: $0.serial)) } ?? .string("-"), style: CellStyle(numberFormat: "yyyy-mm-dd", border: true)),
                          WriteCell(.string(row.state.map { s in zh ? s : labels.firstIndex(of: s).map { english[$0] } ?? s } ?? (zh ? "未标记" : "Unmarked")), style: plain)])
            }
            if overdue.isEmpty { r += 1; p.row(r, [WriteCell(.string(zh ? "(无)" : "(none)"))]) }
            else if overdue.count > 30 { r += 1; p.row(r, [WriteCell(.string(zh ? "……另有 \(overdue.count - 30) 项" : "… and \(overdue.count - 30) more"))]) }

            func anchor(_ row: Int) -> CellRange { CellRange(first: CellReference(row: row, column: 11), last: CellReference(row: row + 15, column: 18)) }
            p.charts.append(Chart(kind: .bar(), title: zh ? "各阶段任务完成状态" : "Tasks by stage and state", categories: p.texts(1, stageRows),
                                  series: [(3, "70AD47"), (4, "FFC000"), (5, "A5A5A5"), (7, "C00000")].map { c, color in
                                      .init(name: heads[c - 1], nameFormula: p.reference(c, 4...4), values: p.numbers(c, stageRows), color: color)
                                  }, anchor: anchor(3)))
            p.charts.append(Chart(kind: .bar(), title: zh ? "各阶段完成率(%)" : "Done % by stage", categories: p.texts(1, stageRows),
                                  series: [.init(name: heads[7], nameFormula: p.reference(8, 4...4), values: p.numbers(8, stageRows), color: "4472C4")],
                                  anchor: anchor(20), dataLabels: true))
            return p
        }
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
