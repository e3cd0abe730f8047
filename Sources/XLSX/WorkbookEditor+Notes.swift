extension WorkbookEditor {
    /// Adds a note to a cell of an existing worksheet. A cell that already has a note keeps it,
    /// with this text added below, so nothing the user wrote is lost.
    public func addNote(_ ref: CellReference, in sheet: SheetInfo, text: String, author: String = "tracksheet") throws {
        guard sheet.kind == .worksheet, let part = sheet.part else {
            throw XLSXError(.noSuchSheet, .notWorksheetNotes, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        notesToAdd[part, default: []].append(PendingNote(ref: ref, text: text, author: author))
    }

    /// Writes the notes: into the sheet's comments and VML parts when it has them, else into new
    /// ones, listed in the sheet's relationships and the content types, with a `<legacyDrawing>`
    /// put into the sheet.
    func applyNotes() throws {
        let moved = rowShifts.filter { !$0.value.isIdentity }
        for part in Set(notesToAdd.keys).union(moved.keys).sorted() {
            let notes = notesToAdd[part] ?? []
            let shift = moved[part] ?? RowShift()
            let rels = try Workbook.relationships(of: part, in: workbook.archive)
            let relsPart = PartName.relationships(of: part)
            let commentsEntry = rels.first { $0.kind == "comments" }?.partName.flatMap { workbook.archive.entry(named: $0) }
            let vmlEntry = rels.first { $0.kind == "vmlDrawing" }?.partName.flatMap { workbook.archive.entry(named: $0) }
            // Rows moved on a sheet without notes, and no new ones: nothing to do here.
            if notes.isEmpty && commentsEntry == nil { continue }
            var newRels: [(String, String, String)] = []
            let used = Set(rels.map(\.id))
            func freshID(_ stem: String) -> String {
                var id = stem
                while used.contains(id) || newRels.contains(where: { $0.0 == id }) { id += "_" }
                return id
            }
            func freeName(_ make: (Int) -> String) -> String {
                var k = workbook.sheets.count + 1
                while workbook.archive.entry(named: make(k)) != nil || replacementExists(make(k)) { k += 1 }
                return make(k)
            }

            // Comments: extend the sheet's own, or a new part.
            var merged: Set<CellReference> = []
            if let entry = commentsEntry {
                let file = try scratchFile(entry.name)
                let rewriter = try CommentsAppendRewriter(outputPath: file, part: entry.name, notes: notes, shift: shift)
                try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
                try rewriter.finish()
                setPart(entry.name, file: file)
                merged = rewriter.merged
            } else {
                let name = freeName { "xl/comments\($0).xml" }
                let out = XMLOut(part: name)
                var authors: [String] = []
                for n in notes where !authors.contains(n.author) { authors.append(n.author) }
                out.start("comments"); out.attribute("xmlns", WorkbookWriter.mainNS)
                out.start("authors"); for a in authors { out.element("author", text: a) }; out.end()
                out.start("commentList")
                for n in Self.oneNotePerCell(notes) { NoteXML.comment(n.ref, authorID: authors.firstIndex(of: n.author)!, text: n.text, to: out) }
                out.end(); out.end()
                setPart(name, bytes: try out.finish())
                newRels.append((freshID("rIdTsComments"), WorkbookWriter.relTypes + "comments", "/" + name))
                patch("[Content_Types].xml") {
                    $0.appends.append((into: "Types", element: .init(name: "Override", attributes: [
                        ("PartName", "/" + name), ("ContentType", "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml")])))
                }
            }

            // Shapes: one per cell that had no note before.
            let boxes = Self.oneNotePerCell(notes).map(\.ref).filter { !merged.contains($0) }
            if let entry = vmlEntry {
                if !boxes.isEmpty || !shift.isIdentity {
                    let file = try scratchFile(entry.name)
                    var rows: [Int?] = []
                    if !shift.isIdentity {
                        let reader = VMLNoteRows()
                        try XMLStreamParser.parse(entry, in: workbook.archive, handler: reader)
                        rows = reader.rows
                    }
                    let rewriter = try VMLAppendRewriter(outputPath: file, part: entry.name, refs: boxes, shift: shift, noteRows: rows)
                    try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
                    try rewriter.finish()
                    setPart(entry.name, file: file)
                }
            } else if !boxes.isEmpty {
                let name = freeName { "xl/drawings/vmlDrawing\($0).vml" }
                setPart(name, bytes: try NoteXML.drawing(boxes, block: 100 + workbook.sheets.count, part: name))
                let id = freshID("rIdTsVML")
                newRels.append((id, WorkbookWriter.relTypes + "vmlDrawing", "/" + name))
                legacyDrawings[part] = id
                if workbook.contentTypes.defaults["vml"] == nil && !vmlDefaultAdded {
                    vmlDefaultAdded = true
                    patch("[Content_Types].xml") {
                        $0.appends.append((into: "Types", element: .init(name: "Default", attributes: [
                            ("Extension", "vml"), ("ContentType", "application/vnd.openxmlformats-officedocument.vmlDrawing")])))
                    }
                }
            }

            // The sheet's relationships: patched, or a new part.
            if !newRels.isEmpty {
                if workbook.archive.entry(named: relsPart) != nil {
                    for (id, type, target) in newRels {
                        patch(relsPart) { $0.appends.append((into: "Relationships", element: .init(name: "Relationship", attributes: [
                            ("Id", id), ("Type", type), ("Target", target)]))) }
                    }
                } else {
                    setPart(relsPart, bytes: try WorkbookWriter.relationshipsPart(relsPart, newRels))
                }
            }
        }
        notesToAdd.removeAll()
    }

    /// A part name already given to an edit, or to a part of a sheet being added.
    func replacementExists(_ name: String) -> Bool {
        hasReplacement(name) || addedSheets.contains { s in
            s.part.lowercased() == name.lowercased() || s.auxiliaryNames.contains { $0.name.lowercased() == name.lowercased() }
        }
    }

    /// Notes on the same cell become one, their texts one below the other.
    static func oneNotePerCell(_ notes: [PendingNote]) -> [PendingNote] {
        var out: [PendingNote] = []
        for n in notes {
            if let i = out.firstIndex(where: { $0.ref == n.ref }) { out[i].text += "\n" + n.text } else { out.append(n) }
        }
        return out
    }
}

struct PendingNote { var ref: CellReference; var text: String; var author: String }

/// Streams a comments part through: new authors at the end of `<authors>`, a note on a cell that
/// has one added as a new paragraph of that note, the others appended to `<commentList>`.
final class CommentsAppendRewriter: XMLRewriter {
    private let notes: [PendingNote]
    private var authors: [String] = []
    private var authorText: [UInt8] = []
    private var inAuthor = false
    private var prefix = ""
    private var extending: PendingNote?
    private(set) var merged: Set<CellReference> = []

    /// Rows inserted and deleted on the sheet: notes move with their cells, or go with them.
    private let shift: RowShift

    init(outputPath: String, part: String, notes: [PendingNote], shift: RowShift = RowShift()) throws {
        self.notes = WorkbookEditor.oneNotePerCell(notes)
        self.shift = shift
        try super.init(output: .file(outputPath), part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if name.namespace == .spreadsheetML {
            if name.is("comments") { prefix = name.prefix.map { String(cString: $0) + ":" } ?? "" }
            else if name.is("author") { inAuthor = true; authorText.removeAll() }
            else if name.is("comment"), var ref = attributes["ref"].flatMap({ CellReference($0) }) {
                if !shift.isIdentity {
                    guard let r = shift.final(ref.row) else { return dropElement() }
                    ref.row = r
                    copyStart(name, attributes, replacing: ["ref": ref.description])
                    extending = notes.first { $0.ref == ref }
                    return
                }
                extending = notes.first { $0.ref == ref }
            }
        }
        copyStart(name, attributes)
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if name.namespace == .spreadsheetML {
            if name.is("author") {
                authors.append(String(decoding: authorText, as: UTF8.self))
                inAuthor = false
            } else if name.is("authors") {
                for n in notes where !authors.contains(n.author) {
                    authors.append(n.author)
                    out.element(prefix + "author", text: n.author)
                }
            } else if name.is("text"), let n = extending {
                NoteXML.run("\n" + n.text, prefix: prefix, to: out)
                merged.insert(n.ref)
                extending = nil
            } else if name.is("commentList") {
                for n in notes where !merged.contains(n.ref) {
                    NoteXML.comment(n.ref, authorID: authors.firstIndex(of: n.author) ?? 0, text: n.text, prefix: prefix, to: out)
                }
            }
        }
        out.end()
    }

    override func characters(_ text: UnsafeRawBufferPointer) throws {
        if inAuthor { authorText.append(contentsOf: text) }
        try super.characters(text)
    }
}

/// Streams a sheet's VML drawing through and appends a note box per cell, with shape ids above
/// every id the drawing has.
final class VMLAppendRewriter: XMLRewriter {
    private let refs: [CellReference]
    private var depth = 0
    private var maxID = 1024
    private var hasNoteType = false
    /// Rows inserted and deleted on the sheet, and the row of each shape's note (0-based, by
    /// the shape's place in the drawing) from a first pass: a note's box moves with its cell.
    private let shift: RowShift
    private let noteRows: [Int?]
    private var shapeIndex = -1
    /// How far the current shape's note moved, and the text of its `x:Row` / `x:Anchor`.
    private var delta = 0
    private var text: [UInt8]?

    init(outputPath: String, part: String, refs: [CellReference], shift: RowShift = RowShift(), noteRows: [Int?] = []) throws {
        self.refs = refs
        self.shift = shift
        self.noteRows = noteRows
        try super.init(output: .file(outputPath), part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if let t = text { text = nil; out.text(String(decoding: t, as: UTF8.self)) }
        depth += 1
        if name.is("shapetype"), attributes["id"] == "_x0000_t202" { hasNoteType = true }
        if name.is("shape"), let id = attributes["id"], let n = Int(id.drop { !$0.isNumber }.prefix { $0.isNumber }) {
            maxID = max(maxID, n)
        }
        if name.is("shape") && !shift.isIdentity {
            shapeIndex += 1
            delta = 0
            if shapeIndex < noteRows.count, let row = noteRows[shapeIndex] {
                guard let r = shift.final(row + 1) else {
                    depth -= 1
                    return dropElement() // its note's row was deleted
                }
                delta = r - 1 - row
            }
        }
        copyStart(name, attributes)
        if delta != 0 && (name.is("Row") || name.is("Anchor")) { text = [] }
    }

    override func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if text != nil { text!.append(contentsOf: chunk); return }
        try super.characters(chunk)
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if let t = text {
            text = nil
            let s = String(decoding: t, as: UTF8.self)
            if name.is("Row"), let r = Int(s.filter { !$0.isWhitespace }) {
                out.text(String(r + delta))
            } else if name.is("Anchor") {
                // Left column, offset, top row, offset, right column, offset, bottom row, offset.
                var parts = s.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
                for i in [2, 6] where i < parts.count { if let r = Int(parts[i]) { parts[i] = String(r + delta) } }
                out.text(parts.joined(separator: ", "))
            } else {
                out.text(s)
            }
        }
        if depth == 1 {
            if !hasNoteType { NoteXML.shapeType(to: out) }
            for (i, ref) in refs.enumerated() { NoteXML.shape(ref, id: maxID + 1 + i, z: maxID + 1 + i, to: out) }
        }
        depth -= 1
        out.end()
    }

}

/// A first pass over a VML drawing: the row (0-based) of each shape's note, in shape order.
final class VMLNoteRows: XMLContentHandler {
    private(set) var rows: [Int?] = []
    private var inRow = false
    private var text: [UInt8] = []

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if name.is("shape") { rows.append(nil) } else if name.is("Row") { inRow = true; text.removeAll() }
    }

    func endElement(_ name: XMLName) throws {
        guard inRow, name.is("Row") else { return }
        inRow = false
        if !rows.isEmpty { rows[rows.count - 1] = Int(String(decoding: text, as: UTF8.self).filter { !$0.isWhitespace }) }
    }

    func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if inRow { text.append(contentsOf: chunk) }
    }
}
