import Foundation
import Templates
import XLSX

/// What validate and recalc need besides the workbook.
public struct ValidationOptions: Sendable {
    /// "Today" for overdue tasks and on-track KPIs.
    public var asOf: CalendarDate
    /// `ratio` or `net`: overrides the template's ROI definition.
    public var roi: String?
    public var templates: [Template]
    /// recalc replaces formulas a team wrote in derived columns too (they are kept otherwise).
    public var replaceOwnFormulas = false
    /// recalc (and sync, export and new through it) writes and refreshes the 数据看板 and 甘特图
    /// sheets of a marketing plan (`--no-dashboard`: not).
    public var dashboard = true
    public init(asOf: CalendarDate, roi: String? = nil, templates: [Template]) {
        self.asOf = asOf; self.roi = roi; self.templates = templates
    }
}

/// The diagnostics of one workbook.
public struct Report: Sendable {
    public var path: String
    public var template: String?
    public var isChinese: Bool
    public var diagnostics: [Diagnostic]
    public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Checks a filled-in workbook cell by cell against its template and SPEC §3–§4. One pass over
/// each mapped sheet; the master plan's rows are kept (they are few) for the cross-sheet checks.
/// `@exclusivity(unchecked)` on its state: the validator runs on one thread, row after row, and no
/// access to its state overlaps another, so the runtime's per-access check (per cell) is dropped.
/// Reads the rows the validator checks, in the same pass: each data row once it is checked, and
/// the blank rows below a sheet's header (sync makes its row model so, instead of reading each
/// sheet again). Given to `Validator.report(path:rows:)`.
public protocol CheckedRows: AnyObject {
    func checked(_ row: TableRow, isTotal: Bool, in m: SheetMapping) throws
    func blank(row: Int, in m: SheetMapping)
}

public final class Validator {
    let book: CampaignBook
    let options: ValidationOptions
    @exclusivity(unchecked) var diagnostics: [Diagnostic] = []

    // What the cross-sheet checks need from the master plan.
    struct MasterTask {
        var row: Int; var phase: String; var task: String; var owner: String; var budget: Double?; var spend: Double?
        var plannedStart: CalendarDate?; var plannedEnd: CalendarDate?; var texts: [String]; var isTotal: Bool
        /// The budget cell is a formula (a `SUM` of the tasks): a sum, not a stated total.
        var budgetIsFormula = false
    }
    var masterTasks: [MasterTask] = []
    /// Notes under (or over) the master plan: `说明:预留10%应急资金,总预算38.5万` states the total.
    var masterNotes: [String] = []

    /// Who reads the checked rows in this pass (`report(path:rows:)`).
    @exclusivity(unchecked) var rows: CheckedRows?

    public init(book: CampaignBook, options: ValidationOptions) {
        self.book = book
        self.options = options
    }

    public static func validate(path: String, options: ValidationOptions) throws -> Report {
        let book = try CampaignBook(path: path, templates: options.templates)
        return try Validator(book: book, options: options).report(path: path)
    }

    /// Runs every check once and returns what was found, in sheet and cell order.
    /// `rows` reads the same rows as they are checked (sync's row model), so that no one reads a
    /// sheet a second time.
    public func report(path: String, rows: CheckedRows? = nil) throws -> Report {
        self.rows = rows
        defer { self.rows = nil }
        try run()
        return Report(path: path, template: book.template?.id, isChinese: book.isChinese, diagnostics: sorted() + unlistedSummaries())
    }

    func sorted() -> [Diagnostic] {
        let order = Dictionary(uniqueKeysWithValues: book.workbook.sheets.map { ($0.name, $0.position) })
        return diagnostics.sorted { a, b in
            let sa = order[a.sheet] ?? 0, sb = order[b.sheet] ?? 0
            if sa != sb { return sa < sb }
            let ra = a.cell ?? CellReference(row: 0, column: 0), rb = b.cell ?? CellReference(row: 0, column: 0)
            return (ra.row, ra.column, a.rule.rawValue) < (rb.row, rb.column, b.rule.rawValue)
        }
    }

    // MARK: - Reporting

    /// Cells an error was reported at, per sheet (as row × 16,384 + column: a sheet of a hundred
    /// thousand bad cells keeps integers, not texts): what follows from it there is not reported again.
    var erred: [String: Set<Int>] = [:]

    /// Diagnostics of one rule on one sheet listed at most; the rest are counted (`found`) and
    /// said in one line, so a sheet of a hundred thousand bad rows costs neither memory nor time.
    static let maxListedPerRule = 500
    /// Per sheet and rule: how many were found.
    var found: [String: (rule: RuleID, sheet: String, count: Int)] = [:]

    /// `values` are made only for a diagnostic that is listed.
    func report(_ rule: RuleID, _ sheet: String, _ cell: CellReference?, _ value: CellValue, _ key: RulesMessageKey,
                _ values: @autoclosure () -> [String: RulesMessage.Value] = [:], header: String? = nil, styleIndex: Int? = nil) {
        let severity = Rule.severity(of: rule)
        if let cell {
            let at = cell.row * 16_384 + cell.column
            // One cause, one diagnostic: a warning about a cell already in error follows from that error.
            if severity == .error { erred[sheet, default: []].insert(at) } else if erred[sheet]?.contains(at) == true { return }
        }
        let seen = sheet + "\u{0}" + rule.rawValue
        let n = found[seen]?.count ?? 0
        found[seen] = (rule, sheet, n + 1)
        guard n < Self.maxListedPerRule else { return }
        var d = Diagnostic(rule: rule, severity: severity, sheet: sheet, cell: cell, value: value, said: RulesMessage(key, values()))
        d.header = header
        d.styleIndex = styleIndex
        diagnostics.append(d)
    }

    /// One line per rule and sheet whose diagnostics were not all listed, after the ones that were.
    func unlistedSummaries() -> [Diagnostic] {
        found.values.filter { $0.count > Self.maxListedPerRule }.sorted { ($0.sheet, $0.rule.rawValue) < ($1.sheet, $1.rule.rawValue) }.map { u in
            let more = u.count - Self.maxListedPerRule
            return Diagnostic(rule: u.rule, severity: Rule.severity(of: u.rule), sheet: u.sheet, cell: nil, value: .empty,
                              said: RulesMessage(.moreNotListed, ["count": "\(more)", "rule": "\(u.rule.rawValue)"]))
        }
    }

    /// The cell of `key` in `row`.
    func ref(_ m: SheetMapping, _ row: TableRow, _ key: String) -> CellReference? {
        m.columns[key].map { CellReference(row: row.index, column: $0) }
    }

    func report(_ rule: RuleID, _ m: SheetMapping, _ row: TableRow, _ key: String, _ said: RulesMessageKey,
                _ values: @autoclosure () -> [String: RulesMessage.Value] = [:]) {
        // A cell carried down from a merged phase cell above is another cell: its format is not this one's.
        let style = row.isInherited(key) ? nil : row.cells[key]?.styleIndex ?? 0
        report(rule, m.sheetName, ref(m, row, key), row.value(key), said, values(), header: m.headers[key], styleIndex: style)
    }

    /// The column's name in each language (`name(m, "spend")`: spend, 实际支出).
    func name(_ m: SheetMapping, _ key: String) -> RulesMessage.Value {
        .each(en: header(m, key, chinese: false), zh: header(m, key, chinese: true))
    }

    /// A day as each language writes it (2025-06-09, 2025年6月9日).
    static func day(_ d: CalendarDate) -> RulesMessage.Value { .each(en: "\(d)", zh: d.chinese) }

    func column(_ m: SheetMapping, _ key: String) -> Template.Column? { book.sheetSpec(m)?.columns.first { $0.key == key } }
    /// The column's name in a message, without the unit its header carries (`实际支出(元)` → 实际支出).
    func header(_ m: SheetMapping, _ key: String, chinese: Bool) -> String {
        guard let name = column(m, key).map({ chinese ? $0.zh : $0.en }) else { return key }
        guard name.hasSuffix(")") || name.hasSuffix(")"), let open = name.lastIndex(where: { $0 == "(" || $0 == "(" }), open > name.startIndex else { return name }
        return String(name[..<open]).trimmingCharacters(in: .whitespaces)
    }

    /// An amount in 元, with the header's own unit beside it when it names one: `86,000 元(8.6 万元)`.
    func money(_ m: SheetMapping, _ key: String, _ yuan: Double) -> RulesMessage.Value {
        guard let u = m.units[key], u.factor != 1 else { return .message(RulesMessage(.yuan, ["amount": "\(Self.show(yuan))"])) }
        return .message(RulesMessage(.yuanInUnit, ["amount": "\(Self.show(yuan))", "inUnit": "\(Self.show(yuan / u.factor))", "unit": "\(u.label)"]))
    }

    static func show(_ x: Double) -> String {
        formatter.string(from: NSNumber(value: x)) ?? "\(x)"
    }

    static let formatter: NumberFormatter = {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.maximumFractionDigits = 2
        f.locale = Locale(identifier: "en_US_POSIX")
        f.usesGroupingSeparator = true
        f.groupingSeparator = ","
        f.groupingSize = 3
        return f
    }()

    static func show(_ x: Double, decimals: Int) -> String { String(format: "%.\(max(0, min(decimals, 6)))f", x) }

    // MARK: - The pass

    func run() throws {
        for p in book.period.placeholders {
            report(.periodPlaceholder, p.sheet, p.cell, .string(p.text), .periodPlaceholder)
        }
        if let a = book.ambiguity {
            report(.templateAmbiguous, a.sheet, nil, .empty, .templateAmbiguous, ["chosen": "\(a.chosen)", "other": "\(a.other)"])
            return // not checked against a guess
        }
        for name in book.unmatched {
            report(.sheetUnchecked, name, nil, .empty, .sheetUnchecked, ["template": "\(book.template?.id ?? "")"])
        }
        for (gi, group) in book.groups.enumerated() {
            book.activeGroup = gi
            masterTasks = []
            masterNotes = []
            try run(group)
            checkMasterTotals()
        }
        book.activeGroup = 0
    }

    func run(_ group: [SheetMapping]) throws {
        // The master plan first: the other sheets are checked against it.
        let ordered = group.sorted { a, b in (a.templateSheet == "master" ? 0 : 1) < (b.templateSheet == "master" ? 0 : 1) }
        for m in ordered {
            guard let spec = book.sheetSpec(m) else { continue }
            let missedBy = Dictionary(m.nearMisses.flatMap { n in n.candidates.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
            for n in m.nearMisses {
                let names = n.candidates.compactMap { k in spec.columns.first { $0.key == k } }
                let at = CellReference(row: m.headerRow, column: n.column)
                if names.count == 1 {
                    report(.columnNearMiss, m.sheetName, at, .string(n.header), .headerReadAs,
                           ["header": "\(n.header)", "name": .each(en: names[0].en, zh: names[0].zh), "suggestion": "\(names[0].zh)"])
                } else {
                    report(.columnNearMiss, m.sheetName, at, .string(n.header), .headerFitsSeveral,
                           ["header": "\(n.header)", "names": .each(en: names.map(\.en).joined(separator: ", "), zh: names.map(\.zh).joined(separator: "、")),
                            "suggestions": "\(names.map { "\"\($0.zh)\"" }.joined(separator: ", "))"])
                }
            }
            let found = m.headers.sorted { (m.columns[$0.key] ?? 0) < (m.columns[$1.key] ?? 0) }.map(\.value) + m.extra.map(\.header)
            for key in m.missingRequired where missedBy[key] == nil {
                let c = column(m, key)
                report(.columnMissing, m.sheetName, CellReference(row: m.headerRow, column: 1), .empty, .columnMissing,
                       ["name": "\(c?.en ?? key)", "chineseName": "\(c?.zh ?? key)", "row": "\(m.headerRow)", "found": .list(found)])
            }
            for (col, h) in m.extra {
                report(.columnExtra, m.sheetName, CellReference(row: m.headerRow, column: col), .string(h), .columnExtra, ["header": "\(h)"])
            }
            if spec.rows == "fields" { checkFields(m, spec); continue }
            var roiRows: [ROIRow] = []
            ratios = Ratio.of(spec, roi: options.roi ?? book.template?.roi).filter { m.columns[$0.key] != nil }
            let layout = ColumnLayout(m)
            let slot = { (key: String) in layout.slot(key) ?? -1 }
            ratioSlots = ratios.map { r in (slot(r.key), slot(r.numerator), slot(r.denominator), r.minus.map(slot)) }
            numbers = Array(repeating: nil, count: layout.keys.count)
            present = spec.columns.compactMap { c in layout.slot(c.key).map { PresentColumn(c, slot: $0, template: book.template) } }
            let keys = Set(m.columns.keys)
            has = Columns(keys, slot: slot)
            datePairs = Self.datePairs.filter { keys.contains($0.0) && keys.contains($0.1) }
            funnelPairs = Self.funnelPairs.filter { keys.contains($0.0) && keys.contains($0.1) }.map { ($0.0, $0.1, slot($0.0), slot($0.1)) }
            let blank = rows.map { reader in { (r: Int) in reader.blank(row: r, in: m) } }
            let note = m.templateSheet == "master" ? { (_: Int, text: String) in self.masterNotes.append(text) } : nil
            ownFormulas = []
            beginCross(m)
            try book.rows(of: m, blank: blank, note: note) { row in
                let isTotal = row.isTotal
                checkCells(m, spec, row, isTotal: isTotal)
                checkRow(m, spec, row, isTotal: isTotal, roiRows: &roiRows)
                checkCross(m, row)
                try rows?.checked(row, isTotal: isTotal, in: m)
            }
            checkROI(m, roiRows)
            endCross(m)
            if let first = ownFormulas.first {
                let cells = ownFormulas.prefix(8).map(\.description), more = ownFormulas.count > 8 ? " …" : ""
                report(.formulaOwn, m.sheetName, first, .empty, .formulaOwn, ["cells": .list(cells), "more": "\(more)"])
            }
        }
    }

    // MARK: - Cells, by column type

    /// Keys of this row whose value failed its type: their derived checks are not made (one
    /// problem, one report).
    // The per-row state below is touched from the validating thread only, never through
    // overlapping accesses: `@exclusivity(unchecked)` drops the runtime's bookkeeping on each
    // access (a twentieth of a sync's main thread in callgrind).
    @exclusivity(unchecked) var badKeys: Set<String> = []

    /// Derived cells of the sheet being checked that hold a formula of the team's own.
    @exclusivity(unchecked) var ownFormulas: [CellReference] = []
    /// The ratio columns of the sheet being checked.
    @exclusivity(unchecked) var ratios: [Ratio] = []
    /// Where the row keeps each ratio's cell and inputs (-1: the sheet has no such column).
    @exclusivity(unchecked) var ratioSlots: [(key: Int, numerator: Int, denominator: Int, minus: Int?)] = []
    /// The row's numbers by slot, read once each (`.none`: not read yet).
    @exclusivity(unchecked) var numbers: [Double??] = []
    /// The template columns the sheet being checked has, and their keys.
    @exclusivity(unchecked) var present: [PresentColumn] = []

    /// A template column the sheet being checked has, with what its checks need worked out once
    /// per sheet (a class: the per-row loop retains one reference, not every field of a copy).
    final class PresentColumn {
        enum Kind { case text, status, date, time, timePoint, number, quantity, kpi, checkboxes, raci, deadlineRule, other }
        let key, zh, en: String
        let type: Template.ColumnType
        let spec: Template.Column
        /// A `timePoint` column's allowed times, in minutes after midnight.
        let allowedMinutes: Set<Int>
        let kind: Kind
        let required: Bool?, derived: String?, noValue: Bool?
        /// With the English phase and stage names added (an English workbook names them in English).
        let allowed: [String]?
        let allowedSet: Set<String>
        /// Where the row keeps the cell (`RowCells`).
        let slot: Int

        init(_ c: Template.Column, slot: Int, template: Template?) {
            key = c.key; zh = c.zh; en = c.en; type = c.type; spec = c
            required = c.required; derived = c.derived; noValue = c.noValue
            allowedMinutes = Set((c.allowed ?? []).compactMap { a in
                let p = a.split(separator: ":"); guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]) else { return nil }; return h * 60 + m })
            kind = switch c.type {
            case .text: .text
            case .status: .status
            case .date, .dateOrRange: .date
            case .time: .time
            case .timePoint: .timePoint
            case .money, .count, .percent, .ratio: .number
            case .quantity: .quantity
            case .kpi: .kpi
            case .checkboxes: .checkboxes
            case .raci: .raci
            case .deadlineRule: .deadlineRule
            case .raciRole: .other
            }
            var allowed = c.allowed
            if allowed != nil, c.key == "phase" { allowed! += (template?.phases ?? []).map(\.en) }
            if allowed != nil, c.key == "stage" { allowed! += (template?.stages ?? []).map(\.en) }
            if allowed != nil, let en = c.allowedEn { allowed! += en }
            self.allowed = allowed
            allowedSet = Set(allowed ?? [])
            self.slot = slot
        }
    }
    /// The columns `checkRow` asks about that the sheet has, and where a row keeps the numbers it
    /// reads: answered once per sheet, not by hashing key names per row.
    struct Columns {
        var progress = false, actualEnd = false, plannedEnd = false, state = false
        var plannedDone = false, finish = false, deadline = false, kpiAndAchieved = false
        var progressSlot = -1, budgetSlot = -1, spendSlot = -1

        init() {}
        init(_ keys: Set<String>, slot: (String) -> Int) {
            progress = keys.contains("progress"); actualEnd = keys.contains("actualEnd"); plannedEnd = keys.contains("plannedEnd")
            state = keys.contains("state"); plannedDone = keys.contains("plannedDone"); finish = keys.contains("finish")
            deadline = keys.contains("deadline"); kpiAndAchieved = keys.contains("kpi") && keys.contains("achieved")
            progressSlot = slot("progress"); budgetSlot = slot("budget"); spendSlot = slot("spend")
        }
    }
    @exclusivity(unchecked) var has = Columns()
    /// Which of the start–end and funnel pairs the sheet has (found once per sheet, not per row),
    /// the funnel's with the slots of its numbers.
    @exclusivity(unchecked) var datePairs: [(String, String)] = []
    @exclusivity(unchecked) var funnelPairs: [(a: String, b: String, slotA: Int, slotB: Int)] = []
    static let datePairs = [("plannedStart", "plannedEnd"), ("actualStart", "actualEnd"), ("start", "finish")]
    static let funnelPairs = [("impressions", "clicks"), ("clicks", "conversions"), ("uv", "orders"), ("orders", "newCustomers")]

    /// Whether `key`'s value failed its type in this row (usually none did: no hashing then).
    @inline(__always) func bad(_ key: String) -> Bool { !badKeys.isEmpty && badKeys.contains(key) }

    /// What the ROI check keeps of a row: enough to report it, not the row.
    struct ROIRow { var index: Int; var value: CellValue; var entered: Double; var ratio: Double; var net: Double; var decimals: Int; var sales: Double; var cost: Double }

    func checkCells(_ m: SheetMapping, _ spec: Template.Sheet, _ row: TableRow, isTotal: Bool) {
        if !badKeys.isEmpty { badKeys = [] }
        for i in numbers.indices { numbers[i] = .none }
        for c in present where !row.isInherited(c.key) {
            let cell = row.cells.slots[c.slot]
            if c.derived != nil, let f = cell?.formula, !Recalculator.isTemplateFormula(f), let cell { ownFormulas.append(CellReference(row: row.index, column: cell.column)) }
            let v = cell?.value ?? .empty
            let name = RulesMessage.Value.each(en: c.en, zh: c.zh)
            if Values.isBlank(v) {
                if c.required == true && c.derived == nil && !isTotal {
                    report(.required, m, row, c.key, .required, ["name": name])
                    badKeys.insert(c.key)
                }
                continue
            }
            // The cell as typed, trimmed; a number's text only when a message needs it.
            var typed: String?
            var text: String {
                if let typed { return typed }
                let t = Values.trimmed(Values.text(v))
                typed = t
                return t
            }
            var marker: Bool { if case .string = v { Values.noValueMarkers.contains(text) } else { false } }
            switch c.kind {
            case .text, .status:
                guard let allowed = c.allowed, !isTotal else { continue }
                let state = c.kind == .status ? StateValue.parse(text).state : text
                if !c.allowedSet.contains(state) && c.spec.canonical(state) == nil && !(marker && c.kind == .status && c.derived != nil) {
                    // Each language lists its own names of the choices (any of them is accepted).
                    let zhList = c.spec.allowed ?? allowed
                    let enList = c.spec.allowedEn ?? (c.key == "phase" ? (book.template?.phases ?? []).map(\.en)
                                                      : c.key == "stage" ? (book.template?.stages ?? []).map(\.en) : zhList)
                    report(.valueAllowed, m, row, c.key, .valueAllowed,
                           ["name": name, "text": "\(text)", "choices": .each(en: (enList.isEmpty ? zhList : enList).joined(separator: "/"), zh: zhList.joined(separator: "/"))])
                    badKeys.insert(c.key)
                }
            case .date:
                switch book.date(v) {
                case .placeholder:
                    report(.datePlaceholder, m, row, c.key, .datePlaceholder, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                case .invalid:
                    report(.typeDate, m, row, c.key, .notADate, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                case .noValue where c.noValue != true:
                    report(.typeDate, m, row, c.key, .needsADate, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                case .span(let s):
                    if s.isRange && c.type == .date {
                        report(.typeDate, m, row, c.key, .dateIsRange, ["name": name, "text": "\(text)"])
                        badKeys.insert(c.key)
                    } else if s.end < s.start {
                        report(.dateOrder, m, row, c.key, .rangeBackwards, ["name": name, "text": "\(text)"])
                        badKeys.insert(c.key)
                    } else if Self.plannedDateKeys.contains(c.key), !book.period.contains(s.start) || !book.period.contains(s.end),
                              let ps = book.period.start, let pe = book.period.end {
                        report(.dateOutsidePeriod, m, row, c.key, .dateOutsidePeriod, ["name": name, "date": Self.day(s.start), "start": Self.day(ps), "end": Self.day(pe)])
                    }
                default: break
                }
            case .time:
                switch book.time(v) {
                case .invalid:
                    report(.typeTime, m, row, c.key, .notATime, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                default: break
                }
            case .timePoint:
                // 9:00 typed as text, or an Excel time (a fraction of a day under h:mm).
                guard case .value(let t) = book.time(v), let minutes = t.minutes, t.date == nil else {
                    report(.typeTime, m, row, c.key, .notATimeOfDay, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                    continue
                }
                if !c.allowedMinutes.isEmpty && !c.allowedMinutes.contains(minutes) {
                    let allowed = (c.allowed ?? []).joined(separator: "/")
                    report(.valueAllowed, m, row, c.key, .timeNotAllowed,
                           ["name": name, "time": "\(String(format: "%d:%02d", minutes / 60, minutes % 60))", "choices": "\(allowed)"])
                    badKeys.insert(c.key)
                }
            case .number:
                if c.derived != nil && marker { continue }
                switch book.quantity(cell) {
                case .invalid:
                    report(.typeNumber, m, row, c.key, .notANumber, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                case .noValue where c.noValue != true && c.derived == nil:
                    report(.typeNumber, m, row, c.key, .needsANumber, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                case .value(let q):
                    if q.value < 0 && (c.type == .money || c.type == .count) {
                        report(.typeNegative, m, row, c.key, .negative, ["name": name, "text": "\(text)"])
                        badKeys.insert(c.key)
                    } else if c.key == "progress" && (q.value < 0 || q.value > 100) {
                        report(.progressRange, m, row, c.key, .progressRange, ["text": "\(text)"])
                        badKeys.insert(c.key)
                    }
                default: break
                }
            case .quantity:
                if case .invalid = book.quantity(row, slot: c.slot), !isTotal {
                    report(.typeQuantity, m, row, c.key, .notAQuantity, ["name": name, "text": "\(text)"])
                    badKeys.insert(c.key)
                }
            case .kpi:
                if KPI.parse(text) == nil && !isTotal {
                    report(.kpiUnreadable, m, row, c.key, .kpiUnreadable, ["text": "\(text)"])
                    badKeys.insert(c.key)
                }
            case .checkboxes:
                switch CheckboxState.parse(text, labels: CheckboxState.cardLabels) {
                case .several(let states):
                    report(.checkboxSeveral, m, row, c.key, .checkboxSeveral, ["states": .list(states)])
                    badKeys.insert(c.key)
                case .invalid:
                    report(.checkboxInvalid, m, row, c.key, .checkboxInvalid, ["text": "\(text)"])
                    badKeys.insert(c.key)
                default: break
                }
            case .raci:
                guard let raci = RACI.parse(text) else {
                    report(.raciUnreadable, m, row, c.key, .raciUnreadable, ["text": "\(text)"])
                    badKeys.insert(c.key)
                    continue
                }
                if raci.accountableCount != 1 {
                    report(.raciAccountable, m, row, c.key, .raciAccountable, ["count": "\(raci.accountableCount)"])
                }
                if raci.responsibleCount == 0 {
                    report(.raciResponsible, m, row, c.key, .raciResponsible)
                }
            case .deadlineRule:
                checkDeadline(m, row)
            case .other: break
            }
        }
    }

    /// Dates that must lie in the campaign period (a process card's deadlines come before its launch).
    static let plannedDateKeys: Set<String> = ["plannedStart", "plannedEnd", "date", "start", "finish"]

    /// Whether a text is a total word (合计, 小计, Total …) — a 合计 row is checked for totals, not as a
    /// data row (nor synced as one); `TableRowBuilder` asks it of a row's texts as they are read
    /// (`TableRow.isTotal`). A byte scan first, normalised only then.
    @inline(__always)
    static func namesTotal(_ s: String) -> Bool {
        s.utf8.count <= 24 && mayNameTotal(s) && totalWords.contains(HeaderMatcher.normalize(s))
    }

    static let totalWords: Set<String> = ["合计", "总计", "小计", "总预算", "预算合计", "费用合计", "合计金额", "总合计", "累计", "total", "subtotal", "grandtotal", "totals"]

    /// Every total word has 计, 算 or a t (ASCII or full-width, which `normalize` turns into one):
    /// text with none of them is not a total word — a byte scan instead of normalising every
    /// short text of every row.
    @inline(__always)
    static func mayNameTotal(_ s: String) -> Bool {
        var a: UInt8 = 0, b: UInt8 = 0
        for c in s.utf8 {
            if c == UInt8(ascii: "t") || c == UInt8(ascii: "T") { return true }
            switch (a, b, c) {
            case (0xE8, 0xAE, 0xA1), (0xE7, 0xAE, 0x97), // 计 算
                 (0xEF, 0xBD, 0x94), (0xEF, 0xBC, 0xB4): // ｔ Ｔ
                return true
            default: break
            }
            (a, b) = (b, c)
        }
        return false
    }

    // MARK: - Rows

    func number(_ row: TableRow, _ key: String) -> Double? {
        guard let slot = row.cells.layout.slot(key) else { return nil }
        return number(row, slot: slot)
    }

    /// The number in the row's `slot` (nil: none, a failed type, or no such column), read once per row.
    func number(_ row: TableRow, slot: Int) -> Double? {
        guard slot >= 0, slot < numbers.count else { return nil }
        if !badKeys.isEmpty && badKeys.contains(row.cells.layout.keys[slot]) { return nil }
        if let known = numbers[slot] { return known }
        let n = book.quantity(row, slot: slot).value?.value
        numbers[slot] = .some(n)
        return n
    }

    func dateValue(_ row: TableRow, _ key: String) -> CalendarDate? {
        guard !bad(key) else { return nil }
        return book.date(row.value(key)).date
    }

    func checkRow(_ m: SheetMapping, _ spec: Template.Sheet, _ row: TableRow, isTotal: Bool, roiRows: inout [ROIRow]) {
        // Ends after starts.
        for (a, b) in datePairs {
            if let s = dateValue(row, a), let e = dateValue(row, b), e < s {
                let label = name(m, b), from = name(m, a)
                report(.dateOrder, m, row, b, .datesBackwards, ["name": label, "date": Self.day(e), "fromName": from, "from": Self.day(s)])
                badKeys.insert(b)
            }
        }
        // Progress and the actual end.
        let progress = has.progress ? number(row, slot: has.progressSlot) : nil
        if has.actualEnd, let p = progress {
            let ended = dateValue(row, "actualEnd") != nil
            if p >= 100 && !ended && !bad("actualEnd") {
                report(.progressDoneWithoutEnd, m, row, "actualEnd", .doneWithoutEnd)
            } else if ended && p < 100 {
                report(.progressEndNotDone, m, row, "progress", .endNotDone, ["progress": "\(Self.show(p))"])
            }
        }
        // Overdue: the planned end has passed and the task is open.
        if has.plannedEnd, let due = dateValue(row, "plannedEnd"), due < options.asOf,
           dateValue(row, "actualEnd") == nil, (progress ?? 0) < 100, !isTotal {
            report(.statusOverdue, m, row, "plannedEnd", .plannedEndPassed, ["due": Self.day(due), "asOf": Self.day(options.asOf)])
        }
        // States against the plan (detail, platform tasks, process card).
        let stateKey = has.state ? "state" : nil
        if let stateKey, !bad(stateKey), row.has(stateKey) {
            let text = row.text(stateKey)
            let state: String? = column(m, stateKey)?.type == .checkboxes
                ? { if case .one(let s) = CheckboxState.parse(text, labels: CheckboxState.cardLabels) { s } else { nil } }()
                : { let s = StateValue.parse(text).state; return column(m, stateKey)?.canonical(s) ?? s }()
            var due: CalendarDate?
            if has.plannedDone, case .value(let t) = book.time(row.value("plannedDone")) {
                due = t.date ?? book.date(row.value("date")).span?.end
            } else if has.finish { due = dateValue(row, "finish") }
            else if has.deadline { due = dateValue(row, "deadline") }
            if let state, state == "未开始" || state == "进行中", let due, due < options.asOf {
                // The column's word for 延期 in the workbook's language; a process card has no such box.
                let spec = column(m, stateKey)
                if let delayed = spec?.allowed?.firstIndex(of: "延期") {
                    let english = spec?.allowedEn.flatMap { delayed < $0.count ? $0[delayed] : nil } ?? "Delayed"
                    report(.statusOverdue, m, row, stateKey, .stateOverdue,
                           ["text": "\(text)", "due": Self.day(due), "asOf": Self.day(options.asOf), "delayed": "\(english)"])
                } else {
                    report(.statusOverdue, m, row, stateKey, .cardOverdue, ["text": "\(text)", "due": Self.day(due), "asOf": Self.day(options.asOf)])
                }
            }
            if let p = progress, let state {
                if p >= 100 && state != "已完成" {
                    report(.progressState, m, row, stateKey, .doneStateDisagrees, ["text": "\(text)"])
                } else if state == "已完成" && p < 100 {
                    report(.progressState, m, row, stateKey, .doneProgressDisagrees, ["progress": "\(Self.show(p))"])
                }
            }
        }
        // Budget.
        if let b = number(row, slot: has.budgetSlot), let s = number(row, slot: has.spendSlot), s > b, !isTotal {
            report(.budgetOverspend, m, row, "spend", .overspend,
                   ["name": "\(header(m, "spend", chinese: false))", "spend": money(m, "spend", s), "budget": money(m, "budget", b), "over": "\(Self.show(s - b))"])
        }
        // Funnel: a later step cannot exceed the one before.
        for (a, b, slotA, slotB) in funnelPairs {
            if let x = number(row, slot: slotA), let y = number(row, slot: slotB), y > x {
                report(.metricFunnel, m, row, b, .funnel, ["name": name(m, b), "later": "\(Self.show(y))", "fromName": name(m, a), "earlier": "\(Self.show(x))"])
                badKeys.insert(b)
            }
        }
        // RACI in four columns (执行者(R), 负责人(A), 咨询者(C), 知会者(I)): one A, at least one R.
        if m.columns["raciA"] != nil || m.columns["raciR"] != nil, !isTotal, m.columns["raci"] == nil {
            let names = { (key: String) -> Int in
                row.text(key).split(whereSeparator: { " ,，、;；/".contains($0) }).filter { !$0.isEmpty && !Values.noValueMarkers.contains(String($0)) }.count
            }
            if m.columns["raciA"] != nil, names("raciA") != 1 {
                report(.raciAccountable, m, row, "raciA", .raciAccountable, ["count": "\(names("raciA"))"])
            }
            if m.columns["raciR"] != nil, names("raciR") == 0 {
                report(.raciResponsible, m, row, "raciR", .raciResponsible)
            }
        }
        // Entered ratios against their inputs, at the precision they show.
        for (ratio, at) in zip(ratios, ratioSlots) {
            guard badKeys.isEmpty || (!ratio.inputs.contains(where: badKeys.contains) && !badKeys.contains(ratio.key)),
                  at.key >= 0, case .value(let entered) = book.quantity(row, slot: at.key) else { continue }
            let numerator = number(row, slot: at.numerator), denominator = number(row, slot: at.denominator)
            guard let computed = ratio.compute(numerator: numerator, denominator: denominator, minus: at.minus.map { number(row, slot: $0) })
            else { continue }
            if ratio.key == "roi", let sales = numerator, let cost = denominator, cost > 0 {
                roiRows.append(ROIRow(index: row.index, value: row.value("roi"), entered: entered.value, ratio: sales / cost,
                                      net: (sales - cost) / cost, decimals: entered.decimals, sales: sales, cost: cost))
                continue
            }
            if !Self.agrees(entered, computed) {
                let formula = ratioText(ratio, row)
                report(.metricMismatch, m, row, ratio.key, .ratioDisagrees,
                       ["name": name(m, ratio.key), "entered": "\(Values.text(row.value(ratio.key)))", "formula": "\(formula)",
                        "computed": "\(Self.show(computed, decimals: max(entered.decimals, 1)))"])
            }
        }
        // KPI against the achieved value, and the derived 达成率 / 达标情况 when entered.
        if has.kpiAndAchieved, !bad("kpi"), !bad("achieved"),
           let kpi = KPI.parse(row.text("kpi")), case .value(let actual) = book.quantity(row, "achieved") {
            checkKPI(m, row, kpi, actual, progress: progress)
        }
        if m.templateSheet == "master" {
            masterTasks.append(MasterTask(row: row.index, phase: row.text("phase"), task: row.text("task"), owner: row.text("owner"),
                                          budget: number(row, "budget"), spend: number(row, "spend"),
                                          // A task whose dates are in error sets no phase window (its phase's detail rows would all look misplaced).
                                          plannedStart: bad("plannedEnd") ? nil : dateValue(row, "plannedStart"),
                                          plannedEnd: bad("plannedStart") ? nil : dateValue(row, "plannedEnd"),
                                          texts: ["task", "objective", "kpi", "notes"].map { row.text($0) }.filter { !$0.isEmpty }, isTotal: isTotal,
                                          budgetIsFormula: row.cells["budget"]?.hasFormula == true))
        }
    }

    /// `52,000/650,000`: the inputs of a ratio as written in the message.
    func ratioText(_ r: Ratio, _ row: TableRow) -> String {
        let n = number(row, r.numerator).map(Self.show) ?? "?", d = number(row, r.denominator).map(Self.show) ?? "?"
        let top = r.minus.map { "(\(n)−\(number(row, $0).map(Self.show) ?? "?"))" } ?? n
        return r.scale == 100 ? "\(top)/\(d)×100" : "\(top)/\(d)"
    }

    /// Equal at the precision the entered value shows: the computed value rounded to its decimals.
    static func agrees(_ entered: Quantity, _ computed: Double) -> Bool {
        let d = max(0, entered.decimals)
        let unit = pow(10, -Double(d))
        return abs(Ratio.round(computed, d) - entered.value) < unit / 2 + 1e-9
    }

    func checkKPI(_ m: SheetMapping, _ row: TableRow, _ kpi: KPI, _ actual: Quantity, progress: Double?) {
        guard kpi.comparable(actual) else {
            report(.kpiUnit, m, row, "achieved", .kpiUnit, ["achieved": "\(row.text("achieved"))", "kpi": "\(row.text("kpi"))"])
            return
        }
        guard let rate = kpi.achievement(actual) else { return }
        let finished = dateValue(row, "actualEnd") != nil || (progress ?? 0) >= 100
        let threshold = KPIStatus.warningThreshold(elapsedShare: finished || badKeys.contains("plannedStart") || badKeys.contains("plannedEnd")
                                                               ? nil : book.elapsedShare(row, asOf: options.asOf))
        let status = KPIStatus.status(rate: rate, threshold: threshold)
        if finished && rate < 100 - 1e-9 {
            report(.kpiNotMet, m, row, "achieved", .kpiNotMet, ["rate": "\(Self.show(rate, decimals: 1))", "kpi": "\(row.text("kpi"))"])
        }
        if m.columns["achievementRate"] != nil, case .value(let entered) = book.quantity(row.cells["achievementRate"]),
           !Self.agrees(entered, Ratio.round(rate, 1)) {
            report(.kpiStatus, m, row, "achievementRate", .rateDisagrees,
                   ["name": "\(header(m, "achievementRate", chinese: false))", "entered": "\(row.text("achievementRate"))", "achieved": "\(row.text("achieved"))",
                    "kpi": "\(row.text("kpi"))", "rate": "\(Self.show(rate, decimals: 1))"])
        }
        if m.columns["status"] != nil, row.has("status"), !Values.noValueMarkers.contains(row.text("status")),
           (column(m, "status")?.canonical(row.text("status")) ?? row.text("status")) != status {
            let english = column(m, "status").flatMap { c in c.allowed?.firstIndex(of: status).flatMap { i in c.allowedEn.flatMap { i < $0.count ? $0[i] : nil } } } ?? status
            report(.kpiStatus, m, row, "status", .statusDisagrees,
                   ["name": "\(header(m, "status", chinese: false))", "status": "\(row.text("status"))", "rate": "\(Self.show(rate, decimals: 1))",
                    "expected": .each(en: english, zh: status)])
        }
    }

    /// ROI: one definition throughout. When every entered ROI that disagrees with the template's
    /// definition follows the other one, say so once instead of flagging each row.
    func checkROI(_ m: SheetMapping, _ rows: [ROIRow]) {
        guard !rows.isEmpty, let col = m.columns["roi"] else { return }
        let useNet = (options.roi ?? book.template?.roi ?? "ratio") == "net"
        func agrees(_ e: Double, _ c: Double, _ d: Int) -> Bool { Self.agrees(Quantity(value: e, decimals: d), c) }
        let wrong = rows.filter { !agrees($0.entered, useNet ? $0.net : $0.ratio, $0.decimals) }
        let other = wrong.filter { agrees($0.entered, useNet ? $0.ratio : $0.net, $0.decimals) }
        func at(_ r: ROIRow) -> CellReference { CellReference(row: r.index, column: col) }
        if !wrong.isEmpty && other.count == wrong.count && wrong.count == rows.count {
            report(.metricRoiDefinition, m.sheetName, at(rows[0]), rows[0].value, useNet ? .roiFollowsRatio : .roiFollowsNet)
            return
        }
        for w in wrong {
            let c = useNet ? w.net : w.ratio, d = max(w.decimals, 1)
            let f = useNet ? "(\(Self.show(w.sales))−\(Self.show(w.cost)))/\(Self.show(w.cost))" : "\(Self.show(w.sales))/\(Self.show(w.cost))"
            report(.metricMismatch, m.sheetName, at(w), w.value, .roiDisagrees,
                   ["entered": "\(Values.text(w.value))", "formula": "\(f)", "computed": "\(Self.show(Ratio.round(c, d), decimals: d))"])
        }
    }

    // MARK: - Key–value sheets (活动总览)

    func checkFields(_ m: SheetMapping, _ spec: Template.Sheet) {
        guard let values = book.fields[m.sheetName] else { return }
        let shareKeys = (spec.fields ?? []).map(\.key).filter { $0.hasSuffix("Share") }
        guard !shareKeys.isEmpty else { return }
        var total = 0.0, any = false
        for key in shareKeys {
            guard let f = values[key] else { continue }
            let code = book.formatCode(f.cell)
            switch Values.quantity(f.cell.value, percentFormat: Values.isPercentFormat(code), formatDecimals: Values.formatDecimals(code)) {
            case .value(let q): total += q.value; any = true
            case .invalid:
                report(.typeNumber, m.sheetName, f.ref, f.cell.value, .shareNotANumber, ["text": "\(Values.text(f.cell.value))"])
            default: break
            }
        }
        guard any, abs(total - 100) > 0.01 else { return }
        let at = values["shareTotal"] ?? shareKeys.compactMap { values[$0] }.last!
        report(.shareTotal, m.sheetName, at.ref, at.cell.value, .sharesTotal, ["total": "\(Self.show(total))"])
    }

    // MARK: - Process-card deadlines

    func checkDeadline(_ m: SheetMapping, _ row: TableRow) {
        guard m.columns["deadline"] != nil, let launch = book.period.launch ?? book.period.start,
              let rule = DeadlineRule.parse(row.text("deadlineRule")), let due = dateValue(row, "deadline") else { return }
        guard rule.anchor == "launch" || book.period.end != nil else { return }
        let expected = rule.date(launch: launch, end: book.period.end ?? launch)
        if expected != due {
            report(.deadlineRule, m, row, "deadline", .deadlineRule, ["due": Self.day(due), "rule": "\(row.text("deadlineRule"))", "expected": Self.day(expected)])
        }
    }

    // MARK: - Whole campaign and cross-sheet

    func checkMasterTotals() {
        guard let m = book.mapping("master") else { return }
        let tasks = masterTasks.filter { !$0.isTotal }
        let budget = tasks.compactMap(\.budget).reduce(0, +), spend = tasks.compactMap(\.spend).reduce(0, +)
        if spend > budget, budget > 0, let col = m.columns["spend"] {
            report(.budgetCampaignOverspend, m.sheetName, CellReference(row: m.headerRow, column: col), .empty, .campaignOverspend,
                   ["spend": money(m, "spend", spend), "budget": money(m, "budget", budget)])
        }
        // The seed keeps 10% of the total as reserve: a 合计 row's budget is the total.
        let reserve = masterTasks.filter { !$0.isTotal && ($0.task.contains("预留") || $0.task.contains("应急") || $0.task.lowercased().contains("reserve")) }
        let reserveRows = Set(reserve.map(\.row))
        let allocated = tasks.filter { !reserveRows.contains($0.row) }.compactMap(\.budget).reduce(0, +)
        // A 合计 that only adds the tasks up (a SUM, or typed as their sum) states no total budget:
        // the one a note or title states is taken, else the reserve is not judged.
        if let total = masterTasks.first(where: \.isTotal), let typed = total.budget, typed > 0, let col = m.columns["budget"],
           let t = total.budgetIsFormula || abs(typed - tasks.compactMap(\.budget).reduce(0, +)) < 0.5 ? statedTotalBudget(m) : typed {
            if allocated > t * 0.9 + 0.005 {
                report(.budgetReserve, m.sheetName, CellReference(row: total.row, column: col), .number(t), .reserve,
                       ["allocated": money(m, "budget", allocated), "left": "\(Self.show(t - allocated))", "total": money(m, "budget", t), "reserve": "\(Self.show(t * 0.1))"])
            }
        }
    }

    /// The total budget a note or title states (`总预算38.5万`, `总预算:385,000元`): what a summed 合计
    /// row cannot say. nil when none does.
    func statedTotalBudget(_ m: SheetMapping) -> Double? {
        let texts = masterNotes + (book.titles[m.sheetName] ?? []).map(\.text)
        for text in texts {
            for word in ["总预算", "预算总额", "总预算为", "total budget"] {
                guard let r = text.range(of: word, options: .caseInsensitive) else { continue }
                var rest = text[r.upperBound...].drop { ":：为是 ".contains($0) }
                if let end = rest.firstIndex(where: { ",，;；)）。 ".contains($0) }) { rest = rest[..<end] }
                                // With its unit (万, 元) it is in 元; a bare number is in the budget column's unit.
                if let q = Values.quantity(text: String(rest)), q.value > 0, !q.isPercent {
                    return rest.contains(where: { "万元亿千".contains($0) }) ? q.value : q.value * m.factor("budget")
                }
            }
        }
        return nil
    }

    // MARK: - Across sheets, in the same pass

    /// What the master plan says that a detail or effect sheet is checked against: made when that
    /// sheet's rows begin (the master plan is read first), so its rows are checked against it as
    /// they go by — the sheet is read once.
    struct CrossFacts {
        var owners: Set<String>
        /// The phase the detail sheet's title names, with its window in the master plan.
        var window: (name: String, start: CalendarDate, end: CalendarDate)?
        var texts: RelatedTexts
        var budget: Double
        var cost = 0.0
        var lastCostRow: TableRow?
    }

    /// The sheet being read's, when it is checked against the master plan.
    var cross: CrossFacts?

    func beginCross(_ m: SheetMapping) {
        cross = nil
        guard m.templateSheet == "detail" || m.templateSheet == "effect" else { return }
        let tasks = masterTasks.filter { !$0.isTotal }
        guard book.mapping("master") != nil, !tasks.isEmpty else { return }
        var facts = CrossFacts(owners: Set(tasks.map(\.owner).filter { !$0.isEmpty }), window: nil, texts: RelatedTexts([]),
                               budget: tasks.compactMap(\.budget).reduce(0, +))
        if m.templateSheet == "detail" {
            // Phase windows from the master plan: the first planned start to the last planned end of its tasks.
            var windows: [String: (start: CalendarDate?, end: CalendarDate?)] = [:]
            var phases: [String] = []
            for t in masterTasks where !t.phase.isEmpty {
                if windows[t.phase] == nil { phases.append(t.phase) }
                var w = windows[t.phase] ?? (nil, nil)
                if let s = t.plannedStart { w.start = min(w.start ?? s, s) }
                if let e = t.plannedEnd { w.end = max(w.end ?? e, e) }
                windows[t.phase] = w
            }
            for (_, text) in book.titles[m.sheetName] ?? [] {
                for p in phases where text.contains(p) {
                    if let w = windows[p], let s = w.start, let e = w.end { facts.window = (p, s, e) } else { facts.window = nil }
                }
            }
        } else {
            facts.texts = RelatedTexts(tasks.flatMap(\.texts))
        }
        cross = facts
    }

    func checkCross(_ m: SheetMapping, _ row: TableRow) {
        guard cross != nil else { return }
        if m.templateSheet == "detail" {
            if !cross!.owners.isEmpty, row.has("owner"), !cross!.owners.contains(row.text("owner")) {
                report(.crossDetailOwner, m, row, "owner", .ownerWithoutTask, ["owner": "\(row.text("owner"))"])
            }
            guard let s = book.date(row.value("date")).span else { return }
            if let w = cross!.window, s.start < w.start || s.end > w.end {
                report(.crossDetailDate, m, row, "date", .detailOutsidePhase, ["date": "\(row.text("date"))", "phase": "\(w.name)", "start": Self.day(w.start), "end": Self.day(w.end)])
            }
        } else {
            if row.isTotal { return }
            let channel = row.text("channel")
            if !channel.isEmpty, !cross!.texts.relates(channel) {
                report(.crossEffectChannel, m, row, "channel", .channelWithoutTask, ["channel": "\(channel)"])
            }
            if let c = book.quantity(row, "cost").value?.value { cross!.cost += c; cross!.lastCostRow = row }
        }
    }

    /// Once the sheet's rows are read: the effect costs against the master plan's budget.
    func endCross(_ m: SheetMapping) {
        defer { cross = nil }
        guard let c = cross, m.templateSheet == "effect" else { return }
        if c.budget > 0, c.cost > c.budget + 0.005, let row = c.lastCostRow {
            report(.crossEffectCost, m, row, "cost", .effectOverBudget, ["cost": "\(Self.show(c.cost))", "budget": "\(Self.show(c.budget))"])
        }
    }

    /// The master plan's texts, indexed so that whether a channel is `related` to any of them is
    /// answered by lookups, not by comparing it with each (thousands of channels × tasks).
    struct RelatedTexts {
        /// Runs of three characters of every text; texts of one or two characters; every run of
        /// one or two characters of every text.
        private var triples: Set<Substring> = [], short: Set<String> = [], pieces: Set<Substring> = []

        init(_ texts: [String]) {
            for raw in texts {
                // A task's text beyond 200 characters says nothing more about its channel.
                let x = String(HeaderMatcher.normalize(raw).prefix(200))
                guard !x.isEmpty else { continue }
                if x.count <= 2 { short.insert(x) }
                var i = x.startIndex
                while i < x.endIndex {
                    let j = x.index(after: i)
                    pieces.insert(x[i..<j])
                    if j < x.endIndex {
                        let k = x.index(after: j)
                        pieces.insert(x[i..<k])
                        if k < x.endIndex { triples.insert(x[i..<x.index(after: k)]) }
                    }
                    i = j
                }
            }
        }

        /// Whether the channel is related to some text: one contains the other, or they share a
        /// run of three characters (小红书KOL ~ 小红书KOL笔记发布), normalised as headers are.
        func relates(_ channel: String) -> Bool {
            let x = String(HeaderMatcher.normalize(channel).prefix(200))
            guard !x.isEmpty else { return false }
            // A text of one or two characters inside the channel, or the channel inside a text.
            if x.count <= 2 && pieces.contains(Substring(x)) { return true }
            var i = x.startIndex
            while i < x.endIndex {
                let j = x.index(after: i)
                if short.contains(String(x[i..<j])) { return true }
                if j < x.endIndex {
                    let k = x.index(after: j)
                    if short.contains(String(x[i..<k])) { return true }
                    if k < x.endIndex, triples.contains(x[i..<x.index(after: k)]) { return true }
                }
                i = j
            }
            return false
        }
    }

}
