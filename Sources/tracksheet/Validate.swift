import ArgumentParser
import Foundation
import Templates
import Rules
import XLSX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tracksheet validate FILE.xlsx... [--format text|json] [--annotate OUT.xlsx] [--as-of DATE]`
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check filled-in workbooks cell by cell and report every problem at its sheet!cell.",
        discussion: """
        FILE may be a folder: every .xlsx in it (and below) is checked, with a progress bar on a terminal.
        Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a file could not be read.
        """)

    @Argument(help: "Workbooks (.xlsx) or folders of workbooks.")
    var files: [String]

    @Option(help: "Output format: text or json.")
    var format: Inspect.OutputFormat = .text

    @Option(help: "Write a copy with the problems highlighted and noted, plus a sheet that lists them (a folder when checking several files).")
    var annotate: String?

    @OptionGroup var campaign: CampaignArguments

    @OptionGroup var common: CommonOptions

    func run() throws {
        let speech = common.speech
        let options = try campaign.options(roi: nil, speech: speech)
        let paths = try WorkbookFiles.expand(files, speech: speech)
        if annotate != nil && paths.count > 1 {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: annotate!, isDirectory: &isDir), !isDir.boolValue {
                Output.fail(speech.say(.annotateNeedsFolder))
            }
            try? FileManager.default.createDirectory(atPath: annotate!, withIntermediateDirectories: true)
        }
        let progress = Progress(total: paths.count)
        var reports: [Report] = [], failures: [(String, String)] = []
        for (i, path) in paths.enumerated() {
            progress.update(i, path)
            do {
                let report = try Validator.validate(path: path, options: options)
                guard report.template != nil else {
                    failures.append((path, speech.say(.validateNoTemplate)))
                    continue
                }
                reports.append(report)
                if let annotate {
                    let zh = common.chinese(workbook: report.isChinese)
                    let out = paths.count > 1 ? (annotate as NSString).appendingPathComponent(
                        ((path as NSString).lastPathComponent as NSString).deletingPathExtension + words(.annotatedSuffix, chinese: zh)) : annotate
                    if Output.sameFile(out, path) {
                        Output.fail(words(.annotateIsInput, ["out": "\(out)"], chinese: zh))
                    }
                    try Annotator.annotate(report, source: path, to: out, chinese: zh)
                }
            } catch let e as XLSXError {
                failures.append((path, e.message(chinese: speech.isChinese)))
            } catch let e as TemplateError {
                failures.append((path, speech.say(e.said, workbook: e.workbookIsChinese)))
            }
        }
        progress.finish()
        if format == .json {
            print(json(reports, failures))
        } else {
            printText(reports)
        }
        for (path, message) in failures { FileHandleOutput.standardError.write("tracksheet: \(path): \(message)\n") }
        if !failures.isEmpty { throw ExitCode(2) }
        if reports.contains(where: { $0.errors > 0 }) { throw ExitCode(1) }
    }

    func chinese(_ r: Report) -> Bool { common.chinese(workbook: r.isChinese) }

    func json(_ reports: [Report], _ failures: [(String, String)]) -> String {
        var files: [JSONValue] = reports.map { r in
            let zh = chinese(r)
            return .object([
                ("path", .string(r.path)),
                ("template", r.template.map(JSONValue.string) ?? .null),
                ("diagnostics", .array(r.diagnostics.map { d in
                    .object([("rule", .string(d.rule.rawValue)), ("severity", .string(d.severity.rawValue)), ("sheet", .string(d.sheet)),
                             ("cell", d.cell.map { .string($0.description) } ?? .null), ("value", Self.json(d.value)),
                             ("message", .string(d.message(chinese: zh)))])
                })),
            ])
        }
        for (path, message) in failures {
            files.append(.object([("path", .string(path)), ("template", .null), ("diagnostics", .array([])), ("error", .string(message))]))
        }
        var out = ""
        JSONValue.object([("files", .array(files))]).write(into: &out)
        return out
    }

    static func json(_ v: CellValue) -> JSONValue {
        switch v {
        case .empty: .null
        case .string(let s): .string(s)
        case .number(let n): .number(n)
        case .bool(let b): .bool(b)
        case .error(let e): .string(e)
        case .date: .string(Values.text(v))
        }
    }

    func printText(_ reports: [Report]) {
        let color = isatty(1) == 1 && getenv("NO_COLOR") == nil
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        for r in reports {
            let zh = chinese(r)
            let infos = r.diagnostics.count - r.errors - r.warnings
            let summary = words(.validateSummary, ["errors": "\(r.errors)", "warnings": "\(r.warnings)", "infos": "\(infos)",
                                                   "asOf": .message(campaign.asOfNote)], chinese: zh)
            print("\(paint(Output.safe(r.path, max: 1_000), "1")) (\(r.template ?? "?")): \(summary)")
            var sheet: String?
            for d in r.diagnostics {
                if d.sheet != sheet { sheet = d.sheet; print("  \(paint(Output.safe(d.sheet, max: 100), "1"))") }
                let label = d.severity == .error ? paint(words(.severityError, chinese: zh), "31")
                    : d.severity == .warning ? paint(words(.severityWarning, chinese: zh), "33") : paint(words(.severityInfo, chinese: zh), "36")
                let cell = (d.cell?.description ?? "").padding(toLength: 6, withPad: " ", startingAt: 0)
                print("    \(cell) \(label)  \(Output.safe(d.message(chinese: zh), max: 1_000))  [\(d.rule.rawValue)]")
            }
        }
    }
}

/// `--as-of` and `--template-file`, shared by validate and recalc.
struct CampaignArguments: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "The day to judge overdue and running tasks by (default: today), e.g. 2025-06-09.")
    var asOf: String?

    @Option(name: .customLong("template-file"), help: "A team's own template file (JSON), used besides the shipped ones.")
    var templateFile: String?

    @Option(name: .customLong("template"), help: "Read the workbook as this template only (marketing-plan, multi-platform-promo, process-card, or a --template-file's id) instead of choosing by its headers and values.")
    var template: String?

    func validate() throws {
        if let asOf, CalendarDate(asOf) == nil { throw usage(.dateOption, ["option": "--as-of", "value": "\(asOf)", "example": "2025-06-09"]) }
    }

    /// The day overdue and running tasks were judged by, as the text output says it: an old
    /// workbook's 延期 warnings read right only with the day they were judged on.
    var asOfNote: Line {
        let day = asOf.flatMap(CalendarDate.init) ?? CalendarDate.today
        return Line(asOf == nil ? .asOfToday : .asOfDay, ["day": .each(en: "\(day)", zh: day.chinese)])
    }

    func options(roi: String?, speech: Speech) throws -> ValidationOptions {
        var templates = try Templates.all(extra: templateFile, speech: speech)
        if let template {
            templates = templates.filter { $0.id == template }
            if templates.isEmpty {
                Output.fail(speech.say(TemplateMessage(.noSuchTemplate, ["id": "\(template)", "ids": .list(Template.builtinIDs)])))
            }
        }
        return ValidationOptions(asOf: asOf.flatMap(CalendarDate.init) ?? CalendarDate.today, roi: roi, templates: templates)
    }
}

enum Templates {
    /// The shipped templates, and a team's own file first when given.
    static func all(extra: String?, speech: Speech) throws -> [Template] {
        do {
            let own = try extra.map { [try Template.load(URL(fileURLWithPath: $0))] } ?? []
            return own + (try Template.builtins())
        } catch let e as TemplateError {
            Output.fail(speech.say(e.said, workbook: e.workbookIsChinese))
        }
    }
}

enum WorkbookFiles {
    /// Files as given; folders become their .xlsx files (sorted), Excel's `~$` lock files left out.
    static func expand(_ args: [String], speech: Speech) throws -> [String] {
        var out: [String] = []
        for a in args {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: a, isDirectory: &isDir) else {
                Output.fail(speech.say(.noSuchFile, ["file": "\(a)"]))
            }
            guard isDir.boolValue else { out.append(a); continue }
            let found = (FileManager.default.enumerator(atPath: a)?.compactMap { $0 as? String } ?? [])
                .filter { $0.lowercased().hasSuffix(".xlsx") && !($0 as NSString).lastPathComponent.hasPrefix("~$") }
                .sorted()
                .map { (a as NSString).appendingPathComponent($0) }
            if found.isEmpty { Output.fail(speech.say(.noWorkbooksInFolder, ["folder": "\(a)"])) }
            out += found
        }
        return out
    }
}

/// A one-line progress bar on standard error, only when it is a terminal and there is more than one file.
final class Progress {
    let total: Int
    let shown: Bool
    init(total: Int) {
        self.total = total
        shown = total > 1 && isatty(2) == 1
    }
    func update(_ done: Int, _ current: String) {
        guard shown else { return }
        let width = 30, filled = total == 0 ? 0 : done * width / total
        let name = (current as NSString).lastPathComponent
        FileHandleOutput.standardError.write("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) \(name.prefix(40))\u{1B}[K")
    }
    func finish() {
        guard shown else { return }
        FileHandleOutput.standardError.write("\r[\(String(repeating: "#", count: 30))] \(total)/\(total)\u{1B}[K\n")
    }
}
