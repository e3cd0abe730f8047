#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a worksheet through, replacing and inserting the edited cells in place and keeping
/// every other element and attribute — including those it does not understand (`extLst`,
/// `x14ac:*`, `mc:AlternateContent`) — as they were.
///
/// When rows were inserted or deleted (`shift`), it also moves what refers to rows: rows and
/// cells, formulas (shared formulas are written out per cell, since their offsets no longer
/// hold), merged ranges, validations, conditional formats, hyperlinks, the auto-filter, panes,
/// selections and the dimension. References into other sheets that moved (`moved`, by sheet
/// name) are rewritten in every formula.
/// `@exclusivity(unchecked)` on its state, as on `XMLRewriter`'s: the parser's callbacks touch it
/// one at a time on one thread, never through overlapping accesses.
final class SheetEditRewriter: XMLRewriter, ElementSkipping {
    /// row → column → edit, in final rows (edits made out of reading order)
    @exclusivity(unchecked) private var edits: [Int: [Int: CellEdit]]
    /// Edits made in reading order, read back row by row.
    private let spool: EditSpool?
    /// Edits made as the sheet is written (`RowEditSource`), asked for row by row.
    private let source: RowEditSource?
    /// The sheet's last row by its dimension: where a source's filled-down formulas are shared to
    /// (its last edited row is not known when the group's first cell is written).
    @exclusivity(unchecked) private var dimensionLastRow: Int?
    /// Edited rows in order, and the first one not yet reached (an index, not removals: a sheet
    /// of 200,000 edited rows would otherwise be quadratic).
    @exclusivity(unchecked) private var pendingRows: [Int]
    @exclusivity(unchecked) private var nextPending = 0
    @exclusivity(unchecked) private var inSheetData = false
    /// The current row: where it ends up, and where it was.
    @exclusivity(unchecked) private var rowIndex = 0, originalRow = 0, lastColumn = 0
    @exclusivity(unchecked) private var rowEdits: [(Int, CellEdit)] = []
    private let editedRange: CellRange?
    /// The prefix the sheet uses for SpreadsheetML (`x` in `<x:row>`), so new elements land in it.
    @exclusivity(unchecked) private var prefix = ""

    /// The relationship id of a VML drawing to reference with `<legacyDrawing>` (for new notes).
    @exclusivity(unchecked) private var legacyDrawing: String?
    @exclusivity(unchecked) private var depth = 0
    /// CT_Worksheet's children that come after `legacyDrawing`.
    private static let afterLegacyDrawing: Set<String> = ["legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                                                          "webPublishItems", "tableParts", "extLst"]

    /// The shared-string index of a text being written; nil: written inline.
    private let sharedString: (String) throws -> Int?

    /// Columns to hide, not yet written into `<cols>`.
    @exclusivity(unchecked) private var toHide: [Int]
    /// A column the sheet's autofilter (and its sort state) must reach: a column added to the right
    /// of the data (sync's row identities) moves with the rows when the filter sorts them.
    private let filterColumn: Int?
    @exclusivity(unchecked) private var sawCols = false

    // MARK: rows inserted and deleted

    /// This sheet's rows moved; nil when none did.
    private let home: RowShift?
    private let shift: RowShift
    /// Every sheet whose rows moved, by lower-cased name.
    private let moved: [String: RowShift]
    /// New rows, in final rows, and the next one to write.
    private let insertedRows: [(row: Int, formatted: Bool)]
    @exclusivity(unchecked) private var nextInserted = 0
    private let copiesFormats: Bool
    /// The last row written and its format, which new rows below it take.
    @exclusivity(unchecked) private var lastWrittenRow = 0
    @exclusivity(unchecked) private var lastFormat: RowFormat?
    @exclusivity(unchecked) private var currentFormat: RowFormat?
    /// True once a reference or a shared formula was rewritten (a sheet that only refers to
    /// moved sheets is replaced only then).
    @exclusivity(unchecked) private(set) var changed = false

    struct RowFormat { var attributes: [(String, String)]; var cells: [(column: Int, style: String)] }

    /// A formula or range whose text is being read, written at its end tag.
    private struct Capture {
        enum Kind { case cellFormula, formula, sqref }
        var kind: Kind
        var tag: StartTag
        var text: [UInt8] = []
    }
    @exclusivity(unchecked) private var capture: Capture?
    /// Shared formulas by `si`: the anchor's text and cell (original rows), and whether the group
    /// is written out per cell.
    @exclusivity(unchecked) private var sharedAnchors: [String: (text: String, row: Int, column: Int, expand: Bool)] = [:]
    @exclusivity(unchecked) private var cellColumn = 0

    // MARK: shared formulas written

    /// The last row of each column's formulas filled down under one name (`CellEdit.fillDown`),
    /// and the group (`si`) each was given at its first cell.
    @exclusivity(unchecked) private var fillLast: [EditSpool.FillKey: Int]
    @exclusivity(unchecked) private var fillGroups: [EditSpool.FillKey: (si: String, last: Int)] = [:]
    /// When new groups are written, the sheet's own are numbered again in order of appearance
    /// from the same counter, so no two share an `si`.
    private let renumbers: Bool
    @exclusivity(unchecked) private var siMap: [String: String] = [:]
    @exclusivity(unchecked) private var nextSi = 0
    /// True once a replaced cell held the text of a shared formula whose group goes on: the
    /// rest of the group is then written out per cell.
    @exclusivity(unchecked) private var expandsShared = false
    /// A cell being replaced: its depth, its new content (written at its end tag), and its
    /// `<f t="shared">` when it has one (`inside` while its text is read).
    @exclusivity(unchecked) private var replacedDepth = 0
    @exclusivity(unchecked) private var replacement: (ref: CellReference, edit: CellEdit, style: String?)?
    @exclusivity(unchecked) private var replacedFormula: (si: String, ref: String?, text: [UInt8], inside: Bool)?
    /// A container that must not be left empty (`mergeCells` …), written only with its first child.
    @exclusivity(unchecked) private var pendingContainer: StartTag?

    private static let containers: Set<String> = ["mergeCells", "dataValidations", "hyperlinks", "protectedRanges", "ignoredErrors"]

    init(output: Output, part: String, edits: [CellReference: CellEdit], spool: EditSpool? = nil, source: RowEditSource? = nil, legacyDrawing: String? = nil,
         sharedString: @escaping (String) throws -> Int? = { _ in nil }, hiddenColumns: Set<Int> = [], shift: RowShift = RowShift(),
         moved: [String: RowShift] = [:], copiesRaw: Bool = false, passesOverRows: Bool = false, filterColumn: Int? = nil) throws {
        self.passesOverRows = passesOverRows
        self.legacyDrawing = legacyDrawing
        self.filterColumn = filterColumn
        toHide = hiddenColumns.sorted()
        self.sharedString = sharedString
        var byRow: [Int: [Int: CellEdit]] = [:]
        for (ref, edit) in edits { byRow[ref.row, default: [:]][ref.column] = edit }
        self.edits = byRow
        self.spool = spool
        self.source = source
        var fillLast = spool?.fillLast ?? [:]
        for (ref, edit) in edits where edit.formula != nil {
            guard let name = edit.fillDown else { continue }
            let key = EditSpool.FillKey(column: ref.column, name: name)
            fillLast[key] = max(fillLast[key] ?? 0, ref.row)
        }
        self.fillLast = fillLast
        // A source may fill formulas down: the sheet's own groups are numbered again from the start.
        renumbers = !fillLast.isEmpty || source != nil
        pendingRows = byRow.keys.sorted()
        var rows = edits.keys.map(\.row), columns = edits.keys.map(\.column)
        if let spool, spool.count > 0 { rows += [spool.firstRow, spool.lastRow]; columns += [spool.firstColumn, spool.lastColumn] }
        editedRange = rows.isEmpty ? nil : CellRange(first: CellReference(row: rows.min()!, column: columns.min()!),
                                                     last: CellReference(row: rows.max()!, column: columns.max()!))
        self.shift = shift
        home = shift.isIdentity ? nil : shift
        self.moved = moved
        insertedRows = shift.insertedRows
        copiesFormats = insertedRows.contains { $0.formatted }
        // Raw copy while no row moves (moving rewrites references everywhere in the sheet).
        try super.init(output: output, part: part, copiesRaw: copiesRaw && shift.isIdentity && moved.isEmpty)
    }

    private var shifting: Bool { !moved.isEmpty }

    // MARK: rows copied unparsed

    /// Rows the parser reaches that get no edit are copied as bytes, not parsed (`ElementSkipping`).
    private let passesOverRows: Bool
    let skippableName = Array("row".utf8)
    /// Rows without edits copied as bytes, not parsed.
    private(set) var rowsTaken = 0
    /// Rows with edits written from their bytes (`splice`), not parsed.
    private(set) var rowsSpliced = 0

    func take(_ element: UnsafeRawBufferPointer, name: Int, startTagEnd: Int, at offset: Int) throws -> SkipAnswer {
        let answer = try answer(element, name: name, startTagEnd: startTagEnd, at: offset)
        guard answer == .parse else { parsedInARow = 0; return answer }
        // A sheet none of whose rows can be taken (rows without `r`, every row a shared formula's
        // first) is handed to the parser whole, not one row per call.
        parsedInARow += 1
        return parsedInARow >= Self.mostParsedInARow ? .parseRest : .parse
    }

    /// Rows parsed one after the other, and how many before the rest of the sheet is parsed whole.
    private var parsedInARow = 0
    static let mostParsedInARow = 1_000

    private func answer(_ element: UnsafeRawBufferPointer, name: Int, startTagEnd: Int, at offset: Int) throws -> SkipAnswer {
        // Rows that move, rewritten references, formats copied to new rows and shared formulas
        // written out per cell all need every row parsed.
        guard passesOverRows, home == nil, !shifting, !copiesFormats, !expandsShared, copiesRaw else { return .parseRest }
        guard inSheetData, depth == 2, replacedDepth == 0, capture == nil, pendingContainer == nil, mayPassOver else { return .parse }
        // The sheet's own row element, by the prefix its sheetData has.
        let qualified = UnsafeRawBufferPointer(rebasing: element[1..<(1 + name)])
        guard qualified.count == prefix.utf8.count + 3, qualified.elementsEqual(prefix.utf8 + skippableName) else { return .parse }
        let tag = UnsafeRawBufferPointer(rebasing: element[..<startTagEnd])
        guard let digits = attributeValue("r", inStartTag: tag), let r = SheetHandler.integer(digits), r > originalRow else { return .parse }
        let next = try nextEditedRow()
        guard next >= r else { return .parse }
        if nextInserted < insertedRows.count && insertedRows[nextInserted].row <= r { return .parse }
        // Shared formulas keep their numbers only while the sheet's groups are numbered as they were.
        if renumbers && !keepsGroupNumbers(element) { return .parse }
        if next == r {
            guard try splice(element, startTagEnd: startTagEnd, row: r, at: offset) else { return .parse }
        } else {
            passOver(element, at: offset)
            rowsTaken += 1
        }
        originalRow = r
        rowIndex = r
        lastColumn = 0
        lastWrittenRow = r
        return .taken
    }

    /// A cell of a row read by its bytes: where it starts and ends in the row, its column and format.
    private struct CellBytes { var from: Int, to: Int, column: Int, style: String? }

    /// Edits a row in its bytes: cells without edits copied as they are, edited ones written in
    /// their place, new ones in column order — what parsing the row writes, without parsing it.
    /// False (nothing written, no edit taken) for a row it cannot read so: cells without `r`, a
    /// child other than cells, a shared formula's first cell (its group may have to be written out).
    private func splice(_ element: UnsafeRawBufferPointer, startTagEnd: Int, row r: Int, at offset: Int) throws -> Bool {
        let b = element.bindMemory(to: UInt8.self)
        let n = b.count
        guard startTagEnd >= 2, b[startTagEnd - 2] != UInt8(ascii: "/") else { return false }
        let cellName = Array((prefix + "c").utf8), formulaName = Array((prefix + "f").utf8)
        func named(_ at: Int, _ name: [UInt8] = cellName) -> Bool {
            guard at + name.count < n else { return false }
            for i in 0..<name.count where b[at + i] != name[i] { return false }
            return ElementFilter.endsName(b[at + name.count])
        }
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        // The row's end tag starts at the last `<`.
        var end = n - 1
        while end > startTagEnd && b[end] != UInt8(ascii: "<") { end -= 1 }
        var cells: [CellBytes] = []
        var k = startTagEnd
        while k < end {
            if space(b[k]) { k += 1; continue }
            guard b[k] == UInt8(ascii: "<"), named(k + 1) else { return false }
            let from = k
            k = ElementFilter.tagStop(b.baseAddress!, from: k + 1, to: end)
            guard k < end, b[k] == UInt8(ascii: ">") else { return false }
            let tag = UnsafeRawBufferPointer(rebasing: element[from...k])
            guard let ref = attributeValue("r", inStartTag: tag), let cell = CellReference(utf8: ref), cell.row == r else { return false }
            var style: String?
            if let s = attributeValue("s", inStartTag: tag) {
                guard !s.contains(UInt8(ascii: "&")) else { return false }
                style = String(decoding: s, as: UTF8.self)
            }
            var to = k + 1
            if b[k - 1] != UInt8(ascii: "/") {
                // Its end tag: the first `</c>` (a cell holds no cell); a shared formula's first cell is left to the parser.
                var p = k + 1
                while true {
                    guard let hit = memchr(b.baseAddress! + p, Int32(UInt8(ascii: "<")), end - p) else { return false }
                    let j = b.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if b[j + 1] == UInt8(ascii: "/") && named(j + 2) {
                        var e = j + 2 + cellName.count
                        while e < end && space(b[e]) { e += 1 }
                        guard e < end, b[e] == UInt8(ascii: ">") else { return false }
                        to = e + 1
                        break
                    }
                    if named(j + 1) { return false }
                    if named(j + 1, formulaName) {
                        // A formula element: shared with its text (a group's first cell) is parsed.
                        let q = ElementFilter.tagStop(b.baseAddress!, from: j + 1, to: end)
                        guard q < end, b[q] == UInt8(ascii: ">") else { return false }
                        let ftag = UnsafeRawBufferPointer(rebasing: element[j...q])
                        if let t = attributeValue("t", inStartTag: ftag), t.elementsEqual("shared".utf8), b[q - 1] != UInt8(ascii: "/") {
                            return false
                        }
                    }
                    p = j + 1
                }
            }
            guard cells.last.map({ $0.column < cell.column }) ?? true else { return false }
            cells.append(CellBytes(from: from, to: to, column: cell.column, style: style))
            k = to
        }
        // Read whole: from here on the row is written, its edits taken.
        var edits = try takeEdits(row: r)[...]
        out.eventStart = offset
        out.flushRaw()
        out.rawFrom = nil
        var copied = 0
        func copy(to i: Int) {
            if i > copied { out.rawBytes(UnsafeRawBufferPointer(rebasing: element[copied..<i])) }
            copied = i
        }
        for c in cells {
            while let (column, edit) = edits.first, column < c.column {
                copy(to: c.from)
                try writeCell(CellReference(row: r, column: column), edit, keepingStyle: nil)
                edits.removeFirst()
            }
            guard let (column, edit) = edits.first, column == c.column else { continue }
            edits.removeFirst()
            copy(to: c.from)
            if edit.keepsContent, let s = edit.styleIndex {
                // The cell as it was, in its new format.
                let tag = UnsafeRawBufferPointer(rebasing: element[c.from..<c.to])
                if let old = attributeValue("s", inStartTag: tag) {
                    let at = element.baseAddress!.distance(to: old.baseAddress!)
                    copy(to: at)
                    Array(String(s).utf8).withUnsafeBytes { out.rawBytes($0) }
                    copied = at + old.count
                } else {
                    var close = ElementFilter.tagStop(b.baseAddress!, from: c.from + 1, to: c.to)
                    if b[close - 1] == UInt8(ascii: "/") { close -= 1 }
                    copy(to: close)
                    Array(" s=\"\(s)\"".utf8).withUnsafeBytes { out.rawBytes($0) }
                }
                copy(to: c.to)
            } else {
                try writeCell(CellReference(row: r, column: column), edit, keepingStyle: c.style)
                copied = c.to
            }
        }
        copy(to: end)
        for (column, edit) in edits { try writeCell(CellReference(row: r, column: column), edit, keepingStyle: nil) }
        copy(to: n)
        out.rawFrom = offset
        rowsSpliced += 1
        return true
    }

    /// True when every `si="…"` in the row's bytes names a group already numbered as it was (an
    /// `si=` it cannot read, even in a text, answers false: the row is parsed).
    private func keepsGroupNumbers(_ element: UnsafeRawBufferPointer) -> Bool {
        let b = element.bindMemory(to: UInt8.self)
        let n = b.count
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        var i = 1
        while i + 2 < n {
            defer { i += 1 }
            guard b[i] == UInt8(ascii: "s"), b[i + 1] == UInt8(ascii: "i"), space(b[i - 1]) else { continue }
            var k = i + 2
            while k < n && space(b[k]) { k += 1 }
            guard k < n, b[k] == UInt8(ascii: "=") else { continue }
            k += 1
            while k < n && space(b[k]) { k += 1 }
            guard k < n, b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'") else { return false }
            let quote = b[k]
            let from = k + 1
            k = from
            while k < n && b[k] != quote { k += 1 }
            guard k < n else { return false }
            let si = String(decoding: UnsafeRawBufferPointer(rebasing: element[from..<k]), as: UTF8.self)
            guard siMap[si] == si else { return false }
            i = k
        }
        return true
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        depth += 1
        if replacedDepth > 0 {
            // Inside a replaced cell: only a shared formula's first cell matters (its group lives on).
            if depth == replacedDepth + 1, name.namespace == .spreadsheetML, name.is("f"), attributes["t"] == "shared", let si = attributes["si"] {
                replacedFormula = (si, attributes["ref"], [], true)
            }
            return
        }
        if capture != nil { flushCapture() }
        if depth == 2 && name.namespace == .spreadsheetML && Self.afterLegacyDrawing.contains(name.localName) { writeLegacyDrawing() }
        guard name.namespace == .spreadsheetML else {
            if shifting && name.namespace == .excelMain && (name.is("f") || name.is("sqref")) {
                return startCapture(name.is("f") ? .formula : .sqref, name, attributes)
            }
            flushContainer()
            return copyStart(name, attributes)
        }
        if !toHide.isEmpty && depth == 3 && name.is("col") { return try hideColumns(in: attributes) }
        if !toHide.isEmpty && depth == 2 && name.is("cols") {
            sawCols = true
            colsPrefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
        }
        if !toHide.isEmpty && depth == 2 && name.is("sheetData") && !sawCols {
            // No <cols> yet: it comes right before <sheetData> (CT_Worksheet's order).
            colsPrefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
            out.start(colsPrefix + "cols")
            writeHiddenColumns(before: Int.max)
            out.end()
        }
        if inSheetData && name.is("row") {
            let r = attributes.raw("r").flatMap(SheetHandler.integer) ?? originalRow + 1
            originalRow = r
            guard let f = home == nil ? r : shift.final(r) else {
                changed = true
                dropElement()
                depth -= 1 // a deleted row: its end tag is dropped too
                return
            }
            try writeRows(before: f)
            rowIndex = f
            lastColumn = 0
            rowEdits = try takeEdits(row: f)
            if copiesFormats {
                currentFormat = RowFormat(attributes: attributes.all.filter { !["r", "spans", "hidden", "collapsed"].contains($0.0) }, cells: [])
            }
            // An empty row getting cells is written (its copied `<row/>` could not hold them).
            copyStart(name, attributes, replacing: f != r || attributes.raw("r") == nil && home != nil ? ["r": String(f)] : [:],
                      raw: !(startTagIsEmpty && !rowEdits.isEmpty))
        } else if inSheetData && name.is("c") {
            let column = attributes.raw("r").flatMap { CellReference(utf8: $0)?.column } ?? lastColumn + 1
            lastColumn = column
            cellColumn = column
            try writeCells(before: column)
            if copiesFormats, let s = attributes["s"] { currentFormat?.cells.append((column, s)) }
            let moves: [String: String?] = rowIndex != originalRow && attributes.raw("r") != nil
                ? ["r": CellReference(row: rowIndex, column: column).description] : [:]
            if let i = rowEdits.firstIndex(where: { $0.0 == column }) {
                let edit = rowEdits.remove(at: i).1
                if edit.keepsContent, let s = edit.styleIndex {
                    copyStart(name, attributes, replacing: moves.merging(["s": String(s)]) { $1 })
                } else {
                    // Written at its end tag, once its formula (maybe a shared group's text) is known.
                    suspendRaw()
                    replacedDepth = depth
                    replacement = (CellReference(row: rowIndex, column: column), edit, attributes["s"])
                }
            } else {
                copyStart(name, attributes, replacing: moves)
            }
        } else if inSheetData && (shifting || renumbers || expandsShared) && name.is("f") {
            startCapture(.cellFormula, name, attributes)
        } else if name.is("sheetData") {
            inSheetData = true
            prefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
            copyStart(name, attributes, raw: !startTagIsEmpty)
        } else if name.is("dimension"), let ref = attributes["ref"], editedRange != nil || home != nil || source != nil {
            if source != nil { dimensionLastRow = CellRange(ref)?.last.row ?? CellReference(ref)?.row }
            copyStart(name, attributes, replacing: ["ref": dimension(ref)])
        } else if let reach = filterColumn, home == nil, !inSheetData, depth == 2 || depth == 3,
                  name.is("autoFilter") || name.is("sortState"), let ref = attributes["ref"], let range = CellRange(ref),
                  range.last.column < reach, range.last.column >= reach - 2 {
            // Grown to take in the column just right of it (a gap of one empty column at most).
            flushContainer()
            changed = true
            copyStart(name, attributes, replacing: ["ref": CellRange(first: range.first, last: CellReference(row: range.last.row, column: reach)).description])
        } else if home != nil, !inSheetData, depth >= 2, try moveStart(name, attributes) {
            return
        } else if shifting && (name.is("formula") || name.is("formula1") || name.is("formula2")) {
            startCapture(.formula, name, attributes)
        } else {
            flushContainer()
            // An empty <cols/> getting hidden columns is written, not copied.
            copyStart(name, attributes, raw: !(startTagIsEmpty && depth == 2 && !toHide.isEmpty && name.is("cols")))
        }
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if replacedDepth > 0 {
            if depth == replacedDepth { try finishReplacement() } else if depth == replacedDepth + 1 { replacedFormula?.inside = false }
            depth -= 1
            return
        }
        if let c = capture {
            capture = nil
            depth -= 1
            return finish(c)
        }
        if pendingContainer != nil {
            // A container all of whose children were deleted is left out.
            pendingContainer = nil
            depth -= 1
            changed = true
            return
        }
        if depth == 1 { writeLegacyDrawing() }
        if depth == 2 && name.namespace == .spreadsheetML && name.is("cols") { writeHiddenColumns(before: Int.max) }
        depth -= 1
        if name.namespace == .spreadsheetML && inSheetData {
            if name.is("row") {
                try writeCells(before: Int.max)
                lastWrittenRow = rowIndex
                lastFormat = currentFormat
            } else if name.is("sheetData") {
                try writeRows(before: Int.max)
                inSheetData = false
            }
        }
        closeElement()
    }

    override func characters(_ text: UnsafeRawBufferPointer) throws {
        if replacedDepth > 0 {
            if replacedFormula?.inside == true { replacedFormula!.text.append(contentsOf: text) }
            return
        }
        if capture != nil { capture!.text.append(contentsOf: text); return }
        if pendingContainer != nil { return } // white space between children that may all go
        try super.characters(text)
    }

    // MARK: moving references

    /// Elements outside `sheetData` that name rows. Returns false for the others.
    private func moveStart(_ name: XMLName, _ attributes: XMLAttributes) throws -> Bool {
        let local = name.localName
        if Self.containers.contains(local) {
            pendingContainer = StartTag(name, attributes, dropping: ["count"])
            return true
        }
        func range(_ attribute: StaticString, _ key: String, dropSingle: Bool = false) -> Bool {
            guard let old = attributes[attribute] else { flushContainer(); copyStart(name, attributes); return true }
            guard let new = shift.final(sqref: old), !(dropSingle && !new.contains(":")) else {
                changed = true
                dropElement()
                depth -= 1
                return true
            }
            flushContainer()
            copyStart(name, attributes, replacing: [key: new])
            return true
        }
        switch local {
        case "mergeCell": return range("ref", "ref", dropSingle: true)
        case "dataValidation", "protectedRange", "ignoredError", "conditionalFormatting": return range("sqref", "sqref")
        case "hyperlink", "autoFilter", "sortState", "sortCondition": return range("ref", "ref")
        case "selection":
            var replacing: [String: String?] = [:]
            if let a = attributes["activeCell"], let c = CellReference(a), let r = shift.final(c.row) {
                replacing["activeCell"] = CellReference(row: r, column: c.column).description
            }
            if let s = attributes["sqref"], let n = shift.final(sqref: s) { replacing["sqref"] = n }
            copyStart(name, attributes, replacing: replacing)
            return true
        case "pane":
            var replacing: [String: String?] = [:]
            if let a = attributes["topLeftCell"], let c = CellReference(a), let r = shift.final(c.row) {
                replacing["topLeftCell"] = CellReference(row: r, column: c.column).description
            }
            copyStart(name, attributes, replacing: replacing)
            return true
        default:
            return false
        }
    }

    /// The dimension, moved with its rows and grown to the edited cells and new rows.
    private func dimension(_ ref: String) -> String {
        var rows: [Int] = [], columns: [Int] = []
        if let old = CellRange(ref) {
            let moved = home == nil ? old : shift.final(old)
            if let moved { rows += [moved.first.row, moved.last.row]; columns += [moved.first.column, moved.last.column] }
        }
        if let e = editedRange { rows += [e.first.row, e.last.row]; columns += [e.first.column, e.last.column] }
        // A source's columns (its rows are not known before they are written).
        if let c = source?.columns, !rows.isEmpty { columns += [c.lowerBound, c.upperBound] }
        if copiesFormats, let first = insertedRows.first(where: \.formatted), let last = insertedRows.last(where: \.formatted) {
            rows += [first.row, last.row]
        }
        guard let r0 = rows.min(), let r1 = rows.max(), let c0 = columns.min(), let c1 = columns.max() else { return ref }
        return CellRange(first: CellReference(row: r0, column: c0), last: CellReference(row: r1, column: c1)).description
    }

    private func startCapture(_ kind: Capture.Kind, _ name: XMLName, _ attributes: XMLAttributes) {
        flushContainer()
        suspendRaw()
        capture = Capture(kind: kind, tag: StartTag(name, attributes))
    }

    /// Something nested inside a formula (not in any schema): give up on it and copy as read.
    private func flushCapture() {
        guard let c = capture else { return }
        capture = nil
        resumeRaw()
        write(c.tag)
        if !c.text.isEmpty { c.text.withUnsafeBytes { out.text($0) } }
    }

    private func finish(_ c: Capture) {
        var tag = c.tag
        var text = String(decoding: c.text, as: UTF8.self)
        let lookup: (String) -> RowShift? = { [moved] in moved[$0.lowercased()] }
        switch c.kind {
        case .sqref:
            if let home, let n = home.final(sqref: text), n != text { text = n; changed = true }
        case .formula:
            let n = ReferenceShifter.shift(text, home: home, sheet: lookup)
            if n != text { text = n; changed = true }
        case .cellFormula:
            let type = tag.value("t")
            if type == "shared", let si = tag.value("si") {
                if !text.isEmpty {
                    // The anchor: its group is written out per cell when its references may move.
                    let expand = home != nil || (shifting && text.contains("!"))
                    sharedAnchors[si] = (text, originalRow, cellColumn, expand)
                    if expand { tag.drop(["t", "si", "ref"]); changed = true } else { tag.set("si", groupNumber(si)) }
                } else if let anchor = sharedAnchors[si], anchor.expand {
                    text = FormulaShifter.shift(anchor.text, rows: originalRow - anchor.row, columns: cellColumn - anchor.column)
                    tag.drop(["t", "si", "ref"])
                    changed = true
                } else {
                    tag.set("si", groupNumber(si))
                }
            } else if type == "array", let home, let ref = tag.value("ref"), let r = CellRange(ref), let n = home.final(r) {
                tag.set("ref", n.description)
            }
            if !text.isEmpty && shifting {
                let n = ReferenceShifter.shift(text, home: home, sheet: lookup)
                if n != text { text = n; changed = true }
            }
        }
        write(tag)
        if !text.isEmpty { out.text(text) }
        out.end()
        resumeRaw()
    }

    private func flushContainer() {
        guard let c = pendingContainer else { return }
        pendingContainer = nil
        write(c)
    }

    private func write(_ tag: StartTag) {
        out.start(tag.name)
        for (n, v) in tag.declarations { out.attribute(n, v) }
        for (n, v) in tag.attributes { out.attribute(n, v) }
    }

    // MARK: columns, notes, new rows and cells

    /// A `<col min max …>`: columns to hide left of it come first; one inside it splits it so
    /// the hidden column keeps the range's width and format.
    private func hideColumns(in attributes: XMLAttributes) throws {
        let lo = attributes["min"].flatMap { Int($0) } ?? 1, hi = attributes["max"].flatMap { Int($0) } ?? lo
        writeHiddenColumns(before: lo)
        let inside = toHide.filter { $0 >= lo && $0 <= hi }
        let all = attributes.all
        func piece(_ a: Int, _ b: Int, hidden: Bool) {
            guard a <= b else { return }
            out.start(colsPrefix + "col")
            for (n, v) in all {
                switch n {
                case "min": out.attribute(n, String(a))
                case "max": out.attribute(n, String(b))
                case "hidden": if !hidden { out.attribute(n, v) }
                default: out.attribute(n, v)
                }
            }
            if hidden { out.attribute("hidden", "1") }
            out.end()
        }
        var from = lo
        for c in inside {
            piece(from, c - 1, hidden: false)
            piece(c, c, hidden: true)
            from = c + 1
        }
        piece(from, hi, hidden: false)
        toHide.removeAll { $0 >= lo && $0 <= hi }
        dropElement()
        depth -= 1 // its end tag is dropped too
    }

    /// The prefix of `<cols>` and its children, as the sheet writes them.
    @exclusivity(unchecked) private var colsPrefix = ""

    private func writeHiddenColumns(before column: Int) {
        while let c = toHide.first, c < column {
            toHide.removeFirst()
            out.element(colsPrefix + "col", [("min", String(c)), ("max", String(c)), ("width", "18"), ("hidden", "1"), ("customWidth", "1")])
        }
    }

    private func writeLegacyDrawing() {
        guard let id = legacyDrawing else { return }
        legacyDrawing = nil
        // The r prefix is declared on the element itself, whatever the sheet calls it.
        out.element(prefix + "legacyDrawing", [("xmlns:r", WorkbookWriter.relNS), ("r:id", id)])
    }

    /// Rows above `row` that the sheet did not have: edited ones, and new ones that take the
    /// format of the row above them (its height, its cells' formats), in order.
    /// The next row with edits, from the map, the spool or the source.
    private func nextEditedRow() throws -> Int {
        let a = nextPending < pendingRows.count ? pendingRows[nextPending] : Int.max
        return min(a, spool?.nextRow() ?? Int.max, try source?.nextRow() ?? Int.max)
    }

    /// The edits of row `row` (no row above it has edits left), in column order; the map's win.
    private func takeEdits(row: Int) throws -> [(Int, CellEdit)] {
        var cells = spool?.take(row: row) ?? []
        if let source, try source.nextRow() == row {
            // The source's edits give way to those set for the same cells.
            let made = try source.take(row: row)
            if cells.isEmpty { cells = made.map { ($0.column, $0.edit) } } else {
                let taken = Set(cells.map(\.0))
                cells += made.lazy.filter { !taken.contains($0.column) }.map { ($0.column, $0.edit) }
                cells.sort { $0.0 < $1.0 }
            }
        }
        if nextPending < pendingRows.count && pendingRows[nextPending] == row {
            nextPending += 1
            if let mine = edits.removeValue(forKey: row) {
                cells.removeAll { mine[$0.0] != nil }
                cells += mine.map { ($0.key, $0.value) }
                cells.sort { $0.0 < $1.0 }
            }
        }
        return cells
    }

    private func writeRows(before row: Int) throws {
        while true {
            let edited = try nextEditedRow()
            let inserted = nextInserted < insertedRows.count ? insertedRows[nextInserted].row : Int.max
            let r = min(edited, inserted)
            guard r < row else { return }
            var formatted = false
            if inserted == r { formatted = insertedRows[nextInserted].formatted; nextInserted += 1 }
            let cells = edited == r ? try takeEdits(row: r) : []
            let format = formatted && lastWrittenRow == r - 1 ? lastFormat : nil
            if cells.isEmpty && format == nil { continue }
            out.start(prefix + "row")
            out.attribute("r", String(r))
            for (n, v) in format?.attributes ?? [] { out.attribute(n, v) }
            var styled = format?.cells ?? []
            for (column, edit) in cells {
                while let s = styled.first, s.column < column {
                    styled.removeFirst()
                    out.element(prefix + "c", [("r", CellReference(row: r, column: s.column).description), ("s", s.style)])
                }
                var style: String?
                if let s = styled.first, s.column == column { style = s.style; styled.removeFirst() }
                try writeCell(CellReference(row: r, column: column), edit, keepingStyle: style)
            }
            for s in styled { out.element(prefix + "c", [("r", CellReference(row: r, column: s.column).description), ("s", s.style)]) }
            out.end()
            lastWrittenRow = r
            lastFormat = format
        }
    }

    /// New cells of the current row left of `column`.
    private func writeCells(before column: Int) throws {
        while let (c, edit) = rowEdits.first, c < column {
            rowEdits.removeFirst()
            try writeCell(CellReference(row: rowIndex, column: c), edit, keepingStyle: nil)
        }
    }

    private func writeCell(_ ref: CellReference, _ edit: CellEdit, keepingStyle: String?, group: CellXML.Shared? = nil) throws {
        var shared: Int?
        if case .string(let t) = edit.value, edit.formula == nil, !edit.keepsContent { shared = try sharedString(t) }
        CellXML.write(ref, value: edit.value, formula: edit.formula,
                      style: edit.styleIndex.map(String.init) ?? keepingStyle, prefix: prefix, to: out,
                      sharedString: shared.map { i in { _ in i } }, shared: group ?? fillGroup(ref, edit))
    }

    /// The end of a replaced cell: its new content is written. When it held a shared formula's
    /// text, the group stays (same formula, rows not moving) or the rest of it is written out per
    /// cell — otherwise the cells below would lose the formula they share.
    private func finishReplacement() throws {
        replacedDepth = 0
        resumeRaw()
        let old = replacedFormula
        replacedFormula = nil
        guard let (ref, edit, style) = replacement else { return }
        replacement = nil
        guard let old, !old.text.isEmpty else { return try writeCell(ref, edit, keepingStyle: style) }
        let text = String(decoding: old.text, as: UTF8.self)
        if edit.formula == text && home == nil && !shifting {
            sharedAnchors[old.si] = (text, originalRow, cellColumn, false)
            return try writeCell(ref, edit, keepingStyle: style, group: CellXML.Shared(si: groupNumber(old.si), ref: old.ref ?? ref.description))
        }
        sharedAnchors[old.si] = (text, originalRow, cellColumn, true)
        expandsShared = true
        changed = true
        try writeCell(ref, edit, keepingStyle: style)
    }

    /// The `si` an existing group is written with: its own, or a new one when groups are added.
    private func groupNumber(_ si: String) -> String {
        guard renumbers else { return si }
        if let n = siMap[si] { return n }
        let n = String(nextSi)
        nextSi += 1
        siMap[si] = n
        return n
    }

    /// A formula filled down a column (`CellEdit.fillDown`): the first of its column and name
    /// starts a shared group reaching the last, the others join it. nil for a formula alone.
    /// A source's last row may not be known yet: its groups then reach the dimension's last row,
    /// and a cell below that (a dimension that undercounts) is written alone.
    private func fillGroup(_ ref: CellReference, _ edit: CellEdit) -> CellXML.Shared? {
        guard let name = edit.fillDown, edit.formula != nil else { return nil }
        let key = EditSpool.FillKey(column: ref.column, name: name)
        if let group = fillGroups[key] { return ref.row <= group.last ? CellXML.Shared(si: group.si, ref: nil) : nil }
        guard let last = fillLast[key] ?? source.flatMap({ $0.lastRow ?? dimensionLastRow }), last > ref.row else { return nil }
        let si = String(nextSi)
        nextSi += 1
        fillGroups[key] = (si, last)
        return CellXML.Shared(si: si, ref: "\(ref):\(CellReference(row: last, column: ref.column))")
    }

    static func number(_ n: Double) -> String { shortestText(n) }
}

/// A start tag kept to be written later: its qualified name, namespace declarations and attributes.
struct StartTag {
    var name: String
    var declarations: [(String, String)] = []
    var attributes: [(String, String)]

    init(_ name: XMLName, _ attributes: XMLAttributes, dropping: Set<String> = []) {
        self.name = name.qualifiedName
        if let decl = name.declarations {
            for i in 0..<name.declarationCount {
                guard let uri = decl[2 * i + 1] else { continue }
                declarations.append((decl[2 * i].map { "xmlns:\(String(cString: $0))" } ?? "xmlns", String(cString: uri)))
            }
        }
        self.attributes = attributes.all.filter { !dropping.contains($0.0) }
    }

    func value(_ name: String) -> String? { attributes.first { $0.0 == name }?.1 }
    mutating func drop(_ names: Set<String>) { attributes.removeAll { names.contains($0.0) } }
    mutating func set(_ name: String, _ value: String) {
        if let i = attributes.firstIndex(where: { $0.0 == name }) { attributes[i].1 = value } else { attributes.append((name, value)) }
    }
}
