import ArgumentParser
import Foundation
import Templates
import Rules
import XLSX

/// `tracksheet recalc FILE.xlsx [-o OUT.xlsx | --in-place] [--roi ratio|net] [--as-of DATE]`
struct Recalc: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every derived column and roll-up back as formulas with their values.",
        discussion: """
        CTR, CVR, cost per acquisition, ROI and the review's achievement rates become formulas over their row; the \
        master plan's achievement rate and KPI status are filled from the KPI and the achieved value; a summary sheet \
        gets progress, budget, spend and variance per phase and for the campaign; a dashboard sheet (tables and \
        charts) and a Gantt sheet are added or written anew (--no-dashboard: not). Nothing else in the workbook changes.
        """)

    @Argument(help: "The workbook (.xlsx).")
    var file: String

    @Option(name: .shortAndLong, help: "Write the result here (the input is left as it is).")
    var output: String?

    @Flag(name: .customLong("in-place"), help: "Replace the input (atomically: the old file stays whole until the new one is complete).")
    var inPlace = false

    @Option(help: "ROI definition: ratio (incremental sales / cost) or net ((revenue - cost) / cost); default: the template's.")
    var roi: RoiDefinition?

    @Flag(help: "Also replace formulas of your own in derived columns (they are kept otherwise, and listed).")
    var force = false

    @Flag(name: .customLong("no-dashboard"), help: "Do not add or refresh the dashboard and Gantt sheets.")
    var noDashboard = false

    @OptionGroup var campaign: CampaignArguments

    @OptionGroup var common: CommonOptions

    enum RoiDefinition: String, ExpressibleByArgument { case ratio, net }

    func validate() throws {
        if output == nil && !inPlace { throw usage(.recalcWhere) }
        if output != nil && inPlace { throw usage(.recalcBoth) }
    }

    func run() throws {
        let speech = common.speech
        guard FileManager.default.fileExists(atPath: file) else {
            Output.fail(speech.say(.noSuchFile, ["file": "\(file)"]))
        }
        var options = try campaign.options(roi: roi?.rawValue, speech: speech)
        options.replaceOwnFormulas = force
        options.dashboard = !noDashboard
        let out = output ?? file
        if let output, Output.sameFile(output, file) {
            Output.fail(speech.say(.outputIsInput, ["output": "\(output)"]))
        }
        let result: RecalcResult
        do {
            result = try Recalculator.recalc(path: file, to: out, options: options)
        } catch let e as TemplateError {
            Output.fail(speech.say(e.said, workbook: e.workbookIsChinese))
        }
        let zh = common.chinese(workbook: result.isChinese)
        guard result.template != nil else {
            Output.fail(words(RulesMessage(.recalcNoTemplate, ["path": "\(file)"]), chinese: zh))
        }
        for n in result.notices { print(words(.note, ["text": .message(n)], chinese: zh)) }
        let asOf = campaign.asOfNote
        if result.changed.isEmpty {
            print(words(.recalcUpToDate, ["out": "\(out)", "asOf": .message(asOf)], chinese: zh))
        } else {
            let sheets = result.changed.keys.sorted().map { "\($0) \(result.changed[$0]!)" }
            print(words(.recalcWrote, ["count": "\(result.changedTotal)", "sheets": .list(sheets), "out": "\(out)", "asOf": .message(asOf)], chinese: zh))
        }
    }
}
