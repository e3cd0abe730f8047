import Foundation
import Testing

/// What a team sees of tracksheet as an installed tool: its templates found or missing, the
/// version it names, the language it answers in, the day it judged by, and which command may
/// create a store. (`make install-check` runs the installed and the tarball's binary with the
/// Swift toolchain hidden; this runs the build's.)
@Suite struct InstallTests {
    static let samples = ValidateCLITests.samples
    static let seed = ValidateCLITests.seed

    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("install-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func templatesOutOfReachAreOneLineAndExitTwo() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = "\(dir)/x.xlsx"
        // No templates folder where TRACKSHEET_TEMPLATES points.
        let missing = try Binary.run(["new", out, "--campaign", "A", "--start", "2025-05-01", "--end", "2025-06-01"],
                                     environment: ["TRACKSHEET_TEMPLATES": "\(dir)/nowhere"])
        #expect(missing.status == 2, "\(missing.stdout)\(missing.stderr)")
        #expect(missing.stderr.hasPrefix("tracksheet: ") && missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("\(dir)/nowhere") && missing.stderr.contains("TRACKSHEET_TEMPLATES"))
        #expect(!FileManager.default.fileExists(atPath: out))
        // Every command that reads a workbook needs them too.
        for args in [["validate", Self.seed], ["recalc", Self.seed, "-o", out], ["inspect", Self.seed], ["sync", Self.seed, "--dry-run"]] {
            let r = try Binary.run(args, environment: ["TRACKSHEET_TEMPLATES": "\(dir)/nowhere"])
            #expect(r.status == 2 && r.stderr.contains("TRACKSHEET_TEMPLATES") && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        // A folder with one template missing and one broken.
        let broken = "\(dir)/templates"
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try Data("{ \"id\": \"marketing-plan\", ".utf8).write(to: URL(fileURLWithPath: "\(broken)/marketing-plan.json"))
        let bad = try Binary.run(["new", out, "--campaign", "A", "--start", "2025-05-01", "--end", "2025-06-01", "--lang", "en"],
                                 environment: ["TRACKSHEET_TEMPLATES": broken])
        #expect(bad.status == 2 && bad.stderr.hasPrefix("tracksheet: the template file") && bad.stderr.contains("is not valid"), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        let gone = try Binary.run(["new", out, "--template", "process-card", "--campaign", "A", "--start", "2025-05-01", "--end", "2025-06-01"],
                                  environment: ["TRACKSHEET_TEMPLATES": broken, "LANG": "zh_CN.UTF-8"])
        #expect(gone.status == 2 && gone.stderr.contains("process-card.json") && gone.stderr.contains("重新安装"), "\(gone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func versionNamesTheVersion() throws {
        let r = try Binary.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.range(of: #"^\d+\.\d+\.\d+ \((commit [0-9a-f]{7,}|commit unknown: built without make)"#, options: .regularExpression) != nil, "\(r.stdout)")
    }

    /// validate, recalc and sync name the day they judged by, and say when it is today.
    @Test func textOutputNamesTheAsOfDay() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let v = try Binary.run(["validate", Self.seed, "--as-of", "2025-06-09", "--lang", "en"])
        #expect(v.stdout.contains("as of 2025-06-09"), "\(v.stdout)")
        let today = try Binary.run(["validate", Self.seed])
        #expect(today.stdout.contains("按今天 "), "\(today.stdout)")
        let r = try Binary.run(["recalc", Self.seed, "-o", "\(dir)/r.xlsx", "--as-of", "2025-06-09"])
        #expect(r.status == 0 && r.stdout.contains("按 2025年6月9日 判断"), "\(r.stdout)")
        try FileManager.default.copyItem(atPath: Self.seed, toPath: "\(dir)/plan.xlsx")
        let s = try Binary.run(["sync", "\(dir)/plan.xlsx", "--as-of", "2025-06-09", "--lang", "en"])
        #expect(s.status == 0 && s.stdout.contains("as of 2025-06-09"), "\(s.stdout)")
    }

    /// Only a sync that writes makes a store, and it says so; a dry run plans against an empty
    /// store and leaves none behind; export refuses a store that is not there.
    @Test func onlySyncCreatesAStore() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.seed, toPath: "\(dir)/plan.xlsx")
        let store = "\(dir)/team.db"
        let dry = try Binary.run(["sync", "\(dir)/plan.xlsx", "--store", store, "--dry-run", "--as-of", "2025-06-09", "--lang", "en"])
        #expect(dry.status == 0 && dry.stdout.contains("The store does not exist yet") && dry.stdout.contains("store +6 rows"), "\(dry.stdout)\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store), "a dry run created the store")
        let json = try Binary.run(["sync", "\(dir)/plan.xlsx", "--store", store, "--dry-run", "--format", "json", "--as-of", "2025-06-09"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["storeAbsent"] as? Bool == true && doc["createdStore"] as? Bool == false)
        let export = try Binary.run(["export", "\(dir)/out.xlsx", "--campaign", "母婴新品奶粉上市推广", "--store", store])
        #expect(export.status == 2 && !FileManager.default.fileExists(atPath: store), "\(export.stderr)")
        let first = try Binary.run(["sync", "\(dir)/plan.xlsx", "--store", store, "--as-of", "2025-06-09", "--lang", "en"])
        #expect(first.status == 0 && first.stdout.contains("Created the store sqlite:\(store)"), "\(first.stdout)")
        let again = try Binary.run(["sync", "\(dir)/plan.xlsx", "--store", store, "--as-of", "2025-06-09", "--lang", "en"])
        #expect(again.status == 0 && !again.stdout.contains("Created the store"), "\(again.stdout)")
    }

    /// The argument parser's errors and bad option values follow --lang, else LANG: Chinese has
    /// no English sentence, English is the parser's own.
    @Test func usageErrorsInTheCommandLinesLanguage() throws {
        let cases: [([String], String)] = [
            (["validate"], "缺少参数 <files>"), (["validate", "x.xlsx", "--format", "xml"], "--format <format> 的值“xml”无效"),
            (["recalc", "x.xlsx"], "请指定写到哪里"), (["validate", "x.xlsx", "--bogus"], "未知选项 --bogus"),
            (["new", "x.xlsx", "--campaign", "A", "--start", "5月", "--end", "2025-06-01"], "--start 5月 不是日期"),
        ]
        for (args, words) in cases {
            let zh = try Binary.run(args, environment: ["LANG": "zh_CN.UTF-8"])
            #expect(zh.status == 2 && zh.stderr.hasPrefix("错误:") && zh.stderr.contains(words), "\(args): \(zh.stderr)")
            #expect(!zh.stderr.contains("Error") && !zh.stderr.contains("Usage"), "\(args): \(zh.stderr)")
            let flag = try Binary.run(args + ["--lang", "zh"])
            #expect(flag.status == 2 && flag.stderr.hasPrefix("错误:"), "\(args) --lang zh: \(flag.stderr)")
            let en = try Binary.run(args, environment: ["LANG": "zh_CN.UTF-8"] .merging(["LC_ALL": "en_US.UTF-8"]) { $1 })
            #expect(en.status == 2 && en.stderr.hasPrefix("Error: "), "\(args) in English: \(en.stderr)")
        }
    }

    /// Every command's text and JSON output, on Chinese and English workbooks (the samples, the
    /// real-world fixtures, English copies of the samples), in one language: the workbook's, or
    /// --lang's (Fixtures/languages.py says how user data is told apart).
    @Test func oneLanguagePerAnswer() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/languages.py").path
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Binary.spawn("python3", [script, Binary.path, dir], timeout: 900)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("0 leak(s)"), "\(r.stdout)")
    }
}
