import Foundation

/// Where a command's time goes, for whoever tunes it: with `TRACKSHEET_PHASES=1` in the
/// environment each `mark` writes the seconds since the one before it and since the first to
/// standard error (`phase read 0.412 at 0.412`). Marks may come from two threads (a sync's store
/// side and workbook side run together): the one before is then the other thread's, and the
/// time since the first tells the order. Off, a mark costs one branch.
public enum Phases {
    static let enabled = ProcessInfo.processInfo.environment["TRACKSHEET_PHASES"] == "1"
    private static let lock = NSLock()
    /// Touched only when enabled, under `lock`.
    nonisolated(unsafe) private static var first: UInt64 = 0
    nonisolated(unsafe) private static var last: UInt64 = 0

    public static func mark(_ name: @autoclosure () -> String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let line: String = lock.withLock {
            if last == 0 { last = now; first = now }
            defer { last = now }
            return "phase \(name()) \(String(format: "%.3f", Double(now &- last) / 1e9)) at \(String(format: "%.3f", Double(now &- first) / 1e9))\n"
        }
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
}
