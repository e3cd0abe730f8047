import Foundation
import Templates
import XLSX

/// The campaign's period and launch day, as a workbook states them (title rows, the overview's
/// 活动周期), and where a 202X placeholder was left.
public struct CampaignPeriod: Sendable {
    public var start: CalendarDate?
    public var end: CalendarDate?
    public var launch: CalendarDate?
    /// Read from a phase's detail sheet (`阶段:爆发期,时间:…`): the year of its dates, not the campaign's period.
    public var phaseOnly = false
    /// Title cells still reading 202X: (sheet, cell, text).
    public var placeholders: [(sheet: String, cell: CellReference, text: String)] = []

    public func contains(_ d: CalendarDate) -> Bool {
        guard let start, let end else { return true }
        return d >= start && d <= end
    }

    /// Reads `…(推广周期:2025年5月1日-2025年6月20日)`, `…(阶段:爆发期,时间:2025年6月1日-6月14日)`,
    /// `… (2025-05-01 to 2025-06-20)`, `…启动日期:2025年5月16日`.
    public static func fromTitle(_ title: String) -> (span: DateSpan?, launch: CalendarDate?, placeholder: Bool) {
        let t = title.replacingOccurrences(of: " to ", with: "至")
        let pieces = t.split(whereSeparator: { "()（）:：,，;；".contains($0) }).map { Values.trimmed(String($0)) }
        var span: DateSpan?, launch: CalendarDate?, placeholder = false
        for (i, piece) in pieces.enumerated() {
            let p = piece.lowercased().hasPrefix("launch ") ? String(piece.dropFirst(7)) : piece
            if DateParser.isPlaceholder(p) && p.contains(where: { $0.isNumber }) { placeholder = true; continue }
            guard p.first?.isNumber == true, let s = DateParser.text(p, year: nil) else { continue }
            let before = i > 0 ? pieces[i - 1] : ""
            if before.hasSuffix("启动日期") || before.hasSuffix("上线日期") || piece.lowercased().hasPrefix("launch ") { launch = s.start }
            else if s.isRange, span == nil { span = s }
        }
        return (span, launch, placeholder)
    }
}

/// The template columns a mapped sheet has, each given a slot: a data row keeps its cells in an
/// array by slot (one allocation per row) instead of a dictionary built per row.
public final class ColumnLayout: Sendable {
    /// Template column keys, by slot.
    public let keys: [String]
    let slotOfKey: [String: Int]
    /// The slot of each 1-based sheet column, -1 where no template column is (up to the last one).
    let slotOfColumn: [Int]
    /// The factor from each slot's written unit to the template's (`预算(万元)`: 10,000), 1 for most.
    public let factors: [Double]
    /// Slots of columns holding a value with its unit (当前达成值): a metric may lead the number.
    public let labelled: [Bool]

    public init(_ m: SheetMapping, spec: Template.Sheet? = nil) {
        let pairs = m.columns.sorted { $0.value < $1.value }
        keys = pairs.map(\.key)
        factors = pairs.map { m.factor($0.key) }
        let types = Dictionary((spec?.columns ?? []).map { ($0.key, $0.type) }, uniquingKeysWith: { a, _ in a })
        labelled = pairs.map { types[$0.key] == .quantity }
        slotOfKey = Dictionary(uniqueKeysWithValues: pairs.enumerated().map { ($1.key, $0) })
        var byColumn = [Int](repeating: -1, count: (pairs.last?.value ?? 0) + 1)
        for (slot, p) in pairs.enumerated() where p.value >= 0 { byColumn[p.value] = slot }
        slotOfColumn = byColumn
    }

    @inline(__always) public func slot(_ key: String) -> Int? { slotOfKey[key] }
    @inline(__always) func slot(column: Int) -> Int { column < slotOfColumn.count ? slotOfColumn[column] : -1 }
}

/// A data row's template cells, by column key.
public struct RowCells: Sendable {
    public let layout: ColumnLayout
    var slots: [Cell?]

    init(layout: ColumnLayout) {
        self.layout = layout
        slots = [Cell?](repeating: nil, count: layout.keys.count)
    }

    public subscript(key: String) -> Cell? {
        get { layout.slot(key).flatMap { slots[$0] } }
        set { if let s = layout.slot(key) { slots[s] = newValue } }
    }

    /// By slot (`layout.slot(key)`), for a caller that looks the same keys up row after row.
    @inline(__always) public subscript(slot slot: Int) -> Cell? { slots[slot] }

    /// The cells present, in column order.
    public var values: [Cell] { slots.compactMap { $0 } }
}

/// One data row of a mapped sheet: its cells by template column key. Phase and objective cells
/// of the rows a merged (or left blank) phase cell covers carry the phase's value, marked inherited.
public struct TableRow: Sendable {
    public var index: Int
    public var cells: RowCells
    public var inherited: Set<String> = []
    /// Cells of the user's own columns (e.g. 权重), by header.
    public var extra: [String: Cell] = [:]
    /// The row's identity in the store (the hidden `tracksheet-id` column), when synced.
    public var identity: String?
    /// A 合计/小计/总计 row (found once, as the row is read).
    public var isTotal = false

    public func value(_ key: String) -> CellValue { cells[key]?.value ?? .empty }
    public func text(_ key: String) -> String { Values.trimmed(Values.text(value(key))) }
    /// Whether the cell holds anything but white space (no text is made).
    public func has(_ key: String) -> Bool { !Values.isBlank(value(key)) }
    /// Whether `key`'s cell came from the phase above (a merged or blank phase cell).
    @inline(__always) public func isInherited(_ key: String) -> Bool { !inherited.isEmpty && inherited.contains(key) }
}

/// A workbook read against its template: the sheets that map onto template sheets, their header
/// rows and columns, titles, period and language. Rows are streamed sheet by sheet by `rows(of:)`.
public final class CampaignBook {
    public let workbook: Workbook
    public let template: Template?
    /// Every sheet that maps onto a sheet of the template, in the workbook's order.
    public let mappings: [SheetMapping]
    /// The campaigns the workbook holds: each a set of mapped sheets (at most one per template
    /// sheet), in the workbook's order. One for most workbooks; 618主跟踪表 and 双11主跟踪表 make two.
    public let groups: [[SheetMapping]]
    /// Each group's period (its titles, else the workbook's first).
    public let periods: [CampaignPeriod]
    /// Each group's campaign name as the workbook writes it: a title's, else what its sheet names
    /// share beside the template's sheet names (`618` of `618主跟踪表`); nil when it names none.
    public let campaignNames: [String?]
    /// A group's year when no title gives its period, but a phase's detail sheet names one.
    let fallbackYears: [Int: Int]
    /// The group whose rows are being read: `period`, `date` and `mapping(_:)` answer for it.
    public var activeGroup = 0
    public var period: CampaignPeriod { periods.indices.contains(activeGroup) ? periods[activeGroup] : CampaignPeriod() }
    /// Worksheets that map onto no sheet of the template (not checked), by name.
    public let unmatched: [String]
    /// A sheet that fits two templates about equally: (sheet, the chosen template, the other `id/sheet`).
    public let ambiguity: (sheet: String, chosen: String, other: String)?
    /// Chinese headers (or sheet names): messages default to Chinese.
    public let isChinese: Bool
    /// Text of the rows above each mapped sheet's header row, by sheet name: (cell, text).
    public let titles: [String: [(cell: CellReference, text: String)]]
    /// Key–value sheets (活动总览): field key → (cell of the value, cell), by sheet name.
    public private(set) var fields: [String: [String: (ref: CellReference, cell: Cell)]] = [:]

    /// Cells as they will be once edits not yet saved are: read in place of the file's (a sync's
    /// recalc, made in the same pass as the merge, reads the merged values this way).
    public var pending = PendingCells()
    /// Ratio columns computed in the pass that read the book (`RatioRecording`), by sheet name.
    var recordedRatios: [String: RatioRecording.Sheet] = [:]

    public convenience init(path: String, templates: [Template]) throws {
        try self.init(workbook: try Workbook(path: path), templates: templates)
    }

    /// Over a workbook already open (an editor's): nothing is read twice.
    public init(workbook: Workbook, templates: [Template]) throws {
        self.workbook = workbook
        // The sheets tracksheet writes itself (its summary's headers look like a master plan's) are not the user's data.
        let detected = try HeaderMatcher.detectSheets(in: workbook, templates: templates).filter { !Self.isOwnSheet($0.mapping.sheetName) }
        var found = detected.map(\.mapping)
        let topRows = Dictionary(detected.map { ($0.mapping.sheetName, $0.firstRows) }, uniquingKeysWith: { a, _ in a })
        // One template per workbook: the one most sheets (then the most evidence) map onto.
        let byTemplate = Dictionary(grouping: found, by: \.templateID)
        let best = byTemplate.max { a, b in
            (Set(a.value.map(\.templateSheet)).count, a.value.map(\.evidence).reduce(0, +)) < (Set(b.value.map(\.templateSheet)).count, b.value.map(\.evidence).reduce(0, +))
        }
        let template = best.flatMap { b in templates.first { $0.id == b.key } }
        self.template = template
        let chosen = found.filter { $0.templateID == template?.id }
        ambiguity = chosen.count == 1 ? chosen.first.flatMap { m in m.ambiguousWith.map { (m.sheetName, m.templateID, $0) } } : nil
        found = chosen
        var mappings = found
        unmatched = workbook.sheets.filter { $0.kind == .worksheet && !Self.isOwnSheet($0.name) && !found.map(\.sheetName).contains($0.name) }.map(\.name)

        var titles: [String: [(cell: CellReference, text: String)]] = [:]
        var sheetPeriods: [String: CampaignPeriod] = [:]
        var chineseHeaders = 0, englishHeaders = 0
        for (mi, m) in mappings.enumerated() {
            guard let info = workbook.sheet(named: m.sheetName) else { continue }
            // The rows the headers were found in (read once, by the detection).
            let rows = try m.headerRow <= HeaderMatcher.searchRows ? (topRows[m.sheetName] ?? []).filter { $0.index <= m.headerRow }
                : Self.firstRows(info, in: workbook, through: m.headerRow)
            var period = CampaignPeriod()
            for row in rows where row.index < m.firstHeaderRow {
                for cell in row.cells {
                    guard case .string(let text) = cell.value, !Values.trimmed(text).isEmpty else { continue }
                    let ref = CellReference(row: row.index, column: cell.column)
                    titles[m.sheetName, default: []].append((ref, text))
                    let parsed = CampaignPeriod.fromTitle(text)
                    if parsed.placeholder { period.placeholders.append((m.sheetName, ref, text)) }
                    if let s = parsed.span, period.start == nil { period.start = s.start; period.end = s.end; if m.templateSheet == "detail" { period.phaseOnly = true } }
                    if let l = parsed.launch, period.launch == nil { period.launch = l }
                    // `单位:万元` above the table: the money columns whose headers name no unit are in it.
                    if let unit = Self.statedUnit(text) {
                        for c in template?.sheets.first(where: { $0.id == m.templateSheet })?.columns ?? [] where c.type == .money {
                            // Not a derived amount (获客成本 is per person, in 元 however the totals are written).
                            if mappings[mi].columns[c.key] != nil, mappings[mi].units[c.key] == nil, c.derived == nil {
                                mappings[mi].units[c.key] = unit
                            }
                        }
                    }
                }
            }
            sheetPeriods[m.sheetName] = period
            for row in rows where row.index >= m.firstHeaderRow && row.index <= m.headerRow {
                for cell in row.cells {
                    guard case .string(let h) = cell.value else { continue }
                    if h.unicodeScalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) { chineseHeaders += 1 } else { englishHeaders += 1 }
                }
            }
        }
        self.mappings = mappings
        self.titles = titles
        isChinese = chineseHeaders >= englishHeaders
        // Campaigns: a template sheet mapped more than once means several campaigns in one workbook.
        let groups = Self.group(mappings, template: template)
        self.groups = groups
        var periods: [CampaignPeriod] = []
        var names: [String?] = []
        var year0: [Int: Int] = [:]
        for g in groups {
            var p = CampaignPeriod()
            for m in g { p.placeholders += sheetPeriods[m.sheetName]?.placeholders ?? [] }
            for m in g.sorted(by: { ($0.templateSheet == "master" ? 0 : 1) < ($1.templateSheet == "master" ? 0 : 1) }) {
                guard let sp = sheetPeriods[m.sheetName], !sp.phaseOnly else { continue }
                if p.start == nil, let s = sp.start { p.start = s; p.end = sp.end }
                if p.launch == nil { p.launch = sp.launch }
            }
            if p.start == nil, let sp = g.compactMap({ sheetPeriods[$0.sheetName] }).first(where: { $0.start != nil }) {
                // Only a phase's detail sheet dates the workbook: its year, not a period to check against.
                year0[periods.count] = sp.start?.year
            }
            periods.append(p)
            names.append(groups.count > 1 ? Self.campaignKey(g.first!, template: template) : nil)
        }
        // A group without a period of its own takes the workbook's first.
        if let first = periods.first(where: { $0.start != nil }) {
            for i in periods.indices where periods[i].start == nil { periods[i].start = first.start; periods[i].end = first.end }
        }
        // Key–value sheets: the period may be a field (活动总览).
        var fieldsFound: [String: [String: (ref: CellReference, cell: Cell)]] = [:]
        for (gi, g) in groups.enumerated() {
            for m in g {
                guard let spec = template?.sheets.first(where: { $0.id == m.templateSheet }), spec.rows == "fields", let specFields = spec.fields,
                      let info = workbook.sheet(named: m.sheetName) else { continue }
                let itemColumn = m.columns["item"] ?? 1, valueColumn = m.columns["value"] ?? 2
                var values: [String: (ref: CellReference, cell: Cell)] = [:]
                _ = try workbook.readSheet(info) { row in
                    guard row.index > m.headerRow, case .string(let name)? = row.cell(at: itemColumn)?.value else { return }
                    // By name, alias, or name without its bracketed unit (天猫占比 for 天猫占比(%)).
                    let n = HeaderMatcher.normalize(name), nb = HeaderMatcher.base(n)
                    let names = { (f: Template.Field) in ([f.zh, f.en] + (f.aliases ?? [])).map(HeaderMatcher.normalize) }
                    guard let f = specFields.first(where: { names($0).contains(n) })
                        ?? specFields.first(where: { names($0).map(HeaderMatcher.base).contains(nb) }) else { return }
                    let ref = CellReference(row: row.index, column: valueColumn)
                    values[f.key] = (ref, row.cell(at: valueColumn) ?? Cell(column: valueColumn, value: .empty))
                }
                fieldsFound[m.sheetName] = values
                if periods[gi].start == nil, case .string(let p)? = values["period"]?.cell.value {
                    if let s = DateParser.text(p, year: nil), s.isRange { periods[gi].start = s.start; periods[gi].end = s.end }
                    else if DateParser.isPlaceholder(p) { periods[gi].placeholders.append((m.sheetName, values["period"]!.ref, p)) }
                }
            }
        }
        self.periods = periods
        fallbackYears = year0
        campaignNames = names
        fields = fieldsFound
    }

    /// `单位:万元`, `金额单位:千元`, `(单位:万元)`, `Unit: 10k CNY`: the money unit a note above a table states.
    static func statedUnit(_ text: String) -> HeaderUnit? {
        let t = HeaderMatcher.normalize(text)
        for word in ["金额单位", "单位", "unit"] {
            guard let r = t.range(of: word) else { continue }
            var rest = t[r.upperBound...]
            if let end = rest.firstIndex(where: { ",;)，；）".contains($0) }) { rest = rest[..<end] }
            if let u = HeaderUnit.parse(String(rest), type: .money), u.factor != 1 { return u }
        }
        return nil
    }

    /// The sheets tracksheet adds itself (the sync record, recalc's summary, dashboard and Gantt,
    /// annotate's results): not read as a template's sheet.
    public static func isOwnSheet(_ name: String) -> Bool {
        // The sync records: `_tracksheet`, and `_tracksheet2` … of a workbook of several campaigns.
        if name.hasPrefix("_tracksheet"), name.dropFirst(11).allSatisfy(\.isNumber) { return true }
        for base in ["汇总", "Summary", "校验结果", "Validation", "数据看板", "Dashboard", "甘特图", "Gantt"] where name.hasPrefix(base) {
            if name.dropFirst(base.count).allSatisfy(\.isNumber) { return true }
        }
        return false
    }

    /// The campaign a workbook's own titles name: `618大促主跟踪表(推广周期:…)` → `618大促`,
    /// `Marketing plan: Spring launch (…)` → `Spring launch`, `营销活动标准化流程卡(春季焕新季,启动日期:…)` →
    /// `春季焕新季`, or the overview's 活动名称. nil when they name none (`市场推广计划主跟踪表(…)`).
    public var titleCampaign: String? {
        let group = groups.indices.contains(activeGroup) ? groups[activeGroup] : []
        for m in group {
            if let name = fields[m.sheetName]?["name"], case .string(let s) = name.cell.value, !Values.trimmed(s).isEmpty { return Values.trimmed(s) }
        }
        for m in group where m.templateSheet == "master" || m.templateSheet == "process" {
            guard let title = titles[m.sheetName]?.first?.text else { continue }
            if let name = Self.campaign(inTitle: title, sheet: m.templateSheet) { return name }
        }
        return nil
    }

    static func campaign(inTitle raw: String, sheet: String) -> String? {
        let title = Values.trimmed(raw.replacingOccurrences(of: "（", with: "(").replacingOccurrences(of: "）", with: ")"))
        let open = title.firstIndex(of: "(")
        var head = String(open.map { title[..<$0] } ?? title[...])
        if sheet == "process", let open {
            // The card names its campaign first inside the bracket: (春季焕新季,启动日期:…).
            let inside = title[title.index(after: open)...].split(whereSeparator: { ",，)".contains($0) }).first.map(String.init) ?? ""
            if !inside.contains(":"), !inside.contains(":"), !inside.isEmpty, inside.first?.isNumber != true,
               !inside.lowercased().hasPrefix("launch"), !inside.contains("启动") { return Values.trimmed(inside) }
            // An English card names it before the bracket: `Campaign process card: Spring (launch …)`.
            for word in ["Campaign process card:", "Process card:"] {
                if let r = head.range(of: word, options: .caseInsensitive) {
                    let name = Values.trimmed(String(head[r.upperBound...]))
                    return name.isEmpty ? nil : name
                }
            }
            return nil
        }
        for word in ["市场推广计划主跟踪表", "推广计划主跟踪表", "市场推广计划", "主跟踪表", "跟踪表", "推广计划", "Marketing plan:", "Marketing plan", "Master plan"] {
            if let r = head.range(of: word, options: .caseInsensitive) { head.removeSubrange(r) }
        }
        let name = head.trimmingCharacters(in: CharacterSet(charactersIn: " -—–·:：_").union(.whitespacesAndNewlines))
        guard !name.isEmpty, name.count <= 100, !DateParser.isPlaceholder(name), DateParser.text(name, year: nil) == nil else { return nil }
        return name
    }

    /// `618主跟踪表` → `618`; `双11-效果分析表` → `双11`: a sheet's name without its template sheet's name.
    static func campaignKey(_ m: SheetMapping, template: Template?) -> String? {
        guard let spec = template?.sheets.first(where: { $0.id == m.templateSheet }) else { return nil }
        var name = m.sheetName
        for n in [spec.name.zh, spec.name.en] where !n.isEmpty {
            if let r = name.range(of: n, options: .caseInsensitive) { name.removeSubrange(r) }
        }
        let key = name.trimmingCharacters(in: CharacterSet(charactersIn: " -_—–·:：()（）"))
        return key.isEmpty ? nil : key
    }

    /// Sheets into campaigns: one group unless a template sheet is mapped more than once; then each
    /// sheet joins the group whose sheets' names share its campaign key, or the first group.
    static func group(_ mappings: [SheetMapping], template: Template?) -> [[SheetMapping]] {
        let counts = Dictionary(grouping: mappings, by: \.templateSheet).mapValues(\.count)
        guard let most = counts.values.max(), most > 1 else { return mappings.isEmpty ? [] : [mappings] }
        // The template sheet mapped most often founds the groups (usually the master plan).
        let founder = counts.filter { $0.value == most }.keys.sorted { a, b in (a == "master" ? 0 : 1, a) < (b == "master" ? 0 : 1, b) }.first!
        var groups = mappings.filter { $0.templateSheet == founder }.map { [$0] }
        let keys = groups.map { campaignKey($0[0], template: template) }
        for m in mappings where m.templateSheet != founder {
            let key = campaignKey(m, template: template)
            let i = keys.firstIndex { $0 != nil && $0 == key } ?? keys.firstIndex { k in k != nil && key != nil && (key!.contains(k!) || k!.contains(key!)) }
            if let i, !groups[i].contains(where: { $0.templateSheet == m.templateSheet }) { groups[i].append(m); continue }
            // No campaign named: the first group without such a sheet takes it.
            if let j = groups.firstIndex(where: { g in !g.contains { $0.templateSheet == m.templateSheet } }) { groups[j].append(m) }
            else { groups.append([m]) }
        }
        return groups
    }

    /// The group a mapped sheet belongs to.
    public func group(of m: SheetMapping) -> Int {
        groups.firstIndex { g in g.contains { $0.sheetName == m.sheetName } } ?? 0
    }

    public func sheetSpec(_ m: SheetMapping) -> Template.Sheet? { template?.sheets.first { $0.id == m.templateSheet } }
    /// The active group's sheet for a template sheet.
    public func mapping(_ templateSheet: String) -> SheetMapping? {
        (groups.indices.contains(activeGroup) ? groups[activeGroup] : mappings).first { $0.templateSheet == templateSheet }
    }

    /// The year of dates written without one: the campaign's.
    public var year: Int? { period.start?.year ?? fallbackYears[activeGroup] }

    /// Reads a date with the campaign's year; a period across New Year picks the year that
    /// puts the day inside it.
    /// Dates typed as text, read once each: a plan repeats the same few hundred (a text date's
    /// parse is the most costly cell read). Touched from the recalc source's thread too.
    private let dateMemo = DateMemo()
    final class DateMemo: @unchecked Sendable {
        // @unchecked: `parsed` is only touched under `lock`.
        let lock = NSLock()
        var parsed: [String: DateParse] = [:]
    }

    public func date(_ v: CellValue) -> DateParse {
        guard case .string(let text) = v else { return parseDate(v) }
        dateMemo.lock.lock()
        let known = dateMemo.parsed[text]
        dateMemo.lock.unlock()
        if let known { return known }
        let parsed = parseDate(v)
        dateMemo.lock.lock()
        if dateMemo.parsed.count < 50_000 { dateMemo.parsed[text] = parsed }
        dateMemo.lock.unlock()
        return parsed
    }

    private func parseDate(_ v: CellValue) -> DateParse {
        let first = DateParser.parse(v, year: year)
        if case .span(let s) = first, let start = period.start, let end = period.end, start.year != end.year, !period.contains(s.start) {
            let second = DateParser.parse(v, year: end.year)
            if let s2 = second.span, period.contains(s2.start) { return second }
        }
        return first
    }

    public func time(_ v: CellValue) -> Parsed<TimePoint> { DateParser.time(v, year: year) }

    /// The share of a task's planned period elapsed as of `asOf` (0…1), nil without its dates.
    public func elapsedShare(_ row: TableRow, asOf: CalendarDate) -> Double? {
        guard let s = date(row.value("plannedStart")).date, let e = date(row.value("plannedEnd")).date, e >= s else { return nil }
        return min(1, max(0, Double(s.days(to: asOf) + 1) / Double(s.days(to: e) + 1)))
    }

    /// The number format of a cell's style.
    public func formatCode(_ cell: Cell?) -> String? {
        guard let cell else { return nil }
        return workbook.styles.formatCode(ofStyle: cell.styleIndex)
    }

    /// A number cell with its format: `0.1` shown as `10%` is ten percent.
    public func quantity(_ cell: Cell?) -> Parsed<Quantity> {
        guard let cell else { return .blank }
        if case .empty = cell.value { return .blank }
        let f = numberFormat(cell.styleIndex)
        return Values.quantity(cell.value, percentFormat: f.percent, formatDecimals: f.decimals)
    }

    /// A number of a row's column in the template's unit: `5` under `预算(万元)` is 50,000 元.
    public func quantity(_ row: TableRow, slot: Int) -> Parsed<Quantity> {
        guard slot >= 0, slot < row.cells.slots.count else { return .blank }
        var parsed = quantity(row.cells.slots[slot])
        // An achieved value written with its metric (`主视觉3套`) or as a ratio (`1:3.5`).
        if case .invalid = parsed, row.cells.layout.labelled[slot], case .string(let s)? = row.cells.slots[slot]?.value,
           let q = Values.labelledQuantity(s) { parsed = .value(q) }
        let f = row.cells.layout.factors[slot]
        guard f != 1, case .value(var q) = parsed, !q.isPercent else { return parsed }
        q.value *= f
        q.decimals = max(0, q.decimals - Int(log10(f).rounded()))
        return .value(q)
    }

    public func quantity(_ row: TableRow, _ key: String) -> Parsed<Quantity> {
        guard let slot = row.cells.layout.slot(key) else { return .blank }
        return quantity(row, slot: slot)
    }

    /// Whether a style shows a percent, and its decimals: read once per style, kept by style index.
    /// Read on the validating thread only (unchecked: no runtime bookkeeping per cell).
    @exclusivity(unchecked) private var formats: [(percent: Bool, decimals: Int?)?] = []
    func numberFormat(_ style: Int) -> (percent: Bool, decimals: Int?) {
        if style >= 0, style < formats.count, let f = formats[style] { return f }
        let code = workbook.styles.formatCode(ofStyle: style)
        let f = (Values.isPercentFormat(code), Values.formatDecimals(code))
        if style >= 0, style < 65_536 {
            if style >= formats.count { formats += Array(repeating: nil, count: style + 1 - formats.count) }
            formats[style] = f
        }
        return f
    }

    /// Streams the data rows of a mapped sheet (below the header, not empty); `blank` hears of the
    /// rows below the header that exist but hold nothing to read (a template's blank rows).
    public func rows(of m: SheetMapping, blank: ((Int) -> Void)? = nil, note: ((Int, String) -> Void)? = nil, _ body: (TableRow) throws -> Void) throws {
        guard let info = workbook.sheet(named: m.sheetName), var builder = tableRowBuilder(m) else { return }
        // Parsed on a second thread while the rows are checked on this one (large sheets).
        _ = try workbook.readSheetPipelined(info) { row in
            guard row.index > m.headerRow else { return }
            guard let t = builder.table(row) else {
                if builder.lastWasNote { note?(row.index, builder.notes.last!.text) } else if !builder.lastHeldSomething { blank?(row.index) }
                return
            }
            try body(t)
        }
    }

    /// The data rows of a mapped sheet, as `rows(of:)` gives them, each made into an item by
    /// `transform` on a second thread (where the sheet is parsed) and pulled one at a time: for work
    /// done inside another pass over the workbook. nil: no such sheet.
    public func stream<Item>(of m: SheetMapping, _ transform: @escaping (TableRow) -> Item?) throws -> SheetStream<Item>? {
        guard let info = workbook.sheet(named: m.sheetName), var builder = tableRowBuilder(m) else { return nil }
        let header = m.headerRow
        return try SheetStream(workbook, sheet: info) { row in
            guard row.index > header, let t = builder.table(row) else { return nil }
            return transform(t)
        }
    }

    /// Makes the sheet's rows into data rows, with the pending cells in place of the file's.
    func tableRowBuilder(_ m: SheetMapping) -> TableRowBuilder? {
        TableRowBuilder(m, spec: sheetSpec(m), pending: pending.cells[m.sheetName], idColumn: pending.idColumns[m.sheetName])
    }

    private struct Enough: Error {}

    static func firstRows(_ info: SheetInfo, in workbook: Workbook, through last: Int) throws -> [Row] {
        var rows: [Row] = []
        do {
            _ = try workbook.readSheet(info) { row in
                if row.index > last { throw Enough() }
                rows.append(row)
            }
        } catch is Enough {}
        return rows
    }
}

/// Cells whose new values are not saved yet, by sheet, row and column: what they will hold once
/// they are. A sync's merge hands them to the recalc that runs in the same pass, so it computes
/// from the merged values without the merged workbook being written and read again.
public struct PendingCells: Sendable {
    /// Sheet name → row → column → value (a value only: the cell's format stays, a formula goes).
    public var cells: [String: [Int: [Int: CellValue]]] = [:]
    /// Sheet name → the row-identity column the edits add (its header is not in the file yet).
    public var idColumns: [String: Int] = [:]

    public init() {}

    public mutating func set(_ value: CellValue, row: Int, column: Int, sheet: String) {
        cells[sheet, default: [:]][row, default: [:]][column] = value
    }

    /// Whether a cell of the sheet other than its row identity takes a value.
    func changesCells(of m: SheetMapping) -> Bool {
        guard let rows = cells[m.sheetName] else { return false }
        let id = idColumns[m.sheetName] ?? m.idColumn
        return rows.values.contains { $0.keys.contains { $0 != id } }
    }

    /// `row` with `changes` in place: each changed cell keeps its format and loses its formula; a
    /// cell not there is added (in column order).
    static func applied(_ changes: [Int: CellValue], to row: Row) -> Row {
        var row = row
        var left = changes
        for i in row.cells.indices {
            guard let v = left.removeValue(forKey: row.cells[i].column) else { continue }
            row.cells[i].value = v
            row.cells[i].formula = nil
        }
        guard !left.isEmpty else { return row }
        row.cells += left.map { Cell(column: $0.key, value: $0.value) }
        row.cells.sort { $0.column < $1.column }
        return row
    }
}

/// Makes a sheet's rows into data rows: template cells by slot, the user's own columns by header,
/// the row identity, phase cells carried down; nil for a row holding only inherited or derived cells.
struct TableRowBuilder {
    let layout: ColumnLayout
    let extraOf: [Int: String]
    let inheriting: [String]
    let derived: [Bool]
    /// Slots of the columns a phase's first row writes for the rows below (phase, objective).
    let inheritingSlot: [Bool]
    let idColumn: Int?
    var carried: [String: Cell] = [:]
    /// Row → column → the value the cell will hold (`CampaignBook.pending`).
    let pending: [Int: [Int: CellValue]]?

    init?(_ m: SheetMapping, spec: Template.Sheet?, pending: [Int: [Int: CellValue]]? = nil, idColumn: Int? = nil) {
        guard let spec else { return nil }
        layout = ColumnLayout(m, spec: spec)
        extraOf = Dictionary(m.extra.map { ($0.column, HeaderMatcher.normalize($0.header)) }, uniquingKeysWith: { a, _ in a })
        inheriting = spec.columns.filter { $0.mergeByPhase == true }.map(\.key)
        let derivedKeys = Set(spec.columns.filter { $0.derived != nil }.map(\.key))
        derived = layout.keys.map(derivedKeys.contains)
        let inheritingKeys = Set(inheriting)
        inheritingSlot = layout.keys.map(inheritingKeys.contains)
        self.idColumn = idColumn ?? m.idColumn
        self.pending = pending
    }

    /// Whether the last row `table` gave no data row for was a note (`说明:…`, text under a 合计
    /// row): not a blank row new rows may fill.
    var lastWasNote = false
    /// A 合计 row has been read: a row of one text below it is a note.
    var afterTotal = false
    /// The notes read, as (row, text): a stated total budget may be among them.
    var notes: [(row: Int, text: String)] = []

    /// The last row `table` gave no data row for holds something (a phase's label): not blank.
    var lastHeldSomething = false

    mutating func table(_ row: Row) -> TableRow? {
        if let changes = pending?[row.index] { return build(PendingCells.applied(changes, to: row)) }
        return build(row)
    }

    private mutating func build(_ row: Row) -> TableRow? {
        lastWasNote = false
        lastHeldSomething = false
        var t = TableRow(index: row.index, cells: RowCells(layout: layout))
        var filled = false, onlyInherited = true
        var nonBlank = 0, onlyText: String?, total = false
        for cell in row.cells {
            let blank = Values.isBlank(cell.value)
            if !blank {
                nonBlank += 1
                if case .string(let s) = cell.value {
                    if nonBlank == 1 { onlyText = s }
                    // 合计 / 小计 / total in a template column or the team's own (序号), found as the cells go by.
                    if !total, cell.column != idColumn, Validator.namesTotal(s) { total = true }
                }
            }
            let slot = layout.slot(column: cell.column)
            if slot >= 0 {
                t.cells.slots[slot] = cell
                if !derived[slot], !blank {
                    filled = true
                    if !inheritingSlot[slot] { onlyInherited = false }
                }
            } else if let h = extraOf[cell.column] {
                t.extra[h] = cell
            } else if cell.column == idColumn, case .string(let id) = cell.value, !Values.trimmed(id).isEmpty {
                t.identity = Values.trimmed(id)
            }
        }
        // A note: one text cell that says it is one, or any single text under a total row.
        if nonBlank == 1, let text = onlyText, t.identity == nil, afterTotal || Self.isNote(text) {
            notes.append((row.index, Values.trimmed(text)))
            lastWasNote = true
            return nil
        }
        for key in inheriting {
            if t.has(key) { carried[key] = t.cells[key] }
            else if let c = carried[key] { t.cells[key] = c; t.inherited.insert(key) }
        }
        guard filled else { return nil }
        t.isTotal = total
        if t.isTotal { afterTotal = true; return t }
        // A row holding only a phase and its objective (a template's row for the phase): no task,
        // and not a blank row either (new rows must not be written over it).
        if onlyInherited && !inheriting.isEmpty && t.identity == nil { lastHeldSomething = true; return nil }
        return t
    }

    /// `说明:…`, `注:…`, `备注:…`, `Note: …`: a note under a table, not a row of it.
    static func isNote(_ text: String) -> Bool {
        let t = Values.trimmed(text)
        for p in ["说明", "注:", "注:", "注意", "备注:", "备注:", "填表说明", "使用说明", "note:", "notes:", "*", "※"] where t.lowercased().hasPrefix(p) { return true }
        return false
    }
}
