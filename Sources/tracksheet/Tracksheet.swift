import ArgumentParser
import TracksheetBuildInfo
import XLSX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Tracksheet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracksheet",
        abstract: "Generate, validate, recalculate and sync campaign-tracking workbooks (.xlsx).",
        discussion: "Exit codes: 0 clean, 1 problems found, 2 could not run.",
        version: BuildInfo.description,
        subcommands: [New.self, Inspect.self, Validate.self, Recalc.self, SyncCommand.self, Export.self]
    )

    /// Exit codes are the SPEC's (0 clean, 1 problems, 2 could not run), not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as XLSXError {
            Output.fail(error.message(chinese: Language.argumentsAskChinese))
        } catch let code as ExitCode {
            terminate(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                terminate(0)
            }
            let message = fullMessage(for: error)
            FileHandleOutput.standardError.write((Language.argumentsAskChinese ? UsageError.chinese(message) : message) + "\n")
            terminate(2)
        }
    }
}

/// A bad option value, in the language the command line asks for.
func usage(_ key: CommandMessageKey, _ values: [String: Line.Value] = [:]) -> ValidationError {
    ValidationError(Line(key, values).text(Language(chinese: Language.argumentsAskChinese)))
}

/// The argument parser's own errors (a missing argument, an unknown option), said in Chinese
/// when the command is to answer in Chinese; its usage lines give way to where help is.
enum UsageError {
    static func chinese(_ message: String) -> String {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first else { return message }
        let text = first.hasPrefix("Error: ") ? String(first.dropFirst("Error: ".count)) : first
        let patterns: [(String, (Substring...) -> String)] = [
            (#"^Missing expected argument '(.+)'$"#, { "缺少参数 \($0[0])" }),
            (#"^Unknown option '(.+)'$"#, { "未知选项 \($0[0])" }),
            (#"^Unexpected argument '(.+)'$"#, { "多余的参数 \($0[0])" }),
            (#"^Missing value for '(.+)'$"#, { "\($0[0]) 缺少取值" }),
            (#"^The value '(.*)' is invalid for '([^']+)'"#, { "\($0[1]) 的值“\($0[0])”无效" }),
        ]
        var said = text
        for (pattern, say) in patterns {
            guard let regex = try? Regex(pattern), let m = text.firstMatch(of: regex) else { continue }
            let groups = (1..<m.output.count).compactMap { m.output[$0].substring }
            said = groups.count == 0 ? text : { switch groups.count {
                case 1: say(groups[0])
                default: say(groups[0], groups[1])
            } }()
            break
        }
        let command = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }.map { " " + $0 } ?? ""
        return "错误:\(said)\n用法:运行 tracksheet\(command) --help 查看"
    }
}

/// What `tracksheet --version` says: the version, and the commit when `make` built the binary.
enum BuildInfo {
    /// The one place the version is written; `make dist` reads it from here for the tarball's name.
    static let version = "0.9.0"
    static var commit: String { String(cString: tracksheet_build_commit()) }
    static var description: String { commit.isEmpty ? "\(version) (commit unknown: built without make)" : "\(version) (commit \(commit))" }
}

/// Flags every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Language of messages: zh or en (default: the workbook's headers', else from LANG).")
    var lang: Language?

    /// Who the command speaks to, handed to whatever it calls that has something to say.
    var speech: Speech { Speech(chosen: lang, environment: .fromEnvironment()) }

    /// The language of what a command says about a workbook: --lang, else the workbook's own
    /// (`workbook`: whether its headers are Chinese; nil when it has none tracksheet knows), else LANG.
    func chinese(workbook: Bool?) -> Bool { speech.chinese(workbook: workbook) }
}

/// The language a command answers in, passed down from its options (nothing global): --lang when
/// given, else the workbook's own when one is known, else LANG.
struct Speech {
    /// --lang: it wins over the workbook's own language.
    let chosen: Language?
    /// LANG (LC_ALL, LC_MESSAGES).
    let environment: Language

    /// The language of what is said before a workbook is read (or of none).
    var isChinese: Bool { (chosen ?? environment).isChinese }

    /// `workbook`: whether the workbook's headers are Chinese; nil when not known.
    func chinese(workbook: Bool?) -> Bool { chosen.map(\.isChinese) ?? workbook ?? environment.isChinese }

    /// A layer's message (an error's), in the workbook's language unless --lang says otherwise.
    func say(_ said: any Said, workbook: Bool? = nil) -> String {
        said.text(Language(chinese: chinese(workbook: workbook)))
    }

    /// A line of the command's own.
    func say(_ key: CommandMessageKey, _ values: [String: Line.Value] = [:], workbook: Bool? = nil) -> String {
        say(Line(key, values), workbook: workbook)
    }
}

extension Language: ExpressibleByArgument {

    /// Whether the command line asks for Chinese (`--lang zh`), else LANG does: for errors the
    /// argument parser reports before any command runs.
    static var argumentsAskChinese: Bool {
        let args = Array(CommandLine.arguments.dropFirst())
        for (i, a) in args.enumerated() {
            if a == "--lang", i + 1 < args.count { return args[i + 1] == "zh" }
            if a.hasPrefix("--lang=") { return a.dropFirst("--lang=".count) == "zh" }
        }
        return fromEnvironment().isChinese
    }


    static func fromEnvironment() -> Language {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let v = getenv(key).map({ String(cString: $0) }), !v.isEmpty { return v.hasPrefix("zh") ? .zh : .en }
        }
        return .en
    }
}

enum Output {
    /// Prints one line to standard error and exits with 2 (could not run).
    static func fail(_ message: String) -> Never {
        FileHandleOutput.standardError.write("tracksheet: \(safe(message, max: 1_000))\n")
        exit(2)
    }

    /// Text from a workbook, a store or the command line as a terminal may show it: control
    /// characters (an escape sequence, a line break inside a value) written as `\u{1B}`, and at most
    /// `max` characters (a 100,000-character name is cut, with …).
    static func safe(_ text: String, max: Int = 300) -> String {
        var out = ""
        var n = 0
        for scalar in text.unicodeScalars {
            if n >= max { out += "…"; break }
            let v = scalar.value
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            n += 1
        }
        return out
    }

    /// Whether two paths name the same file (through links or other spellings).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}

struct FileHandleOutput {
    let fd: Int32
    static let standardError = FileHandleOutput(fd: 2)
    static let standardOutput = FileHandleOutput(fd: 1)

    func write(_ text: String) {
        var t = text
        t.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = writeAll(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }
}

/// libc's write(2), named apart from `FileHandleOutput.write`, which calls it.
private func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

/// libc's exit(3), named apart from ArgumentParser's `exit(withError:)` that commands inherit.
func terminate(_ code: Int32) -> Never { exit(code) }
