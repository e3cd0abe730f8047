import Foundation
import Testing
import XLSX

/// `tracksheet validate` and `tracksheet recalc` as a user runs them: exit codes, the JSON of
/// SPEC §5, annotated copies, folders, -o and --in-place.
@Suite struct ValidateCLITests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples").path
    static let seed = "\(samples)/marketing-plan-seed.xlsx", errors = "\(samples)/with-errors/marketing-plan-errors.xlsx"

    static func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)-\(name)").path
    }

    @Test func exitCodes() throws {
        let clean = try Binary.run(["validate", Self.seed, "--as-of", "2025-06-09"])
        #expect(clean.status == 0 && clean.stdout.contains("0 个错误"), "\(clean.stdout)\(clean.stderr)")
        let bad = try Binary.run(["validate", Self.errors, "--as-of", "2025-06-09", "--lang", "en"])
        #expect(bad.status == 1 && bad.stdout.contains("8 error(s), 1 warning(s)"), "\(bad.stdout)")
        #expect(bad.stdout.contains("F4") && bad.stdout.contains("Planned end 2025-05-02 is before Planned start 2025-05-03"))
        let unreadable = try Binary.run(["validate", "\(Binary.corpus)/hostile/not-a-zip.xlsx"])
        #expect(unreadable.status == 2 && unreadable.stderr.contains("not a valid .xlsx"))
        let foreign = try Binary.run(["validate", "\(Binary.corpus)/hostile/valid-minimal.xlsx"])
        #expect(foreign.status == 2 && foreign.stderr.contains("no sheet matches a tracksheet template"))
        let badDate = try Binary.run(["validate", Self.seed, "--as-of", "next week"])
        #expect(badDate.status == 2)
    }

    @Test func jsonIsTheSpecsShape() throws {
        let r = try Binary.run(["validate", Self.errors, Self.seed, "--format", "json", "--as-of", "2025-06-09"])
        #expect(r.status == 1)
        let top = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(Array(top.keys) == ["files"])
        let files = try #require(top["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == [Self.errors, Self.seed])
        #expect(files.allSatisfy { $0["template"] as? String == "marketing-plan" })
        let diags = try #require(files[0]["diagnostics"] as? [[String: Any]])
        #expect(diags.count == 10)
        for d in diags {
            #expect(Set(d.keys) == ["rule", "severity", "sheet", "cell", "value", "message"])
            #expect(["error", "warning", "info"].contains(d["severity"] as? String))
        }
        let e4 = try #require(diags.first { $0["cell"] as? String == "E4" })
        #expect(e4["rule"] as? String == "metric.mismatch" && e4["sheet"] as? String == "效果分析表" && (e4["value"] as? Double) == 9)
        // Chinese by default for a Chinese workbook.
        #expect((e4["message"] as? String)?.contains("不符") == true)
    }

    @Test func annotatedCopy() throws {
        let out = Self.temp("annotated.xlsx")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let before = try Data(contentsOf: URL(fileURLWithPath: Self.errors))
        let r = try Binary.run(["validate", Self.errors, "--annotate", out, "--as-of", "2025-06-09"])
        #expect(r.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.errors)) == before, "the input is never modified")
        let book = try Workbook(path: out)
        #expect(book.sheets.map(\.name) == ["主跟踪表", "阶段执行明细表", "效果分析表", "校验结果"])
        let master = try #require(book.sheet(named: "主跟踪表"))
        let notes = try book.comments(of: master)
        #expect(Set(notes.map(\.cell.description)) == ["A3", "F4", "J5", "H7", "D8", "E8"])
        #expect(notes.first { $0.cell.description == "F4" }?.text.contains("[date.order]") == true)
        // Errors red, warnings amber: the flagged cells got new formats with those fills.
        var styles: [String: Int] = [:]
        try book.readSheet(master) { row in for c in row.cells { styles["\(CellReference.columnName(c.column))\(row.index)"] = c.styleIndex } }
        #expect(styles["F4"] != styles["F3"] && styles["J5"] != styles["F4"], "\(styles)")
        // The results sheet: one row per problem, each linked to its cell.
        let results = try #require(book.sheet(named: "校验结果"))
        var rows: [Row] = []
        let meta = try book.readSheet(results) { rows.append($0) }
        #expect(rows.count == 11)
        #expect(meta.hyperlinks.count == 10 && meta.hyperlinks.contains { $0.location == "'效果分析表'!E4" })
        // Everything the user had is still there.
        let original = try Workbook(path: Self.errors)
        for sheet in original.sheets {
            var a: [String: CellValue] = [:], b: [String: CellValue] = [:]
            try original.readSheet(sheet) { row in for c in row.cells { a["\(c.column):\(row.index)"] = c.value } }
            try book.readSheet(book.sheet(named: sheet.name)!) { row in for c in row.cells { b["\(c.column):\(row.index)"] = c.value } }
            #expect(a == b, "\(sheet.name) values changed")
        }
    }

    @Test func aFolderOfWorkbooks() throws {
        let dir = Self.temp("folder"), annotated = Self.temp("annotated")
        try FileManager.default.createDirectory(atPath: "\(dir)/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: annotated) }
        try FileManager.default.copyItem(atPath: Self.seed, toPath: "\(dir)/a.xlsx")
        try FileManager.default.copyItem(atPath: Self.errors, toPath: "\(dir)/sub/b.xlsx")
        try Data("lock".utf8).write(to: URL(fileURLWithPath: "\(dir)/~$a.xlsx"))
        let r = try Binary.run(["validate", dir, "--format", "json", "--annotate", annotated, "--as-of", "2025-06-09"])
        #expect(r.status == 1, "\(r.stderr)")
        let files = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])
        #expect(files.compactMap { $0["path"] as? String } == ["\(dir)/a.xlsx", "\(dir)/sub/b.xlsx"], "Excel's ~$ lock files are skipped")
        #expect(FileManager.default.fileExists(atPath: "\(annotated)/a-校验.xlsx") && FileManager.default.fileExists(atPath: "\(annotated)/b-校验.xlsx"))
    }

    @Test func recalcWritesOrRefuses() throws {
        let copy = Self.temp("plan.xlsx"), out = Self.temp("out.xlsx")
        defer { try? FileManager.default.removeItem(atPath: copy); try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.copyItem(atPath: Self.seed, toPath: copy)
        let neither = try Binary.run(["recalc", copy])
        #expect(neither.status == 2 && neither.stderr.contains("--in-place"))
        let r = try Binary.run(["recalc", copy, "-o", out, "--as-of", "2025-06-09"])
        #expect(r.status == 0 && r.stdout.contains("汇总") && r.stdout.contains(out), "\(r.stdout)\(r.stderr)")
        #expect(try Workbook(path: out).sheets.map(\.name).suffix(3) == ["汇总", "数据看板", "甘特图"])
        // inspect reads them as tracksheet's own, not as master plans (the Gantt's headers are the plan's).
        let seen = try Binary.run(["inspect", out])
        #expect(seen.status == 0 && seen.stdout.contains("甘特图 — 工作表") && !seen.stdout.contains("“甘特图”对应") && !seen.stdout.contains("“数据看板”对应"), "\(seen.stdout)")
        // --no-dashboard: the summary only.
        let bare = try Binary.run(["recalc", copy, "-o", out, "--as-of", "2025-06-09", "--no-dashboard"])
        #expect(bare.status == 0 && !bare.stdout.contains("数据看板"), "\(bare.stdout)\(bare.stderr)")
        #expect(try Workbook(path: out).sheets.map(\.name).last == "汇总")
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let inPlace = try Binary.run(["recalc", copy, "--in-place", "--as-of", "2025-06-09", "--lang", "en"])
        #expect(inPlace.status == 0 && inPlace.stdout.contains("Recalculated"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) != before)
        let again = try Binary.run(["recalc", copy, "--in-place", "--as-of", "2025-06-09", "--lang", "en"])
        #expect(again.status == 0 && again.stdout.contains("already up to date"), "\(again.stdout)")
        // A file that cannot be read: exit 2, the input untouched.
        let hostile = Self.temp("bad.xlsx")
        defer { try? FileManager.default.removeItem(atPath: hostile) }
        try FileManager.default.copyItem(atPath: "\(Binary.corpus)/hostile/truncated.xlsx", toPath: hostile)
        let hostileBefore = try Data(contentsOf: URL(fileURLWithPath: hostile))
        let refused = try Binary.run(["recalc", hostile, "--in-place"])
        let hostileAfter = try Data(contentsOf: URL(fileURLWithPath: hostile))
        #expect(refused.status == 2 && hostileAfter == hostileBefore)
    }
}
