import Foundation
import Testing
@testable import Store
@testable import Sync
import Templates
import Rules
import XLSX
import TestSupport

/// A sync writes its workbook once: the merge's cells and the derived cells recalculated from
/// them go through one editor. These tests hold it to the reference — the merge written to a copy
/// and that copy recalculated (what every sync did before, and what one whose rows move still does).
@Suite("Sync writes the workbook once")
struct OnePassTests {
    /// Every cell of every sheet (value and formula), but the sync record's and the row identities
    /// (new ids are drawn at random, so two first syncs differ there).
    static func cells(_ path: String) throws -> [String: [String: String]] {
        let book = try Workbook(path: path)
        var out: [String: [String: String]] = [:]
        for sheet in book.sheets where sheet.kind == .worksheet && !sheet.name.hasPrefix(SyncBinding.sheetName) {
            var cells: [String: String] = [:]
            _ = try book.readSheet(sheet) { row in
                for c in row.cells {
                    if case .string(let s) = c.value, RowID.isValid(s) { continue }
                    cells[CellReference(row: row.index, column: c.column).description] = "\(c.value) \(c.formula ?? "")"
                }
            }
            out[sheet.name] = cells
        }
        return out
    }

    static let fixtures = Paths.package + "/Tests/TracksheetCLITests/Fixtures/real-world"

    /// The workbooks: the samples and every real-world fixture of one campaign a sync takes.
    static var workbooks: [String] {
        let samples = ["marketing-plan-seed.xlsx", "multi-platform-618.xlsx", "process-card-spring.xlsx", "seed-plan-openpyxl.xlsx"]
            .map { Paths.package + "/samples/" + $0 }
        let real = ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []).filter { $0.hasSuffix(".xlsx") }.sorted()
            .filter { !$0.hasPrefix("21-") } // ambiguous: sync refuses it without --template
            .map { fixtures + "/" + $0 }
        return samples + real
    }

    /// Syncs `path` (with `store`) once as every sync does and once through a merged copy (a copy
    /// of the workbook with a copy of the store): both workbooks must hold the same cells.
    static func compare(_ path: String, store: String, dir: String, name: String) async throws -> (onePass: String, reference: String) {
        let a = "\(dir)/\(name)-a.xlsx", b = "\(dir)/\(name)-b.xlsx"
        let fm = FileManager.default
        try fm.copyItem(atPath: path, toPath: a)
        try fm.copyItem(atPath: path, toPath: b)
        let storeB = store + "-b"
        if fm.fileExists(atPath: store) { try fm.copyItem(atPath: store, toPath: storeB) }
        var ra = try options(.sqlite(path: store))
        ra.who = "one"
        var rb = try options(.sqlite(path: storeB))
        rb.mergedCopy = true
        let resultA = try await SyncRunner.syncAll(path: a, options: ra)
        let resultB = try await SyncRunner.syncAll(path: b, options: rb)
        #expect(resultA.map(\.wroteWorkbook) == resultB.map(\.wroteWorkbook), "\(name)")
        let (ca, cb) = (try cells(a), try cells(b))
        #expect(ca.keys.sorted() == cb.keys.sorted(), "\(name): the same sheets")
        for sheet in ca.keys.sorted() {
            let x = ca[sheet] ?? [:], y = cb[sheet] ?? [:]
            let differ = Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.sorted()
            #expect(differ.isEmpty, "\(name) \(sheet): \(differ.prefix(5).map { "\($0): \(x[$0] ?? "none") / \(y[$0] ?? "none")" })")
        }
        try? fm.removeItem(atPath: storeB)
        return (a, b)
    }

    @Test("a first sync of each sample and real-world workbook writes what the merged copy's recalc writes; a recalc after it changes nothing")
    func firstSyncs() async throws {
        let dir = try Paths.scratch()
        var compared = 0
        for (i, path) in Self.workbooks.enumerated() {
            let name = "w\(i)"
            let (a, _) = try await Self.compare(path, store: "\(dir)/\(name).db", dir: dir, name: name)
            // The single pass left nothing for recalc to do.
            let again = try Recalculator.recalc(path: a, to: "\(dir)/\(name)-again.xlsx", options: try options(.sqlite(path: "\(dir)/x.db")).validation)
            #expect(again.changedTotal == 0, "\((path as NSString).lastPathComponent): \(again.changed)")
            compared += 1
        }
        #expect(compared >= 30)
    }

    @Test("a recording of the ratio columns that gives up (more rows with edits than it keeps) leaves the sheet to the streamed pass: the same cells")
    func recordingGivenUp() async throws {
        let dir = try Paths.scratch()
        let kept = RatioRecording.mostRows
        // Other tests running meanwhile fall back to the streamed pass too: the same cells for them.
        RatioRecording.mostRows = 1
        defer { RatioRecording.mostRows = kept }
        for (i, path) in Self.workbooks.prefix(4).enumerated() {
            _ = try await Self.compare(path, store: "\(dir)/g\(i).db", dir: dir, name: "g\(i)")
        }
    }

    @Test("a sync that pulls store edits into each sample and real-world workbook (units, percent formats, totals) writes what the merged copy's recalc writes")
    func storeEditsEverywhere() async throws {
        let dir = try Paths.scratch()
        var pulled = 0
        for (i, path) in Self.workbooks.enumerated() {
            let name = "p\(i)", store = "\(dir)/\(name).db", a = "\(dir)/\(name).xlsx"
            try FileManager.default.copyItem(atPath: path, toPath: a)
            let first = try await SyncRunner.syncAll(path: a, options: try options(.sqlite(path: store)))
            // Another copy's edit, as the store holds it: in each table, the first row's numbers
            // raised by 7 (and its first text appended to), in a version of their own.
            let location = StoreLocation.sqlite(path: store)
            let s = try await location.open()
            for result in first {
                let snap = try await s.read(campaign: result.campaign, history: [:])
                guard let campaign = snap.campaign else { continue }
                let spec = CampaignSpec(name: campaign.name, template: campaign.template, start: campaign.start, end: campaign.end)
                _ = try await s.transaction(campaign: spec, history: [:], context: SyncContext(who: "other", workbook: "other.xlsx"), decide: { snap in
                    var c = StoreChanges()
                    for (table, rows) in snap.rows.sorted(by: { $0.key < $1.key }) {
                        guard let row = rows.values.min(by: { $0.position < $1.position }), let t = StoreSchema.table(named: table) else { continue }
                        var v = row.values
                        var changed = false
                        for col in t.columns {
                            switch v[col.key] {
                            case .number(let n)?: v[col.key] = .number(n + 7); changed = true
                            case .text(let x)? where !changed && !col.mergeByPhase: v[col.key] = .text(x + "·改"); changed = true
                            default: continue
                            }
                        }
                        guard changed else { continue }
                        c.updates.append(.init(table: table, id: row.id, fromVersion: row.version, values: v, position: row.position))
                        c.log.append(LoggedChange(table: table, rowID: row.id, action: .update))
                    }
                    return (c, 0)
                }, beforeCommit: { _ in })
            }
            try await s.close()
            let (one, _) = try await Self.compare(a, store: store, dir: dir, name: name)
            let again = try Recalculator.recalc(path: one, to: "\(dir)/\(name)-again.xlsx", options: try options(.sqlite(path: store)).validation)
            #expect(again.changedTotal == 0, "\((path as NSString).lastPathComponent): \(again.changed)")
            pulled += 1
        }
        #expect(pulled >= 30)
    }

    @Test("a sync that takes another copy's edits recalculates from them, as the merged copy does")
    func storeEdits() async throws {
        let dir = try Paths.scratch()
        let store = "\(dir)/store.db"
        let a = try seedCopy(dir, "a.xlsx")
        _ = try await SyncRunner.sync(path: a, options: try options(.sqlite(path: store), campaign: uniqueCampaign()))
        // A colleague's copy changes the effect sheet's inputs and a task's spend; this copy its own cells.
        let b = "\(dir)/b.xlsx"
        try FileManager.default.copyItem(atPath: a, toPath: b)
        try Openpyxl.edit(b, "ws = wb['效果分析表']; ws['C3'] = 150000; ws['D4'] = 2222; ws['H5'] = 9999\nwb['主跟踪表']['J4'] = 45000")
        _ = try await SyncRunner.sync(path: b, options: try options(.sqlite(path: store)))
        try Openpyxl.edit(a, "wb['效果分析表']['F3'] = 777; wb['主跟踪表']['J5'] = 12345")
        let (one, _) = try await Self.compare(a, store: store, dir: dir, name: "pull")
        // The pulled inputs are in, and the ratios over them are the merged values' (CTR = clicks / impressions).
        let v = try Openpyxl.values(one, "效果分析表", ["C3", "F3"])
        #expect(v == ["150000", "777"])
        let again = try Recalculator.recalc(path: one, to: "\(dir)/again.xlsx", options: try options(.sqlite(path: store)).validation)
        #expect(again.changedTotal == 0, "\(again.changed)")
    }

    /// The record sheet's rows as its part holds them (`<row …>…</row>`), by row number.
    static func recordRows(_ path: String) throws -> [Int: String] {
        let book = try Workbook(path: path)
        let part = try #require(book.sheet(named: SyncBinding.sheetName)?.part)
        let entry = try #require(book.archive.entry(named: part))
        let xml = String(decoding: try book.archive.data(entry), as: UTF8.self)
        var rows: [Int: String] = [:]
        for piece in xml.components(separatedBy: "<row ").dropFirst() {
            let body = piece.components(separatedBy: "</row>")[0]
            guard let r = body.range(of: "r=\""), let n = Int(body[r.upperBound...].prefix { $0.isNumber }) else { continue }
            rows[n] = body
        }
        return rows
    }

    @Test("a sync that changes one row rewrites that row's line of the sync record's manifest, no other")
    func recordRewrittenWhereItChanged() async throws {
        let dir = try Paths.scratch()
        let location = StoreLocation.sqlite(path: "\(dir)/store.db")
        let a = try seedCopy(dir, "a.xlsx")
        let name = uniqueCampaign()
        _ = try await SyncRunner.sync(path: a, options: try options(location, campaign: name))
        try Openpyxl.edit(a, "wb['主跟踪表']['J4'] = 45000")
        let before = try Self.recordRows(a)
        let result = try await SyncRunner.sync(path: a, options: try options(location))
        #expect(result.exitCode == 0 && result.wroteWorkbook)
        let after = try Self.recordRows(a)
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        // Rows 1–6 are the record's head (the time of the sync among them); the edited task's row
        // id is on one line of the manifest below, and only that line changes there.
        let edited = try await storeRows(location, name, "master_tasks").first { $0.version == 2 }
        let line = try Self.lineOf(try #require(edited).id, in: a)
        #expect(line != nil && changed.filter { $0 > 6 } == [line!], "\(changed)")
        #expect(changed.contains(5), "the time of the sync")
        // And the record reads back as the store: every row at its version.
        let binding = try SyncBinding.read(try Workbook(path: a))
        for row in try await storeRows(location, name, "master_tasks") { #expect(binding.manifest[row.id]?.version == row.version) }
    }

    /// The record row holding `id` (through the shared strings, where the record keeps its texts).
    static func lineOf(_ id: String, in path: String) throws -> Int? {
        var found: Int?
        let book = try Workbook(path: path)
        let sheet = try #require(book.sheet(named: SyncBinding.sheetName))
        _ = try book.readSheet(sheet) { row in
            if case .string(let s)? = row.cell(at: 2)?.value, s == id { found = row.index }
        }
        return found
    }
}
