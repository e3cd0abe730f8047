import Foundation
import Templates
import XLSX

/// A parameter or a result cell: every statement is parameterised, names come only from the schema.
package enum SQLValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case int(Int)
    case null

    package var text: String? { if case .text(let s) = self { s } else { nil } }
    package var int: Int? {
        switch self {
        case .int(let i): i
        case .number(let d): SQLValue.int(d)
        case .text(let s): Int(s)
        case .null: nil
        }
    }

    /// A stored number as an Int when it is one (1e300, NaN and fractions are not).
    package static func int(_ d: Double) -> Int? { d.isFinite && abs(d) < 9.0e18 ? Int(exactly: d.rounded()) : nil }

    /// Versions and positions tracksheet writes stay far below this; a store holding more was
    /// edited by hand or damaged (and adding one to it would overflow).
    static let maxCounter = 1 << 50
    var number: Double? {
        switch self {
        case .number(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }
}

/// What a result column holds, so each database decodes it the same way.
enum SQLKind: Sendable { case text, number, int }

/// One database connection as the shared store logic uses it.
protocol SQLConnection: Sendable {
    var dialect: SQLDialect { get }
    func execute(_ sql: String, _ args: [SQLValue]) async throws
    /// Rows of `sql`, each cell decoded as `kinds` says.
    func rows(_ sql: String, _ args: [SQLValue], kinds: [SQLKind]) async throws -> [[SQLValue]]
    /// Begins a transaction that takes the write lock at once (SQLite `BEGIN IMMEDIATE`).
    func begin() async throws
    func commit() async throws
    /// Rolls back what is open; a connection that cannot is given up (its server undoes it).
    func rollback() async
}

extension SQLConnection {
    /// `body` in one transaction: committed when it returns, rolled back when anything throws.
    func transaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await begin()
        do {
            let result = try await body()
            try await commit()
            return result
        } catch {
            await rollback()
            throw error
        }
    }
}

/// The store's logic over SQL, shared by SQLite and PostgreSQL: migrations, reading a campaign,
/// applying a sync's changes with their versions and change log.
struct SQLStoreCore: Sendable {
    let db: any SQLConnection
    var d: SQLDialect { db.dialect }

    /// `$1, $2 …` or `?, ? …` from `from`, one per kind (`$3::date` for a date in PostgreSQL).
    /// `rows` tuples of placeholders, numbered on from 1, with the casts `kinds` need.
    func tuples(_ rows: Int, _ kinds: [ColumnKind?]) -> String {
        (0..<rows).map { r in "(" + params(kinds, from: r * kinds.count + 1).joined(separator: ", ") + ")" }.joined(separator: ", ")
    }

    /// A many-row statement's text by its number of rows, made once per number (every full chunk
    /// of a large insert is the same statement, compiled once by a database that caches them).
    struct Statements {
        let make: (Int) -> String
        private var made: [Int: String] = [:]
        init(_ make: @escaping (Int) -> String) { self.make = make }
        mutating func sql(rows: Int) -> String {
            if let s = made[rows] { return s }
            let s = make(rows)
            made[rows] = s
            return s
        }
    }

    func params(_ kinds: [ColumnKind?], from: Int = 1) -> [String] {
        kinds.enumerated().map { i, k in
            let p = d.placeholder(from + i)
            return k == .date ? p + d.dateCast : p
        }
    }

    // MARK: migrations

    func migrate() async throws {
        try await db.transaction {
            if let lock = d.migrationLock { try await db.execute(lock, []) }
            try await db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version \(d.intType) PRIMARY KEY, applied_at TEXT NOT NULL)", [])
            let applied = Set(try await db.rows("SELECT version FROM schema_migrations", [], kinds: [.int]).compactMap { $0[0].int })
            let migrations = StoreSchema.migrations(d)
            if let newest = applied.max(), newest > (migrations.map(\.version).max() ?? 0) {
                throw StoreError(.schemaNewer, ["version": "\(newest)"])
            }
            for m in migrations where !applied.contains(m.version) {
                for s in m.statements { try await db.execute(s, []) }
                try await db.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (\(params([nil, nil]).joined(separator: ", ")))",
                                     [.int(m.version), .text(SyncContext.timestamp())])
            }
        }
    }

    // MARK: reading

    static let campaignColumns = "id, name, template, start_date, end_date, version"

    func campaign(named name: String, lock: Bool) async throws -> CampaignRecord? {
        let sql = "SELECT id, name, template, \(d.textOf("start_date", .date)), \(d.textOf("end_date", .date)), version FROM campaigns WHERE name = \(d.placeholder(1))"
            + (lock ? d.forUpdate : "")
        return try await db.rows(sql, [.text(name)], kinds: [.text, .text, .text, .text, .text, .int]).first.map(Self.campaign)
    }

    static func campaign(_ r: [SQLValue]) -> CampaignRecord {
        CampaignRecord(id: r[0].text ?? "", name: r[1].text ?? "", template: r[2].text ?? "",
                       start: r[3].text.flatMap(CalendarDate.init), end: r[4].text.flatMap(CalendarDate.init),
                       version: min(max(r[5].int ?? 1, 0), SQLValue.maxCounter))
    }

    func campaigns() async throws -> [CampaignRecord] {
        try await db.rows("SELECT id, name, template, \(d.textOf("start_date", .date)), \(d.textOf("end_date", .date)), version FROM campaigns ORDER BY name",
                          [], kinds: [.text, .text, .text, .text, .text, .int]).map(Self.campaign)
    }

    func rowVersionsDigest(campaignID: String, tables: [String]) async throws -> String {
        var count = 0, sum: UInt64 = 0
        for name in Set(tables) {
            guard let t = StoreSchema.table(named: name) else { continue }
            for r in try await db.rows("SELECT id, version FROM \(t.name) WHERE campaign_id = \(d.placeholder(1))", [.text(campaignID)], kinds: [.text, .int]) {
                guard let id = r[0].text, let v = r[1].int else { continue }
                count += 1
                sum &+= RowVersions.hash(table: t.name, id: id, version: v)
            }
        }
        return "\(count)-" + String(sum, radix: 16)
    }

    func snapshot(_ campaign: CampaignRecord?, history: [String: Int]) async throws -> StoreSnapshot {
        var snap = try await rows(of: campaign)
        try await addBase(&snap, history: history)
        return snap
    }

    /// The campaign's rows in every table of its template.
    func rows(of campaign: CampaignRecord?) async throws -> StoreSnapshot {
        var snap = StoreSnapshot(campaign: campaign)
        guard let campaign else { return snap }
        for t in StoreSchema.builtin where t.templateID == campaign.template {
            let cols = t.columns.map { d.textOf($0.sqlName, $0.kind) }.joined(separator: ", ")
            let kinds: [SQLKind] = [.text, .int, .int] + t.columns.map { $0.kind == .number ? .number : .text }
            // No ORDER BY: the rows go into a map by id (sorting them was a sixth of a no-op sync's store reading).
            let rows = try await db.rows("SELECT id, version, position, \(cols) FROM \(t.name) WHERE campaign_id = \(d.placeholder(1))",
                                         [.text(campaign.id)], kinds: kinds)
            var byID: [String: StoreRow] = [:]
            byID.reserveCapacity(rows.count)
            for r in rows {
                var values = t.emptyRow()
                for (i, c) in t.columns.enumerated() { values[slot: i] = Self.storeValue(r[3 + i], c.kind) }
                let version = r[1].int ?? 0, position = r[2].int ?? 0, id = r[0].text ?? ""
                // A row id tracksheet did not make (a row added to the store by hand or by another
                // tool) cannot be carried by the workbook: each sync would take it for a new row
                // and the store would gain a copy every time. Refused, with the way out.
                // (The message is made safe for the terminal where it is printed, `Output.fail`.)
                guard RowID.isValid(id) else {
                    let id = id.prefix(40)
                    throw StoreError(.rowIDForeign, ["table": "\(t.name)", "id": "\(id)"])
                }
                guard (0...SQLValue.maxCounter).contains(version), (-SQLValue.maxCounter...SQLValue.maxCounter).contains(position) else {
                    throw StoreError(.rowVersionForeign, ["id": "\(id)", "table": "\(t.name)", "version": "\(version)", "position": "\(position)"])
                }
                let row = StoreRow(id: id, version: version, position: position, values: values)
                byID[row.id] = row
            }
            snap.rows[t.name] = byID
        }
        return snap
    }

    /// The versions `history` asks for that the store no longer has as its current ones (rows
    /// changed or deleted since the workbook's last sync): the sync base of those rows.
    func addBase(_ snap: inout StoreSnapshot, history: [String: Int]) async throws {
        guard let campaign = snap.campaign, !history.isEmpty else { return }
        let tables = snap.rows.values.filter { !$0.isEmpty }
        let stale = history.filter { id, version in
            !tables.contains { $0[id]?.version == version }
        }.keys
        for chunk in stale.sorted().chunked(500) {
            // Numbered from 2 in every chunk (a slice's indices go on from the chunk before: a
            // PostgreSQL sync reading the bases of more than 500 rows asked for parameters it never sent).
            let ph = (0..<chunk.count).map { d.placeholder($0 + 2) }.joined(separator: ", ")
            let rows = try await db.rows("SELECT row_id, version, table_name, data FROM row_versions WHERE campaign_id = \(d.placeholder(1)) AND row_id IN (\(ph))",
                                         [.text(campaign.id)] + chunk.map { .text($0) }, kinds: [.text, .int, .text, .text])
            for r in rows {
                guard let id = r[0].text, let v = r[1].int, history[id] == v, let table = r[2].text.flatMap(StoreSchema.table(named:)),
                      let data = r[3].text else { continue }
                snap.base[id] = RowJSON.decode(data, table: table)
            }
        }
    }

    static func storeValue(_ v: SQLValue, _ kind: ColumnKind) -> StoreValue? {
        switch (kind, v) {
        case (_, .null): nil
        case (.number, _): v.number.map(StoreValue.number)
        case (.date, .text(let s)): CalendarDate(String(s.prefix(10))).map(StoreValue.date)
        case (.text, .text(let s)): .text(s)
        default: nil
        }
    }

    static func sqlValue(_ v: StoreValue?) -> SQLValue {
        switch v {
        case nil: .null
        case .text(let s)?: .text(s)
        case .number(let n)?: .number(n)
        case .date(let d)?: .text(d.iso)
        }
    }

    // MARK: writing

    /// Creates the campaign when new, then locks it for the rest of the transaction.
    func lockCampaign(_ spec: CampaignSpec, context: SyncContext) async throws -> CampaignRecord {
        let ph = params([nil, nil, nil, .date, .date, nil, nil])
        try await db.execute("INSERT INTO campaigns (id, name, template, start_date, end_date, created_at, updated_at) VALUES (\(ph.joined(separator: ", "))) ON CONFLICT (name) DO NOTHING",
                             [.text(RowID.make()), .text(spec.name), .text(spec.template), spec.start.map { .text($0.iso) } ?? .null,
                              spec.end.map { .text($0.iso) } ?? .null, .text(context.at), .text(context.at)])
        guard let c = try await campaign(named: spec.name, lock: true) else {
            throw StoreError(.campaignNotCreated, ["campaign": "\(spec.name)"])
        }
        return c
    }

    func apply(_ changes: StoreChanges, campaign: CampaignRecord, context: SyncContext) async throws {
        guard !changes.isEmpty || !changes.log.isEmpty else { return }
        let stamp: [SQLValue] = [.text(context.at), .text(context.who)]
        // Inserts, many rows per statement.
        for (tableName, group) in Dictionary(grouping: changes.inserts, by: { $0.table }).sorted(by: { $0.key < $1.key }) {
            guard let t = StoreSchema.table(named: tableName) else { continue }
            let kinds: [ColumnKind?] = [nil, nil, nil, nil] + t.columns.map { $0.kind } + [nil, nil]
            let columns = "id, campaign_id, version, position, " + t.columns.map { $0.sqlName }.joined(separator: ", ") + ", updated_at, updated_by"
            let perRow = kinds.count
            var statements = Statements { rows in "INSERT INTO \(t.name) (\(columns)) VALUES " + self.tuples(rows, kinds) }
            for chunk in group.chunked(max(1, 30_000 / perRow)) {
                var args: [SQLValue] = []
                args.reserveCapacity(chunk.count * perRow)
                for (_, row) in chunk {
                    args += [.text(row.id), .text(campaign.id), .int(row.version), .int(row.position)]
                    for v in t.values(of: row.values) { args.append(Self.sqlValue(v)) }
                    args += stamp
                }
                try await db.execute(statements.sql(rows: chunk.count), args)
            }
        }
        Phases.mark("apply inserts")
        for u in changes.updates {
            guard let t = StoreSchema.table(named: u.table) else { continue }
            let set = t.columns.enumerated().map { i, c in "\(c.sqlName) = \(params([c.kind], from: i + 5)[0])" }.joined(separator: ", ")
            let n = t.columns.count
            let sql = "UPDATE \(t.name) SET version = \(d.placeholder(1)), position = \(d.placeholder(2)), updated_at = \(d.placeholder(3)), updated_by = \(d.placeholder(4)), \(set) "
                + "WHERE id = \(d.placeholder(n + 5)) AND version = \(d.placeholder(n + 6)) RETURNING id"
            let args: [SQLValue] = [.int(u.fromVersion + 1), .int(u.position)] + stamp + t.values(of: u.values).map(Self.sqlValue)
                + [.text(u.id), .int(u.fromVersion)]
            guard try await !db.rows(sql, args, kinds: [.text]).isEmpty else { throw Self.moved(u.id) }
        }
        for del in changes.deletes {
            guard let t = StoreSchema.table(named: del.table) else { continue }
            let sql = "DELETE FROM \(t.name) WHERE id = \(d.placeholder(1)) AND version = \(d.placeholder(2)) RETURNING id"
            guard try await !db.rows(sql, [.text(del.id), .int(del.fromVersion)], kinds: [.text]).isEmpty else { throw Self.moved(del.id) }
        }
        for m in changes.moves {
            guard let t = StoreSchema.table(named: m.table) else { continue }
            try await db.execute("UPDATE \(t.name) SET position = \(d.placeholder(1)) WHERE id = \(d.placeholder(2))", [.int(m.position), .text(m.id)])
        }
        // Every new version (for later three-way merges against it) and the change log, a chunk at
        // a time: a first sync of 100,000 rows held every row's JSON, twice, until the end. An
        // inserted row's JSON is encoded once, for its version and for the log's new value.
        var versionStatements = Statements { rows in "INSERT INTO row_versions (row_id, version, campaign_id, table_name, data) VALUES " + self.tuples(rows, Array(repeating: nil, count: 5)) }
        var logStatements = Statements { rows in
            "INSERT INTO change_log (at, who, workbook, campaign_id, table_name, row_id, action, column_name, cell, old_value, new_value) VALUES "
                + self.tuples(rows, Array(repeating: nil, count: 11))
        }
        func writeVersions(_ args: [SQLValue]) async throws {
            guard !args.isEmpty else { return }
            try await db.execute(versionStatements.sql(rows: args.count / 5), args)
        }
        var pending = Dictionary(changes.inserts.map { ($0.row.id, (table: $0.table, row: $0.row)) }, uniquingKeysWith: { a, _ in a })
        for chunk in changes.log.chunked(2_000) {
            var args: [SQLValue] = [], versions: [SQLValue] = []
            args.reserveCapacity(chunk.count * 11)
            for e in chunk {
                var new: SQLValue = e.new.map { .text($0.description) } ?? .null
                if e.action == .insert, let (table, row) = pending.removeValue(forKey: e.rowID) {
                    let json = SQLValue.text(RowJSON.encode(row.values))
                    if e.new == nil { new = json }
                    versions += [.text(row.id), .int(row.version), .text(campaign.id), .text(table), json]
                }
                args += [.text(context.at), .text(context.who), .text(context.workbook), .text(campaign.id), .text(e.table), .text(e.rowID), .text(e.action.rawValue),
                         e.column.map(SQLValue.text) ?? .null, e.place.map { .text($0.description) } ?? .null,
                         e.old.map { .text($0.description) } ?? .null, new]
            }
            try await writeVersions(versions)
            try await db.execute(logStatements.sql(rows: args.count / 11), args)
        }
        Phases.mark("apply log+versions")
        // Inserts the log does not name, and updates.
        let unlogged = changes.inserts.filter { pending[$0.row.id] != nil }
        for chunk in unlogged.chunked(2_000) {
            try await writeVersions(chunk.flatMap { i -> [SQLValue] in [.text(i.row.id), .int(i.row.version), .text(campaign.id), .text(i.table), .text(RowJSON.encode(i.row.values))] })
        }
        for chunk in changes.updates.chunked(2_000) {
            try await writeVersions(chunk.flatMap { u -> [SQLValue] in [.text(u.id), .int(u.fromVersion + 1), .text(campaign.id), .text(u.table), .text(RowJSON.encode(u.values))] })
        }
        if !changes.isEmpty {
            try await db.execute("UPDATE campaigns SET version = version + 1, updated_at = \(d.placeholder(1)) WHERE id = \(d.placeholder(2))",
                                 [.text(context.at), .text(campaign.id)])
        }
    }

    static func moved(_ id: String) -> StoreError {
        StoreError(.rowChangedDuringSync, ["id": "\(id)"])
    }

    func changeLog(campaign name: String) async throws -> [LoggedChange] {
        guard let c = try await campaign(named: name, lock: false) else { return [] }
        let rows = try await db.rows("SELECT table_name, row_id, action, column_name, cell, old_value, new_value FROM change_log WHERE campaign_id = \(d.placeholder(1)) ORDER BY seq",
                                     [.text(c.id)], kinds: Array(repeating: .text, count: 7))
        return rows.map { r in
            let table = r[0].text.flatMap(StoreSchema.table(named:))
            let kind = r[3].text.flatMap { table?.column($0)?.kind } ?? .text
            func value(_ v: SQLValue) -> StoreValue? {
                guard let s = v.text else { return nil }
                switch kind {
                case .number: return Double(s).map(StoreValue.number)
                case .date: return CalendarDate(s).map(StoreValue.date)
                case .text: return .text(s)
                }
            }
            return LoggedChange(table: r[0].text ?? "", rowID: r[1].text ?? "", action: LoggedChange.Action(rawValue: r[2].text ?? "") ?? .update,
                                column: r[3].text, place: r[4].text.flatMap(LoggedChange.Place.init), old: value(r[5]), new: value(r[6]))
        }
    }

    /// The transaction of a sync: lock, read, decide, apply, then the caller's last step, then commit.
    /// A sync's transaction: the campaign locked (created when new) and read; see `CampaignStore.begin`.
    func begin(campaign spec: CampaignSpec, history: [String: Int], prefetched: StoreSnapshot?, context: SyncContext,
               describe: @escaping @Sendable (any Error) -> any Error = { $0 }) async throws -> SQLTransaction {
        try await db.begin()
        do {
            let campaign = try await lockCampaign(spec, context: context)
            var snap: StoreSnapshot
            if var early = prefetched, let seen = early.campaign, seen.id == campaign.id, seen.version == campaign.version {
                // Nothing changed the campaign's rows since they were read (each change raises its
                // version, in the transaction that makes it, and the campaign is locked now).
                early.campaign = campaign
                early.base = [:]
                snap = early
            } else {
                snap = try await rows(of: campaign)
            }
            try await addBase(&snap, history: history)
            return SQLTransaction(core: self, campaign: campaign, snapshot: snap, context: context, describe: describe)
        } catch {
            await db.rollback()
            throw describe(error)
        }
    }
}

/// A sync's open transaction over SQL (SQLite or PostgreSQL).
/// @unchecked Sendable: its properties are constants; one sync drives it, one call at a time.
final class SQLTransaction: StoreTransaction, @unchecked Sendable {
    let core: SQLStoreCore
    let campaign: CampaignRecord
    let snapshot: StoreSnapshot
    let context: SyncContext
    /// The store's errors as a user reads them (PostgreSQL's, without the password).
    let describe: @Sendable (any Error) -> any Error

    init(core: SQLStoreCore, campaign: CampaignRecord, snapshot: StoreSnapshot, context: SyncContext,
         describe: @escaping @Sendable (any Error) -> any Error) {
        self.core = core; self.campaign = campaign; self.snapshot = snapshot; self.context = context; self.describe = describe
    }

    func apply(_ changes: StoreChanges) async throws {
        do { try await core.apply(changes, campaign: campaign, context: context) } catch { throw describe(error) }
    }

    func commit() async throws {
        do { try await core.db.commit() } catch { throw describe(error) }
    }

    func rollback() async { await core.db.rollback() }
}

extension SQLDialect {
    /// A column as text in a result (PostgreSQL's dates).
    func textOf(_ column: String, _ kind: ColumnKind) -> String {
        kind == .date && dateCast != "" ? "\(column)::text" : column
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
