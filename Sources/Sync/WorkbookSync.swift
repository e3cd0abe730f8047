import Foundation
import Store
import Templates
import Rules
import XLSX

/// Writes a sync's workbook side through the lossless editor: merged values, row identities in
/// the hidden `tracksheet-id` column, the binding sheet, then the derived columns recalculated.
enum WorkbookSync {
    /// Returns the cells (`sheet!N5`) whose store value is longer than a cell may hold (Excel's
    /// 32,767 characters): left as they were, not written.
    @discardableResult
    static func write(book: SyncBook, plan: SyncPlan, campaign: CampaignRecord, store: String, to out: String,
                      options: ValidationOptions, mergedCopy: Bool = false, stamp: SyncStamp? = nil) throws -> [String] {
        var tooLong: [String] = []
        // Rows whose store value was not written keep the version they had: the next sync sees the
        // store's change again (and skips it again) instead of taking the old cell for an edit.
        var heldBack: Set<String> = []
        // The values the merge writes, for the recalc made in the same pass.
        var pending = PendingCells()
        // Rows inserted or deleted: the recalc reads a merged copy instead (its ratio columns are
        // computed as their sheet is written, which cannot be combined with rows that move).
        var rowsMove = false
        let editor = try WorkbookEditor(path: book.path)
        // Every sheet a sync edits was read whole by its own reading: rows without edits are copied unparsed.
        editor.copiesRowsUnparsed = true
        let styles = editor.workbook.styles
        for sheet in book.sheets {
            guard let info = editor.workbook.sheet(named: sheet.name) else { continue }
            let changes = plan.workbook[sheet.name] ?? []
            let holdsRows = plan.manifest.contains { $0.table == sheet.table.name }
            if !sheet.idColumnExists && holdsRows {
                try editor.setCell(CellReference(row: sheet.mapping.headerRow, column: sheet.idColumn), in: info,
                                   to: CellEdit(value: .string(HeaderMatcher.idHeader)))
                try editor.hideColumn(sheet.idColumn, in: info)
                pending.idColumns[sheet.name] = sheet.idColumn
            }
            // The row identities move with their rows when the team sorts through its autofilter or table.
            if holdsRows { editor.extendFilter(toColumn: sheet.idColumn, header: HeaderMatcher.idHeader, headerRow: sheet.mapping.headerRow, in: info) }
            let rowsByIndex = Dictionary(sheet.rows.map { ($0.sheetRow, $0) }, uniquingKeysWith: { a, _ in a })
            let lastStyles = sheet.rows.last?.styles ?? KeyedRow(sheet.table.keys)
            func set(_ row: Int, _ key: String, _ value: StoreValue?, style: Int?, newStyle: Int? = nil) throws {
                guard let col = sheet.mapping.columns[key], let c = sheet.table.column(key) else { return }
                if case .text(let t)? = value, t.utf16.count > 32_767 {
                    tooLong.append("\(sheet.name)!\(CellReference(row: row, column: col))")
                    if let id = rowsByIndex[row]?.id { heldBack.insert(id) }
                    return
                }
                let v = cellValue(value, c, style: style, styles: styles, factor: sheet.mapping.factor(key))
                try editor.setCell(CellReference(row: row, column: col), in: info, to: CellEdit(value: v, styleIndex: newStyle))
                pending.set(v, row: row, column: col, sheet: sheet.name)
            }
            func identify(_ row: Int, _ id: String?) throws {
                let v = id.map(CellValue.string) ?? .empty
                try editor.setCell(CellReference(row: row, column: sheet.idColumn), in: info, to: CellEdit(value: v))
                pending.set(v, row: row, column: sheet.idColumn, sheet: sheet.name)
            }
            var deleted: [Int] = []
            var appended: [(id: String, values: RowValues)] = []
            for change in changes {
                switch change {
                case .set(let row, let key, let value):
                    try set(row, key, value, style: rowsByIndex[row]?.styles[key])
                case .identify(let row, let id):
                    try identify(row, id)
                case .delete(let row):
                    deleted.append(row)
                case .append(let id, let values):
                    appended.append((id, values))
                }
            }
            // Rows deleted in the store are deleted here, bottom up. A phase written once for the
            // rows below it (merged, or left blank) moves down to the first row that stays.
            let gone = Set(deleted)
            for key in sheet.table.columns.filter(\.mergeByPhase).map(\.key) where sheet.presentKeys.contains(key) {
                var label: StoreValue??
                for r in sheet.rows {
                    if gone.contains(r.sheetRow) {
                        if !r.inherited.contains(key) { label = .some(r.values[key]) }
                    } else {
                        if let l = label, r.inherited.contains(key) { try set(r.sheetRow, key, l, style: r.styles[key]) }
                        label = nil
                    }
                }
            }
            if !gone.isEmpty || !appended.isEmpty { rowsMove = true }
            for row in gone.sorted(by: >) { try editor.deleteRows(at: row, count: 1, in: info) }
            // Rows new in the store go below the last data row: into the blank rows there first (a
            // template's, or those above a total row 合计), then into rows inserted, formatted
            // like the row above; sums, drop-downs and highlights that end above them grow to take them in.
            if !appended.isEmpty {
                let lastData = sheet.rows.map(\.sheetRow).max() ?? sheet.mapping.headerRow
                let free = sheet.totalRow.map { max(0, $0 - lastData - 1) } ?? sheet.blankRowsBelow
                let filled = min(free, appended.count)
                var rows: [Int] = []
                for i in 0..<filled { rows.append(editor.currentRow(lastData + 1 + i, in: info) ?? lastData + 1 + i) }
                if appended.count > filled {
                    let below = sheet.totalRow ?? lastData + 1 + free
                    let at = editor.currentRow(below, in: info) ?? below
                    try editor.insertRows(at: at, count: appended.count - filled, in: info, formatLikeAbove: true, growRangesAbove: true)
                    rows += Array(at..<(at + appended.count - filled))
                }
                for (i, (a, row)) in zip(appended, rows).enumerated() {
                    // A blank row keeps its cells' formats; an inserted one takes the last data row's.
                    for c in sheet.table.columns where sheet.presentKeys.contains(c.key) {
                        try set(row, c.key, a.values[c.key], style: lastStyles[c.key], newStyle: i < filled ? nil : lastStyles[c.key])
                    }
                    try identify(row, a.id)
                }
            }
        }
        try writeBinding(editor, book: book, plan: plan, campaign: campaign, store: store, heldBack: heldBack)
        if rowsMove || mergedCopy {
            let merged = try editor.scratchPath("merged.xlsx")
            try editor.save(to: merged)
            _ = try Recalculator.recalc(path: merged, to: out, options: options)
            if tooLong.isEmpty { try stamp?.write(to: out) }
            return tooLong
        }
        // One pass: the derived cells are computed from the merged values (read through the
        // workbook as the sync read it, the merge's cells in place) and set in the same editor,
        // which writes the workbook once.
        let read = book.read.book
        read.pending = pending
        defer { read.pending = PendingCells() }
        Phases.mark("merge edits")
        let recalc = try Recalculator(book: read, editor: editor, options: options)
        try recalc.run()
        Phases.mark("recalc plan")
        try editor.save(to: out)
        Phases.mark("save")
        _ = recalc.finish()
        // A workbook holding all the store has (no value held back) is stamped for the next sync.
        if tooLong.isEmpty { try stamp?.write(to: out) }
        return tooLong
    }

    /// A store value as the cell shows it: a percent under a `%` format is a fraction, a date
    /// under a date format is a serial; text is always text, even when it starts with `=`.
    /// `factor`: the sheet's header names a unit (`预算(万元)`): the store's 元 are written in it.
    static func cellValue(_ v: StoreValue?, _ c: StoreColumn, style: Int?, styles: StyleSheet, factor: Double = 1) -> CellValue {
        guard let v else { return .empty }
        switch v {
        case .text(let s):
            return .string(s)
        case .number(let n):
            if c.isPercent, let style, Values.isPercentFormat(styles.formatCode(ofStyle: style)) { return .number(n / 100) }
            if factor != 1 && !c.isPercent { return .number((n / factor * 1e9).rounded() / 1e9) }
            return .number(n)
        case .date(let d):
            // A cell without a format of its own keeps the one its blank template cell has.
            guard let style, style < styles.kinds.count, styles.kinds[style] != .dateTime else { return .date(ExcelDateTime(serial: d.serial)) }
            return .string(d.iso)
        }
    }

    /// The hidden `_tracksheet` sheet: the campaign, the store, and every row id with its version.
    static func writeBinding(_ editor: WorkbookEditor, book: SyncBook, plan: SyncPlan, campaign: CampaignRecord, store: String,
                             heldBack: Set<String> = []) throws {
        var rows: [[String]] = [
            [book.isChinese ? "tracksheet 同步记录:请勿修改或删除此工作表" : "tracksheet sync record: do not edit or delete this sheet"],
            ["campaign", campaign.name],
            ["campaign id", campaign.id],
            ["store", store],
            ["synced at", SyncContext.timestamp()],
        ]
        // A workbook of several campaigns keeps a record per campaign, each naming its sheets.
        if book.groupCount > 1 { rows.append(["sheets", book.groupSheets.joined(separator: "\n")]) }
        if let roi = book.roi { rows.append(["roi", roi]) }
        rows.append(SyncBinding.manifestHeader)
        let history = book.binding.history
        for m in plan.manifest { rows.append([m.table, m.id, String(heldBack.contains(m.id) ? history[m.id] ?? m.version : m.version)]) }
        /// A version is written as a number (a third of the record's bytes were its versions as text).
        func cell(_ r: [String], _ c: Int, header: Bool) -> CellValue {
            guard c < r.count else { return .empty }
            if c == 2, !header, let v = Int(r[c]) { return .number(Double(v)) }
            return .string(r[c])
        }
        let head = rows.count - plan.manifest.count
        if let info = editor.workbook.sheet(named: book.recordSheet) {
            let recorded = book.binding.manifest
            for (i, r) in rows.enumerated() {
                // A manifest row already holding this table, id and version is left as it is: a
                // sync that changed a few rows of many rewrites a few rows of its record.
                if i >= head, let old = recorded[r[1]], old.row == i + 1, old.table == r[0] {
                    // The same id in the same row: only its version changes (nothing, when that has not).
                    if String(old.version) != r[2] {
                        try editor.setCell(CellReference(row: i + 1, column: 3), in: info, to: CellEdit(value: cell(r, 2, header: false)))
                    }
                    continue
                }
                for c in 0..<3 {
                    try editor.setCell(CellReference(row: i + 1, column: c + 1), in: info, to: CellEdit(value: cell(r, c, header: i < head)))
                }
            }
            if book.binding.usedRows > rows.count {
                for row in (rows.count + 1)...book.binding.usedRows {
                    for c in 1...3 { try editor.setCell(CellReference(row: row, column: c), in: info, to: CellEdit(value: .empty)) }
                }
            }
        } else {
            let sheet = try editor.addSheet(book.recordSheet, hidden: true)
            try sheet.setColumns(1, width: 22)
            try sheet.setColumns(2, width: 40)
            for (i, r) in rows.enumerated() { try sheet.writeRow(r.indices.map { WriteCell(cell(r, $0, header: i < head)) }) }
        }
    }
}
