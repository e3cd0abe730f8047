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
        if output == nil && !inPlace { throw usage("say where to write: -o OUT.xlsx, or --in-place", "请指定写到哪里:-o 输出.xlsx,或 --in-place") }
        if output != nil && inPlace { throw usage("-o and --in-place cannot be used together", "-o 与 --in-place 不能同时使用") }
    }

    func run() throws {
        let speech = common.speech
        guard FileManager.default.fileExists(atPath: file) else {
            Output.fail(speech.isChinese ? "找不到文件 \(file)" : "\(file): no such file")
        }
        var options = try campaign.options(roi: roi?.rawValue, speech: speech)
        options.replaceOwnFormulas = force
        options.dashboard = !noDashboard
        let out = output ?? file
        if let output, Output.sameFile(output, file) {
            Output.fail(speech.isChinese ? "-o \(output) 就是输入文件;要改写它请用 --in-place" : "-o \(output) is the input file; to rewrite it use --in-place")
        }
        let result: RecalcResult
        do {
            result = try Recalculator.recalc(path: file, to: out, options: options)
        } catch let e as TemplateError {
            Output.fail(speech.say(e.english, e.chinese, workbook: e.workbookIsChinese))
        }
        let zh = common.chinese(workbook: result.isChinese)
        guard result.template != nil else {
            Output.fail(zh ? "\(file):没有工作表与任何模板相符,未做任何修改" : "\(file): no sheet matches a tracksheet template; nothing was changed")
        }
        for n in result.notices { print(zh ? "注意:\(n.chinese)" : "Note: \(n.english)") }
        let asOf = campaign.asOfNote(chinese: zh)
        if result.changed.isEmpty {
            print(zh ? "\(out):派生列已是最新,未做修改(\(asOf))" : "\(out): the derived cells were already up to date; nothing changed (\(asOf))")
        } else {
            let parts = result.changed.keys.sorted().map { "\($0) \(result.changed[$0]!)" }.joined(separator: zh ? "、" : ", ")
            print(zh ? "已重算 \(result.changedTotal) 个单元格(\(parts)),写入 \(out)(\(asOf))" : "Recalculated \(result.changedTotal) cells (\(parts)); wrote \(out) (\(asOf))")
        }
    }
}
