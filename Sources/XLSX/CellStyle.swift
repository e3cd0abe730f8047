/// How a cell looks, in the terms a template uses. Equal styles share one cell format (`<xf>`).
public struct CellStyle: Hashable, Sendable {
    public enum Horizontal: String, Sendable { case left, center, right }
    public enum Vertical: String, Sendable { case top, center, bottom }

    /// A number format code: `yyyy-mm-dd`, `#,##0.00`, `0.0%`, `@`; nil for General.
    public var numberFormat: String?
    public var bold = false
    public var italic = false
    /// RGB hex (`C00000`).
    public var fontColor: String?
    public var fontSize: Double?
    public var fontName: String?
    /// Solid fill, RGB hex.
    public var fill: String?
    /// A thin border on all four sides.
    public var border = false
    public var horizontal: Horizontal?
    public var vertical: Vertical?
    public var wrap = false

    public init(numberFormat: String? = nil, bold: Bool = false, italic: Bool = false, fontColor: String? = nil,
                fontSize: Double? = nil, fontName: String? = nil, fill: String? = nil, border: Bool = false,
                horizontal: Horizontal? = nil, vertical: Vertical? = nil, wrap: Bool = false) {
        self.numberFormat = numberFormat; self.bold = bold; self.italic = italic; self.fontColor = fontColor
        self.fontSize = fontSize; self.fontName = fontName; self.fill = fill; self.border = border
        self.horizontal = horizontal; self.vertical = vertical; self.wrap = wrap
    }

    public static let plain = CellStyle()
}

/// The look a conditional format gives a cell (a `<dxf>`).
public struct HighlightStyle: Hashable, Sendable {
    public var fontColor: String?
    public var fill: String?
    public var bold = false

    public init(fontColor: String? = nil, fill: String? = nil, bold: Bool = false) {
        self.fontColor = fontColor; self.fill = fill; self.bold = bold
    }
}

/// Collects the styles a new workbook uses and writes `xl/styles.xml` (ECMA-376 Part 1, §18.8),
/// its elements in schema order: numFmts, fonts, fills, borders, cellStyleXfs, cellXfs,
/// cellStyles, dxfs.
struct StyleRegistry {
    struct Font: Hashable { var bold = false, italic = false, color: String?, size: Double = 11, name = "Calibri" }
    private(set) var styles: [CellStyle] = [.plain]
    private var index: [CellStyle: Int] = [.plain: 0]
    private(set) var highlights: [HighlightStyle] = []
    private var highlightIndex: [HighlightStyle: Int] = [:]

    /// The `cellXfs` index of `style`, adding it the first time.
    mutating func id(_ style: CellStyle) -> Int {
        if let i = index[style] { return i }
        styles.append(style)
        index[style] = styles.count - 1
        return styles.count - 1
    }

    /// The `dxfs` index of `style`.
    mutating func id(_ style: HighlightStyle) -> Int {
        if let i = highlightIndex[style] { return i }
        highlights.append(style)
        highlightIndex[style] = highlights.count - 1
        return highlights.count - 1
    }

    /// Built-in number formats by code (§18.8.30); others get ids from 164.
    static let builtinFormats: [String: Int] = [
        "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "0.00E+00": 11,
        "mm-dd-yy": 14, "d-mmm-yy": 15, "h:mm": 20, "h:mm:ss": 21, "m/d/yy h:mm": 22, "[h]:mm:ss": 46, "@": 49,
    ]

    func write(to out: XMLOut) {
        var customFormats: [String: Int] = [:]
        var formatOrder: [String] = []
        for s in styles { if let f = s.numberFormat, Self.builtinFormats[f] == nil, customFormats[f] == nil {
            customFormats[f] = 164 + formatOrder.count; formatOrder.append(f)
        } }
        var fonts: [Font] = [Font()]
        var fontIndex: [Font: Int] = [Font(): 0]
        var fills: [String] = []          // solid fills after the two required ones
        var fillIndex: [String: Int] = [:]
        for s in styles {
            let f = font(s)
            if fontIndex[f] == nil { fontIndex[f] = fonts.count; fonts.append(f) }
            if let c = s.fill, fillIndex[c] == nil { fillIndex[c] = 2 + fills.count; fills.append(c) }
        }

        out.start("styleSheet")
        out.attribute("xmlns", "http://schemas.openxmlformats.org/spreadsheetml/2006/main")
        if !formatOrder.isEmpty {
            out.start("numFmts"); out.attribute("count", String(formatOrder.count))
            for f in formatOrder { out.element("numFmt", [("numFmtId", String(customFormats[f]!)), ("formatCode", f)]) }
            out.end()
        }
        out.start("fonts"); out.attribute("count", String(fonts.count))
        for f in fonts { writeFont(f, to: out) }
        out.end()
        out.start("fills"); out.attribute("count", String(2 + fills.count))
        out.start("fill"); out.element("patternFill", [("patternType", "none")]); out.end()
        out.start("fill"); out.element("patternFill", [("patternType", "gray125")]); out.end()
        for c in fills { writeFill(c, to: out) }
        out.end()
        out.start("borders"); out.attribute("count", "2")
        out.start("border"); for side in ["left", "right", "top", "bottom", "diagonal"] { out.element(side) }; out.end()
        out.start("border")
        for side in ["left", "right", "top", "bottom"] {
            out.start(side); out.attribute("style", "thin"); out.element("color", [("indexed", "64")]); out.end()
        }
        out.element("diagonal")
        out.end()
        out.end()
        out.start("cellStyleXfs"); out.attribute("count", "1")
        out.element("xf", [("numFmtId", "0"), ("fontId", "0"), ("fillId", "0"), ("borderId", "0")])
        out.end()
        out.start("cellXfs"); out.attribute("count", String(styles.count))
        for s in styles {
            let numFmt = s.numberFormat.map { Self.builtinFormats[$0] ?? customFormats[$0]! } ?? 0
            var attrs = [("numFmtId", String(numFmt)), ("fontId", String(fontIndex[font(s)]!)),
                         ("fillId", String(s.fill.map { fillIndex[$0]! } ?? 0)), ("borderId", s.border ? "1" : "0"), ("xfId", "0")]
            if numFmt != 0 { attrs.append(("applyNumberFormat", "1")) }
            if font(s) != Font() { attrs.append(("applyFont", "1")) }
            if s.fill != nil { attrs.append(("applyFill", "1")) }
            if s.border { attrs.append(("applyBorder", "1")) }
            let aligned = s.horizontal != nil || s.vertical != nil || s.wrap
            if aligned { attrs.append(("applyAlignment", "1")) }
            out.start("xf")
            for (n, v) in attrs { out.attribute(n, v) }
            if aligned {
                out.start("alignment")
                if let h = s.horizontal { out.attribute("horizontal", h.rawValue) }
                if let v = s.vertical { out.attribute("vertical", v.rawValue) }
                if s.wrap { out.attribute("wrapText", "1") }
                out.end()
            }
            out.end()
        }
        out.end()
        out.start("cellStyles"); out.attribute("count", "1")
        out.element("cellStyle", [("name", "Normal"), ("xfId", "0"), ("builtinId", "0")])
        out.end()
        out.start("dxfs"); out.attribute("count", String(highlights.count))
        for h in highlights {
            out.start("dxf")
            if h.bold || h.fontColor != nil {
                out.start("font")
                if h.bold { out.element("b") }
                if let c = h.fontColor { out.element("color", [("rgb", "FF" + c)]) }
                out.end()
            }
            if let c = h.fill {
                // In a dxf the fill colour of a solid pattern is its bgColor.
                out.start("fill"); out.start("patternFill"); out.attribute("patternType", "solid")
                out.element("fgColor", [("rgb", "FF" + c)]); out.element("bgColor", [("rgb", "FF" + c)])
                out.end(); out.end()
            }
            out.end()
        }
        out.end()
        out.end()
    }

    private func font(_ s: CellStyle) -> Font {
        Font(bold: s.bold, italic: s.italic, color: s.fontColor, size: s.fontSize ?? 11, name: s.fontName ?? "Calibri")
    }

    private func writeFont(_ f: Font, to out: XMLOut) {
        out.start("font")
        if f.bold { out.element("b") }
        if f.italic { out.element("i") }
        out.element("sz", [("val", SheetEditRewriter.number(f.size))])
        if let c = f.color { out.element("color", [("rgb", "FF" + c)]) } else { out.element("color", [("theme", "1")]) }
        out.element("name", [("val", f.name)])
        out.element("family", [("val", "2")])
        out.end()
    }

    private func writeFill(_ rgb: String, to out: XMLOut) {
        out.start("fill")
        out.start("patternFill"); out.attribute("patternType", "solid")
        out.element("fgColor", [("rgb", "FF" + rgb)])
        out.element("bgColor", [("indexed", "64")])
        out.end()
        out.end()
    }
}
