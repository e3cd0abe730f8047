/// One cell as read: where, what, and how it is formatted.
public struct Cell: Sendable, Equatable {
    /// 1-based column (A = 1).
    public var column: Int
    public var value: CellValue
    /// The formula text without `=`, shared formulas already expanded for this cell.
    public var formula: String?
    /// Index into the workbook's cell formats (`cellXfs`); 0 is the default.
    public var styleIndex: Int
    public var hasFormula: Bool { formula != nil }

    public init(column: Int, value: CellValue, formula: String? = nil, styleIndex: Int = 0) {
        self.column = column
        self.value = value
        self.formula = formula
        self.styleIndex = styleIndex
    }
}

/// One row of a sheet, delivered as soon as its `</row>` is parsed.
public struct Row: Sendable {
    /// 1-based row number.
    public var index: Int
    /// The row's cells in document order (normally ascending columns); styled empty cells included.
    public var cells: [Cell]
    public var isHidden: Bool
    /// Height in points when set.
    public var height: Double?

    public func cell(at column: Int) -> Cell? { cells.first { $0.column == column } }
}

/// A list data validation or any other kind, with the ranges it covers.
public struct DataValidation: Sendable, Equatable {
    public var type: String
    public var `operator`: String?
    public var ranges: [CellRange]
    public var formula1: String?
    public var formula2: String?
    public var allowBlank: Bool

    /// For `type="list"` with an inline list (`"a,b,c"`), its items; nil for a range source.
    public var listItems: [String]? {
        guard type == "list", let f = formula1, f.count >= 2, f.hasPrefix("\""), f.hasSuffix("\"") else { return nil }
        return String(f.dropFirst().dropLast()).replacingAll("\"\"", with: "\"").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

public struct Hyperlink: Sendable, Equatable {
    public var range: CellRange
    /// The external address (a URL, never followed), from the sheet's relationships.
    public var target: String?
    /// A place inside the workbook, e.g. `主跟踪表!A1`.
    public var location: String?
    public var display: String?
}

/// Width and visibility of a run of columns (`<col min max>`).
public struct ColumnInfo: Sendable, Equatable {
    public var first: Int
    public var last: Int
    public var width: Double?
    public var isHidden: Bool
}

/// Something in a sheet the reader skipped or corrected, with the cell where it can.
public struct ReadProblem: Sendable, Equatable, CustomStringConvertible {
    public var part: String
    public var cell: CellReference?
    public var said: XLSXMessage
    public var english: String { said.english }
    public var chinese: String { said.chinese }
    public var description: String { "\(part)\(cell.map { " \($0)" } ?? ""): \(english)" }
}

/// What a sheet holds besides its cells; known once the whole sheet has been streamed.
public struct SheetMetadata: Sendable {
    public var dimension: String?
    public var mergedRanges: [CellRange] = []
    public var dataValidations: [DataValidation] = []
    public var hyperlinks: [Hyperlink] = []
    public var columns: [ColumnInfo] = []
    public var hiddenRows: [Int] = []
    /// The first cell below and right of frozen panes (`B3` freezes row 1–2 and column A).
    public var frozenAt: CellReference?
    /// Rows that held at least one cell, and the cells with a value.
    public var rowCount = 0
    public var cellCount = 0
    /// The rectangle around every cell with a value.
    public var usedRange: CellRange?
    public var problems: [ReadProblem] = []
}
