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
        if CalendarDate(start) == nil { throw usage("--start \(start) is not a date such as 2025-05-01", "--start \(start) 不是日期(例如 2025-05-01)") }
        if CalendarDate(end) == nil { throw usage("--end \(end) is not a date such as 2025-06-20", "--end \(end) 不是日期(例如 2025-06-20)") }
        if let launch, CalendarDate(launch) == nil { throw usage("--launch \(launch) is not a date such as 2025-05-10", "--launch \(launch) 不是日期(例如 2025-05-10)") }
        if !out.lowercased().hasSuffix(".xlsx") { throw usage("\(out): the workbook must end in .xlsx", "\(out):工作簿文件名须以 .xlsx 结尾") }
    }

    func run() throws {
        let speech = common.speech
        let zh = speech.isChinese
        if FileManager.default.fileExists(atPath: out) && !force {
            Output.fail(zh ? "\(out) 已存在;如需覆盖请加 --force" : "\(out) already exists; add --force to replace it")
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
            print(zh ? "已生成 \(out)(模板 \(spec.id) 第 \(spec.version) 版,活动 \(campaign),\(options.start)–\(options.end))"
                     : "Wrote \(out) (template \(spec.id) v\(spec.version), campaign \(campaign), \(options.start) to \(options.end))")
            for w in windows { print("  \(w.name): \(w.start) – \(w.end)") }
        } catch let e as TemplateError {
            Output.fail(speech.say(e.english, e.chinese, workbook: e.workbookIsChinese))
        }
    }
}
