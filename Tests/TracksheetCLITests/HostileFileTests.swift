import Foundation
import Testing

/// Every crafted file in `shared/corpus/hostile/` is refused with one clear line and exit code 2,
/// in under 2 seconds and 200 MB, or read as the corpus README allows. Runs the built binary.
@Suite struct HostileFileTests {
    /// A crafted file and the one line every command refuses it with, in English and Chinese.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var path: String, english: String, chinese: String
        var testDescription: String { (path as NSString).lastPathComponent }
    }

    /// shared/corpus/hostile: file → its refusal.
    static let corpus: [(String, String, String)] = [
        ("billion-laughs.xlsx", "The part declares a DTD (<!DOCTYPE>); workbooks never do, and DTDs can smuggle in entity bombs and external files, so the workbook is refused (part xl/sharedStrings.xml)", "该部件声明了 DTD(<!DOCTYPE>);正常工作簿不会包含 DTD,它可能被用于实体炸弹或读取外部文件,因此拒绝读取(部件 xl/sharedStrings.xml)"),
        ("xxe-network.xlsx", "The part declares a DTD (<!DOCTYPE>); workbooks never do, and DTDs can smuggle in entity bombs and external files, so the workbook is refused (part xl/worksheets/sheet1.xml)", "该部件声明了 DTD(<!DOCTYPE>);正常工作簿不会包含 DTD,它可能被用于实体炸弹或读取外部文件,因此拒绝读取(部件 xl/worksheets/sheet1.xml)"),
        ("xxe-shared-strings.xlsx", "The part declares a DTD (<!DOCTYPE>); workbooks never do, and DTDs can smuggle in entity bombs and external files, so the workbook is refused (part xl/sharedStrings.xml)", "该部件声明了 DTD(<!DOCTYPE>);正常工作簿不会包含 DTD,它可能被用于实体炸弹或读取外部文件,因此拒绝读取(部件 xl/sharedStrings.xml)"),
        ("utf7-dtd.xlsx", "The part is declared in the UTF-7 encoding; workbooks use UTF-8 or UTF-16 only, so it is refused (part xl/sharedStrings.xml)", "该部件声明的编码为 UTF-7;工作簿只使用 UTF-8 或 UTF-16,因此拒绝读取(部件 xl/sharedStrings.xml)"),
        ("invalid-utf8.xlsx", "The part contains bytes that are not valid UTF-8 text at line 2 (part xl/sharedStrings.xml): Input is not proper UTF-8, indicate encoding ! Bytes: 0xFF 0xFE 0xC3 0x28", "该部件第 2 行含有无效的 UTF-8 字节(部件 xl/sharedStrings.xml):Input is not proper UTF-8, indicate encoding ! Bytes: 0xFF 0xFE 0xC3 0x28"),
        ("deep-nesting.xlsx", "The part's XML is nested more than 256 levels deep; no workbook needs that, so it is refused (part xl/worksheets/sheet1.xml)", "该部件的 XML 嵌套超过 256 层,不是正常的工作簿,因此拒绝读取(部件 xl/worksheets/sheet1.xml)"),
        ("huge-string.xlsx", "The part would inflate more than 250 times its compressed size; this is a zip bomb, not a workbook (part xl/sharedStrings.xml)", "该部件的解压比超过 250 倍,属于 zip 炸弹而不是正常工作簿(部件 xl/sharedStrings.xml)"),
        ("zip-bomb-1gib.xlsx", "The part would inflate more than 250 times its compressed size; this is a zip bomb, not a workbook (part xl/worksheets/sheet1.xml)", "该部件的解压比超过 250 倍,属于 zip 炸弹而不是正常工作簿(部件 xl/worksheets/sheet1.xml)"),
        ("many-entries.xlsx", "The workbook has 200006 zip entries, more than the limit of 10000; it is not a normal Excel file", "工作簿包含 200006 个 zip 条目,超过上限 10000,不是正常的 Excel 文件"),
        ("duplicate-case-entries.xlsx", "The workbook holds two parts named \"xl/worksheets/sheet1.xml\" and \"xl/worksheets/Sheet1.xml\"; part names may not differ only in case, so it is ambiguous which one is meant", "工作簿中有两个仅大小写不同的部件 \"xl/worksheets/sheet1.xml\" 和 \"xl/worksheets/Sheet1.xml\",无法确定应读取哪一个"),
        ("empty.xlsx", "The file is empty (0 bytes); it is not a workbook", "文件为空(0 字节),不是工作簿"),
        ("not-a-zip.xlsx", "This file is not a valid .xlsx workbook (it is not a complete zip package); it may be truncated or of another type: Not a zip archive", "该文件不是有效的 .xlsx 工作簿(不是完整的 zip 包),可能已损坏、被截断或是其他类型的文件:Not a zip archive"),
        ("truncated.xlsx", "This file is not a valid .xlsx workbook (it is not a complete zip package); it may be truncated or of another type: Not a zip archive", "该文件不是有效的 .xlsx 工作簿(不是完整的 zip 包),可能已损坏、被截断或是其他类型的文件:Not a zip archive"),
        ("missing-workbook.xlsx", "The workbook part named by _rels/.rels is missing from the file; it is damaged or incomplete (part xl/workbook.xml)", "_rels/.rels 指向的工作簿部件在文件中不存在;文件已损坏或不完整(部件 xl/workbook.xml)")
    ]

    /// Found beyond the corpus (Fixtures/make_hostile.py made them): file → its refusal.
    static let crafted: [(String, String, String)] = [
        ("lying-size.xlsx", "The part inflates to more bytes than the zip directory declares (1000); the file is damaged or crafted (part xl/worksheets/sheet1.xml)", "该部件解压后的大小超过 zip 目录声明的 1000 字节;文件已损坏或被篡改(部件 xl/worksheets/sheet1.xml)"),
        ("zip-encrypted.xlsx", "The part is encrypted with a zip password; tracksheet cannot read it (part [Content_Types].xml)", "该部件使用了 zip 密码加密,tracksheet 无法读取(部件 [Content_Types].xml)"),
        ("lzma-method.xlsx", "The part cannot be opened inside the zip package (part xl/worksheets/sheet1.xml): Compression method not supported", "无法打开 zip 包中的该部件(部件 xl/worksheets/sheet1.xml):Compression method not supported"),
        ("empty-sheet.xlsx", "The part is empty where XML was expected (part xl/worksheets/sheet1.xml)", "该部件为空,应为 XML 内容(部件 xl/worksheets/sheet1.xml)"),
        ("latin1.xlsx", "The part is declared in the ISO-8859-1 encoding; workbooks use UTF-8 or UTF-16 only, so it is refused (part xl/sharedStrings.xml)", "该部件声明的编码为 ISO-8859-1;工作簿只使用 UTF-8 或 UTF-16,因此拒绝读取(部件 xl/sharedStrings.xml)")
    ]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hostile").path
    static let refusals = corpus.map { Refusal(path: "\(Binary.corpus)/hostile/\($0.0)", english: $0.1, chinese: $0.2) }
        + crafted.map { Refusal(path: "\(fixtures)/\($0.0)", english: $0.1, chinese: $0.2) }

    /// Every command that reads a workbook refuses the file with exactly its one line (validate
    /// names the file first) and exit code 2, in under 2 seconds of processor time and 200 MB; recalc writes
    /// nothing and leaves the file as it was; sync creates no store and leaves the file as it was.
    @Test(arguments: refusals)
    func refusedWithTheExactMessage(_ r: Refusal) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/in.xlsx"
        try FileManager.default.copyItem(atPath: r.path, toPath: file)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        let runs: [([String], String, String)] = [
            (["inspect", file], "", r.english),
            (["inspect", file, "--lang", "zh"], "", r.chinese),
            (["validate", file], "\(file): ", r.english),
            (["validate", file, "--lang", "zh"], "\(file): ", r.chinese),
            (["recalc", file, "-o", "\(dir)/out.xlsx"], "", r.english),
            (["recalc", file, "--in-place"], "", r.english),
            (["sync", file, "--store", "\(dir)/store.db"], "", r.english),
            (["sync", file, "--store", "\(dir)/store.db", "--lang", "zh"], "", r.chinese),
        ]
        for (arguments, prefix, message) in runs {
            let run = try Binary.run(arguments)
            let what = "\(r.testDescription) \(arguments[0]) \(arguments.dropFirst(2).joined(separator: " "))"
            #expect(run.status == 2, "\(what): exit \(run.status), stderr \(run.stderr)")
            #expect(run.stderr == "tracksheet: \(prefix)\(message)\n", "\(what)")
            #expect(run.cpuSeconds < 2, "\(what) took \(run.cpuSeconds) s of processor time (\(run.seconds) s wall)")
            #expect(run.peakMB < 200, "\(what) used \(run.peakMB) MB")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == original, "the refused file was changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["in.xlsx"], "a refusal left files behind")
    }

    /// Valid files, and files whose odd parts may be ignored, read as A1 = 关键任务, B1 = 42.
    @Test(arguments: ["valid-minimal.xlsx", "utf16-parts-valid.xlsx", "path-traversal.xlsx"])
    func readable(file: String) throws {
        let r = try Binary.run(["inspect", "\(Binary.corpus)/hostile/\(file)", "--format", "json", "--cells"])
        #expect(r.status == 0, "\(file): \(r.stderr)")
        #expect(r.stdout.contains(#""cells":{"A1":"关键任务","B1":42}"#), "\(file): \(r.stdout)")
        #expect(r.cpuSeconds < 2 && r.peakMB < 200)
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
        #expect(r.cpuSeconds < 2 && r.peakMB < 200)
    }

    /// Every hostile file is covered by one of the tables above.
    @Test func everyHostileFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Binary.corpus)/hostile").filter { $0.hasSuffix(".xlsx") }
        let covered = Set(Self.corpus.map(\.0) + ["valid-minimal.xlsx", "utf16-parts-valid.xlsx", "path-traversal.xlsx", "bad-indexes.xlsx", "absurd-refs.xlsx"])
        #expect(files.count >= 19)
        #expect(Set(files).subtracting(covered).isEmpty, "not covered: \(Set(files).subtracting(covered))")
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
        // A Chinese workbook is answered in Chinese (LANG is C here); --lang en answers in English.
        let chinese = try Binary.run(["inspect", sample])
        #expect(chinese.status == 0 && chinese.stdout.contains("模板 marketing-plan:“主跟踪表”对应“主跟踪表”,表头在第 2 行"), "\(chinese.stdout)")
        let text = try Binary.run(["inspect", sample, "--lang", "en"])
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
        let r = try Binary.run(["inspect", Self.samples.appendingPathComponent(file).path, "--lang", "en"])
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
