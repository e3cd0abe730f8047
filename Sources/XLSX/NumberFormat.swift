/// What a number format makes of a number: the reader only needs to tell dates and durations.
public enum NumberFormatKind: Sendable, Equatable {
    case general
    case dateTime
    case duration
    case text

    /// Built-in format ids (ECMA-376 Part 1, §18.8.30). 27–36 and 50–58 are the East Asian
    /// date formats (`yyyy"年"m"月"d"日"` …), which a Chinese Excel writes by id alone.
    public static func builtin(_ id: Int) -> NumberFormatKind {
        switch id {
        case 14...22, 45, 47, 27...36, 50...58: .dateTime
        case 46: .duration
        case 49: .text
        default: .general
        }
    }

    /// Classifies a format code. Quoted text, escaped characters (`\x`, `_x`, `*x`) and bracketed
    /// colours and locales are not date tokens; `[h]`, `[m]`, `[s]` make a duration. Only the first
    /// section counts (it is the one for positive numbers).
    public static func classify(_ code: String) -> NumberFormatKind {
        var escaped = false, quoted = false, bracket = 0
        var bracketText: [UInt8] = []
        var ampm = false
        for c in code.utf8 {
            if escaped { escaped = false; continue }
            if quoted { if c == UInt8(ascii: "\"") { quoted = false }; continue }
            if bracket > 0 {
                if c == UInt8(ascii: "]") {
                    bracket -= 1
                    if bracket == 0, let f = bracketText.first,
                       bracketText.allSatisfy({ $0 == f }), [UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(f | 0x20) {
                        return .duration
                    }
                    bracketText.removeAll(keepingCapacity: true)
                } else if c == UInt8(ascii: "[") {
                    bracket += 1
                } else {
                    bracketText.append(c)
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\\"), UInt8(ascii: "_"), UInt8(ascii: "*"): escaped = true
            case UInt8(ascii: "\""): quoted = true
            case UInt8(ascii: ";"): return .general
            case UInt8(ascii: "["): bracket = 1
            case UInt8(ascii: "@"): return .text
            case UInt8(ascii: "a"), UInt8(ascii: "A"): ampm = true
            case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "m"), UInt8(ascii: "M"),
                 UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "y"), UInt8(ascii: "Y"),
                 UInt8(ascii: "s"), UInt8(ascii: "S"):
                return .dateTime
            case UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "/"):
                if ampm { return .dateTime }
            default: break
            }
        }
        return .general
    }
}
