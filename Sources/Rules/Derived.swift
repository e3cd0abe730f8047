import Foundation
import Templates

/// A derived column the template defines as a rounded ratio of two others:
/// `IF(…,ROUND({clicks}/{impressions}*100,2),"-")`, or ROI net `ROUND(({sales}-{cost})/{cost},2)`.
public struct Ratio: Sendable, Equatable {
    public var key: String
    public var numerator: String
    /// Subtracted from the numerator first (ROI net: 收益 − 成本).
    public var minus: String?
    public var denominator: String
    public var scale: Double
    public var decimals: Int

    public var inputs: [String] { [numerator, denominator] + (minus.map { [$0] } ?? []) }

    /// The value from its inputs, rounded as the formula rounds; nil when the denominator is 0.
    public func compute(_ value: (String) -> Double?) -> Double? {
        compute(numerator: value(numerator), denominator: value(denominator), minus: minus.map(value))
    }

    /// The same from the inputs' values (`minus`: nil when the ratio subtracts nothing, `.some(nil)`
    /// when what it subtracts has no value).
    public func compute(numerator: Double?, denominator: Double?, minus: Double??) -> Double? {
        guard var n = numerator, let d = denominator, d > 0 else { return nil }
        if let minus { guard let m = minus else { return nil }; n -= m }
        return Self.round(n / d * scale, decimals)
    }

    /// Excel's ROUND: half away from zero.
    public static func round(_ x: Double, _ decimals: Int) -> Double {
        // Excel rounds the decimal it shows (15 significant digits): ROUND(2.675,2) is 2.68,
        // though 2.675 × 100 is 267.49999999999997 in binary.
        let f = pow(10, Double(decimals))
        var scaled = x * f
        // Only a value within a hair of .5 needs the decimal reading.
        if abs(abs(scaled - scaled.rounded(.towardZero)) - 0.5) < 1e-6 { scaled = Double(String(format: "%.15g", scaled)) ?? scaled }
        return scaled.rounded(.toNearestOrAwayFromZero) / f
    }

    /// The Excel formula for row `row`, given each key's column letter.
    public func formula(row: Int, column: (String) -> String?) -> String? {
        guard let n = column(numerator), let d = column(denominator) else { return nil }
        let num = "\(n)\(row)", den = "\(d)\(row)"
        var checks = ["ISNUMBER(\(num))", "ISNUMBER(\(den))"]
        var top = num
        if let minus {
            guard let m = column(minus) else { return nil }
            if minus != denominator && minus != numerator { checks.append("ISNUMBER(\(m)\(row))") }
            top = "(\(num)-\(m)\(row))"
        }
        let factor = scale == scale.rounded() && abs(scale) < 1e15 ? String(Int64(scale)) : String(format: "%.10g", scale)
        let scaled = scale == 1 ? "\(top)/\(den)" : "\(top)/\(den)*\(factor)"
        return "IF(AND(\(checks.joined(separator: ",")),\(den)>0),ROUND(\(scaled),\(decimals)),\"-\")"
    }

    /// `formula(row:column:)` made once per column: the formula's text around its row numbers, so
    /// each row costs a few appends instead of a dozen interpolations.
    public func pattern(column: (String) -> String?) -> RowPattern? {
        guard let text = formula(row: RowPattern.marker, column: column) else { return nil }
        return RowPattern(text)
    }

    /// Reads the template's formula; nil for other shapes (a team's own formula is left alone).
    public static func parse(key: String, formula: String) -> Ratio? {
        guard let r = formula.range(of: "ROUND(") else { return nil }
        var s = Substring(formula[r.upperBound...])
        func take(_ prefix: String) -> Bool { if s.hasPrefix(prefix) { s = s.dropFirst(prefix.count); return true }; return false }
        func braced() -> String? {
            guard take("{"), let close = s.firstIndex(of: "}") else { return nil }
            let k = String(s[..<close]); s = s[s.index(after: close)...]; return k
        }
        let paren = take("(")
        guard let num = braced() else { return nil }
        var minus: String?
        if take("-") { guard let m = braced() else { return nil }; minus = m }
        if paren { guard take(")") else { return nil } }
        guard take("/"), let den = braced() else { return nil }
        var scale = 1.0
        if take("*") {
            let digits = s.prefix { $0.isNumber }
            guard let v = Double(digits) else { return nil }
            scale = v; s = s.dropFirst(digits.count)
        }
        guard take(","), let decimals = Int(s.prefix { $0.isNumber }) else { return nil }
        return Ratio(key: key, numerator: num, minus: minus, denominator: den, scale: scale, decimals: decimals)
    }

    /// The ratios of a template sheet; `roi` (`ratio` or `net`) picks ROI's definition.
    public static func of(_ sheet: Template.Sheet, roi: String?) -> [Ratio] {
        sheet.columns.compactMap { c -> Ratio? in
            guard let f = c.derived, var r = parse(key: c.key, formula: f) else { return nil }
            if c.key == "roi", let roi {
                r.minus = roi == "net" ? r.denominator : nil
            }
            return r
        }
    }
}

/// A formula for one row, with the row's number wherever `marker` stood.
public struct RowPattern: Sendable {
    /// A row number no formula holds otherwise (beyond Excel's last row, 1048576).
    static let marker = 9_999_999
    let pieces: [[UInt8]]
    let length: Int

    init(_ text: String) {
        pieces = text.split(separator: String(Self.marker), omittingEmptySubsequences: false).map { Array($0.utf8) }
        length = pieces.reduce(0) { $0 + $1.count } + 20 * (pieces.count - 1)
    }

    /// The row's number as decimal digits, on the stack, for `body`.
    @inline(__always)
    private func withDigits<T>(_ row: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { d in
            var n = abs(row), i = d.count
            repeat { i -= 1; d[i] = UInt8(48 + n % 10); n /= 10 } while n > 0 && i > 1
            if row < 0 { i -= 1; d[i] = UInt8(ascii: "-") }
            return body(UnsafeRawBufferPointer(rebasing: d[i...]))
        }
    }

    /// Whether `formula` is this pattern's text for `row`, compared in place (a recalc asks it of
    /// every derived cell, most of which already hold their formula: no string is made for them).
    public func matches(_ formula: String, row: Int) -> Bool {
        withDigits(row) { number in
            var f = formula
            return f.withUTF8 { u in
                guard u.count == length - 20 * (pieces.count - 1) + number.count * (pieces.count - 1) else { return false }
                var at = 0
                for (k, piece) in pieces.enumerated() {
                    if k > 0 {
                        for b in number { if u[at] != b { return false }; at += 1 }
                    }
                    for b in piece { if u[at] != b { return false }; at += 1 }
                }
                return true
            }
        }
    }

    public func text(row: Int) -> String {
        withDigits(row) { number in
            // Copied a piece at a time, not byte by byte (40,000 formulas a 10,000-row recalc).
            String(unsafeUninitializedCapacity: length) { out in
                let base = UnsafeMutableRawPointer(out.baseAddress!)
                var at = 0
                for (k, piece) in pieces.enumerated() {
                    if k > 0 { (base + at).copyMemory(from: number.baseAddress!, byteCount: number.count); at += number.count }
                    piece.withUnsafeBytes { p in if p.count > 0 { (base + at).copyMemory(from: p.baseAddress!, byteCount: p.count) } }
                    at += piece.count
                }
                return at
            }
        }
    }
}

/// 达标情况 from an achievement rate: 达标 when met; 预警 within the warning band (≥ 90% of the
/// target, or on track for the elapsed share of the planned period); 未达标 otherwise.
public enum KPIStatus {
    public static let band = 90.0

    /// The threshold for 预警: the band, or lower while a task is running and on track.
    public static func warningThreshold(elapsedShare: Double?) -> Double {
        guard let e = elapsedShare, e < 1 else { return band }
        return min(band, max(0, e * 100))
    }

    /// The template's values (达标, 预警, 未达标); validation reads the English ones as these.
    public static func status(rate: Double, threshold: Double) -> String {
        rate >= 100 - 1e-9 ? "达标" : rate >= threshold - 1e-9 ? "预警" : "未达标"
    }

    /// The three words recalc writes, in the workbook's language (`english`: the column's
    /// `allowedEn`, Met / Warning / Not met).
    public static func words(chinese: Bool, english: [String]?) -> (met: String, warning: String, notMet: String) {
        guard !chinese, let e = english, e.count >= 3 else { return ("达标", "预警", "未达标") }
        return (e[0], e[1], e[2])
    }

    public static func status(rate: Double, threshold: Double, words: (met: String, warning: String, notMet: String)) -> String {
        rate >= 100 - 1e-9 ? words.met : rate >= threshold - 1e-9 ? words.warning : words.notMet
    }
}
