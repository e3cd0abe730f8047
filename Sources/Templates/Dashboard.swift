import Foundation
import XLSX

/// The 数据看板 (Dashboard) sheet of a marketing plan: per phase and for the campaign, tasks,
/// completed tasks, progress, budget, spend and budget use; the KPI status counts; native charts
/// over those cells and over the effect sheet's ROI. Every number is a formula over the data
/// sheets, so Excel, WPS and LibreOffice keep it and its charts live as the plan is edited; the
/// cached values are the ones the rows written hold, for previews.
enum Dashboard {
    /// A data sheet as written: its name, column numbers by key and each row's values.
    struct Written {
        var sheet: String
        var columns: [String: Int]
        var rows: [(row: Int, values: [String: CellValue])] = []
        var lastRow = 2
        /// The rows' values by row number.
        var byRow: [Int: [String: CellValue]] { Dictionary(rows.map { ($0.row, $0.values) }, uniquingKeysWith: { a, _ in a }) }
    }

    static func sheetName(_ lang: Template.Language) -> String { lang == .zh ? "数据看板" : "Dashboard" }

    static func marketingPlan(_ template: Template, _ written: [String: Written], _ o: CampaignWorkbook.Options, in book: WorkbookWriter) throws {
        guard let master = written["master"], let task = master.columns["task"] else { return }
        let zh = o.language == .zh
        let m = SheetWriter.quoted(master.sheet)
        func col(_ key: String) -> String? { master.columns[key].map { CellReference.columnName($0) } }
        // The phases' runs of rows: a phase is named on its first row (the rest merged or blank).
        var spans: [(name: String, rows: ClosedRange<Int>)] = []
        for (row, values) in master.rows {
            if case .string(let p) = values["phase"] ?? .empty, !p.isEmpty {
                spans.append((p, row...row))
            } else if let last = spans.last {
                spans[spans.count - 1].rows = last.rows.lowerBound...row
            } else {
                spans.append((zh ? "全部" : "All", row...row))
            }
        }
        if spans.isEmpty { spans = [(zh ? "全部" : "All", 3...max(3, master.lastRow))] }
        let values = master.byRow
        func numbers(_ key: String, _ rows: ClosedRange<Int>) -> [Double] { rows.compactMap { values[$0]?[key]?.number } }
        func filled(_ key: String, _ rows: ClosedRange<Int>) -> Int { rows.filter { !(values[$0]?[key] ?? .empty).isEmpty }.count }
        /// What COUNT counts: numbers and dates (an end date typed as text is not one to a formula).
        func counted(_ key: String, _ rows: ClosedRange<Int>) -> Int {
            rows.filter { r in switch values[r]?[key] { case .number?, .date?: true; default: false } }.count
        }

        let sheet = try book.addSheet(sheetName(o.language))
        try sheet.setColumns(1, width: 14)
        try sheet.setColumns(2, 7, width: 13)
        sheet.printSetup = PrintSetup(landscape: true, fitToWidth: true)
        let bold = CellStyle(bold: true, fontSize: 14, vertical: .center)
        try sheet.writeRow(1, [WriteCell(.string(zh ? "\(o.campaign) 数据看板" : "\(o.campaign) dashboard"), style: bold)], height: 26)
        try sheet.writeRow(2, [WriteCell(.string(zh ? "各数字均为按“\(master.sheet)”计算的公式,图表随数据更新(tracksheet 生成)"
                                                    : "Every number is a formula over \"\(master.sheet)\"; the charts follow the data (made by tracksheet)"))])
        let header = CellStyle(bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center, wrap: true)
        let cellStyle = CellStyle(border: true, vertical: .center)
        let money = CellStyle(numberFormat: "#,##0", border: true, vertical: .center)
        let one = CellStyle(numberFormat: "0.0", border: true, vertical: .center)
        let headers = zh ? ["阶段", "任务数", "已完成", "执行进度(%)", "预算金额(元)", "实际支出(元)", "预算执行率(%)"]
                         : ["Phase", "Tasks", "Done", "Progress %", "Budget (CNY)", "Spend (CNY)", "Budget used %"]
        try sheet.writeRow(4, headers.map { WriteCell(.string($0), style: header) }, height: 30)

        // One row per phase, then the campaign's.
        let all = 3...max(3, master.lastRow)
        let rows = spans + [(zh ? "合计" : "Total", all)]
        var r = 5
        for (i, span) in rows.enumerated() {
            let isTotal = i == spans.count
            let a = span.rows.lowerBound, b = span.rows.upperBound
            func range(_ c: String) -> String { "\(m)!\(c)\(a):\(c)\(b)" }
            let tasks = filled("task", span.rows), done = counted("actualEnd", span.rows)
            let progress = numbers("progress", span.rows), budget = numbers("budget", span.rows).reduce(0, +), spend = numbers("spend", span.rows).reduce(0, +)
            var cells = [WriteCell(.string(span.name), style: isTotal ? CellStyle(bold: true, border: true) : cellStyle)]
            cells.append(WriteCell(.number(Double(tasks)), formula: "COUNTA(\(range(CellReference.columnName(task))))", style: cellStyle))
            cells.append(col("actualEnd").map { WriteCell(.number(Double(done)), formula: "COUNT(\(range($0)))", style: cellStyle) } ?? WriteCell(.empty, style: cellStyle))
            cells.append(col("progress").map {
                WriteCell(.number(progress.isEmpty ? 0 : (progress.reduce(0, +) / Double(progress.count) * 10).rounded() / 10),
                          formula: "IFERROR(ROUND(AVERAGE(\(range($0))),1),0)", style: one)
            } ?? WriteCell(.empty, style: one))
            cells.append(col("budget").map { WriteCell(.number(budget), formula: "SUM(\(range($0)))", style: money) } ?? WriteCell(.empty, style: money))
            cells.append(col("spend").map { WriteCell(.number(spend), formula: "SUM(\(range($0)))", style: money) } ?? WriteCell(.empty, style: money))
            cells.append(WriteCell(.number(budget > 0 ? (spend / budget * 1000).rounded() / 10 : 0), formula: "IF(E\(r)>0,ROUND(F\(r)/E\(r)*100,1),0)", style: one))
            try sheet.writeRow(r, cells)
            r += 1
        }
        let phaseRows = 5...(4 + spans.count)

        // KPI status counts.
        r += 1
        let statusTitle = r
        try sheet.writeRow(r, [WriteCell(.string(zh ? "达标情况" : "KPI status"), style: header), WriteCell(.string(zh ? "任务数" : "Tasks"), style: header)])
        let statusColumn = template.sheets.first { $0.id == "master" }?.columns.first { $0.key == "status" }
        let words = zh ? (statusColumn?.allowed ?? ["达标", "预警", "未达标"]) : (statusColumn?.allowedEn ?? ["Met", "Warning", "Not met"])
        let statusRange = col("status").map { "\(m)!\($0)3:\($0)\(max(200, master.lastRow))" }
        let statusCounts = words.map { w in Double(master.rows.filter { $0.values["status"] == .string(w) }.count) }
        for (w, count) in zip(words, statusCounts) {
            r += 1
            try sheet.writeRow(r, [WriteCell(.string(w), style: cellStyle),
                                   statusRange.map { WriteCell(.number(count), formula: "COUNTIF(\($0),\"\(w.replacingOccurrences(of: "\"", with: "\"\""))\")", style: cellStyle) }
                                       ?? WriteCell(.number(0), style: cellStyle)])
        }
        let statusRows = (statusTitle + 1)...r

        // The charts, right of the tables and below them.
        let d = SheetWriter.quoted(sheet.name)
        func texts(_ rows: ClosedRange<Int>, _ names: [String]) -> Chart.Texts { .init("\(d)!$A$\(rows.lowerBound):$A$\(rows.upperBound)", names) }
        func column(_ c: String, _ rows: ClosedRange<Int>, _ v: [Double?]) -> Chart.Numbers { .init("\(d)!$\(c)$\(rows.lowerBound):$\(c)$\(rows.upperBound)", v) }
        let phaseNames = spans.map(\.name)
        func cached(_ key: String) -> [Double?] {
            spans.map { s in
                let n = numbers(key, s.rows)
                return key == "progress" ? (n.isEmpty ? 0 : n.reduce(0, +) / Double(n.count)) : n.reduce(0, +)
            }
        }
        sheet.addChart(Chart(kind: .bar(), title: zh ? "各阶段预算与实际支出" : "Budget and spend by phase", categories: texts(phaseRows, phaseNames),
                             series: [.init(name: headers[4], nameFormula: "\(d)!$E$4", values: column("E", phaseRows, cached("budget")), color: "5B9BD5"),
                                      .init(name: headers[5], nameFormula: "\(d)!$F$4", values: column("F", phaseRows, cached("spend")), color: "ED7D31")],
                             anchor: CellRange(first: CellReference(row: 3, column: 9), last: CellReference(row: 18, column: 17)), valueFormat: "#,##0"))
        sheet.addChart(Chart(kind: .bar(), title: zh ? "各阶段执行进度(%)" : "Progress by phase (%)", categories: texts(phaseRows, phaseNames),
                             series: [.init(name: headers[3], nameFormula: "\(d)!$D$4", values: column("D", phaseRows, cached("progress")), color: "70AD47")],
                             anchor: CellRange(first: CellReference(row: 19, column: 9), last: CellReference(row: 34, column: 17)), dataLabels: true))
        sheet.addChart(Chart(kind: .doughnut, title: zh ? "KPI 达标情况" : "KPI status", categories: texts(statusRows, words),
                             series: [.init(name: zh ? "任务数" : "Tasks", values: column("B", statusRows, statusCounts),
                                            pointColors: ["70AD47", "FFC000", "C00000"])],
                             anchor: CellRange(first: CellReference(row: r + 2, column: 1), last: CellReference(row: r + 17, column: 7)), dataLabels: true))
        if let effect = written["effect"], let channel = effect.columns["channel"], let roi = effect.columns["roi"] {
            let e = SheetWriter.quoted(effect.sheet), last = max(3, effect.lastRow)
            let ev = effect.byRow
            let cc = CellReference.columnName(channel), rc = CellReference.columnName(roi)
            sheet.addChart(Chart(kind: .bar(), title: zh ? "各渠道 ROI" : "ROI by channel",
                                 categories: .init("\(e)!$\(cc)$3:$\(cc)$\(last)", (3...last).map { r -> String in if case .string(let t)? = ev[r]?["channel"] { t } else { "" } }),
                                 series: [.init(name: "ROI", values: .init("\(e)!$\(rc)$3:$\(rc)$\(last)", (3...last).map { ev[$0]?["roi"]?.number }))],
                                 anchor: CellRange(first: CellReference(row: 35, column: 9), last: CellReference(row: 50, column: 17)), dataLabels: true))
        }
    }
}

/// The 甘特图 (Gantt) sheet of a marketing plan: a row per row of the master plan (its phase, task,
/// owner, planned start and end, actual end, as formulas over the plan) and a column per day of
/// the campaign (per week when it runs longer than nine weeks). The bars are conditional formats
/// over the dates, so they stay live in Excel, WPS and LibreOffice: planned in blue, done in green,
/// past their planned end and not done in red; today's column amber.
enum Gantt {
    static func sheetName(_ lang: Template.Language) -> String { lang == .zh ? "甘特图" : "Gantt" }

    static func marketingPlan(_ written: [String: Dashboard.Written], _ o: CampaignWorkbook.Options, in book: WorkbookWriter) throws {
        guard let master = written["master"], let task = master.columns["task"], let start = master.columns["plannedStart"],
              let end = master.columns["plannedEnd"] else { return }
        let zh = o.language == .zh
        let m = SheetWriter.quoted(master.sheet)
        let keys: [(key: String, column: Int?)] = [("phase", master.columns["phase"]), ("task", task), ("owner", master.columns["owner"]),
                                                  ("plannedStart", start), ("plannedEnd", end), ("actualEnd", master.columns["actualEnd"])]
        let heads = zh ? ["阶段", "关键任务", "负责人", "计划开始", "计划结束", "实际结束"] : ["Phase", "Task", "Owner", "Start", "End", "Done"]
        let startSerial = Int(o.start.serial), endSerial = Int(o.end.serial)
        let step = endSerial - startSerial + 1 > 63 ? 7 : 1
        // Columns from the campaign's first day (its Monday, by week), at most 120 of them.
        var first = startSerial
        if step == 7 { first -= (o.start.weekday + 5) % 7 }
        let count = max(1, min(120, (endSerial - first) / step + 1))
        let timeline = keys.count + 1

        let sheet = try book.addSheet(sheetName(o.language))
        try sheet.setColumns(1, width: 9)
        try sheet.setColumns(2, width: 24)
        try sheet.setColumns(3, width: 10)
        try sheet.setColumns(4, 6, width: 11)
        try sheet.setColumns(timeline, timeline + count - 1, width: step == 7 ? 6 : 4.5)
        try sheet.freeze(rows: 2, columns: keys.count)
        sheet.printSetup = PrintSetup(landscape: true, fitToWidth: true, repeatRows: 1...2)
        try sheet.writeRow(1, [WriteCell(.string(zh ? "\(o.campaign) 甘特图(按“\(master.sheet)”的计划时间;蓝:计划,绿:已完成,红:已过计划结束仍未完成,黄:今天)"
                                                    : "\(o.campaign) Gantt (from \"\(master.sheet)\": blue planned, green done, red past its end and not done, amber today)"),
                                         style: CellStyle(bold: true, fontSize: 12, vertical: .center))], height: 24)
        let header = CellStyle(bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center, wrap: true)
        let dateHeader = CellStyle(numberFormat: "m/d", bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center)
        try sheet.writeRow(2, heads.map { WriteCell(.string($0), style: header) }
                           + (0..<count).map { i in WriteCell(.date(ExcelDateTime(serial: Double(first + i * step))), style: dateHeader) }, height: 30)
        let values = master.byRow
        let last = max(3, master.lastRow)
        let date = CellStyle(numberFormat: "yyyy-mm-dd", border: true, vertical: .center)
        let plain = CellStyle(border: true, vertical: .center)
        for r in 3...last {
            var cells: [WriteCell] = []
            for (i, k) in keys.enumerated() {
                guard let c = k.column else { cells.append(WriteCell(.empty, style: plain)); continue }
                let ref = "\(m)!\(CellReference.columnName(c))\(r)"
                let v = values[r]?[k.key] ?? .empty
                cells.append(WriteCell(v.isEmpty ? .string("") : v, formula: "IF(\(ref)=\"\",\"\",\(ref))", style: i >= 3 ? date : plain))
            }
            cells += (0..<count).map { _ in WriteCell(.empty, style: CellStyle(border: true)) }
            try sheet.writeRow(r, cells)
        }
        // The bars: a column's day (or week) overlaps the task's planned days.
        let g = CellReference.columnName(timeline)
        let range = [CellRange(first: CellReference(row: 3, column: timeline), last: CellReference(row: last, column: timeline + count - 1))]
        let within = "ISNUMBER($D3),ISNUMBER($E3),\(g)$2<=$E3,\(g)$2+\(step - 1)>=$D3"
        sheet.addHighlight(range, when: .expression("AND(\(within),$F3=\"\",$E3<TODAY())"), style: HighlightStyle(fill: "FF7C80"))
        sheet.addHighlight(range, when: .expression("AND(\(within),$F3<>\"\")"), style: HighlightStyle(fill: "A9D08E"))
        sheet.addHighlight(range, when: .expression("AND(\(within))"), style: HighlightStyle(fill: "9BC2E6"))
        sheet.addHighlight(range, when: .expression("AND(\(g)$2<=TODAY(),\(g)$2+\(step)>TODAY())"), style: HighlightStyle(fill: "FFE699"))
    }
}
