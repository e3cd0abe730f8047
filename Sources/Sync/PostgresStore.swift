import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A team's store on a PostgreSQL server (`postgres://user:password@host:port/database`).
/// A sync locks its campaign's row (`SELECT … FOR UPDATE`), so two syncs of one campaign run
/// one after the other and neither loses the other's changes.
public final class PostgresStore: CampaignStore, @unchecked Sendable {
    public let location: String
    let configuration: PostgresConnection.Configuration
    var connection: PostgresConnection?
    let logger = Logger(label: "tracksheet.postgres")

    public init(url: String) throws {
        location = StoreLocation.redact(url)
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty else {
            throw StoreError("\(location) is not a PostgreSQL address such as postgres://user:password@localhost:5432/tracksheet",
                             "\(location) 不是有效的 PostgreSQL 地址(例如 postgres://user:password@localhost:5432/tracksheet)")
        }
        // A port that is not 1–65535 (or not a number) is refused, not replaced by 5432.
        let authority = url.components(separatedBy: "://").dropFirst().first?.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? authority
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            let text = hostPort[hostPort.index(after: colon)...]
            guard let port = Int(text), (1...65_535).contains(port) else {
                throw StoreError("\(location) names the port \(text.prefix(20)), which is not a port (1–65535)",
                                 "\(location) 中的端口 \(text.prefix(20)) 无效(应为 1–65535)")
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
            connection = c
            return c
        } catch {
            throw StoreError("cannot reach the PostgreSQL store \(location): \(Self.message(error))",
                             "无法连接 PostgreSQL 存储库 \(location):\(Self.message(error))")
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

    public func migrate() async throws { try await wrap { try await self.core().migrate() } }

    public func read(campaign: String, history: [String: Int]) async throws -> StoreSnapshot {
        try await wrap {
            let core = try await self.core()
            return try await core.snapshot(try await core.campaign(named: campaign, lock: false), history: history)
        }
    }

    public func transaction<T: Sendable>(campaign: CampaignSpec, history: [String: Int], prefetched: StoreSnapshot?, context: SyncContext,
                                         decide: @Sendable (StoreSnapshot) throws -> (StoreChanges, T),
                                         beforeCommit: @Sendable (T) throws -> Void) async throws -> T {
        try await wrap {
            try await self.core().transaction(campaign: campaign, history: history, prefetched: prefetched, context: context,
                                              decide: decide, beforeCommit: beforeCommit)
        }
    }

    public func campaigns() async throws -> [CampaignRecord] { try await wrap { try await self.core().campaigns() } }
    public func changeLog(campaign: String) async throws -> [LoggedChange] { try await wrap { try await self.core().changeLog(campaign: campaign) } }

    public func close() async throws {
        if let connection { try? await connection.close() }
        connection = nil
    }

    /// Server errors become messages a user can act on; the password is never in them.
    func wrap<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as StoreError { throw e } catch let e as PSQLError {
            throw StoreError("the PostgreSQL store \(location) refused: \(Self.message(e))", "PostgreSQL 存储库 \(location) 拒绝了操作:\(Self.message(e))")
        }
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

    func execute(_ sql: String, _ args: [SQLValue]) async throws {
        try await connection.query(query(sql, args), logger: logger).collect()
    }

    func rows(_ sql: String, _ args: [SQLValue], kinds: [SQLKind]) async throws -> [[SQLValue]] {
        var out: [[SQLValue]] = []
        for try await row in try await connection.query(query(sql, args), logger: logger) {
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

    func transaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await execute("BEGIN", [])
        do {
            let result = try await body()
            try await execute("COMMIT", [])
            return result
        } catch {
            try? await execute("ROLLBACK", [])
            throw error
        }
    }
}
