import Foundation
import Testing
import Templates
@testable import Rules
import XLSX

/// The samples validate as their manifests say; a workbook made by openpyxl, not by tracksheet,
/// reports exactly its planted problems.
@Suite struct SampleValidationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var samples: URL { root.appendingPathComponent("samples") }
    static var templates: [Template] { get throws { try Template.builtinIDs.map(Template.builtin) } }

    static func validate(_ path: String, asOf: String) throws -> Report {
        try Validator.validate(path: path, options: ValidationOptions(asOf: CalendarDate(asOf)!, templates: templates))
    }

    static func problems(_ r: Report) -> Set<String> {
        Set(r.diagnostics.filter { $0.severity != .info }.map { "\($0.sheet)!\($0.cell?.description ?? "")" })
    }

    @Test func theSeedValidatesWithoutErrors() throws {
        let r = try Self.validate(Self.samples.appendingPathComponent("marketing-plan-seed.xlsx").path, asOf: "2025-06-09")
        #expect(r.template == "marketing-plan" && r.isChinese)
        #expect(r.errors == 0 && r.warnings == 0, "\(r.diagnostics.map { "\($0.rule)@\($0.location)" })")
        // The one note is true of the seed: its master plan has no 线下体验 task, the effect sheet has that channel.
        #expect(r.diagnostics.map { "\($0.rule)@\($0.location)" } == ["cross.effectChannel@效果分析表!A7"])
        // Seen after the campaign, the open task is overdue: a warning, still no error.
        let later = try Self.validate(Self.samples.appendingPathComponent("marketing-plan-seed.xlsx").path, asOf: "2025-07-01")
        #expect(later.errors == 0 && later.diagnostics.contains { $0.rule == .statusOverdue && $0.location == "主跟踪表!F6" })
    }

    @Test func theOtherSamplesAreClean() throws {
        for (file, asOf) in [("multi-platform-618.xlsx", "2025-05-25"), ("process-card-spring.xlsx", "2025-05-16"), ("seed-plan-openpyxl.xlsx", "2025-06-09")] {
            let r = try Self.validate(Self.samples.appendingPathComponent(file).path, asOf: asOf)
            #expect(r.template != nil && r.diagnostics.isEmpty, "\(file): \(r.diagnostics.map { "\($0.rule)@\($0.location) \($0.english)" })")
        }
    }

    @Test func withErrorsReportsExactlyItsPlantedProblems() throws {
        let manifest = try JSONDecoder().decode([String: [[String: String]]].self,
                                                from: Data(contentsOf: Self.samples.appendingPathComponent("with-errors/manifest.json")))
        let planted = try #require(manifest["marketing-plan-errors.xlsx"])
        let r = try Self.validate(Self.samples.appendingPathComponent("with-errors/marketing-plan-errors.xlsx").path, asOf: "2025-06-09")
        #expect(Self.problems(r) == Set(planted.map { "\($0["sheet"]!)!\($0["cell"]!)" }),
                "\(r.diagnostics.map { "\($0.rule)@\($0.location)" })")
        #expect(r.diagnostics.filter { $0.severity != .info }.count == planted.count, "one report per planted problem")
        #expect(r.diagnostics.filter { $0.severity == .info }.map(\.location) == ["效果分析表!A7"])
        // The words of a few: the manifest's problem, in both languages.
        let ctr = try #require(r.diagnostics.first { $0.location == "效果分析表!E4" })
        #expect(ctr.rule == .metricMismatch && ctr.english.contains("52,000/650,000") && ctr.english.contains("8.0"))
        let owner = try #require(r.diagnostics.first { $0.location == "主跟踪表!D8" })
        #expect(owner.rule == .required && owner.chinese.contains("任务负责人"))
        #expect(r.diagnostics.first { $0.location == "主跟踪表!J5" }?.severity == .warning)
    }

    @Test func aWorkbookMadeByOpenpyxlReportsItsPlantedProblemsAndNothingElse() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("planted-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let script = Self.root.appendingPathComponent("Tests/RulesTests/Fixtures/make_planted_openpyxl.py").path
        let (status, stdout, stderr) = try Self.run(["python3", script, out])
        try #require(status == 0, "the fixture needs python3 with openpyxl (make deps-interop installs it): \(stderr)")
        let planted = try JSONDecoder().decode([[String: String]].self, from: Data(stdout.utf8))
        let r = try Self.validate(out, asOf: "2025-06-09")
        #expect(r.template == "marketing-plan")
        let got = Set(r.diagnostics.filter { $0.severity != .info }.map { "\($0.rule)@\($0.location)" })
        #expect(got == Set(planted.map { "\($0["rule"]!)@\($0["sheet"]!)!\($0["cell"]!)" }))
        // The user's own 权重 column is kept and mentioned, nothing more.
        #expect(r.diagnostics.filter { $0.severity == .info }.map { "\($0.rule)@\($0.location)" } == ["column.extra@主跟踪表!Q3"])
    }

    @Test func aFreshEnglishPlanNeedsOnlyItsOwners() throws {
        // `tracksheet new --lang en`: English phases and headers; once the owners are filled, nothing to report.
        let made = FileManager.default.temporaryDirectory.appendingPathComponent("en-\(UUID().uuidString).xlsx").path
        let filled = made + ".filled.xlsx"
        defer { try? FileManager.default.removeItem(atPath: made); try? FileManager.default.removeItem(atPath: filled) }
        var o = CampaignWorkbook.Options(campaign: "Spring", start: CalendarDate("2025-05-01")!, end: CalendarDate("2025-06-20")!, language: .en)
        o.blankRows = 3
        try CampaignWorkbook.generate(try Template.builtin("marketing-plan"), o, to: made)
        let blank = try Self.validate(made, asOf: "2025-04-01")
        #expect(!blank.isChinese && Set(blank.diagnostics.map(\.rule)) == [.required] && blank.errors == 12,
                "\(blank.diagnostics.map { "\($0.rule)@\($0.location) \($0.english)" })")
        let editor = try WorkbookEditor(path: made)
        for r in 3...14 { try editor.setCell("D\(r)", inSheet: "Master plan", value: .string("Ana")) }
        try editor.save(to: filled)
        let r = try Self.validate(filled, asOf: "2025-04-01")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map { "\($0.rule)@\($0.location) \($0.english)" })")
    }

    static func run(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
