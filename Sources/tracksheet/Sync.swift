import ArgumentParser
import Dispatch
import Foundation
import Store
import Sync
import Templates
import Rules
import XLSX

/// `tracksheet sync FILE.xlsx [--store URL] [--campaign NAME] [--dry-run] [--prefer workbook|store] [--format text|json]`
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Merge a workbook with the store, cell by cell, and write both sides.",
        discussion: """
        A three-way merge of the workbook, the store and what both held at the last sync: a cell changed on one side \
        takes that side's value; a cell changed on both sides is a conflict, reported with both values (exit 1) and \
        left for you to settle: edit one side, or run again with --prefer. Nothing changes on either side while \
        conflicts remain. Rows keep their identity in a hidden column when you sort, insert, move or delete rows; \
        a copied row is a new row. Cells that fail validation are not pushed (exit 1).
        Store: --store PATH, sqlite:PATH or postgres://user:password@host/db; else $TRACKSHEET_STORE; \
        else tracksheet.db beside the workbook.
        """)

    @Argument(help: "The workbook (.xlsx).")
    var file: String

    @Option(help: "The store: a SQLite path, sqlite:PATH or postgres://... (default: $TRACKSHEET_STORE, else tracksheet.db beside the workbook).")
    var store: String?

    @Option(help: "The campaign to bind the workbook to at its first sync (default: the one it was made for, else its file name).")
    var campaign: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan (inserts, updates, deletes, conflicts per sheet) and change nothing.")
    var dryRun = false

    @Option(help: "Settle conflicts: workbook or store.")
    var prefer: PreferArgument?

    @Option(help: "Output format: text or json.")
    var format: Inspect.OutputFormat = .text

    @Option(help: "ROI definition for the recalculated ROI: ratio (incremental sales / cost) or net ((revenue - cost) / cost); kept in the sync record for later syncs (default: the record's, else what the workbook's values follow, else the template's).")
    var roi: Recalc.RoiDefinition?

    @Flag(help: "Also replace formulas of your own in derived columns when recalculating (they are kept otherwise).")
    var force = false

    @Flag(name: .customLong("no-dashboard"), help: "Do not add or refresh the dashboard and Gantt sheets when the workbook is written.")
    var noDashboard = false

    @OptionGroup var campaignArguments: CampaignArguments

    @OptionGroup var common: CommonOptions

    enum PreferArgument: String, ExpressibleByArgument { case workbook, store }

    func run() throws {
        let speech = common.speech
        guard FileManager.default.fileExists(atPath: file) else {
            Output.fail(speech.say(.noSuchFile, ["file": "\(file)"]))
        }
        var options = SyncOptions(store: StoreLocation.resolve(store, workbook: file), campaign: campaign, dryRun: dryRun,
                                  prefer: prefer.flatMap { Prefer(rawValue: $0.rawValue) }, validation: try campaignArguments.options(roi: roi?.rawValue, speech: speech))
        options.validation.replaceOwnFormulas = force
        options.validation.dashboard = !noDashboard
        options.who = SyncContext.currentUser
        let file = self.file, fixed = options
        let results = try blocking(speech) { try await SyncRunner.syncAll(path: file, options: fixed) }
        guard let first = results.first else { return }
        let zh = common.chinese(workbook: first.isChinese)
        if format == .json {
            // One object for a workbook of one campaign; an array of them for a workbook of several.
            print(results.count == 1 ? Self.json(first, chinese: zh) : "[" + results.map { Self.json($0, chinese: zh) }.joined(separator: ",") + "]")
        } else {
            for (i, r) in results.enumerated() {
                if i > 0 { print() }
                printText(r, chinese: zh)
            }
        }
        let code = results.map(\.exitCode).max() ?? 0
        if code != 0 { throw ExitCode(code) }
    }

    func printText(_ r: SyncResult, chinese zh: Bool) {
        let path = Output.safe(r.path, max: 1_000), campaign = Output.safe(r.campaign, max: 100)
        func say(_ key: CommandMessageKey, _ values: [String: Line.Value] = [:]) -> String { words(key, values, chinese: zh) }
        print(say(.syncHeading, ["path": "\(path)", "store": "\(r.store)", "campaign": "\(campaign)", "asOf": .message(campaignArguments.asOfNote),
                                 "dryRun": r.dryRun ? .said(.syncDryRun) : ""]))
        if r.storeAbsent { print(say(.syncStoreAbsent)) }
        if r.createdStore { print(say(.syncStoreCreated, ["store": "\(r.store)"])) }
        for s in r.plan.summaries {
            var parts: [String] = []
            if s.storeInserts + s.storeUpdates + s.storeDeletes > 0 {
                parts.append(say(.syncStoreChanges, ["inserts": "\(s.storeInserts)", "updates": "\(s.storeUpdates)", "cells": "\(s.storeCells)",
                                                     "deletes": "\(s.storeDeletes)"]))
            }
            if s.workbookInserts + s.workbookUpdates + s.workbookDeletes > 0 {
                parts.append(say(.syncWorkbookChanges, ["inserts": "\(s.workbookInserts)", "updates": "\(s.workbookUpdates)",
                                                        "cells": "\(s.workbookCells)", "deletes": "\(s.workbookDeletes)"]))
            }
            if s.moved > 0 { parts.append(say(.syncMoved, ["count": "\(s.moved)"])) }
            if s.conflicts > 0 { parts.append(say(.syncConflictCount, ["count": "\(s.conflicts)"])) }
            print("  \(Output.safe(s.sheet, max: 100)): \(parts.isEmpty ? say(.syncNoChange) : parts.joined(separator: say(.syncPartsSeparator)))")
        }
        let errors = r.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            print(say(.syncInvalidCells))
            for d in errors {
                print("  \(Output.safe(d.location, max: 120))\(d.header.map { "  " + Output.safe($0, max: 60) } ?? "")  \(Output.safe(d.message(chinese: zh), max: 1_000))  [\(d.rule)]")
            }
        }
        if !r.tooLong.isEmpty {
            let cells = r.tooLong.prefix(8).map { Output.safe($0, max: 120) }
            print(say(.syncTooLong, ["cells": .list(cells), "more": r.tooLong.count > 8 ? " …" : ""]))
        }
        if !r.plan.conflicts.isEmpty {
            print(say(.syncConflicts))
            for c in r.plan.conflicts {
                let how = c.resolvedBy.map { say(.syncSettledBy, ["side": "\($0.rawValue)"]) } ?? ""
                print("  \(Output.safe(c.location, max: 120))\(c.header.map { "  " + Output.safe($0, max: 60) } ?? "")  \(Output.safe(c.message(chinese: zh), max: 1_000))\(how)")
            }
        }
        if !r.plan.unresolved.isEmpty {
            print(say(.syncUnresolved, ["count": "\(r.plan.unresolved.count)"]))
        } else if r.dryRun {
            print(say(.syncDryRunDone))
        } else if !r.wroteStore && !r.wroteWorkbook {
            print(say(.syncAgree))
        } else {
            print(say(.syncDone, ["store": .said(r.wroteStore ? .syncStoreUpdated : .syncStoreUnchanged),
                                  "workbook": .said(r.wroteWorkbook ? .syncWorkbookWritten : .syncWorkbookUnchanged)]))
        }
    }

    static func json(_ r: SyncResult, chinese zh: Bool) -> String {
        func value(_ v: StoreValue?) -> JSONValue {
            switch v {
            case nil: .null
            case .number(let n)?: .number(n)
            case let other?: .string(other.description)
            }
        }
        let sheets: [JSONValue] = r.plan.summaries.map { s in
            .object([("sheet", .string(s.sheet)), ("table", .string(s.table)),
                     ("store", .object([("inserts", .number(Double(s.storeInserts))), ("updates", .number(Double(s.storeUpdates))),
                                        ("deletes", .number(Double(s.storeDeletes))), ("cells", .number(Double(s.storeCells)))])),
                     ("workbook", .object([("inserts", .number(Double(s.workbookInserts))), ("updates", .number(Double(s.workbookUpdates))),
                                           ("deletes", .number(Double(s.workbookDeletes))), ("cells", .number(Double(s.workbookCells)))])),
                     ("moved", .number(Double(s.moved))), ("conflicts", .number(Double(s.conflicts)))])
        }
        let conflicts: [JSONValue] = r.plan.conflicts.map { c in
            .object([("kind", .string(c.kind.rawValue)), ("sheet", .string(c.sheet)), ("cell", c.place.map(JSONValue.string) ?? .null),
                     // A row the workbook no longer holds gives its id as the column (as it always has).
                     ("column", (c.column ?? c.rowID).map(JSONValue.string) ?? .null), ("header", c.header.map(JSONValue.string) ?? .null), ("workbook", value(c.workbook)), ("store", value(c.store)),
                     ("resolvedBy", c.resolvedBy.map { .string($0.rawValue) } ?? .null), ("message", .string(c.message(chinese: zh)))])
        }
        let diagnostics: [JSONValue] = r.diagnostics.filter { $0.severity == .error }.map { d in
            .object([("rule", .string(d.rule.rawValue)), ("severity", .string(d.severity.rawValue)), ("sheet", .string(d.sheet)),
                     ("cell", d.cell.map { .string($0.description) } ?? .null), ("header", d.header.map(JSONValue.string) ?? .null),
                     ("value", Validate.json(d.value)), ("message", .string(d.message(chinese: zh)))])
        }
        var out = ""
        JSONValue.object([
            ("path", .string(r.path)), ("campaign", .string(r.campaign)), ("store", .string(r.store)), ("dryRun", .bool(r.dryRun)),
            ("sheets", .array(sheets)), ("conflicts", .array(conflicts)), ("notSynced", .array(diagnostics)),
            ("wroteStore", .bool(r.wroteStore)), ("wroteWorkbook", .bool(r.wroteWorkbook)),
            ("createdStore", .bool(r.createdStore)), ("storeAbsent", .bool(r.storeAbsent)), ("exitCode", .number(Double(r.exitCode))),
        ]).write(into: &out)
        return out
    }
}

/// `tracksheet export OUT.xlsx --campaign NAME [--store URL]`
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a fresh workbook of a campaign from the store, ready to fill in and sync.")

    @Argument(help: "The workbook to write (.xlsx).")
    var output: String

    @Option(help: "The campaign's name in the store.")
    var campaign: String

    @Option(help: "The store: a SQLite path, sqlite:PATH or postgres://... (default: $TRACKSHEET_STORE, else tracksheet.db beside OUT).")
    var store: String?

    @Flag(help: "Replace OUT if it exists.")
    var force = false

    @Flag(name: .customLong("no-dashboard"), help: "Do not add the dashboard and Gantt sheets.")
    var noDashboard = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let speech = common.speech
        if FileManager.default.fileExists(atPath: output) && !force {
            Output.fail(speech.say(.exportOutputExists, ["out": "\(output)"]))
        }
        let location = StoreLocation.resolve(store, workbook: output)
        // Only sync creates a store: a mistyped path is said as such, not made into an empty store.
        if case .sqlite(let path) = location, !path.isEmpty, !FileManager.default.fileExists(atPath: path) {
            Output.fail(speech.say(.noStoreThere, ["path": "\(path)"]))
        }
        var options = ValidationOptions(asOf: CalendarDate.today, templates: try Templates.all(extra: nil, speech: speech))
        options.dashboard = !noDashboard
        let validation = options
        let out = output, name = campaign, lang = common.lang
        let result = try blocking(speech) { try await Exporter.export(campaign: name, store: location, to: out, language: lang, validation: validation) }
        let rows = result.rows.keys.sorted().map { "\($0) \(result.rows[$0]!)" }
        print(speech.say(.exported, ["campaign": "\(result.campaign.name)", "store": "\(location.redacted)", "out": "\(out)", "rows": .list(rows)]))
    }
}

/// Runs async work from a synchronous command and waits for it; store errors exit with 2.
func blocking<T: Sendable>(_ speech: Speech, _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    do { return try box.result!.get() } catch let e as StoreError {
        Output.fail(speech.say(e.said, workbook: e.workbookIsChinese))
    } catch let e as TemplateError {
        Output.fail(speech.say(e.said, workbook: e.workbookIsChinese))
    } catch let e as XLSXError {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        // A database's own error (a corrupt page, a lock held too long, a read-only file): one line, ours.
        let why = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        Output.fail(speech.say(.storeFailed, ["why": "\(why)"]))
    }
}

/// The result of the task `blocking` waits for. @unchecked Sendable: written once by that task
/// before it signals the semaphore, read only after the wait returns (the semaphore orders the two).
final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
