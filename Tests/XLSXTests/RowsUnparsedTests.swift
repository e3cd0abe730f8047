import Foundation
import Testing
@testable import XLSX

/// Rows an edit does not touch are copied without being parsed (`WorkbookEditor.copiesRowsUnparsed`):
/// the saved sheet must be the one a save parsing every row writes.
@Suite struct RowsUnparsedTests {
    // MARK: finding an element's end by its `<`s

    static func extent(_ text: String) -> ElementFilter.Extent {
        Array(text.utf8).withUnsafeBytes { ElementFilter.extent($0, at: 0) }
    }

    @Test func anElementEndsAtItsOwnEndTag() {
        let row = #"<row r="5"><c r="A5" t="inlineStr"><is><t>a &gt; b</t></is></c></row>"#
        #expect(Self.extent(row + "<row r=\"6\"/>") == .element(end: row.utf8.count, name: 3, startTagEnd: 11))
        #expect(Self.extent(#"<x:row r="7"/><x:row r="8">"#) == .element(end: 14, name: 5, startTagEnd: 14))
        // `>` inside a quoted value does not end the start tag; `/>` inside one does not make it empty.
        let quoted = #"<row r="9" t:note='a>b' t:other="c/>"><c/></row >"#
        #expect(Self.extent(quoted) == .element(end: quoted.utf8.count, name: 3, startTagEnd: quoted.utf8.count - 11))
    }

    @Test func whatAScanOfItsTagsCannotFollowIsParsed() {
        // A comment, a CDATA section or a processing instruction may hold `</row>`; an element of the
        // same name inside it would end it early: the start tag alone is passed on, to be parsed.
        let start = #"<row r="5">"#.utf8.count
        #expect(Self.extent(#"<row r="5"><!-- </row> --></row>"#) == .unclear(start))
        #expect(Self.extent(#"<row r="5"><c><is><t><![CDATA[</row>]]></t></is></c></row>"#) == .unclear(start))
        #expect(Self.extent(#"<row r="5"><?pi </row>?></row>"#) == .unclear(start))
        #expect(Self.extent(#"<row r="5"><c><row/></c></row>"#) == .unclear(start))
        #expect(Self.extent(#"<row r="5"></row x="1">"#) == .unclear(start))
        // An element of another prefix but the same local name is only content.
        let other = #"<row r="5"><c><t:row>x</t:row></c></row>"#
        #expect(Self.extent(other) == .element(end: other.utf8.count, name: 3, startTagEnd: start))
    }

    @Test func anElementCutByTheEndOfWhatArrivedWaits() {
        for cut in [#"<ro"#, #"<row r="5"#, #"<row r="5"><c r="A5"><v>1</v></c>"#, #"<row r="5"><c/></ro"#, #"<row r="5"></row"#] {
            #expect(Self.extent(cut) == .incomplete, "\(cut)")
        }
    }

    @Test func attributesAreReadAsXMLWritesThem() {
        func value(_ tag: String, _ name: String) -> String? {
            Array(tag.utf8).withUnsafeBytes { attributeValue(name, inStartTag: $0).map { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(value(#"<row spans="1:3" r="12">"#, "r") == "12")
        #expect(value(#"<row xr:r="3" r = '12' >"#, "r") == "12")
        #expect(value(#"<row spans="r=4">"#, "r") == nil)
        #expect(value(#"<x:row r="7"/>"#, "r") == "7")
    }

    // MARK: whole sheets

    /// A sheet of `rows` rows written the ways writers and people do: rows empty, without `r`, with
    /// comments, CDATA, attributes holding `>` and `/>`, elements of other namespaces named `row`,
    /// a stretch pretty-printed, shared formulas — and the rest plain, thousands of them, so that
    /// rows fall across the chunks the part is read in.
    static func awkwardSheet(prefix p: String, rows: Int) -> String {
        let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        var x = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        x += "<\(p)worksheet xmlns\(p.isEmpty ? "" : ":" + p.dropLast())=\"\(ns)\" xmlns:t=\"urn:test\"><\(p)dimension ref=\"A1:E\(rows)\"/><\(p)sheetData>"
        for r in 1...rows {
            let text = "<\(p)c r=\"A\(r)\" t=\"inlineStr\"><\(p)is><\(p)t>行 \(r) &amp; &lt;x&gt;</\(p)t></\(p)is></\(p)c>"
            let number = "<\(p)c r=\"B\(r)\"><\(p)v>\(r * 3)</\(p)v></\(p)c>"
            let formula = r == 100 ? "<\(p)c r=\"C\(r)\"><\(p)f t=\"shared\" ref=\"C100:C900\" si=\"0\">B100*2</\(p)f><\(p)v>\(r * 6)</\(p)v></\(p)c>"
                : (101...900).contains(r) ? "<\(p)c r=\"C\(r)\"><\(p)f t=\"shared\" si=\"0\"/><\(p)v>\(r * 6)</\(p)v></\(p)c>" : ""
            switch r % 50 {
            case 7: x += "<\(p)row r=\"\(r)\" t:note='a>b' t:other=\"c/>\">\(text)\(number)\(formula)</\(p)row >"
            case 13: x += "<\(p)row r=\"\(r)\"><!-- </\(p)row> -->\(text)\(number)\(formula)</\(p)row>"
            case 19: x += "<\(p)row r=\"\(r)\"/>"
            case 23: x += "<\(p)row r=\"\(r)\" ht=\"30\" customHeight=\"1\"/>"
            case 29: x += "<\(p)row>\(number.replacingOccurrences(of: " r=\"B\(r)\"", with: ""))</\(p)row>"
            case 31: x += "<\(p)row r=\"\(r)\"><\(p)c r=\"A\(r)\" t=\"inlineStr\"><\(p)is><\(p)t><![CDATA[</\(p)row><\(p)row r=\"1\">]]></\(p)t></\(p)is></\(p)c>\(number)\(formula)</\(p)row>"
            case 37: x += "<\(p)row r=\"\(r)\"><?keep </\(p)row>?>\(text)\(number)\(formula)</\(p)row>"
            case 41: x += "<\(p)row r=\"\(r)\">\(text)<t:row>not a row</t:row>\(number)\(formula)</\(p)row>"
            default:
                let gap = (2000...2040).contains(r) ? "\n  " : ""
                x += "\(gap)<\(p)row r=\"\(r)\" spans=\"1:3\">\(text)\(number)\(formula)</\(p)row>"
            }
        }
        x += "</\(p)sheetData><\(p)pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></\(p)worksheet>"
        return x
    }

    static func workbook(sheet xml: String) throws -> String {
        let plain = RawCopyTests.temporary("plain"), path = RawCopyTests.temporary("awkward")
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let writer = try WorkbookWriter(path: plain)
        try writer.addSheet("数据").writeRow([WriteCell(.number(1))])
        try writer.close()
        let archive = try ZipArchive(path: plain)
        let package = try PackageWriter(path: path)
        for entry in archive.entries {
            try package.add(name: entry.name, bytes: entry.name == "xl/worksheets/sheet1.xml" ? Array(xml.utf8) : try archive.data(entry))
        }
        try package.commit()
        return path
    }

    /// Saves `source` with `edit` applied, rows copied unparsed or not; the sheet's bytes and how
    /// many rows went unparsed.
    static func save(_ source: String, unparsed: Bool, _ edit: (WorkbookEditor, SheetInfo) throws -> Void) throws -> (bytes: [UInt8], cells: [String: Cell], unparsed: Int, edited: Int) {
        let out = RawCopyTests.temporary("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: source)
        editor.copiesRowsUnparsed = unparsed
        let info = try #require(editor.workbook.sheets.first)
        try edit(editor, info)
        try editor.save(to: out)
        let book = try Workbook(path: out)
        return (try RawCopyTests.part(out, try #require(book.sheets.first?.part)), try Corpus.cells(book)[info.name] ?? [:], editor.rowsCopiedUnparsed,
                editor.rowsEditedUnparsed)
    }

    /// Where two byte strings first differ, with some text around it (nil: the same).
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard a != b else { return nil }
        var i = 0
        while i < min(a.count, b.count) && a[i] == b[i] { i += 1 }
        func around(_ x: [UInt8]) -> String { String(decoding: x[max(0, i - 80)..<min(x.count, i + 80)], as: UTF8.self) }
        return "at byte \(i) of \(a.count) / \(b.count): …\(around(a))… vs …\(around(b))…"
    }

    @Test(arguments: ["", "x:"], [false, true])
    func editsAmongAwkwardRowsWriteTheSameBytes(prefix: String, anchor: Bool) throws {
        let rows = 6000
        let source = try Self.workbook(sheet: Self.awkwardSheet(prefix: prefix, rows: rows))
        defer { try? FileManager.default.removeItem(atPath: source) }
        // Cells in plain rows and in every awkward kind (empty, no `r`, comment, CDATA, …), a
        // row the sheet does not have (between two it has and past its end), the shared
        // formula's first cell and one of its others.
        var targets = stride(from: 3, to: rows, by: 97).map { CellReference(row: $0, column: 2) }
        targets += [7, 13, 19, 23, 31, 37, 41, 1007, 1013, 1019, 1023, 1031, 1041, 2020, 5999, 6000].map { CellReference(row: $0, column: 4) }
        targets += [CellReference(row: 450, column: 3), CellReference(row: 6010, column: 1)]
        // The shared formula's first cell made a value: its group is written out per cell, every row after it parsed.
        if anchor { targets.append(CellReference(row: 100, column: 3)) }
        let edit: (WorkbookEditor, SheetInfo) throws -> Void = { editor, info in
            for (i, t) in targets.enumerated() { try editor.setCell(t, in: info, to: CellEdit(value: .number(Double(i) + 0.5))) }
        }
        let parsed = try Self.save(source, unparsed: false, edit), copied = try Self.save(source, unparsed: true, edit)
        #expect(copied.unparsed > (anchor ? 70 : rows * 3 / 4), "only \(copied.unparsed) of \(rows) rows were copied unparsed")
        #expect(parsed.unparsed == 0 && parsed.edited == 0)
        // Rows with edits are written from their bytes too, but for the awkward ones (and, once the
        // shared formula's first cell is replaced, every row after it).
        #expect(copied.edited > (anchor ? 0 : 50), "\(copied.edited) rows edited unparsed")
        #expect(Self.firstDifference(copied.bytes, parsed.bytes) == nil, "rows copied unparsed wrote other bytes than rows parsed")
        for (i, t) in targets.enumerated() { #expect(copied.cells[t.description]?.value == .number(Double(i) + 0.5), "\(t)") }
        #expect(copied.cells["C101"]?.formula == "B101*2" && copied.cells["C900"]?.formula == "B900*2")
        #expect(copied.cells["A1013"]?.value == .string("行 1013 & <x>"))
        #expect(copied.cells["A31"]?.value == .string("</\(prefix)row><\(prefix)row r=\"1\">"))
    }

    /// Rows that do not say their number (some writers leave `r` out) cannot be taken as bytes:
    /// parsed, one by one and then — past `mostParsedInARow` — the rest whole, as the editor parses them.
    @Test func rowsWithoutTheirNumbersAreParsed() throws {
        let rows = SheetEditRewriter.mostParsedInARow * 2 + 500
        var x = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for r in 1...rows { x += "<row><c t=\"inlineStr\"><is><t>行 \(r)</t></is></c><c><v>\(r)</v></c></row>" }
        x += "</sheetData></worksheet>"
        let source = try Self.workbook(sheet: x)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let edit: (WorkbookEditor, SheetInfo) throws -> Void = { editor, info in
            for r in [5, 1_500, rows - 1] { try editor.setCell(CellReference(row: r, column: 3), in: info, to: CellEdit(value: .number(Double(r) / 2))) }
        }
        let parsed = try Self.save(source, unparsed: false, edit), copied = try Self.save(source, unparsed: true, edit)
        #expect(copied.unparsed == 0 && copied.edited == 0)
        #expect(Self.firstDifference(copied.bytes, parsed.bytes) == nil)
        #expect(copied.cells["C1500"]?.value == .number(750) && copied.cells["B\(rows)"]?.value == .number(Double(rows)))
    }

    /// A format given to cells (`CellEdit.style`, as annotate does) keeps what they hold, in rows
    /// edited from their bytes as in rows parsed: a cell with a format of its own, one without, an
    /// empty one and one not there.
    @Test func formatsGivenKeepTheCells() throws {
        let source = try Self.workbook(sheet: Self.awkwardSheet(prefix: "", rows: 2000)
            .replacingOccurrences(of: #"<c r="B500">"#, with: #"<c r="B500" s="0">"#)
            .replacingOccurrences(of: #"<c r="A600" t="inlineStr">"#, with: #"<c s='0' r="A600" t="inlineStr">"#))
        defer { try? FileManager.default.removeItem(atPath: source) }
        var styleIndex = 0
        let edit: (WorkbookEditor, SheetInfo) throws -> Void = { editor, info in
            let style = editor.deriveStyle(from: 0, StyleChange(fill: "FFC7CE"))
            styleIndex = style
            for ref in ["B500", "A600", "B700", "C700", "E800"] { try editor.setCell(try #require(CellReference(ref)), in: info, to: .style(style)) }
            try editor.setCell(try #require(CellReference("D700")), in: info, to: CellEdit(value: .string("新")))
        }
        let parsed = try Self.save(source, unparsed: false, edit), copied = try Self.save(source, unparsed: true, edit)
        #expect(copied.edited >= 4)
        #expect(copied.cells.mapValues(\.value) == parsed.cells.mapValues(\.value))
        #expect(copied.cells.mapValues(\.formula) == parsed.cells.mapValues(\.formula))
        #expect(copied.cells.mapValues(\.styleIndex) == parsed.cells.mapValues(\.styleIndex))
        for ref in ["B500", "A600", "B700", "C700", "E800"] { #expect(copied.cells[ref]?.styleIndex == styleIndex, "\(ref)") }
        #expect(copied.cells["A600"]?.value == .string("行 600 & <x>") && copied.cells["C700"]?.formula == "B700*2")
    }

    /// Formulas filled down number a new shared group: the sheet's own groups are numbered again
    /// in order of appearance, and a row naming a group not yet numbered so is parsed.
    @Test func formulasFilledDownAmongTheSheetsOwnGroups() throws {
        let source = try Self.workbook(sheet: Self.awkwardSheet(prefix: "", rows: 3000))
        defer { try? FileManager.default.removeItem(atPath: source) }
        let edit: (WorkbookEditor, SheetInfo) throws -> Void = { editor, info in
            // E40:E60 fill down B*10 before the sheet's own group (C100:C900) first appears.
            for r in 40...60 {
                try editor.setCell(CellReference(row: r, column: 5), in: info, to: CellEdit(value: .number(Double(r * 30)), formula: "B\(r)*10", fillDown: "tenfold"))
            }
            try editor.setCell(CellReference(row: 2500, column: 2), in: info, to: CellEdit(value: .number(-1)))
        }
        let parsed = try Self.save(source, unparsed: false, edit), copied = try Self.save(source, unparsed: true, edit)
        #expect(copied.unparsed > 1800)
        #expect(copied.cells.mapValues(\.formula) == parsed.cells.mapValues(\.formula))
        #expect(copied.cells.mapValues(\.value) == parsed.cells.mapValues(\.value))
        #expect(copied.cells["C500"]?.formula == "B500*2" && copied.cells["E50"]?.formula == "B50*10")
        let xml = String(decoding: copied.bytes, as: UTF8.self)
        // The new group took 0; the sheet's own is 1 everywhere, its rows copied or not.
        #expect(xml.contains(#"<f t="shared" ref="E40:E60" si="0">B40*10</f>"#))
        #expect(xml.components(separatedBy: #"<f t="shared" si="0"/>"#).count - 1 == 20)
        let own = xml.components(separatedBy: #"si="1""#).count - 1
        #expect(own > 700 && own == String(decoding: parsed.bytes, as: UTF8.self).components(separatedBy: #"si="1""#).count - 1)
    }
}
