import Foundation
import Testing
import XLSX

/// The process killed (SIGKILL) in the middle of `recalc --in-place` and `sync`: the workbook is
/// the original byte for byte or the new one complete, the store fully before or fully after, and
/// the next run finishes the job and leaves no stray files.
///
/// A kill point is "just before the n-th call of one system call": strace's fault injection
/// (`--inject=write:signal=SIGKILL:when=n`) stops the process exactly there, so the points are
/// repeatable, unlike a timer. The points are every call that writes, flushes, renames, truncates
/// or deletes, and every k-th open and close, from one uninterrupted run's counts.
@Suite struct CrashSafetyTests {
    static let syscalls = ["write", "pwrite64", "fsync", "fdatasync", "rename", "renameat", "renameat2",
                           "unlink", "unlinkat", "ftruncate", "openat", "close"]
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/marketing-plan-seed.xlsx").path

    static func strace() throws -> String {
        try #require(Binary.which("strace"), "the crash-safety test needs strace (apt-get install strace; make test installs it)")
    }

    /// How many times an uninterrupted run calls each traced system call.
    static func counts(_ arguments: [String], in dir: String) throws -> [String: Int] {
        let table = dir + "/strace-counts.txt"
        defer { unlink(table) }
        let r = try Binary.spawn(try strace(), ["-f", "-c", "-o", table, "-e", "trace=" + syscalls.joined(separator: ","), Binary.path] + arguments)
        #expect(r.status == 0, "uninterrupted run: \(r.stderr)")
        var counts: [String: Int] = [:]
        for line in try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count >= 5, let name = f.last, syscalls.contains(String(name)), let calls = Int(f[3]) { counts[String(name)] = calls }
        }
        #expect(!counts.isEmpty, "strace counted no calls: is ptrace allowed here?")
        return counts
    }

    /// Every call that changes a file, and every `step`-th open and close.
    static func killPoints(_ counts: [String: Int], step: Int) -> [(String, Int)] {
        counts.sorted { $0.key < $1.key }.flatMap { name, n in
            let every = name == "openat" || name == "close" ? step : 1
            return stride(from: 1, through: n, by: every).map { (name, $0) }
        }
    }

    /// Runs the command killed before the `n`-th call of `syscall`; true when it was killed there.
    static func killed(_ arguments: [String], at point: (String, Int)) throws -> Bool {
        let r = try Binary.spawn(try strace(), ["-f", "-qq", "-o", "/dev/null", "-e", "trace=\(point.0)",
                                                "-e", "inject=\(point.0):signal=SIGKILL:when=\(point.1)", Binary.path] + arguments)
        return r.status == 128 + 9
    }

    /// What a workbook says: every cell's value and formula on every sheet, in order, with its
    /// folder and times blanked (the binding records the store's path and the time of the sync).
    /// Throws when the file cannot be read (a half-written file would).
    static func contents(_ path: String) throws -> String {
        let book = try Workbook(path: path)
        var out = ""
        for sheet in book.sheets where sheet.kind == .worksheet {
            out += "[\(sheet.name) \(sheet.visibility)]\n"
            _ = try book.readSheet(sheet) { row in
                for c in row.cells { out += "\(CellReference(row: row.index, column: c.column)) \(c.value) \(c.formula ?? "")\n" }
            }
        }
        let folder = (path as NSString).deletingLastPathComponent
        return timestamps(out.replacingOccurrences(of: folder, with: "<folder>"))
    }

    static func timestamps(_ text: String) -> String {
        let time = try! NSRegularExpression(pattern: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#)
        return time.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "<time>")
    }

    /// The store's tables, rows sorted, with times blanked (they differ between runs).
    static func dump(_ db: String) throws -> String {
        let script = """
        import re, sqlite3, sys
        con = sqlite3.connect(sys.argv[1])
        for (t,) in con.execute("select name from sqlite_master where type='table' order by name"):
            rows = sorted(repr(r) for r in con.execute(f'select * from "{t}"'))
            print(t, len(rows))
            for r in rows: print(re.sub(r"\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:?\\d\\d)?", "<time>", r))
        """
        let r = try Binary.spawn("python3", ["-c", script, db])
        guard r.status == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "store dump failed: \(r.stderr)"]) }
        return r.stdout.replacingOccurrences(of: (db as NSString).deletingLastPathComponent, with: "<folder>")
    }

    static func folder(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func files(in dir: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
    }

    @Test func recalcInPlaceKilledAnywhere() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        let ref = try Self.folder("recalc-ref")
        defer { try? FileManager.default.removeItem(atPath: ref) }
        try original.write(to: URL(fileURLWithPath: ref + "/plan.xlsx"))
        let args = { (dir: String) in ["recalc", dir + "/plan.xlsx", "--in-place", "--as-of", "2025-06-09"] }
        let points = Self.killPoints(try Self.counts(args(ref), in: ref), step: 4)
        let after = try Self.contents(ref + "/plan.xlsx"), unchanged = try Self.contents(Self.sample)
        #expect(after != unchanged, "recalc changed nothing to check against")

        var killed = 0, before = 0, complete = 0
        for (i, point) in points.enumerated() {
            let dir = try Self.folder("recalc")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let plan = dir + "/plan.xlsx"
            try original.write(to: URL(fileURLWithPath: plan))
            guard try Self.killed(args(dir), at: point) else { continue }
            killed += 1
            let now = try Data(contentsOf: URL(fileURLWithPath: plan))
            if now == original { before += 1 } else {
                #expect((try? Self.contents(plan)) == after, "killed at \(point): the workbook is neither the original nor the complete new one")
                complete += 1
            }
            // Every third point: the next run finishes the job and clears what the killed one left.
            if i % 3 == 0 {
                let again = try Binary.run(args(dir))
                #expect(again.status == 0, "after a kill at \(point): \(again.stderr)")
                #expect(try Self.contents(plan) == after)
                #expect(Self.files(in: dir) == ["plan.xlsx"], "left behind after a kill at \(point): \(Self.files(in: dir))")
            }
        }
        #expect(killed >= 80, "only \(killed) of \(points.count) kill points were reached")
        #expect(before > 0 && complete > 0, "the kill points must fall both before and after the file is replaced (\(before) / \(complete))")
        print("recalc --in-place: killed at \(killed) points: \(before) left the original, \(complete) the complete new file")
    }

    /// The points are split in two halves (even and odd), run at once on two cores.
    @Test(arguments: [0, 1])
    func syncKilledAnywhere(half: Int) throws {
        // A workbook synced once, then edited: the sync under test writes the store (the edit, its
        // log) and the workbook (derived cells, the binding's versions).
        let setup = try Self.folder("sync-setup")
        defer { try? FileManager.default.removeItem(atPath: setup) }
        try FileManager.default.copyItem(atPath: Self.sample, toPath: setup + "/plan.xlsx")
        let first = try Binary.run(["sync", setup + "/plan.xlsx", "--as-of", "2025-06-09"])
        #expect(first.status == 0, "\(first.stderr)")
        let editor = try WorkbookEditor(path: setup + "/plan.xlsx")
        try editor.setCell("J4", inSheet: "主跟踪表", value: .number(45000))
        try editor.save(to: setup + "/plan.xlsx")
        #expect(Self.files(in: setup) == ["plan.xlsx", "tracksheet.db"], "the store is one file once a sync ends: \(Self.files(in: setup))")
        let workbook0 = try Data(contentsOf: URL(fileURLWithPath: setup + "/plan.xlsx"))
        let store0 = try Data(contentsOf: URL(fileURLWithPath: setup + "/tracksheet.db"))
        let dumpBefore = try Self.dump(setup + "/tracksheet.db")
        func stage(_ dir: String) throws {
            try workbook0.write(to: URL(fileURLWithPath: dir + "/plan.xlsx"))
            try store0.write(to: URL(fileURLWithPath: dir + "/tracksheet.db"))
        }
        let args = { (dir: String) in ["sync", dir + "/plan.xlsx", "--as-of", "2025-06-09", "--lang", "en"] }

        let ref = try Self.folder("sync-ref")
        defer { try? FileManager.default.removeItem(atPath: ref) }
        try stage(ref)
        let all = Self.killPoints(try Self.counts(args(ref), in: ref), step: 16)
        let points = all.enumerated().filter { $0.offset % 2 == half }.map(\.element)
        let workbookAfter = try Self.contents(ref + "/plan.xlsx"), dumpAfter = try Self.dump(ref + "/tracksheet.db")
        let workbookBefore = try Self.contents(setup + "/plan.xlsx")
        #expect(dumpAfter != dumpBefore && workbookAfter != workbookBefore, "the sync under test must change both sides")

        var killed = 0
        var outcomes: [String: Int] = [:]
        for (i, point) in points.enumerated() {
            let dir = try Self.folder("sync")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try stage(dir)
            guard try Self.killed(args(dir), at: point) else { continue }
            killed += 1
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/plan.xlsx"))
            let workbookDone: Bool
            if bytes == workbook0 { workbookDone = false } else {
                #expect((try? Self.contents(dir + "/plan.xlsx")) == workbookAfter, "killed at \(point): the workbook is neither the original nor the complete new one")
                workbookDone = true
            }
            let dump = try Self.dump(dir + "/tracksheet.db")
            #expect(dump == dumpBefore || dump == dumpAfter, "killed at \(point): the store is neither before nor after the sync:\n\(dump)")
            let storeDone = dump == dumpAfter
            // The workbook is replaced only once the store has committed.
            #expect(!workbookDone || storeDone, "killed at \(point): the workbook was replaced but the store did not commit")
            outcomes["workbook \(workbookDone ? "after" : "before"), store \(storeDone ? "after" : "before")", default: 0] += 1
            if i % 4 == 0 {
                let again = try Binary.run(args(dir))
                #expect(again.status == 0, "after a kill at \(point): \(again.stderr)")
                #expect(try Self.contents(dir + "/plan.xlsx") == workbookAfter, "after a kill at \(point), the next sync did not finish the job")
                #expect(try Self.dump(dir + "/tracksheet.db") == dumpAfter, "after a kill at \(point), the next sync left another store")
                #expect(Self.files(in: dir) == ["plan.xlsx", "tracksheet.db"], "left behind after a kill at \(point): \(Self.files(in: dir))")
            }
        }
        #expect(killed >= 60, "only \(killed) of \(points.count) kill points were reached")
        #expect(outcomes.count >= 2, "the kill points must span the sync: \(outcomes)")
        print("sync (half \(half + 1) of 2): killed at \(killed) points: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))")
    }
}
