/// A cell's place in the grid, 1-based: `F7` is row 7, column 6.
public struct CellReference: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// Parses `F7`, `$F$7` or `f7`. Returns nil for anything outside Excel's grid (`XFE1`,
    /// `A1048577`) without allocating, however long the digits run.
    public init?(_ text: some StringProtocol) { self.init(utf8: text.utf8) }

    /// Parses the UTF-8 bytes of a reference (straight from an attribute, without a String).
    @inline(__always)
    public init?<Bytes: Sequence>(utf8: Bytes) where Bytes.Element == UInt8 {
        var it = utf8.makeIterator()
        var c = it.next()
        if c == UInt8(ascii: "$") { c = it.next() }
        var column = 0
        var letters = 0
        while let ch = c, let v = Self.letterValue(ch) {
            column = column * 26 + v
            letters += 1
            if letters > 3 { return nil }
            c = it.next()
        }
        guard letters > 0, column <= Grid.maxColumn else { return nil }
        if c == UInt8(ascii: "$") { c = it.next() }
        var row = 0
        var digits = 0
        while let ch = c, ch >= 0x30, ch <= 0x39 {
            row = row * 10 + Int(ch - 0x30)
            digits += 1
            if row > Grid.maxRow { return nil }
            c = it.next()
        }
        guard digits > 0, c == nil, row >= 1 else { return nil }
        self.row = row
        self.column = column
    }

    @inline(__always)
    static func letterValue(_ c: UInt8) -> Int? {
        if c >= 0x41 && c <= 0x5A { return Int(c - 0x40) }
        if c >= 0x61 && c <= 0x7A { return Int(c - 0x60) }
        return nil
    }

    /// `1` → `A`, `28` → `AB`, `16384` → `XFD`.
    public static func columnName(_ column: Int) -> String {
        var n = column
        var chars: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            chars.append(UInt8(65 + r))
            n = (n - 1) / 26
        }
        return String(decoding: chars.reversed(), as: UTF8.self)
    }

    /// `A` → 1, `XFD` → 16384; nil outside the grid.
    public static func columnNumber(_ name: some StringProtocol) -> Int? {
        var n = 0
        var count = 0
        for c in name.utf8 {
            guard let v = letterValue(c) else { return nil }
            n = n * 26 + v
            count += 1
            if count > 3 { return nil }
        }
        return count > 0 && n <= Grid.maxColumn ? n : nil
    }

    public var description: String { "\(Self.columnName(column))\(row)" }

    /// Appends `F7` as bytes (no String made: the editor's hot path).
    func append(to bytes: inout [UInt8]) {
        guard row > 0 && column > 0 && column <= Grid.maxColumn else { return bytes.append(contentsOf: description.utf8) }
        Self.appendColumn(column, to: &bytes)
        Self.appendDecimal(row, to: &bytes)
    }

    /// Appends the letters of a column within the grid (1…16384: at most three).
    @inline(__always)
    static func appendColumn(_ column: Int, to out: inout [UInt8]) { columnLetters(column) { out.append($0) } }

    /// A column's letters, first to last, handed to `put` (for any byte sink).
    @inline(__always)
    static func columnLetters(_ column: Int, _ put: (UInt8) -> Void) {
        let n = column - 1
        if n >= 702 { put(UInt8(65 + (n - 702) / 676)) }
        if n >= 26 { put(UInt8(65 + ((n >= 702 ? n - 702 : n - 26) / 26) % 26)) }
        put(UInt8(65 + n % 26))
    }

    /// Appends a positive number's digits.
    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) { decimalDigits(value) { out.append($0) } }

    /// A positive number's digits, first to last, handed to `put`.
    @inline(__always)
    static func decimalDigits(_ value: Int, _ put: (UInt8) -> Void) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var v = value
        while divisor > 0 { put(UInt8(48 + v / divisor)); v %= divisor; divisor /= 10 }
    }

    public static func < (a: Self, b: Self) -> Bool { (a.row, a.column) < (b.row, b.column) }
}

/// A rectangle of cells, `A1:C3`; a single cell is a range of one.
public struct CellRange: Hashable, Sendable, CustomStringConvertible {
    public var first: CellReference
    public var last: CellReference

    public init(first: CellReference, last: CellReference) {
        self.first = CellReference(row: min(first.row, last.row), column: min(first.column, last.column))
        self.last = CellReference(row: max(first.row, last.row), column: max(first.column, last.column))
    }

    /// Parses `A1:C3` or `B2`; nil when either corner is outside the grid.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let a = CellReference(parts[0]) else { return nil }
        if parts.count == 2 {
            guard let b = CellReference(parts[1]) else { return nil }
            self.init(first: a, last: b)
        } else {
            self.init(first: a, last: a)
        }
    }

    /// Parses a space-separated list such as a data validation's `sqref` (`A1:A10 C2`).
    public static func list(_ text: String) -> [CellRange] {
        text.split(separator: " ").compactMap { CellRange($0) }
    }

    public func contains(_ ref: CellReference) -> Bool {
        ref.row >= first.row && ref.row <= last.row && ref.column >= first.column && ref.column <= last.column
    }

    public var description: String { first == last ? first.description : "\(first):\(last)" }
}
