import Foundation
import Templates
import XLSX

/// What a cell means once read with its column's rules: nothing typed, a "no value" marker
/// (`-`, `—`, `/`, `无`), a value, or text the column cannot take.
public enum Parsed<T: Sendable>: Sendable {
    case blank
    case noValue
    case value(T)
    case invalid

    public var value: T? { if case .value(let v) = self { v } else { nil } }
}

/// A number with what was written around it: `22万` → 220000, `2.1%` → 2.1 (percent),
/// `520条` → 520 with unit 条, `20万+` → 200000 with a plus.
public struct Quantity: Sendable, Equatable {
    public var value: Double
    /// True when written with `%` (or a percent number format): `value` is in percent points.
    public var isPercent = false
    /// A counting unit after the number: 人, 条, 篇, 元 …
    public var unit: String?
    /// A trailing `+` (`20万+`: at least).
    public var plus = false
    /// Decimals as written (`133.33` → 2), for comparing at displayed precision.
    public var decimals = 0
}

public enum Values {
    /// Text that means "no value" in a cell (an offline event has no clicks).
    public static let noValueMarkers: Set<String> = ["-", "—", "–", "－", "——", "--", "/", "无", "n/a", "N/A", "NA", "不适用"]

    static let countingUnits = ["万元", "元", "人次", "人", "条", "篇", "次", "场", "个", "件", "单", "家", "位", "款", "份", "天", "小时", "分钟",
                                "名", "笔", "张", "组", "期", "台", "套", "支", "项", "页", "批", "轮", "集", "帖", "粉", "w", "W"]

    /// Without leading and trailing white space (the ideographic space U+3000 included); most cell
    /// text has none, and returns as it is without a copy.
    public static func trimmed(_ s: String) -> String {
        // Most cells: an ASCII letter, digit or sign at both ends (no scalar decoding).
        let utf8 = s.utf8
        guard let f = utf8.first, let l = utf8.last else { return s }
        if f > 0x20 && f < 0x80 && l > 0x20 && l < 0x80 { return s }
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, isBlank(first) || isBlank(last) else { return s }
        var a = scalars.startIndex, b = scalars.endIndex
        while a < b, isBlank(scalars[a]) { a = scalars.index(after: a) }
        while b > a, isBlank(scalars[scalars.index(before: b)]) { b = scalars.index(before: b) }
        return String(scalars[a..<b])
    }

    /// Whether a value shows nothing but white space: what `trimmed(text(v)).isEmpty` says,
    /// without making the text.
    @inline(__always)
    public static func isBlank(_ v: CellValue) -> Bool {
        switch v {
        case .empty: true
        case .string(let s), .error(let s): s.unicodeScalars.allSatisfy(isBlank)
        case .number, .bool, .date: false
        }
    }

    /// Unicode's White_Space property (what `properties.isWhitespace` says, without its table
    /// lookup: this runs on the first character of every text cell).
    @inline(__always)
    static func isBlank(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x80 { return v == 0x20 || (0x09...0x0D).contains(v) }
        if v < 0x1680 { return v == 0x85 || v == 0xA0 }
        return v == 0x1680 || (0x2000...0x200A).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x202F || v == 0x205F || v == 0x3000
    }

    /// A cell's text as a user sees it typed (numbers in their shortest form).
    public static func text(_ v: CellValue) -> String {
        switch v {
        case .empty: ""
        case .string(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        case .bool(let b): b ? "TRUE" : "FALSE"
        case .error(let e): e
        case .date(let d): d.components.map { c in String(format: "%04d-%02d-%02d", c.year, c.month, c.day) } ?? "\(d.serial)"
        }
    }

    /// Decimals of a number format (`0.0` → 1, `#,##0.00` → 2); nil for General.
    public static func formatDecimals(_ code: String?) -> Int? {
        guard let code else { return nil }
        if code.hasPrefix("#"), let id = Int(code.dropFirst()) {
            switch id {
            case 1, 3, 9, 37, 38: return 0
            case 2, 4, 10, 39, 40: return 2
            default: return nil
            }
        }
        var section = "", inQuote = false
        for ch in code {
            if ch == ";" && !inQuote { break }
            if ch == "\"" { inQuote.toggle(); continue }
            if !inQuote { section.append(ch) }
        }
        guard section.contains("0") || section.contains("#") else { return nil }
        guard let dot = section.firstIndex(of: ".") else { return 0 }
        return section[section.index(after: dot)...].prefix { $0 == "0" || $0 == "#" }.count
    }

    /// Built-in number format ids that show a percent (9 = `0%`, 10 = `0.00%`).
    public static func isPercentFormat(_ code: String?) -> Bool {
        guard let code else { return false }
        if code == "#9" || code == "#10" { return true }
        var inQuote = false
        for ch in code {
            if ch == "\"" { inQuote.toggle() } else if ch == "%" && !inQuote { return true }
        }
        return false
    }

    /// A number as money, counts and KPI values are written: `50,000`, `¥50,000`, `5万`, `1.2亿`,
    /// `20万+`, `2.1%`, `520条`, an Excel number. `percentFormat`: the cell shows a number through `%`.
    public static func quantity(_ v: CellValue, percentFormat: Bool = false, formatDecimals: Int? = nil) -> Parsed<Quantity> {
        switch v {
        case .empty: return .blank
        case .number(let n):
            if percentFormat { return .value(Quantity(value: n * 100, isPercent: true, decimals: max(0, (formatDecimals ?? 0)))) }
            return .value(Quantity(value: n, decimals: formatDecimals ?? decimals(of: n)))
        case .date, .bool, .error: return .invalid
        case .string(let raw):
            let s = trimmed(raw)
            if s.isEmpty { return .blank }
            if noValueMarkers.contains(s) { return .noValue }
            return quantity(text: s).map(Parsed.value) ?? .invalid
        }
    }

    /// Decimals of a number as typed (`133.33` → 2), found arithmetically: no text made.
    static func decimals(of n: Double) -> Int {
        guard n.isFinite else { return 0 }
        var scaled = abs(n)
        for d in 0...10 {
            if abs(scaled - scaled.rounded()) <= 1e-9 * max(1, scaled) { return d }
            scaled *= 10
        }
        return 10
    }

    /// `¥1,234.5万+` → 12345000 (plus). nil when the text is not a number with an optional unit.
    public static func quantity(text: String) -> Quantity? {
        var s = Substring(trimmed(text))
        for prefix in ["¥", "￥", "RMB", "CNY", "约", "≈", "~"] where s.hasPrefix(prefix) { s = s.dropFirst(prefix.count) }
        s = Substring(trimmed(String(s)))
        var q = Quantity(value: 0)
        // The number: sign, digits with thousands separators, decimals.
        var digits = ""
        var i = s.startIndex
        if i < s.endIndex, s[i] == "+" || s[i] == "-" || s[i] == "−" { if s[i] != "+" { digits = "-" }; i = s.index(after: i) }
        var sawDigit = false, sawDot = false, decimals = 0
        while i < s.endIndex {
            let c = s[i]
            if c.isASCII, c.isNumber { digits.append(c); sawDigit = true; if sawDot { decimals += 1 } }
            else if c == "." && !sawDot { digits.append(c); sawDot = true }
            else if (c == "," || c == "，") && sawDigit && !sawDot {}
            else { break }
            i = s.index(after: i)
        }
        guard sawDigit, var value = Double(digits) else { return nil }
        var rest = trimmed(String(s[i...]))
        // Units after the number, in the order people write them: 万 / 亿 / 千 / k, %, 元, +.
        var changed = true
        while changed && !rest.isEmpty {
            changed = false
            if rest.hasPrefix("+") || rest.hasPrefix("＋") || rest.hasPrefix("以上") {
                q.plus = true; rest = String(rest.dropFirst(rest.hasPrefix("以上") ? 2 : 1)); changed = true; continue
            }
            for (mark, factor) in [("亿", 1e8), ("万", 1e4), ("千", 1e3), ("k", 1e3), ("K", 1e3), ("w", 1e4), ("W", 1e4)] where rest.hasPrefix(mark) {
                value *= factor; rest = String(rest.dropFirst(mark.count)); changed = true
                decimals = max(0, decimals - Int(log10(factor)))
                break
            }
            if changed { continue }
            if rest.hasPrefix("%") || rest.hasPrefix("％") { q.isPercent = true; rest = String(rest.dropFirst()); changed = true; continue }
            for unit in countingUnits where rest.hasPrefix(unit) {
                q.unit = unit == "万元" ? "元" : unit
                if unit == "万元" { value *= 1e4 }
                rest = String(rest.dropFirst(unit.count)); changed = true
                break
            }
            rest = trimmed(rest)
        }
        guard rest.isEmpty else { return nil }
        q.value = value
        q.decimals = decimals
        return q
    }

    /// `主视觉3套` (a metric before the number), `1:3.5` (a ratio: 3.5): an achieved value as teams write it.
    public static func labelledQuantity(_ text: String) -> Quantity? {
        let s = trimmed(text)
        if let colon = s.firstIndex(where: { $0 == ":" || $0 == "：" }), let a = Double(trimmed(String(s[..<colon]))), a > 0,
           let b = quantity(text: String(s[s.index(after: colon)...])), !b.isPercent {
            var q = b; q.value = b.value / a; return q
        }
        guard let i = s.firstIndex(where: { $0.isASCII && $0.isNumber }), i > s.startIndex else { return nil }
        let label = s[..<i]
        guard !label.contains(where: { $0.isNumber || "<>≤≥=≧≦".contains($0) }) else { return nil }
        return quantity(text: String(s[i...]))
    }

    /// Percent points of a `(%)` column: `10.0`, `10%`, and 0.1 shown through a % format all give 10.
    public static func percent(_ v: CellValue, percentFormat: Bool, formatDecimals: Int? = nil) -> Parsed<Quantity> {
        quantity(v, percentFormat: percentFormat, formatDecimals: formatDecimals)
    }
}

// MARK: - Dates and times

/// A date cell: one day, or a span such as `6.2-6.5`.
public struct DateSpan: Sendable, Equatable {
    public var start: CalendarDate
    public var end: CalendarDate
    public var isRange: Bool { start != end }
}

/// A time cell: `17:00`, `6.5 18:00`, or a date and time.
public struct TimePoint: Sendable, Equatable {
    public var date: CalendarDate?
    /// Minutes after midnight.
    public var minutes: Int?
}

public enum DateParse: Sendable, Equatable {
    case blank
    case noValue
    case span(DateSpan)
    /// `202X`, `X月`: the template's placeholder, never filled in.
    case placeholder
    case invalid

    public var span: DateSpan? { if case .span(let s) = self { s } else { nil } }
    public var date: CalendarDate? { span?.start }
}

public enum DateParser {
    /// Reads a date cell. `year`: the campaign's year for dates written without one (`5.1`, `5月1日`).
    public static func parse(_ v: CellValue, year: Int?) -> DateParse {
        switch v {
        case .empty: return .blank
        case .date(let d):
            guard let c = d.components else { return .invalid }
            let day = CalendarDate(year: c.year, month: c.month, day: c.day)
            return .span(DateSpan(start: day, end: day))
        case .number(let n):
            // A serial typed into a General cell (Excel shows 45778): take it as a date in a sane range.
            guard n >= 20_000, n < 80_000, n == n.rounded() else { return .invalid }
            let day = CalendarDate(serial: n)
            return .span(DateSpan(start: day, end: day))
        case .bool, .error: return .invalid
        case .string(let raw):
            let s = Values.trimmed(raw)
            if s.isEmpty { return .blank }
            if Values.noValueMarkers.contains(s) { return .noValue }
            if isPlaceholder(s) { return .placeholder }
            return text(s, year: year).map(DateParse.span) ?? .invalid
        }
    }

    /// `202X`, `20XX`, `X月X日`, `XX`: a template's blank left as it came.
    public static func isPlaceholder(_ s: String) -> Bool {
        let u = s.uppercased()
        return u.contains("202X") || u.contains("20XX") || u.contains("X月") || u.contains("X日") || u.contains("XX")
    }

    /// `2025-05-01`, `2025/5/1`, `2025.5.1`, `2025年5月1日`, `5月1日`, `5.1`, `5/1`, `6.2-6.5`, `6.2-5`,
    /// `2025年6月1日-6月14日`; an ISO date-time keeps only its day.
    public static func text(_ s: String, year: Int?) -> DateSpan? {
        // Every date form read here has a digit or a Chinese numeral: anything else is no date, said at once.
        guard s.unicodeScalars.contains(where: { ($0.value >= 0x30 && $0.value <= 0x39) || "〇一二三四五六七八九十廿初".unicodeScalars.contains($0) || ($0.value >= 0xFF10 && $0.value <= 0xFF19) }) else { return nil }
        var t = Values.trimmed(s)
        if let space = t.firstIndex(where: { $0 == " " || $0 == "T" }), t[t.index(after: space)...].contains(":") {
            t = String(t[..<space])
        }
        // A range: split at a dash that is not inside a yyyy-mm-dd date.
        for sep in ["至", "~", "～", "—", "–", "－", "到"] where t.contains(sep) {
            let parts = t.components(separatedBy: sep)
            if parts.count == 2 { return range(parts[0], parts[1], year: year) }
        }
        if t.contains("-") {
            let parts = t.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 { return range(parts[0], parts[1], year: year) }
            if parts.count == 6 {
                return range(parts[0...2].joined(separator: "-"), parts[3...5].joined(separator: "-"), year: year)
            }
            if parts.count == 4 || parts.count == 5 {
                // 2025-06-01-06-14 is rare; 2025-6-1-6-14 likewise: take the first three as one date.
                if let a = day(parts[0...2].joined(separator: "-"), year: year) {
                    let b = day(parts[3...].joined(separator: "-"), year: a.year, month: a.month)
                    if let b, b >= a { return DateSpan(start: a, end: b) }
                }
                return nil
            }
        }
        guard let d = day(t, year: year) else { return nil }
        return DateSpan(start: d, end: d)
    }

    static func range(_ a: String, _ b: String, year: Int?) -> DateSpan? {
        guard let start = day(a, year: year) else { return nil }
        guard let end = day(b, year: start.year, month: start.month) else { return nil }
        // `12.28-1.3`: the end is in the next year.
        if end < start, let next = day(b, year: start.year + 1, month: start.month), next >= start { return DateSpan(start: start, end: next) }
        return DateSpan(start: start, end: end)
    }

    /// One day. `month`: for the end of `6.2-5`, a bare day number is in the start's month.
    static func day(_ raw: String, year: Int?, month: Int? = nil) -> CalendarDate? {
        let s = Values.trimmed(raw)
        if let full = CalendarDate(s) { return full }
        var t = s
        for (a, b) in [("年", "."), ("月", "."), ("日", ""), ("号", ""), ("/", "."), ("-", ".")] { t = t.replacingOccurrences(of: a, with: b) }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.contains(where: { $0 == nil }) else { return nil }
        let n = parts.map { $0! }
        var y: Int?, m: Int?, d: Int?
        switch n.count {
        case 3: (y, m, d) = (n[0], n[1], n[2])
        case 2: (y, m, d) = (year, n[0], n[1])
        case 1 where month != nil: (y, m, d) = (year, month, n[0])
        default: return nil
        }
        guard var yy = y, let mm = m, let dd = d else { return nil }
        if yy < 100 { yy += 2000 }
        return CalendarDate("\(yy)-\(mm)-\(dd)")
    }

    /// `17:00`, `9:30`, `6.5 18:00`, `6月5日 18:00`, `2025-06-05 18:00`, an Excel time or date-time.
    public static func time(_ v: CellValue, year: Int?) -> Parsed<TimePoint> {
        switch v {
        case .empty: return .blank
        case .date(let d): return .value(point(serial: d.serial))
        case .number(let n):
            guard n >= 0, n < 80_000 else { return .invalid }
            return .value(point(serial: n))
        case .bool, .error: return .invalid
        case .string(let raw):
            let s = Values.trimmed(raw)
            if s.isEmpty { return .blank }
            if Values.noValueMarkers.contains(s) { return .noValue }
            let parts = s.split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).map(String.init)
            var point = TimePoint()
            for p in parts {
                if p.contains(":") || p.contains("：") {
                    guard point.minutes == nil, let m = clock(p) else { return .invalid }
                    point.minutes = m
                } else {
                    guard point.date == nil, let d = day(p, year: year) else { return .invalid }
                    point.date = d
                }
            }
            return point.minutes == nil && point.date == nil ? .invalid : .value(point)
        }
    }

    /// A time of day (below 1) or a date and time.
    static func point(serial: Double) -> TimePoint {
        let whole = serial.rounded(.down)
        let minutes = Int(((serial - whole) * 1440).rounded())
        return TimePoint(date: whole >= 1 ? CalendarDate(serial: whole) : nil, minutes: minutes >= 1440 ? 0 : minutes)
    }

    static func clock(_ s: String) -> Int? {
        let p = s.replacingOccurrences(of: "：", with: ":").split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 2 || p.count == 3, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }
}

// MARK: - KPI expressions

/// `签约KOL数量≥10人`, `点击率≥2%`, `获客成本≤150元`, `ROI≥1:4`, `素材通过率100%`.
public struct KPI: Sendable, Equatable {
    public enum Direction: String, Sendable { case atLeast, atMost, exactly }
    public var metric: String
    public var direction: Direction
    public var target: Quantity
    /// Less is better (a cost): achievement is target ÷ actual.
    public var lessIsBetter: Bool { direction == .atMost }

    static let costWords = ["获客成本", "成本", "CPA", "cpa", "CPC", "cpc", "CPM", "cpm", "消耗", "花费", "费用", "单价", "跳出率", "退货率", "投诉"]

    public static func parse(_ raw: String) -> KPI? {
        let s = Values.trimmed(raw)
        let comparators: [(String, Direction)] = [
            (">=", .atLeast), ("<=", .atMost), ("≥", .atLeast), ("≤", .atMost), ("≧", .atLeast), ("≦", .atMost),
            ("不低于", .atLeast), ("不少于", .atLeast), ("至少", .atLeast), ("达到", .atLeast), ("超过", .atLeast), ("大于", .atLeast),
            ("不高于", .atMost), ("不超过", .atMost), ("低于", .atMost), ("小于", .atMost), ("控制在", .atMost),
            (">", .atLeast), ("<", .atMost), ("＞", .atLeast), ("＜", .atMost), ("=", .exactly), ("＝", .exactly),
        ]
        var best: (range: Range<String.Index>, dir: Direction)?
        for (word, dir) in comparators {
            if let r = s.range(of: word), best == nil || r.lowerBound < best!.range.lowerBound { best = (r, dir) }
        }
        var metric: String, rest: String, direction: Direction?
        if let best {
            metric = String(s[..<best.range.lowerBound]); rest = String(s[best.range.upperBound...]); direction = best.dir
        } else {
            // No comparator: the metric runs to the first digit (`素材通过率100%`).
            guard let i = s.firstIndex(where: { $0.isASCII && $0.isNumber }) else { return nil }
            metric = String(s[..<i]); rest = String(s[i...])
        }
        rest = Values.trimmed(rest)
        var suffixDirection: Direction?
        for (word, dir) in [("以上", Direction.atLeast), ("以下", .atMost), ("以内", .atMost)] where rest.hasSuffix(word) {
            rest = String(rest.dropLast(word.count)); suffixDirection = dir
        }
        // `ROI≥1:4` is a ratio 4.
        if let colon = rest.firstIndex(where: { $0 == ":" || $0 == "：" }), let a = Double(rest[..<colon]), a > 0,
           let b = Double(rest[rest.index(after: colon)...]) {
            rest = String(b / a)
        }
        guard var target = Values.quantity(text: rest) else { return nil }
        metric = Values.trimmed(metric)
        let cost = costWords.contains { metric.contains($0) }
        let dir = direction ?? suffixDirection ?? (target.plus ? .atLeast : cost ? .atMost : .atLeast)
        target.plus = false
        return KPI(metric: metric, direction: dir == .exactly && cost ? .atMost : dir, target: target)
    }

    /// Achievement in percent: actual ÷ target ×100, or target ÷ actual for less-is-better.
    public func achievement(_ actual: Quantity) -> Double? {
        if lessIsBetter {
            guard actual.value > 0 else { return target.value >= 0 ? 100 : nil }
            return target.value / actual.value * 100
        }
        guard target.value != 0 else { return actual.value >= 0 ? 100 : nil }
        return actual.value / target.value * 100
    }

    /// Whether `actual` is comparable with the target: both percent or both not.
    public func comparable(_ actual: Quantity) -> Bool { actual.isPercent == target.isPercent }
}

// MARK: - States

/// `已完成(延期1小时)` → state 已完成, note 延期1小时.
public struct StateValue: Sendable, Equatable {
    public var state: String
    public var note: String?

    public static func parse(_ raw: String) -> StateValue {
        let s = Values.trimmed(raw)
        // `(` or `（` (EF BC 88), found among the bytes: no grapheme breaking per character.
        let u = s.utf8
        var at = u.startIndex, found: String.Index?
        while at < u.endIndex {
            let b = u[at]
            if b == UInt8(ascii: "(") { found = at; break }
            if b == 0xEF, u.distance(from: at, to: u.endIndex) >= 3, u[u.index(at, offsetBy: 1)] == 0xBC, u[u.index(at, offsetBy: 2)] == 0x88 {
                found = at; break
            }
            at = u.index(after: at)
        }
        if let open = found {
            var note = String(s[s.index(after: open)...])
            if note.hasSuffix(")") || note.hasSuffix("）") { note.removeLast() }
            return StateValue(state: Values.trimmed(String(s[..<open])), note: note)
        }
        return StateValue(state: s, note: nil)
    }
}

/// The process card's `□未开始□进行中□已完成`: which boxes are marked.
public enum CheckboxState: Sendable, Equatable {
    /// Exactly one state marked (or written plainly).
    case one(String)
    /// No box marked yet.
    case unmarked
    /// Several marked: the card is ambiguous.
    case several([String])
    case invalid

    /// The process card's three states.
    public static let cardLabels = ["未开始", "进行中", "已完成"]

    /// The states in English (spaces and case dropped, as `parse` compares them).
    static let englishStates: [String: String] = ["notstarted": "未开始", "todo": "未开始", "inprogress": "进行中", "ongoing": "进行中",
                                                  "done": "已完成", "completed": "已完成", "finished": "已完成", "complete": "已完成"]

    static let marks: Set<Character> = ["■", "☑", "√", "✓", "✔", "☒", "▣", "◼", "●"]
    static let empties: Set<Character> = ["□", "☐", "◻", "○"]

    public static func parse(_ raw: String, labels: [String]) -> CheckboxState {
        let s = Values.trimmed(raw).filter { !$0.isWhitespace }
        if s.isEmpty { return .unmarked }
        if labels.contains(s) { return .one(s) }
        // An English workbook writes the state in words: Done, In progress, Not started.
        if let zh = englishStates[s.lowercased()], labels.contains(zh) { return .one(zh) }
        let found = labels.compactMap { label in s.range(of: label).map { (label, $0) } }
        guard !found.isEmpty else { return .invalid }
        let boxes = marks.union(empties)
        // Boxes lead their labels (`■已完成`) or, when none does, trail them (`已完成√`).
        let leading = found.contains { $0.1.lowerBound > s.startIndex && boxes.contains(s[s.index(before: $0.1.lowerBound)]) }
        var marked: [String] = [], bare: [String] = []
        for (label, r) in found {
            let box: Character? = leading ? (r.lowerBound > s.startIndex ? s[s.index(before: r.lowerBound)] : nil)
                                          : (r.upperBound < s.endIndex ? s[r.upperBound] : nil)
            if let box, marks.contains(box) { marked.append(label) } else if box.map(boxes.contains) != true { bare.append(label) }
        }
        // Anything besides labels and boxes is not a card state.
        var rest = s
        for label in labels { rest = rest.replacingOccurrences(of: label, with: "") }
        guard rest.allSatisfy(boxes.contains) else { return .invalid }
        switch marked.count {
        case 1: return .one(marked[0])
        case 0:
            // The other options deleted: `已完成` or `□未开始已完成` leaves one bare label.
            if bare.count == 1 { return .one(bare[0]) }
            return bare.isEmpty ? .unmarked : .invalid
        default: return .several(marked)
        }
    }
}

// MARK: - RACI

/// `R:店铺运营 A:天猫负责人 C:设计 I:客服`, `张三(A)、李四(R)`: who holds which letter.
public struct RACI: Sendable, Equatable {
    public var roles: [Character: [String]]

    public static func parse(_ raw: String) -> RACI? {
        let s = Values.trimmed(raw)
        guard !s.isEmpty else { return nil }
        var roles: [Character: [String]] = [:]
        let chars = Array(s)
        var i = 0
        // `R:name` / `R：name` / `R=name` forms.
        while i < chars.count {
            let c = chars[i]
            let prevIsLetter = i > 0 && chars[i - 1].isLetter && chars[i - 1].isASCII
            if "RACI".contains(c), !prevIsLetter, i + 1 < chars.count, ":：=".contains(chars[i + 1]) {
                var j = i + 2, name = ""
                while j < chars.count {
                    if "RACI".contains(chars[j]), j + 1 < chars.count, ":：=".contains(chars[j + 1]), !(chars[j - 1].isLetter && chars[j - 1].isASCII) { break }
                    name.append(chars[j]); j += 1
                }
                let names = name.split(whereSeparator: { " ,，、;；/".contains($0) }).map(String.init).filter { !$0.isEmpty }
                roles[c, default: []] += names.isEmpty ? [""] : names
                i = j
                continue
            }
            i += 1
        }
        // `name(A)` forms.
        if roles.isEmpty {
            for part in s.split(whereSeparator: { " ,，、;；".contains($0) }) {
                let p = String(part)
                guard let open = p.firstIndex(where: { $0 == "(" || $0 == "（" }) else { continue }
                let name = String(p[..<open])
                for letter in p[p.index(after: open)...] where "RACI".contains(letter) { roles[letter, default: []].append(name) }
            }
        }
        return roles.isEmpty ? nil : RACI(roles: roles)
    }

    public var accountableCount: Int { roles["A"]?.count ?? 0 }
    public var responsibleCount: Int { roles["R"]?.count ?? 0 }
}

// MARK: - Process-card deadlines

/// `活动启动前15天`, `活动结束后3个工作日内`, `活动启动当天`, and their English forms.
public struct DeadlineRule: Sendable, Equatable {
    public var anchor: String
    public var days: Int
    public var workingDays: Bool

    public static func parse(_ raw: String) -> DeadlineRule? {
        let s = Values.trimmed(raw).filter { !$0.isWhitespace }
        if s.contains("启动当天") || s.contains("启动日") || s.lowercased().contains("onlaunchday") { return DeadlineRule(anchor: "launch", days: 0, workingDays: false) }
        let anchor: String
        if s.contains("启动") || s.contains("上线") || s.contains("开始") || s.lowercased().contains("launch") { anchor = "launch" }
        else if s.contains("结束") || s.lowercased().contains("end") { anchor = "end" }
        else { return nil }
        let before = s.contains("前") || s.lowercased().contains("before")
        // Ten years either way at most: a longer count is a typo, not a deadline (and
        // counting working days one by one over it would hang).
        guard let n = Int(String(s.filter { $0.isASCII && $0.isNumber }.prefix(5))), n <= 3660 else { return nil }
        let working = s.contains("工作日") || s.lowercased().contains("workingday")
        return DeadlineRule(anchor: anchor, days: before ? -n : n, workingDays: working)
    }

    public func date(launch: CalendarDate, end: CalendarDate) -> CalendarDate {
        let from = anchor == "end" ? end : launch
        return workingDays ? from.adding(workingDays: days) : from.adding(days: days)
    }
}
