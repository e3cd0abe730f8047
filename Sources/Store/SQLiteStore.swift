import Foundation
import GRDB
import XLSX

/// The embedded store: one SQLite file through GRDB. Writers take the file's write lock at the
/// start of a sync (`BEGIN IMMEDIATE`) and wait up to 30 s for another writer.
/// @unchecked Sendable: every property is a constant, and GRDB's `DatabaseQueue` serialises the
/// database's use across threads.
public final class SQLiteStore: CampaignStore, @unchecked Sendable {
    public let location: String
    let queue: DatabaseQueue
    let core: SQLStoreCore

    public init(path: String) throws {
        location = "sqlite:\(path)"
        try Self.checkDurable(path)
        var config = Configuration()
        config.busyMode = .timeout(30)
        // A sync's transaction spans several calls (it is async for PostgreSQL's sake).
        config.allowsUnsafeTransactions = true
        config.foreignKeysEnabled = true
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { (db: Database) in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        } catch {
            throw StoreError(.sqliteCannotOpen, ["path": "\(path)", "why": "\(Self.message(error))"])
        }
        core = SQLStoreCore(db: GRDBConnection(queue: queue))
    }

    static func message(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    /// A store is a file that outlives the sync: no empty path, no in-memory database (each would
    /// report "store updated" and keep nothing), no FIFO, device or folder.
    static func checkDurable(_ path: String) throws {
        let lower = path.lowercased()
        if path.trimmingCharacters(in: .whitespaces).isEmpty {
            throw StoreError(.sqlitePathEmpty)
        }
        // `file:` URIs are refused whole: `file::memory:` and `?mode=memory` keep nothing.
        if lower == ":memory:" || lower.hasPrefix("file:") {
            throw StoreError(.sqliteNotAFile, ["path": "\(path)"])
        }
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw StoreError(.sqliteNotRegular, ["path": "\(path)", "kind": .message(XLSXMessage(ZipArchive.kind(st.st_mode)))])
        }
    }

    public func migrate() async throws { try await core.migrate() }

    public func read(campaign: String, history: [String: Int]) async throws -> StoreSnapshot {
        try await core.snapshot(try await core.campaign(named: campaign, lock: false), history: history)
    }

    public func begin(campaign: CampaignSpec, history: [String: Int], prefetched: StoreSnapshot?, context: SyncContext) async throws -> any StoreTransaction {
        try await core.begin(campaign: campaign, history: history, prefetched: prefetched, context: context)
    }

    public func campaigns() async throws -> [CampaignRecord] { try await core.campaigns() }
    public func rowVersionsDigest(campaignID: String, tables: [String]) async throws -> String {
        try await core.rowVersionsDigest(campaignID: campaignID, tables: tables)
    }
    public func changeLog(campaign: String) async throws -> [LoggedChange] { try await core.changeLog(campaign: campaign) }
    public func close() async throws { try queue.close() }
}

struct GRDBConnection: SQLConnection {
    let queue: DatabaseQueue
    var dialect: SQLDialect { .sqlite }

    static func arguments(_ args: [SQLValue]) -> StatementArguments {
        // Database values made directly, not through an existential per value.
        StatementArguments(args.map { v -> DatabaseValue in
            switch v {
            case .text(let s): s.databaseValue
            case .number(let d): d.databaseValue
            case .int(let i): Int64(i).databaseValue
            case .null: .null
            }
        })
    }

    /// GRDB's blocking access (the async overloads would hop threads for nothing here).
    func sync<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction(body)
    }

    func execute(_ sql: String, _ args: [SQLValue]) async throws {
        try sync { db in
            guard !args.isEmpty else { return try db.execute(sql: sql) }
            // One statement with parameters: compiled once for all its runs (a first sync's
            // inserts repeat the same statement for every full chunk of rows).
            let statement = try db.cachedStatement(sql: sql)
            try statement.setArguments(Self.arguments(args))
            try statement.execute()
        }
    }

    func rows(_ sql: String, _ args: [SQLValue], kinds: [SQLKind]) async throws -> [[SQLValue]] {
        try sync { db in
            // A cursor steps the statement; each column is read straight from it (no copy of every
            // row first, and not through the generic decoding of `row[i]`, a third of a no-op
            // sync's store reading).
            let statement = try db.makeStatement(sql: sql)
            try statement.setArguments(Self.arguments(args))
            let cursor = try Row.fetchCursor(statement)
            let sqlite = statement.sqliteStatement
            var out: [[SQLValue]] = []
            while try cursor.next() != nil {
                out.append(kinds.indices.map { i -> SQLValue in
                    switch DatabaseValue(sqliteStatement: sqlite, index: CInt(i)).storage {
                    case .null, .blob: return .null
                    case .int64(let n):
                        switch kinds[i] { case .text: return .text(String(n)); case .number: return .number(Double(n)); case .int: return .int(Int(n)) }
                    case .double(let d):
                        switch kinds[i] { case .text: return .text(String(d)); case .number: return .number(d); case .int: return SQLValue.int(d).map(SQLValue.int) ?? .null }
                    case .string(let s):
                        switch kinds[i] {
                        case .text: return .text(s)
                        case .number: return Double(s).map(SQLValue.number) ?? .null
                        case .int: return Int(s).map(SQLValue.int) ?? .null
                        }
                    }
                })
            }
            return out
        }
    }

    func begin() async throws {
        try sync { db in try db.execute(sql: "BEGIN IMMEDIATE") }
    }

    func commit() async throws {
        try sync { db in try db.execute(sql: "COMMIT") }
    }

    func rollback() async {
        try? sync { db in if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") } }
    }
}
