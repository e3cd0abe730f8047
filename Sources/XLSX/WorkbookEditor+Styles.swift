/// What a derived cell format changes; everything else — font, border, alignment, protection,
/// number format — comes from the format it is derived from.
public struct StyleChange: Hashable, Sendable {
    /// Solid fill, RGB hex (`FFC7CE`).
    public var fill: String?
    public var fontColor: String?
    public var bold: Bool?
    public var numberFormat: String?

    public init(fill: String? = nil, fontColor: String? = nil, bold: Bool? = nil, numberFormat: String? = nil) {
        self.fill = fill; self.fontColor = fontColor; self.bold = bold; self.numberFormat = numberFormat
    }
}

extension WorkbookEditor {
    /// A new cell format derived from `base` (a cell's own `styleIndex`), e.g. its red-filled twin;
    /// the same derivation asked twice gives the same index. Written when saving, appended to
    /// `styles.xml` (nothing there is rebuilt).
    public func deriveStyle(from base: Int, _ change: StyleChange) -> Int {
        let key = DerivedStyle(base: base, change: change)
        let first = StylePlan.effectiveCellFormats(workbook.styles).count
        if let i = derivedStyles.firstIndex(of: key) { return first + i }
        derivedStyles.append(key)
        return first + derivedStyles.count - 1
    }

    func applyDerivedStyles() throws {
        guard !derivedStyles.isEmpty || !derivedHighlights.isEmpty else { return }
        let plan = StylePlan(styles: workbook.styles, derived: derivedStyles, highlights: derivedHighlights)
        if let rel = workbook.relationships.first(where: { $0.kind == "styles" }), let name = rel.partName,
           let entry = workbook.archive.entry(named: name) {
            let file = try scratchFile(entry.name)
            let rewriter = try StylesRewriter(outputPath: file, part: entry.name, plan: plan)
            try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
            try rewriter.finish()
            setPart(entry.name, file: file)
            return
        }
        // No styles part at all (Excel writes one, some tools do not): make one from an empty
        // stylesheet, which gets every list with its defaults, and list it.
        var name = "xl/styles.xml"
        while workbook.archive.entry(named: name) != nil { name = "xl/styles\(UInt32.random(in: 1...9999)).xml" }
        let file = try scratchFile(name)
        let rewriter = try StylesRewriter(outputPath: file, part: name, plan: plan)
        try XMLStreamParser.parse(bytes: Array("<styleSheet xmlns=\"\(WorkbookWriter.mainNS)\"/>".utf8), part: name, handler: rewriter)
        try rewriter.finish()
        setPart(name, file: file)
        let used = Set(workbook.relationships.map(\.id))
        var id = "rIdTsStyles"
        while used.contains(id) { id += "_" }
        patch(PartName.relationships(of: workbook.workbookPart)) {
            $0.appends.append((into: "Relationships", element: .init(name: "Relationship", attributes: [
                ("Id", id), ("Type", WorkbookWriter.relTypes + "styles"), ("Target", "/" + name)])))
        }
        patch("[Content_Types].xml") {
            $0.appends.append((into: "Types", element: .init(name: "Override", attributes: [
                ("PartName", "/" + name), ("ContentType", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml")])))
        }
    }
}

struct DerivedStyle: Hashable { var base: Int; var change: StyleChange }

/// The elements to append to `styles.xml` for the derived formats. Lists the part lacks are
/// created with the defaults Excel requires (a font, the none and gray125 fills, an empty border,
/// the default cell format), and the new entries counted after those.
struct StylePlan {
    var numFmts: [(id: Int, code: String)] = []
    var fonts: [StyleSheet.RawElement] = []
    var fills: [String] = []
    var xfs: [StyleSheet.RawElement] = []
    let original: StyleSheet
    /// Lists to create, with their default entries.
    var created: [String: [StyleSheet.RawElement]] = [:]

    static let defaultFont = StyleSheet.RawElement(name: "font", attributes: [], children: [
        .init(name: "sz", attributes: [("val", "11")]), .init(name: "name", attributes: [("val", "Calibri")])])
    static let defaultXf = StyleSheet.RawElement(name: "xf", attributes: [("numFmtId", "0"), ("fontId", "0"), ("fillId", "0"), ("borderId", "0")])

    static func effectiveCellFormats(_ s: StyleSheet) -> [StyleSheet.RawElement] {
        s.lists.contains("cellXfs") ? s.cellFormats : [defaultXf]
    }

    var dxfs: [StyleSheet.RawElement] = []

    init(styles: StyleSheet, derived: [DerivedStyle], highlights: [HighlightStyle] = []) {
        original = styles
        dxfs = highlights.map { h in
            var children: [StyleSheet.RawElement] = []
            if h.bold || h.fontColor != nil {
                children.append(.init(name: "font", attributes: [], children: (h.bold ? [.init(name: "b", attributes: [])] : [])
                    + (h.fontColor.map { [.init(name: "color", attributes: [("rgb", "FF" + $0.uppercased())])] } ?? [])))
            }
            if let c = h.fill {
                children.append(.init(name: "fill", attributes: [], children: [.init(name: "patternFill", attributes: [("patternType", "solid")], children: [
                    .init(name: "fgColor", attributes: [("rgb", "FF" + c.uppercased())]), .init(name: "bgColor", attributes: [("rgb", "FF" + c.uppercased())])])]))
            }
            return .init(name: "dxf", attributes: [], children: children)
        }
        if !dxfs.isEmpty && !styles.lists.contains("dxfs") { created["dxfs"] = [] }
        let baseFonts = styles.lists.contains("fonts") ? styles.fonts : [Self.defaultFont]
        let baseFillCount = styles.lists.contains("fills") ? styles.fillCount : 2
        let baseXfs = Self.effectiveCellFormats(styles)
        if !styles.lists.contains("fonts") { created["fonts"] = [Self.defaultFont] }
        if !styles.lists.contains("fills") {
            created["fills"] = ["none", "gray125"].map { .init(name: "fill", attributes: [], children: [.init(name: "patternFill", attributes: [("patternType", $0)])]) }
        }
        if !styles.lists.contains("borders") {
            created["borders"] = [.init(name: "border", attributes: [], children: ["left", "right", "top", "bottom", "diagonal"].map { .init(name: $0, attributes: []) })]
        }
        if !styles.lists.contains("cellXfs") { created["cellXfs"] = [Self.defaultXf] }

        var nextFmt = max(163, styles.customFormats.keys.max() ?? 163) + 1
        var fmtIDs: [String: Int] = [:]
        for (id, code) in styles.customFormats { fmtIDs[code] = id }
        var fontIDs: [String: Int] = [:]
        var fillIDs: [String: Int] = [:]
        for d in derived {
            var xf = d.base >= 0 && d.base < baseXfs.count ? baseXfs[d.base] : Self.defaultXf
            if let code = d.change.numberFormat {
                var id = StyleRegistry.builtinFormats[code] ?? fmtIDs[code] ?? -1
                if id < 0 {
                    id = nextFmt
                    nextFmt += 1
                    fmtIDs[code] = id
                    numFmts.append((id, code))
                }
                xf.set("numFmtId", String(id)); xf.set("applyNumberFormat", "1")
            }
            if let rgb = d.change.fill {
                let argb = "FF" + rgb.uppercased()
                var id = fillIDs[argb] ?? -1
                if id < 0 {
                    id = baseFillCount + fills.count
                    fills.append(argb)
                    fillIDs[argb] = id
                }
                xf.set("fillId", String(id)); xf.set("applyFill", "1")
            }
            if d.change.fontColor != nil || d.change.bold != nil {
                let baseFont = Int(xf.attribute("fontId") ?? "0") ?? 0
                var font = baseFont < baseFonts.count ? baseFonts[baseFont] : Self.defaultFont
                if let bold = d.change.bold {
                    font.children.removeAll { $0.name == "b" }
                    if bold { font.children.insert(.init(name: "b", attributes: []), at: 0) }
                }
                if let c = d.change.fontColor {
                    font.children.removeAll { $0.name == "color" }
                    font.children.append(.init(name: "color", attributes: [("rgb", "FF" + c.uppercased())]))
                }
                let key = "\(baseFont)|\(d.change.bold.map(String.init) ?? "")|\(d.change.fontColor ?? "")"
                var id = fontIDs[key] ?? -1
                if id < 0 {
                    id = baseFonts.count + fonts.count
                    fonts.append(font)
                    fontIDs[key] = id
                }
                xf.set("fontId", String(id)); xf.set("applyFont", "1")
            }
            xfs.append(xf)
        }
        if !numFmts.isEmpty && !styles.lists.contains("numFmts") { created["numFmts"] = [] }
    }

    /// The entries appended to `list` (after its existing or default ones).
    func appended(_ list: String) -> [StyleSheet.RawElement] {
        switch list {
        case "numFmts": numFmts.map { .init(name: "numFmt", attributes: [("numFmtId", String($0.id)), ("formatCode", $0.code)]) }
        case "fonts": fonts
        case "fills": fills.map { .init(name: "fill", attributes: [], children: [.init(name: "patternFill", attributes: [("patternType", "solid")],
                                                                                 children: [.init(name: "fgColor", attributes: [("rgb", $0)]), .init(name: "bgColor", attributes: [("indexed", "64")])])]) }
        case "cellXfs": xfs
        case "dxfs": dxfs
        default: []
        }
    }

    /// Entries the list had before (for its new count).
    func originalCount(_ list: String) -> Int {
        switch list {
        case "numFmts": original.customFormats.count
        case "fonts": original.fonts.count
        case "fills": original.fillCount
        case "cellXfs": original.cellFormats.count
        case "dxfs": original.dxfCount
        default: 0
        }
    }
}

extension StyleSheet.RawElement {
    mutating func set(_ name: String, _ value: String) {
        if let i = attributes.firstIndex(where: { $0.0 == name }) { attributes[i].1 = value } else { attributes.append((name, value)) }
    }
}

/// Streams `styles.xml` through, appending the plan's number formats, fonts, fills and cell
/// formats at the end of their lists (raising the counts) and creating lists the part lacks at
/// their place in the schema's order.
final class StylesRewriter: XMLRewriter {
    /// CT_Stylesheet's children, in order.
    static let order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles", "colors", "extLst"]
    private let plan: StylePlan
    private var prefix = ""
    private var depth = 0
    private var pendingCreated: [String]

    init(outputPath: String, part: String, plan: StylePlan) throws {
        self.plan = plan
        pendingCreated = Self.order.filter { plan.created[$0] != nil }
        try super.init(output: .file(outputPath), part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        depth += 1
        guard name.namespace == .spreadsheetML else { return copyStart(name, attributes) }
        if depth == 1 { prefix = name.prefix.map { String(cString: $0) + ":" } ?? "" }
        if depth == 2 {
            let local = name.localName
            if let at = Self.order.firstIndex(of: local) { createLists(before: at) }
            let added = plan.appended(local).count
            if added > 0 {
                return copyStart(name, attributes, replacing: ["count": String(plan.originalCount(local) + added)])
            }
        }
        copyStart(name, attributes)
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if name.namespace == .spreadsheetML {
            if depth == 2 { plan.appended(name.localName).forEach { writeRaw($0, prefix: prefix) } }
            if depth == 1 { createLists(before: Self.order.count) }
        }
        depth -= 1
        out.end()
    }

    /// Writes the lists to create that come before position `index` of the schema's order.
    private func createLists(before index: Int) {
        while let list = pendingCreated.first, let at = Self.order.firstIndex(of: list), at < index {
            pendingCreated.removeFirst()
            let entries = (plan.created[list] ?? []) + plan.appended(list)
            out.start(prefix + list)
            out.attribute("count", String(entries.count))
            entries.forEach { writeRaw($0, prefix: prefix) }
            out.end()
        }
    }

}
