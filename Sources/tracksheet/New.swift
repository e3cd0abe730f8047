import ArgumentParser
import Foundation
import Templates
import Rules

/// `tracksheet new OUT.xlsx --template … --campaign NAME --start DATE --end DATE [--launch DATE] [--lang zh|en]`
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a blank, ready-to-fill workbook for a campaign from a template.")

    @Argument(help: "The workbook to create (.xlsx).")
    var out: String

    @Option(help: "Template: \(Template.builtinIDs.joined(separator: ", ")).")
    var template: String = "marketing-plan"

    @Option(name: .customLong("template-file"), help: "A team's own template file (JSON), instead of --template.")
    var templateFile: String?

    @Option(help: "Campaign name, in the team's words (Chinese or English).")
    var campaign: String

    @Option(help: "First day of the campaign, e.g. 2025-05-01 or 2025/5/1 (Chinese dates are read too).")
    var start: String

    @Option(help: "Last day of the campaign.")
    var end: String

    @Option(help: "Launch day (process-card deadlines count from it).")
    var launch: String?

    @Flag(help: "Replace OUT if it exists.")
    var force = false

    @Flag(name: .customLong("no-dashboard"), help: "Leave out the dashboard sheet (formulas and charts) and the Gantt sheet of a marketing plan.")
    var noDashboard = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if CalendarDate(start) == nil { throw usage(.dateOption, ["option": "--start", "value": "\(start)", "example": "2025-05-01"]) }
        if CalendarDate(end) == nil { throw usage(.dateOption, ["option": "--end", "value": "\(end)", "example": "2025-06-20"]) }
        if let launch, CalendarDate(launch) == nil { throw usage(.dateOption, ["option": "--launch", "value": "\(launch)", "example": "2025-05-10"]) }
        if !out.lowercased().hasSuffix(".xlsx") { throw usage(.workbookSuffix, ["out": "\(out)"]) }
    }

    func run() throws {
        let speech = common.speech
        if FileManager.default.fileExists(atPath: out) && !force {
            Output.fail(speech.say(.outputExists, ["out": "\(out)"]))
        }
        do {
            let spec = try templateFile.map { try Template.load(URL(fileURLWithPath: $0)) } ?? Template.builtin(template)
            var options = CampaignWorkbook.Options(campaign: campaign, start: CalendarDate(start)!, end: CalendarDate(end)!,
                                                   launch: launch.flatMap(CalendarDate.init), language: common.lang == .en ? .en : .zh)
            options.blankRows = 20
            try CampaignWorkbook.generate(spec, options, to: out)
            if !noDashboard {
                // The dashboard and the Gantt are recalc's, over the rows just written.
                _ = try Recalculator.addDashboards(path: out, options: ValidationOptions(asOf: CalendarDate.today, templates: [spec]))
            }
            let windows = CampaignWorkbook.phaseWindows(spec, start: options.start, end: options.end, language: options.language)
            print(speech.say(.newWrote, ["out": "\(out)", "template": "\(spec.id)", "version": "\(spec.version)", "campaign": "\(campaign)",
                                         "start": "\(options.start)", "end": "\(options.end)"]))
            for w in windows { print("  \(w.name): \(w.start) – \(w.end)") }
        } catch let e as TemplateError {
            Output.fail(speech.say(e.said, workbook: e.workbookIsChinese))
        }
    }
}
