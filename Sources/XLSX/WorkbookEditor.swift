#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Edits an existing workbook without losing anything: parts that are not edited are copied
/// byte for byte (raw, without recompressing); edited parts are streamed through and replaced.
/// Nothing is written until `save`, which is atomic.
public final class WorkbookEditor {
    public let workbook: Workbook
    /// Edited or new parts by zip entry name, and where their new bytes are.
    private var replacements: [String: Replacement] = [:]
    private var added: [String] = []
    private var removed: Set<String> = []
    private var scratch: String?
    /// Cell edits per sheet part, applied by streaming the sheet through at `save`.
    var cellEdits: [String: [CellReference: CellEdit]] = [:]
    /// Edited sheets keep their unchanged rows and cells byte for byte (see `XMLRewriter`);
    /// false writes every element again (the tests compare the two).
    public var rawCopy = true
    /// Rows without edits are copied without being parsed again: for callers that have parsed
    /// every sheet they edit whole (validation, sync and recalc read them first), so a row that
    /// is not well-formed could not get this far. Off, every row is parsed as it is copied.
    public var copiesRowsUnparsed = false
    /// Rows the last save copied without parsing them (tests check that it happens).
    var rowsCopiedUnparsed = 0
    /// Rows with edits the last save wrote from their bytes, without parsing them.
    var rowsEditedUnparsed = 0
    /// Edits that arrived in reading order, per sheet part: spooled, not kept in `cellEdits`.
    var spools: [String: EditSpool] = [:]
    /// Edits made while the sheet is rewritten (`streamEdits`), per sheet part.
    var streams: [String: () throws -> RowEditSource] = [:]
    /// Rows inserted and deleted, per sheet part.
    var rowShifts: [String: RowShift] = [:]
    /// Columns to hide, per sheet part.
    private var hiddenColumns: [String: Set<Int>] = [:]
    /// Sheets whose autofilter and tables must reach a column (by part).
    var columnReach: [String: ColumnReach] = [:]
    /// Formats to append to styles.xml, in the order their indexes were handed out.
    var derivedStyles: [DerivedStyle] = []
    /// Changes to small parts, by part name.
    var patches: [String: PartPatch] = [:]
    /// Sheets added by `addSheet`, written at save.
    var addedSheets: [SheetWriter] = []
    /// Sheets written anew in place of old ones (`replaceSheet`), with the parts the old ones had.
    var replacedSheets: [(writer: SheetWriter, old: [String])] = []
    /// Notes to add, by sheet part.
    var notesToAdd: [String: [PendingNote]] = [:]
    /// Sheets that get a `<legacyDrawing r:id>` for their new notes, by part.
    var legacyDrawings: [String: String] = [:]
    var vmlDefaultAdded = false
    /// The shared-string table as read (its size and each text's first index), loaded on first use.
    var existingStrings: (count: Int, index: [String: Int])?
    /// Texts to append to the shared-string table, and how many cells now refer to it anew.
    var appendedStrings: [String] = []
    /// Whether the workbook has a shared-string table (asked for every text cell written).
    var hasStringTable: Bool?
    /// Where each appended text is in the table (appended texts are looked up once per cell written).
    var appendedIndex: [String: Int] = [:]
    var stringReferences = 0
    /// Conditional-format styles to append to styles.xml (`<dxfs>`).
    var derivedHighlights: [HighlightStyle] = []

    /// A part's new content: bytes, a scratch file (deflated at save), or a one-entry zip holding
    /// it already deflated (`ZippedPart`).
    enum Replacement { case bytes([UInt8]), file(String), zipped(String) }

    public init(path: String, limits: Limits = .default) throws {
        workbook = try Workbook(path: path, limits: limits)
    }

    deinit {
        if let scratch { Self.removeTree(scratch) }
    }

    /// Replaces (or adds) the part `name` with `bytes`.
    public func setPart(_ name: String, bytes: [UInt8]) {
        record(name, .bytes(bytes))
    }

    /// Replaces (or adds) the part `name` with the contents of `file`, which the editor owns from now on.
    func setPart(_ name: String, file: String) {
        record(name, .file(file))
    }

    /// Leaves the part `name` out of the saved package.
    public func removePart(_ name: String) {
        removed.insert(name.lowercased())
    }

    func hasReplacement(_ name: String) -> Bool { replacements[name.lowercased()] != nil }

    private func record(_ name: String, _ replacement: Replacement) {
        let key = name.lowercased()
        if replacements[key] == nil && workbook.archive.entry(named: name) == nil { added.append(name) }
        replacements[key] = replacement
        removed.remove(key)
    }

    /// A path in the editor's private scratch folder, removed with the editor.
    public func scratchPath(_ name: String) throws -> String { try scratchFile(name) }

    /// A path for a scratch file in a private folder, removed with the editor.
    func scratchFile(_ name: String) throws -> String {
        if scratch == nil {
            var template = Array("/tmp/tracksheet-XXXXXX".utf8CString)
            guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw XLSXError(.fileUnreadable, .scratchFolder)
            }
            scratch = String(cString: dir)
        }
        return "\(scratch!)/\(name.replacingAll("/", with: "_"))"
    }

    /// Sets one cell of a worksheet; applied when saving.
    public func setCell(_ ref: CellReference, in sheet: SheetInfo, to edit: CellEdit) throws {
        guard sheet.kind == .worksheet, let part = sheet.part else {
            throw XLSXError(.noSuchSheet, .notWorksheetCells, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        // In reading order (as recalc and sync set them), edits go to the spool, whose memory
        // does not grow with the sheet; an edit out of order stays in the map and wins over the spool.
        // (A cell the map already holds — moved there when rows were inserted — is changed there.)
        if cellEdits[part]?[ref] == nil {
            if spools[part] == nil { spools[part] = EditSpool(path: try scratchFile("spool-" + part)) }
            if try spools[part]!.append(ref, edit) { return }
        }
        cellEdits[part, default: [:]][ref] = edit
    }

    /// Grows the sheet's autofilter (and its sort state) to take in `column` when it ends just left
    /// of it, and an Excel table whose header row is `headerRow` when it ends just left of it (the
    /// column joins the table as `header`, the text its header cell holds): a column added beside
    /// the data then moves with the rows when the filter or the table sorts them.
    public func extendFilter(toColumn column: Int, header: String, headerRow: Int, in sheet: SheetInfo) {
        guard sheet.kind == .worksheet, let part = sheet.part else { return }
        if let known = columnReach[part], known.column >= column { return }
        columnReach[part] = ColumnReach(column: column, header: header, headerRow: headerRow)
    }

    /// Hides a column (e.g. the row-identity column `tracksheet sync` adds), keeping its width and
    /// format when a `<col>` range already covers it.
    public func hideColumn(_ column: Int, in sheet: SheetInfo) throws {
        guard sheet.kind == .worksheet, let part = sheet.part else {
            throw XLSXError(.noSuchSheet, .notWorksheetColumns, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        hiddenColumns[part, default: []].insert(column)
    }

    /// Sets one cell of the sheet named `sheetName`; `value` is written as what it is (a text
    /// stays text even when it starts with `=`), a formula only through `formula`.
    public func setCell(_ ref: String, inSheet sheetName: String, value: CellValue, formula: String? = nil) throws {
        guard let sheet = workbook.sheet(named: sheetName) else {
            throw XLSXError(.noSuchSheet, .noSuchSheet, ["sheet": "\(sheetName)"])
        }
        guard let cell = CellReference(ref) else {
            throw XLSXError(.noSuchSheet, .notACellReference, ["ref": "\(ref)"])
        }
        try setCell(cell, in: sheet, to: CellEdit(value: value, formula: formula))
    }

    /// Streams every edited sheet through its rewriter into a scratch file. When a formula changed,
    /// Excel's calculation chain is dropped (with its relationship and content type): a stale one
    /// makes Excel repair the file, a missing one is rebuilt silently.
    private func applyCellEdits() throws {
        var formulasChanged = false
        let moved = movedSheets
        var parts = Set(cellEdits.keys).union(legacyDrawings.keys).union(hiddenColumns.keys).union(spools.keys).union(streams.keys)
            .union(columnReach.keys)
        parts.formUnion(rowShifts.filter { !$0.value.isIdentity }.keys)
        // Formulas on any sheet may refer to rows that moved: every worksheet is read, and
        // replaced only when something in it changed.
        let referring = moved.isEmpty ? [] : Set(workbook.sheets.compactMap { $0.kind == .worksheet ? $0.part : nil }).subtracting(parts)
        for part in parts.union(referring).sorted() {
            let edits = cellEdits[part] ?? [:]
            guard let entry = workbook.archive.entry(named: part) else { continue }
            let file = try scratchFile(part)
            let spool = spools[part]
            if streams[part] != nil, let shift = rowShifts[part], !shift.isIdentity {
                throw XLSXError(.editRefused, .rowsWhileStreaming, part: part)
            }
            var source: RowEditSource?
            defer { source?.close() }
            // A large sheet is deflated on a second thread while it is rewritten (or, should no
            // thread be had, written to a scratch file and deflated at save, as a small one is).
            var zips = entry.declaredSize >= Workbook.pipelineThreshold
            let zipFile = file + ".zip"
            // Texts go to the shared-string table (an existing entry, or one appended).
            func rewrite(raw: Bool) throws -> SheetEditRewriter {
                spool?.rewind()
                source?.close()
                source = try streams[part].map { try $0() }
                var output = XMLRewriter.Output.file(file)
                if zips, let z = try? ZippedPart(path: zipFile, part: part) { output = .zipped(z) } else { zips = false }
                let rewriter = try SheetEditRewriter(output: output, part: part, edits: edits, spool: spool, source: source, legacyDrawing: legacyDrawings[part],
                                                     sharedString: { [unowned self] in try self.sharedStringIndex($0) },
                                                     hiddenColumns: hiddenColumns[part] ?? [],
                                                     shift: rowShifts[part] ?? RowShift(), moved: moved, copiesRaw: raw, passesOverRows: copiesRowsUnparsed,
                                                     filterColumn: columnReach[part]?.column)
                try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
                try rewriter.finish()
                rowsCopiedUnparsed += rewriter.rowsTaken
                rowsEditedUnparsed += rewriter.rowsSpliced
                return rewriter
            }
            // Unchanged rows and cells are copied byte for byte; should libxml2 ever report
            // offsets that do not match the bytes, the sheet is written again element by element.
            let rewriter: SheetEditRewriter
            do { rewriter = try rewrite(raw: rawCopy) } catch is RawCopyLost { rewriter = try rewrite(raw: false) }
            // Nothing but a source that gave no edit (a second recalc): the sheet stays as it was.
            let unchanged = referring.contains(part) ? !rewriter.changed
                : source.map { $0.given == 0 && edits.isEmpty && (spool?.count ?? 0) == 0 && legacyDrawings[part] == nil
                                && hiddenColumns[part] == nil && !rewriter.changed } ?? false
            if unchanged {
                unlink(zips ? zipFile : file)
                continue
            }
            if zips { record(part, .zipped(zipFile)) } else { setPart(part, file: file) }
            if edits.values.contains(where: { $0.formula != nil }) || spool?.hasFormula == true || rewriter.changed || (source?.given ?? 0) > 0 {
                formulasChanged = true
            }
        }
        cellEdits.removeAll()
        spools.removeAll()
        streams.removeAll()
        legacyDrawings.removeAll()
        hiddenColumns.removeAll()
        columnReach.removeAll()
        if formulasChanged || !moved.isEmpty { try dropCalcChain() }
    }

    func dropCalcChain() throws {
        // By its relationship, or — some writers leave it orphaned — by its content type.
        let rel = workbook.relationships.first { $0.kind == "calcChain" }
        let typed = workbook.contentTypes.overrides.first { $0.value.hasSuffix("calcChain+xml") }?.key
        guard let chainName = rel?.partName ?? typed, let chainEntry = workbook.archive.entry(named: chainName) else { return }
        removePart(chainEntry.name)
        if let rel {
            patch(PartName.relationships(of: workbook.workbookPart)) { p in
                p.drops.append { name, attrs in name.is("Relationship") && attrs["Id"] == rel.id }
            }
        }
        let target = chainEntry.name.lowercased()
        patch("[Content_Types].xml") { p in
            p.drops.append { name, attrs in
                guard name.is("Override"), let part = attrs["PartName"] else { return false }
                return PartName.percentDecoded(part.hasPrefix("/") ? String(part.dropFirst()) : part).lowercased() == target
            }
        }
    }

    /// Records changes to a small part; all of a part's patches are applied in one pass at save.
    func patch(_ part: String, _ change: (inout PartPatch) -> Void) {
        change(&patches[part, default: PartPatch()])
    }

    private func applyPatches() throws {
        for (name, patch) in patches.sorted(by: { $0.key < $1.key }) {
            guard let entry = workbook.archive.entry(named: name) else {
                throw XLSXError(.missingPart, .partMissingForChange, part: name)
            }
            let file = try scratchFile(entry.name)
            let rewriter = try PatchRewriter(outputPath: file, part: entry.name, patch: patch)
            try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
            try rewriter.finish()
            setPart(entry.name, file: file)
        }
        patches.removeAll()
    }

    /// Writes the workbook to `path` (which may be the file it was read from) atomically:
    /// entries in their original order, untouched ones copied raw, then new ones.
    public func save(to path: String) throws {
        try applyNotes()
        try applyRowShiftsOutsideSheets()
        try applyCellEdits()
        rowShifts.removeAll()
        try applyAddedSheets()
        try applyReplacedSheets()
        try applyDerivedStyles()
        try applyAppendedStrings()
        try applyPatches()
        let writer = try PackageWriter(path: path)
        let archive = workbook.archive
        for entry in archive.entries {
            let key = entry.name.lowercased()
            if removed.contains(key) { continue }
            switch replacements[key] {
            case nil: try writer.copy(entry, from: archive)
            case .bytes(let b)?: try writer.add(name: entry.name, bytes: b, modified: entry.modified)
            case .file(let f)?: try writer.add(name: entry.name, file: f, modified: entry.modified)
            case .zipped(let z)?: try writer.add(name: entry.name, zipped: z, modified: entry.modified)
            }
        }
        for name in added {
            switch replacements[name.lowercased()] {
            case .bytes(let b)?: try writer.add(name: name, bytes: b)
            case .file(let f)?: try writer.add(name: name, file: f)
            case .zipped(let z)?: try writer.add(name: name, zipped: z)
            case nil: break
            }
        }
        try writer.commit()
    }

    static func removeTree(_ dir: String) {
        guard let d = opendir(dir) else { return }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink("\(dir)/\(name)") }
        }
        closedir(d)
        rmdir(dir)
    }
}
