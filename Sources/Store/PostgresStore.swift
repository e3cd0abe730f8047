import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A team's store on a PostgreSQL server (`postgres://user:password@host:port/database`).
/// A sync locks its campaign's row (`SELECT … FOR UPDATE`), so two syncs of one campaign run
/// one after the other and neither loses the other's changes.
/// @unchecked Sendable: the configuration is constant and the open connection is read and
/// written only under `lock` (postgres-nio's connection is itself Sendable).
public final class PostgresStore: CampaignStore, @unchecked Sendable {
    public let location: String
    let configuration: PostgresConnection.Configuration
    private let lock = NSLock()
    private var opened: PostgresConnection?
    /// The connection once opened (one per store; the first to open it wins should two race).
    var connection: PostgresConnection? {
        get { lock.withLock { opened } }
        set { lock.withLock { opened = newValue } }
    }
    let logger = Logger(label: "tracksheet.postgres")

    public init(url: String) throws {
        location = StoreLocation.redact(url)
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty else {
            throw StoreError(.postgresAddress, ["location": "\(location)"])
        }
        // A port that is not 1–65535 (or not a number) is refused, not replaced by 5432.
        let authority = url.components(separatedBy: "://").dropFirst().first?.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? authority
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            let text = hostPort[hostPort.index(after: colon)...]
            guard let port = Int(text), (1...65_535).contains(port) else {
                throw StoreError(.postgresPort, ["location": "\(location)", "port": "\(text.prefix(20))"])
            }
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        let tls: PostgresConnection.Configuration.TLS
        switch query["sslmode"] {
        case "require", "verify-full", "verify-ca":
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default:
            tls = .disable
        }
        configuration = PostgresConnection.Configuration(host: host, port: c.port ?? 5432, username: c.user ?? "postgres",
                                                         password: c.password, database: database.isEmpty ? nil : database, tls: tls)
    }

    func connect() async throws -> PostgresConnection {
        if let connection { return connection }
        do {
            let c = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            let winner = lock.withLock { () -> PostgresConnection in
                if let o = opened { return o }
                opened = c
                return c
            }
            if winner !== c { try? await c.close() }
            return winner
        } catch {
            throw StoreError(.postgresUnreachable, ["location": "\(location)", "why": "\(Self.message(error))"], unreachable: true)
        }
    }

    static func message(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let m = e.serverInfo?[.message] { return m }
            return "\(e.code)"
        }
        if let e = error as? PostgresTransactionError { return e.closureError.map(message) ?? "\(e)" }
        return "\(error)"
    }

    func core() async throws -> SQLStoreCore {
        SQLStoreCore(db: PGConnection(connection: try await connect(), logger: logger))
    }

    /// How long one statement may go unanswered before the command ends with a store error
    /// (60 s; a test process whose thread pool other tests keep busy sets it higher).
    public static var statementSeconds: Double {
        get { PGConnection.statementSeconds }
        set { PGConnection.statementSeconds = newValue }
    }

    public func migrate() async throws { try await wrap { try await self.core().migrate() } }

    public func read(campaign: String, history: [String: Int]) async throws -> StoreSnapshot {
        try await wrap {
            let core = try await self.core()
            return try await core.snapshot(try await core.campaign(named: campaign, lock: false), history: history)
        }
    }

    public func begin(campaign: CampaignSpec, history: [String: Int], prefetched: StoreSnapshot?, context: SyncContext) async throws -> any StoreTransaction {
        let location = location
        return try await wrap {
            try await self.core().begin(campaign: campaign, history: history, prefetched: prefetched, context: context,
                                        describe: { Self.describe($0, location: location) })
        }
    }

    public func campaigns() async throws -> [CampaignRecord] { try await wrap { try await self.core().campaigns() } }
    public func rowVersionsDigest(campaignID: String, tables: [String]) async throws -> String {
        try await wrap { try await self.core().rowVersionsDigest(campaignID: campaignID, tables: tables) }
    }
    public func changeLog(campaign: String) async throws -> [LoggedChange] { try await wrap { try await self.core().changeLog(campaign: campaign) } }

    public func close() async throws {
        if let connection { try? await PGConnection.answered(within: PGConnection.statementSeconds / 4) { try await connection.close() } }
        connection = nil
    }

    /// Server errors become messages a user can act on; the password is never in them.
    func wrap<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw Self.describe(error, location: location) }
    }

    static func describe(_ error: any Error, location: String) -> any Error {
        guard let e = error as? PSQLError else { return error }
        return StoreError(.postgresRefused, ["location": "\(location)", "why": "\(message(e))"])
    }
}

struct PGConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ args: [SQLValue]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: args.count)
        for a in args {
            switch a {
            case .text(let s): binds.append(s)
            case .number(let d): binds.append(d)
            case .int(let i): binds.append(i)
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// How long one statement may go unanswered. A server that stops answering (its backend
    /// terminated while a sync's transaction is open, the server stopped) otherwise leaves the
    /// query waiting forever; a lock another sync holds is waited for this long.
    /// (A test process, whose cooperative pool other tests keep busy, sets it higher: a bound
    /// that fires while the answer waits for a thread would be a false alarm.)
    nonisolated(unsafe) static var statementSeconds: Double = 60

    func execute(_ sql: String, _ args: [SQLValue]) async throws {
        let q = query(sql, args)
        try await Self.answered(within: Self.statementSeconds) { [connection, logger] in
            _ = try await connection.query(q, logger: logger).collect()
        }
    }

    func rows(_ sql: String, _ args: [SQLValue], kinds: [SQLKind]) async throws -> [[SQLValue]] {
        let q = query(sql, args)
        return try await Self.answered(within: Self.statementSeconds) { [connection, logger] in
            try await Self.collect(connection: connection, q, logger: logger, kinds: kinds)
        }
    }

    /// `body`'s result, or a store error once `seconds` pass without one (the stuck query is
    /// cancelled and left behind: the command ends with the error).
    static func answered<T: Sendable>(within seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, any Error>) in
            let work = Task {
                do { let v = try await body(); if once.claim() { done.resume(returning: v) } } catch { if once.claim() { done.resume(throwing: error) } }
            }
            // The clock is Dispatch's, not a task: it fires even when every thread of the
            // cooperative pool is busy.
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                guard once.claim() else { return }
                work.cancel()
                done.resume(throwing: StoreError(.postgresSilent, ["seconds": "\(Int(seconds))"], unreachable: true))
            }
        }
    }

    /// Claimed once: the first of a result and a timeout wins.
    final class Once: @unchecked Sendable {
        // @unchecked: `taken` is only touched under `lock`.
        private let lock = NSLock()
        private var taken = false
        func claim() -> Bool { lock.lock(); defer { lock.unlock() }; if taken { return false }; taken = true; return true }
    }

    static func collect(connection: PostgresConnection, _ q: PostgresQuery, logger: Logger, kinds: [SQLKind]) async throws -> [[SQLValue]] {
        var out: [[SQLValue]] = []
        for try await row in try await connection.query(q, logger: logger) {
            let cells = row.makeRandomAccess()
            out.append(try kinds.indices.map { i in
                switch kinds[i] {
                case .text: return try cells[i].decode(String?.self).map(SQLValue.text) ?? .null
                case .number: return try cells[i].decode(Double?.self).map(SQLValue.number) ?? .null
                case .int: return try cells[i].decode(Int?.self).map(SQLValue.int) ?? .null
                }
            })
        }
        return out
    }

    func begin() async throws {
        try await execute("BEGIN", [])
    }

    func commit() async throws {
        try await execute("COMMIT", [])
    }

    func rollback() async {
        // A lost connection has nothing to roll back (the server does it): a quarter of the
        // bound at most; unanswered, the connection is closed, so the server ends the
        // transaction and its locks.
        let q = query("ROLLBACK", [])
        do {
            try await Self.answered(within: Self.statementSeconds / 4) { [connection, logger] in _ = try await connection.query(q, logger: logger).collect() }
        } catch {
            let c = connection
            Task { try? await c.close() }
        }
    }
}
