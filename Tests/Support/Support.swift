import Foundation
import Store
import Testing

// What the store and sync tests share: the stores they run against, the package's paths, a
// scratch folder, Python for the edits and reads other tools make, and reading a store back.

/// The stores every conformance test runs against. PostgreSQL's URL comes from `make test`
/// (`.ci/postgres.sh` starts a server); without it the PostgreSQL tests fail, never skip.
public enum Stores {
    public static let postgresURL = ProcessInfo.processInfo.environment["TRACKSHEET_TEST_POSTGRES"]

    public enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        public var testDescription: String { rawValue }
    }

    /// A location for one test: a fresh SQLite file, or the shared PostgreSQL database (each
    /// test uses its own campaign names there).
    public static func location(_ kind: Kind, dir: String) throws -> StoreLocation {
        switch kind {
        case .sqlite: return .sqlite(path: "\(dir)/store.db")
        case .postgres:
            // Tests share the cooperative pool with blocking ones: the statement bound is for a
            // server that stops answering, not for a test that waits for a thread.
            PostgresStore.statementSeconds = 600
            guard let url = postgresURL else {
                throw SetupError("TRACKSHEET_TEST_POSTGRES is not set: run `make test`, which starts PostgreSQL (.ci/postgres.sh)")
            }
            return .postgres(url: url)
        }
    }
}

/// Paths of the package, the samples and a scratch folder per test.
public enum Paths {
    public static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    public static let seed = "\(package)/samples/marketing-plan-seed.xlsx"
    public static let withErrors = "\(package)/samples/with-errors/marketing-plan-errors.xlsx"

    public static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "tracksheet-sync-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Python 3 run with `code` (openpyxl, sqlite3): its standard output; a failure throws with its error output.
public enum Python {
    @discardableResult
    public static func run(_ code: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw SetupError("python failed: \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A Python string literal of `s`.
    public static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
}

public func storeRows(_ location: StoreLocation, _ campaign: String, _ table: String) async throws -> [StoreRow] {
    let store = try await location.open()
    defer { Task { try? await store.close() } }
    let snap = try await store.read(campaign: campaign, history: [:])
    return (snap.rows[table] ?? [:]).values.sorted { $0.position < $1.position }
}

public func changeLog(_ location: StoreLocation, _ campaign: String) async throws -> [LoggedChange] {
    let store = try await location.open()
    defer { Task { try? await store.close() } }
    return try await store.changeLog(campaign: campaign)
}

public func uniqueCampaign() -> String { "test-\(UUID().uuidString.prefix(10))" }


/// What keeps a test from running (no PostgreSQL, python failing): said as it is, in English.
public struct SetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
