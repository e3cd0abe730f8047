import Foundation
import Templates
import XLSX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A campaign as the store keeps it.
public struct CampaignRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var template: String
    public var start: CalendarDate?
    public var end: CalendarDate?
    public var version: Int
}

/// One row of a store table.
public struct StoreRow: Sendable, Equatable {
    public var id: String
    public var version: Int
    public var position: Int
    public var values: RowValues

    public init(id: String, version: Int, position: Int, values: RowValues) {
        self.id = id; self.version = version; self.position = position; self.values = values
    }
}

/// A campaign's rows as read in a transaction, and the earlier versions a workbook's last sync saw.
public struct StoreSnapshot: Sendable {
    public var campaign: CampaignRecord?
    /// Table name → row id → row.
    public var rows: [String: [String: StoreRow]] = [:]
    /// Row id → the values of the version asked for in `history` (rows changed or deleted since).
    public var base: [String: RowValues] = [:]

    public init(campaign: CampaignRecord? = nil) { self.campaign = campaign }
}

/// One cell's change, for the change log.
public struct LoggedChange: Sendable, Equatable {
    public enum Action: String, Sendable { case insert, update, delete }
    public var table: String
    public var rowID: String
    public var action: Action
    public var column: String?
    /// Where in the workbook: the cell an update came from, the row an insert did.
    public var place: Place?
    public var old: StoreValue?
    /// For an insert in a plan: nil, and the inserted row's values are written (as JSON) when the
    /// log is; read back from a store, that JSON.
    public var new: StoreValue?

    public init(table: String, rowID: String, action: Action, column: String? = nil, place: Place? = nil, old: StoreValue? = nil, new: StoreValue? = nil) {
        self.table = table; self.rowID = rowID; self.action = action; self.column = column; self.place = place; self.old = old; self.new = new
    }

    /// A cell (`主跟踪表!J5`) or a whole row (`主跟踪表!5`) of a sheet; stored as that text.
    public struct Place: Sendable, Equatable, CustomStringConvertible {
        public var sheet: String
        public var row: Int
        /// The column; nil for the whole row.
        public var column: Int?

        public init(sheet: String, cell: CellReference) { self.sheet = sheet; row = cell.row; column = cell.column }
        public init(sheet: String, row: Int) { self.sheet = sheet; self.row = row }

        /// The text as stored: after the last `!` (a sheet name may hold one), a cell or a row number.
        public init?(_ text: String) {
            guard let bang = text.lastIndex(of: "!") else { return nil }
            let sheet = String(text[..<bang]), at = text[text.index(after: bang)...]
            if let cell = CellReference(at) { self.init(sheet: sheet, cell: cell) }
            else if let row = Int(at), row > 0 { self.init(sheet: sheet, row: row) }
            else { return nil }
        }

        public var cell: CellReference? { column.map { CellReference(row: row, column: $0) } }
        public var description: String { "\(sheet)!\(cell?.description ?? String(row))" }
    }
}

/// What a sync writes to the store, all in one transaction.
public struct StoreChanges: Sendable {
    public struct Update: Sendable {
        public var table: String
        public var id: String
        /// The version read; the update fails if the row moved on (it cannot, under the campaign lock).
        public var fromVersion: Int
        public var values: RowValues
        public var position: Int

        public init(table: String, id: String, fromVersion: Int, values: RowValues, position: Int) {
            self.table = table; self.id = id; self.fromVersion = fromVersion; self.values = values; self.position = position
        }
    }
    public var inserts: [(table: String, row: StoreRow)] = []
    public var updates: [Update] = []
    public var deletes: [(table: String, id: String, fromVersion: Int)] = []
    /// Rows only moved in the workbook: their order is kept, not a new version.
    public var moves: [(table: String, id: String, position: Int)] = []
    public var log: [LoggedChange] = []

    public var isEmpty: Bool { inserts.isEmpty && updates.isEmpty && deletes.isEmpty && moves.isEmpty }
    public init() {}
}

/// Who and what a sync records in the change log.
public struct SyncContext: Sendable {
    public var who: String
    public var workbook: String
    public var at: String

    public init(who: String, workbook: String, at: Date = Date()) {
        self.who = who
        self.workbook = workbook
        self.at = Self.timestamp(at)
    }

    /// `2026-11-21T22:20:13.392Z`, as the store and the binding sheet record times.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// `$TRACKSHEET_USER`, else the login name.
    public static var currentUser: String {
        let env = ProcessInfo.processInfo.environment
        if let name = env["TRACKSHEET_USER"] ?? env["USER"] ?? env["LOGNAME"], !name.isEmpty { return name }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "unknown"
    }
}

/// The campaign a sync is for, created on its first sync.
public struct CampaignSpec: Sendable {
    public var name: String
    public var template: String
    public var start: CalendarDate?
    public var end: CalendarDate?
    public init(name: String, template: String, start: CalendarDate?, end: CalendarDate?) {
        self.name = name; self.template = template; self.start = start; self.end = end
    }
}

/// The canonical store: SQLite (embedded) or PostgreSQL (a team's server). Both pass the same
/// conformance tests.
public protocol CampaignStore: AnyObject, Sendable {
    /// Where it is, without a password.
    var location: String { get }
    /// Brings the schema up to date (idempotent; safe when two processes start at once).
    func migrate() async throws
    /// A campaign's rows, read without locking; `history` asks for earlier versions by row id.
    /// The campaign's record is read before its rows: a transaction that takes them in place of
    /// its own reading relies on that (a version read is never newer than the rows read after it).
    func read(campaign: String, history: [String: Int]) async throws -> StoreSnapshot
    /// Opens a sync's transaction: locks the campaign (creating it when new) and reads it.
    /// Nothing it does is kept until `commit`; whoever begins one commits or rolls it back.
    /// `prefetched`, a `read` made before the lock (with no history), stands in for reading the
    /// campaign's rows again when the campaign's version is still the one it saw (every change to
    /// the rows raises it, in the same transaction).
    func begin(campaign: CampaignSpec, history: [String: Int], prefetched: StoreSnapshot?, context: SyncContext) async throws -> any StoreTransaction
    /// Every campaign, by name.
    func campaigns() async throws -> [CampaignRecord]
    /// `RowVersions.digest` of the campaign's rows in `tables` (their ids and versions): what a
    /// sync's stamp compares, so that a row changed by any means that raises its version is seen.
    func rowVersionsDigest(campaignID: String, tables: [String]) async throws -> String
    /// The change log of a campaign, oldest first.
    func changeLog(campaign: String) async throws -> [LoggedChange]
    func close() async throws
}

/// A sync's transaction with the store, begun by `CampaignStore.begin`: the campaign locked and
/// read; changes applied and kept only by `commit`. `rollback` after a failure (also of `commit`).
public protocol StoreTransaction: AnyObject, Sendable {
    /// The campaign and its rows as the transaction read them (with the asked-for earlier versions).
    var snapshot: StoreSnapshot { get }
    /// Writes the changes with their versions and change log (kept at `commit`).
    func apply(_ changes: StoreChanges) async throws
    func commit() async throws
    /// Undoes everything since `begin`; never throws (a lost connection has nothing to undo).
    func rollback() async
}

extension CampaignStore {
    /// One transaction from begin to commit, for a caller with nothing else to do in between:
    /// `decide` computes the changes from what was read, `beforeCommit` runs once they are applied.
    public func transaction<T: Sendable>(campaign: CampaignSpec, history: [String: Int], prefetched: StoreSnapshot? = nil, context: SyncContext,
                                         decide: (StoreSnapshot) throws -> (StoreChanges, T),
                                         beforeCommit: (T) throws -> Void) async throws -> T {
        let tx = try await begin(campaign: campaign, history: history, prefetched: prefetched, context: context)
        do {
            let (changes, result) = try decide(tx.snapshot)
            try await tx.apply(changes)
            try beforeCommit(result)
            try await tx.commit()
            return result
        } catch {
            await tx.rollback()
            throw error
        }
    }
}

/// A store that could not be opened, read or written, or a sync that stopped: a message of the
/// store's catalogs (or of the layer above that throws it), said in either language.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let said: any Said
    /// Whether the workbook the error is about has Chinese headers; nil: the store's own error.
    public var workbookIsChinese: Bool?
    /// The store could not be reached or stopped answering (a server down, a network cut): asking
    /// again at once would only wait as long again.
    public var unreachable = false

    public init(_ said: any Said, workbookIsChinese: Bool? = nil, unreachable: Bool = false) {
        self.said = said; self.workbookIsChinese = workbookIsChinese; self.unreachable = unreachable
    }

    init(_ key: StoreMessageKey, _ values: [String: StoreMessage.Value] = [:], unreachable: Bool = false) {
        self.init(StoreMessage(key, values), unreachable: unreachable)
    }

    public var english: String { said.text(.en) }
    public var chinese: String { said.text(.zh) }
    public var description: String { english }
}

/// A digest of rows' ids and versions by table: the same for the rows a sync leaves in the store
/// (its manifest) and for those the store holds later, unless one was added, deleted or had its
/// version raised — by tracksheet or by hand.
public enum RowVersions {
    /// The rows' count and the wrapping sum of each row's own hash (FNV-1a of table, id and
    /// version): the same whatever order the rows come in, so nothing is sorted.
    public static func digest(_ rows: [(table: String, id: String, version: Int)]) -> String {
        var sum: UInt64 = 0
        for r in rows { sum &+= hash(table: r.table, id: r.id, version: r.version) }
        return "\(rows.count)-" + String(sum, radix: 16)
    }

    static func hash(table: String, id: String, version: Int) -> UInt64 {
        var h = FNV1a()
        h.add(field: table); h.add(field: id); h.add(UInt64(bitPattern: Int64(version)))
        return h.value
    }
}

/// Where the store is: `--store`, else `$TRACKSHEET_STORE`, else `tracksheet.db` beside the workbook.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public static func resolve(_ option: String?, workbook: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        let given = option ?? environment["TRACKSHEET_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let given else {
            let dir = (workbook as NSString).deletingLastPathComponent
            return .sqlite(path: dir.isEmpty ? "tracksheet.db" : "\(dir)/tracksheet.db")
        }
        if given.hasPrefix("postgres://") || given.hasPrefix("postgresql://") { return .postgres(url: given) }
        if given.hasPrefix("sqlite:") { return .sqlite(path: String(given.dropFirst(7))) }
        return .sqlite(path: given)
    }

    /// A SQLite store whose file is not there yet (only a sync that writes creates it).
    public var isAbsentFile: Bool {
        guard case .sqlite(let path) = self else { return false }
        var st = stat()
        return lstat(path, &st) != 0
    }

    /// For messages and the workbook: the password of a URL is never shown.
    public var redacted: String {
        switch self {
        case .sqlite(let p): return "sqlite:\(p)"
        case .postgres(let url): return Self.redact(url)
        }
    }

    static func redact(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "postgres://…" }
        if c.password != nil { c.password = "***" }
        return c.string?.replacingOccurrences(of: "%2A%2A%2A", with: "***") ?? "postgres://…"
    }

    /// Opens the store and brings its schema up to date (`migrating`; a reader that can do without
    /// a store it finds out of date leaves it, and takes no write lock).
    public func open(migrating: Bool = true) async throws -> any CampaignStore {
        let store: any CampaignStore
        switch self {
        case .sqlite(let path): store = try SQLiteStore(path: path)
        case .postgres(let url): store = try PostgresStore(url: url)
        }
        guard migrating else { return store }
        do { try await store.migrate() } catch {
            try? await store.close()
            throw error
        }
        return store
    }

    /// Runs `body` with the store open and closes it before returning, also when `body` throws:
    /// SQLite folds its write-ahead log back into the file on close, so `tracksheet.db` alone
    /// holds everything once the command ends (a copied or mailed store file loses nothing).
    public func withOpened<T>(migrating: Bool = true, _ body: (any CampaignStore) async throws -> T) async throws -> T {
        let store = try await open(migrating: migrating)
        do {
            let result = try await body(store)
            try? await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

/// Row ids: 16 characters of base 32 (80 random bits), lower case, never starting with a digit
/// or a sign, so no spreadsheet reads one as a number or a formula.
public enum RowID {
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")

    static let alphabetBytes = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)

    /// 16 characters: a letter (of 24), then 15 of the 32 (5 bits each, 75 bits in all). Two
    /// draws from the system's generator per id: one per character was a system call each, and a
    /// first sync of 100,000 rows made 1.6 million of them.
    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        var bits = (g.next() as UInt64, g.next() as UInt64)
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes[0] = alphabetBytes[Int(bits.0 % 24)]
        bits.0 /= 24
        for i in 1..<16 {
            // 59 bits left of the first word after the letter: 11 characters from it, 4 from the second.
            if i <= 11 { bytes[i] = alphabetBytes[Int(bits.0 & 31)]; bits.0 >>= 5 } else { bytes[i] = alphabetBytes[Int(bits.1 & 31)]; bits.1 >>= 5 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Byte by byte: this runs on every row of every synced sheet and of the manifest.
    public static func isValid(_ s: String) -> Bool {
        var s = s
        return s.withUTF8(isValid)
    }

    static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 16, allowed[Int(b[0])] == 1 else { return false }
        return b.allSatisfy { allowed[Int($0)] != 0 }
    }

    /// 1: a letter of the alphabet, 2: a digit of it, 0: neither (by byte).
    private static let allowed: [UInt8] = (0..<256).map { b in
        guard let u = Unicode.Scalar(b).map(Character.init), alphabet.contains(u) else { return 0 }
        return u.isLetter ? 1 : 2
    }
}
