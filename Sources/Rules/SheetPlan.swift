import Templates
import XLSX

/// A sheet tracksheet writes whole and writes anew on every run (数据看板, 甘特图): its cells,
/// layout and charts, planned before anything is written, so that a run can tell whether the
/// sheet already holds exactly this (a second recalc changes nothing) and the charts' cached
/// points can be taken from the cells they name.
struct SheetPlan {
    var name: String
    private(set) var cells: [Int: [Int: WriteCell]] = [:]
    var heights: [Int: Double] = [:]
    var widths: [(first: Int, last: Int, width: Double)] = []
    var freeze: (rows: Int, columns: Int)?
    var printSetup: PrintSetup?
    var merges: [CellRange] = []
    var highlights: [(ranges: [CellRange], rule: HighlightRule, style: HighlightStyle)] = []
    var charts: [Chart] = []

    init(name: String) { self.name = name }

    /// A table's header cell, and a bordered cell, as every sheet of tracksheet's draws them.
    static let head = CellStyle(bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center, wrap: true)
    static let plain = CellStyle(border: true, vertical: .center)

    /// A dashboard's top: its title, a line saying what its numbers are over (and that tracksheet
    /// writes the sheet: how a later run knows it), printed landscape on one page.
    static func dashboard(_ name: String, title: String, note: String) -> SheetPlan {
        var p = SheetPlan(name: name)
        p.printSetup = PrintSetup(landscape: true, fitToWidth: true, onePage: true)
        p.row(1, [WriteCell(.string(title), style: CellStyle(bold: true, fontSize: 14, vertical: .center))], height: 26)
        p.row(2, [WriteCell(.string(note))])
        return p
    }

    mutating func set(_ row: Int, _ column: Int, _ value: CellValue, formula: String? = nil, style: CellStyle? = nil) {
        cells[row, default: [:]][column] = WriteCell(value, column: column, formula: formula, style: style)
    }

    /// A row of cells from `column` on.
    mutating func row(_ row: Int, from column: Int = 1, _ values: [WriteCell], height: Double? = nil) {
        for (i, c) in values.enumerated() {
            var c = c
            c.column = column + i
            cells[row, default: [:]][column + i] = c
        }
        if let height { heights[row] = height }
    }

    func value(_ row: Int, _ column: Int) -> CellValue { cells[row]?[column]?.value ?? .empty }

    /// `'数据看板'!$B$5:$B$9`: a column's run of cells on this sheet, as a chart names them.
    func reference(_ column: Int, _ rows: ClosedRange<Int>) -> String {
        let c = CellReference.columnName(column)
        return "\(SheetWriter.quoted(name))!$\(c)$\(rows.lowerBound):$\(c)$\(rows.upperBound)"
    }

    /// A chart series' numbers over a column of this sheet, cached as the cells hold them.
    func numbers(_ column: Int, _ rows: ClosedRange<Int>, format: String = "General") -> Chart.Numbers {
        .init(reference(column, rows), rows.map { value($0, column).number }, format: format)
    }

    /// A chart's categories over a column of this sheet.
    func texts(_ column: Int, _ rows: ClosedRange<Int>) -> Chart.Texts {
        .init(reference(column, rows), rows.map { r in
            switch value(r, column) {
            case .string(let s): s
            case .empty: ""
            case let v: Values.text(v)
            }
        })
    }

    /// What the cells hold, as a reader gives them back: a value or a formula, nothing for
    /// cells written only for their format.
    var contents: [CellReference: (value: CellValue, formula: String?)] {
        var out: [CellReference: (CellValue, String?)] = [:]
        for (r, row) in cells {
            for (c, cell) in row where !cell.value.isEmpty || cell.formula != nil {
                out[CellReference(row: r, column: c)] = (cell.value, cell.formula)
            }
        }
        return out
    }

    /// Whether `sheet` already holds these cells (values and formulas), and nothing else.
    func isWritten(in book: Workbook, _ sheet: SheetInfo) throws -> Bool {
        var want = contents
        var same = true
        _ = try book.readSheet(sheet) { row in
            guard same else { return }
            for c in row.cells where !(c.value.isEmpty && !c.hasFormula) {
                let ref = CellReference(row: row.index, column: c.column)
                guard let w = want.removeValue(forKey: ref), w.formula == c.formula, Recalculator.same(w.value, c.value) else { same = false; return }
            }
        }
        return same && want.isEmpty
    }

    func write(to sheet: SheetWriter) throws {
        for w in widths { try sheet.setColumns(w.first, w.last, width: w.width) }
        if let freeze { try sheet.freeze(rows: freeze.rows, columns: freeze.columns) }
        sheet.printSetup = printSetup
        for r in cells.keys.sorted() {
            try sheet.writeRow(r, cells[r]!.keys.sorted().map { cells[r]![$0]! }, height: heights[r])
        }
        for m in merges { sheet.merge(m) }
        for h in highlights { sheet.addHighlight(h.ranges, when: h.rule, style: h.style) }
        for c in charts { sheet.addChart(c) }
    }
}
