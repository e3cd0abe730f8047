import ArgumentParser
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
        version: "0.1.0",
        subcommands: [New.self, Inspect.self, Validate.self, Recalc.self, SyncCommand.self, Export.self]
    )

    /// Exit codes are the SPEC's (0 clean, 1 problems, 2 could not run), not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as XLSXError {
            Output.fail(error.message(chinese: Language.current.isChinese))
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            FileHandleOutput.standardError.write(fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}

/// Flags every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Language of messages: zh or en (default: from LANG).")
    var lang: Language?
}

enum Language: String, ExpressibleByArgument {
    case zh, en
    nonisolated(unsafe) static var current: Language = fromEnvironment()
    var isChinese: Bool { self == .zh }

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
        FileHandleOutput.standardError.write("tracksheet: \(message)\n")
        exit(2)
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
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }
}
