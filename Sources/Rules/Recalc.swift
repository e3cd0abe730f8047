import Foundation
import Templates
import XLSX

/// recalc takes the same settings as validate: the as-of day, the ROI definition, the templates.
public typealias RecalcOptions = ValidationOptions

/// What `recalc` changed and what the user should know.
public struct RecalcResult: Sendable {
    public var template: String?
    public var isChinese: Bool
    /// Cells whose formula or value changed, counted by sheet.
    public var changed: [String: Int] = [:]
    public var changedTotal: Int { changed.values.reduce(0, +) }
    /// Things said once: ROI definition, numbers typed as text.
    public var notices: [RulesMessage] = []
    /// The roll-up sheet written or updated.
    public var summarySheet: String?
    /// The dashboard and Gantt sheets the workbook has after the run (written, refreshed or
    /// already up to date).
    public var dashboardSheets: [String] = []
}

/// `tracksheet recalc`: every derived column and roll-up of SPEC §4 written through the lossless
/// editor as formulas with their cached values. Only derived cells change; a cell already holding
/// the same formula and value is left as it is, so a second run changes nothing.
public final class Recalculator {
    let book: CampaignBook
    let editor: WorkbookEditor
    let options: RecalcOptions
    var result: RecalcResult
    /// Summary sheets added in this run.
    var added: Set<String> = []
    /// Master-plan cells holding the team's own formulas in derived columns, kept.
    var ownFormulas: [String] = []
    /// Only the dashboard and the Gantt are written, over the cells as they are (a workbook
    /// `new` or `export` has just written): no derived cell, no summary.
    var dashboardsOnly = false
    /// The targets the master plan being read names for the channel ratios (`点击率≥2%`), by ratio key.
    var targets: [String: Double] = [:]

    public convenience init(path: String, options: RecalcOptions) throws {
        // Two handles on the file: the sheets a second thread reads while the editor rewrites
        // them are inflated side by side, not in turn under one handle's lock.
        // The sheets it edits are read whole by its own pass first: rows it does not edit are copied unparsed.
        let editor = try WorkbookEditor(path: path)
        editor.copiesRowsUnparsed = true
        try self.init(book: try CampaignBook(path: path, templates: options.templates), editor: editor, options: options)
    }

    /// Over a workbook already read (`book`) and an editor of the same file that may hold edits
    /// of its own: `book.pending` gives the values those edits write, and the derived cells are
    /// computed from them. The caller saves the editor (and keeps this alive until it has: the
    /// ratio columns are computed as the editor writes their sheets), then calls `finish()`.
    public init(book: CampaignBook, editor: WorkbookEditor, options: RecalcOptions) throws {
        self.book = book
        self.editor = editor
        self.options = options
        result = RecalcResult(template: book.template?.id, isChinese: book.isChinese)
    }

    /// What the run found, once the editor has saved.
    public func finish() -> RecalcResult {
        reportRatios()
        return result
    }

    public static func recalc(path: String, to out: String, options: RecalcOptions) throws -> RecalcResult {
        let r = try Recalculator(path: path, options: options)
        // Nothing is written (not even `out`) for a workbook that is not a campaign tracker, or
        // whose template is not clear.
        guard r.book.template != nil else {
            throw TemplateError(RulesMessage(.recalcNoTemplate, ["path": "\(path)"]), workbookIsChinese: r.book.isChinese)
        }
        if let a = r.book.ambiguity {
            throw TemplateError(RulesMessage(.recalcAmbiguous, ["path": "\(path)", "sheet": "\(a.sheet)", "chosen": "\(a.chosen)", "other": "\(a.other)"]),
                                workbookIsChinese: r.book.isChinese)
        }
        try r.run()
        try r.editor.save(to: out)
        return r.finish()
    }

    var roiDefinition: String { options.roi ?? detectedROI ?? book.template?.roi ?? "ratio" }
    /// The ROI definition the workbook's own values or formulas follow, when they follow one.
    var detectedROI: String?

    /// Whether a derived cell's formula is one tracksheet writes (template-shaped), not the team's own.
    static func isTemplateFormula(_ f: String) -> Bool {
        // Byte-level: it is asked of every derived cell validate reads (Foundation's `contains`
        // went through NSString).
        let u = f.utf8
        if u.starts(with: "IF(AND(ISNUMBER(".utf8) { return contains(f, "ROUND(") }
        if u.starts(with: "IF(ISNUMBER(".utf8) { return contains(f, "\"达标\"") || contains(f, "\"Met\"") }
        return false
    }

    private static func contains(_ haystack: String, _ needle: String) -> Bool {
        // In place, no copy of either (asked of every derived cell of every row).
        var h = haystack, n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb in
                guard nb.count <= hb.count, let first = nb.first else { return nb.isEmpty }
                var i = 0
                while i <= hb.count - nb.count {
                    if hb[i] == first && memcmp(hb.baseAddress! + i, nb.baseAddress!, nb.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }

    /// The ROI definition the effect sheet's first rows follow: entered values that match one
    /// definition and not the other, or tracksheet's own formulas of one. nil when they say nothing
    /// or disagree.
    func detectROI(_ m: SheetMapping) throws -> String? { try Self.detectROI(m, in: book) }

    static func detectROI(_ m: SheetMapping, in book: CampaignBook) throws -> String? {
        guard m.columns["roi"] != nil, m.columns["sales"] != nil, m.columns["cost"] != nil else { return nil }
        guard let info = book.workbook.sheet(named: m.sheetName), var builder = book.tableRowBuilder(m) else { return nil }
        var ratio = 0, net = 0
        struct Enough: Error {}
        do {
            // The first fifty rows that say something, within the first thousand below the header
            // (blank ones count: a sheet of empty rows is not read to its end).
            _ = try book.workbook.readSheet(info) { raw in
                if raw.index > m.headerRow + 1000 || ratio + net >= 50 { throw Enough() }
                guard raw.index > m.headerRow, let row = builder.table(raw) else { return }
                guard let cell = row.cells["roi"], !row.isTotal else { return }
                if let f = cell.formula {
                    if Self.isTemplateFormula(f) { if f.contains("ROUND((") { net += 1 } else { ratio += 1 } }
                    return
                }
                guard let entered = Self.excelNumber(cell), let sales = Self.excelNumber(row.cells["sales"]),
                      let cost = Self.excelNumber(row.cells["cost"]), cost > 0 else { return }
                let r = abs(Ratio.round(sales / cost, 2) - entered) <= 0.0051, n = abs(Ratio.round((sales - cost) / cost, 2) - entered) <= 0.0051
                if r && !n { ratio += 1 } else if n && !r { net += 1 }
            }
        } catch is Enough {}
        if net > 0 && ratio == 0 { return "net" }
        if ratio > 0 && net == 0 { return "ratio" }
        return nil
    }

    /// Sets every derived cell, the summaries and the dashboards in the editor (not saved).
    public func run() throws {
        for m in book.mappings where !dashboardsOnly {
            guard let spec = book.sheetSpec(m), spec.rows != "fields" else { continue }
            try ratios(m, spec)
        }
        // Each campaign's master plan, with its own period and summary.
        for g in book.groups.indices {
            book.activeGroup = g
            if let m = book.mapping("master") { try master(m) }
            if options.dashboard {
                try platformDashboard()
                try platformGantt()
                try processDashboard()
            }
        }
        book.activeGroup = 0
    }

    /// The value Excel's ISNUMBER sees: a number or a date cell; text is not a number to a formula.
    static func excelNumber(_ cell: Cell?) -> Double? {
        guard let cell else { return nil }
        switch cell.value {
        case .number(let n): return n
        case .date(let d): return d.serial
        default: return nil
        }
    }

    /// Sets a derived cell unless it already holds that formula and value; true when it changed.
    /// `fillDown`: the formula is the column's same formula moved by rows (saved as one shared formula).
    func set(_ info: SheetInfo, _ ref: CellReference, _ cell: Cell?, value: CellValue, formula: String?, fillDown: String? = nil) throws -> Bool {
        if dashboardsOnly { return false }
        if let cell, cell.formula == formula, Self.same(cell.value, value) { return false }
        try editor.setCell(ref, in: info, to: CellEdit(value: value, formula: formula, fillDown: fillDown))
        return true
    }

    static func same(_ a: CellValue, _ b: CellValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): abs(x - y) < 1e-9
        default: a == b
        }
    }

    // MARK: - Ratios (CTR, CVR, cost per acquisition, ROI, 达成率 of the review, monitoring rates)

    /// The derived columns of a row-by-row sheet are computed while the editor rewrites it at save
    /// (`RatioEdits`, a `RowEditSource`): the sheet is read once for the values as it is written,
    /// the two overlapping on two threads, and no edit is stored. What they found is told after.
    func ratios(_ m: SheetMapping, _ spec: Template.Sheet) throws {
        // The workbook's own ROI definition is kept (unless --roi says otherwise), and said once.
        detectedROI = nil
        // The recording made in a sync's read pass found it already (the same rows, unmerged: the
        // first rows' values say which definition they follow either way).
        let recorded = book.recordedRatios[m.sheetName]
        if options.roi == nil, let d = try recorded.map({ $0.detectedROI }) ?? detectROI(m) {
            detectedROI = d
            if d != (book.template?.roi ?? "ratio") {
                result.notices.append(RulesMessage(d == "net" ? .roiKeptNet : .roiKeptRatio, ["sheet": "\(m.sheetName)"]))
            }
        }
        guard let setup = RatioSetup(book: book, mapping: m, spec: spec, roi: roiDefinition, replaceOwn: options.replaceOwnFormulas),
              let info = book.workbook.sheet(named: m.sheetName) else { return }
        // Computed already, in a pass that read the rows (a sync's validation), over the same
        // cells by the same definition: its edits are given as they were found. The merge's values
        // in the sheet's cells (other than the row identities) need the rows read again.
        if let recorded, recorded.setup.matches(setup), !book.pending.changesCells(of: m) {
            try editor.streamEdits(in: info) { [unowned self] in
                let source = RatioEdits(recorded: recorded)
                ratioSources[m.sheetName] = source
                return source
            }
            return
        }
        try editor.streamEdits(in: info) { [unowned self] in
            let source = try RatioEdits(book: book, setup: setup)
            ratioSources[m.sheetName] = source
            return source
        }
    }

    /// Sheets whose ratios are computed as they are written, by name (the last attempt's).
    var ratioSources: [String: RatioEdits] = [:]

    /// What the ratio sheets' passes found, once the workbook is saved: cells changed, numbers
    /// typed as text, ROI entered by the other definition — said before the master plan's notices,
    /// sheet by sheet in the workbook's order, as when the ratios were computed first.
    func reportRatios() {
        var notices: [RulesMessage] = []
        for m in book.mappings {
            let sheet = m.sheetName
            guard let s = ratioSources[sheet] else { continue }
            if s.given > 0 { result.changed[sheet, default: 0] += s.given }
            if !s.textNumbers.isEmpty {
                notices.append(RulesMessage(.textNumbers, ["sheet": "\(sheet)", "cells": "\(s.textNumbers.prefix(8).joined(separator: ", "))",
                                                           "more": s.textNumbers.count > 8 ? " …" : ""]))
            }
            if !s.ownFormulas.isEmpty {
                notices.append(RulesMessage(.ownFormulasKept, ["sheet": "\(sheet)", "cells": "\(s.ownFormulas.prefix(8).joined(separator: ", "))",
                                                               "more": s.ownFormulas.count > 8 ? " …" : ""]))
            }
            if s.roiSeen.total > 0 && s.roiSeen.other == s.roiSeen.total {
                notices.append(RulesMessage(roiDefinition == "net" ? .roiRecalculatedNet : .roiRecalculatedRatio))
            }
        }
        result.notices.insert(contentsOf: notices, at: 0)
        ratioSources.removeAll()
    }

    // MARK: - The master plan: 达成率, 达标情况, and the roll-ups

    struct TaskRow {
        var row: Int
        var phase: String
        var hasTask: Bool
        var done: Bool
        var doneAsText: Bool
        /// The actual end holds something other than "-" (a date, or a date typed as text).
        var endFilled = false
        var weight: Double?
        var budget: Double?
        var spend: Double?
        /// What the dashboard and the Gantt show of it: the task, its owner, its 达标情况 and 达成率
        /// (percent points) as this run leaves them.
        var task = ""
        var owner = ""
        var status = ""
        var rate: Double?
        /// The Gantt's cells (phase, task, owner, planned start and end, actual end) as the plan
        /// holds them, for the first rows the Gantt draws; the planned days as dates.
        var gantt: [CellValue]?
        var plannedStart: CalendarDate?
        var plannedEnd: CalendarDate?
    }

    func master(_ m: SheetMapping) throws {
        let info = book.workbook.sheet(named: m.sheetName)
        // Each campaign's targets are its own master plan's.
        targets = [:]
        var tasks: [TaskRow] = []
        var changed = 0
        let weightHeader = m.extra.first { ["权重", "权重(%)", "weight", "weight(%)"].contains(HeaderMatcher.normalize($0.header)) }
        let weightKey = weightHeader.map { HeaderMatcher.normalize($0.header) }
        var textDates: [String] = []
        // 达标 / 预警 / 未达标 in the workbook's language.
        let statusWords = KPIStatus.words(chinese: book.isChinese, english: book.sheetSpec(m)?.columns.first { $0.key == "status" }?.allowedEn)
        // The numbers of each template column by row, for the cached values of a 合计 row's SUMs.
        var numbers: [Int: [Int: Double]] = [:]
        var sums: [(ref: CellReference, cell: Cell, column: Int, rows: ClosedRange<Int>)] = []
        try book.rows(of: m) { row in
            for (key, column) in m.columns {
                guard let cell = row.cells[key] else { continue }
                if let n = Self.excelNumber(cell) { numbers[column, default: [:]][row.index] = n }
                if row.isTotal, let f = cell.formula, let range = Self.columnSum(f), range.column == column {
                    sums.append((CellReference(row: row.index, column: column), cell, column, range.rows))
                }
            }
            if row.isTotal { return }
            var shownStatus = row.text("status")
            var shownRate = Self.excelNumber(row.cells["achievementRate"]).map { n in
                row.cells["achievementRate"].map { book.numberFormat($0.styleIndex).percent } == true ? n * 100 : n
            }
            if options.dashboard, let kpi = KPI.parse(row.text("kpi")) { Self.noteTarget(kpi, in: &targets) }
            // 达成率 (a value: its inputs are text such as 22万) and 达标情况 (a formula over it).
            if let rateCol = m.columns["achievementRate"] {
                var rate: Double?
                var threshold = KPIStatus.band
                if let kpi = KPI.parse(row.text("kpi")), case .value(let actual) = book.quantity(row, "achieved"), kpi.comparable(actual),
                   let r = kpi.achievement(actual) {
                    rate = Ratio.round(r, 1)
                    let finished = book.date(row.value("actualEnd")).date != nil || (book.quantity(row, "progress").value?.value ?? 0) >= 100
                    if !finished { threshold = KPIStatus.warningThreshold(elapsedShare: book.elapsedShare(row, asOf: options.asOf)) }
                }
                // A 达成率 cell formatted as a percent holds a fraction (1.04 shows 104%).
                let fraction = row.cells["achievementRate"].map { book.numberFormat($0.styleIndex).percent } ?? false
                let scale = fraction ? 0.01 : 1
                let ownRate = !options.replaceOwnFormulas && row.cells["achievementRate"]?.hasFormula == true
                if ownRate { ownFormulas.append(CellReference(row: row.index, column: rateCol).description) }
                if !ownRate, let info, try set(info, CellReference(row: row.index, column: rateCol), row.cells["achievementRate"],
                           value: rate.map { CellValue.number(Ratio.round($0 * scale, fraction ? 3 : 1)) } ?? .string("-"), formula: nil) { changed += 1 }
                if !ownRate && !dashboardsOnly { shownRate = rate }
                let ownStatus = !options.replaceOwnFormulas && row.cells["status"]?.formula.map { !Self.isTemplateFormula($0) } == true
                if ownStatus, let c = m.columns["status"] { ownFormulas.append(CellReference(row: row.index, column: c).description) }
                if let statusCol = m.columns["status"], !ownRate, !ownStatus {
                    let n = "\(CellReference.columnName(rateCol))\(row.index)"
                    let t = Self.number(Ratio.round(threshold * scale, fraction ? 3 : 1)), full = fraction ? "1" : "100"
                    let w = statusWords
                    let formula = "IF(ISNUMBER(\(n)),IF(\(n)>=\(full),\"\(w.met)\",IF(\(n)>=\(t),\"\(w.warning)\",\"\(w.notMet)\")),\"-\")"
                    let value: CellValue = rate.map { .string(KPIStatus.status(rate: $0, threshold: Ratio.round(threshold, 1), words: w)) } ?? .string("-")
                    if let info, try set(info, CellReference(row: row.index, column: statusCol), row.cells["status"], value: value, formula: formula) { changed += 1 }
                    if !dashboardsOnly, case .string(let t) = value { shownStatus = t }
                }
            }
            let endCell = row.cells["actualEnd"]
            let doneAsText = Self.excelNumber(endCell) == nil && book.date(row.value("actualEnd")).date != nil
            if doneAsText, let c = m.columns["actualEnd"] { textDates.append(CellReference(row: row.index, column: c).description) }
            // What the text-aware formula counts: an actual end that is neither blank nor "-".
            let endText = Values.trimmed(Values.text(endCell?.value ?? .empty))
            let endFilled = !endText.isEmpty && endText != "-"
            var task = TaskRow(row: row.index, phase: row.text("phase"), hasTask: row.has("task"), done: Self.excelNumber(endCell) != nil,
                               doneAsText: doneAsText, endFilled: endFilled, weight: weightKey.flatMap { Self.excelNumber(row.extra[$0]) },
                               budget: Self.excelNumber(row.cells["budget"]), spend: Self.excelNumber(row.cells["spend"]))
            if options.dashboard {
                task.status = shownStatus; task.rate = shownRate
                // The task's words only where the dashboard lists it (预警, 未达标): a long plan's
                // rows are not all kept twice.
                if shownStatus == statusWords.warning || shownStatus == statusWords.notMet { task.task = row.text("task"); task.owner = row.text("owner") }
                task.plannedStart = book.date(row.value("plannedStart")).date
                task.plannedEnd = book.date(row.value("plannedEnd")).date
                if tasks.count < Gantt.maxRows {
                    task.gantt = Gantt.keys.map { row.isInherited($0) ? .empty : row.cells[$0]?.value ?? .empty }
                }
            }
            tasks.append(task)
        }
        // A 合计's SUM over its column (grown or shrunk by rows inserted or deleted) keeps its
        // formula and gets the value it now adds up to, so previews and non-recalculating readers agree.
        for sum in sums where sum.rows.count <= 1_048_576 {
            let column = numbers[sum.column] ?? [:]
            let total = column.filter { sum.rows.contains($0.key) && $0.key != sum.ref.row }.values.reduce(0, +)
            let value = CellValue.number((total * 1e9).rounded() / 1e9)
            if let info, try set(info, sum.ref, sum.cell, value: value, formula: sum.cell.formula) { changed += 1 }
        }
        if changed > 0 { result.changed[m.sheetName, default: 0] += changed }
        if !ownFormulas.isEmpty {
            result.notices.append(RulesMessage(.ownFormulasKept, ["sheet": "\(m.sheetName)", "cells": "\(ownFormulas.prefix(8).joined(separator: ", "))",
                                                                  "more": ownFormulas.count > 8 ? " …" : ""]))
            ownFormulas = []
        }
        if !textDates.isEmpty {
            result.notices.append(RulesMessage(.textEndDates, ["sheet": "\(m.sheetName)", "cells": .list(Array(textDates.prefix(8)))]))
        }
        guard !tasks.isEmpty else { return }
        if !dashboardsOnly { try summary(m, tasks, weightColumn: weightHeader?.column) }
        if options.dashboard {
            try dashboard(m, tasks, weightColumn: weightHeader?.column)
            try gantt(m, tasks)
        }
    }

    static func number(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : "\(x)" }

    /// `SUM(F3:F10)`, `SUBTOTAL(9,F3:F10)` or `SUBTOTAL(109,F3:F10)` (with `$` or spaces): the one
    /// column and the rows a total adds up; nil for any other formula.
    static func columnSum(_ formula: String) -> (column: Int, rows: ClosedRange<Int>)? {
        guard formula.utf8.count < 64 else { return nil }
        var f = formula.filter { $0 != "$" && $0 != " " }.uppercased()
        guard f.hasSuffix(")"), let head = ["SUM(", "SUBTOTAL(9,", "SUBTOTAL(109,"].first(where: { f.hasPrefix($0) }) else { return nil }
        f = String(f.dropFirst(head.count).dropLast())
        let parts = f.split(separator: ":")
        guard parts.count == 2, let a = CellReference(String(parts[0])), let b = CellReference(String(parts[1])),
              a.column == b.column, a.row <= b.row else { return nil }
        return (a.column, a.row...b.row)
    }

    /// Ranges covering `rows` in `column`: `C3:C4,C7` (contiguous runs).
    static func ranges(_ rows: [Int], _ column: Int, sheet: String) -> String {
        runs(rows).map { range($0, column, sheet: sheet) }.joined(separator: ",")
    }

    /// The contiguous runs of `rows`, first to last.
    static func runs(_ rows: [Int]) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        var i = 0
        let sorted = rows.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            out.append(sorted[i]...sorted[j])
            i = j + 1
        }
        return out
    }

    /// One run of rows in `column`: `'主跟踪表'!C3:C9` (or one cell).
    static func range(_ run: ClosedRange<Int>, _ column: Int, sheet: String) -> String {
        let letter = CellReference.columnName(column)
        return run.count == 1 ? "\(sheet)!\(letter)\(run.lowerBound)" : "\(sheet)!\(letter)\(run.lowerBound):\(letter)\(run.upperBound)"
    }

    /// Excel refuses a formula longer than 8,192 characters: past that (phases whose rows alternate
    /// in thousands of runs) the cell holds its value alone.
    static func fitting(_ formula: String?) -> String? {
        guard let formula, formula.utf16.count <= 8_000 else { return nil }
        return formula
    }

    /// The 汇总 sheet: per phase and for the campaign, tasks, completed, progress, budget, spend,
    /// variance and budget use — every number a formula over the master plan, with its value.
    func summary(_ m: SheetMapping, _ tasks: [TaskRow], weightColumn: Int?) throws {
        let zh = book.isChinese
        let title = zh ? "推广汇总(按\(m.sheetName)计算,tracksheet recalc 生成)" : "Campaign summary (from \(m.sheetName), made by tracksheet recalc)"
        let table = phaseTable(m, tasks, weightColumn: weightColumn, first: 3)
        try writeSummary([[(.string(title), nil, nil)], table.headers.map { (.string($0), nil, nil) }] + table.rows, title: title)
    }

    /// The roll-up by phase and for the campaign, its first phase at row `first`: headers, then a
    /// row per phase and the total's (value, formula, number format) from column A. The summary
    /// and the dashboard show the same table.
    func phaseTable(_ m: SheetMapping, _ tasks: [TaskRow], weightColumn: Int?, first: Int) -> (headers: [String], rows: [[(CellValue, String?, String?)]]) {
        let zh = book.isChinese
        let sheetRef = SheetWriter.quoted(m.sheetName)
        var phases: [(name: String, rows: [TaskRow])] = []
        var phaseIndex: [String: Int] = [:]
        for t in tasks {
            let name = t.phase.isEmpty ? (zh ? "(未分阶段)" : "(no phase)") : t.phase
            if let i = phaseIndex[name] { phases[i].rows.append(t) } else { phaseIndex[name] = phases.count; phases.append((name, [t])) }
        }
        let weighted = weightColumn != nil
        // The sums are of the master plan's own cells: in the unit its headers name (万元), when they name one.
        let unit = m.units["budget"].flatMap { $0.factor != 1 ? $0.label : nil }
        let zu = unit ?? "元", eu = unit ?? "CNY"
        let headers = zh ? ["阶段", weighted ? "权重合计" : "任务数", weighted ? "已完成权重" : "已完成", "执行进度(%)", "预算金额(\(zu))", "实际支出(\(zu))", "预算差异(\(zu))", "预算执行率(%)"]
                         : ["Phase", weighted ? "Total weight" : "Tasks", weighted ? "Weight done" : "Done", "Progress %", "Budget (\(eu))", "Spend (\(eu))", "Variance (\(eu))", "Budget used %"]
        var grid: [[(CellValue, String?, String?)]] = []   // value, formula, number format
        // The campaign's done is the phases' (each counted as its formula counts).
        var doneTotal = 0.0
        for (i, p) in phases.enumerated() {
            let r = first + i
            let rows = p.rows.map(\.row)
            let taskCol = m.columns["task"] ?? 1
            let countF: String, doneF: String
            let count: Double, done: Double
            // A date typed as text (2025.5.1) is an actual end validate accepts: with one in the phase,
            // done counts every actual end but blank and "-", so the roll-up agrees with validate.
            let texts = p.rows.contains(where: \.doneAsText)
            if let w = weightColumn {
                countF = "SUM(\(Self.ranges(rows, w, sheet: sheetRef)))"
                count = p.rows.compactMap(\.weight).reduce(0, +)
                let endCol = m.columns["actualEnd"] ?? taskCol
                // Per run of rows: the weights of those whose actual end says done (text weights count 0).
                doneF = Self.runs(rows).map { run in
                    let x = Self.range(run, endCol, sheet: sheetRef), weight = Self.range(run, w, sheet: sheetRef)
                    return texts ? "SUMPRODUCT((LEN(TRIM(\(x)))>0)*(TRIM(\(x))<>\"-\"),\(weight))" : "SUMPRODUCT(--ISNUMBER(\(x)),\(weight))"
                }.joined(separator: "+")
                done = p.rows.filter { texts ? $0.endFilled : $0.done }.compactMap(\.weight).reduce(0, +)
            } else {
                countF = "COUNTA(\(Self.ranges(rows, taskCol, sheet: sheetRef)))"
                count = Double(p.rows.filter(\.hasTask).count)
                if texts, let endCol = m.columns["actualEnd"] {
                    doneF = Self.ranges(rows, endCol, sheet: sheetRef).split(separator: ",").map { range in
                        "SUMPRODUCT((LEN(TRIM(\(range)))>0)*(TRIM(\(range))<>\"-\"))"
                    }.joined(separator: "+")
                    done = Double(p.rows.filter(\.endFilled).count)
                } else {
                    doneF = m.columns["actualEnd"].map { "COUNT(\(Self.ranges(rows, $0, sheet: sheetRef)))" } ?? "0"
                    done = Double(p.rows.filter(\.done).count)
                }
            }
            let budget = p.rows.compactMap(\.budget).reduce(0, +), spend = p.rows.compactMap(\.spend).reduce(0, +)
            doneTotal += done
            grid.append(row(name: p.name, r: r, count: (count, countF), done: (done, doneF),
                            budget: (budget, m.columns["budget"].map { "SUM(\(Self.ranges(rows, $0, sheet: sheetRef)))" }),
                            spend: (spend, m.columns["spend"].map { "SUM(\(Self.ranges(rows, $0, sheet: sheetRef)))" })))
        }
        let last = first + phases.count - 1
        let total = first + phases.count
        let sum = { (col: String) in "SUM(\(col)\(first):\(col)\(last))" }
        let count = phases.flatMap(\.rows).filter { weighted ? true : $0.hasTask }
        grid.append(row(name: zh ? "合计" : "Total", r: total,
                        count: (weighted ? tasks.compactMap(\.weight).reduce(0, +) : Double(count.count), sum("B")),
                        done: (doneTotal, sum("C")),
                        budget: (tasks.compactMap(\.budget).reduce(0, +), m.columns["budget"] == nil ? nil : sum("E")),
                        spend: (tasks.compactMap(\.spend).reduce(0, +), m.columns["spend"] == nil ? nil : sum("F"))))
        return (headers, grid)
    }

    func row(name: String, r: Int, count: (Double, String), done: (Double, String), budget: (Double, String?), spend: (Double, String?)) -> [(CellValue, String?, String?)] {
        let progress: CellValue = count.0 > 0 ? .number(Ratio.round(done.0 / count.0 * 100, 1)) : .string("-")
        var cells: [(CellValue, String?, String?)] = [
            (.string(name), nil, nil), (.number(count.0), Self.fitting(count.1), "#,##0.##"), (.number(done.0), Self.fitting(done.1), "#,##0.##"),
            (progress, "IF(B\(r)>0,ROUND(C\(r)/B\(r)*100,1),\"-\")", "0.0"),
        ]
        if let bf = budget.1, let sf = spend.1 {
            cells += [(.number(budget.0), Self.fitting(bf), "#,##0"), (.number(spend.0), Self.fitting(sf), "#,##0"),
                      (.number(budget.0 - spend.0), "E\(r)-F\(r)", "#,##0"),
                      (budget.0 > 0 ? .number(Ratio.round(spend.0 / budget.0 * 100, 1)) : .string("-"), "IF(E\(r)>0,ROUND(F\(r)/E\(r)*100,1),\"-\")", "0.0")]
        }
        return cells
    }

    /// Writes the grid to the summary sheet: updated in place when a previous recalc made it
    /// (its A1 is our title), else added.
    func writeSummary(_ grid: [[(CellValue, String?, String?)]], title: String) throws {
        let zh = book.isChinese
        let base = zh ? "汇总" : "Summary"
        var name = base, n = 2
        // A summary added in this run (another campaign's) is taken too.
        while added.contains(name) { name = base + "\(n)"; n += 1 }
        while let existing = book.workbook.sheet(named: name) {
            var a1: CellValue = .empty
            var old: [CellReference: Cell] = [:]
            _ = try book.workbook.readSheet(existing) { row in
                for c in row.cells {
                    if row.index == 1 && c.column == 1 { a1 = c.value }
                    old[CellReference(row: row.index, column: c.column)] = c
                }
            }
            // Ours, and of this master plan (a workbook of several campaigns has a summary for each).
            if case .string(let s) = a1, s.hasPrefix(zh ? "推广汇总" : "Campaign summary"), s == title || book.groups.count < 2 {
                // Ours: rewrite what changed, empty what is no longer there.
                var written = Set<CellReference>()
                for (i, cells) in grid.enumerated() {
                    for (j, c) in cells.enumerated() {
                        let ref = CellReference(row: i + 1, column: j + 1)
                        written.insert(ref)
                        let current = old[ref]
                        if let current, current.formula == c.1, Self.same(current.value, c.0) { continue }
                        try editor.setCell(ref, in: existing, to: CellEdit(value: c.0, formula: c.1))
                        result.changed[name, default: 0] += 1
                    }
                }
                for (ref, c) in old where !written.contains(ref) && !(c.value.isEmpty && !c.hasFormula) {
                    try editor.setCell(ref, in: existing, to: CellEdit(value: .empty))
                    result.changed[name, default: 0] += 1
                }
                result.summarySheet = name
                return
            }
            name = base + "\(n)"; n += 1
            while added.contains(name) { name = base + "\(n)"; n += 1 }
        }
        let sheet = try editor.addSheet(name)
        added.insert(name)
        try sheet.setColumns(1, width: 14)
        try sheet.setColumns(2, 8, width: 14)
        try sheet.freeze(rows: 2)
        let head = CellStyle(bold: true, fill: "DDEBF7", border: true, horizontal: .center, wrap: true)
        for (i, cells) in grid.enumerated() {
            try sheet.writeRow(cells.map { c in
                var w = WriteCell(c.0, style: i == 0 ? CellStyle(bold: true, fontSize: 13) : i == 1 ? head
                                  : CellStyle(numberFormat: c.2, bold: i == grid.count - 1, border: true))
                w.formula = c.1
                return w
            })
            result.changed[name, default: 0] += cells.count
        }
        sheet.merge(CellRange(first: CellReference(row: 1, column: 1), last: CellReference(row: 1, column: 8)))
        result.summarySheet = name
    }
}

/// One sheet's ratio columns (CTR, CVR, cost per acquisition, ROI, 达成率 of the review, monitoring
/// rates) computed row by row as the editor asks: each data row's inputs as a formula sees them,
/// and an edit for every derived cell not already holding its formula and value. Rows are read
/// and their edits computed on the parsing thread; the editor takes them on its own.
final class RatioEdits: RowEditSource {
    typealias RowEdits = (row: Int, edits: [(column: Int, edit: CellEdit)])

    private let pass: RatioPass
    private let stream: SheetStream<RowEdits>?
    let columns: ClosedRange<Int>?
    /// The next row with edits, read ahead of the editor by at most that row.
    private var pending: RowEdits?
    private var done = false
    private(set) var given = 0

    /// Reads the sheet on a second thread as the editor rewrites it.
    init(book: CampaignBook, setup: RatioSetup) throws {
        let pass = setup.pass()
        self.pass = pass
        columns = setup.columns
        stream = try book.stream(of: setup.mapping) { row in
            let edits = pass.compute(row)
            return edits.isEmpty ? nil : (row.index, edits)
        }
    }

    /// Gives what a recording found in a pass made before.
    init(recorded: RatioRecording.Sheet) {
        pass = recorded.pass
        columns = recorded.setup.columns
        stream = nil
        self.recorded = recorded.edits
    }

    /// The recorded rows' edits, in row order, and the next one to give.
    private var recorded: [RowEdits] = []
    private var next = 0

    /// A small sheet's rows are all read when the source is made: its last edited row is known.
    var lastRow: Int? { stream == nil ? recorded.last?.row : stream?.last?.row }

    /// Cells of numbers typed as text, and ROI entered by the other definition (once closed).
    var textNumbers: [String] { pass.textNumbers }
    var roiSeen: (total: Int, other: Int) { pass.roiSeen }
    /// Derived cells holding the team's own formulas, kept.
    var ownFormulas: [String] { pass.ownFormulas }

    func nextRow() throws -> Int? {
        if pending == nil && !done {
            if let stream {
                if let item = try stream.next() { pending = item } else { done = true }
            } else if next < recorded.count {
                pending = recorded[next]
                next += 1
            } else {
                done = true
            }
        }
        return pending?.row
    }

    func take(row: Int) throws -> [(column: Int, edit: CellEdit)] {
        guard let p = pending, p.row == row else { return [] }
        pending = nil
        given += p.edits.count
        return p.edits
    }

    func close() { stream?.close() }
}

/// The computing side of `RatioEdits`, run on the parsing thread (its findings read once closed).
/// @unchecked Sendable: used by the parsing thread alone while the sheet streams; the editor's
/// thread reads its findings only after the stream has ended (the handoff orders the two).
final class RatioPass: @unchecked Sendable {
    /// A ratio made ready for the sheet: its column, formula pattern and the slots of its cells.
    /// A class: the per-row loop takes each by reference, not a copy of its patterns and names.
    final class SheetRatio {
        let ratio: Ratio
        let column: Int
        let pattern: RowPattern
        let slot: Int?, numerator: Int?, denominator: Int?, minus: Int?
        /// Input slots with their columns, for the numbers-typed-as-text notice.
        let inputs: [(key: String, slot: Int?, column: Int?)]
        /// The same ratio as a fraction, for a cell formatted as a percent.
        let fraction: (ratio: Ratio, pattern: RowPattern)?

        init(ratio: Ratio, column: Int, pattern: RowPattern, slot: Int?, numerator: Int?, denominator: Int?, minus: Int?,
             inputs: [(key: String, slot: Int?, column: Int?)], fraction: (ratio: Ratio, pattern: RowPattern)?) {
            self.ratio = ratio; self.column = column; self.pattern = pattern; self.slot = slot; self.numerator = numerator
            self.denominator = denominator; self.minus = minus; self.inputs = inputs; self.fraction = fraction
        }
    }

    private let ratios: [SheetRatio]
    private let net: Bool
    /// Styles whose number format shows a percent (`0.00%`).
    private let percentStyles: Set<Int>
    private(set) var textNumbers: [String] = []
    private(set) var roiSeen = (total: 0, other: 0)
    private(set) var ownFormulas: [String] = []
    /// Replace the team's own formulas too (`--force`).
    var replaceOwn = false

    init(layout: ColumnLayout, ratios: [(Ratio, Int, RowPattern)], columns: [String: Int], net: Bool,
         asFraction: [String: (Ratio, RowPattern)] = [:], percentStyles: Set<Int> = []) {
        self.net = net
        self.percentStyles = percentStyles
        self.ratios = ratios.map { r, col, pattern in
            SheetRatio(ratio: r, column: col, pattern: pattern, slot: layout.slot(r.key), numerator: layout.slot(r.numerator),
                       denominator: layout.slot(r.denominator), minus: r.minus.flatMap(layout.slot),
                       inputs: r.inputs.map { ($0, layout.slot($0), columns[$0]) },
                       fraction: asFraction[r.key].map { (ratio: $0.0, pattern: $0.1) })
        }.sorted { $0.column < $1.column } // edits go out in column order
    }

    /// Running sums of each slot's numbers, from the first row read: a 合计 row's `SUM` over every
    /// row above it gets its value from them (rows another copy inserted grew its range).
    private var running: [Double] = []
    private var firstRow: Int?
    private var lastRow = 0
    /// The slots summed: the sheet's counts and amounts (impressions, clicks, cost …), what a 合计 row adds up.
    var summed: [Int] = []

    func compute(_ row: TableRow) -> [(column: Int, edit: CellEdit)] {
        let cells = row.cells
        let width = cells.layout.keys.count
        if running.count < width { running += Array(repeating: 0, count: width - running.count) }
        // A total's SUMs first: the total row's own ratios are computed from what they now add up to.
        var sums: [(column: Int, edit: CellEdit)] = []
        // Only a total row has values of its own to stand in for its cells' (most rows: none).
        var now: [Double?]?
        if row.isTotal, let first = firstRow {
            for slot in summed where slot < width {
                guard let c = cells[slot: slot], let f = c.formula, let range = Recalculator.columnSum(f),
                      range.column == c.column, range.rows.lowerBound <= first, range.rows.upperBound >= lastRow, range.rows.upperBound < row.index else { continue }
                let total = (running[slot] * 1e9).rounded() / 1e9
                if now == nil { now = Array(repeating: nil, count: width) }
                now![slot] = total
                if !Recalculator.same(c.value, .number(total)) { sums.append((c.column, CellEdit(value: .number(total), formula: f))) }
            }
        }
        for slot in summed where slot < width {
            if let n = now?[slot] { running[slot] += n } else if case .number(let n)? = cells[slot: slot]?.value { running[slot] += n }
        }
        if firstRow == nil { firstRow = row.index }
        lastRow = row.index
        let override = now
        func cell(_ slot: Int?) -> Cell? {
            guard let slot else { return nil }
            guard let override, let n = override[slot], var c = cells[slot: slot] else { return cells[slot: slot] }
            c.value = .number(n)
            return c
        }
        var edits: [(column: Int, edit: CellEdit)] = []
        for r in ratios {
            // Inputs as a formula sees them; a number typed as text is reported, not guessed.
            for input in r.inputs where Recalculator.excelNumber(cell(input.slot)) == nil {
                if let c = input.column, let v = cell(input.slot)?.value, case .string = v, case .value = Values.quantity(v) {
                    textNumbers.append(CellReference(row: row.index, column: c).description)
                }
            }
            let numerator = Recalculator.excelNumber(cell(r.numerator)), denominator = Recalculator.excelNumber(cell(r.denominator))
            let current = cell(r.slot)
            // A formula the team wrote (a 合计 row's =ROUND(D7/C7*100,2)) stays theirs.
            if !replaceOwn, let f = current?.formula, !Recalculator.isTemplateFormula(f) {
                ownFormulas.append(CellReference(row: row.index, column: r.column).description)
                continue
            }
            let asFraction = r.fraction != nil && !percentStyles.isEmpty && current.map { percentStyles.contains($0.styleIndex) } == true
            let minus: Double?? = r.ratio.minus == nil ? nil : .some(Recalculator.excelNumber(cell(r.minus)))
            let computed = asFraction ? r.fraction!.ratio.compute(numerator: numerator, denominator: denominator, minus: minus)
                                      : r.ratio.compute(numerator: numerator, denominator: denominator, minus: minus)
            if r.ratio.key == "roi", let sales = numerator, let cost = denominator, cost > 0,
               let entered = Recalculator.excelNumber(current), current?.hasFormula != true {
                roiSeen.total += 1
                let mine = net ? (sales - cost) / cost : sales / cost
                let other = net ? sales / cost : (sales - cost) / cost
                if abs(Ratio.round(mine, 2) - entered) > 0.005 && abs(Ratio.round(other, 2) - entered) <= 0.0051 { roiSeen.other += 1 }
            }
            let value = computed.map(CellValue.number) ?? .string("-")
            let pattern = asFraction ? r.fraction!.pattern : r.pattern
            if let current, let f = current.formula, Recalculator.same(current.value, value), pattern.matches(f, row: row.index) { continue }
            let formula = pattern.text(row: row.index)
            edits.append((r.column, CellEdit(value: value, formula: formula, fillDown: asFraction ? r.ratio.key + "%" : r.ratio.key)))
        }
        return sums.isEmpty ? edits : (sums + edits).sorted { $0.column < $1.column }
    }
}

/// A sheet's ratio columns made ready to compute: which ratios, by which ROI definition and with
/// the units its headers name, their formulas, and the formats that show a percent.
struct RatioSetup {
    let mapping: SheetMapping
    let prepared: [(ratio: Ratio, column: Int, pattern: RowPattern)]
    /// A percent ratio in a cell formatted as a percent (0.00%) holds a fraction: its formula
    /// leaves out the ×100 and rounds two places further, so the cell shows what the column means.
    let asFraction: [String: (Ratio, RowPattern)]
    let percentStyles: Set<Int>
    let net: Bool
    let replaceOwn: Bool
    /// The slots a total row sums (the sheet's counts and amounts).
    let summed: [Int]
    let layout: ColumnLayout
    /// The columns the edits fall in.
    let columns: ClosedRange<Int>?

    /// nil: the sheet has none of its template's ratio columns.
    init?(book: CampaignBook, mapping m: SheetMapping, spec: Template.Sheet, roi: String, replaceOwn: Bool) {
        // Units in headers (成本(万元) over 转化量 under 获客成本(元/人)): the formula scales as the units do.
        let ratios = Ratio.of(spec, roi: roi).filter { m.columns[$0.key] != nil }.map { r -> Ratio in
            var r = r
            let f = m.factor(r.numerator) / m.factor(r.denominator) / m.factor(r.key)
            if abs(f - 1) > 1e-12 && (r.minus == nil || m.factor(r.minus!) == m.factor(r.numerator)) { r.scale *= f }
            return r
        }
        let letters = m.columns.mapValues(CellReference.columnName)
        prepared = ratios.compactMap { r in
            guard let col = m.columns[r.key], let pattern = r.pattern(column: { letters[$0] }) else { return nil }
            return (r, col, pattern)
        }
        guard !prepared.isEmpty else { return nil }
        var asFraction: [String: (Ratio, RowPattern)] = [:]
        let percentKeys = Set(spec.columns.filter { $0.type == .percent }.map(\.key))
        for (r, _, _) in prepared where percentKeys.contains(r.key) {
            var f = r; f.scale = r.scale / 100; f.decimals = r.decimals + 2
            if let pattern = f.pattern(column: { letters[$0] }) { asFraction[r.key] = (f, pattern) }
        }
        self.asFraction = asFraction
        let styles = book.workbook.styles
        percentStyles = Set((0..<styles.kinds.count).filter { Values.isPercentFormat(styles.formatCode(ofStyle: $0)) })
        mapping = m
        net = roi == "net"
        self.replaceOwn = replaceOwn
        let layout = ColumnLayout(m)
        self.layout = layout
        summed = spec.columns.filter { $0.type == .money || $0.type == .count }.compactMap { layout.slot($0.key) }.sorted()
        let written = prepared.map(\.column)
        columns = written.min().map { $0...written.max()! }
    }

    /// A pass computing each row's edits, from the sheet's first row.
    func pass() -> RatioPass {
        let pass = RatioPass(layout: layout, ratios: prepared.map { ($0.ratio, $0.column, $0.pattern) }, columns: mapping.columns,
                             net: net, asFraction: asFraction, percentStyles: percentStyles)
        pass.replaceOwn = replaceOwn
        pass.summed = summed
        return pass
    }

    /// The same ratios in the same columns, by the same definition and formats: one's edits are the other's.
    func matches(_ other: RatioSetup) -> Bool {
        mapping.sheetName == other.mapping.sheetName && net == other.net && replaceOwn == other.replaceOwn
            && percentStyles == other.percentStyles && summed == other.summed
            && prepared.map(\.ratio) == other.prepared.map(\.ratio) && prepared.map(\.column) == other.prepared.map(\.column)
            && asFraction.mapValues(\.0) == other.asFraction.mapValues(\.0)
    }
}

/// Ratio columns computed in a pass that reads every row anyway (a sync's validation), so that
/// the recalc ending the sync gives their edits without reading the sheets again: fed each data
/// and total row as `CampaignBook.rows(of:)` gives it, sheet after sheet.
public final class RatioRecording {
    /// One sheet's pass and the edits it found (rows with none are not kept).
    final class Sheet {
        let setup: RatioSetup
        let pass: RatioPass
        var edits: [RatioEdits.RowEdits] = []
        /// More rows with edits than a recording keeps (a sheet whose derived cells were never
        /// written, at its first sync): given up, and the sheet is read again as it is written.
        var gaveUp = false
        /// The ROI definition the sheet's first rows follow (`Recalculator.detectROI`), or nil.
        let detectedROI: String?
        init(_ setup: RatioSetup, detectedROI: String?) { self.setup = setup; self.detectedROI = detectedROI; pass = setup.pass() }
    }
    /// Rows with edits a sheet's recording keeps at most: each holds its formulas as text, and a
    /// recording of every row of a large sheet held more than the sheet's whole reading.
    /// (A variable for the test that makes it give up.)
    nonisolated(unsafe) public static var mostRows = 10_000
    let book: CampaignBook
    private var sheets: [String: Sheet] = [:]
    private var last: (name: String, sheet: Sheet?) = ("", nil)

    /// For every sheet of `book` with ratio columns, by the definition a recalc with `options`
    /// would find (reading the first rows that show which, as recalc does).
    public init(book: CampaignBook, options: RecalcOptions) throws {
        self.book = book
        for m in book.mappings {
            guard let spec = book.sheetSpec(m), spec.rows != "fields" else { continue }
            let detected = options.roi == nil ? try Recalculator.detectROI(m, in: book) : nil
            let roi = options.roi ?? detected ?? book.template?.roi ?? "ratio"
            if let setup = RatioSetup(book: book, mapping: m, spec: spec, roi: roi, replaceOwn: options.replaceOwnFormulas) {
                sheets[m.sheetName] = Sheet(setup, detectedROI: detected)
            }
        }
    }

    public func feed(_ row: TableRow, in m: SheetMapping) {
        if m.sheetName != last.name { last = (m.sheetName, sheets[m.sheetName]) }
        guard let sheet = last.sheet, !sheet.gaveUp else { return }
        let edits = sheet.pass.compute(row)
        guard !edits.isEmpty else { return }
        if sheet.edits.count >= Self.mostRows {
            sheet.gaveUp = true
            sheet.edits = []
            return
        }
        sheet.edits.append((row.index, edits))
    }

    /// Hands what was found to the book, for the recalc made over it.
    public func finish() {
        for (name, sheet) in sheets where !sheet.gaveUp { book.recordedRatios[name] = sheet }
        sheets = [:]
    }
}
