/// Moves the relative references of a formula, as Excel does when it fills a shared formula
/// (`<f t="shared" si="0">`) from its anchor cell down and across.
///
/// `B2*2` shifted by one row reads `B3*2`; `$B$2*2` stays; text in quotes, quoted sheet names,
/// structured references (`Table1[Col]`) and function names (`LOG10(`) are left alone. A
/// reference pushed outside the grid becomes `#REF!`.
public enum FormulaShifter {
    public static func shift(_ formula: String, rows: Int, columns: Int) -> String {
        if rows == 0 && columns == 0 { return formula }
        return Compiled(formula).shifted(rows: rows, columns: columns)
    }

    /// A formula read once into its text and the references in it, so that the cells of a shared
    /// formula — thousands down a column — each cost a few appends, not a new reading.
    public struct Compiled: Sendable {
        enum Piece: Sendable {
            case text([UInt8])
            case cell(column: Int, columnAbsolute: Bool, row: Int, rowAbsolute: Bool)
            case columns(Int, Bool, Int, Bool)
            case rows(Int, Bool, Int, Bool)
        }
        let pieces: [Piece]
        let formula: String
        let count: Int
        /// The most bytes a shifted copy can take: the text, and at most 20 per reference
        /// (`$1048576:$1048576` is 17).
        let maxLength: Int

        public init(_ formula: String) {
            self.formula = formula
            let s = Array(formula.utf8)
            count = s.count
            var pieces: [Piece] = []
            var text: [UInt8] = []
            func flush() { if !text.isEmpty { pieces.append(.text(text)); text = [] } }
            var i = 0
            while i < s.count {
                let c = s[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    copyQuoted(s, &i, to: &text)
                    continue
                }
                if c == UInt8(ascii: "[") {
                    var depth = 0
                    while i < s.count {
                        if s[i] == UInt8(ascii: "[") { depth += 1 } else if s[i] == UInt8(ascii: "]") { depth -= 1 }
                        text.append(s[i]); i += 1
                        if depth == 0 { break }
                    }
                    continue
                }
                let startsToken = i == 0 || !isNameChar(s[i - 1])
                if startsToken, let (piece, length) = reference(s, at: i) {
                    flush()
                    pieces.append(piece)
                    i += length
                    continue
                }
                if isNameChar(c) {
                    // Copy the rest of a name or number so that its tail is not taken for a reference.
                    while i < s.count && isNameChar(s[i]) { text.append(s[i]); i += 1 }
                    continue
                }
                text.append(c); i += 1
            }
            flush()
            self.pieces = pieces
            maxLength = count + 20 * pieces.count
        }

        /// The formula as it reads `rows` down and `columns` across; a reference pushed outside
        /// the grid becomes `#REF!`. Written straight into the new string's storage: one
        /// allocation per cell (a shared formula is expanded for each of its thousands of cells).
        public func shifted(rows: Int, columns: Int) -> String {
            if rows == 0 && columns == 0 { return formula }
            return String(unsafeUninitializedCapacity: maxLength) { out in
                var w = Writer(out: out)
                for piece in pieces {
                    switch piece {
                    case .text(let t):
                        w.put(t)
                    case .cell(let c0, let colAbs, let r0, let rowAbs):
                        let r = rowAbs ? r0 : r0 + rows, c = colAbs ? c0 : c0 + columns
                        guard r >= 1, r <= Grid.maxRow, c >= 1, c <= Grid.maxColumn else { w.putREF(); continue }
                        if colAbs { w.put(UInt8(ascii: "$")) }
                        w.column(c)
                        if rowAbs { w.put(UInt8(ascii: "$")) }
                        w.decimal(r)
                    case .columns(let c1, let abs1, let c2, let abs2):
                        w.range(c1, abs1, c2, abs2, by: columns, columns: true)
                    case .rows(let r1, let abs1, let r2, let abs2):
                        w.range(r1, abs1, r2, abs2, by: rows, columns: false)
                    }
                }
                return w.n
            }
        }

        /// Bytes written into a buffer `maxLength` long (a struct's methods: no closure boxes
        /// the position, so no exclusivity check per byte).
        private struct Writer {
            let out: UnsafeMutableBufferPointer<UInt8>
            var n = 0

            @inline(__always) mutating func put(_ b: UInt8) { out[n] = b; n += 1 }
            mutating func put(_ bytes: [UInt8]) {
                bytes.withUnsafeBufferPointer { src in
                    _ = UnsafeMutableBufferPointer(rebasing: out[n..<(n + src.count)]).initialize(from: src)
                }
                n += bytes.count
            }
            mutating func putREF() { for b in "#REF!".utf8 { put(b) } }
            mutating func column(_ c: Int) { CellReference.columnLetters(c) { put($0) } }
            mutating func decimal(_ d: Int) { CellReference.decimalDigits(d) { put($0) } }
            /// `$A:C` or `1:$3`: each end moved unless absolute; `#REF!` once one leaves the grid.
            mutating func range(_ first: Int, _ abs1: Bool, _ second: Int, _ abs2: Bool, by delta: Int, columns: Bool) {
                let limit = columns ? Grid.maxColumn : Grid.maxRow
                let a = abs1 ? first : first + delta, b = abs2 ? second : second + delta
                guard a >= 1, b >= 1, a <= limit, b <= limit else { return putREF() }
                if abs1 { put(UInt8(ascii: "$")) }
                if columns { column(a) } else { decimal(a) }
                put(UInt8(ascii: ":"))
                if abs2 { put(UInt8(ascii: "$")) }
                if columns { column(b) } else { decimal(b) }
            }
        }
    }

    /// A string literal or a quoted sheet name at `i`: copied to its closing quote (a doubled
    /// quote, `""` or `''`, is an escaped one), `i` left after it.
    static func copyQuoted(_ s: [UInt8], _ i: inout Int, to out: inout [UInt8]) {
        let q = s[i]
        out.append(q); i += 1
        while i < s.count {
            out.append(s[i])
            if s[i] == q {
                if i + 1 < s.count && s[i + 1] == q { out.append(q); i += 2; continue }
                i += 1; return
            }
            i += 1
        }
    }

    @inline(__always)
    static func isNameChar(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) ||
            c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c >= 0x80 || c == UInt8(ascii: "\\")
    }

    /// A reference starting at `i`: `A1`, `$A$1`, a whole column `A:A` or a whole row `1:3`.
    /// Returns it and the number of bytes it spanned.
    private static func reference(_ s: [UInt8], at start: Int) -> (Compiled.Piece, Int)? {
        var i = start
        let colAbs = i < s.count && s[i] == UInt8(ascii: "$")
        if colAbs { i += 1 }
        var column = 0, letters = 0
        while i < s.count, let v = CellReference.letterValue(s[i]), letters < 4 { column = column * 26 + v; letters += 1; i += 1 }
        let rowAbsAt = i
        let rowAbs = i < s.count && s[i] == UInt8(ascii: "$")
        if rowAbs { i += 1 }
        var row = 0, digits = 0
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39, digits < 8 { row = row * 10 + Int(s[i] - 0x30); digits += 1; i += 1 }
        let next: UInt8? = i < s.count ? s[i] : nil

        if letters >= 1 && letters <= 3 && digits >= 1 {
            // A cell: must not run on into a name or a function call.
            if let n = next, isNameChar(n) || n == UInt8(ascii: "(") || n == UInt8(ascii: "!") { return nil }
            guard column <= Grid.maxColumn, row >= 1, row <= Grid.maxRow else { return nil }
            return (.cell(column: column, columnAbsolute: colAbs, row: row, rowAbsolute: rowAbs), i - start)
        }
        if letters >= 1 && letters <= 3 && digits == 0 && !rowAbs && next == UInt8(ascii: ":") {
            // A whole-column range `A:C`: shift both ends.
            guard column <= Grid.maxColumn else { return nil }
            var j = i + 1
            let abs2 = j < s.count && s[j] == UInt8(ascii: "$")
            if abs2 { j += 1 }
            var column2 = 0, letters2 = 0
            while j < s.count, let v = CellReference.letterValue(s[j]), letters2 < 4 { column2 = column2 * 26 + v; letters2 += 1; j += 1 }
            guard letters2 >= 1, letters2 <= 3, column2 <= Grid.maxColumn else { return nil }
            if j < s.count, isNameChar(s[j]) || s[j] == UInt8(ascii: "(") { return nil }
            return (.columns(column, colAbs, column2, abs2), j - start)
        }
        if letters == 0 && digits >= 1 && next == UInt8(ascii: ":") && (colAbs || rowAbsAt == start) {
            // A whole-row range `1:3` or `$1:$3` (the `$` was read as a column mark above).
            var j = i + 1
            let abs2 = j < s.count && s[j] == UInt8(ascii: "$")
            if abs2 { j += 1 }
            var row2 = 0, digits2 = 0
            while j < s.count, s[j] >= 0x30, s[j] <= 0x39, digits2 < 8 { row2 = row2 * 10 + Int(s[j] - 0x30); digits2 += 1; j += 1 }
            guard digits2 >= 1 else { return nil }
            if j < s.count, isNameChar(s[j]) { return nil }
            return (.rows(row, colAbs || rowAbs, row2, abs2), j - start)
        }
        return nil
    }
}
