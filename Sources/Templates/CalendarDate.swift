import Foundation
import XLSX

/// A day in the calendar, without time zones: what a plan's dates are.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year, month, day: Int

    public init(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }

    /// `2025-05-01`, `2025/5/1` or `2025年5月1日`; nil for anything else or an impossible day.
    public init?(_ text: String) {
        var t = text.trimmingCharacters(in: .whitespaces)
        for (a, b) in [("年", "-"), ("月", "-"), ("日", ""), ("/", "-"), (".", "-")] { t = t.replacingOccurrences(of: a, with: b) }
        let p = t.split(separator: "-")
        guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), y >= 1900, y <= 9999 else { return nil }
        self.init(year: y, month: m, day: d)
        guard CalendarDate(serial: serial) == self else { return nil }
    }

    /// The Excel serial (1900 system) of this day.
    public var serial: Double { ExcelDateTime.serial(year: year, month: month, day: day) }

    /// The day of a serial; one outside Excel's calendar (before 1900, after 9999, not a number)
    /// is taken as its nearest end.
    public init(serial: Double) {
        let inRange = serial.isNaN ? 1 : min(max(serial, 1), 2_958_465)
        let c = ExcelDateTime(serial: inRange).components!
        self.init(year: c.year, month: c.month, day: c.day)
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(serial: serial + Double(days)) }

    /// 1 = Sunday … 7 = Saturday, as Excel's WEEKDAY.
    public var weekday: Int { Int((serial - 1).truncatingRemainder(dividingBy: 7)) + 1 }
    public var isWeekend: Bool { weekday == 1 || weekday == 7 }

    /// `n` working days (Monday–Friday) later, or earlier for a negative `n`.
    public func adding(workingDays n: Int) -> CalendarDate {
        // Any seven days in a row hold five working days: whole weeks are jumped, the last
        // one to five working days counted (so the day reached is a working day).
        let weeks = max(0, (abs(n) - 1) / 5)
        var d = adding(days: (n < 0 ? -7 : 7) * weeks)
        var left = abs(n) - 5 * weeks
        while left > 0 {
            let next = d.adding(days: n < 0 ? -1 : 1)
            // At either end of Excel's calendar the days stop moving (1900-01-01 is a Sunday).
            if next == d { break }
            d = next
            if !d.isWeekend { left -= 1 }
        }
        return d
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: CalendarDate) -> Int { Int(other.serial - serial) }

    /// Today in the local calendar.
    public static var today: CalendarDate {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)
    }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public var chinese: String { "\(year)年\(month)月\(day)日" }
    public var description: String { iso }

    public static func < (a: Self, b: Self) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
