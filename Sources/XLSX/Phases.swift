import Foundation

/// Where a command's time goes, for whoever tunes it: with `TRACKSHEET_PHASES=1` in the
/// environment each `mark` writes the seconds since the one before it to standard error
/// (`phase read 0.412`). Off, a mark costs one branch.
public enum Phases {
    static let enabled = ProcessInfo.processInfo.environment["TRACKSHEET_PHASES"] == "1"
    /// Touched only when enabled, from the command's own thread.
    nonisolated(unsafe) static var last: UInt64 = 0

    public static func mark(_ name: @autoclosure () -> String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if last == 0 { last = now }
        FileHandle.standardError.write("phase \(name()) \(String(format: "%.3f", Double(now &- last) / 1e9))\n".data(using: .utf8)!)
        last = now
    }
}
