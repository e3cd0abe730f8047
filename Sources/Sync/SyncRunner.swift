import Foundation
import Store
import Templates
import Rules
import XLSX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct SyncOptions: Sendable {
    public var store: StoreLocation
    public var campaign: String?
    public var dryRun = false
    public var prefer: Prefer?
    public var validation: ValidationOptions
    public var who = SyncContext.currentUser
    /// Called after the workbook is staged and the store changes are applied, before the commit:
    /// tests make a sync fail there to prove that neither side changes.
    public var beforeCommit: (@Sendable () throws -> Void)?
    /// Writes the merge to a copy and recalculates that, as syncs whose rows move do: tests
    /// compare it with the single pass every other sync makes.
    var mergedCopy = false

    public init(store: StoreLocation, campaign: String? = nil, dryRun: Bool = false, prefer: Prefer? = nil, validation: ValidationOptions) {
        self.store = store; self.campaign = campaign; self.dryRun = dryRun; self.prefer = prefer; self.validation = validation
    }
}

public struct SyncResult: Sendable {
    public var path: String
    public var campaign: String
    public var store: String
    public var plan: SyncPlan
    public var dryRun: Bool
    /// Validation errors: those cells were not pushed.
    public var diagnostics: [Diagnostic]
    public var isChinese: Bool
    /// True when the workbook was rewritten; false for a dry run, a no-op or unresolved conflicts.
    public var wroteWorkbook = false
    public var wroteStore = false
    /// Cells whose store value is longer than a cell holds (32,767 characters): not written.
    public var tooLong: [String] = []
    /// This sync made the SQLite store's file (it was not there before).
    public var createdStore = false
    /// A dry run against a SQLite store that is not there yet: planned against an empty store,
    /// and nothing was created (only a sync that writes creates a store).
    public var storeAbsent = false
    /// Told unchanged by its stamp (`SyncRunner.unchanged`), not merged: for tests.
    var unchangedByStamp = false

    /// 0 clean, 1 conflicts left or invalid cells not pushed.
    public var exitCode: Int32 {
        plan.unresolved.isEmpty && !diagnostics.contains { $0.severity == .error } && tooLong.isEmpty ? 0 : 1
    }
}

public enum SyncRunner {
    /// The sync of a workbook no one has changed since a sync wrote it, against a campaign no one
    /// has changed since (`SyncStamp`): the workbook is checked as `validate` checks it and every
    /// sheet reported unchanged — what the merge would find, without reading the sync record or
    /// the store's rows. nil when that cannot be told, and the sync merges as always.
    static func unchanged(path: String, options: SyncOptions) async throws -> SyncResult? {
        guard let stamp = SyncStamp.current(of: PackageWriter.resolvingLinks(path)), options.campaign == nil || options.campaign == stamp.campaign,
              !options.store.isAbsentFile else { return nil }
        // The workbook's tables, from its headers alone (the rows are read below, by the check).
        let book = try CampaignBook(path: path, templates: options.validation.templates)
        guard let template = book.template, template.id == stamp.template, book.groups.count <= 1, book.ambiguity == nil else { return nil }
        let tables = book.mappings.compactMap { m in StoreSchema.table(template: template.id, sheet: m.templateSheet).map { (m.sheetName, $0.name) } }
        let found: (String, CampaignRecord?, String?)?
        do {
            found = try await options.store.withOpened(migrating: false) { store in
                guard let c = try await store.campaigns().first(where: { $0.name == stamp.campaign }), c.id == stamp.campaignID,
                      c.version == stamp.version else { return (store.location, nil, nil) }
                return (store.location, c, try await store.rowVersionsDigest(campaignID: c.id, tables: tables.map(\.1)))
            }
        } catch let e as StoreError where e.unreachable {
            // The merge would wait for the same server as long again, and fail the same way.
            throw e
        } catch {
            found = nil // a store the merge may still make sense of (made anew, not migrated yet)
        }
        guard let (location, campaign, rows) = found, let campaign, location == stamp.store, rows == stamp.rows else { return nil }
        let report = try Validator(book: book, options: options.validation).report(path: path)
        var plan = SyncPlan()
        plan.campaign = campaign
        plan.summaries = tables.map { SheetSummary(sheet: $0.0, table: $0.1) }
        var result = SyncResult(path: path, campaign: campaign.name, store: location, plan: plan, dryRun: options.dryRun,
                                diagnostics: report.diagnostics, isChinese: book.isChinese)
        result.unchangedByStamp = true
        return result
    }

    /// Every campaign of the workbook synced: one result for most workbooks; one per campaign for a
    /// workbook holding several (618主跟踪表 and 双11主跟踪表), each bound to a campaign of its own and
    /// synced in its own transaction, one after the other (a failure leaves the campaigns before it
    /// synced and changes nothing of its own or those after it).
    public static func syncAll(path: String, options: SyncOptions) async throws -> [SyncResult] {
        if let result = try await unchanged(path: path, options: options) { return [result] }
        let prefetch = Prefetch(location: options.store, option: options.campaign, enabled: !options.dryRun)
        let book: SyncBook
        do {
            Phases.mark("start")
            book = try SyncBook.read(path: path, options: options.validation, onBound: prefetch.start)
            Phases.mark("read")
        } catch {
            _ = await prefetch.snapshot(for: nil)
            throw error
        }
        guard book.groupCount > 1 else {
            let name: String
            do { name = try campaignName(book, option: options.campaign, path: path) } catch {
                _ = await prefetch.snapshot(for: nil)
                throw error
            }
            let early = await prefetch.snapshot(for: name)
            let result = try await syncOne(book: book, name: name, path: path, options: options, prefetched: early)
            // The workbook's rows and the store's — hundreds of thousands of values — are freed on a
            // thread of their own: one by one they took about 0.05 s of a 0.75 s no-op sync of 50,000
            // rows, after its work was done.
            let garbage = (book, early)
            Thread.detachNewThread { withExtendedLifetime(garbage) {} }
            return [result]
        }
        _ = await prefetch.snapshot(for: nil)
        if let c = options.campaign {
            throw StoreError(SyncMessage(.campaignOptionWithSeveral, ["path": "\(path)", "count": "\(book.groupCount)", "campaign": "\(c)"]))
        }
        let most = Limits.default.maxCampaignsPerSync
        if book.groupCount > most {
            throw StoreError(SyncMessage(.tooManyCampaigns, ["path": "\(path)", "count": "\(book.groupCount)", "most": "\(most)"]))
        }
        var results: [SyncResult] = []
        var names: Set<String> = []
        for g in 0..<book.groupCount {
            // Read again: the campaign before rewrote the workbook.
            let groupBook = g == 0 ? book : try SyncBook.read(path: path, options: options.validation, group: g)
            let file = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            var name = groupBook.binding.campaign ?? groupBook.titleCampaign ?? groupBook.sheetCampaign.map { "\(file) \($0)" } ?? "\(file) \(g + 1)"
            if names.contains(name) { name += " \(g + 1)" }
            names.insert(name)
            results.append(try await syncOne(book: groupBook, name: name, path: path, options: options))
        }
        return results
    }

    /// Reads the workbook, merges it with the store in one transaction and writes both — or, with
    /// `dryRun`, only computes the plan. A failure anywhere changes neither side. (A workbook of
    /// several campaigns: the first campaign's result; `syncAll` gives them all.)
    public static func sync(path: String, options: SyncOptions) async throws -> SyncResult {
        try await syncAll(path: path, options: options)[0]
    }

    /// One campaign's sync with the store opened for it — or, for a dry run against a SQLite store
    /// that is not there yet, planned against an empty one without creating it (only a sync that
    /// writes creates a store, and the result says when it did).
    static func syncOne(book: SyncBook, name: String, path: String, options: SyncOptions, prefetched: StoreSnapshot? = nil) async throws -> SyncResult {
        let absent = options.store.isAbsentFile
        if absent && options.dryRun {
            var result = try dryRun(book: book, name: name, path: path, location: options.store.redacted, snapshot: StoreSnapshot(), options: options)
            result.storeAbsent = true
            return result
        }
        var result = try await options.store.withOpened { store in
            try await sync(book: book, name: name, path: path, store: store, options: options, prefetched: prefetched)
        }
        result.createdStore = absent && !options.store.isAbsentFile
        return result
    }

    /// The plan alone, against `snapshot` (the store's, or an empty one for a store not made yet).
    static func dryRun(book: SyncBook, name: String, path: String, location: String, snapshot: StoreSnapshot,
                       options: SyncOptions) throws -> SyncResult {
        var result = SyncResult(path: path, campaign: name, store: location, plan: SyncPlan(), dryRun: true,
                                diagnostics: book.report.diagnostics, isChinese: book.isChinese)
        try checkTemplate(snapshot.campaign, book)
        result.plan = SyncPlanner.plan(sheets: book.sheets, binding: book.binding, snapshot: snapshot, prefer: options.prefer)
        try refuseDisplaced(result.plan, path: path)
        return result
    }

    static func sync(book: SyncBook, name: String, path: String, store: any CampaignStore, options: SyncOptions,
                     prefetched: StoreSnapshot? = nil) async throws -> SyncResult {
        // An ROI definition given once (`--roi`) is kept in the sync record for the syncs after it.
        var told = book, options = options
        if options.validation.roi == nil { options.validation.roi = told.binding.roi }
        told.roi = options.validation.roi
        let book = told
        if options.dryRun {
            let snap = try await store.read(campaign: name, history: book.binding.history)
            return try dryRun(book: book, name: name, path: path, location: store.location, snapshot: snap, options: options)
        }
        var result = SyncResult(path: path, campaign: name, store: store.location, plan: SyncPlan(), dryRun: options.dryRun,
                                diagnostics: book.report.diagnostics, isChinese: book.isChinese)
        let spec = CampaignSpec(name: name, template: book.template.id, start: book.period.start, end: book.period.end)
        let context = SyncContext(who: options.who, workbook: (path as NSString).lastPathComponent)
        // Through a link, the file it names is replaced (the link stays).
        let target = PackageWriter.resolvingLinks(path)
        let staged = PackageWriter.stagingPath(for: target)
        PackageWriter.removeLeftovers(beside: target)
        // In order: lock and read the campaign, plan, apply the store's side, write the workbook
        // beside the original, commit, then put the workbook in place. A failure before the commit
        // leaves both sides as they were; after it, the next sync finishes the job.
        let tx = try await store.begin(campaign: spec, history: book.binding.history, prefetched: prefetched, context: context)
        Phases.mark("store read")
        let plan: SyncPlan
        var written: BackgroundWork<[String]>?
        do {
            try checkTemplate(tx.snapshot.campaign, book)
            plan = SyncPlanner.plan(sheets: book.sheets, binding: book.binding, snapshot: tx.snapshot, prefer: options.prefer)
            Phases.mark("plan")
            try refuseDisplaced(plan, path: path)
            if !plan.unresolved.isEmpty {
                // Conflicts left for the user: nothing changes on either side.
                await tx.rollback()
                result.plan = plan
                return result
            }
            // The workbook is written beside the original while the store applies its side (the
            // two do not depend on each other: the plan says what each gets); the commit waits for both.
            let validation = options.validation, mergedCopy = options.mergedCopy, location = store.location
            // The campaign's version once this commits (the store's side raises it by one), for the stamp.
            let stamp = book.groupCount > 1 ? nil : plan.campaign.map {
                SyncStamp(campaign: $0.name, campaignID: $0.id, version: $0.version + (plan.changesStore ? 1 : 0), store: location,
                          template: book.template.id, rows: RowVersions.digest(plan.manifest))
            }
            let writing = plan.changesWorkbook ? plan.campaign.map { campaign in
                BackgroundWork { try WorkbookSync.write(book: book, plan: plan, campaign: campaign, store: location, to: staged,
                                                        options: validation, mergedCopy: mergedCopy, stamp: stamp) }
            } : nil
            written = writing
            try await tx.apply(plan.store)
            Phases.mark("store apply")
            if let writing { result.tooLong = try writing.value() }
            try options.beforeCommit?()
            try await tx.commit()
            Phases.mark("commit")
        } catch {
            // A workbook still being written is waited for, so that nothing is left beside the original.
            _ = try? written?.value()
            await tx.rollback()
            unlink(staged)
            throw error
        }
        result.plan = plan
        result.wroteStore = plan.changesStore
        if plan.changesWorkbook {
            PackageWriter.keepMode(of: target, on: staged)
            guard rename(staged, target) == 0 else {
                throw StoreError(SyncMessage(.workbookNotReplaced, ["path": "\(path)", "why": "\(String(cString: strerror(errno)))", "staged": "\(staged)"]))
            }
            PackageWriter.syncDirectory(of: target)
            result.wroteWorkbook = true
        }
        return result
    }

    /// Rows whose ids a sort left behind would write one task's values onto another: refused whole.
    static func refuseDisplaced(_ plan: SyncPlan, path: String) throws {
        guard let d = plan.displaced.first else { return }
        throw StoreError(SyncMessage(.rowsSortedWithoutIDs, ["path": "\(path)", "sheet": "\(d.sheet)", "rows": .list(d.rows.prefix(8).map(String.init))]))
    }

    /// A campaign of another template cannot take this workbook's rows (checked on what the
    /// transaction read, so no other sync can create it in between).
    static func checkTemplate(_ campaign: CampaignRecord?, _ book: SyncBook) throws {
        guard let c = campaign, c.template != book.template.id else { return }
        throw StoreError(SyncMessage(.templateDiffers, ["campaign": "\(c.name)", "stored": "\(c.template)", "template": "\(book.template.id)"]))
    }

    /// The campaign a workbook syncs with: `--campaign`, else its binding, else what `tracksheet new`
    /// recorded, else the campaign its title names, else its file name.
    static func campaignName(_ book: SyncBook, option: String?, path: String) throws -> String {
        if let bound = book.binding.campaign, let option, option != bound {
            throw StoreError(SyncMessage(.boundToAnother, ["bound": "\(bound)", "campaign": "\(option)"]))
        }
        let name = option ?? book.binding.campaign ?? book.campaignProperty ?? book.titleCampaign
            ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw StoreError(SyncMessage(.campaignNameInvalid, ["campaign": "\(name)"]))
        }
        return trimmed
    }
}

/// A campaign's rows read from the store while the workbook is still being checked: started from
/// the thread that reads the workbook's sync record as soon as that names the campaign, so the
/// store's reading overlaps the sheet's checking instead of following it (a fifth of a no-op
/// sync of 50,000 rows). The sync's transaction uses it only if the campaign's version has not
/// moved since (`SQLStoreCore.transaction`); a store that is not there yet, or any error, and
/// the rows are read in the transaction as before.
/// @unchecked Sendable: `task` is touched only under `lock`; the rest is constant.
final class Prefetch: @unchecked Sendable {
    private let lock = NSLock()
    private var task: (name: String, work: Task<StoreSnapshot, Error>)?
    private let location: StoreLocation, option: String?, enabled: Bool

    init(location: StoreLocation, option: String?, enabled: Bool) {
        self.location = location
        self.option = option
        self.enabled = enabled
    }

    /// From the reading thread: the campaign the workbook is bound to (nil: none).
    func start(bound: String?) {
        let name = (option ?? bound)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard enabled, !name.isEmpty else { return }
        // Never creates a store: an SQLite file that is not there is left to the sync to create.
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) { return }
        let location = self.location
        let work = Task { try await location.withOpened(migrating: false) { try await $0.read(campaign: name, history: [:]) } }
        lock.withLock { if task == nil { task = (name, work) } else { work.cancel() } }
    }

    /// The rows read for `name` (nil: none were read, or for another name, or the reading failed
    /// or is not done `patience` after the workbook was: a server that does not answer is waited
    /// for once, by the sync itself, not twice). A reading cut short is cancelled.
    func snapshot(for name: String?, patience: Duration = .seconds(1)) async -> StoreSnapshot? {
        guard let t = lock.withLock({ task }) else { return nil }
        let work = t.work
        // A race, not a task group: a group would wait for its losing child, and a connection
        // attempt may not heed cancellation.
        let snap: StoreSnapshot? = await withCheckedContinuation { done in
            let first = First()
            Task { let s = try? await work.value; if first.claim() { done.resume(returning: s) } }
            Task { try? await Task.sleep(for: patience); if first.claim() { done.resume(returning: nil) } }
        }
        if snap == nil { work.cancel() }
        return t.name == name ? snap : nil
    }

    /// True for the first caller only. @unchecked Sendable: `taken` is touched only under `lock`.
    private final class First: @unchecked Sendable {
        private let lock = NSLock()
        private var taken = false
        func claim() -> Bool { lock.withLock { defer { taken = true }; return !taken } }
    }
}
