#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Document properties written to `docProps/`.
public struct DocumentProperties: Sendable {
    public var title: String?
    public var creator: String?
    /// ISO 8601 in UTC, `2025-05-01T09:00:00Z`; nil leaves it out (reproducible output).
    public var created: String?
    /// Custom properties (File › Properties › Custom), e.g. the template id and version.
    public var custom: [(String, String)] = []

    public init(title: String? = nil, creator: String? = nil, created: String? = nil, custom: [(String, String)] = []) {
        self.title = title; self.creator = creator; self.created = created; self.custom = custom
    }
}

/// Writes a new workbook, streaming each sheet's rows to disk as they come. Nothing appears at
/// `path` until `close()`, which writes every part and renames the finished file into place.
///
/// ```swift
/// let book = try WorkbookWriter(path: "plan.xlsx")
/// let sheet = try book.addSheet("主跟踪表")
/// try sheet.freeze(rows: 2)
/// try sheet.writeRow([WriteCell(.string("关键任务")), WriteCell(.string("预算金额(元)"))])
/// try sheet.writeRow([WriteCell(.string("KOL筛选")), WriteCell(.number(50_000), style: CellStyle(numberFormat: "#,##0"))])
/// try book.close()
/// ```
public final class WorkbookWriter: SheetWriterContext {
    public let path: String
    public var properties = DocumentProperties()
    private(set) var sheets: [SheetWriter] = []
    private var names: [DefinedName] = []
    var styles = StyleRegistry()
    private var strings: [String] = []
    private var stringIndex: [String: Int] = [:]
    private var stringCount = 0
    private let scratch: String
    private var closed = false

    public init(path: String) throws {
        self.path = path
        var template = Array("/tmp/tracksheet-new-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw XLSXError(.fileUnreadable, .scratchFolder)
        }
        scratch = String(cString: dir)
    }

    deinit { WorkbookEditor.removeTree(scratch) }

    /// Adds a sheet. Names are at most 31 characters, without `: \ / ? * [ ]`, unique ignoring case.
    public func addSheet(_ name: String, hidden: Bool = false) throws -> SheetWriter {
        try Self.checkSheetName(name, existing: sheets.map(\.name))
        let n = sheets.count + 1
        let sheet = try SheetWriter(book: self, name: name, hidden: hidden, number: n, scratchPath: "\(scratch)/sheet\(n).xml")
        if sheets.isEmpty { sheet.selected = true }
        sheets.append(sheet)
        return sheet
    }

    /// Excel's rules for a sheet name; throws a message that says which one is broken.
    static func checkSheetName(_ name: String, existing: [String]) throws {
        let bad = name.isEmpty || name.count > 31 || name.contains(where: { ":\\/?*[]".contains($0) })
            || name.hasPrefix("'") || name.hasSuffix("'")
        if bad {
            throw XLSXError(.noSuchSheet, .sheetNameInvalid, ["sheet": "\(name)"])
        }
        if existing.contains(where: { $0.lowercased() == name.lowercased() }) {
            throw XLSXError(.noSuchSheet, .sheetNameTaken, ["sheet": "\(name)"])
        }
    }

    /// A defined name, workbook-wide or local to a sheet.
    public func defineName(_ name: String, formula: String, localTo sheet: SheetWriter? = nil, hidden: Bool = false) {
        names.append(DefinedName(name: name, formula: formula, localSheet: sheet.map { $0.number - 1 }, isHidden: hidden))
    }

    func styleID(_ style: CellStyle) -> Int { styles.id(style) }
    func highlightID(_ style: HighlightStyle) -> Int { styles.id(style) }

    var usesSharedStrings: Bool { true }
    private var chartCount = 0
    func newChartPart() -> String {
        chartCount += 1
        return "xl/charts/chart\(chartCount).xml"
    }

    func sharedString(_ s: String) -> Int {
        stringCount += 1
        if let i = stringIndex[s] { return i }
        strings.append(s)
        stringIndex[s] = strings.count - 1
        return strings.count - 1
    }

    /// Finishes every sheet, writes the package and renames it into place (atomically).
    public func close() throws {
        guard !closed else { return }
        closed = true
        for s in sheets { try s.close() }
        let writer = try PackageWriter(path: path)
        do {
            try writer.add(name: "[Content_Types].xml", bytes: contentTypes())
            try writer.add(name: "_rels/.rels", bytes: rootRelationships())
            try writer.add(name: "docProps/app.xml", bytes: appProperties())
            try writer.add(name: "docProps/core.xml", bytes: coreProperties())
            if !properties.custom.isEmpty { try writer.add(name: "docProps/custom.xml", bytes: customProperties()) }
            try writer.add(name: "xl/workbook.xml", bytes: workbookPart())
            try writer.add(name: "xl/_rels/workbook.xml.rels", bytes: workbookRelationships())
            try writer.add(name: "xl/styles.xml", bytes: stylesPart())
            try writer.add(name: "xl/sharedStrings.xml", bytes: sharedStringsPart())
            for s in sheets {
                try writer.add(name: s.part, file: s.scratchPath)
                for aux in try s.auxiliaryParts() { try writer.add(name: aux.name, bytes: aux.bytes) }
            }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }

    // MARK: parts, one function each

    static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let relTypes = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

    private func contentTypes() throws -> [UInt8] {
        let out = XMLOut(part: "[Content_Types].xml")
        out.start("Types"); out.attribute("xmlns", "http://schemas.openxmlformats.org/package/2006/content-types")
        out.element("Default", [("Extension", "rels"), ("ContentType", "application/vnd.openxmlformats-package.relationships+xml")])
        out.element("Default", [("Extension", "xml"), ("ContentType", "application/xml")])
        if sheets.contains(where: { !$0.notes.isEmpty }) {
            out.element("Default", [("Extension", "vml"), ("ContentType", "application/vnd.openxmlformats-officedocument.vmlDrawing")])
        }
        let ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        out.element("Override", [("PartName", "/xl/workbook.xml"), ("ContentType", "\(ml).sheet.main+xml")])
        for s in sheets {
            out.element("Override", [("PartName", "/" + s.part), ("ContentType", "\(ml).worksheet+xml")])
            for aux in s.auxiliaryNames where aux.contentType != nil {
                out.element("Override", [("PartName", "/" + aux.name), ("ContentType", aux.contentType!)])
            }
        }
        out.element("Override", [("PartName", "/xl/styles.xml"), ("ContentType", "\(ml).styles+xml")])
        out.element("Override", [("PartName", "/xl/sharedStrings.xml"), ("ContentType", "\(ml).sharedStrings+xml")])
        out.element("Override", [("PartName", "/docProps/core.xml"), ("ContentType", "application/vnd.openxmlformats-package.core-properties+xml")])
        out.element("Override", [("PartName", "/docProps/app.xml"), ("ContentType", "application/vnd.openxmlformats-officedocument.extended-properties+xml")])
        if !properties.custom.isEmpty {
            out.element("Override", [("PartName", "/docProps/custom.xml"), ("ContentType", "application/vnd.openxmlformats-officedocument.custom-properties+xml")])
        }
        out.end()
        return try out.finish()
    }

    private func rootRelationships() throws -> [UInt8] {
        var rels = [("rId1", Self.relTypes + "officeDocument", "xl/workbook.xml"),
                    ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
                    ("rId3", Self.relTypes + "extended-properties", "docProps/app.xml")]
        if !properties.custom.isEmpty { rels.append(("rId4", Self.relTypes + "custom-properties", "docProps/custom.xml")) }
        return try Self.relationshipsPart("_rels/.rels", rels)
    }

    static func relationshipsPart(_ part: String, _ rels: [(String, String, String)], external: Set<String> = []) throws -> [UInt8] {
        let out = XMLOut(part: part)
        out.start("Relationships"); out.attribute("xmlns", "http://schemas.openxmlformats.org/package/2006/relationships")
        for (id, type, target) in rels {
            var attrs = [("Id", id), ("Type", type), ("Target", target)]
            if external.contains(id) { attrs.append(("TargetMode", "External")) }
            out.element("Relationship", attrs)
        }
        out.end()
        return try out.finish()
    }

    private func appProperties() throws -> [UInt8] {
        let out = XMLOut(part: "docProps/app.xml")
        out.start("Properties")
        out.attribute("xmlns", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties")
        out.attribute("xmlns:vt", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes")
        out.element("Application", text: "tracksheet")
        out.end()
        return try out.finish()
    }

    private func coreProperties() throws -> [UInt8] {
        let out = XMLOut(part: "docProps/core.xml")
        out.start("cp:coreProperties")
        out.attribute("xmlns:cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties")
        out.attribute("xmlns:dc", "http://purl.org/dc/elements/1.1/")
        out.attribute("xmlns:dcterms", "http://purl.org/dc/terms/")
        out.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        if let t = properties.title { out.element("dc:title", text: t) }
        if let c = properties.creator { out.element("dc:creator", text: c) }
        if let d = properties.created { out.element("dcterms:created", [("xsi:type", "dcterms:W3CDTF")], text: d) }
        out.end()
        return try out.finish()
    }

    private func customProperties() throws -> [UInt8] {
        let out = XMLOut(part: "docProps/custom.xml")
        out.start("Properties")
        out.attribute("xmlns", "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties")
        out.attribute("xmlns:vt", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes")
        for (i, (name, value)) in properties.custom.enumerated() {
            out.start("property")
            out.attribute("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")
            out.attribute("pid", String(i + 2))
            out.attribute("name", name)
            out.element("vt:lpwstr", text: value)
            out.end()
        }
        out.end()
        return try out.finish()
    }

    /// workbookPr, bookViews, sheets, definedNames, calcPr — in schema order.
    private func workbookPart() throws -> [UInt8] {
        let out = XMLOut(part: "xl/workbook.xml")
        out.start("workbook"); out.attribute("xmlns", Self.mainNS); out.attribute("xmlns:r", Self.relNS)
        out.element("workbookPr")
        out.start("bookViews"); out.element("workbookView", [("activeTab", "0")]); out.end()
        out.start("sheets")
        for s in sheets {
            var attrs = [("name", s.name), ("sheetId", String(s.number))]
            if s.isHidden { attrs.append(("state", "hidden")) }
            attrs.append(("r:id", "rId\(s.number)"))
            out.element("sheet", attrs)
        }
        out.end()
        var all = names
        for s in sheets {
            if let rows = s.printSetup?.repeatRows {
                all.append(DefinedName(name: "_xlnm.Print_Titles", formula: "\(SheetWriter.quoted(s.name))!$\(rows.lowerBound):$\(rows.upperBound)",
                                       localSheet: s.number - 1, isHidden: false))
            }
        }
        if !all.isEmpty {
            out.start("definedNames")
            for n in all {
                var attrs = [("name", n.name)]
                if let l = n.localSheet { attrs.append(("localSheetId", String(l))) }
                if n.isHidden { attrs.append(("hidden", "1")) }
                out.element("definedName", attrs, text: n.formula)
            }
            out.end()
        }
        // Cached values are written with every formula; full recalculation on load keeps Excel
        // and WPS exact even where a cached value was left out.
        out.element("calcPr", [("calcId", "191029"), ("fullCalcOnLoad", "1")])
        out.end()
        return try out.finish()
    }

    private func workbookRelationships() throws -> [UInt8] {
        var rels = sheets.map { ("rId\($0.number)", Self.relTypes + "worksheet", "worksheets/sheet\($0.number).xml") }
        rels.append(("rId\(sheets.count + 1)", Self.relTypes + "styles", "styles.xml"))
        rels.append(("rId\(sheets.count + 2)", Self.relTypes + "sharedStrings", "sharedStrings.xml"))
        return try Self.relationshipsPart("xl/_rels/workbook.xml.rels", rels)
    }

    private func stylesPart() throws -> [UInt8] {
        let out = XMLOut(part: "xl/styles.xml")
        styles.write(to: out)
        return try out.finish()
    }

    private func sharedStringsPart() throws -> [UInt8] {
        let out = XMLOut(part: "xl/sharedStrings.xml")
        out.start("sst"); out.attribute("xmlns", Self.mainNS)
        out.attribute("count", String(stringCount)); out.attribute("uniqueCount", String(strings.count))
        for s in strings {
            out.start("si")
            let escaped = OOXMLText.escape(s)
            let edges = s.first.map { $0.isWhitespace } == true || s.last.map { $0.isWhitespace } == true
            out.element("t", edges ? [("xml:space", "preserve")] : [], text: escaped)
            out.end()
        }
        out.end()
        return try out.finish()
    }

}
