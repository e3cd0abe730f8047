/// The shortest text that reads back as the same double, integers without `.0` — for `<v>`
/// elements and JSON alike.
func shortestText(_ n: Double) -> String {
    if isWholeText(n) { return String(Int64(n)) }
    return "\(n)"
}

/// `shortestText` appended as bytes: a whole number's digits without making a String (a replaced
/// cell's `<v>`, 40,000 of them in a 10,000-row recalc).
func appendShortestText(_ n: Double, to bytes: inout [UInt8]) {
    guard isWholeText(n) else {
        var text = n.description
        return text.withUTF8 { bytes.append(contentsOf: $0) }
    }
    if n < 0 { bytes.append(UInt8(ascii: "-")) }
    CellReference.appendDecimal(Int(abs(n)), to: &bytes)
}

/// Written as an integer: whole and below 10¹⁵ (above, the double's own text).
@inline(__always) private func isWholeText(_ n: Double) -> Bool { n == n.rounded() && abs(n) < 1e15 }

/// What a cell holds, as Excel stored it.
public enum CellValue: Sendable, Equatable {
    case empty
    case string(String)
    case number(Double)
    case bool(Bool)
    /// An error value such as `#DIV/0!` or `#N/A`.
    case error(String)
    /// A number shown through a date, time or duration format (or an ISO `t="d"` cell).
    case date(ExcelDateTime)

    public var isEmpty: Bool { if case .empty = self { true } else { false } }

    /// The number behind a number or a date (its serial), else nil.
    public var number: Double? {
        switch self {
        case .number(let n): n
        case .date(let d): d.serial
        default: nil
        }
    }
}

/// A date, time or duration as Excel keeps it: a serial number of days.
public struct ExcelDateTime: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A point in time (date, date-time or time of day).
        case dateTime
        /// An elapsed time (`[h]:mm:ss`).
        case duration
    }
    /// Days since the epoch of `is1904` (1899-12-30 in the 1900 system, 1904-01-01 in the 1904 one).
    public var serial: Double
    public var kind: Kind
    public var is1904: Bool

    public init(serial: Double, kind: Kind = .dateTime, is1904: Bool = false) {
        self.serial = serial
        self.kind = kind
        self.is1904 = is1904
    }

    /// Calendar fields of a date-time; nil when the serial is negative, not finite or past 9999.
    public var components: DateComponentsValue? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        // Round to the millisecond, as Excel shows times; keep the carry into the next day.
        var ms = Int64((serial * 86_400_000).rounded())
        var days = ms / 86_400_000
        ms -= days * 86_400_000
        if is1904 {
            days += 1462 // 1904-01-01 is serial 1462 of the 1900 system
        } else if days < 61 {
            // The 1900 system counts a 29 February 1900 that never was (serial 60); below it,
            // serial 1 is 1900-01-01.
            if days == 60 { days = 61 } // shown as 1900-02-29 by Excel; the nearest real day
            days += 1
        }
        // Days since 1899-12-30 → civil date (H. Hinnant's algorithm, from 1970-01-01).
        let z = days - 25_569 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return DateComponentsValue(year: Int(y), month: Int(m), day: Int(d),
                                   hour: Int(ms / 3_600_000), minute: Int(ms / 60_000 % 60),
                                   second: Int(ms / 1000 % 60), millisecond: Int(ms % 1000))
    }

    /// The serial in the 1900 system for a civil date and time.
    public static func serial(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Double = 0) -> Double {
        // Years far outside any calendar (from crafted input) are clamped, never overflowed.
        let year = min(max(year, -1_000_000), 1_000_000), month = min(max(month, 1), 12), day = min(max(day, 0), 400)
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let daysSince1970 = era * 146_097 + doe - 719_468
        var serial = Double(daysSince1970 + 25_569)
        if serial < 61 { serial -= 1 }
        return serial + (Double(hour) * 3600 + Double(minute) * 60 + second) / 86_400
    }
}

/// Calendar fields, without Foundation.
public struct DateComponentsValue: Sendable, Equatable {
    public var year, month, day, hour, minute, second, millisecond: Int

    /// `2025-05-01`, or `2025-05-01T09:30:00` when there is a time.
    public var isoDate: String {
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        return hasTime ? "\(date)T\(isoTime)" : date
    }
    /// `09:30:00`, `09:30:00.500000` with milliseconds (Python's isoformat).
    public var isoTime: String {
        let base = "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        return millisecond == 0 ? base : "\(base).\(pad(millisecond * 1000, 6))"
    }
    public var hasTime: Bool { hour != 0 || minute != 0 || second != 0 || millisecond != 0 }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
