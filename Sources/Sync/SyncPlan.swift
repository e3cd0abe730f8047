import Foundation
import Store
import Templates
import XLSX

/// Which side wins a conflict when the user says so (`--prefer`).
public enum Prefer: String, Sendable, CaseIterable {
    case workbook, store
}

/// The same cell changed on both sides since the last sync, or a row deleted on one side and
/// edited on the other.
public struct Conflict: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Both sides changed the cell, differently.
        case bothChanged = "both-changed"
        /// Deleted in the store (by another copy), edited in this workbook.
        case deletedInStore = "deleted-in-store"
        /// Deleted in this workbook, edited in the store.
        case deletedInWorkbook = "deleted-in-workbook"
        /// The workbook's sync record was lost, and the two sides differ.
        case noBase = "no-base"
    }
    public var kind: Kind
    public var sheet: String
    /// The cell both sides changed; nil for a whole row.
    public var cell: CellReference?
    /// The sheet row of a row deleted in the store (`deletedInStore`).
    public var row: Int?
    /// The column's key (`spend`) of a cell both sides changed.
    public var column: String?
    /// The id of a row the workbook no longer holds (`deletedInWorkbook`).
    public var rowID: String?
    /// The workbook's header over the cell (实际支出), what the user reads; nil for a whole row.
    public var header: String?
    public var workbook: StoreValue?
    public var store: StoreValue?
    /// How `--prefer` resolved it; nil: not resolved.
    public var resolvedBy: Prefer?

    public init(kind: Kind, sheet: String, cell: CellReference? = nil, row: Int? = nil, column: String? = nil, rowID: String? = nil,
                header: String? = nil, workbook: StoreValue? = nil, store: StoreValue? = nil, resolvedBy: Prefer? = nil) {
        self.kind = kind; self.sheet = sheet; self.cell = cell; self.row = row; self.column = column; self.rowID = rowID
        self.header = header; self.workbook = workbook; self.store = store; self.resolvedBy = resolvedBy
    }

    /// Where in the sheet, as users read it: `J5`, `7:7` for a whole row; nil for a row the sheet no longer has.
    public var place: String? { cell?.description ?? row.map { "\($0):\($0)" } }
    public var location: String { place.map { "\(sheet)!\($0)" } ?? sheet }

    public func message(chinese: Bool) -> String {
        func show(_ v: StoreValue?) -> String { v.map { "\"\($0)\"" } ?? (chinese ? "(空)" : "(blank)") }
        switch (kind, chinese) {
        case (.bothChanged, false): return "changed on both sides since the last sync: workbook \(show(workbook)), store \(show(store))"
        case (.bothChanged, true): return "上次同步后两边都修改了此单元格:工作簿为 \(show(workbook)),存储库为 \(show(store))"
        case (.deletedInStore, false): return "the row was deleted in the store and edited in the workbook"
        case (.deletedInStore, true): return "此行已在存储库中删除,但在工作簿中被修改"
        case (.deletedInWorkbook, false): return "the row was deleted in the workbook and edited in the store (row id \(rowID ?? ""))"
        case (.deletedInWorkbook, true): return "此行已在工作簿中删除,但在存储库中被修改(行标识 \(rowID ?? ""))"
        case (.noBase, false): return "no record of the last sync for this row: workbook \(show(workbook)), store \(show(store))"
        case (.noBase, true): return "找不到此行上次同步的记录:工作簿为 \(show(workbook)),存储库为 \(show(store))"
        }
    }
}

/// A change to make in the workbook.
public enum WorkbookChange: Sendable, Equatable {
    /// A cell takes the store's value.
    case set(row: Int, key: String, value: StoreValue?)
    /// A row gets (or changes) its identity.
    case identify(row: Int, id: String)
    /// A row deleted in the store: deleted from the sheet (the rows below move up).
    case delete(row: Int)
    /// A row new in the store, written below the sheet's rows.
    case append(id: String, values: RowValues)
}

/// Counts per sheet, as `--dry-run` and the result show them.
public struct SheetSummary: Sendable, Equatable {
    public var sheet: String
    public var table: String
    public var storeInserts = 0, storeUpdates = 0, storeDeletes = 0
    /// Cells changed in the store.
    public var storeCells = 0
    public var workbookInserts = 0, workbookUpdates = 0, workbookDeletes = 0
    /// Cells changed in the workbook.
    public var workbookCells = 0
    public var conflicts = 0
    public var moved = 0

    public var isEmpty: Bool {
        storeInserts + storeUpdates + storeDeletes + workbookInserts + workbookUpdates + workbookDeletes + conflicts + moved == 0
    }
}

/// What a sync will do, computed from the workbook, the store and the last synced base alone.
public struct SyncPlan: Sendable {
    /// The campaign as the store had it when the plan was made (nil: new at this sync, dry run).
    public var campaign: CampaignRecord?
    public var summaries: [SheetSummary] = []
    public var store = StoreChanges()
    /// By sheet name.
    public var workbook: [String: [WorkbookChange]] = [:]
    public var conflicts: [Conflict] = []
    /// Every row id the workbook holds after the sync, with the version it then matches.
    public var manifest: [(table: String, id: String, version: Int)] = []
    /// The manifest differs from the workbook's (ids or versions): the workbook is written.
    public var manifestChanged = false
    /// Sheet rows whose ids were separated from them (sorted without the hidden id column): each
    /// holds, unchanged, what another id held at the last sync. Nothing may be merged then.
    public var displaced: [(sheet: String, rows: [Int])] = []

    public var unresolved: [Conflict] { conflicts.filter { $0.resolvedBy == nil } }
    public var changesWorkbook: Bool { manifestChanged || workbook.values.contains { !$0.isEmpty } }
    public var changesStore: Bool { !store.isEmpty }
}

/// The three-way merge per cell of workbook, store and base — a pure function.
public enum SyncPlanner {
    public static func plan(sheets: [SyncedSheet], binding: SyncBinding, snapshot: StoreSnapshot, prefer: Prefer?) -> SyncPlan {
        var plan = SyncPlan()
        plan.campaign = snapshot.campaign
        // A record of another campaign or store (or none) is no base: rows are matched by id only.
        var binding = binding
        if binding.campaignID == nil || binding.campaignID != snapshot.campaign?.id {
            binding.manifest = [:]
        }
        // Whether an id of the new manifest has another version in the old (or is not in it). The
        // new manifest's ids are distinct (a row id is in one table, and each is written once).
        var versionsChanged = false
        for sheet in sheets {
            let t = sheet.table
            var summary = SheetSummary(sheet: sheet.name, table: t.name)
            var changes: [WorkbookChange] = []
            let storeRows = snapshot.rows[t.name] ?? [:]
            /// The values row `id` had at the last sync (`known`: its manifest entry), the store's
            /// (`stored`) when it has not moved on since.
            func base(_ id: String, known: (table: String, version: Int, row: Int)?, stored: StoreRow?) -> RowValues? {
                guard let known, known.table == t.name else { return nil }
                if let stored, stored.version == known.version { return stored.values }
                return snapshot.base[id]
            }
            func base(_ id: String) -> RowValues? { base(id, known: binding.manifest[id], stored: storeRows[id]) }
            // The columns both sides have (found once per sheet, not per row), with their slots in
            // the table's rows: values are compared by slot, no key hashed per cell.
            let keys = t.keys
            let compared = t.columns.indices.filter { sheet.presentKeys.contains(t.columns[$0].key) }.map { (column: t.columns[$0], slot: $0) }
            func mergedColumns(_ r: SyncedRow) -> [(column: StoreColumn, slot: Int)] {
                r.skipped.isEmpty ? compared : compared.filter { !r.skipped.contains($0.column.key) }
            }
            // The table's slots the workbook does not fill: a new row's must stay empty.
            let comparedSlots = Set(compared.map(\.slot))
            let otherSlots = t.columns.indices.filter { !comparedSlots.contains($0) }
            /// What a row new in the workbook stores: the row's own values, shared, not copied (a
            /// first sync of 100,000 rows held every row twice). Skipped columns and columns the
            /// sheet lacks are emptied (SyncBook leaves them empty: nothing is copied then).
            func storedValues(_ r: SyncedRow) -> RowValues {
                if r.values.columns === keys {
                    var values = r.values
                    for slot in otherSlots where values[slot: slot] != nil { values[slot: slot] = nil }
                    for key in r.skipped { if let slot = keys.slot(key), values[slot: slot] != nil { values[slot: slot] = nil } }
                    return values
                }
                var values = t.emptyRow()
                for c in mergedColumns(r) { values[slot: c.slot] = r.values.value(c.column.key, slot: c.slot, of: keys) }
                return values
            }
            /// The cells in which the row differs from `b`, counted up to `limit` (no further).
            func differences(_ r: SyncedRow, _ b: RowValues, upTo limit: Int = .max) -> Int {
                var n = 0
                for c in mergedColumns(r) where !StoreValue.same(r.values.value(c.column.key, slot: c.slot, of: keys), b.value(c.column.key, slot: c.slot, of: keys)) {
                    n += 1
                    if n >= limit { break }
                }
                return n
            }

            // A copied row carries its original's id: the copy that differs least from the base keeps it.
            var rows = sheet.rows
            var keeper: [String: Int] = [:]
            keeper.reserveCapacity(rows.count)
            for (i, r) in rows.enumerated() {
                guard let id = r.id, let k = keeper.updateValue(i, forKey: id) else { continue }
                if let b = base(id) ?? storeRows[id]?.values, differences(r, b) < differences(rows[k], b) {
                    rows[k].id = nil
                } else {
                    rows[i].id = nil
                    keeper[id] = k
                }
            }
            // Each row's store row, looked up once; ids this workbook does not know and the store
            // does not have (pasted from elsewhere) are dropped: new rows.
            // And each row's manifest entry, looked up once too.
            var stored = [StoreRow?](repeating: nil, count: rows.count)
            var knownOf = [(table: String, version: Int, row: Int)?](repeating: nil, count: rows.count)
            var held = 0
            for i in rows.indices {
                guard let id = rows[i].id else { continue }
                knownOf[i] = binding.manifest[id]
                if let s = storeRows[id] { stored[i] = s; held += 1 } else if knownOf[i] == nil { rows[i].id = nil }
            }

            // Ids separated from their rows by a sort that left the hidden id column behind: a row
            // that differs from its own id's base in several cells but is, cell for cell, another
            // id's base. Two such rows (a sort moves at least two) and nothing is merged.
            // The candidates are found first (a row two cells away from its own base), and the
            // bases' contents written out only when there are two: most syncs have none.
            if held > 1 {
                var candidates: [Int] = []
                for (i, r) in rows.enumerated() where r.skipped.isEmpty {
                    guard let id = r.id, let b = base(id, known: knownOf[i], stored: stored[i]), differences(r, b, upTo: 2) >= 2 else { continue }
                    candidates.append(i)
                }
                if candidates.count >= 2 {
                    func content(_ v: RowValues) -> String {
                        compared.map { v.value($0.column.key, slot: $0.slot, of: keys)?.description ?? "\u{1}" }.joined(separator: "\u{2}")
                    }
                    var baseOf: [String: String] = [:]
                    for r in rows { if let id = r.id, let b = base(id) { baseOf[content(b)] = id } }
                    let moved = candidates.filter { i in
                        guard let other = baseOf[content(rows[i].values)] else { return false }
                        return other != rows[i].id
                    }.map { rows[$0].sheetRow }
                    if moved.count >= 2 { plan.displaced.append((sheet.name, moved)) }
                }
            }
            // A row's place among the rows the workbook keeps (rows deleted in the store leave it).
            var position = -1
            for (i, r) in rows.enumerated() {
                position += 1
                func ref(_ key: String) -> CellReference? { sheet.cell(r.sheetRow, key) }
                /// The row goes into the store under a new id, which the workbook then carries.
                func insert() {
                    let id = RowID.make()
                    let values = storedValues(r)
                    plan.store.inserts.append((t.name, StoreRow(id: id, version: 1, position: position, values: values)))
                    // The row's values are the log's new value, encoded when the log is written.
                    plan.store.log.append(LoggedChange(table: t.name, rowID: id, action: .insert, column: nil,
                                                       place: .init(sheet: sheet.name, row: r.sheetRow), old: nil, new: nil))
                    changes.append(.identify(row: r.sheetRow, id: id))
                    versionsChanged = true
                    summary.storeInserts += 1
                    plan.manifest.append((t.name, id, 1))
                }
                guard let id = r.id else {
                    // New in the workbook.
                    insert()
                    continue
                }
                guard let s = stored[i] else {
                    // Deleted in the store since this workbook last synced.
                    let b = base(id)
                    let edited = b.map { differences(r, $0) > 0 } ?? true
                    if !edited || prefer == .store {
                        if edited { plan.conflicts.append(Conflict(kind: .deletedInStore, sheet: sheet.name, row: r.sheetRow, resolvedBy: .store)) ; summary.conflicts += 1 }
                        changes.append(.delete(row: r.sheetRow))
                        summary.workbookDeletes += 1
                        position -= 1
                    } else if prefer == .workbook {
                        // Kept: the row goes back into the store under a new id.
                        plan.conflicts.append(Conflict(kind: .deletedInStore, sheet: sheet.name, row: r.sheetRow, resolvedBy: .workbook))
                        summary.conflicts += 1
                        insert()
                    } else {
                        plan.conflicts.append(Conflict(kind: .deletedInStore, sheet: sheet.name, row: r.sheetRow))
                        summary.conflicts += 1
                    }
                    continue
                }
                // In both: merge cell by cell.
                let known = knownOf[i]
                let b = base(id, known: known, stored: s)
                var merged = s.values
                var storeChanged = false, workbookCells = 0
                for (c, slot) in mergedColumns(r) {
                    let w = r.values.value(c.key, slot: slot, of: keys), sv = s.values.value(c.key, slot: slot, of: keys)
                    if StoreValue.same(w, sv) { continue }
                    let takeWorkbook: Bool
                    if let b, StoreValue.same(w, b.value(c.key, slot: slot, of: keys)) {
                        takeWorkbook = false
                    } else if let b, StoreValue.same(sv, b.value(c.key, slot: slot, of: keys)) {
                        takeWorkbook = true
                    } else {
                        plan.conflicts.append(Conflict(kind: b == nil ? .noBase : .bothChanged, sheet: sheet.name, cell: ref(c.key), column: c.key,
                                                       header: sheet.mapping.headers[c.key], workbook: w, store: sv, resolvedBy: prefer))
                        summary.conflicts += 1
                        guard let prefer else { continue }
                        takeWorkbook = prefer == .workbook
                    }
                    if takeWorkbook {
                        merged[c.key] = w
                        storeChanged = true
                        summary.storeCells += 1
                        plan.store.log.append(LoggedChange(table: t.name, rowID: id, action: .update, column: c.key,
                                                           place: ref(c.key).map { .init(sheet: sheet.name, cell: $0) }, old: sv, new: w))
                    } else {
                        changes.append(.set(row: r.sheetRow, key: c.key, value: sv))
                        workbookCells += 1
                    }
                }
                if storeChanged {
                    plan.store.updates.append(.init(table: t.name, id: id, fromVersion: s.version, values: merged, position: position))
                    summary.storeUpdates += 1
                } else if s.position != position {
                    plan.store.moves.append((t.name, id, position))
                    summary.moved += 1
                }
                if workbookCells > 0 { summary.workbookUpdates += 1; summary.workbookCells += workbookCells }
                let version = storeChanged ? s.version + 1 : s.version
                if known?.version != version { versionsChanged = true }
                plan.manifest.append((t.name, id, version))
            }

            // Store rows this workbook does not hold.
            var appended: [StoreRow] = []
            // A row's id is in `keeper` when a row of the sheet holds it; all are held most times.
            for s in storeRows.values where held < storeRows.count {
                guard keeper[s.id] == nil else { continue }
                if let known = binding.manifest[s.id], known.table == t.name {
                    // Deleted in the workbook.
                    if s.version == known.version || prefer == .workbook {
                        if s.version != known.version {
                            plan.conflicts.append(Conflict(kind: .deletedInWorkbook, sheet: sheet.name, rowID: s.id, resolvedBy: .workbook))
                            summary.conflicts += 1
                        }
                        plan.store.deletes.append((t.name, s.id, s.version))
                        plan.store.log.append(LoggedChange(table: t.name, rowID: s.id, action: .delete, column: nil, place: nil,
                                                           old: .text(RowJSON.encode(s.values)), new: nil))
                        summary.storeDeletes += 1
                    } else if prefer == .store {
                        plan.conflicts.append(Conflict(kind: .deletedInWorkbook, sheet: sheet.name, rowID: s.id, resolvedBy: .store))
                        summary.conflicts += 1
                        appended.append(s)
                    } else {
                        plan.conflicts.append(Conflict(kind: .deletedInWorkbook, sheet: sheet.name, rowID: s.id))
                        summary.conflicts += 1
                    }
                } else {
                    appended.append(s)
                }
            }
            for s in appended.sorted(by: { ($0.position, $0.id) < ($1.position, $1.id) }) {
                changes.append(.append(id: s.id, values: s.values))
                summary.workbookInserts += 1
                if binding.manifest[s.id]?.version != s.version { versionsChanged = true }
                plan.manifest.append((t.name, s.id, s.version))
            }
            plan.workbook[sheet.name] = changes
            plan.summaries.append(summary)
        }
        plan.manifestChanged = !binding.exists || versionsChanged || plan.manifest.count != binding.manifest.count
        return plan
    }
}
