import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL connection lost in the middle of a sync: the sync's backend is terminated while
/// its transaction waits for the campaign's row (another session holds it, deterministically), as
/// a server restart or an administrator would. The sync ends within its bound with one
/// `tracksheet:` line and exit 2, and neither side changed: the workbook's bytes are as they were
/// and the store took none of its edit.
@Suite struct PostgresLossTests {
    static let url = ProcessInfo.processInfo.environment["TRACKSHEET_TEST_POSTGRES"]

    /// Runs SQL through psql; `background`: returns at once with the process running.
    @discardableResult
    static func psql(_ url: String, _ sql: String, application: String, background: Bool = false) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["PGAPPNAME=\(application)", "psql", url, "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        if !background { p.waitUntilExit() }
        return p
    }

    /// One answer from psql, through `Binary.spawn` (posix_spawn and wait4 on that child): Foundation's
    /// Process waited for on a second thread could hang while the other suites spawn their own.
    static func psqlValue(_ url: String, _ sql: String) throws -> String {
        try Binary.spawn("psql", [url, "-qAtX", "-c", sql], timeout: 30).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aTerminatedBackendEndsTheSyncInOneLine() throws {
        let url = try #require(Self.url, "TRACKSHEET_TEST_POSTGRES is not set: run `make test`, which starts PostgreSQL (.ci/postgres.sh)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-loss-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = "\(dir)/plan.xlsx", campaign = "断线测试 \(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: ValidateCLITests.seed, toPath: plan)
        let first = try Binary.run(["sync", plan, "--store", url, "--campaign", campaign, "--as-of", "2025-06-09"], timeout: 300)
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        // An edit the interrupted sync would push.
        let edit = try Binary.spawn("python3", ["-c", "import openpyxl; wb = openpyxl.load_workbook('\(plan)'); wb['主跟踪表']['J4'] = 45678; wb.save('\(plan)')"])
        try #require(edit.status == 0, "\(edit.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: plan))

        // Another session holds the campaign's row for up to 60 s.
        let name = campaign.replacingOccurrences(of: "'", with: "''")
        // Its backend is found by its application name: matching on the query's text also finds
        // this test's own finished psql sessions, whose last query names the holder's.
        let application = "tracksheet-holder-\(UUID().uuidString.prefix(8))"
        let holder = try Self.psql(url, "BEGIN; SELECT id FROM campaigns WHERE name = '\(name)' FOR UPDATE; SELECT pg_sleep(60); COMMIT;", application: application, background: true)
        defer { if holder.isRunning { holder.terminate() } }
        // Once the sync's backend waits for that row — blocked by this holder, not by another
        // test's sync (they run at the same time) — it is terminated.
        let holderPID = "(SELECT pid FROM pg_stat_activity WHERE application_name = '\(application)' LIMIT 1)"
        let killer = Thread {
            for _ in 0..<600 {
                let pid = (try? Self.psqlValue(url, "SELECT pid FROM pg_stat_activity WHERE \(holderPID) = ANY(pg_blocking_pids(pid)) LIMIT 1")) ?? ""
                if !pid.isEmpty, Int(pid) != nil {
                    _ = try? Self.psqlValue(url, "SELECT pg_terminate_backend(\(pid))")
                    return
                }
                usleep(100_000)
            }
        }
        killer.start()
        let cut = try Binary.run(["sync", plan, "--store", url, "--as-of", "2025-06-09", "--lang", "en"], timeout: 120)
        // The holder's session ends too (its client alone would leave the server sleeping on the
        // lock), and is gone before the next sync, which would otherwise wait for the row.
        var holderLeft = "1"
        for _ in 0..<100 where holderLeft != "0" {
            _ = try? Self.psqlValue(url, "SELECT pg_terminate_backend(\(holderPID))")
            holderLeft = (try? Self.psqlValue(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(application)'")) ?? "?"
            if holderLeft != "0" { usleep(100_000) }
        }
        holder.terminate()
        #expect(holderLeft == "0", "the holding session is still there")
        print("sync after its backend was terminated: exit \(cut.status) in \(cut.seconds) s: \(cut.stderr)")
        #expect(cut.status == 2, "exit \(cut.status): \(cut.stdout)\(cut.stderr)")
        #expect(cut.seconds < 60, "the sync took \(cut.seconds) s to notice")
        let lines = cut.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("tracksheet: "), "\(cut.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: plan)) == before, "the workbook changed")
        let spend = try Self.psqlValue(url, "SELECT count(*) FROM master_tasks t JOIN campaigns c ON c.id = t.campaign_id WHERE c.name = '\(name)' AND t.spend = 45678")
        #expect(spend == "0", "the store took the interrupted sync's edit")
        // And the next sync goes through.
        let again = try Binary.run(["sync", plan, "--store", url, "--as-of", "2025-06-09"], timeout: 300)
        let sessions = again.status == 0 ? "" : (try? Self.psqlValue(url, "SELECT string_agg(pid || ' ' || coalesce(application_name, '') || ' ' || coalesce(state, '') || ' ' || left(query, 80), E'\\n') FROM pg_stat_activity WHERE datname = current_database()")) ?? ""
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)\nsessions then:\n\(sessions)")
    }
}
