/// Bounds on what reading one workbook may cost, checked before anything is allocated.
///
/// The defaults admit every workbook Excel itself can save and refuse crafted ones
/// (zip bombs, billion-laughs, giant strings) in well under a second and a few MB.
public struct Limits: Sendable, Equatable {
    /// Entries in the zip directory. A real workbook has tens to a few thousands.
    public var maxEntries: Int = 10_000
    /// Bytes one part may inflate to, counted while inflating (the directory's sizes are not trusted).
    public var maxPartBytes: Int64 = 4 << 30
    /// Bytes all parts read from one workbook may inflate to, together.
    public var maxTotalBytes: Int64 = 8 << 30
    /// Inflated ÷ compressed bytes of one part; checked once `ratioGraceBytes` have been inflated.
    public var maxCompressionRatio: Int64 = 250
    /// Below this many inflated bytes the ratio is not checked: tiny parts compress absurdly well.
    public var ratioGraceBytes: Int64 = 8 << 20
    /// UTF-8 bytes of one text (a cell, a shared string, a formula). Excel stops at 32,767 characters.
    public var maxStringBytes: Int = 1 << 20
    /// Entries in the shared-string table.
    public var maxSharedStrings: Int = 16_000_000
    /// Element nesting in one part. SpreadsheetML needs about 12; libxml2 2.9 checks its own
    /// limit of 256 only when pulling, not in the push mode used here.
    public var maxDepth: Int = 256
    /// Cells in one row (Excel: 16,384 columns).
    public var maxCellsPerRow: Int = 16_384
    /// Cell formats, fonts, fills, number formats and conditional styles in styles.xml together
    /// (Excel allows about 64,000 cell formats).
    public var maxStyleEntries: Int = 200_000
    /// Attributes on one element (a `<c>` has at most seven; a `<row>` about ten).
    public var maxAttributes: Int = 1_000
    /// Sheets in one workbook (Excel has no fixed limit; workbooks of hundreds are rare).
    public var maxSheets: Int = 4_096
    /// Relationships of one part (hyperlinks, drawings, comments, tables of a sheet).
    public var maxRelationships: Int = 100_000
    /// Bytes of formula text the cells sharing a formula spell out, per sheet (a 100-character
    /// formula shared down 100,000 rows is 10 MB; three of 40 down a million rows, 120 MB).
    public var maxSharedFormulaBytes: Int = 128 << 20
    /// Campaigns one sync binds in one workbook (each is merged and written in turn).
    public var maxCampaignsPerSync: Int = 20

    public init() {}

    public static let `default` = Limits()
}

/// Excel's own grid: 1,048,576 rows × 16,384 columns (XFD).
public enum Grid {
    public static let maxRow = 1_048_576
    public static let maxColumn = 16_384
}
