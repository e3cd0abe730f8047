import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `tracksheet` binary as a user would, measuring its own wall time and peak memory
/// (wait4's rusage for that one child, not the whole test process).
struct Binary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        /// Processor time (user + system) of the child: what a limit is about, unlike wall time,
        /// which grows when other work shares the machine.
        var cpuSeconds: Double
        var peakMB: Double
    }

    static let path: String = {
        // The test bundle sits in the build folder next to the products.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("tracksheet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/tracksheet").path
    }()

    static let corpus: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus").standardizedFileURL.path
    }()

    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double? = nil) throws -> Result {
        try spawn(path, arguments, environment: environment, timeout: timeout)
    }

    /// Runs any program (`strace`, `python3` …) found on PATH or given by its path.
    /// `timeout`: killed (SIGKILL, status 137) after that many seconds of wall time, so that a hang
    /// fails its test instead of stopping the run.
    static func spawn(_ program: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double? = nil) throws -> Result {
        let path = program.contains("/") ? program : which(program) ?? program
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracksheet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path, err = dir.appendingPathComponent("err").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["LANG"] = environment["LANG"] ?? "C.UTF-8"
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0)=\($1)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }

        var pid: pid_t = 0
        let start = DispatchTime.now()
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        // The child's peak memory is read from /proc while it runs (VmHWM, a high-water mark):
        // rusage's ru_maxrss would count the test process's own size, which posix_spawn's vfork
        // hands to the child until it execs.
        var peakKB = 0
        while true {
            if let hwm = Self.highWaterKB(pid) { peakKB = max(peakKB, hwm) }
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid || (r < 0 && errno != EINTR) { break }
            if let timeout, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 > timeout {
                kill(pid, SIGKILL)
                while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
                break
            }
            usleep(2_000)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code,
                      stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "",
                      seconds: seconds,
                      cpuSeconds: Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
                      peakMB: Double(peakKB) / 1024)
    }

    /// A running process's peak resident memory (VmHWM in /proc/PID/status), in KB.
    static func highWaterKB(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }

    /// The full path of a program on PATH, or nil.
    static func which(_ program: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
