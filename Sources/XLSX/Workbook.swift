/// An XLSX workbook opened for reading.
///
/// The package is found the way OPC says: `_rels/.rels` names the main part, its relationships
/// name the sheets, shared strings and styles; no path is guessed. Opening reads only the small
/// parts; sheets are streamed on demand by `readSheet`, and the shared-string table is loaded once,
/// the first time a sheet needs it.
public final class Workbook {
    public let archive: ZipArchive
    public let limits: Limits
    /// The main part, usually `xl/workbook.xml`.
    public let workbookPart: String
    public let sheets: [SheetInfo]
    /// Sheet positions by name, as written and lower-cased (`sheet(named:)`).
    private let sheetIndex: [String: Int]
    public let definedNames: [DefinedName]
    /// True when dates count from 1904 (old Mac workbooks).
    public let is1904: Bool
    public let styles: StyleSheet
    /// The main part's relationships.
    public let relationships: [Relationship]
    let contentTypes: ContentTypesHandler
    private var sharedStringsCache: [String]?

    public var path: String { archive.path }

    public convenience init(path: String, limits: Limits = .default) throws {
        try self.init(archive: ZipArchive(path: path, limits: limits))
    }

    public init(archive: ZipArchive) throws {
        self.archive = archive
        self.limits = archive.limits

        let types = ContentTypesHandler()
        if let entry = archive.entry(named: "[Content_Types].xml") {
            try XMLStreamParser.parse(entry, in: archive, handler: types)
        } else {
            throw XLSXError(.notAWorkbook, .noContentTypes, part: "[Content_Types].xml")
        }
        contentTypes = types

        // The main part: the root relationship of type officeDocument, else the one part whose
        // content type says it is a workbook.
        let rootRels = try Self.relationships(of: "", in: archive)
        var main = rootRels.first { $0.kind == "officeDocument" && !$0.isExternal }?.partName
        if main == nil {
            main = types.overrides.first { $0.value.contains("spreadsheetml.sheet.main") || $0.value.contains("ms-excel.sheet.macroEnabled.main") || $0.value.contains("spreadsheetml.template.main") }?.key
        }
        guard let mainPart = main else {
            throw XLSXError(.notAWorkbook, .noWorkbookPart)
        }
        guard let mainEntry = archive.entry(named: mainPart) else {
            throw XLSXError(.missingPart, .workbookPartMissing, part: mainPart)
        }
        if let type = types.contentType(of: mainEntry.name), !type.contains("spreadsheetml") && !type.contains("ms-excel") {
            throw XLSXError(.notAWorkbook, .mainPartNotWorkbook, ["type": "\(type)"], part: mainEntry.name)
        }
        workbookPart = mainEntry.name
        let book = WorkbookPartHandler(limits: limits, part: mainEntry.name)
        try XMLStreamParser.parse(mainEntry, in: archive, handler: book)
        guard book.sawWorkbook else {
            throw XLSXError(.notAWorkbook, .noWorkbookElement, part: mainEntry.name)
        }
        is1904 = book.is1904
        definedNames = book.definedNames
        let rels = try Self.relationships(of: mainEntry.name, in: archive)
        relationships = rels

        if book.sheets.count > limits.maxSheets {
            throw XLSXError(.tooManyEntries, .tooManySheets, ["count": "\(book.sheets.count)", "limit": "\(limits.maxSheets)"], part: mainEntry.name)
        }
        let relsByID = Dictionary(rels.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var infos: [SheetInfo] = []
        var sheetOfPart: [String: String] = [:]
        for (position, raw) in book.sheets.enumerated() {
            let rel = raw.relID.flatMap { relsByID[$0] }
            let part = rel.flatMap { $0.isExternal ? nil : $0.partName }.flatMap { archive.entry(named: $0)?.name }
            if let part {
                // Excel gives every sheet its own part; two sheets in one would be read (and
                // edited) twice over.
                if let other = sheetOfPart.updateValue(raw.name, forKey: part.lowercased()) {
                    throw XLSXError(.duplicatePart, .sheetsShareAPart, ["first": "\(Self.cut(other))", "second": "\(Self.cut(raw.name))"], part: part)
                }
            }
            let kind: SheetInfo.Kind = switch rel?.kind {
            case "worksheet": .worksheet
            case "chartsheet": .chartsheet
            case "dialogsheet": .dialogsheet
            case "xlMacrosheet", "xlIntlMacrosheet": .macrosheet
            default: .unknown
            }
            infos.append(SheetInfo(name: raw.name, sheetID: raw.sheetID, position: position,
                                   visibility: SheetInfo.Visibility(rawValue: raw.state ?? "visible") ?? .visible,
                                   kind: kind, part: part))
        }
        sheets = infos
        var index: [String: Int] = [:]
        for (i, s) in infos.enumerated().reversed() { index[s.name.lowercased()] = i }
        for (i, s) in infos.enumerated().reversed() { index[s.name] = i }
        sheetIndex = index

        var styleSheet = StyleSheet()
        if let stylesPart = rels.first(where: { $0.kind == "styles" })?.partName, let entry = archive.entry(named: stylesPart) {
            let handler = StylesHandler(limits: limits, part: entry.name)
            try XMLStreamParser.parse(entry, in: archive, handler: handler)
            styleSheet = handler.sheet
        }
        styleSheet.classify()
        styles = styleSheet
    }

    /// The relationships of `source` (`""` for the package root); none when the part has no `.rels`.
    public static func relationships(of source: String, in archive: ZipArchive) throws -> [Relationship] {
        let relsName = source.isEmpty ? "_rels/.rels" : PartName.relationships(of: source)
        guard let entry = archive.entry(named: relsName) else { return [] }
        let handler = RelationshipsHandler(source: source, limit: archive.limits.maxRelationships)
        try XMLStreamParser.parse(entry, in: archive, handler: handler)
        return handler.relationships
    }

    /// The shared-string table, read once.
    public func sharedStrings() throws -> [String] {
        if let sharedStringsCache { return sharedStringsCache }
        var strings: [String] = []
        if let part = relationships.first(where: { $0.kind == "sharedStrings" })?.partName,
           let entry = archive.entry(named: part) {
            let handler = SharedStringsHandler(limits: limits, part: entry.name)
            try XMLStreamParser.parse(entry, in: archive, handler: handler)
            strings = handler.strings
        }
        sharedStringsCache = strings
        return strings
    }

    /// The sheet named `name`, compared as Excel does (case-insensitively).
    public func sheet(named name: String) -> SheetInfo? {
        if let i = sheetIndex[name] { return sheets[i] }
        return sheetIndex[name.lowercased()].map { sheets[$0] }
    }

    /// A sheet name from the file, short enough for a message.
    static func cut(_ name: String) -> String { name.count > 40 ? String(name.prefix(40)) + "…" : name }

    /// The notes on a sheet's cells, from its legacy comments part.
    public func comments(of sheet: SheetInfo) throws -> [Comment] {
        guard let part = sheet.part else { return [] }
        var all: [Comment] = []
        for rel in try Self.relationships(of: part, in: archive) where rel.kind == "comments" {
            guard let name = rel.partName, let entry = archive.entry(named: name) else { continue }
            let handler = CommentsHandler(limits: limits, part: entry.name)
            try XMLStreamParser.parse(entry, in: archive, handler: handler)
            all += handler.comments
        }
        return all
    }
}
