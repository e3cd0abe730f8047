import Foundation
import Testing

/// Every crafted file in `shared/corpus/hostile/` is refused with one clear line and exit code 2,
/// in under 2 seconds and 200 MB, or read as the corpus README allows. Runs the built binary.
@Suite struct HostileFileTests {
    /// File → the words its one-line refusal must contain (English, LANG=C).
    static let refusals: [(String, String)] = [
        ("billion-laughs.xlsx", "declares a DTD (<!DOCTYPE>)"),
        ("xxe-network.xlsx", "declares a DTD (<!DOCTYPE>)"),
        ("xxe-shared-strings.xlsx", "declares a DTD (<!DOCTYPE>)"),
        ("utf7-dtd.xlsx", "declared in the UTF-7 encoding"),
        ("invalid-utf8.xlsx", "not valid UTF-8"),
        ("deep-nesting.xlsx", "nested more than 256 levels deep"),
        // 64 MiB of one letter compresses 1,000:1, so the ratio check refuses it before the
        // string limit is reached; LimitTests checks the string limit itself.
        ("huge-string.xlsx", "zip bomb"),
        ("zip-bomb-1gib.xlsx", "zip bomb"),
        ("many-entries.xlsx", "200006 zip entries, more than the limit of 10000"),
        ("duplicate-case-entries.xlsx", "differ only in case"),
        ("empty.xlsx", "The file is empty (0 bytes)"),
        ("not-a-zip.xlsx", "not a valid .xlsx workbook"),
        ("truncated.xlsx", "not a valid .xlsx workbook"),
        ("missing-workbook.xlsx", "workbook part named by _rels/.rels is missing"),
    ]

    @Test(arguments: refusals)
    func refusedWithOneClearLine(file: String, words: String) throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/hostile/\(file)"])
        #expect(r.status == 2, "\(file): exit \(r.status), stderr \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(file): \(r.stderr)")
        #expect(r.stderr.hasPrefix("tracksheet: ") && r.stderr.contains(words), "\(file): \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.seconds < 2, "\(file) took \(r.seconds) s")
        #expect(r.peakMB < 200, "\(file) used \(r.peakMB) MB")
    }

    /// Valid files, and files whose odd parts may be ignored, read as A1 = 关键任务, B1 = 42.
    @Test(arguments: ["valid-minimal.xlsx", "utf16-parts-valid.xlsx", "path-traversal.xlsx"])
    func readable(file: String) throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/hostile/\(file)", "--format", "json", "--cells"])
        #expect(r.status == 0, "\(file): \(r.stderr)")
        #expect(r.stdout.contains(#""cells":{"A1":"关键任务","B1":42}"#), "\(file): \(r.stdout)")
        #expect(r.seconds < 2 && r.peakMB < 200)
    }

    @Test func pathTraversalTargetsAreIgnored() throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/hostile/path-traversal.xlsx", "--format", "json"])
        #expect(r.status == 0)
        // Only the one real sheet; the relationship to ../../../../etc/passwd names no sheet part.
        #expect(!r.stdout.contains("passwd") && !r.stdout.contains("evil"))
    }

    /// Bad indexes and absurd references are read with the bad cells reported, never a crash.
    @Test(arguments: [
        ("bad-indexes.xlsx", ["shared text number 999999999", "shared text number -1", "format -5", "format 99999"]),
        ("absurd-refs.xlsx", ["99999999999", "4294967297", "clipped"]),
    ])
    func badCellsReported(file: String, words: [String]) throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/hostile/\(file)", "--format", "json", "--cells"])
        #expect(r.status == 0, "\(file): \(r.stderr)")
        for w in words { #expect(r.stdout.contains(w), "\(file): no \(w) in \(r.stdout)") }
        #expect(r.seconds < 2 && r.peakMB < 200)
    }

    /// Every hostile file is covered by one of the tables above.
    @Test func everyHostileFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Binary.corpus)/hostile").filter { $0.hasSuffix(".xlsx") }
        let covered = Set(Self.refusals.map(\.0) + ["valid-minimal.xlsx", "utf16-parts-valid.xlsx", "path-traversal.xlsx", "bad-indexes.xlsx", "absurd-refs.xlsx"])
        #expect(files.count >= 19)
        #expect(Set(files).subtracting(covered).isEmpty, "not covered: \(Set(files).subtracting(covered))")
    }

    @Test func chineseMessages() throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/hostile/zip-bomb-1gib.xlsx", "--lang", "zh"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("zip 炸弹"))
    }
}

@Suite struct CommandLineTests {
    @Test func badArgumentsExitWith2() throws {
        let r = try Binary.run(["inspect"])
        #expect(r.status == 2)
        let u = try Binary.run(["no-such-command"])
        #expect(u.status == 2)
    }

    @Test func missingFileExitsWith2() throws {
        let r = try Binary.run(["inspect", "/nonexistent/plan.xlsx"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Cannot open the file /nonexistent/plan.xlsx"))
    }

    @Test func legacyAndEncryptedWorkbooksGetTheirOwnMessage() throws {
        let xls = try Binary.run(["inspect", "\(Binary.corpus)/calamine/issue127.xls"])
        #expect(xls.status == 2 && xls.stderr.contains("legacy Excel 97-2003 workbook (.xls)"))
        let enc = try Binary.run(["inspect", "\(Binary.corpus)/excelize/encryptAES.xlsx"])
        #expect(enc.status == 2 && enc.stderr.contains("protected with a password"))
    }

    @Test func inspectCellsMatchesTheExpectedShape() throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/calamine/date_1904.xlsx", "--format", "json", "--cells"])
        #expect(r.status == 0)
        #expect(r.stdout.contains(#""A1":{"date":"2021-01-01"}"#))
        #expect(r.stdout.contains(#""A3":{"duration":918610}"#))
        #expect(r.stdout.contains(#""dateSystem":1904"#))
    }

    @Test func textOutputNamesSheetsAndValidations() throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/excel-made/data_validation02.xlsx"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("validation list C2 [Foo, Bar, Baz]"))
    }
}

@Suite struct NewCommandTests {
    @Test func makesAWorkbookAndRefusesToOverwrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("plan.xlsx").path
        let made = try Binary.run(["new", out, "--campaign", "双11", "--start", "2025/10/1", "--end", "2025年11月30日"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("筹备期: 2025-10-01"))
        let again = try Binary.run(["new", out, "--campaign", "双11", "--start", "2025-10-01", "--end", "2025-11-30"])
        #expect(again.status == 2 && again.stderr.contains("already exists; add --force"))
        let forced = try Binary.run(["new", out, "--campaign", "双11", "--start", "2025-10-01", "--end", "2025-11-30", "--force"])
        #expect(forced.status == 0)
        let inspect = try Binary.run(["inspect", out])
        #expect(inspect.status == 0 && inspect.stdout.contains("主跟踪表") && inspect.stdout.contains("效果分析表"))
        let english = dir.appendingPathComponent("plan-en.xlsx").path
        let en = try Binary.run(["new", english, "--campaign", "Double 11", "--start", "2025-10-01", "--end", "2025-11-30", "--lang", "en"])
        #expect(en.status == 0)
        let shown = try Binary.run(["inspect", english, "--format", "json", "--cells"])
        #expect(shown.stdout.contains(#""A1":"Marketing plan: Double 11 (2025-10-01 to 2025-11-30)""#) && shown.stdout.contains(#""C2":"Key task""#))
        #expect(shown.stdout.contains(#""templateSheet":"master""#), "English headers map too")
    }

    @Test(arguments: [
        (["--start", "2025-02-30", "--end", "2025-03-01"], "is not a date"),
        (["--start", "2025-03-01", "--end", "2025-02-01"], "before it starts"),
        (["--start", "2025-03-01", "--end", "2025-04-01", "--template", "nope"], "no template named"),
    ])
    func badArgumentsExitWith2(args: [String], words: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).xlsx").path
        let r = try Binary.run(["new", out, "--campaign", "x"] + args)
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains(words), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

@Suite struct InspectTemplateTests {
    @Test func inspectNamesTheTemplateAndMapsEveryColumn() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/seed-plan-openpyxl.xlsx").path
        let text = try Binary.run(["inspect", sample])
        #expect(text.status == 0)
        #expect(text.stdout.contains(#"Template marketing-plan: "主跟踪表" is "Master plan", headers in row 2"#), "\(text.stdout)")
        #expect(text.stdout.contains("  L    KPI target") && text.stdout.contains("  —    Achievement %"))
        let json = try Binary.run(["inspect", sample, "--format", "json"])
        #expect(json.stdout.contains(#""templates":[{"sheet":"主跟踪表","template":"marketing-plan","templateSheet":"master","headerRow":2,"columns":{"phase":"A","#))
        #expect(json.stdout.contains(#""missingRequired":[]"#))
    }
}

@Suite struct SampleInspectTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples")

    @Test(arguments: [("marketing-plan-seed.xlsx", "marketing-plan"), ("seed-plan-openpyxl.xlsx", "marketing-plan"),
                      ("multi-platform-618.xlsx", "multi-platform-promo"), ("process-card-spring.xlsx", "process-card"),
                      ("with-errors/marketing-plan-errors.xlsx", "marketing-plan")])
    func inspectNamesTheTemplateOfEverySample(file: String, template: String) throws {
        let r = try Binary.run(["inspect", Self.samples.appendingPathComponent(file).path])
        #expect(r.status == 0, "\(r.stderr)")
        let named = Set(r.stdout.split(separator: "\n").filter { $0.hasPrefix("Template ") }.map { $0.split(separator: ":")[0].dropFirst("Template ".count) })
        #expect(named == [Substring(template)], "\(file): \(named)")
    }

    @Test func everySampleIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path).filter { $0.hasSuffix(".xlsx") }
            + FileManager.default.contentsOfDirectory(atPath: Self.samples.appendingPathComponent("with-errors").path).filter { $0.hasSuffix(".xlsx") }.map { "with-errors/" + $0 }
        #expect(Set(files) == ["marketing-plan-seed.xlsx", "seed-plan-openpyxl.xlsx", "multi-platform-618.xlsx", "process-card-spring.xlsx",
                               "with-errors/marketing-plan-errors.xlsx"])
    }
}
