import Foundation
import Testing

/// Workbooks as teams make them (Fixtures/real-world/make.py: openpyxl, XlsxWriter, LibreOffice;
/// synonyms, two-row headers, units, totals and notes, several campaigns, English, Excel times),
/// each with its planted problems in manifest.json. Run through the binary as a user would.
@Suite struct RealWorldTests {
    struct Expected: Decodable {
        struct Sheet: Decodable {
            var templateSheet: String
            var headerRow: Int
            var columns: [String: String]
        }
        var template: String
        var asOf: String
        /// The campaign a first sync binds it to: its title's, else its file name.
        var campaign: String
        var sheets: [String: Sheet]
        /// Every error and warning validate must report: (rule, sheet, cell); nothing else.
        var problems: [[String?]]
        /// Infos that must be among what it reports.
        var infos: [[String?]]
        /// Store table → rows (found by their task, platform or metric) and the values they must hold.
        var store: [String: [[String: JSONScalar]]]
        /// `sheet!cell` → the value a derived cell holds after recalc (by the workbook's own definitions).
        var afterRecalc: [String: Double]
        /// `sheet!cell` → a formula of the team's that recalc and sync leave as it is.
        var keptFormulas: [String: String]
    }

    enum JSONScalar: Decodable, Equatable, CustomStringConvertible {
        case number(Double), text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Double.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
        }
        var description: String { switch self { case .number(let n): "\(n)"; case .text(let s): s } }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/real-world")
    static let manifest: [String: Expected] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    /// The ECMA-376 schema check beside the checkout (`../shared/tools`; needs xmllint).
    static let validator = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/tools/ooxml-validate").path

    func path(_ name: String) -> String { Self.folder.appendingPathComponent(name + ".xlsx").path }

    /// A folder of the test's own, removed by the caller's `defer`.
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracksheet-realworld-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `tracksheet sync PATH --store STORE` on the fixtures' day; its exit code.
    func sync(_ path: String, _ store: String) throws -> Int32 {
        try Binary.run(["sync", path, "--store", store, "--as-of", "2025-06-09"]).status
    }

    /// Runs a Python script (openpyxl, as another tool would edit the file) with `arguments`; it must succeed.
    @discardableResult
    func python(_ script: String, _ arguments: String...) throws -> String {
        let r = try Binary.spawn("python3", ["-c", script] + arguments)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: manifest.keys.sorted())
    func validateReportsThePlantedProblemsAndNothingElse(name: String) throws {
        let want = try #require(Self.manifest[name])
        let r = try Binary.run(["validate", path(name), "--format", "json", "--as-of", want.asOf])
        let doc = try json(r.stdout)
        let file = try #require((doc["files"] as? [[String: Any]])?.first, "\(name): \(r.stderr)")
        #expect(file["template"] as? String == want.template, "\(name)")
        let diagnostics = file["diagnostics"] as? [[String: Any]] ?? []
        func key(_ d: [String: Any]) -> [String?] { [d["rule"] as? String, d["sheet"] as? String, d["cell"] as? String] }
        let found = diagnostics.filter { $0["severity"] as? String != "info" }.map(key)
        let sort = { (a: [String?], b: [String?]) in a.map { $0 ?? "" }.lexicographicallyPrecedes(b.map { $0 ?? "" }) }
        #expect(found.sorted(by: sort) == want.problems.sorted(by: sort),
                "\(name): \(diagnostics.map { "\($0["rule"] ?? "") \($0["cell"] ?? "") \($0["message"] ?? "")" })")
        let infos = diagnostics.filter { $0["severity"] as? String == "info" }.map(key)
        for i in want.infos { #expect(infos.contains(i), "\(name): info \(i) not reported") }
        let errors = diagnostics.contains { $0["severity"] as? String == "error" }
        #expect(r.status == (errors ? 1 : 0), "\(name): exit \(r.status)")
    }

    @Test(arguments: manifest.keys.sorted())
    func inspectMapsEveryColumn(name: String) throws {
        let want = try #require(Self.manifest[name])
        let r = try Binary.run(["inspect", path(name), "--format", "json"])
        #expect(r.status == 0, "\(name): \(r.stderr)")
        let templates = try json(r.stdout)["templates"] as? [[String: Any]] ?? []
        for (sheet, expected) in want.sheets {
            let m = try #require(templates.first { $0["sheet"] as? String == sheet }, "\(name): \(sheet) not mapped")
            #expect(m["template"] as? String == want.template, "\(name) \(sheet)")
            #expect(m["templateSheet"] as? String == expected.templateSheet, "\(name) \(sheet)")
            #expect(m["headerRow"] as? Int == expected.headerRow, "\(name) \(sheet)")
            #expect(m["columns"] as? [String: String] == expected.columns, "\(name) \(sheet): \(m["columns"] ?? "")")
        }
    }

    /// `sync` into a new SQLite store keeps every value in its column and in 元, whatever unit
    /// the header names; a second sync changes nothing in the store.
    @Test(arguments: manifest.filter { !$0.value.store.isEmpty }.keys.sorted())
    func syncStoresEveryValueInItsColumnAndUnit(name: String) throws {
        let want = try #require(Self.manifest[name])
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = dir.appendingPathComponent(name + ".xlsx").path, store = dir.appendingPathComponent("t.db").path
        try FileManager.default.copyItem(atPath: path(name), toPath: book)
        let first = try Binary.run(["sync", book, "--store", store, "--as-of", want.asOf])
        #expect(first.status == 0 || first.status == 1, "\(name): \(first.stderr)")
        let campaigns = try Binary.spawn("python3", ["-c", "import sqlite3, sys; print('|'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT name FROM campaigns')))", store])
        #expect(campaigns.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == want.campaign, "\(name): bound to \(campaigns.stdout)")
        for (table, rows) in want.store {
            for expected in rows {
                // The row is found by its first field; every field named must hold its value.
                let (keyField, keyValue) = expected.first { ["task", "platform", "metric", "channel"].contains($0.key) }.map { ($0.key, $0.value) }
                    ?? expected.first!
                let columns = expected.keys.sorted()
                let sql = "SELECT \(columns.map(Self.snake).joined(separator: ", ")) FROM \(table) WHERE \(Self.snake(keyField)) = ?"
                let q = try Binary.spawn("python3", ["-c", """
                    import json, sqlite3, sys
                    rows = sqlite3.connect(sys.argv[1]).execute(sys.argv[2], (sys.argv[3],)).fetchall()
                    print(json.dumps(rows))
                    """, store, sql, keyValue.description])
                let got = try #require(try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [[Any]], "\(name): \(q.stderr)")
                #expect(got.count >= 1, "\(name): no row with \(keyField) = \(keyValue) in \(table)")
                guard let row = got.first else { continue }
                for (i, c) in columns.enumerated() {
                    switch expected[c]! {
                    case .number(let n): #expect((row[i] as? Double).map { abs($0 - n) < 1e-6 } == true, "\(name) \(table).\(c): \(row[i]) ≠ \(n)")
                    case .text(let s): #expect(row[i] as? String == s, "\(name) \(table).\(c): \(row[i]) ≠ \(s)")
                    }
                }
            }
        }
        try checkCells(book, want, name: name + " after sync")
        let again = try Binary.run(["sync", book, "--store", store, "--as-of", want.asOf, "--dry-run"])
        #expect(again.stdout.contains("无变化") || again.stdout.contains("no change") || again.stdout.contains("unchanged"), "\(name): \(again.stdout)")
    }

    /// recalc writes only what is derived, in the workbook's own terms: what validate found stays
    /// found (but the derived cells recalc corrects), percent-formatted ratios hold fractions, and a
    /// second recalc changes nothing.
    @Test(arguments: manifest.keys.sorted())
    func recalcKeepsWhatIsNotDerivedAndASecondRunChangesNothing(name: String) throws {
        let want = try #require(Self.manifest[name])
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(name + ".xlsx").path
        let first = try Binary.run(["recalc", path(name), "-o", out, "--as-of", want.asOf])
        guard FileManager.default.fileExists(atPath: out) else {
            // Nothing derived to write (or a workbook recalc cannot take): the input is left alone.
            #expect(first.status != 0 || first.stdout.contains("未做修改") || first.stdout.contains("nothing"), "\(name): \(first.stdout) \(first.stderr)")
            return
        }
        let derivedRules: Set<String> = ["metric.mismatch", "kpi.status", "metric.roiDefinition"]
        let r = try Binary.run(["validate", out, "--format", "json", "--as-of", want.asOf])
        let diagnostics = (try json(r.stdout)["files"] as? [[String: Any]])?.first?["diagnostics"] as? [[String: Any]] ?? []
        let found = Set(diagnostics.filter { $0["severity"] as? String != "info" }.map { "\($0["rule"] as? String ?? "") \($0["sheet"] as? String ?? "") \($0["cell"] as? String ?? "")" })
        let expected = Set(want.problems.filter { !derivedRules.contains($0[0] ?? "") }.map { "\($0[0] ?? "") \($0[1] ?? "") \($0[2] ?? "")" })
        #expect(found == expected, "\(name): after recalc \(found.sorted())")
        try checkCells(out, want, name: name)
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        let second = try Binary.run(["recalc", out, "--in-place", "--as-of", want.asOf])
        #expect(second.status == 0, "\(name): \(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == before, "\(name): a second recalc changed the workbook")
    }

    /// The derived values and the team's own formulas the manifest names, as openpyxl reads them.
    func checkCells(_ path: String, _ want: Expected, name: String) throws {
        guard !want.afterRecalc.isEmpty || !want.keptFormulas.isEmpty else { return }
        let cells = Array(Set(want.afterRecalc.keys).union(want.keptFormulas.keys)).sorted()
        let read = try Binary.spawn("python3", ["-c", """
            import json, openpyxl, sys
            values = openpyxl.load_workbook(sys.argv[1], data_only=True)
            formulas = openpyxl.load_workbook(sys.argv[1])
            out = {}
            for ref in sys.argv[2:]:
                sheet, cell = ref.split("!")
                out[ref] = [values[sheet][cell].value, formulas[sheet][cell].value]
            print(json.dumps(out, ensure_ascii=False))
            """, path] + cells)
        let got = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: [Any]], "\(name): \(read.stderr)")
        for (ref, value) in want.afterRecalc {
            #expect((got[ref]?[0] as? Double).map { abs($0 - value) < 1e-9 } == true, "\(name) \(ref): \(got[ref] ?? []) ≠ \(value)")
        }
        for (ref, formula) in want.keptFormulas {
            #expect(got[ref]?[1] as? String == formula, "\(name) \(ref): \(got[ref] ?? []) ≠ \(formula)")
        }
    }

    /// A workbook holding two campaigns (618主跟踪表 and 双11主跟踪表): each is bound to a campaign of its
    /// own (named by its title), keeps a sync record of its own, and an edit in one sheet reaches
    /// only its campaign; a second sync changes nothing.
    @Test func severalCampaignsInOneWorkbookEachSyncToTheirOwn() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = dir.appendingPathComponent("two.xlsx").path, store = dir.appendingPathComponent("t.db").path
        try FileManager.default.copyItem(atPath: path("05-two-campaigns"), toPath: book)
        let query = """
            import json, sqlite3, sys
            rows = sqlite3.connect(sys.argv[1]).execute(
                "SELECT c.name, t.task, t.budget FROM master_tasks t JOIN campaigns c ON c.id = t.campaign_id ORDER BY c.name, t.task").fetchall()
            print(json.dumps(rows, ensure_ascii=False))
            """
        let first = try Binary.run(["sync", book, "--store", store, "--as-of", "2025-06-09"])
        #expect(first.status == 1, "the 双11 sheet's invalid cells are not pushed: \(first.stdout) \(first.stderr)")
        let rows = try Binary.spawn("python3", ["-c", query, store]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rows == #"[["618大促", "货品规划", 20000.0], ["618大促", "预热投放", 50000.0], ["双11", "货品规划", 30000.0], ["双11", "预热投放", 60000.0]]"#, "\(rows)")
        // An edit in the 双11 sheet (openpyxl, as another tool would) reaches the 双11 campaign only.
        let edit = try Binary.spawn("python3", ["-c", "import openpyxl, sys; wb = openpyxl.load_workbook(sys.argv[1]); wb['双11主跟踪表']['F3'] = 35000; wb.save(sys.argv[1])", book])
        #expect(edit.status == 0, "\(edit.stderr)")
        let second = try Binary.run(["sync", book, "--store", store, "--as-of", "2025-06-09", "--format", "json"])
        let results = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [[String: Any]], "\(second.stdout)")
        #expect(results.map { $0["campaign"] as? String } == ["618大促", "双11"])
        #expect(results.map { $0["wroteStore"] as? Bool } == [false, true])
        let after = try Binary.spawn("python3", ["-c", query, store]).stdout
        #expect(after.contains(#"["双11", "货品规划", 35000.0]"#) && after.contains(#"["618大促", "货品规划", 20000.0]"#), "\(after)")
        let again = try Binary.run(["sync", book, "--store", store, "--as-of", "2025-06-09", "--format", "json"])
        let quiet = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [[String: Any]])
        #expect(quiet.allSatisfy { $0["wroteStore"] as? Bool == false && $0["wroteWorkbook"] as? Bool == false }, "\(again.stdout)")
        // --campaign cannot name two campaigns: refused, one line, exit 2.
        let named = try Binary.run(["sync", book, "--store", store, "--campaign", "x"])
        #expect(named.status == 2 && named.stderr.split(separator: "\n").count == 1, "\(named.stderr)")
    }

    /// The row identities sync adds lie inside the team's autofilter or Excel table, so a sort
    /// through it (its rows rewritten in a new order, as Excel's does) moves them with their rows:
    /// edits made in a sorted copy and in an unsorted one each reach their own task; a row another
    /// copy added joins the table.
    @Test(arguments: ["filter", "table"]) func identitySurvivesASortThroughTheFilter(_ kind: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.xlsx").path, b = dir.appendingPathComponent("b.xlsx").path, store = dir.appendingPathComponent("t.db").path
        try python("""
            import openpyxl, sys
            wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
            ws.append(["市场推广计划主跟踪表(推广周期:2025年5月1日-2025年6月30日)"])
            ws.append(["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"])
            for r in [["筹备期", "A任务", "甲", "2025-05-01", "2025-05-08", 10000, 9000, 100],
                      ["启动期", "B任务", "乙", "2025-05-10", "2025-05-20", 20000, 15000, 100],
                      ["爆发期", "C任务", "丙", "2025-06-01", "2025-06-20", 30000, 1000, 10]]:
                ws.append(r)
            if sys.argv[2] == "table":
                from openpyxl.worksheet.table import Table
                ws.add_table(Table(displayName="Tasks", ref="A2:H5"))
            else:
                ws.auto_filter.ref = "A2:H5"
            wb.save(sys.argv[1])
            """, a, kind)
        #expect(try sync(a, store) == 0)
        try FileManager.default.copyItem(atPath: a, toPath: b)
        // Copy b: sorted through its filter by task, descending, then C任务's spend edited; copy a: A任务's spend edited.
        let edit = try Binary.spawn("python3", ["-c", """
            import openpyxl, sys
            from openpyxl.utils import range_boundaries
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["主跟踪表"]
            ref = ws.tables["Tasks"].ref if ws.tables else ws.auto_filter.ref
            c1, r1, c2, r2 = range_boundaries(ref)
            rows = [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1 + 1, r2 + 1)]
            rows.sort(key=lambda r: r[1], reverse=True)
            for i, row in enumerate(rows):
                for j, v in enumerate(row): ws.cell(r1 + 1 + i, c1 + j).value = v
            for r in range(r1 + 1, r2 + 1):
                if ws.cell(r, 2).value == "C任务": ws.cell(r, 7).value = 25000
            wb.save(sys.argv[1])
            wb = openpyxl.load_workbook(sys.argv[2]); wb["主跟踪表"]["G3"] = 9500; wb.save(sys.argv[2])
            print(ref)
            """, b, a])
        #expect(edit.status == 0 && edit.stdout.hasPrefix("A2:I5"), "the \(kind) reaches the id column: \(edit.stdout) \(edit.stderr)")
        #expect(try sync(b, store) == 0)
        #expect(try sync(a, store) == 0)
        let rows = try Binary.spawn("python3", ["-c", "import sqlite3, sys; print(sorted(sqlite3.connect(sys.argv[1]).execute('SELECT task, spend FROM master_tasks')))", store])
        #expect(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[('A任务', 9500.0), ('B任务', 15000.0), ('C任务', 25000.0)]", "\(rows.stdout)")

        // A sort of the data columns alone (the ids left behind): refused, nothing written.
        let c = dir.appendingPathComponent("c.xlsx").path
        try FileManager.default.copyItem(atPath: a, toPath: c)
        try python("""
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["主跟踪表"]
            rows = [[ws.cell(r, col).value for col in range(1, 9)] for r in range(3, 6)]
            rows.sort(key=lambda r: r[1], reverse=True)
            for i, row in enumerate(rows):
                for j, v in enumerate(row): ws.cell(3 + i, 1 + j).value = v
            wb.save(sys.argv[1])
            """, c)
        let before = try Data(contentsOf: URL(fileURLWithPath: c))
        let refused = try Binary.run(["sync", c, "--store", store, "--as-of", "2025-06-09"])
        #expect(refused.status == 2 && refused.stderr.contains("sorted without their row identities"), "\(refused.stdout) \(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: c)) == before)
        let after = try Binary.spawn("python3", ["-c", "import sqlite3, sys; print(sorted(sqlite3.connect(sys.argv[1]).execute('SELECT task, spend FROM master_tasks')))", store])
        #expect(after.stdout == rows.stdout, "the store is unchanged")

        // A task added in copy a (typed below the data, the table grown over it as Excel grows it)
        // reaches copy b below its last row, inside its filter or table.
        try python("""
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["主跟踪表"]
            ws.append(["爆发期", "D任务", "丁", "2025-06-05", "2025-06-25", 5000, 100, 5])
            if ws.tables: ws.tables["Tasks"].ref = "A2:I6"
            else: ws.auto_filter.ref = "A2:I6"
            wb.save(sys.argv[1])
            """, a)
        #expect(try sync(a, store) == 0)
        #expect(try sync(b, store) == 0)
        let grown = try python("""
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["主跟踪表"]
            ref = ws.tables["Tasks"].ref if ws.tables else ws.auto_filter.ref
            names = [c.name for c in ws.tables["Tasks"].tableColumns] if ws.tables else []
            print(ref, ws["B6"].value, names[-1:] if ws.tables else ["tracksheet-id"])
            """, b)
        #expect(grown == "A2:I6 D任务 ['tracksheet-id']", "\(grown)")
        let check = try Binary.spawn(Self.validator, [b])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
    }

    /// Recalc and a first sync change nothing but derived cells, the hidden id column and sheets
    /// of their own: every other cell of every sheet keeps its value, formula and number format
    /// (unchanged.py compares them through openpyxl).
    @Test(arguments: manifest.keys.sorted())
    func nothingButDerivedCellsChange(name: String) throws {
        let want = try #require(Self.manifest[name])
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let recalced = dir.appendingPathComponent("r.xlsx").path, synced = dir.appendingPathComponent("s.xlsx").path
        _ = try Binary.run(["recalc", path(name), "-o", recalced, "--as-of", want.asOf])
        try FileManager.default.copyItem(atPath: path(name), toPath: synced)
        _ = try sync(synced, dir.appendingPathComponent("t.db").path)
        let sheets = try JSONSerialization.data(withJSONObject: want.sheets.mapValues { ["templateSheet": $0.templateSheet, "columns": $0.columns] })
        let template = Self.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates/\(want.template).json").path
        for out in [recalced, synced] where FileManager.default.fileExists(atPath: out) {
            let changed = try python(try String(contentsOf: Self.folder.appendingPathComponent("unchanged.py"), encoding: .utf8),
                                     path(name), out, template, String(decoding: sheets, as: UTF8.self))
            #expect(changed.isEmpty, "\(name) (\(out == recalced ? "recalc" : "sync")): \(changed)")
        }
    }

    /// A 合计 row's SUM (or SUBTOTAL of a sum) grown by a row another copy added (inserted above
    /// it by sync) keeps its formula and carries the value it now adds up to.
    @Test func aGrownTotalCarriesItsNewValue() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = dir.appendingPathComponent("g.xlsx").path, h = dir.appendingPathComponent("h.xlsx").path, store = dir.appendingPathComponent("t.db").path
        try python("""
            import openpyxl, sys
            wb = openpyxl.Workbook(); ws = wb.active; ws.title = "主跟踪表"
            ws.append(["推广阶段", "关键任务", "任务负责人", "计划开始时间", "计划结束时间", "预算金额(元)", "实际支出(元)", "执行进度(%)"])
            ws.append(["筹备期", "A任务", "甲", "2025-05-01", "2025-05-08", 10000, 9000, 100])
            ws.append(["启动期", "B任务", "乙", "2025-05-10", "2025-05-20", 20000, 15000, 100])
            ws.append(["合计", None, None, None, None, "=SUM(F2:F3)", "=SUBTOTAL(9,G2:G3)"])
            wb.save(sys.argv[1])
            """, g)
        #expect(try sync(g, store) == 0)
        try FileManager.default.copyItem(atPath: g, toPath: h)
        try python("""
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["主跟踪表"]
            ws.insert_rows(4)
            for c, v in enumerate(["爆发期", "C任务", "丙", "2025-06-01", "2025-06-20", 5000, 1000, 10], 1): ws.cell(4, c).value = v
            ws["F5"] = "=SUM(F2:F4)"; ws["G5"] = "=SUBTOTAL(9,G2:G4)"
            wb.save(sys.argv[1])
            """, h)
        #expect(try sync(h, store) == 0)
        #expect(try sync(g, store) == 0)
        let read = try Binary.spawn("python3", ["-c", """
            import openpyxl, sys
            v = openpyxl.load_workbook(sys.argv[1], data_only=True)["主跟踪表"]; f = openpyxl.load_workbook(sys.argv[1])["主跟踪表"]
            print(v["B4"].value, f["F5"].value, v["F5"].value, f["G5"].value, v["G5"].value)
            """, g])
        #expect(read.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "C任务 =SUM(F2:F4) 35000 =SUBTOTAL(9,G2:G4) 25000", "\(read.stdout) \(read.stderr)")

        // The same on an effect sheet, whose rows are read as the sheet is rewritten: the 合计's SUMs,
        // and the ratio computed from them, carry the values they now come to.
        let e = dir.appendingPathComponent("e.xlsx").path, f = dir.appendingPathComponent("f.xlsx").path, store2 = dir.appendingPathComponent("e.db").path
        try python("""
            import openpyxl, sys
            wb = openpyxl.Workbook(); ws = wb.active; ws.title = "效果分析表"
            ws.append(["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "成本(元)"])
            ws.append(["小红书", "笔记", 100000, 5000, 5.0, 10000])
            ws.append(["抖音", "短视频", 200000, 8000, 4.0, 20000])
            ws.append(["合计", None, "=SUM(C2:C3)", "=SUM(D2:D3)", None, "=SUBTOTAL(109,F2:F3)"])
            wb.save(sys.argv[1])
            """, e)
        #expect(try sync(e, store2) == 0)
        try FileManager.default.copyItem(atPath: e, toPath: f)
        try python("""
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["效果分析表"]
            ws.insert_rows(4)
            for c, v in enumerate(["微博", "话题", 100000, 3000, 3.0, 5000], 1): ws.cell(4, c).value = v
            ws["C5"] = "=SUM(C2:C4)"; ws["D5"] = "=SUM(D2:D4)"; ws["F5"] = "=SUBTOTAL(109,F2:F4)"
            wb.save(sys.argv[1])
            """, f)
        #expect(try sync(f, store2) == 0)
        #expect(try sync(e, store2) == 0)
        let totals = try Binary.spawn("python3", ["-c", """
            import openpyxl, sys
            v = openpyxl.load_workbook(sys.argv[1], data_only=True)["效果分析表"]; f = openpyxl.load_workbook(sys.argv[1])["效果分析表"]
            print(v["A4"].value, f["C5"].value, v["C5"].value, v["D5"].value, v["E5"].value, v["F5"].value)
            """, e])
        #expect(totals.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "微博 =SUM(C2:C4) 400000 16000 4 35000", "\(totals.stdout) \(totals.stderr)")
    }

    /// `--template` settles a sheet that fits two templates: it is then checked as that one.
    @Test func templateSettlesAnAmbiguousSheet() throws {
        let guessed = try Binary.run(["validate", path("21-ambiguous-template"), "--format", "json"])
        #expect(guessed.status == 1 && guessed.stdout.contains("template.ambiguous"))
        let chosen = try Binary.run(["validate", path("21-ambiguous-template"), "--format", "json", "--template", "marketing-plan", "--as-of", "2025-06-01"])
        #expect(!chosen.stdout.contains("template.ambiguous") && chosen.stdout.contains(#""template":"marketing-plan""#), "\(chosen.stdout)")
        let unknown = try Binary.run(["validate", path("21-ambiguous-template"), "--template", "no-such"])
        #expect(unknown.status == 2 && unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
    }

    /// Header rows thousands of cells wide (a crafted file, or data taken for headers): each row's
    /// first cells are read as headers and the rest left as they are, so reading stays bounded.
    @Test func wideHeaderRowsAreReadInBoundedTime() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = dir.appendingPathComponent("wide.xlsx").path
        try python("""
            import openpyxl, random, sys
            random.seed(1)
            wb = openpyxl.Workbook(write_only=True)
            for k in range(5):
                ws = wb.create_sheet(f"S{k}")
                for r in range(15):
                    ws.append(["关键任务", "负责人", "计划开始时间"] + ["".join(random.choice("推广计划预算任务时间阶段目标") for _ in range(5)) for _ in range(2000)])
            wb.save(sys.argv[1])
            """, book)
        for command in [["inspect", book], ["validate", book, "--format", "json"]] {
            let r = try Binary.run(command)
            #expect(r.status == 0 || r.status == 1, "\(command[0]): \(r.stderr)")
            #expect(r.cpuSeconds < 10 && r.peakMB < 300, "\(command[0]) took \(r.cpuSeconds) s of processor time, \(r.peakMB) MB")
        }
    }

    static func snake(_ key: String) -> String {
        var out = ""
        for c in key { if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) } }
        return out
    }
}
