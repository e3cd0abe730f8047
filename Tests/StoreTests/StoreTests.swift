import Foundation
import Testing
@testable import Store
import Templates
import TestSupport
import XLSX

@Suite("Store conformance (SQLite and PostgreSQL)")
struct StoreConformanceTests {
    /// A store of `kind` in a scratch folder, opened, and a campaign name no other test uses.
    static func opened(_ kind: Stores.Kind) async throws -> (location: StoreLocation, store: any CampaignStore, name: String) {
        let location = try Stores.location(kind, dir: try Paths.scratch())
        return (location, try await location.open(), uniqueCampaign())
    }

    @Test("migrations run once and are recorded; a second open changes nothing", arguments: Stores.Kind.allCases)
    func migrations(_ kind: Stores.Kind) async throws {
        let dir = try Paths.scratch()
        let location = try Stores.location(kind, dir: dir)
        let a = try await location.open()
        try await a.migrate()
        try await a.close()
        let b = try await location.open()
        #expect(try await b.campaigns().allSatisfy { !$0.name.isEmpty })
        try await b.close()
        if kind == .sqlite {
            // The typed tables a team queries, with their typed columns.
            let sql = try Python.run("""
            import sqlite3, json
            c = sqlite3.connect(\(Python.quote("\(dir)/store.db")))
            print(json.dumps([c.execute("select count(*) from schema_migrations").fetchone()[0],
                              [r[1] + ' ' + r[2] for r in c.execute("pragma table_info(master_tasks)")]]))
            """)
            #expect(sql.contains("[1, [\"id TEXT\""))
            #expect(sql.contains("\"budget REAL\""))
            #expect(sql.contains("\"planned_start TEXT\""))
            #expect(!sql.contains("achievement_rate"), "derived columns are recalculated, not stored")
        }
    }

    @Test("a transaction inserts, updates with a new version and logs; a stale version is refused and rolls back", arguments: Stores.Kind.allCases)
    func versions(_ kind: Stores.Kind) async throws {
        let (location, store, name) = try await Self.opened(kind)
        defer { Task { try? await store.close() } }
        let spec = CampaignSpec(name: name, template: "marketing-plan", start: CalendarDate("2025-05-01"), end: CalendarDate("2025-06-20"))
        let ctx = SyncContext(who: "tester", workbook: "plan.xlsx")
        let id = RowID.make()
        _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { _ in
            var c = StoreChanges()
            c.inserts.append(("master_tasks", StoreRow(id: id, version: 1, position: 0,
                                                       values: ["task": .text("=HYPERLINK(\"x\")"), "budget": .number(50_000), "plannedStart": .date(CalendarDate("2025-05-01")!)])))
            c.log.append(LoggedChange(table: "master_tasks", rowID: id, action: .insert, column: nil, place: nil, old: nil, new: nil))
            return (c, 0)
        }, beforeCommit: { _ in })
        var rows = try await storeRows(location, name, "master_tasks")
        #expect(rows.count == 1)
        #expect(rows[0].version == 1)
        #expect(rows[0].values["budget"] == .number(50_000))
        #expect(rows[0].values["plannedStart"] == .date(CalendarDate("2025-05-01")!))
        #expect(rows[0].values["task"] == .text("=HYPERLINK(\"x\")"), "text is kept as text, whatever it starts with")

        _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { snap in
            var c = StoreChanges()
            var v = snap.rows["master_tasks"]![id]!.values
            v["budget"] = .number(60_000)
            c.updates.append(.init(table: "master_tasks", id: id, fromVersion: 1, values: v, position: 0))
            c.log.append(LoggedChange(table: "master_tasks", rowID: id, action: .update, column: "budget", place: .init(sheet: "主跟踪表", cell: CellReference("I3")!),
                                      old: .number(50_000), new: .number(60_000)))
            return (c, 0)
        }, beforeCommit: { _ in })
        rows = try await storeRows(location, name, "master_tasks")
        #expect(rows[0].version == 2)
        #expect(rows[0].values["budget"] == .number(60_000))

        // The base of version 1 is still there for a workbook that last saw it.
        let snap = try await store.read(campaign: name, history: [id: 1])
        #expect(snap.base[id]?["budget"] == .number(50_000))

        // An update against version 1 again is refused; the transaction's other change is rolled back.
        await #expect(throws: StoreError.self) {
            _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { snap in
                var c = StoreChanges()
                c.inserts.append(("effect_rows", StoreRow(id: RowID.make(), version: 1, position: 0, values: ["channel": .text("x")])))
                c.updates.append(.init(table: "master_tasks", id: id, fromVersion: 1, values: [:], position: 0))
                return (c, 0)
            }, beforeCommit: { _ in })
        }
        #expect(try await storeRows(location, name, "effect_rows").isEmpty)
        let log = try await store.changeLog(campaign: name)
        #expect(log.map(\.action) == [.insert, .update])
        #expect(log[1].old == .number(50_000) && log[1].new == .number(60_000) && log[1].place?.description == "主跟踪表!I3")
    }
}

extension StoreConformanceTests {
    @Test("inserts of many chunks (the same statement run again, then a shorter one) keep every row, version and log entry",
          arguments: Stores.Kind.allCases)
    func manyChunks(_ kind: Stores.Kind) async throws {
        let (location, store, name) = try await Self.opened(kind)
        defer { Task { try? await store.close() } }
        let spec = CampaignSpec(name: name, template: "marketing-plan", start: CalendarDate("2025-05-01"), end: CalendarDate("2025-06-20"))
        let ctx = SyncContext(who: "tester", workbook: "plan.xlsx")
        // master_tasks rows are ~20 parameters: 30,000 parameters make a chunk of about 1,500 rows;
        // the log and versions go 2,000 at a time.
        let count = 4_321
        let rows = (0..<count).map { i in
            StoreRow(id: RowID.make(), version: 1, position: i,
                     values: ["task": .text("任务 \(i) \"quoted\"\n"), "budget": .number(Double(i) * 1.5), "plannedStart": .date(CalendarDate("2025-05-0\(1 + i % 9)")!)])
        }
        _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { _ in
            var c = StoreChanges()
            for r in rows {
                c.inserts.append(("master_tasks", r))
                c.log.append(LoggedChange(table: "master_tasks", rowID: r.id, action: .insert, column: nil, place: .init(sheet: "主跟踪表", row: r.position + 3), old: nil, new: nil))
            }
            return (c, 0)
        }, beforeCommit: { _ in })
        let stored = Dictionary(uniqueKeysWithValues: try await storeRows(location, name, "master_tasks").map { ($0.id, $0) })
        #expect(stored.count == count)
        for r in rows {
            #expect(stored[r.id]?.values == r.values && stored[r.id]?.position == r.position, "row \(r.position)")
        }
        // Every row moved on to version 2: the versions the first transaction kept are each row's base.
        _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { snap in
            var c = StoreChanges()
            for r in rows {
                var v = snap.rows["master_tasks"]![r.id]!.values
                v["budget"] = .number(-1)
                c.updates.append(.init(table: "master_tasks", id: r.id, fromVersion: 1, values: v, position: r.position))
            }
            return (c, 0)
        }, beforeCommit: { _ in })
        let snap = try await store.read(campaign: name, history: Dictionary(uniqueKeysWithValues: rows.map { ($0.id, 1) }))
        #expect(snap.base.count == count)
        #expect(rows.allSatisfy { snap.base[$0.id] == $0.values && snap.rows["master_tasks"]?[$0.id]?.version == 2 })
        let log = try await store.changeLog(campaign: name)
        #expect(log.count == count && Set(log.map(\.rowID)) == Set(rows.map(\.id)))
    }

    @Test("rows read before the lock stand in for the transaction's reading only while the campaign's version has not moved",
          arguments: Stores.Kind.allCases)
    func prefetched(_ kind: Stores.Kind) async throws {
        let (_, store, name) = try await Self.opened(kind)
        defer { Task { try? await store.close() } }
        let spec = CampaignSpec(name: name, template: "marketing-plan", start: nil, end: nil)
        let ctx = SyncContext(who: "tester", workbook: "plan.xlsx")
        let id = RowID.make()
        func insert(_ task: String) async throws {
            _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { _ in
                var c = StoreChanges()
                c.inserts.append(("master_tasks", StoreRow(id: RowID.make(), version: 1, position: 0, values: ["task": .text(task)])))
                return (c, 0)
            }, beforeCommit: { _ in })
        }
        _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { _ in
            var c = StoreChanges()
            c.inserts.append(("master_tasks", StoreRow(id: id, version: 1, position: 0, values: ["task": .text("first")])))
            return (c, 0)
        }, beforeCommit: { _ in })

        /// The tasks `decide` is shown when `prefetched` is offered, and the base it gets for `id`.
        func seen(_ prefetched: StoreSnapshot, history: [String: Int] = [:]) async throws -> (tasks: [String], base: RowValues?) {
            try await store.transaction(campaign: spec, history: history, prefetched: prefetched, context: ctx, decide: { snap in
                let tasks = (snap.rows["master_tasks"] ?? [:]).values.compactMap { $0.values["task"]?.description }.sorted()
                return (StoreChanges(), (tasks, snap.base[id]))
            }, beforeCommit: { _ in })
        }
        // Version 2 of the row, so that version 1 is a base a workbook may ask for.
        _ = try await store.transaction(campaign: spec, history: [:], context: ctx, decide: { snap in
            var c = StoreChanges()
            var v = snap.rows["master_tasks"]![id]!.values
            v["task"] = .text("first, edited")
            c.updates.append(.init(table: "master_tasks", id: id, fromVersion: 1, values: v, position: 0))
            return (c, 0)
        }, beforeCommit: { _ in })

        // Read before the lock, then marked: the transaction is shown the marked rows, so it took them.
        var early = try await store.read(campaign: name, history: [:])
        #expect(early.campaign != nil && early.base.isEmpty)
        early.rows["master_tasks"]?[id]?.values["task"] = .text("as prefetched")
        #expect(try await seen(early).tasks == ["as prefetched"])
        // The base of a workbook that saw version 1 is read in the transaction all the same.
        #expect(try await seen(early, history: [id: 1]) == (["as prefetched"], ["task": .text("first")]))
        #expect(try await seen(early, history: [id: 2]).base == nil, "the current version is no base to fetch")

        // Another sync changes the campaign in between: its version moves and the rows are read again.
        try await insert("second")
        #expect(try await seen(early).tasks == ["first, edited", "second"])
        // A snapshot of another campaign (or none) is never taken.
        early = try await store.read(campaign: name, history: [:])
        early.campaign?.id = "another"
        early.rows["master_tasks"]?[id]?.values["task"] = .text("as prefetched")
        #expect(try await seen(early).tasks == ["first, edited", "second"])
        #expect(try await seen(StoreSnapshot()).tasks == ["first, edited", "second"])
    }
}

@Suite("The store's messages")
struct StoreMessageTests {
    @Test func catalogsHaveEveryKeyInBothLanguages() { MessageCatalogs.check(StoreMessageKey.self) }

    @Test func anErrorSaysItsMessageInEitherLanguage() {
        let e = StoreError(.postgresPort, ["location": "postgres://h:99999/db", "port": "99999"])
        #expect(e.english == "postgres://h:99999/db names the port 99999, which is not a port (1–65535)")
        #expect(e.chinese == "postgres://h:99999/db 中的端口 99999 无效(应为 1–65535)")
    }
}

@Suite("The store's tables")
struct StoreSchemaTests {
    @Test("every table names a sheet of rows of a shipped template, each such sheet has one, and no two share a name")
    func everyTableHoldsOneTemplateSheet() throws {
        let templates = try Template.builtinIDs.map(Template.builtin)
        for (template, sheets) in StoreSchema.tableNames {
            let t = try #require(templates.first { $0.id == template }, "\(template): no such template")
            for sheet in sheets.keys { #expect(t.sheets.contains { $0.id == sheet }, "\(template).\(sheet): no such sheet") }
        }
        // Sheets of rows are synced; the overview's fields are not.
        let rowSheets = templates.flatMap { t in t.sheets.filter { $0.rows != "fields" }.map { "\(t.id).\($0.id)" } }
        #expect(Set(StoreSchema.builtin.map { "\($0.templateID).\($0.sheetID)" }) == Set(rowSheets))
        #expect(Set(StoreSchema.builtin.map(\.name)).count == StoreSchema.builtin.count)
        #expect(StoreSchema.table(template: "marketing-plan", sheet: "master")?.name == "master_tasks")
    }
}

@Suite("A row's values, kept by slot")
struct KeyedRowTests {
    let table = StoreSchema.table(named: "master_tasks")!

    @Test("a row filled by slot equals one written by key, in any order; a nil column is a missing one")
    func equality() throws {
        var bySlot = table.emptyRow()
        let budget = try #require(table.keys.slot("budget")), task = try #require(table.keys.slot("task"))
        bySlot[slot: budget] = .number(50_000)
        bySlot[slot: task] = .text("KOL名单筛选与签约")
        let byKey: RowValues = ["task": .text("KOL名单筛选与签约"), "budget": .number(50_000)]
        #expect(bySlot == byKey && byKey == bySlot)
        #expect(bySlot["budget"] == .number(50_000) && bySlot["owner"] == nil)
        #expect(bySlot.count == 2)
        #expect(Set(bySlot.map(\.key)) == ["task", "budget"])

        var other = bySlot
        other["owner"] = nil
        #expect(other == bySlot, "setting nil is no value")
        other[slot: budget] = .number(50_001)
        #expect(other != bySlot && other != byKey)
        other[slot: budget] = nil
        #expect(other != byKey && other.count == 1)
    }

    @Test("a key the table lacks is added to that row only; the table's keys stay as they are")
    func newKey() {
        var row = table.emptyRow()
        row["not a column"] = .text("x")
        #expect(row["not a column"] == .text("x"))
        #expect(table.keys.slot("not a column") == nil && table.emptyRow()["not a column"] == nil)
        #expect(row != table.emptyRow())
    }

    @Test("a version's JSON reads back into the table's slots")
    func json() throws {
        var row = table.emptyRow()
        row["budget"] = .number(1234.5)
        row["plannedStart"] = .date(try #require(CalendarDate("2025-05-01")))
        row["task"] = .text("=not a formula")
        let back = RowJSON.decode(RowJSON.encode(row), table: table)
        #expect(back == row)
        #expect(back.columns === table.keys, "decoded rows share the table's keys, so the planner compares them by slot")
        #expect(back[slot: try #require(table.keys.slot("budget"))] == .number(1234.5))
    }

    /// A row's JSON as `JSONValue` writes it: keys sorted, each value by its kind.
    static func throughJSONValue(_ values: RowValues) -> String {
        JSONValue.object(values.sorted { $0.key < $1.key }.map { k, v in
            switch v {
            case .text(let s): (k, .string(s))
            case .number(let n): (k, .number(n))
            case .date(let d): (k, .string(d.iso))
            }
        }).text
    }

    @Test("a version's JSON is the same text written directly as through JSONValue: keys in byte order, escapes, numbers")
    func jsonText() throws {
        let texts = ["", "plain", "引号\"和\\反斜杠", "line\nbreak\ttab\r", "\u{1}control\u{1f}", "emoji 😀 e\u{301}", "=SUM(A1)"]
        let numbers = [0, -0.5, 1e21, 1234.5, 0.1 + 0.2, -42, 3.0e-7]
        var rows = 0
        for (i, key) in table.keys.keys.enumerated() {
            var row = table.emptyRow()
            for (j, k) in table.keys.keys.enumerated() where (i + j) % 3 != 0 {
                switch (i + j) % 4 {
                case 0: row[k] = .number(numbers[(i * 7 + j) % numbers.count])
                case 1: row[k] = .date(try #require(CalendarDate("2025-0\(1 + j % 9)-1\(j % 10)")))
                default: row[k] = .text(texts[(i + j) % texts.count])
                }
            }
            row[key] = .text(texts[i % texts.count])
            #expect(RowJSON.encode(row) == Self.throughJSONValue(row), "\(row)")
            rows += 1
        }
        var extra = table.emptyRow()
        extra["zz not a column"] = .text("x")
        extra["aa not a column"] = .number(1)
        #expect(RowJSON.encode(extra) == Self.throughJSONValue(extra))
        #expect(RowJSON.encode(table.emptyRow()) == "{}")
        #expect(rows > 5)
    }
}

/// A PostgreSQL statement that is never answered (its backend terminated mid-transaction, the
/// server stopped) ends in a store error after its bound, instead of waiting forever.
@Suite struct StatementBoundTests {
    @Test func anUnansweredStatementFailsWithinItsBound() async throws {
        let start = Date()
        await #expect(throws: StoreError.self) {
            try await PGConnection.answered(within: 0.5) { () async throws -> Int in
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in } // never resumed: a query stuck on a dead socket
                return 1
            }
        }
        // At least the bound (the bound ended it); the upper figure is loose because the test
        // resumes on the cooperative pool, which the CLI tests' blocking runs can keep busy on two cores.
        let waited = Date().timeIntervalSince(start)
        #expect(waited >= 0.5 && waited < 300, "\(waited) s")
        // An answer comes through (within a bound as loose, for the same reason: a 5 s bound lost
        // the race to a busy pool once in CI).
        let answered = try await PGConnection.answered(within: 300) { 42 }
        #expect(answered == 42)
    }
}

@Suite struct RowIDTests {
    /// Ids are 16 characters of the alphabet, a letter first, valid by `isValid`, and do not repeat.
    @Test func idsAreValidAndDistinct() {
        let ids = (0..<20_000).map { _ in RowID.make() }
        #expect(ids.allSatisfy { RowID.isValid($0) && $0.count == 16 && $0.first!.isLetter })
        #expect(Set(ids).count == ids.count)
        // Every character of the alphabet turns up in every position after the first.
        for i in 1..<16 {
            let seen = Set(ids.map { Array($0.utf8)[i] })
            #expect(seen.count == 32, "position \(i): \(seen.count) characters")
        }
    }
}

