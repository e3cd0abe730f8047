import Foundation
import Templates
import XLSX

// MARK: - 数据看板 (Dashboard)

/// The 数据看板 of a marketing plan, written by recalc (and by sync, export and new through it)
/// and written anew by every later run: the summary's table by phase and for the campaign, the
/// KPI status counts, the tasks in 预警 and 未达标, the effect sheet's channels with CTR, CVR, cost
/// per acquisition and ROI against the master plan's targets, and six native charts over those
/// cells. Every number is a formula over the data sheets with the value this run computed, and
/// every chart's cached points are the cells it names, so previews show the right picture and
/// Excel, WPS and LibreOffice keep it live as the plan is edited.
extension Recalculator {
    static func dashboardName(chinese: Bool) -> String { chinese ? "数据看板" : "Dashboard" }

    /// A target for a channel ratio from a KPI of the master plan (`点击率≥2%`, `ROI≥3`,
    /// `获客成本≤50元`); the first one of each wins.
    static func noteTarget(_ kpi: KPI, in targets: inout [String: Double]) {
        let metric = kpi.metric.lowercased()
        let key: String
        if metric.contains("点击率") || metric.contains("ctr") { key = "ctr" }
        else if metric.contains("转化率") || metric.contains("cvr") { key = "cvr" }
        else if metric.contains("获客成本") || metric.contains("cpa") { key = "cpa" }
        else if metric.contains("roi") || metric.contains("投资回报") || metric.contains("投入产出") { key = "roi" }
        else { return }
        guard targets[key] == nil else { return }
        let q = kpi.target
        switch key {
        case "ctr", "cvr": targets[key] = q.isPercent || q.value > 1 ? q.value : q.value * 100
        case "roi": targets[key] = q.isPercent ? q.value / 100 : q.value
        default: targets[key] = q.value
        }
    }

    /// Rows of a sheet that share a name (a channel, a platform): the rows, and the sums of their numbers.
    struct Channel {
        var name: String
        var rows: [Int] = []
        var sums: [String: Double] = [:]
    }

    static let channelInputs = ["impressions", "clicks", "conversions", "cost", "sales"]

    /// The active campaign's name as its titles (or its sheets' names) give it; "" when none does.
    var campaignName: String {
        book.titleCampaign ?? (book.campaignNames.indices.contains(book.activeGroup) ? book.campaignNames[book.activeGroup] ?? "" : "")
    }

    /// The rows of `m` by the names in columns `keys` (merged cells name each row they cover), in the
    /// order the names first appear, with the sums of `inputs` (numbers only: text is not summed,
    /// as a formula does not sum it). Totals are left out, and rows without a name or a number.
    /// `each` sees every row grouped, for what else a caller gathers in the same pass.
    func grouped(_ m: SheetMapping, by keys: [String], summing inputs: [String], unnamed: String,
                 each: (TableRow) -> Void = { _ in }) throws -> [Channel] {
        var out: [Channel] = []
        var index: [String: Int] = [:]
        try book.rows(of: m) { row in
            guard !row.isTotal, inputs.contains(where: { row.has($0) }) || keys.contains(where: { row.has($0) }) else { return }
            defer { each(row) }
            // Several keys name a group by what each says: `小红书KOL · 达人笔记`.
            let said = keys.map { row.text($0) }.filter { !$0.isEmpty }.joined(separator: " · ")
            let name = said.isEmpty ? unnamed : said
            let i = index[name] ?? { index[name] = out.count; out.append(Channel(name: name)); return out.count - 1 }()
            out[i].rows.append(row.index)
            for k in inputs { if let n = Self.excelNumber(row.cells[k]) { out[i].sums[k, default: 0] += n } }
        }
        return out
    }

    /// The effect sheet's channels in the order they first appear (totals left out), and its
    /// channels with their contents when the sheet names contents (`小红书KOL · 达人笔记`).
    func channels() throws -> (mapping: SheetMapping, channels: [Channel], contents: [Channel])? {
        guard let e = book.mapping("effect"), e.columns["channel"] != nil,
              Self.channelInputs.contains(where: { e.columns[$0] != nil }) else { return nil }
        let unnamed = book.isChinese ? "(未填渠道)" : "(no channel)"
        let out = try grouped(e, by: ["channel"], summing: Self.channelInputs, unnamed: unnamed)
        let contents = e.columns["content"] == nil ? [] : try grouped(e, by: ["channel", "content"], summing: Self.channelInputs, unnamed: unnamed)
        return out.isEmpty ? nil : (e, out, contents.count > out.count ? contents : [])
    }

    /// `IF(COUNT(r)=0,"-",SUM(r))` over a column of `rows` of a sheet, with its value: what the rows
    /// add up to, "-" when none holds a number.
    static func sum(_ rows: [Int], _ column: Int, sheet: String, _ total: Double?) -> (CellValue, String?) {
        let range = ranges(rows, column, sheet: SheetWriter.quoted(sheet))
        return (total.map { .number((($0) * 1e9).rounded() / 1e9) } ?? .string("-"), fitting("IF(COUNT(\(range))=0,\"-\",SUM(\(range)))"))
    }

    func dashboard(_ m: SheetMapping, _ tasks: [TaskRow], weightColumn: Int?) throws {
        let zh = book.isChinese
        let campaign = campaignName
        let title = campaign.isEmpty ? (zh ? "数据看板" : "Dashboard") : (zh ? "\(campaign) 数据看板" : "\(campaign) dashboard")
        let effect = try channels()
        let statusWords = KPIStatus.words(chinese: zh, english: book.sheetSpec(m)?.columns.first { $0.key == "status" }?.allowedEn)
        let roiNet = roiDefinition == "net"
        try place(base: Self.dashboardName(chinese: zh), title: title) { name in
            let sources = [m.sheetName] + (effect.map { [$0.mapping.sheetName] } ?? [])
            var p = SheetPlan.dashboard(name, title: title, note: zh ? "各数字均为按“\(sources.joined(separator: "”“"))”计算的公式,图表随数据更新;tracksheet recalc 与 sync 每次运行时重写本表"
                                                            : "Every number is a formula over \(sources.map { "\"\($0)\"" }.joined(separator: " and ")); the charts follow the data; tracksheet recalc and sync write this sheet anew each run")
            p.widths = [(1, 1, 16), (2, 14, 12)]
            let head = SheetPlan.head, plain = SheetPlan.plain
            func styled(_ c: (CellValue, String?, String?), bold: Bool = false) -> WriteCell {
                WriteCell(c.0, formula: c.1, style: CellStyle(numberFormat: c.2, bold: bold, border: true, vertical: .center))
            }

            // The summary's table by phase, and the campaign's total.
            let table = phaseTable(m, tasks, weightColumn: weightColumn, first: 5)
            p.row(4, table.headers.map { WriteCell(.string($0), style: head) }, height: 30)
            for (i, cells) in table.rows.enumerated() { p.row(5 + i, cells.map { styled($0, bold: i == table.rows.count - 1) }) }
            let phaseRows = 5...(4 + table.rows.count - 1), withTotal = 5...(4 + table.rows.count)
            var r = 5 + table.rows.count + 1

            // KPI status counts, over the whole 达标情况 column.
            let statusTitle = r
            p.row(r, [WriteCell(.string(zh ? "达标情况" : "KPI status"), style: head), WriteCell(.string(zh ? "任务数" : "Tasks"), style: head)])
            let words = [statusWords.met, statusWords.warning, statusWords.notMet]
            let statusRange = m.columns["status"].map { c -> String in
                let l = CellReference.columnName(c), last = max(tasks.last?.row ?? 3, m.headerRow + 200)
                return "\(SheetWriter.quoted(m.sheetName))!\(l)\(m.headerRow + 1):\(l)\(last)"
            }
            for w in words {
                r += 1
                let count = Double(tasks.filter { $0.status == w }.count)
                p.row(r, [WriteCell(.string(w), style: plain),
                          WriteCell(.number(count), formula: statusRange.map { "COUNTIF(\($0),\"\(w.replacingOccurrences(of: "\"", with: "\"\""))\")" }, style: plain)])
            }
            let statusRows = (statusTitle + 1)...r
            r += 2

            // The tasks in 预警 and 未达标, as the master plan's cells.
            let flagged = tasks.filter { $0.status == statusWords.warning || $0.status == statusWords.notMet }
            p.row(r, [WriteCell(.string(zh ? "预警与未达标任务" : "Tasks in warning or not met"), style: CellStyle(bold: true))])
            r += 1
            let listHeads = zh ? ["阶段", "关键任务", "负责人", "达成率(%)", "达标情况"] : ["Phase", "Task", "Owner", "Achieved %", "KPI status"]
            p.row(r, listHeads.map { WriteCell(.string($0), style: head) })
            let shown = 30
            for t in flagged.prefix(shown) {
                r += 1
                func cell(_ key: String, _ value: CellValue, format: String? = nil) -> WriteCell {
                    guard let c = m.columns[key] else { return WriteCell(value, style: plain) }
                    let ref = "\(SheetWriter.quoted(m.sheetName))!\(CellReference.columnName(c))\(t.row)"
                    return WriteCell(value.isEmpty ? .string("") : value, formula: "IF(\(ref)=\"\",\"\",\(ref))", style: CellStyle(numberFormat: format, border: true, vertical: .center))
                }
                p.row(r, [WriteCell(.string(t.phase), style: plain), cell("task", .string(t.task)), cell("owner", .string(t.owner)),
                          WriteCell(t.rate.map { .number(Ratio.round($0, 1)) } ?? .string("-"), style: CellStyle(numberFormat: "0.0", border: true)),
                          cell("status", .string(t.status))])
            }
            if flagged.isEmpty {
                r += 1
                p.row(r, [WriteCell(.string(zh ? "(无)" : "(none)"))])
            } else if flagged.count > shown {
                r += 1
                p.row(r, [WriteCell(.string(zh ? "……另有 \(flagged.count - shown) 项,见“\(m.sheetName)”" : "… and \(flagged.count - shown) more in \"\(m.sheetName)\""))])
            }

            // Charts beside the tables: budget and spend, progress, KPI status.
            func anchor(_ row: Int, _ column: Int, rows: Int = 16, columns: Int = 8) -> CellRange {
                CellRange(first: CellReference(row: row, column: column), last: CellReference(row: row + rows - 1, column: column + columns - 1))
            }
            p.charts.append(Chart(kind: .bar(), title: zh ? "各阶段预算与实际支出" : "Budget and spend by phase", categories: p.texts(1, phaseRows),
                                  series: [.init(name: table.headers[4], nameFormula: p.reference(5, 4...4), values: p.numbers(5, phaseRows), color: "5B9BD5"),
                                           .init(name: table.headers[5], nameFormula: p.reference(6, 4...4), values: p.numbers(6, phaseRows), color: "ED7D31")],
                                  anchor: anchor(3, 10), valueFormat: "#,##0"))
            p.charts.append(Chart(kind: .bar(), title: zh ? "执行进度(%):各阶段与合计" : "Progress % by phase and overall", categories: p.texts(1, withTotal),
                                  series: [.init(name: table.headers[3], nameFormula: p.reference(4, 4...4), values: p.numbers(4, withTotal), color: "70AD47")],
                                  anchor: anchor(19, 10), dataLabels: true))
            p.charts.append(Chart(kind: .doughnut, title: zh ? "KPI 达标情况" : "KPI status", categories: p.texts(1, statusRows),
                                  series: [.init(name: zh ? "任务数" : "Tasks", nameFormula: p.reference(2, statusTitle...statusTitle), values: p.numbers(2, statusRows),
                                                 pointColors: ["70AD47", "FFC000", "C00000"])],
                                  anchor: anchor(35, 10), dataLabels: true))

            // The channels of the effect sheet, against the master plan's targets.
            if let effect {
                r = max(r + 2, 52)
                let e = effect.mapping
                p.row(r, [WriteCell(.string(zh ? "各渠道效果(按“\(e.sheetName)”)" : "Channels (from \"\(e.sheetName)\")"), style: CellStyle(bold: true))])
                r += 1
                let unit = e.units["cost"].flatMap { $0.factor != 1 ? $0.label : nil }
                let heads = zh ? ["渠道", "曝光量", "点击量", "转化量", "成本\(unit.map { "(\($0))" } ?? "")", "销售额\(unit.map { "(\($0))" } ?? "")",
                                  "点击率(%)", "目标点击率(%)", "转化率(%)", "目标转化率(%)", "获客成本", "目标获客成本", "ROI", "目标ROI"]
                               : ["Channel", "Impressions", "Clicks", "Conversions", "Cost\(unit.map { " (\($0))" } ?? "")", "Sales\(unit.map { " (\($0))" } ?? "")",
                                  "CTR %", "Target CTR %", "CVR %", "Target CVR %", "CPA", "Target CPA", "ROI", "Target ROI"]
                let rounding: (Double) -> CellValue = { .number(Ratio.round($0, 2)) }
                func ratio(_ top: Double?, _ bottom: Double?, _ scale: Double, _ f: String) -> (CellValue, String) {
                    guard let top, let bottom, bottom > 0 else { return (.string("-"), f) }
                    return (rounding(top / bottom * scale), f)
                }
                /// A table of groups (channels, or channels with contents) from the row after `r`:
                /// its header row and its rows.
                func ratioTable(_ groups: [Channel], first name: String) -> (headRow: Int, rows: ClosedRange<Int>) {
                  let headRow = r
                  p.row(r, [WriteCell(.string(name), style: head)] + heads.dropFirst().map { WriteCell(.string($0), style: head) }, height: 30)
                  let first = r + 1
                  for ch in groups {
                    r += 1
                    var cells = [WriteCell(.string(ch.name), style: plain)]
                    for k in Self.channelInputs {
                        guard let c = e.columns[k] else { cells.append(WriteCell(.string("-"), style: plain)); continue }
                        // A channel without a number in the column (an offline event's clicks: "-") shows "-", not 0.
                        let sum = Self.sum(ch.rows, c, sheet: e.sheetName, ch.sums[k])
                        cells.append(WriteCell(sum.0, formula: sum.1, style: CellStyle(numberFormat: "#,##0.##", border: true, vertical: .center)))
                    }
                    let s = { (k: String) -> Double? in ch.sums[k] }
                    let two = CellStyle(numberFormat: "0.00", border: true, vertical: .center)
                    func target(_ k: String) -> WriteCell { targets[k].map { WriteCell(.number($0), style: two) } ?? WriteCell(.string("-"), style: plain) }
                    let ctr = ratio(s("clicks"), s("impressions"), 100, "IF(AND(ISNUMBER(B\(r)),ISNUMBER(C\(r)),B\(r)>0),ROUND(C\(r)/B\(r)*100,2),\"-\")")
                    let cvr = ratio(s("conversions"), s("clicks"), 100, "IF(AND(ISNUMBER(C\(r)),ISNUMBER(D\(r)),C\(r)>0),ROUND(D\(r)/C\(r)*100,2),\"-\")")
                    let cpa = ratio(s("cost"), s("conversions"), 1, "IF(AND(ISNUMBER(D\(r)),ISNUMBER(E\(r)),D\(r)>0),ROUND(E\(r)/D\(r),2),\"-\")")
                    let roi: (CellValue, String) = {
                        let f = roiNet ? "IF(AND(ISNUMBER(E\(r)),ISNUMBER(F\(r)),E\(r)>0),ROUND((F\(r)-E\(r))/E\(r),2),\"-\")"
                                       : "IF(AND(ISNUMBER(E\(r)),ISNUMBER(F\(r)),E\(r)>0),ROUND(F\(r)/E\(r),2),\"-\")"
                        guard let cost = s("cost"), let sales = s("sales"), cost > 0 else { return (.string("-"), f) }
                        return (rounding(roiNet ? (sales - cost) / cost : sales / cost), f)
                    }()
                    cells += [WriteCell(ctr.0, formula: ctr.1, style: two), target("ctr"), WriteCell(cvr.0, formula: cvr.1, style: two), target("cvr"),
                              WriteCell(cpa.0, formula: cpa.1, style: two), target("cpa"), WriteCell(roi.0, formula: roi.1, style: two), target("roi")]
                    p.row(r, cells)
                  }
                  return (headRow, first...r)
                }
                var (headRow, rows) = ratioTable(effect.channels, first: heads[0])
                func versus(_ title: String, _ pairs: [(value: Int, target: Int, key: String, color: String)], at column: Int) -> Chart {
                    var series: [Chart.Series] = []
                    for pair in pairs {
                        series.append(.init(name: heads[pair.value - 1], nameFormula: p.reference(pair.value, headRow...headRow), values: p.numbers(pair.value, rows), color: pair.color))
                    }
                    for pair in pairs where targets[pair.key] != nil {
                        series.append(.init(name: heads[pair.target - 1], nameFormula: p.reference(pair.target, headRow...headRow), values: p.numbers(pair.target, rows),
                                            kind: .line, color: pair.key == "cvr" ? "7F6000" : "C00000"))
                    }
                    return Chart(kind: .bar(), title: title, categories: p.texts(1, rows), series: series, anchor: anchor(r + 2, column, columns: 6), dataLabels: true)
                }
                p.charts.append(versus(zh ? "各渠道点击率与转化率(%)" : "CTR and CVR % by channel",
                                       [(7, 8, "ctr", "4472C4"), (9, 10, "cvr", "FFC000")], at: 1))
                p.charts.append(versus(zh ? "各渠道获客成本" : "Cost per acquisition by channel", [(11, 12, "cpa", "ED7D31")], at: 7))
                p.charts.append(versus(zh ? "各渠道 ROI" : "ROI by channel", [(13, 14, "roi", "70AD47")], at: 13))
                // Each channel's contents, when the sheet names several for one channel.
                if !effect.contents.isEmpty {
                    r += 19
                    p.row(r, [WriteCell(.string(zh ? "各渠道各内容效果" : "Channels and contents"), style: CellStyle(bold: true))])
                    r += 1
                    (headRow, rows) = ratioTable(effect.contents, first: zh ? "渠道 · 内容" : "Channel · content")
                    p.charts.append(versus(zh ? "各内容点击率与转化率(%)" : "CTR and CVR % by content",
                                           [(7, 8, "ctr", "4472C4"), (9, 10, "cvr", "FFC000")], at: 1))
                    p.charts.append(versus(zh ? "各内容 ROI" : "ROI by content", [(13, 14, "roi", "70AD47")], at: 7))
                }
            }
            return p
        }
    }

    /// Writes a sheet of tracksheet's (`base`, `base`2 … for a workbook of several campaigns):
    /// left alone when it already holds exactly what `build` plans, written anew in its place
    /// when it holds something else, added when the workbook has none. A sheet of that name that
    /// tracksheet did not make (no `ownMarks` ending its first two rows) is the team's: another
    /// name is taken.
    /// How the texts of tracksheet's dashboards (A2) and Gantts (A1) end: a sheet of that name whose
    /// first rows end so is ours; one that merely mentions tracksheet is the team's.
    static let ownMarks = ["tracksheet recalc 与 sync 每次运行时重写本表", "tracksheet recalc and sync write this sheet anew each run",
                           ";tracksheet 生成)", "; made by tracksheet)"]

    func place(base: String, title: String, build: (String) throws -> SheetPlan) throws {
        var name = base, n = 2
        while added.contains(name) { name = base + "\(n)"; n += 1 }
        while let existing = book.workbook.sheet(named: name) {
            var top: [String] = []
            struct Enough: Error {}
            do {
                _ = try book.workbook.readSheet(existing) { row in
                    if row.index > 2 { throw Enough() }
                    if let c = row.cells.first(where: { $0.column == 1 }), case .string(let s) = c.value { top.append(s) }
                }
            } catch is Enough {}
            let ours = existing.kind == .worksheet && top.contains { t in Self.ownMarks.contains { t.hasSuffix($0) } }
            if ours && (top.first == title || book.groups.count < 2) {
                let plan = try build(existing.name)
                result.dashboardSheets.append(existing.name)
                // Another campaign of the workbook, titled alike, takes the next one.
                added.insert(existing.name)
                if try plan.isWritten(in: book.workbook, existing) { return }
                try plan.write(to: try editor.replaceSheet(existing))
                result.changed[existing.name, default: 0] += plan.contents.count
                return
            }
            name = base + "\(n)"; n += 1
            while added.contains(name) { name = base + "\(n)"; n += 1 }
        }
        let plan = try build(name)
        try plan.write(to: try editor.addSheet(name))
        added.insert(name)
        result.dashboardSheets.append(name)
        result.changed[name, default: 0] += plan.contents.count
    }

    /// Writes the dashboard and the Gantt of each marketing plan in the workbook at `path` over
    /// its cells as they are (nothing else changes): what `new` and `export` do once the rows are in.
    public static func addDashboards(path: String, options: RecalcOptions) throws -> RecalcResult {
        let r = try Recalculator(path: path, options: options)
        guard r.book.template != nil, r.book.ambiguity == nil else { return r.result }
        r.dashboardsOnly = true
        try r.run()
        if !r.result.changed.isEmpty { try r.editor.save(to: path) }
        return r.result
    }
}

// MARK: - 甘特图 (Gantt)

/// A 甘特图: a row per task (six columns of it as formulas over its sheet: what it is, who, the
/// planned start and end, what says it is done) and a column per day of the campaign (per week
/// past nine weeks). The bars are conditional formats over the dates, so they stay live in Excel,
/// WPS and LibreOffice: planned in blue, done in green, past the planned end and not done in red;
/// today's column amber. The marketing plan's (master plan) and the multi-platform tracker's
/// (platform tasks) are drawn this way.
enum Gantt {
    static func sheetName(chinese: Bool) -> String { chinese ? "甘特图" : "Gantt" }
    /// The master plan's columns the Gantt shows, in its order.
    static let keys = ["phase", "task", "owner", "plannedStart", "plannedEnd", "actualEnd"]
    /// The platform tasks' columns.
    static let platformKeys = ["platform", "task", "milestone", "start", "finish", "state"]
    /// Tasks drawn; a plan longer than that is told so in the title.
    static let maxRows = 1_000
    /// Day (or week) columns at most.
    static let maxColumns = 120

    /// One task as the Gantt draws it: its row on its sheet, its six cells as they are, its days.
    struct Task {
        var row: Int
        var values: [CellValue]
        var start: CalendarDate?
        var end: CalendarDate?
    }
}

extension Recalculator {
    func gantt(_ m: SheetMapping, _ tasks: [TaskRow]) throws {
        let rows = tasks.compactMap { t in t.gantt.map { Gantt.Task(row: t.row, values: $0, start: t.plannedStart, end: t.plannedEnd) } }
        let zh = book.isChinese
        try gantt(m, keys: Gantt.keys, heads: zh ? ["阶段", "关键任务", "负责人", "计划开始", "计划结束", "实际结束"] : ["Phase", "Task", "Owner", "Start", "End", "Done"],
                  rows, total: tasks.count, done: "AND($F3<>\"\",TRIM($F3)<>\"-\")", doneIsDate: true)
    }

    /// The Gantt over `rows` of the sheet `m` (the first `Gantt.maxRows` of `total`); `done`: the
    /// condition, over the sixth column of row 3, that a task is done.
    func gantt(_ m: SheetMapping, keys: [String], heads: [String], _ rows: [Gantt.Task], total: Int, done: String, doneIsDate: Bool) throws {
        guard m.columns[keys[1]] != nil, m.columns[keys[3]] != nil, m.columns[keys[4]] != nil, !rows.isEmpty else { return }
        let zh = book.isChinese
        let period = book.period
        guard let start = period.start ?? rows.compactMap(\.start).min(), let end = period.end ?? rows.compactMap(\.end).max(), start <= end else { return }
        let campaign = campaignName
        let more = total > rows.count ? (zh ? ";仅画出前 \(rows.count) 项任务" : "; the first \(rows.count) tasks only") : ""
        let title = zh ? "\(campaign.isEmpty ? "" : campaign + " ")甘特图(按“\(m.sheetName)”的计划时间;蓝:计划,绿:已完成,红:已过计划结束仍未完成,黄:今天\(more);tracksheet 生成)"
                       : "\(campaign.isEmpty ? "" : campaign + " ")Gantt (from \"\(m.sheetName)\": blue planned, green done, red past its end and not done, amber today\(more); made by tracksheet)"
        try place(base: Gantt.sheetName(chinese: zh), title: title) { name in
            var p = SheetPlan(name: name)
            let startSerial = Int(start.serial), endSerial = Int(end.serial)
            let step = endSerial - startSerial + 1 > 63 ? 7 : 1
            var firstDay = startSerial
            if step == 7 { firstDay -= (start.weekday + 5) % 7 }
            let count = max(1, min(Gantt.maxColumns, (endSerial - firstDay) / step + 1))
            let timeline = keys.count + 1
            p.widths = [(1, 1, 9), (2, 2, 24), (3, 3, 10), (4, 6, 11), (timeline, timeline + count - 1, step == 7 ? 6 : 4.5)]
            p.freeze = (2, keys.count)
            p.printSetup = PrintSetup(landscape: true, fitToWidth: true)
            p.row(1, [WriteCell(.string(title), style: CellStyle(bold: true, fontSize: 12, vertical: .center))], height: 24)
            let head = SheetPlan.head
            let dateHead = CellStyle(numberFormat: "m/d", bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center)
            p.row(2, heads.map { WriteCell(.string($0), style: head) }
                  + (0..<count).map { i in WriteCell(.date(ExcelDateTime(serial: Double(firstDay + i * step))), style: dateHead) }, height: 30)
            let date = CellStyle(numberFormat: "yyyy-mm-dd", border: true, vertical: .center)
            let plain = SheetPlan.plain
            let mref = SheetWriter.quoted(m.sheetName)
            var r = 2
            for t in rows {
                r += 1
                var cells: [WriteCell] = []
                for (i, key) in keys.enumerated() {
                    guard let c = m.columns[key] else { cells.append(WriteCell(.empty, style: plain)); continue }
                    let ref = "\(mref)!\(CellReference.columnName(c))\(t.row)"
                    let v = t.values[i]
                    // A phase merged over its rows is named on the first: the formula shows it there only.
                    cells.append(WriteCell(v.isEmpty ? .string("") : v, formula: "IF(\(ref)=\"\",\"\",\(ref))", style: i == 3 || i == 4 || (i == 5 && doneIsDate) ? date : plain))
                }
                cells += (0..<count).map { _ in WriteCell(.empty, style: CellStyle(border: true)) }
                p.row(r, cells)
            }
            let g = CellReference.columnName(timeline)
            let range = [CellRange(first: CellReference(row: 3, column: timeline), last: CellReference(row: r, column: timeline + count - 1))]
            let within = "ISNUMBER($D3),ISNUMBER($E3),\(g)$2<=$E3,\(g)$2+\(step - 1)>=$D3"
            p.highlights = [
                (range, .expression("AND(\(within),NOT(\(done)),$E3<TODAY())"), HighlightStyle(fill: "FF7C80")),
                (range, .expression("AND(\(within),\(done))"), HighlightStyle(fill: "A9D08E")),
                (range, .expression("AND(\(within))"), HighlightStyle(fill: "9BC2E6")),
                (range, .expression("AND(\(g)$2<=TODAY(),\(g)$2+\(step)>TODAY())"), HighlightStyle(fill: "FFE699")),
            ]
            return p
        }
    }
}
