import Testing
@testable import Store
@testable import Sync
@testable import Templates
import TestSupport

/// The three-way merge as a table: the workbook's rows, the store's, what the last sync saw (the
/// base) and `--prefer`, against the changes and conflicts `SyncPlanner.plan` returns. No database,
/// no file: the planner is a pure function, and every case of the merge is one row here.
///
/// Each case starts from the same synced state unless it says otherwise: the store holds rows `a`
/// (KOL, 100) and `b` (素材, 200) at version 1, the workbook holds them at sheet rows 3 and 4, and
/// its record says it last synced both at version 1. Values are 关键任务 (column C) and 实际支出 (J).
@Suite struct PlannerTests {
    typealias Values = (task: String, spend: Double?)

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var workbook: [(id: String?, row: Int, task: String, spend: Double?)] = [("a", 3, "KOL", 100), ("b", 4, "素材", 200)]
        var store: [(id: String, version: Int, position: Int, task: String, spend: Double?)] = [("a", 1, 0, "KOL", 100), ("b", 1, 1, "素材", 200)]
        /// The workbook's record: id → version it last synced (nil: no record of this store).
        var synced: [String: Int]? = ["a": 1, "b": 1]
        /// The values of the synced version of rows the store has moved on from (or deleted).
        var base: [String: Values] = [:]
        /// Columns of a row that failed validation (not merged), by sheet row.
        var skipped: [Int: Set<String>] = [:]
        var prefer: Prefer? = nil
        var workbookChanges: [String] = []
        var storeChanges: [String] = []
        var conflicts: [String] = []
        var displaced: [Int] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unchanged on both sides: nothing to do"),
        Case(name: "edited in the workbook: the store takes it",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], storeChanges: ["update a KOL/150"]),
        Case(name: "edited in the store: the workbook takes it",
             store: [("a", 2, 0, "KOL", 120), ("b", 1, 1, "素材", 200)], base: ["a": ("KOL", 100)], workbookChanges: ["set 3 spend 120"]),
        Case(name: "the same edit on both sides: nothing to merge",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], store: [("a", 2, 0, "KOL", 150), ("b", 1, 1, "素材", 200)],
             base: ["a": ("KOL", 100)]),
        Case(name: "different edits of one cell: a conflict, nothing changes",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], store: [("a", 2, 0, "KOL", 120), ("b", 1, 1, "素材", 200)],
             base: ["a": ("KOL", 100)], conflicts: ["both-changed J3"]),
        Case(name: "different edits, --prefer workbook: the store takes the workbook's",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], store: [("a", 2, 0, "KOL", 120), ("b", 1, 1, "素材", 200)],
             base: ["a": ("KOL", 100)], prefer: .workbook, storeChanges: ["update a KOL/150"], conflicts: ["both-changed J3 → workbook"]),
        Case(name: "different edits, --prefer store: the workbook takes the store's",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], store: [("a", 2, 0, "KOL", 120), ("b", 1, 1, "素材", 200)],
             base: ["a": ("KOL", 100)], prefer: .store, workbookChanges: ["set 3 spend 120"], conflicts: ["both-changed J3 → store"]),
        Case(name: "edits of different cells of a row: both kept",
             workbook: [("a", 3, "KOL达人", 100), ("b", 4, "素材", 200)], store: [("a", 2, 0, "KOL", 120), ("b", 1, 1, "素材", 200)],
             base: ["a": ("KOL", 100)], workbookChanges: ["set 3 spend 120"], storeChanges: ["update a KOL达人/120"]),
        Case(name: "no record of the last sync and the sides differ: a conflict",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], synced: nil, conflicts: ["no-base J3"]),
        Case(name: "a new row in the workbook: inserted, and the row gets its id",
             workbook: [("a", 3, "KOL", 100), ("b", 4, "素材", 200), (nil, 5, "直播", 300)],
             workbookChanges: ["identify 5 new"], storeChanges: ["insert 直播/300"]),
        Case(name: "an id pasted from elsewhere that neither side knows: a new row",
             workbook: [("a", 3, "KOL", 100), ("b", 4, "素材", 200), ("zz", 5, "直播", 300)],
             workbookChanges: ["identify 5 new"], storeChanges: ["insert 直播/300"]),
        Case(name: "deleted in the store, untouched here: deleted here",
             store: [("a", 1, 0, "KOL", 100)], base: ["b": ("素材", 200)], workbookChanges: ["delete 4"]),
        Case(name: "deleted in the store, edited here: a conflict",
             workbook: [("a", 3, "KOL", 100), ("b", 4, "素材", 250)], store: [("a", 1, 0, "KOL", 100)], base: ["b": ("素材", 200)],
             conflicts: ["deleted-in-store 4:4"]),
        Case(name: "deleted in the store, edited here, --prefer store: deleted here",
             workbook: [("a", 3, "KOL", 100), ("b", 4, "素材", 250)], store: [("a", 1, 0, "KOL", 100)], base: ["b": ("素材", 200)],
             prefer: .store, workbookChanges: ["delete 4"], conflicts: ["deleted-in-store 4:4 → store"]),
        Case(name: "deleted in the store, edited here, --prefer workbook: back in the store under a new id",
             workbook: [("a", 3, "KOL", 100), ("b", 4, "素材", 250)], store: [("a", 1, 0, "KOL", 100)], base: ["b": ("素材", 200)],
             prefer: .workbook, workbookChanges: ["identify 4 new"], storeChanges: ["insert 素材/250"], conflicts: ["deleted-in-store 4:4 → workbook"]),
        Case(name: "deleted here, untouched in the store: deleted in the store",
             workbook: [("a", 3, "KOL", 100)], storeChanges: ["delete b"]),
        Case(name: "deleted here, edited in the store: a conflict",
             workbook: [("a", 3, "KOL", 100)], store: [("a", 1, 0, "KOL", 100), ("b", 2, 1, "素材", 220)], base: ["b": ("素材", 200)],
             conflicts: ["deleted-in-workbook -"]),
        Case(name: "deleted here, edited in the store, --prefer workbook: deleted in the store",
             workbook: [("a", 3, "KOL", 100)], store: [("a", 1, 0, "KOL", 100), ("b", 2, 1, "素材", 220)], base: ["b": ("素材", 200)],
             prefer: .workbook, storeChanges: ["delete b"], conflicts: ["deleted-in-workbook - → workbook"]),
        Case(name: "deleted here, edited in the store, --prefer store: back in the workbook",
             workbook: [("a", 3, "KOL", 100)], store: [("a", 1, 0, "KOL", 100), ("b", 2, 1, "素材", 220)], base: ["b": ("素材", 200)],
             prefer: .store, workbookChanges: ["append b"], conflicts: ["deleted-in-workbook - → store"]),
        Case(name: "a row new in the store: appended here",
             store: [("a", 1, 0, "KOL", 100), ("b", 1, 1, "素材", 200), ("c", 1, 2, "直播", 300)], workbookChanges: ["append c"]),
        Case(name: "a copied row: the copy is a new row",
             workbook: [("a", 3, "KOL", 100), ("b", 4, "素材", 200), ("a", 5, "KOL", 100)],
             workbookChanges: ["identify 5 new"], storeChanges: ["insert KOL/100"]),
        Case(name: "a copied row edited: the copy closer to the base keeps the id",
             workbook: [("a", 3, "KOL", 180), ("b", 4, "素材", 200), ("a", 5, "KOL", 100)],
             workbookChanges: ["identify 3 new"], storeChanges: ["insert KOL/180", "move a 2"]),
        Case(name: "rows moved: their order kept, no new version",
             workbook: [("b", 3, "素材", 200), ("a", 4, "KOL", 100)], storeChanges: ["move b 0", "move a 1"]),
        Case(name: "sorted without the hidden id column: the ids left behind, nothing merged",
             workbook: [("a", 3, "素材", 200), ("b", 4, "KOL", 100)], storeChanges: ["update a 素材/200", "update b KOL/100"],
             displaced: [3, 4]),
        Case(name: "a cell that fails validation is not merged",
             workbook: [("a", 3, "KOL", 150), ("b", 4, "素材", 200)], skipped: [3: ["spend"]]),
    ]

    static let table = StoreSchema.table(template: "marketing-plan", sheet: "master")!

    static func values(_ task: String, _ spend: Double?) -> RowValues {
        var v = table.emptyRow()
        v["task"] = .text(task)
        v["spend"] = spend.map(StoreValue.number)
        return v
    }

    static func describe(_ v: RowValues) -> String {
        "\(v["task"].map(\.description) ?? "")/\(v["spend"].map(\.description) ?? "")"
    }

    @Test(arguments: cases)
    func merge(_ c: Case) {
        let t = Self.table
        let mapping = SheetMapping(sheetName: "主跟踪表", templateID: "marketing-plan", templateSheet: "master", headerRow: 2, firstHeaderRow: 2,
                                   columns: ["task": 3, "spend": 10], extra: [], missingRequired: [], missingOptional: [], score: 1)
        let rows = c.workbook.map { r in
            SyncedRow(id: r.id, sheetRow: r.row, values: Self.values(r.task, r.spend), skipped: c.skipped[r.row] ?? [],
                      styles: KeyedRow<Int>(t.keys), inherited: [])
        }
        let sheet = SyncedSheet(table: t, mapping: mapping, rows: rows, presentKeys: ["task", "spend"], idColumn: 19, idColumnExists: true,
                                lastRow: c.workbook.map(\.row).max() ?? 2)
        var binding = SyncBinding()
        binding.campaign = "618"
        binding.campaignID = c.synced == nil ? nil : "c1"
        binding.manifest = (c.synced ?? [:]).mapValues { (t.name, $0, 0) }
        binding.exists = true
        var snapshot = StoreSnapshot(campaign: CampaignRecord(id: "c1", name: "618", template: "marketing-plan", start: nil, end: nil, version: 1))
        snapshot.rows[t.name] = Dictionary(uniqueKeysWithValues: c.store.map { s in
            (s.id, StoreRow(id: s.id, version: s.version, position: s.position, values: Self.values(s.task, s.spend)))
        })
        snapshot.base = c.base.mapValues { Self.values($0.task, $0.spend) }

        let plan = SyncPlanner.plan(sheets: [sheet], binding: binding, snapshot: snapshot, prefer: c.prefer)

        let known = Set(c.store.map(\.id))
        let workbook = (plan.workbook[sheet.name] ?? []).map { change -> String in
            switch change {
            case .set(let row, let key, let value): "set \(row) \(key) \(value.map(\.description) ?? "blank")"
            case .identify(let row, let id): "identify \(row) \(known.contains(id) ? id : "new")"
            case .delete(let row): "delete \(row)"
            case .append(let id, _): "append \(id)"
            }
        }
        let store = plan.store.inserts.map { "insert \(Self.describe($0.row.values))" }
            + plan.store.updates.map { "update \($0.id) \(Self.describe($0.values))" }
            + plan.store.deletes.map { "delete \($0.id)" }
            + plan.store.moves.map { "move \($0.id) \($0.position)" }
        let conflicts = plan.conflicts.map { "\($0.kind.rawValue) \($0.place ?? "-")" + ($0.resolvedBy.map { " → \($0.rawValue)" } ?? "") }
        #expect(workbook == c.workbookChanges)
        #expect(store == c.storeChanges)
        #expect(conflicts == c.conflicts)
        #expect(plan.displaced.flatMap(\.rows) == c.displaced)
        // Each change to the store is in the change log: a row inserted or deleted once, an update per cell.
        let logged = plan.store.log.filter { $0.action != .update }.count
        #expect(logged == plan.store.inserts.count + plan.store.deletes.count)
        // After the sync the workbook's record holds every row it keeps, with the version it then matches.
        let kept = Set(plan.manifest.map(\.id))
        for s in c.store where !plan.store.deletes.contains(where: { $0.id == s.id }) && (workbook.contains("append \(s.id)") || c.workbook.contains { $0.id == s.id }) {
            #expect(kept.contains(s.id), "\(s.id) kept but not in the record")
        }
    }

    /// The same edit on both sides moves the workbook's record to the store's version, so the next
    /// sync has nothing to do.
    @Test func theRecordFollowsTheStoresVersion() {
        let c = Self.cases[3]
        let t = Self.table
        let mapping = SheetMapping(sheetName: "主跟踪表", templateID: "marketing-plan", templateSheet: "master", headerRow: 2, firstHeaderRow: 2,
                                   columns: ["task": 3, "spend": 10], extra: [], missingRequired: [], missingOptional: [], score: 1)
        let rows = c.workbook.map { SyncedRow(id: $0.id, sheetRow: $0.row, values: Self.values($0.task, $0.spend), skipped: [], styles: KeyedRow<Int>(t.keys), inherited: []) }
        let sheet = SyncedSheet(table: t, mapping: mapping, rows: rows, presentKeys: ["task", "spend"], idColumn: 19, idColumnExists: true, lastRow: 4)
        var binding = SyncBinding()
        binding.campaignID = "c1"
        binding.manifest = ["a": (t.name, 1, 0), "b": (t.name, 1, 0)]
        binding.exists = true
        var snapshot = StoreSnapshot(campaign: CampaignRecord(id: "c1", name: "618", template: "marketing-plan", start: nil, end: nil, version: 1))
        snapshot.rows[t.name] = Dictionary(uniqueKeysWithValues: c.store.map { ($0.id, StoreRow(id: $0.id, version: $0.version, position: $0.position, values: Self.values($0.task, $0.spend))) })
        snapshot.base = c.base.mapValues { Self.values($0.task, $0.spend) }
        let plan = SyncPlanner.plan(sheets: [sheet], binding: binding, snapshot: snapshot, prefer: nil)
        #expect(plan.manifestChanged && !plan.changesStore && plan.workbook[sheet.name]?.isEmpty == true)
        #expect(plan.manifest.first { $0.id == "a" }?.version == 2)
    }
}

@Suite("A sync's messages")
struct SyncMessageTests {
    @Test func catalogsHaveEveryKeyInBothLanguages() { MessageCatalogs.check(SyncMessageKey.self) }

    @Test func listsAreJoinedAsEachLanguageWritesThem() {
        let none = SyncMessage(.noCampaign, ["location": "sqlite:a.db", "campaign": "618", "campaigns": .said(.noCampaignNone)])
        #expect(none.english == "the store sqlite:a.db has no campaign \"618\" (campaigns: none)")
        #expect(none.chinese == "存储库 sqlite:a.db 中没有活动“618”(现有活动:无)")
        let two = SyncMessage(.noCampaign, ["location": "sqlite:a.db", "campaign": "618", "campaigns": .list(["双11", "年货节"])])
        #expect(two.english.hasSuffix("(campaigns: 双11, 年货节)") && two.chinese.hasSuffix("(现有活动:双11、年货节)"))
    }
}
