/// A JSON value with ordered object keys, for output that tests and users compare as text.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Compact JSON text; integral numbers print without a fraction.
    public var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    public func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            out += n.isFinite ? shortestText(n) : "null"
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() { if i > 0 { out += "," }; item.write(into: &out) }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                Self.quote(k, into: &out); out += ":"; v.write(into: &out)
            }
            out += "}"
        }
    }

    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most text needs no escape: appended whole (scalar by scalar, a first sync's change log
        // of 50,000 rows spent a tenth of its store time here).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

extension CellValue {
    /// The value in the shape of `shared/corpus/expected`: numbers, strings, booleans,
    /// `{"date": ISO}`, `{"time": ISO}`, `{"duration": seconds}`, `{"error": text}`; nil when empty
    /// (an empty text is no value there either).
    public var portableJSON: JSONValue? {
        switch self {
        case .empty: return nil
        case .string(let s): return s.isEmpty ? nil : .string(s)
        case .number(let n): return .number(n)
        case .bool(let b): return .bool(b)
        case .error(let e): return .object([("error", .string(e))])
        case .date(let d):
            if d.kind == .duration { return .object([("duration", .number((d.serial * 86_400 * 1000).rounded() / 1000))]) }
            guard let c = d.components else { return .number(d.serial) }
            if d.serial < 1 { return .object([("time", .string(c.isoTime))]) }
            return .object([("date", .string(c.isoDate))])
        }
    }
}
