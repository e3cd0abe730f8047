import Foundation
import Store
import Templates
import Rules
import XLSX

/// A data row of a synced sheet, its cells read into store values.
public struct SyncedRow: Sendable {
    /// The identity in the hidden `tracksheet-id` column (nil: a row the store has not seen).
    public var id: String?
    public var sheetRow: Int
    public var values: RowValues
    /// Columns not merged for this row: a formula, or a value that fails its type (reported by
    /// validation, never pushed to the store).
    public var skipped: Set<String>
    /// Cell formats by key, to write values the way the cell shows them.
    public var styles: KeyedRow<Int>
    /// Cells that take their value from a merged phase cell above.
    public var inherited: Set<String>
}

/// A sheet that maps onto a store table, read for sync.
public struct SyncedSheet: Sendable {
    public var table: StoreTable
    public var mapping: SheetMapping
    public var rows: [SyncedRow]
    /// Template columns the sheet has; the others are left alone on both sides.
    public var presentKeys: Set<String>
    /// The identity column, existing or to be added (right of every used header).
    public var idColumn: Int
    public var idColumnExists: Bool
    /// The last sheet row read as data or total.
    public var lastRow: Int
    /// A total row (合计) below every data row: new rows are inserted above it.
    public var totalRow: Int?
    /// Blank rows (a template's, formatted, with formulas) right below the last data row: new rows fill them first.
    public var blankRowsBelow = 0

    public var name: String { mapping.sheetName }

    public func cell(_ row: Int, _ key: String) -> CellReference? {
        mapping.columns[key].map { CellReference(row: row, column: $0) }
    }
}

/// What the workbook remembers of its last sync, in the hidden `_tracksheet` sheet: the campaign
/// it is bound to and each row id with the version it last synced (the sync base).
public struct SyncBinding: Sendable {
    public static let sheetName = "_tracksheet"
    public static let manifestHeader = ["sheet", "row id", "version"]

    public var campaign: String?
    public var campaignID: String?
    /// Row id → (table, version, and the record's row that says so — 0 when its version is not
    /// written as tracksheet writes it, a number — for a sync that rewrites only what changed).
    public var manifest: [String: (table: String, version: Int, row: Int)] = [:]
    /// The record sheet of campaign `group` of `groups` (sheet names each): `_tracksheet` for a
    /// workbook of one campaign; with several, the record naming the group's first sheet, else
    /// `_tracksheet`, `_tracksheet2` … by position.
    static func recordSheet(group: Int, of groups: [[String]], in workbook: Workbook) throws -> String {
        guard groups.count > 1 else { return sheetName }
        let records = workbook.sheets.map(\.name).filter { $0 == sheetName || ($0.hasPrefix(sheetName) && Int($0.dropFirst(sheetName.count)) != nil) }
        for r in records {
            let b = try read(workbook, sheet: r)
            if let first = groups[group].first, b.sheets.contains(first) { return r }
        }
        let positional = group == 0 ? sheetName : sheetName + "\(group + 1)"
        // A record of another group's sheets is not taken over by position.
        if records.contains(positional), let b = try? read(workbook, sheet: positional), !b.sheets.isEmpty,
           !b.sheets.contains(where: groups[group].contains) {
            var n = groups.count + 1
            while workbook.sheet(named: sheetName + "\(n)") != nil { n += 1 }
            return sheetName + "\(n)"
        }
        return positional
    }

    /// Rows the sheet uses now (to clear what a shorter manifest leaves).
    public var usedRows = 0
    public var exists = false
    /// The sheets this record is for, in a workbook of several campaigns (each has a record of its own).
    public var sheets: [String] = []
    /// The ROI definition a sync was told (`--roi`), kept for the syncs after it.
    public var roi: String?

    public var history: [String: Int] { manifest.mapValues(\.version) }

    /// Read unthreaded: `SyncBook.read` runs it on a thread of its own beside the validator's pass.
    /// `onHeader` hears of the campaign as soon as the record's head is read (before its rows).
    static func read(_ workbook: Workbook, sheet name: String = sheetName, onHeader: ((SyncBinding) -> Void)? = nil) throws -> SyncBinding {
        var b = SyncBinding()
        guard let info = workbook.sheet(named: name) else { return b }
        b.exists = true
        var inManifest = false
        _ = try workbook.readSheet(info) { row in
            b.usedRows = max(b.usedRows, row.index)
            if inManifest {
                // One line per row of the workbook (50,000 for a large sheet): its three cells
                // taken as they are, a version written as a number read as one.
                var table = "", id = "", version: Int?, number = false
                for c in row.cells {
                    switch c.column {
                    case 1: table = Values.trimmed(Values.text(c.value))
                    case 2: id = Values.trimmed(Values.text(c.value))
                    case 3:
                        if case .number(let n) = c.value {
                            number = true
                            if n == n.rounded() && abs(n) < 1e15 { version = Int(n); continue }
                        }
                        version = Int(Values.trimmed(Values.text(c.value)))
                    default: continue
                    }
                }
                if let v = version, RowID.isValid(id) { b.manifest[id] = (table, v, number ? row.index : 0) }
                return
            }
            let texts = (1...3).map { c -> String in
                guard let v = row.cell(at: c)?.value else { return "" }
                return Values.trimmed(Values.text(v))
            }
            if texts == manifestHeader {
                inManifest = true
                onHeader?(b)
            } else if texts[0] == "campaign" {
                b.campaign = texts[1].isEmpty ? nil : texts[1]
            } else if texts[0] == "campaign id" {
                b.campaignID = texts[1].isEmpty ? nil : texts[1]
            } else if texts[0] == "roi" {
                b.roi = ["ratio", "net"].contains(texts[1]) ? texts[1] : nil
            } else if texts[0] == "sheets" {
                b.sheets = texts[1].split(separator: "\n").map(String.init)
            }
        }
        return b
    }
}

/// The `CampaignBook` a sync read, handed from its reading to its writing.
/// @unchecked Sendable: one sync uses it at a time — read, then written — never two threads at once.
final class ReadBook: @unchecked Sendable {
    let book: CampaignBook
    init(_ book: CampaignBook) { self.book = book }
}

/// A workbook read for sync: its template, synced sheets, binding and validation report.
public struct SyncBook: Sendable {
    public var path: String
    public var template: Template
    public var isChinese: Bool
    public var sheets: [SyncedSheet]
    public var binding: SyncBinding
    public var period: (start: CalendarDate?, end: CalendarDate?)
    /// The campaign name from the workbook itself: its binding, else `tracksheet new`'s property.
    public var campaignProperty: String?
    public var report: Report
    /// This campaign's place among the workbook's campaigns, how many it holds, and the hidden sheet
    /// keeping this one's sync record.
    public var group = 0
    public var groupCount = 1
    public var recordSheet = SyncBinding.sheetName
    /// The ROI definition this sync recalculates by when told one (`--roi`, or the record's): recorded.
    public var roi: String?
    /// The sheets of this campaign (every synced sheet's name), written into a record of several.
    public var groupSheets: [String] = []
    /// A campaign name the workbook's sheet names give (`618` of `618主跟踪表`) when it holds several.
    public var sheetCampaign: String?
    /// The campaign its titles name (`618大促主跟踪表(…)`), for a workbook made elsewhere.
    public var titleCampaign: String? = nil
    /// The workbook as read (headers found, strings and formats loaded): the recalc that ends a
    /// sync reads the rows through it again, with the merge's values in place.
    let read: ReadBook

    /// `onBound` hears, from another thread and early in the reading, of the campaign the
    /// workbook's sync record names (when it has one): sync starts reading the store then.
    public static func read(path: String, options: ValidationOptions, group: Int = 0, onBound: (@Sendable (String?) -> Void)? = nil) throws -> SyncBook {
        let book = try CampaignBook(path: path, templates: options.templates)
        guard let template = book.template else {
            throw StoreError(SyncMessage(.noTemplateSheet, ["path": "\(path)"]))
        }
        // Several campaigns in one workbook (618主跟踪表 and 双11主跟踪表): each is synced on its own, with
        // a sync record of its own; this reads campaign `group`.
        let groups = book.groups
        let groupIndex = min(max(0, group), max(0, groups.count - 1))
        let mine = groups.isEmpty ? book.mappings : groups[groupIndex]
        if let a = book.ambiguity {
            throw StoreError(SyncMessage(.templateAmbiguous, ["path": "\(path)", "sheet": "\(a.sheet)", "chosen": "\(a.chosen)", "other": "\(a.other)"]), workbookIsChinese: book.isChinese)
        }
        // One pass over each sheet: the validator checks each row and hands it to the sync's rows.
        // The ratio columns the recalc ending the sync writes are computed in the same pass.
        let rows = SyncRows(mine, template: template, book: book, ratios: try RatioRecording(book: book, options: options))
        let validator = Validator(book: book, options: options)
        // The hidden manifest sheet is read on a thread of its own meanwhile (its rows are many once
        // a large sheet is synced). The shared strings are loaded first, so that thread only reads.
        _ = try book.workbook.sharedStrings()
        let workbook = book.workbook
        let record = try SyncBinding.recordSheet(group: groupIndex, of: groups.map { $0.map(\.sheetName) }, in: workbook)
        let bindingRead = BackgroundWork { try SyncBinding.read(workbook, sheet: record, onHeader: { onBound?($0.campaign) }) }
        var report = try validator.report(path: path, rows: rows)
        rows.ratios.finish()
        if groups.count > 1 {
            // Each campaign's sync tells of its own sheets (the workbook's own problems with the first).
            let names = Set(mine.map(\.sheetName))
            let all = Set(groups.joined().map(\.sheetName))
            report.diagnostics = report.diagnostics.filter { names.contains($0.sheet) || (groupIndex == 0 && !all.contains($0.sheet)) }
        }
        // Cells that failed validation (known once every check has run) are not pushed.
        var invalid: [String: Set<CellReference>] = [:]
        for d in report.diagnostics where d.severity == .error {
            if let c = d.cell { invalid[d.sheet, default: []].insert(c) }
        }
        var sheets: [SyncedSheet] = []
        for m in mine {
            guard var p = rows.take(m) else { continue }
            if let bad = invalid[m.sheetName], !bad.isEmpty {
                for i in p.sheet.rows.indices {
                    for (key, col) in p.keyColumns where !p.sheet.rows[i].inherited.contains(key) && !p.sheet.rows[i].skipped.contains(key)
                        && bad.contains(CellReference(row: p.sheet.rows[i].sheetRow, column: col)) {
                        p.sheet.rows[i].values[key] = nil
                        p.sheet.rows[i].skipped.insert(key)
                    }
                }
            }
            sheets.append(p.sheet)
        }
        let binding = try bindingRead.value()
        book.activeGroup = groupIndex
        defer { book.activeGroup = 0 }
        return SyncBook(path: path, template: template, isChinese: book.isChinese, sheets: sheets, binding: binding,
                        period: (book.period.start, book.period.end),
                        campaignProperty: book.workbook.customProperty("tracksheet.campaign"), report: report,
                        group: groupIndex, groupCount: max(1, groups.count), recordSheet: record, groupSheets: mine.map(\.sheetName),
                        sheetCampaign: groups.count > 1 ? book.campaignNames[groupIndex] : nil, titleCampaign: book.titleCampaign,
                        read: ReadBook(book))
    }

    /// A cell as the store keeps it: `.some(nil)` for blank or "no value", nil when it cannot be read as its type.
    /// `factor`: from the unit the sheet's header names (`预算(万元)`) to the store's (元).
    static func storeValue(_ cell: Cell?, _ c: StoreColumn, _ book: CampaignBook, factor: Double = 1) -> StoreValue?? {
        guard let cell else { return .some(nil) }
        switch c.kind {
        case .number:
            switch book.quantity(cell) {
            case .blank, .noValue: return .some(nil)
            case .value(let q): return .some(.number(q.isPercent || factor == 1 ? q.value : (q.value * factor * 1e6).rounded() / 1e6))
            case .invalid: return nil
            }
        case .date:
            switch book.date(cell.value) {
            case .blank, .noValue: return .some(nil)
            case .span(let s): return s.isRange ? nil : .some(.date(s.start))
            case .placeholder, .invalid: return nil
            }
        case .text:
            let t = text(cell.value)
            return .some(t.isEmpty ? nil : .text(t))
        }
    }

    /// Text as typed; a date or time cell as `2025-06-01`, `17:00` or `2025-06-05 18:00`.
    static func text(_ v: CellValue) -> String {
        guard case .date(let d) = v, let c = d.components else { return Values.trimmed(Values.text(v)) }
        let time = String(format: "%02d:%02d", c.hour, c.minute)
        if d.serial < 1 { return time }
        let date = String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
        return c.hour == 0 && c.minute == 0 ? date : "\(date) \(time)"
    }
}

/// A campaign's synced sheets, read in the validator's pass: each data row once it is checked
/// (`CheckedRows`), made into the store's values; the blank rows below the data, which new rows fill first.
final class SyncRows: CheckedRows {
    struct Pending {
        var sheet: SyncedSheet
        /// Template key → sheet column, and the store columns the sheet has with their slots in the table's rows.
        let keyColumns: [String: Int], columns: [StoreColumn], tableSlots: [Int]
        /// Each of `columns`' unit factor (`预算(万元)`: 10,000), found once per sheet.
        let factors: [Double]
        /// Each of `columns`' slot in the sheet's data rows (their `ColumnLayout`, taken from the
        /// first row): no key hashed per cell.
        var slots: [Int?]?
        var lastData: Int
        /// RACI written in four columns, stored as one.
        var raciFour = false
    }
    let book: CampaignBook
    /// Every sheet's rows, ratio columns computed.
    let ratios: RatioRecording
    // By mapping, in the book's order; the sheet a row belongs to is found by name once per
    // run of rows of the same sheet, not hashed per row.
    private var pending: [Pending?] = []
    private var index: [String: Int] = [:]
    private var last: (name: String, at: Int?) = ("", nil)

    init(_ mappings: [SheetMapping], template: Template, book: CampaignBook, ratios: RatioRecording) {
        self.book = book
        self.ratios = ratios
        for m in mappings {
            guard let table = StoreSchema.table(template: template.id, sheet: m.templateSheet) else { continue }
            let keyColumns = Dictionary(uniqueKeysWithValues: table.columns.compactMap { c in m.columns[c.key].map { (c.key, $0) } })
            let usedColumns = Array(m.columns.values) + m.extra.map(\.column)
            // RACI in four columns (执行者(R), 负责人(A) …) is kept in the store's one RACI column, as `R:… A:…`.
            let raciFour = m.columns["raci"] == nil && (m.columns["raciA"] != nil || m.columns["raciR"] != nil) && table.column("raci") != nil
            let sheet = SyncedSheet(table: table, mapping: m, rows: [], presentKeys: Set(keyColumns.keys).union(raciFour ? ["raci"] : []),
                                    idColumn: m.idColumn ?? ((usedColumns.max() ?? 0) + 1), idColumnExists: m.idColumn != nil,
                                    lastRow: m.headerRow)
            let tableSlots = table.columns.indices.filter { keyColumns[table.columns[$0].key] != nil }
            index[m.sheetName] = pending.count
            pending.append(Pending(sheet: sheet, keyColumns: keyColumns, columns: tableSlots.map { table.columns[$0] }, tableSlots: tableSlots,
                                   factors: tableSlots.map { m.factor(table.columns[$0].key) }, slots: nil, lastData: m.headerRow, raciFour: raciFour))
        }
    }

    /// The sheet's state, once read (and let go of here).
    func take(_ m: SheetMapping) -> Pending? {
        guard let i = index[m.sheetName], let p = pending[i] else { return nil }
        pending[i] = nil
        return p
    }

    /// Changes a sheet's state in place (in the array: its rows are not copied).
    private func update(_ m: SheetMapping, _ change: (inout Pending) -> Void) {
        if m.sheetName != last.name { last = (m.sheetName, index[m.sheetName]) }
        guard let i = last.at, pending[i] != nil else { return }
        change(&pending[i]!)
    }

    func blank(row r: Int, in m: SheetMapping) {
        update(m) { p in
            if p.sheet.totalRow == nil && r == p.lastData + 1 + p.sheet.blankRowsBelow { p.sheet.blankRowsBelow += 1 }
        }
    }

    func checked(_ row: TableRow, isTotal: Bool, in m: SheetMapping) {
        ratios.feed(row, in: m)
        let book = book
        update(m) { p in
                p.sheet.lastRow = max(p.sheet.lastRow, row.index)
                if isTotal {
                    if p.sheet.totalRow == nil { p.sheet.totalRow = row.index }
                    return
                }
                p.sheet.totalRow = nil // a total with data below it is not the list's end
                p.lastData = row.index
                p.sheet.blankRowsBelow = 0
                let table = p.sheet.table
                var r = SyncedRow(id: row.identity.flatMap { RowID.isValid($0) ? $0 : nil }, sheetRow: row.index,
                                  values: table.emptyRow(), skipped: [], styles: KeyedRow(table.keys), inherited: row.inherited)
                if p.slots == nil { p.slots = p.columns.map { row.cells.layout.slot($0.key) } }
                for i in p.columns.indices {
                    let c = p.columns[i], at = p.tableSlots[i]
                    let cell = p.slots![i].flatMap { row.cells[slot: $0] }
                    if let cell { r.styles[slot: at] = cell.styleIndex }
                    if let cell, cell.hasFormula, !row.isInherited(c.key) { r.skipped.insert(c.key); continue }
                    switch SyncBook.storeValue(cell, c, book, factor: p.factors[i]) {
                    case .some(let v): r.values[slot: at] = v
                    case .none: r.skipped.insert(c.key)
                    }
                }
                if p.raciFour {
                    let parts = [("R", "raciR"), ("A", "raciA"), ("C", "raciC"), ("I", "raciI")].compactMap { letter, key -> String? in
                        let t = row.text(key)
                        return t.isEmpty || Values.noValueMarkers.contains(t) ? nil : "\(letter):\(t)"
                    }
                    r.values["raci"] = parts.isEmpty ? nil : .text(parts.joined(separator: " "))
                }
                p.sheet.rows.append(r)
            }
        }
}
