/// One cell to write: where (nil: right of the previous one), what, and how it looks.
public struct WriteCell: Sendable {
    public var column: Int?
    public var value: CellValue
    /// A formula without `=`; `value` is its cached result, which Excel, WPS and LibreOffice show at once.
    public var formula: String?
    public var style: CellStyle?

    public init(_ value: CellValue, column: Int? = nil, formula: String? = nil, style: CellStyle? = nil) {
        self.value = value
        self.column = column
        self.formula = formula
        self.style = style
    }
}

/// Page setup for printing a sheet.
public struct PrintSetup: Sendable, Equatable {
    public var landscape = false
    /// Fit all columns on one page width (rows flow onto as many pages as needed).
    public var fitToWidth = false
    /// Rows repeated at the top of every printed page (`1...2`).
    public var repeatRows: ClosedRange<Int>?
    /// A4 (9) by default; Letter is 1.
    public var paperSize = 9
    /// With `fitToWidth`: the rows too on one page (a dashboard read at a glance).
    public var onePage = false

    public init(landscape: Bool = false, fitToWidth: Bool = false, repeatRows: ClosedRange<Int>? = nil, paperSize: Int = 9, onePage: Bool = false) {
        self.landscape = landscape; self.fitToWidth = fitToWidth; self.repeatRows = repeatRows; self.paperSize = paperSize
        self.onePage = onePage
    }
}

/// A conditional format rule.
public enum HighlightRule: Sendable, Equatable {
    /// The cell equals a value (a text or a number), e.g. `达标`.
    case cellEquals(CellValue)
    /// A formula written for the range's first cell, true where the style applies (`$F3<TODAY()`).
    case expression(String)
}

/// Where a sheet being written gets its cell-format and text indexes: a new workbook's registry
/// and shared strings, or an edited workbook's derived formats and inline text.
protocol SheetWriterContext: AnyObject {
    func styleID(_ style: CellStyle) -> Int
    func highlightID(_ style: HighlightStyle) -> Int
    /// True when texts go to a shared-string table (`sharedString`), false to write them inline.
    var usesSharedStrings: Bool { get }
    /// The shared-string index of a text.
    func sharedString(_ text: String) -> Int
    /// A name for a new chart part that no part of the workbook has (`xl/charts/chart3.xml`).
    func newChartPart() -> String
}

/// Streams one worksheet of a new workbook to a scratch file, its elements in the schema's order
/// (ECMA-376 Part 1, §18.3.1.99): what comes before the cells (panes, columns) is fixed when the
/// first row is written; what comes after (merges, formats, validations, links, print setup,
/// notes) may be added at any time before the workbook is closed.
public final class SheetWriter {
    public let name: String
    public let isHidden: Bool
    /// 1-based position, which also names the part (`xl/worksheets/sheet3.xml`).
    let number: Int
    private unowned let book: SheetWriterContext
    private let out: XMLOut
    let scratchPath: String

    private var columns: [(first: Int, last: Int, width: Double?, hidden: Bool, style: Int?)] = []
    private var frozen: (rows: Int, columns: Int)?
    public var printSetup: PrintSetup?
    private var started = false, closed = false
    private var lastRow = 0
    private(set) var merges: [CellRange] = []
    private var formats: [(ranges: [CellRange], rule: HighlightRule, style: Int)] = []
    private var validations: [(ranges: [CellRange], formula: String, allowBlank: Bool, prompt: String?, strict: Bool)] = []
    private(set) var links: [(ref: CellReference, url: String?, location: String?, tooltip: String?)] = []
    private(set) var notes: [(ref: CellReference, text: String, author: String)] = []
    private(set) var charts: [(chart: Chart, part: String)] = []
    var selected = false

    init(book: SheetWriterContext, name: String, hidden: Bool, number: Int, scratchPath: String, part: String? = nil) throws {
        self.book = book
        self.name = name
        self.isHidden = hidden
        self.number = number
        self.scratchPath = scratchPath
        self.part = part ?? "xl/worksheets/sheet\(number).xml"
        out = try XMLOut(file: scratchPath, part: self.part)
    }

    let part: String

    // MARK: before the first row

    /// Width (in characters), visibility and default style of columns `first...last`.
    public func setColumns(_ first: Int, _ last: Int? = nil, width: Double? = nil, hidden: Bool = false, style: CellStyle? = nil) throws {
        try requireNotStarted("setColumns")
        columns.append((first, last ?? first, width, hidden, style.map { book.styleID($0) }))
    }

    /// Freezes the top `rows` rows and left `columns` columns.
    public func freeze(rows: Int, columns: Int = 0) throws {
        try requireNotStarted("freeze")
        frozen = (rows, columns)
    }

    // MARK: rows, in ascending order

    /// Writes the row after the last one written.
    public func writeRow(_ cells: [WriteCell], height: Double? = nil, hidden: Bool = false) throws {
        try writeRow(nil, cells, height: height, hidden: hidden)
    }

    /// Writes row `index` (nil: the next one). Rows must come in ascending order; memory does not
    /// grow with the number of rows.
    public func writeRow(_ index: Int?, _ cells: [WriteCell], height: Double? = nil, hidden: Bool = false) throws {
        let r = index ?? lastRow + 1
        guard r > lastRow, r <= Grid.maxRow else {
            throw XLSXError(.tooManyCells, .rowsOutOfOrder, ["row": "\(r)", "sheet": "\(name)", "last": "\(lastRow)"], part: part)
        }
        if !started { writeHead() }
        lastRow = r
        out.start("row")
        out.attribute("r", String(r))
        if let height { out.attribute("ht", SheetEditRewriter.number(height)); out.attribute("customHeight", "1") }
        if hidden { out.attribute("hidden", "1") }
        var column = 0
        for cell in cells {
            column = cell.column ?? column + 1
            guard column >= 1, column <= Grid.maxColumn else { continue }
            let style = cell.style.map { book.styleID($0) }
            CellXML.write(CellReference(row: r, column: column), value: cell.value, formula: cell.formula,
                          style: style.map(String.init), to: out,
                          sharedString: book.usesSharedStrings ? { self.book.sharedString($0) } : nil)
        }
        out.end()
    }

    // MARK: any time before close

    public func merge(_ range: CellRange) { merges.append(range) }

    /// A native chart on the sheet, drawn from the cells its series name (see `Chart`).
    public func addChart(_ chart: Chart) { charts.append((chart, book.newChartPart())) }

    /// A drop-down of `items` on `ranges` (Excel limits an inline list to 255 characters).
    /// `strict: false`: the items are suggestions; Excel takes any other value typed.
    public func addListValidation(_ ranges: [CellRange], items: [String], allowBlank: Bool = true, prompt: String? = nil, strict: Bool = true) {
        let list = "\"" + items.map { $0.replacingAll("\"", with: "\"\"") }.joined(separator: ",") + "\""
        validations.append((ranges, list, allowBlank, prompt, strict))
    }

    /// A drop-down whose items are in a range, e.g. `选项!$A$1:$A$4`.
    public func addListValidation(_ ranges: [CellRange], source: String, allowBlank: Bool = true, prompt: String? = nil) {
        validations.append((ranges, source, allowBlank, prompt, true))
    }

    public func addHighlight(_ ranges: [CellRange], when rule: HighlightRule, style: HighlightStyle) {
        formats.append((ranges, rule, book.highlightID(style)))
    }

    public func addHyperlink(_ ref: CellReference, url: String, tooltip: String? = nil) {
        links.append((ref, url, nil, tooltip))
    }

    /// A link to a place in the workbook, e.g. `'主跟踪表'!A1`.
    public func addHyperlink(_ ref: CellReference, location: String, tooltip: String? = nil) {
        links.append((ref, nil, location, tooltip))
    }

    public func addNote(_ ref: CellReference, text: String, author: String = "tracksheet") {
        notes.append((ref, text, author))
    }

    // MARK: writing

    private func requireNotStarted(_ what: String) throws {
        if started {
            throw XLSXError(.tooManyCells, .mustPrecedeRows, ["what": "\(what)", "sheet": "\(name)"], part: part)
        }
    }

    /// worksheet, sheetPr, sheetViews, sheetFormatPr, cols, sheetData.
    private func writeHead() {
        started = true
        out.start("worksheet")
        out.attribute("xmlns", "http://schemas.openxmlformats.org/spreadsheetml/2006/main")
        out.attribute("xmlns:r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
        if printSetup?.fitToWidth == true {
            out.start("sheetPr"); out.element("pageSetUpPr", [("fitToPage", "1")]); out.end()
        }
        writeSheetViews()
        out.element("sheetFormatPr", [("defaultRowHeight", "15")])
        if !columns.isEmpty {
            out.start("cols")
            for c in columns.sorted(by: { $0.first < $1.first }) {
                out.start("col")
                out.attribute("min", String(c.first)); out.attribute("max", String(c.last))
                out.attribute("width", SheetEditRewriter.number(c.width ?? 8.43))
                if let s = c.style { out.attribute("style", String(s)) }
                if c.hidden { out.attribute("hidden", "1") }
                if c.width != nil { out.attribute("customWidth", "1") }
                out.end()
            }
            out.end()
        }
        out.start("sheetData")
    }

    private func writeSheetViews() {
        out.start("sheetViews")
        out.start("sheetView")
        if selected { out.attribute("tabSelected", "1") }
        out.attribute("workbookViewId", "0")
        if let f = frozen, f.rows > 0 || f.columns > 0 {
            let pane = f.rows > 0 && f.columns > 0 ? "bottomRight" : f.rows > 0 ? "bottomLeft" : "topRight"
            let topLeft = CellReference(row: f.rows + 1, column: f.columns + 1).description
            out.start("pane")
            if f.columns > 0 { out.attribute("xSplit", String(f.columns)) }
            if f.rows > 0 { out.attribute("ySplit", String(f.rows)) }
            out.attribute("topLeftCell", topLeft)
            out.attribute("activePane", pane)
            out.attribute("state", "frozen")
            out.end()
            out.element("selection", [("pane", pane), ("activeCell", topLeft), ("sqref", topLeft)])
        }
        out.end()
        out.end()
    }

    /// Ends sheetData and writes what follows it, in schema order. Relationship ids: external
    /// links first (`rId1`…), then the notes' VML drawing and comments.
    func close() throws {
        guard !closed else { return }
        closed = true
        if !started { writeHead() }
        out.end() // sheetData
        if !merges.isEmpty {
            out.start("mergeCells"); out.attribute("count", String(merges.count))
            for m in merges { out.element("mergeCell", [("ref", m.description)]) }
            out.end()
        }
        var priority = 1
        for f in formats {
            out.start("conditionalFormatting")
            out.attribute("sqref", f.ranges.map(\.description).joined(separator: " "))
            out.start("cfRule")
            switch f.rule {
            case .cellEquals(let v):
                out.attribute("type", "cellIs"); out.attribute("dxfId", String(f.style))
                out.attribute("priority", String(priority)); out.attribute("operator", "equal")
                out.element("formula", text: Self.literal(v))
            case .expression(let formula):
                out.attribute("type", "expression"); out.attribute("dxfId", String(f.style))
                out.attribute("priority", String(priority))
                out.element("formula", text: formula)
            }
            out.end()
            out.end()
            priority += 1
        }
        if !validations.isEmpty {
            out.start("dataValidations"); out.attribute("count", String(validations.count))
            for v in validations {
                out.start("dataValidation")
                out.attribute("type", "list")
                if v.allowBlank { out.attribute("allowBlank", "1") }
                out.attribute("showInputMessage", "1"); out.attribute("showErrorMessage", v.strict ? "1" : "0")
                if let p = v.prompt { out.attribute("prompt", p) }
                out.attribute("sqref", v.ranges.map(\.description).joined(separator: " "))
                out.element("formula1", text: v.formula)
                out.end()
            }
            out.end()
        }
        if !links.isEmpty {
            out.start("hyperlinks")
            var rid = 0
            for l in links {
                out.start("hyperlink")
                out.attribute("ref", l.ref.description)
                if l.url != nil { rid += 1; out.attribute("r:id", "rId\(rid)") }
                if let loc = l.location { out.attribute("location", loc) }
                if let t = l.tooltip { out.attribute("tooltip", t) }
                out.end()
            }
            out.end()
        }
        if let p = printSetup {
            out.element("pageMargins", [("left", "0.7"), ("right", "0.7"), ("top", "0.75"), ("bottom", "0.75"),
                                        ("header", "0.3"), ("footer", "0.3")])
            var attrs = [("paperSize", String(p.paperSize))]
            if p.fitToWidth { attrs += [("fitToWidth", "1"), ("fitToHeight", p.onePage ? "1" : "0")] }
            attrs.append(("orientation", p.landscape ? "landscape" : "portrait"))
            out.element("pageSetup", attrs)
        }
        if !charts.isEmpty { out.element("drawing", [("r:id", relationshipIDs.drawing)]) }
        if !notes.isEmpty { out.element("legacyDrawing", [("r:id", relationshipIDs.vml)]) }
        out.end() // worksheet
        try out.finish()
    }

    // MARK: the parts beside the sheet

    /// Names for the notes' parts; the editor sets a stem that no part of the workbook uses yet.
    lazy var auxiliaryStem: String = "\(number)"
    private var commentsName: String { "comments\(auxiliaryStem).xml" }
    private var vmlName: String { "vmlDrawing\(auxiliaryStem).vml" }
    var drawingName: String { "drawing\(auxiliaryStem).xml" }

    /// The sheet's relationship ids: external links first (`rId1`…), then the charts' drawing,
    /// then the notes' VML drawing and comments.
    private var relationshipIDs: (drawing: String, vml: String, comments: String) {
        var n = links.filter { $0.url != nil }.count
        n += 1
        let drawing = "rId\(n)"
        if !charts.isEmpty { n += 1 }
        return (drawing, "rId\(n)", "rId\(n + 1)")
    }

    /// The parts the sheet needs besides itself, with the content type to declare for each
    /// (`nil`: covered by a Default, as `.rels` and `.vml` are).
    var auxiliaryNames: [(name: String, contentType: String?)] {
        var names: [(String, String?)] = []
        if links.contains(where: { $0.url != nil }) || !notes.isEmpty || !charts.isEmpty { names.append((PartName.relationships(of: part), nil)) }
        if !charts.isEmpty {
            names.append(("xl/drawings/" + drawingName, ChartXML.drawingContentType))
            names.append((PartName.relationships(of: "xl/drawings/" + drawingName), nil))
            for c in charts { names.append((c.part, ChartXML.chartContentType)) }
        }
        if !notes.isEmpty {
            names.append(("xl/" + commentsName, "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"))
            names.append(("xl/drawings/" + vmlName, nil))
        }
        return names
    }

    func auxiliaryParts() throws -> [(name: String, bytes: [UInt8])] {
        var parts: [(String, [UInt8])] = []
        if let rels = try relationshipsPart() { parts.append((PartName.relationships(of: part), rels)) }
        if !charts.isEmpty {
            let drawing = "xl/drawings/" + drawingName
            let ids = charts.indices.map { "rId\($0 + 1)" }
            parts.append((drawing, try ChartXML.drawing(charts.map(\.chart), rIds: ids, part: drawing)))
            let rels = charts.enumerated().map { i, c in (ids[i], WorkbookWriter.relTypes + "chart", "/" + c.part) }
            parts.append((PartName.relationships(of: drawing), try WorkbookWriter.relationshipsPart(PartName.relationships(of: drawing), rels)))
            for c in charts { parts.append((c.part, try ChartXML.chart(c.chart, part: c.part))) }
        }
        if !notes.isEmpty {
            parts.append(("xl/" + commentsName, try commentsPart()))
            parts.append(("xl/drawings/" + vmlName, try vmlDrawing()))
        }
        return parts
    }

    private func relationshipsPart() throws -> [UInt8]? {
        var rels: [(String, String, String)] = []
        var external: Set<String> = []
        for l in links { if let url = l.url {
            let id = "rId\(rels.count + 1)"
            rels.append((id, WorkbookWriter.relTypes + "hyperlink", url)); external.insert(id)
        } }
        let ids = relationshipIDs
        if !charts.isEmpty { rels.append((ids.drawing, WorkbookWriter.relTypes + "drawing", "../drawings/\(drawingName)")) }
        if !notes.isEmpty {
            rels.append((ids.vml, WorkbookWriter.relTypes + "vmlDrawing", "../drawings/\(vmlName)"))
            rels.append((ids.comments, WorkbookWriter.relTypes + "comments", "../\(commentsName)"))
        }
        return rels.isEmpty ? nil : try WorkbookWriter.relationshipsPart(PartName.relationships(of: part), rels, external: external)
    }

    private func commentsPart() throws -> [UInt8] {
        let out = XMLOut(part: "xl/" + commentsName)
        var authors: [String] = []
        for n in notes where !authors.contains(n.author) { authors.append(n.author) }
        out.start("comments"); out.attribute("xmlns", WorkbookWriter.mainNS)
        out.start("authors"); for a in authors { out.element("author", text: a) }; out.end()
        out.start("commentList")
        for n in notes { NoteXML.comment(n.ref, authorID: authors.firstIndex(of: n.author)!, text: n.text, to: out) }
        out.end()
        out.end()
        return try out.finish()
    }

    private func vmlDrawing() throws -> [UInt8] {
        try NoteXML.drawing(notes.map(\.ref), block: number, part: "xl/drawings/" + vmlName)
    }

    /// A value as a formula literal: `"达标"` or `90`.
    static func literal(_ v: CellValue) -> String {
        switch v {
        case .string(let s): "\"" + s.replacingAll("\"", with: "\"\"") + "\""
        case .number(let n): SheetEditRewriter.number(n)
        case .bool(let b): b ? "TRUE" : "FALSE"
        case .date(let d): SheetEditRewriter.number(d.serial)
        case .error(let e): e
        case .empty: "\"\""
        }
    }

    /// `'主跟踪表'` — a sheet name as formulas quote it.
    public static func quoted(_ name: String) -> String { "'" + name.replacingAll("'", with: "''") + "'" }
}
