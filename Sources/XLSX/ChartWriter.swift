/// A native chart (DrawingML, ECMA-376 Part 1 §21.2) over cells of the workbook: Excel, WPS and
/// LibreOffice draw it from the cells its series name and redraw it as they change; the cached
/// points (`c:numCache`, `c:strCache`) are what previews and readers that do not recalculate show,
/// so they hold the values the cells hold when the chart is written.
public struct Chart: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Vertical bars side by side (`horizontal`: bars across).
        case bar(horizontal: Bool = false)
        case line
        /// Parts of a whole, one series; each point its own colour.
        case doughnut
    }

    /// Cells a series reads: a formula (`'主跟踪表'!$J$3:$J$8`) and what they hold now.
    public struct Numbers: Sendable, Equatable {
        public var formula: String
        public var values: [Double?]
        public var format: String
        public init(_ formula: String, _ values: [Double?], format: String = "General") {
            self.formula = formula; self.values = values; self.format = format
        }
    }

    public struct Texts: Sendable, Equatable {
        public var formula: String
        public var values: [String]
        public init(_ formula: String, _ values: [String]) { self.formula = formula; self.values = values }
    }

    public struct Series: Sendable, Equatable {
        /// The series' name, read from a cell (`formula`) or written as it is (`formula` nil).
        public var name: String
        public var nameFormula: String?
        public var values: Numbers
        /// `.line` in a bar chart: drawn as a line over the bars (a target over the actuals).
        public var kind: Kind?
        /// RGB, `4472C4`; nil: the chart's palette.
        public var color: String?
        /// A doughnut's colour per point (达标 green, 预警 amber, 未达标 red); nil: the palette.
        public var pointColors: [String]?
        public init(name: String, nameFormula: String? = nil, values: Numbers, kind: Kind? = nil, color: String? = nil, pointColors: [String]? = nil) {
            self.name = name; self.nameFormula = nameFormula; self.values = values; self.kind = kind; self.color = color
            self.pointColors = pointColors
        }
    }

    public var kind: Kind
    public var title: String?
    public var categories: Texts
    public var series: [Series]
    public var dataLabels = false
    /// Where the chart sits: the cells its top-left and bottom-right corners are in.
    public var anchor: CellRange
    /// The value axis' number format (`0%`, `#,##0`).
    public var valueFormat: String?

    public init(kind: Kind, title: String?, categories: Texts, series: [Series], anchor: CellRange,
                dataLabels: Bool = false, valueFormat: String? = nil) {
        self.kind = kind; self.title = title; self.categories = categories; self.series = series
        self.anchor = anchor; self.dataLabels = dataLabels; self.valueFormat = valueFormat
    }

    /// Colours for series without their own: Office's default palette.
    static let palette = ["4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E", "636363", "997300"]
}

/// Writes the parts charts need: one drawing per sheet (the anchors) and one chart part each.
/// One function per element, in schema order, as the rest of the writer.
enum ChartXML {
    static let chartNS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    static let drawingNS = "http://schemas.openxmlformats.org/drawingml/2006/main"
    static let sheetDrawingNS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    static let drawingContentType = "application/vnd.openxmlformats-officedocument.drawing+xml"
    static let chartContentType = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

    /// `xl/drawings/drawingN.xml`: a two-cell anchor and graphic frame per chart; `rIds[i]` is
    /// the drawing's relationship to chart `i`.
    static func drawing(_ charts: [Chart], rIds: [String], part: String) throws -> [UInt8] {
        let out = XMLOut(part: part)
        out.start("xdr:wsDr")
        out.attribute("xmlns:xdr", sheetDrawingNS)
        out.attribute("xmlns:a", drawingNS)
        for (i, chart) in charts.enumerated() {
            out.start("xdr:twoCellAnchor")
            marker("xdr:from", chart.anchor.first, to: out)
            marker("xdr:to", chart.anchor.last, to: out)
            out.start("xdr:graphicFrame"); out.attribute("macro", "")
            out.start("xdr:nvGraphicFramePr")
            out.element("xdr:cNvPr", [("id", String(i + 2)), ("name", "Chart \(i + 1)")])
            out.element("xdr:cNvGraphicFramePr")
            out.end()
            out.start("xdr:xfrm")
            out.element("a:off", [("x", "0"), ("y", "0")])
            out.element("a:ext", [("cx", "0"), ("cy", "0")])
            out.end()
            out.start("a:graphic")
            out.start("a:graphicData"); out.attribute("uri", chartNS)
            out.element("c:chart", [("xmlns:c", chartNS), ("xmlns:r", WorkbookWriter.relNS), ("r:id", rIds[i])])
            out.end()
            out.end()
            out.end() // graphicFrame
            out.element("xdr:clientData")
            out.end()
        }
        out.end()
        return try out.finish()
    }

    /// A corner: the cell's 0-based column and row.
    private static func marker(_ name: String, _ cell: CellReference, to out: XMLOut) {
        out.start(name)
        out.element("xdr:col", text: String(cell.column - 1))
        out.element("xdr:colOff", text: "0")
        out.element("xdr:row", text: String(cell.row - 1))
        out.element("xdr:rowOff", text: "0")
        out.end()
    }

    /// `xl/charts/chartN.xml`.
    static func chart(_ chart: Chart, part: String) throws -> [UInt8] {
        let out = XMLOut(part: part)
        out.start("c:chartSpace")
        out.attribute("xmlns:c", chartNS)
        out.attribute("xmlns:a", drawingNS)
        out.attribute("xmlns:r", WorkbookWriter.relNS)
        out.element("c:roundedCorners", [("val", "0")])
        out.start("c:chart")
        if let t = chart.title { title(t, to: out) }
        out.element("c:autoTitleDeleted", [("val", chart.title == nil ? "1" : "0")])
        plotArea(chart, to: out)
        out.start("c:legend")
        out.element("c:legendPos", [("val", "b")])
        out.element("c:overlay", [("val", "0")])
        out.end()
        out.element("c:plotVisOnly", [("val", "1")])
        out.element("c:dispBlanksAs", [("val", "gap")])
        out.end() // chart
        out.end()
        return try out.finish()
    }

    private static func title(_ text: String, to out: XMLOut) {
        out.start("c:title")
        out.start("c:tx"); out.start("c:rich")
        out.element("a:bodyPr"); out.element("a:lstStyle")
        out.start("a:p")
        out.start("a:pPr"); out.element("a:defRPr", [("sz", "1200"), ("b", "1")]); out.end()
        out.start("a:r"); out.element("a:rPr", [("lang", "zh-CN"), ("sz", "1200"), ("b", "1")]); out.element("a:t", text: text); out.end()
        out.end()
        out.end(); out.end()
        out.element("c:overlay", [("val", "0")])
        out.end()
    }

    private static let categoryAxis = "10", valueAxis = "20"

    private static func plotArea(_ chart: Chart, to out: XMLOut) {
        out.start("c:plotArea")
        out.element("c:layout")
        switch chart.kind {
        case .doughnut:
            out.start("c:doughnutChart")
            out.element("c:varyColors", [("val", "1")])
            for (i, s) in chart.series.prefix(1).enumerated() { series(s, index: i, in: chart, kind: .doughnut, to: out) }
            out.element("c:firstSliceAng", [("val", "0")])
            out.element("c:holeSize", [("val", "55")])
            out.end()
        case .bar(let horizontal):
            let bars = chart.series.enumerated().filter { $0.element.kind == nil || $0.element.kind == chart.kind }
            let lines = chart.series.enumerated().filter { $0.element.kind == .line }
            out.start("c:barChart")
            out.element("c:barDir", [("val", horizontal ? "bar" : "col")])
            out.element("c:grouping", [("val", "clustered")])
            out.element("c:varyColors", [("val", "0")])
            for (i, s) in bars { series(s, index: i, in: chart, kind: chart.kind, to: out) }
            out.element("c:gapWidth", [("val", "80")])
            out.element("c:axId", [("val", categoryAxis)]); out.element("c:axId", [("val", valueAxis)])
            out.end()
            if !lines.isEmpty { lineChart(lines, chart, to: out) }
            axes(chart, horizontal: horizontal, to: out)
        case .line:
            lineChart(Array(chart.series.enumerated()), chart, to: out)
            axes(chart, horizontal: false, to: out)
        }
        out.end()
    }

    private static func lineChart(_ list: [(offset: Int, element: Chart.Series)], _ chart: Chart, to out: XMLOut) {
        out.start("c:lineChart")
        out.element("c:grouping", [("val", "standard")])
        out.element("c:varyColors", [("val", "0")])
        for (i, s) in list { series(s, index: i, in: chart, kind: .line, to: out) }
        out.element("c:marker", [("val", "1")])
        out.element("c:axId", [("val", categoryAxis)]); out.element("c:axId", [("val", valueAxis)])
        out.end()
    }

    /// CT_BarSer, CT_LineSer and CT_PieSer share their head (idx, order, tx, spPr) and tail (cat, val).
    private static func series(_ s: Chart.Series, index: Int, in chart: Chart, kind: Chart.Kind, to out: XMLOut) {
        out.start("c:ser")
        out.element("c:idx", [("val", String(index))])
        out.element("c:order", [("val", String(index))])
        out.start("c:tx")
        if let f = s.nameFormula {
            out.start("c:strRef"); out.element("c:f", text: f); strCache([s.name], to: out); out.end()
        } else {
            out.element("c:v", text: s.name)
        }
        out.end()
        let color = s.color ?? Chart.palette[index % Chart.palette.count]
        if kind == .line {
            out.start("c:spPr"); out.start("a:ln"); out.attribute("w", "28575"); fill(color, to: out); out.end(); out.end()
            out.start("c:marker"); out.element("c:symbol", [("val", "circle")]); out.element("c:size", [("val", "6")]); out.end()
        } else if kind == .doughnut {
            // Each point its own colour.
            for i in chart.categories.values.indices {
                out.start("c:dPt")
                out.element("c:idx", [("val", String(i))])
                out.element("c:bubble3D", [("val", "0")])
                let colors = s.pointColors ?? Chart.palette
                out.start("c:spPr"); fill(colors.isEmpty ? Chart.palette[i % Chart.palette.count] : colors[i % colors.count], to: out); out.end()
                out.end()
            }
        } else {
            out.start("c:spPr"); fill(color, to: out); out.end()
            out.element("c:invertIfNegative", [("val", "0")])
        }
        if chart.dataLabels { dataLabels(percent: kind == .doughnut, to: out) }
        out.start("c:cat"); out.start("c:strRef")
        out.element("c:f", text: chart.categories.formula)
        strCache(chart.categories.values, to: out)
        out.end(); out.end()
        out.start("c:val"); out.start("c:numRef")
        out.element("c:f", text: s.values.formula)
        numCache(s.values, to: out)
        out.end(); out.end()
        if kind == .line { out.element("c:smooth", [("val", "0")]) }
        out.end()
    }

    private static func fill(_ rgb: String, to out: XMLOut) {
        out.start("a:solidFill"); out.element("a:srgbClr", [("val", rgb)]); out.end()
    }

    private static func dataLabels(percent: Bool, to out: XMLOut) {
        out.start("c:dLbls")
        out.element("c:showLegendKey", [("val", "0")])
        out.element("c:showVal", [("val", percent ? "0" : "1")])
        out.element("c:showCatName", [("val", "0")])
        out.element("c:showSerName", [("val", "0")])
        out.element("c:showPercent", [("val", percent ? "1" : "0")])
        out.element("c:showBubbleSize", [("val", "0")])
        out.end()
    }

    private static func strCache(_ values: [String], to out: XMLOut) {
        out.start("c:strCache")
        out.element("c:ptCount", [("val", String(values.count))])
        for (i, v) in values.enumerated() {
            out.start("c:pt"); out.attribute("idx", String(i)); out.element("c:v", text: v); out.end()
        }
        out.end()
    }

    private static func numCache(_ n: Chart.Numbers, to out: XMLOut) {
        out.start("c:numCache")
        out.element("c:formatCode", text: n.format)
        out.element("c:ptCount", [("val", String(n.values.count))])
        for (i, v) in n.values.enumerated() {
            guard let v, v.isFinite else { continue }
            out.start("c:pt"); out.attribute("idx", String(i)); out.element("c:v", text: SheetEditRewriter.number(v)); out.end()
        }
        out.end()
    }

    private static func axes(_ chart: Chart, horizontal: Bool, to out: XMLOut) {
        out.start("c:catAx")
        out.element("c:axId", [("val", categoryAxis)])
        out.start("c:scaling"); out.element("c:orientation", [("val", horizontal ? "maxMin" : "minMax")]); out.end()
        out.element("c:delete", [("val", "0")])
        out.element("c:axPos", [("val", horizontal ? "l" : "b")])
        out.element("c:numFmt", [("formatCode", "General"), ("sourceLinked", "0")])
        out.element("c:majorTickMark", [("val", "out")])
        out.element("c:minorTickMark", [("val", "none")])
        out.element("c:tickLblPos", [("val", "nextTo")])
        out.element("c:crossAx", [("val", valueAxis)])
        out.element("c:crosses", [("val", "autoZero")])
        out.element("c:auto", [("val", "1")])
        out.element("c:lblAlgn", [("val", "ctr")])
        out.element("c:lblOffset", [("val", "100")])
        out.element("c:noMultiLvlLbl", [("val", "0")])
        out.end()
        out.start("c:valAx")
        out.element("c:axId", [("val", valueAxis)])
        out.start("c:scaling"); out.element("c:orientation", [("val", "minMax")]); out.end()
        out.element("c:delete", [("val", "0")])
        out.element("c:axPos", [("val", horizontal ? "b" : "l")])
        out.element("c:majorGridlines")
        out.element("c:numFmt", [("formatCode", chart.valueFormat ?? "General"), ("sourceLinked", chart.valueFormat == nil ? "1" : "0")])
        out.element("c:majorTickMark", [("val", "out")])
        out.element("c:minorTickMark", [("val", "none")])
        out.element("c:tickLblPos", [("val", "nextTo")])
        out.element("c:crossAx", [("val", categoryAxis)])
        out.element("c:crosses", [("val", "autoZero")])
        out.element("c:crossBetween", [("val", "between")])
        out.end()
    }
}
