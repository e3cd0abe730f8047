/// Rows inserted into and deleted from one sheet, in the order they were asked for, as a map
/// from each original row to the row it ends up in.
///
/// The sheet is kept as pieces in their final order — runs of original rows and runs of new
/// ones — so any number of insertions and deletions compose, and looking a row up is a binary
/// search over the pieces, not a table of a million rows.
public struct RowShift: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case original(start: Int, count: Int)
        /// New rows; `formatted` ones take the format of the row above them; with `grows`, ranges
        /// that end right above them grow to take them in.
        case inserted(count: Int, formatted: Bool, grows: Bool)

        var count: Int {
            switch self {
            case .original(_, let n), .inserted(let n, _, _): n
            }
        }
    }

    private(set) var pieces: [Piece] = [.original(start: 1, count: Grid.maxRow)]
    /// Original runs in order: first original row, count, the final row of the first.
    private var runs: [(start: Int, count: Int, final: Int)] = [(1, Grid.maxRow, 1)]
    /// New rows that ranges above them grow into: final first row → last row.
    private var growing: [Int: Int] = [:]

    public init() {}

    public var isIdentity: Bool { pieces == [.original(start: 1, count: Grid.maxRow)] }

    public static func == (a: RowShift, b: RowShift) -> Bool { a.pieces == b.pieces }

    /// `count` new, empty rows at row `row` (as the sheet is now); the rows from `row` down move
    /// down. With `formatted`, the new rows take the format of the row above them. With `grows`,
    /// a range of two or more rows that ends right above them grows to take them in (formulas,
    /// validations, conditional formats: rows appended to a list, as an Excel table grows), where
    /// Excel's Insert leaves such a range as it is.
    public mutating func insert(at row: Int, count: Int, formatted: Bool = false, grows: Bool = false) {
        guard count > 0, row >= 1 else { return }
        let i = pieceStarting(at: row)
        pieces.insert(.inserted(count: count, formatted: formatted, grows: grows), at: min(i, pieces.count))
        reindex()
    }

    /// Deletes `count` rows from row `row` (as the sheet is now); the rows below move up.
    public mutating func delete(at row: Int, count: Int) {
        guard count > 0, row >= 1 else { return }
        let i = pieceStarting(at: row)
        var left = count
        while left > 0, i < pieces.count {
            if pieces[i].count > left { split(i, at: left) }
            left -= pieces[i].count
            pieces.remove(at: i)
        }
        reindex()
    }

    /// The index of the piece that starts at row `row`, splitting the one it falls inside
    /// (`pieces.count` when the row is past them all).
    private mutating func pieceStarting(at row: Int) -> Int {
        var position = 1
        var i = 0
        while i < pieces.count, position + pieces[i].count <= row {
            position += pieces[i].count
            i += 1
        }
        if i < pieces.count, position < row { split(i, at: row - position); i += 1 }
        return i
    }

    private mutating func split(_ i: Int, at offset: Int) {
        switch pieces[i] {
        case .original(let s, let n):
            pieces[i] = .original(start: s, count: offset)
            pieces.insert(.original(start: s + offset, count: n - offset), at: i + 1)
        case .inserted(let n, let f, let g):
            pieces[i] = .inserted(count: offset, formatted: f, grows: g)
            pieces.insert(.inserted(count: n - offset, formatted: f, grows: g), at: i + 1)
        }
    }

    private mutating func reindex() {
        runs.removeAll(keepingCapacity: true)
        growing.removeAll()
        var position = 1
        var growingFrom: Int?
        for p in pieces {
            switch p {
            case .original(let s, let n): runs.append((s, n, position)); growingFrom = nil
            case .inserted(let n, _, let g):
                if g {
                    let start = growingFrom ?? position
                    growing[start] = position + n - 1
                    growingFrom = start
                } else {
                    growingFrom = nil
                }
            }
            position += p.count
        }
    }

    /// The run holding original row `row`, or the first run after it.
    private func run(from row: Int) -> Int {
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].start + runs[mid].count <= row { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Where original row `row` ends up; nil when it was deleted or pushed off the grid.
    public func final(_ row: Int) -> Int? {
        let i = run(from: row)
        guard i < runs.count, runs[i].start <= row else { return nil }
        let r = runs[i].final + row - runs[i].start
        return r <= Grid.maxRow ? r : nil
    }

    /// Where the original rows `first...last` end up, as Excel moves a range: grown by rows
    /// inserted inside it, shrunk by rows deleted from it; nil when all of them were deleted.
    /// With `growing`, a range of two or more rows also takes in rows inserted with `grows` right
    /// below it.
    public func final(_ first: Int, _ last: Int, growing grows: Bool = false) -> (Int, Int)? {
        guard first <= last else { return nil }
        let i = run(from: first)
        guard i < runs.count, runs[i].start <= last else { return nil }
        let a = max(first, runs[i].start)
        // The last surviving row at or above `last`: `last` itself, or the end of the run before it.
        let j = run(from: last)
        let b = j < runs.count && runs[j].start <= last ? last : runs[j - 1].start + runs[j - 1].count - 1
        guard let fa = final(a) else { return nil }
        var fb = final(b) ?? Grid.maxRow
        if grows, fa < fb, let end = growing[fb + 1] { fb = min(end, Grid.maxRow) }
        return fa <= fb ? (fa, fb) : nil
    }

    /// The new rows, in order, each with whether it takes the format of the row above.
    public var insertedRows: [(row: Int, formatted: Bool)] {
        var out: [(Int, Bool)] = []
        var position = 1
        for p in pieces {
            if case .inserted(let n, let f, _) = p {
                for r in position..<(position + n) where r <= Grid.maxRow { out.append((r, f)) }
            }
            position += p.count
        }
        return out
    }

    /// A range moved as Excel moves it; nil when all its rows were deleted.
    public func final(_ range: CellRange) -> CellRange? {
        guard let (a, b) = final(range.first.row, range.last.row) else { return nil }
        return CellRange(first: CellReference(row: a, column: range.first.column), last: CellReference(row: b, column: range.last.column))
    }

    /// A space-separated list of ranges (`sqref`), each moved; nil when none is left.
    public func final(sqref: String) -> String? {
        var out: [String] = []
        for part in sqref.split(separator: " ") {
            guard let r = CellRange(part), let (a, b) = final(r.first.row, r.last.row, growing: true) else {
                if CellRange(part) == nil { out.append(String(part)) }
                continue
            }
            out.append(CellRange(first: CellReference(row: a, column: r.first.column), last: CellReference(row: b, column: r.last.column)).description)
        }
        return out.isEmpty ? nil : out.joined(separator: " ")
    }
}

/// Rewrites the references of a formula after rows were inserted into or deleted from sheets:
/// `A10` becomes `A11` when a row is inserted above it, `SUM(A2:A10)` grows to `A2:A11` when the
/// row goes inside, and a reference to a deleted cell becomes `#REF!`, as Excel does.
///
/// Unqualified references belong to `home` (the sheet the formula is on; nil for a defined name),
/// `Sheet!A1` and `'Sheet name'!A1` to the named sheet. References into other workbooks
/// (`[1]Sheet!A1`) and across sheets (`Sheet1:Sheet3!A1`), text in quotes and structured
/// references are left as they are.
public enum ReferenceShifter {
    public static func shift(_ formula: String, home: RowShift?, sheet: (String) -> RowShift?) -> String {
        let s = Array(formula.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count + 8)
        var i = 0
        // The sheet the next reference is on: none yet (home), a shifted sheet, or one not shifted.
        var qualifier: RowShift?? = nil
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let start = i
                let q = c
                FormulaShifter.copyQuoted(s, &i, to: &out)
                if q == UInt8(ascii: "'"), i < s.count, s[i] == UInt8(ascii: "!") {
                    let name = String(decoding: s[(start + 1)..<max(start + 1, i - 1)], as: UTF8.self).replacingAll("''", with: "'")
                    qualifier = .some(name.hasPrefix("[") || name.contains(":") ? nil : sheet(name))
                    out.append(s[i]); i += 1
                }
                continue
            }
            if c == UInt8(ascii: "[") {
                var depth = 0
                let external = i + 1 < s.count && s[i + 1] >= 0x30 && s[i + 1] <= 0x39
                while i < s.count {
                    if s[i] == UInt8(ascii: "[") { depth += 1 } else if s[i] == UInt8(ascii: "]") { depth -= 1 }
                    out.append(s[i]); i += 1
                    if depth == 0 { break }
                }
                if external { qualifier = .some(nil) }
                continue
            }
            let startsToken = i == 0 || !FormulaShifter.isNameChar(s[i - 1])
            if startsToken, let (replacement, length) = reference(s, at: i, shift: qualifier ?? home) {
                out += replacement
                i += length
                qualifier = nil
                continue
            }
            if FormulaShifter.isNameChar(c) {
                let start = i
                while i < s.count && FormulaShifter.isNameChar(s[i]) { out.append(s[i]); i += 1 }
                if i < s.count, s[i] == UInt8(ascii: "!") {
                    let before: UInt8? = start > 0 ? s[start - 1] : nil
                    if before == UInt8(ascii: ":") || before == UInt8(ascii: "]") {
                        qualifier = .some(nil) // across sheets or another workbook
                    } else if qualifier == nil {
                        qualifier = .some(sheet(String(decoding: s[start..<i], as: UTF8.self)))
                    }
                    out.append(s[i]); i += 1
                }
                continue
            }
            if c != UInt8(ascii: "!") && c != UInt8(ascii: "$") { qualifier = nil }
            out.append(c); i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private struct Cell { var column: Int; var columnAbsolute: Bool; var row: Int; var rowAbsolute: Bool; var length: Int }

    /// `A1`, `$A$1` at `start`, not running on into a name, a call or a sheet qualifier.
    private static func cell(_ s: [UInt8], at start: Int) -> Cell? {
        var i = start
        let colAbs = i < s.count && s[i] == UInt8(ascii: "$")
        if colAbs { i += 1 }
        var column = 0, letters = 0
        while i < s.count, let v = CellReference.letterValue(s[i]), letters < 4 { column = column * 26 + v; letters += 1; i += 1 }
        let rowAbs = i < s.count && s[i] == UInt8(ascii: "$")
        if rowAbs { i += 1 }
        var row = 0, digits = 0
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39, digits < 8 { row = row * 10 + Int(s[i] - 0x30); digits += 1; i += 1 }
        guard letters >= 1, letters <= 3, digits >= 1, column <= Grid.maxColumn, row >= 1, row <= Grid.maxRow else { return nil }
        if i < s.count, FormulaShifter.isNameChar(s[i]) || s[i] == UInt8(ascii: "(") || s[i] == UInt8(ascii: "!") { return nil }
        return Cell(column: column, columnAbsolute: colAbs, row: row, rowAbsolute: rowAbs, length: i - start)
    }

    /// A whole-row end `3` or `$3`, not running on into a name.
    private static func rowNumber(_ s: [UInt8], at start: Int) -> (row: Int, absolute: Bool, length: Int)? {
        var i = start
        let abs = i < s.count && s[i] == UInt8(ascii: "$")
        if abs { i += 1 }
        var row = 0, digits = 0
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39, digits < 8 { row = row * 10 + Int(s[i] - 0x30); digits += 1; i += 1 }
        guard digits >= 1, row >= 1, row <= Grid.maxRow else { return nil }
        if i < s.count, FormulaShifter.isNameChar(s[i]) || s[i] == UInt8(ascii: "(") { return nil }
        return (row, abs, i - start)
    }

    private static func text(_ c: Cell, row: Int) -> String {
        (c.columnAbsolute ? "$" : "") + CellReference.columnName(c.column) + (c.rowAbsolute ? "$" : "") + String(row)
    }

    /// A reference at `start` moved by `shift`; nil when there is none there (the caller copies on).
    private static func reference(_ s: [UInt8], at start: Int, shift: RowShift?) -> ([UInt8], Int)? {
        if let a = cell(s, at: start) {
            let colon = start + a.length
            if colon < s.count, s[colon] == UInt8(ascii: ":"), let b = cell(s, at: colon + 1) {
                let length = a.length + 1 + b.length
                guard let shift else { return (Array(s[start..<(start + length)]), length) }
                guard let (r1, r2) = shift.final(min(a.row, b.row), max(a.row, b.row), growing: true) else { return (Array("#REF!".utf8), length) }
                let (ra, rb) = a.row <= b.row ? (r1, r2) : (r2, r1)
                // Rows that stay are copied as written (`a1`, `A01` kept), only moved ones rewritten.
                if ra == a.row && rb == b.row { return (Array(s[start..<(start + length)]), length) }
                return (Array((text(a, row: ra) + ":" + text(b, row: rb)).utf8), length)
            }
            guard let shift else { return (Array(s[start..<(start + a.length)]), a.length) }
            guard let r = shift.final(a.row) else { return (Array("#REF!".utf8), a.length) }
            if r == a.row { return (Array(s[start..<(start + a.length)]), a.length) }
            return (Array(text(a, row: r).utf8), a.length)
        }
        // A whole-row range `2:5` or `$2:$5`.
        if let a = rowNumber(s, at: start), start + a.length < s.count, s[start + a.length] == UInt8(ascii: ":"),
           let b = rowNumber(s, at: start + a.length + 1) {
            let length = a.length + 1 + b.length
            guard let shift else { return (Array(s[start..<(start + length)]), length) }
            guard let (r1, r2) = shift.final(min(a.row, b.row), max(a.row, b.row), growing: true) else { return (Array("#REF!".utf8), length) }
            if (r1, r2) == (min(a.row, b.row), max(a.row, b.row)) { return (Array(s[start..<(start + length)]), length) }
            return (Array(((a.absolute ? "$" : "") + String(r1) + ":" + (b.absolute ? "$" : "") + String(r2)).utf8), length)
        }
        return nil
    }
}
