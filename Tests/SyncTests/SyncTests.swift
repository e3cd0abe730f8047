import Foundation
import Testing
@testable import Store
@testable import Sync
import Templates
import Rules
import XLSX
import TestSupport

/// Edits and reads made by another tool, as users do: openpyxl.
enum Openpyxl {
    @discardableResult
    static func run(_ code: String) throws -> String { try Python.run("import openpyxl, json, sys\n" + code) }

    /// Loads `file`, runs `code` with `wb` bound, saves.
    static func edit(_ file: String, _ code: String) throws {
        try run("wb = openpyxl.load_workbook(\(quote(file)))\n\(code)\nwb.save(\(quote(file)))")
    }

    /// The values of `refs` on `sheet`, as text ("" for blank).
    static func values(_ file: String, _ sheet: String, _ refs: [String]) throws -> [String] {
        let out = try run("""
        wb = openpyxl.load_workbook(\(quote(file)))
        ws = wb[\(quote(sheet))]
        def t(v):
            if v is None: return ""
            if isinstance(v, float) and v.is_integer(): return str(int(v))
            if hasattr(v, 'date'): return v.date().isoformat()
            return str(v)
        print(json.dumps([t(ws[r].value) for r in \(refs)]))
        """)
        return (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String]) ?? []
    }

    static func quote(_ s: String) -> String { Python.quote(s) }
}

func options(_ store: StoreLocation, campaign: String? = nil, prefer: Prefer? = nil, dryRun: Bool = false) throws -> SyncOptions {
    let templates = try Template.builtinIDs.map(Template.builtin)
    var o = SyncOptions(store: store, campaign: campaign, dryRun: dryRun, prefer: prefer,
                        validation: ValidationOptions(asOf: CalendarDate(year: 2025, month: 6, day: 9), templates: templates))
    o.who = "tester"
    return o
}

func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

/// A copy of the seed plan and a campaign name unique to the test.
func seedCopy(_ dir: String, _ name: String = "plan.xlsx") throws -> String {
    let path = "\(dir)/\(name)"
    try FileManager.default.copyItem(atPath: Paths.seed, toPath: path)
    return path
}

/// A copy of the sample with planted errors in a scratch folder, and a SQLite store beside it.
func errorsCopy() throws -> (StoreLocation, String) {
    let dir = try Paths.scratch()
    let path = "\(dir)/errors.xlsx"
    try FileManager.default.copyItem(atPath: Paths.withErrors, toPath: path)
    return (try Stores.location(.sqlite, dir: dir), path)
}

/// A scratch folder, its store, a copy of the seed plan synced once to a new campaign.
struct SyncedSeed {
    let dir: String, location: StoreLocation, path: String, campaign: String

    init(_ kind: Stores.Kind, file: String = "plan.xlsx") async throws {
        dir = try Paths.scratch()
        location = try Stores.location(kind, dir: dir)
        path = try seedCopy(dir, file)
        campaign = uniqueCampaign()
        _ = try await SyncRunner.sync(path: path, options: try options(location, campaign: campaign))
    }

    /// Another copy of the synced workbook, as a colleague's.
    func copy(_ name: String) throws -> String {
        let other = "\(dir)/\(name)"
        try FileManager.default.copyItem(atPath: path, toPath: other)
        return other
    }
}

@Suite("tracksheet sync (SQLite and PostgreSQL, edits made with openpyxl)")
struct SyncTests {
    @Test("first sync pushes every row and writes identities; a second sync changes nothing", arguments: Stores.Kind.allCases)
    func firstAndNoOp(_ kind: Stores.Kind) async throws {
        let dir = try Paths.scratch()
        let location = try Stores.location(kind, dir: dir)
        let plan = try seedCopy(dir)
        let name = uniqueCampaign()
        let first = try await SyncRunner.sync(path: plan, options: try options(location, campaign: name))
        #expect(first.exitCode == 0)
        #expect(first.plan.summaries.map(\.storeInserts) == [6, 4, 5])
        #expect(first.wroteWorkbook && first.wroteStore)
        let master = try await storeRows(location, name, "master_tasks")
        #expect(master.map { $0.values["task"] } == ["KOL名单筛选与签约", "推广素材制作(图文+视频)", "小红书KOL笔记发布(5篇)", "抖音信息流广告上线", "直播带货专场(6月10日)", "用户反馈整理与分析"].map { .text($0) })
        #expect(master[1].values["phase"] == .text("筹备期"), "the merged phase cell is each row's phase")
        #expect(master[0].values["budget"] == .number(50_000))
        #expect(master[0].values["plannedStart"] == .date(CalendarDate("2025-05-01")!))
        // The ids are in a hidden column that other tools see; the binding sheet is hidden.
        let ids = try Openpyxl.run("""
        wb = openpyxl.load_workbook(\(Openpyxl.quote(plan)))
        ws = wb['主跟踪表']
        print(json.dumps([ws['S2'].value, ws.column_dimensions['S'].hidden, [ws.cell(row=r, column=19).value for r in range(3, 9)], wb['_tracksheet'].sheet_state]))
        """)
        for row in master { #expect(ids.contains(row.id)) }
        #expect(ids.hasPrefix("[\"tracksheet-id\", true"))
        #expect(ids.contains("\"hidden\""))

        let before = try bytes(plan)
        let second = try await SyncRunner.sync(path: plan, options: try options(location))
        #expect(second.exitCode == 0)
        #expect(!second.wroteWorkbook && !second.wroteStore)
        #expect(second.plan.summaries.allSatisfy { $0.isEmpty })
        #expect(try bytes(plan) == before, "a no-op sync leaves the file as it was")
        #expect(try await changeLog(location, name).count == 15)
    }

    @Test("edits on either side: the workbook's reach the store, another copy's reach the workbook", arguments: Stores.Kind.allCases)
    func editsBothWays(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind, file: "a.xlsx")
        let (_, location, a, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        let b = try seed.copy("b.xlsx")

        try Openpyxl.edit(a, "ws = wb['主跟踪表']; ws['J4'] = 45000; ws['P5'] = '=1+1 typed as text'; ws['P5'].data_type = 's'")
        let ra = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(ra.exitCode == 0)
        #expect(ra.plan.summaries[0].storeCells == 2)
        let master = try await storeRows(location, name, "master_tasks")
        #expect(master[1].values["spend"] == .number(45_000))
        #expect(master[1].version == 2)
        let log = try await changeLog(location, name).filter { $0.action == .update }
        #expect(log.map { $0.place?.description } == ["主跟踪表!J4", "主跟踪表!P5"])
        #expect(log[0].old == .number(28_000) && log[0].new == .number(45_000))

        // The other copy, edited elsewhere, receives the store's change and pushes its own.
        try Openpyxl.edit(b, "wb['效果分析表']['M3'] = '继续投放'")
        let rb = try await SyncRunner.sync(path: b, options: try options(location))
        #expect(rb.exitCode == 0)
        #expect(rb.plan.summaries[0].workbookCells == 2)
        #expect(rb.plan.summaries[2].storeCells == 1)
        #expect(try Openpyxl.values(b, "主跟踪表", ["J4", "P5"]) == ["45000", "=1+1 typed as text"])
        // A text starting with = came from the store: written as text, not as a formula.
        let type = try Openpyxl.run("wb = openpyxl.load_workbook(\(Openpyxl.quote(b))); print(wb['主跟踪表']['P5'].data_type)")
        #expect(type.trimmingCharacters(in: .whitespacesAndNewlines) == "s")
        // And the first copy gets the effect-sheet edit back.
        _ = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(try Openpyxl.values(a, "效果分析表", ["M3"]) == ["继续投放"])
        // The derived columns were recalculated in the written workbook.
        #expect(try Openpyxl.values(a, "效果分析表", ["E3"])[0].hasPrefix("=IF(AND(ISNUMBER("))
    }

    @Test("sorted and moved rows keep their identity; deleted rows are deleted; a copied row is a new row", arguments: Stores.Kind.allCases)
    func sortMoveDeleteCopy(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind)
        let (_, location, plan, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        let before = try await storeRows(location, name, "effect_rows")

        // Reverse the effect rows (with their hidden ids, as a sort does), edit one, copy one, delete a detail row.
        try Openpyxl.edit(plan, """
        e = wb['效果分析表']
        rows = [[c.value for c in r] for r in e.iter_rows(min_row=3, max_row=7)]
        for i, vals in enumerate(reversed(rows)):
            for j, v in enumerate(vals): e.cell(row=3 + i, column=1 + j, value=v)
        e['H3'] = 12345
        for j, c in enumerate(e[5]): e.cell(row=8, column=1 + j, value=c.value)
        e['B8'] = '短视频素材A(复制)'
        wb['阶段执行明细表'].delete_rows(4)
        """)
        let r = try await SyncRunner.sync(path: plan, options: try options(location))
        #expect(r.exitCode == 0)
        let effect = r.plan.summaries.first { $0.table == "effect_rows" }!
        #expect(effect.storeInserts == 1, "the copy is a new row")
        #expect(effect.storeUpdates == 1, "the edited row is updated, not replaced")
        #expect(effect.storeDeletes == 0)
        let detail = r.plan.summaries.first { $0.table == "detail_rows" }!
        #expect(detail.storeDeletes == 1)
        let after = try await storeRows(location, name, "effect_rows")
        #expect(after.count == 6)
        // Same ids, reversed order; the edited one (线下体验, now first) keeps its id with the new cost.
        #expect(Array(after.prefix(5).map(\.id)) == before.reversed().map(\.id))
        #expect(after[0].values["channel"] == .text("线下体验") && after[0].values["cost"] == .number(12_345))
        #expect(after[5].values["content"] == .text("短视频素材A(复制)"))
        #expect(!before.map(\.id).contains(after[5].id))
        #expect(try await storeRows(location, name, "detail_rows").count == 3)
        // Nothing left to do.
        let again = try await SyncRunner.sync(path: plan, options: try options(location))
        #expect(!again.wroteStore && !again.wroteWorkbook)
    }

    @Test("identity and the sync base survive a save by LibreOffice, and rows inserted in the middle by openpyxl are new rows")
    func savedByLibreOffice() async throws {
        let seed = try await SyncedSeed(.sqlite)
        let dir = seed.dir
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["soffice", "-env:UserInstallation=file://\(dir)/lo-profile", "--headless", "--convert-to", "xlsx", "--outdir", "\(dir)/lo", seed.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "LibreOffice (libreoffice-calc-nogui) must be installed: make test installs it")
        try FileManager.default.removeItem(atPath: seed.path)
        try FileManager.default.copyItem(atPath: "\(dir)/lo/plan.xlsx", toPath: seed.path)
        let noop = try await SyncRunner.sync(path: seed.path, options: try options(seed.location, dryRun: true))
        #expect(noop.plan.summaries.allSatisfy { $0.isEmpty }, "LibreOffice's save kept every id and the base")

        try Openpyxl.edit(seed.path, """
        e = wb['效果分析表']
        e.insert_rows(5)
        e['A5'] = '微信社群'; e['B5'] = '裂变海报'; e['C5'] = 1000; e['D5'] = 100
        wb['主跟踪表']['J4'] = 31000
        """)
        let r = try await SyncRunner.sync(path: seed.path, options: try options(seed.location))
        #expect(r.exitCode == 0)
        let effect = r.plan.summaries.first { $0.table == "effect_rows" }!
        #expect(effect.storeInserts == 1 && effect.storeUpdates == 0 && effect.storeDeletes == 0)
        #expect(effect.moved == 3, "the rows below the inserted one moved down")
        #expect(r.plan.summaries[0].storeCells == 1)
        let rows = try await storeRows(seed.location, seed.campaign, "effect_rows")
        #expect(rows.map { $0.values["channel"] } == ["小红书KOL", "小红书KOL", "微信社群", "抖音信息流", "抖音信息流", "线下体验"].map { .text($0) })
    }

    @Test("a row deleted by another copy leaves this workbook; an unedited row only", arguments: Stores.Kind.allCases)
    func deleteFromStore(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind, file: "a.xlsx")
        let (_, location, a, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        let b = try seed.copy("b.xlsx")
        try Openpyxl.edit(a, "wb['效果分析表'].delete_rows(6)\nwb['效果分析表'].delete_rows(3)")
        _ = try await SyncRunner.sync(path: a, options: try options(location))
        // b edited the row a deleted at row 6 (抖音 B), not the one at row 3: one clear, one conflict.
        try Openpyxl.edit(b, "wb['效果分析表']['M6'] = '加大投放'")
        let below = try Openpyxl.values(b, "效果分析表", ["A4", "B4"])
        let rb = try await SyncRunner.sync(path: b, options: try options(location))
        #expect(rb.exitCode == 1)
        #expect(rb.plan.unresolved.map(\.kind) == [.deletedInStore])
        #expect(!rb.wroteWorkbook && !rb.wroteStore)
        let kept = try await SyncRunner.sync(path: b, options: try options(location, prefer: .workbook))
        #expect(kept.exitCode == 0)
        let effect = kept.plan.summaries.first { $0.table == "effect_rows" }!
        #expect(effect.workbookDeletes == 1 && effect.storeInserts == 1)
        // Row 3 is deleted: the rows below move up, the edited row 6 with them.
        #expect(try Openpyxl.values(b, "效果分析表", ["A3", "B3", "M5"]) == below + ["加大投放"])
        #expect(try await storeRows(location, name, "effect_rows").count == 4)
    }

    @Test("rows new in the store are inserted above the total row, whose sums grow; rows deleted in the store are deleted and the sums shrink",
          arguments: Stores.Kind.allCases)
    func totalRow(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind, file: "a.xlsx")
        let (location, a) = (seed.location, seed.path)
        // a: the template's blank rows gone, a total row under the five data rows.
        try Openpyxl.edit(a, """
        ws = wb['效果分析表']
        ws.delete_rows(8, 10)
        ws['A8'] = '合计'; ws['C8'] = '=SUM(C3:C7)'; ws['H8'] = '=SUM(H3:H7)'
        """)
        #expect(try await SyncRunner.sync(path: a, options: try options(location)).exitCode == 0)
        // b, a colleague's copy, adds two rows above its total; a deletes nothing yet.
        let b = try seed.copy("b.xlsx")
        try Openpyxl.edit(b, """
        ws = wb['效果分析表']
        ws.insert_rows(8, 2)
        for r, (ch, content, shown, cost) in ((8, ('视频号', '直播切片', 80000, 6000)), (9, ('B站', 'UP主合作', 120000, 15000))):
            ws.cell(r, 1, ch); ws.cell(r, 2, content); ws.cell(r, 3, shown); ws.cell(r, 8, cost)
        """)
        #expect(try await SyncRunner.sync(path: b, options: try options(location)).exitCode == 0)
        let ra = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(ra.exitCode == 0 && ra.wroteWorkbook)
        #expect(try Openpyxl.values(a, "效果分析表", ["A7", "A8", "B9", "C9", "A10", "C10", "H10"])
                == ["线下体验", "视频号", "UP主合作", "120000", "合计", "=SUM(C3:C9)", "=SUM(H3:H9)"])
        // The new rows got the derived columns' formulas like the others.
        #expect(try Openpyxl.values(a, "效果分析表", ["I9"]).first?.hasPrefix("=") == true)
        // b deletes the first row; a's copy of it goes, and the sums shrink.
        try Openpyxl.edit(b, "wb['效果分析表'].delete_rows(3)")
        #expect(try await SyncRunner.sync(path: b, options: try options(location)).exitCode == 0)
        #expect(try await SyncRunner.sync(path: a, options: try options(location)).exitCode == 0)
        #expect(try Openpyxl.values(a, "效果分析表", ["A3", "A9", "C9", "H9"]) == ["小红书KOL", "合计", "=SUM(C3:C8)", "=SUM(H3:H8)"])
        #expect(try Openpyxl.values(a, "效果分析表", ["B3"]) == ["腰部KOL(5篇)"])
        // A sync of the result has nothing to do.
        let again = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(!again.wroteWorkbook && !again.wroteStore)
    }

    @Test("conflicts are reported with both values and change nothing; --prefer settles them", arguments: Stores.Kind.allCases)
    func conflicts(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind, file: "a.xlsx")
        let (_, location, a, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        let b = try seed.copy("b.xlsx")
        try Openpyxl.edit(a, "wb['主跟踪表']['J5'] = 1111")
        try Openpyxl.edit(b, "wb['主跟踪表']['J5'] = 2222\nwb['主跟踪表']['D3'] = '新负责人'")
        _ = try await SyncRunner.sync(path: a, options: try options(location))
        let bBefore = try bytes(b)
        let logBefore = try await changeLog(location, name).count

        let dry = try await SyncRunner.sync(path: b, options: try options(location, dryRun: true))
        #expect(dry.plan.unresolved.count == 1)
        let r = try await SyncRunner.sync(path: b, options: try options(location))
        #expect(r.exitCode == 1)
        #expect(r.plan.unresolved == [Conflict(kind: .bothChanged, sheet: "主跟踪表", cell: CellReference("J5"), column: "spend", header: "实际支出(元)", workbook: .number(2222), store: .number(1111))])
        #expect(r.plan.unresolved[0].message(chinese: true) == "上次同步后两边都修改了此单元格:工作簿为 \"2222\",存储库为 \"1111\"")
        #expect(try bytes(b) == bBefore, "the workbook is untouched")
        #expect(try await changeLog(location, name).count == logBefore, "the store is untouched, D3 included")

        let settled = try await SyncRunner.sync(path: b, options: try options(location, prefer: .workbook))
        #expect(settled.exitCode == 0)
        #expect(settled.plan.conflicts.map(\.resolvedBy) == [.workbook])
        let master = try await storeRows(location, name, "master_tasks")
        #expect(master[2].values["spend"] == .number(2222))
        #expect(master[0].values["owner"] == .text("新负责人"))
        let back = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(back.exitCode == 0)
        #expect(try Openpyxl.values(a, "主跟踪表", ["J5", "D3"]) == ["2222", "新负责人"])

        // The other way round: the store wins.
        try Openpyxl.edit(a, "wb['主跟踪表']['J5'] = 3333")
        try Openpyxl.edit(b, "wb['主跟踪表']['J5'] = 4444")
        _ = try await SyncRunner.sync(path: a, options: try options(location))
        let storeWins = try await SyncRunner.sync(path: b, options: try options(location, prefer: .store))
        #expect(storeWins.exitCode == 0)
        #expect(try Openpyxl.values(b, "主跟踪表", ["J5"]) == ["3333"])
    }

    @Test("a failure in the middle changes neither the store nor the workbook", arguments: Stores.Kind.allCases)
    func failureInTheMiddle(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind)
        let (dir, location, plan, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        try Openpyxl.edit(plan, "wb['主跟踪表']['J4'] = 45000\nwb['效果分析表'].delete_rows(4)")
        let before = try bytes(plan)
        let logBefore = try await changeLog(location, name).count
        var o = try options(location)
        struct Boom: Error {}
        o.beforeCommit = { throw Boom() }
        await #expect(throws: Boom.self) { _ = try await SyncRunner.sync(path: plan, options: o) }
        #expect(try bytes(plan) == before)
        #expect(try await changeLog(location, name).count == logBefore)
        #expect(try await storeRows(location, name, "effect_rows").count == 5)
        #expect(try await storeRows(location, name, "master_tasks")[1].values["spend"] == .number(28_000))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }.isEmpty, "no staged file left behind")
        // And the sync goes through afterwards.
        #expect(try await SyncRunner.sync(path: plan, options: try options(location)).exitCode == 0)
        #expect(try await storeRows(location, name, "effect_rows").count == 4)
    }

    @Test("cells that fail validation are reported and not pushed")
    func invalidCellsNotPushed() async throws {
        let (location, path) = try errorsCopy()
        let name = uniqueCampaign()
        let r = try await SyncRunner.sync(path: path, options: try options(location, campaign: name))
        #expect(r.exitCode == 1)
        let errors = r.diagnostics.filter { $0.severity == .error }
        #expect(!errors.isEmpty)
        let master = try await storeRows(location, name, "master_tasks")
        for d in errors where d.sheet == "主跟踪表" {
            guard let ref = d.cell, let key = ["I": "budget", "J": "spend", "K": "progress", "E": "plannedStart", "F": "plannedEnd"][CellReference.columnName(ref.column)] else { continue }
            let row = master[ref.row - 3]
            #expect(row.values[key] == nil, "\(d.location) was pushed")
        }
    }

    @Test("export writes the campaign from the store; the exported workbook syncs with nothing to do", arguments: Stores.Kind.allCases)
    func export(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind)
        let (dir, location, _, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        let out = "\(dir)/exported.xlsx"
        let o = try options(location)
        let result = try await Exporter.export(campaign: name, store: location, to: out, language: .zh, validation: o.validation)
        #expect(result.rows == ["主跟踪表": 6, "阶段执行明细表": 4, "效果分析表": 5])
        #expect(try Openpyxl.values(out, "主跟踪表", ["C3", "I3", "E3"]) == ["KOL名单筛选与签约", "50000", "2025-05-01"])
        // Its dashboard and Gantt are over the rows the store gave it, not the blank's.
        let shown = try Openpyxl.run("""
        wb = openpyxl.load_workbook(\(Openpyxl.quote(out)), data_only=True)
        print(json.dumps([str(wb['数据看板'][r].value) for r in ['A9', 'B9', 'F9']] + [str(wb['甘特图'][r].value) for r in ['B3', 'B8', 'B9']], ensure_ascii=False))
        """)
        #expect(shown.contains(#"["合计", "6", "268000", "KOL名单筛选与签约", "用户反馈整理与分析", "None"]"#), "\(shown)")
        let again = try await SyncRunner.sync(path: out, options: o)
        #expect(again.exitCode == 0)
        #expect(!again.wroteStore && !again.wroteWorkbook)
        // Unknown campaign: a clear error.
        await #expect(throws: StoreError.self) {
            _ = try await Exporter.export(campaign: "no such campaign", store: location, to: "\(dir)/x.xlsx", language: .zh, validation: o.validation)
        }
    }

    /// Formula injection: texts that begin with `=`, `+`, `-` or `@` — typed by a user as text,
    /// pushed to the store, pulled into another copy, exported, and a campaign named like a formula —
    /// are written as text cells, never formulas. `check_features.py` then has LibreOffice (told
    /// to recalculate everything on load) and openpyxl open the files: each text must read back as
    /// itself, where a formula would show its result.
    @Test("texts that look like formulas stay texts through the store, another copy and export")
    func formulaInjection() async throws {
        let dir = try Paths.scratch()
        let location = try Stores.location(.sqlite, dir: dir)
        let a = try seedCopy(dir, "a.xlsx")
        let campaign = "=HYPERLINK(\"https://example.com/\",\"点我\") \(uniqueCampaign())"
        _ = try await SyncRunner.sync(path: a, options: try options(location, campaign: campaign))
        let b = "\(dir)/b.xlsx"
        try FileManager.default.copyItem(atPath: a, toPath: b)
        let texts = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "=HYPERLINK(\"https://example.com/\",\"点我\")", "=cmd|' /C calc'!A0"]
        // Typed as text (openpyxl's data_type 's'), one per row in 问题记录 (P3…P8).
        try Openpyxl.edit(a, texts.enumerated().map { i, t in "ws = wb['主跟踪表']; ws['P\(i + 3)'] = \(Openpyxl.quote(t)); ws['P\(i + 3)'].data_type = 's'" }.joined(separator: "\n"))
        #expect(try await SyncRunner.sync(path: a, options: try options(location)).exitCode == 0)
        let stored = try await storeRows(location, campaign, "master_tasks").compactMap { row -> String? in
            if case .text(let s) = row.values["issues"] { return s } else { return nil }
        }
        #expect(Set(stored) == Set(texts), "the store keeps the texts as they were typed: \(stored)")
        #expect(try await SyncRunner.sync(path: b, options: try options(location)).exitCode == 0)
        let exported = "\(dir)/exported.xlsx"
        _ = try await Exporter.export(campaign: campaign, store: location, to: exported, language: .zh, validation: try options(location).validation)

        var expected: [String: [String: [String]]] = [:]
        for (name, file) in [("pulled", b), ("exported", exported)] {
            let book = try Workbook(path: file)
            var found: [String] = []
            for sheet in book.sheets where sheet.kind == .worksheet {
                _ = try book.readSheet(sheet) { row in
                    for cell in row.cells {
                        guard case .string(let s) = cell.value, texts.contains(s) || s == campaign else { continue }
                        #expect(cell.formula == nil, "\(name) \(sheet.name) row \(row.index): \(s) has a formula")
                        found.append(s)
                        expected[name, default: [:]][sheet.name, default: []].append(s)
                    }
                }
            }
            #expect(Set(texts + [campaign]).isSubset(of: Set(found)), "\(name): found \(found)")
        }
        if let interop = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"] {
            try FileManager.default.copyItem(atPath: b, toPath: "\(interop)/injection-pulled.xlsx")
            try FileManager.default.copyItem(atPath: exported, toPath: "\(interop)/injection-exported.xlsx")
            try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: "\(interop)/injection.json"))
        }
    }

    @Test("two copies synced at once against PostgreSQL: no lost update")
    func concurrentPostgres() async throws {
        let seed = try await SyncedSeed(.postgres, file: "a.xlsx")
        let (dir, location, a, name) = (seed.dir, seed.location, seed.path, seed.campaign)
        let copies = (1...4).map { "\(dir)/copy\($0).xlsx" }
        for (i, c) in copies.enumerated() {
            try FileManager.default.copyItem(atPath: a, toPath: c)
            // Each copy edits its own cell of the same row, and one more of its own row.
            try Openpyxl.edit(c, "ws = wb['主跟踪表']\nws['\(["P", "Q", "R", "M"][i])3'] = 'copy \(i + 1)'\nws['P\(4 + i)'] = 'row of copy \(i + 1)'")
        }
        let results = try await withThrowingTaskGroup(of: SyncResult.self) { group in
            for c in copies { group.addTask { try await SyncRunner.sync(path: c, options: try options(location)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.exitCode == 0 })
        let row = try await storeRows(location, name, "master_tasks")
        #expect(row[0].values["issues"] == .text("copy 1"))
        #expect(row[0].values["solution"] == .text("copy 2"))
        #expect(row[0].values["notes"] == .text("copy 3"))
        #expect(row[0].values["achieved"] == .text("copy 4"))
        #expect(row[0].version == 5)
        for i in 0..<4 { #expect(row[1 + i].values["issues"] == .text("row of copy \(i + 1)")) }
        // Every copy converges on the same values after one more sync.
        for c in copies { _ = try await SyncRunner.sync(path: c, options: try options(location)) }
        for c in copies { #expect(try Openpyxl.values(c, "主跟踪表", ["P3", "Q3", "R3", "M3", "P4", "P7"]) == ["copy 1", "copy 2", "copy 3", "copy 4", "row of copy 1", "row of copy 4"]) }
    }
}

@Suite("Hiding the identity column")
struct HideColumnTests {
    @Test("a column inside a <col> range is split out hidden, keeping the range's width on both sides; a sheet without <cols> gets one")
    func hide() throws {
        let dir = try Paths.scratch()
        let path = "\(dir)/cols.xlsx"
        let w = try WorkbookWriter(path: path)
        let ranged = try w.addSheet("ranged")
        try ranged.setColumns(1, 30, width: 12)
        try ranged.writeRow([WriteCell(.string("a"))])
        let bare = try w.addSheet("bare")
        try bare.writeRow([WriteCell(.string("b"))])
        try w.close()

        let editor = try WorkbookEditor(path: path)
        try editor.hideColumn(19, in: editor.workbook.sheet(named: "ranged")!)
        try editor.hideColumn(3, in: editor.workbook.sheet(named: "bare")!)
        try editor.save(to: path)
        let out = try Openpyxl.run("""
        wb = openpyxl.load_workbook(\(Openpyxl.quote(path)))
        r, b = wb['ranged'], wb['bare']
        print(json.dumps([[(k, d.min, d.max, d.width, bool(d.hidden)) for k, d in sorted(r.column_dimensions.items())],
                          [(k, bool(d.hidden)) for k, d in sorted(b.column_dimensions.items())], r['A1'].value, b['A1'].value]))
        """)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) ==
                #"[[["A", 1, 18, 12.0, false], ["S", 19, 19, 12.0, true], ["T", 20, 30, 12.0, false]], [["C", true]], "a", "b"]"#)
    }
}

@Suite("A team's own chart through sync")
struct OwnChartSyncTests {
    /// The chart a team made over the master plan (on a sheet of its own): its references, as the
    /// workbook's chart part holds them.
    static func references(_ path: String) throws -> [String] {
        let book = try Workbook(path: path)
        var refs: [String] = []
        for e in book.archive.entries where e.name.hasPrefix("xl/charts/chart") {
            let xml = String(decoding: try book.archive.data(e), as: UTF8.self)
            guard xml.contains("我们的支出图") else { continue }
            var rest = xml[...]
            while let a = rest.range(of: "<c:f>"), let b = rest.range(of: "</c:f>", range: a.upperBound..<rest.endIndex) {
                refs.append(String(rest[a.upperBound..<b.lowerBound]))
                rest = rest[b.upperBound...]
            }
        }
        return refs
    }

    @Test("a chart over the master plan points at the same tasks after sync deletes and appends rows")
    func followsTheRows() async throws {
        let dir = try Paths.scratch()
        let location = try Stores.location(.sqlite, dir: dir)
        let plain = try seedCopy(dir, "seed.xlsx"), a = "\(dir)/a.xlsx"
        // The team's chart: 实际支出 per 关键任务 of the six tasks (rows 3–8).
        let editor = try WorkbookEditor(path: plain)
        let sheet = try editor.addSheet("我们的图表")
        try sheet.writeRow([WriteCell(.string("图表"))])
        sheet.addChart(Chart(kind: .bar(), title: "我们的支出图", categories: .init("'主跟踪表'!$C$3:$C$8", Array(repeating: "", count: 6)),
                             series: [.init(name: "实际支出", values: .init("'主跟踪表'!$J$3:$J$8", Array(repeating: nil, count: 6)))],
                             anchor: CellRange(first: CellReference(row: 2, column: 1), last: CellReference(row: 16, column: 8))))
        try editor.save(to: a)
        let name = uniqueCampaign()
        _ = try await SyncRunner.sync(path: a, options: try options(location, campaign: name))
        #expect(try Self.references(a) == ["'主跟踪表'!$C$3:$C$8", "'主跟踪表'!$J$3:$J$8"])
        // A colleague deletes 推广素材制作 (row 4) and adds a task; this copy then syncs.
        let b = "\(dir)/b.xlsx"
        try FileManager.default.copyItem(atPath: a, toPath: b)
        try Openpyxl.edit(b, "ws = wb['主跟踪表']\nws.delete_rows(4)\nws['C8'] = '复盘会'\nws['A8'] = '收尾期'\nws['J8'] = 3000\nws['D8'] = '运营'")
        let rb = try await SyncRunner.sync(path: b, options: try options(location))
        #expect(rb.exitCode == 0)
        let ra = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(ra.exitCode == 0 && ra.wroteWorkbook)
        // The deleted row left the range and the rows below moved up with it, as a formula's range
        // does; the task appended into the blank row below is outside it, as it would be for
        // =SUM(J3:J7) (an Excel table's range would take it in).
        let tasks = try Openpyxl.values(a, "主跟踪表", ["C3", "C4", "C8", "C9"])
        #expect(tasks == ["KOL名单筛选与签约", "小红书KOL笔记发布(5篇)", "复盘会", ""], "\(tasks)")
        let refs = try Self.references(a)
        #expect(refs == ["'主跟踪表'!$C$3:$C$7", "'主跟踪表'!$J$3:$J$7"], "\(refs)")
        // And the dashboard counts what the plan now holds.
        let shown = try Openpyxl.run("""
        wb = openpyxl.load_workbook(\(Openpyxl.quote(a)), data_only=True)
        print(json.dumps([wb['数据看板']['B9'].value, wb['数据看板']['F9'].value]))
        """)
        #expect(shown.contains("[6, 243000]"), "\(shown)")
    }
}

/// A workbook a sync wrote carries a stamp (`SyncStamp`, the zip comment): the next sync of it,
/// unchanged against an unchanged campaign, is told so without merging — and says what merging says.
@Suite("A workbook unchanged since its sync")
struct UnchangedSinceSyncTests {
    /// The same sync merged: the workbook's stamp taken off (its parts stay as they are).
    static func merged(_ path: String, _ options: SyncOptions) async throws -> SyncResult {
        let copy = path.replacingOccurrences(of: ".xlsx", with: "-merged.xlsx")
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        try ZipArchive.setComment("", ofArchiveAt: copy)
        var result = try await SyncRunner.sync(path: copy, options: options)
        result.path = path
        return result
    }

    static func same(_ a: SyncResult, _ b: SyncResult) {
        #expect(a.plan.summaries == b.plan.summaries)
        #expect(a.diagnostics.map { "\($0.location) \($0.rule) \($0.message(chinese: true))" } == b.diagnostics.map { "\($0.location) \($0.rule) \($0.message(chinese: true))" })
        #expect(a.exitCode == b.exitCode && a.campaign == b.campaign && a.store == b.store && a.isChinese == b.isChinese)
        #expect(a.wroteStore == b.wroteStore && a.wroteWorkbook == b.wroteWorkbook && a.dryRun == b.dryRun)
    }

    @Test("the stamp names the campaign's version after the sync; the next sync is told unchanged and says what merging says",
          arguments: Stores.Kind.allCases)
    func stamped(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind)
        let stamp = try #require(SyncStamp.current(of: seed.path))
        let campaign = try await seed.location.withOpened { try await $0.campaigns().first { $0.name == seed.campaign } }
        #expect(stamp.campaign == seed.campaign && stamp.version == campaign?.version && stamp.campaignID == campaign?.id)
        let before = try bytes(seed.path)
        for dryRun in [false, true] {
            let quick = try await SyncRunner.sync(path: seed.path, options: try options(seed.location, dryRun: dryRun))
            #expect(quick.unchangedByStamp)
            let full = try await Self.merged(seed.path, try options(seed.location, dryRun: dryRun))
            #expect(!full.unchangedByStamp)
            Self.same(quick, full)
            #expect(quick.plan.summaries.count == 3 && quick.plan.summaries.allSatisfy(\.isEmpty))
        }
        #expect(try bytes(seed.path) == before)
        // Edited in the workbook, and the next sync merges (and stamps again what it wrote).
        try Openpyxl.edit(seed.path, "wb['主跟踪表']['J4'] = 45000")
        let edited = try await SyncRunner.sync(path: seed.path, options: try options(seed.location))
        #expect(!edited.unchangedByStamp && edited.plan.summaries[0].storeCells == 1)
        #expect(try await SyncRunner.sync(path: seed.path, options: try options(seed.location)).unchangedByStamp)
    }

    @Test("a colleague's copy, unchanged but behind the store, is merged and gets the store's change", arguments: Stores.Kind.allCases)
    func behindTheStore(_ kind: Stores.Kind) async throws {
        let seed = try await SyncedSeed(kind, file: "a.xlsx")
        let b = try seed.copy("b.xlsx")
        try Openpyxl.edit(seed.path, "wb['主跟踪表']['J4'] = 45000")
        _ = try await SyncRunner.sync(path: seed.path, options: try options(seed.location))
        let rb = try await SyncRunner.sync(path: b, options: try options(seed.location))
        #expect(!rb.unchangedByStamp && rb.plan.summaries[0].workbookCells == 1)
        #expect(try Openpyxl.values(b, "主跟踪表", ["J4"]) == ["45000"])
    }

    @Test("a row changed in the store by hand (its version raised, the campaign's not): merged, and the change reaches the workbook")
    func changedByHand() async throws {
        let seed = try await SyncedSeed(.sqlite)
        guard case .sqlite(let db) = seed.location else { return }
        _ = try Python.run("import sqlite3\nc = sqlite3.connect(\(Python.quote(db)))\n"
            + "c.execute('UPDATE master_tasks SET spend = 12345, version = version + 1 WHERE position = 1')\nc.commit()")
        let r = try await SyncRunner.sync(path: seed.path, options: try options(seed.location))
        #expect(!r.unchangedByStamp && r.plan.summaries[0].workbookCells == 1)
        #expect(try Openpyxl.values(seed.path, "主跟踪表", ["J4"]) == ["12345"])
    }

    @Test("invalid cells: reported, and the exit code kept, either way")
    func invalidCells() async throws {
        let (location, path) = try errorsCopy()
        let first = try await SyncRunner.sync(path: path, options: try options(location, campaign: uniqueCampaign()))
        #expect(first.exitCode == 1 && first.wroteWorkbook)
        let quick = try await SyncRunner.sync(path: path, options: try options(location))
        #expect(quick.unchangedByStamp && quick.exitCode == 1)
        Self.same(quick, try await Self.merged(path, try options(location)))
    }

    @Test("another campaign named, a stamp whose parts differ or of another build: merged as always")
    func notTrusted() async throws {
        let seed = try await SyncedSeed(.sqlite)
        await #expect(throws: StoreError.self) { _ = try await SyncRunner.sync(path: seed.path, options: try options(seed.location, campaign: "another")) }
        // A store that cannot be reached: one line saying so, flagged as such (the quick path then gives
        // that answer instead of asking again through the merge).
        let start = Date()
        let error = await #expect(throws: StoreError.self) {
            _ = try await SyncRunner.sync(path: seed.path, options: try options(.postgres(url: "postgres://tracksheet@127.0.0.1:1/none")))
        }
        #expect(error?.unreachable == true && error?.english.contains("cannot reach") == true)
        #expect(Date().timeIntervalSince(start) < 30)
        var stamp = try #require(SyncStamp.current(of: seed.path))
        for forged in [{ stamp.parts = "0" }, { stamp.build = "elsewhere" }] as [() -> Void] {
            let saved = stamp
            forged()
            try ZipArchive.setComment(stamp.text, ofArchiveAt: seed.path)
            #expect(SyncStamp.current(of: seed.path) == nil)
            #expect(!(try await SyncRunner.sync(path: seed.path, options: try options(seed.location))).unchangedByStamp)
            stamp = saved
        }
        #expect(SyncStamp(comment: Array("tracksheet-sync 1\ncampaign=zz".utf8)) == nil)
        #expect(SyncStamp.unhex(SyncStamp.hex("618大促 · 双11")) == "618大促 · 双11")
    }
}
