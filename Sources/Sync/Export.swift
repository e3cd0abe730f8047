import Foundation
import Store
import Templates
import Rules
import XLSX

public struct ExportResult: Sendable {
    public var campaign: CampaignRecord
    /// Rows written, by sheet name.
    public var rows: [String: Int]
}

public enum Exporter {
    /// A fresh workbook of a campaign from the store: the template's sheets with the store's rows
    /// in their order, each with its identity, bound to the campaign — ready for the next sync.
    public static func export(campaign name: String, store location: StoreLocation, to path: String,
                              language: Template.Language?, validation: ValidationOptions) async throws -> ExportResult {
        try await location.withOpened { store in try await export(campaign: name, store: store, to: path, language: language, validation: validation) }
    }

    static func export(campaign name: String, store: any CampaignStore, to path: String,
                       language: Template.Language?, validation: ValidationOptions) async throws -> ExportResult {
        let snap = try await store.read(campaign: name, history: [:])
        guard let campaign = snap.campaign else {
            let names = try await store.campaigns().map(\.name)
            throw StoreError(SyncMessage(.noCampaign, ["location": "\(store.location)", "campaign": "\(name)",
                                                       "campaigns": names.isEmpty ? .said(.noCampaignNone) : .list(names)]))
        }
        let template = try Template.builtin(campaign.template)
        let start = campaign.start ?? CalendarDate.today, end = campaign.end ?? start
        var o = CampaignWorkbook.Options(campaign: campaign.name, start: start, end: max(start, end), language: language ?? .zh)
        let tables = StoreSchema.builtin.filter { $0.templateID == template.id }
        for t in tables { o.data[t.sheetID] = [] }
        o.blankRows = max(20, (snap.rows.values.map(\.count).max() ?? 0) + 5)
        // Made beside the output, then the store's rows are pulled into it by the sync's own writer.
        let blank = PackageWriter.stagingPath(for: path) + ".blank"
        defer { unlink(blank) }
        try CampaignWorkbook.generate(template, o, to: blank)
        let book = try SyncBook.read(path: blank, options: validation)
        var binding = SyncBinding()
        binding.campaign = campaign.name
        binding.campaignID = campaign.id
        let plan = SyncPlanner.plan(sheets: book.sheets, binding: binding, snapshot: snap, prefer: nil)
        try WorkbookSync.write(book: book, plan: plan, campaign: campaign, store: store.location, to: path, options: validation)
        var rows: [String: Int] = [:]
        for s in plan.summaries { rows[s.sheet] = s.workbookInserts }
        return ExportResult(campaign: campaign, rows: rows)
    }
}

