import Testing
@testable import XLSX

/// Cell kinds and sheet features on hand-written sheet XML, through the same handler the
/// reader uses for zip parts.
@Suite struct SheetHandlerTests {
    static let ns = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#

    static func read(_ body: String, strings: [String] = ["共享"], styles: [NumberFormatKind] = [.general, .dateTime, .duration],
                     is1904: Bool = false) throws -> ([Row], SheetMetadata) {
        var rows: [Row] = []
        let handler = SheetHandler(part: "xl/worksheets/sheet1.xml", strings: strings, styles: styles, is1904: is1904,
                                   limits: .default, relationships: [], body: { rows.append($0) })
        let xml = "<worksheet \(ns)>\(body)</worksheet>"
        try XMLStreamParser.parse(bytes: Array(xml.utf8), part: "xl/worksheets/sheet1.xml", handler: handler)
        return (rows, handler.metadata)
    }

    @Test(arguments: [
        (#"<c r="A1"><v>42</v></c>"#, CellValue.number(42)),
        (#"<c r="A1"><v>-1.5E-3</v></c>"#, .number(-0.0015)),
        (#"<c r="A1" t="s"><v>0</v></c>"#, .string("共享")),
        (#"<c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t xml:space="preserve"> b</t></r><rPh><t>x</t></rPh></is></c>"#, .string("a b")),
        (#"<c r="A1" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>"#, .string("xy")),
        (#"<c r="A1" t="b"><v>1</v></c>"#, .bool(true)),
        (#"<c r="A1" t="b"><v>0</v></c>"#, .bool(false)),
        (#"<c r="A1" t="e"><v>#DIV/0!</v></c>"#, .error("#DIV/0!")),
        (#"<c r="A1" s="1"><v>45658</v></c>"#, .date(ExcelDateTime(serial: 45_658))),
        (#"<c r="A1" s="2"><v>1.5</v></c>"#, .date(ExcelDateTime(serial: 1.5, kind: .duration))),
        (#"<c r="A1" t="d"><v>2025-01-01T12:00:00</v></c>"#, .date(ExcelDateTime(serial: 45_658.5))),
        (#"<c r="A1" s="1"/>"#, .empty),
        (#"<c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>"#, .string("a\rb")),
    ])
    func cellKinds(xml: String, value: CellValue) throws {
        let (rows, meta) = try Self.read("<sheetData><row r=\"1\">\(xml)</row></sheetData>")
        #expect(rows.first?.cells.first?.value == value)
        #expect(meta.problems.isEmpty)
    }

    @Test func formulasAndMissingReferences() throws {
        let (rows, _) = try Self.read(#"""
            <sheetData><row><c><v>1</v></c><c><f>A1*2</f><v>2</v></c></row>
            <row><c r="C2"><f t="shared" ref="C2:C4" si="3">A2+B$1</f><v>0</v></c></row>
            <row><c r="C3"><f t="shared" si="3"/><v>0</v></c></row></sheetData>
            """#)
        #expect(rows.map(\.index) == [1, 2, 3])
        #expect(rows[0].cells.map(\.column) == [1, 2])
        #expect(rows[0].cells[1].formula == "A1*2")
        #expect(rows[2].cells[0].formula == "A3+B$1")
    }

    @Test func badCellsAreSkippedAndReported() throws {
        let (rows, meta) = try Self.read(#"""
            <sheetData><row r="1"><c r="A1" t="s"><v>7</v></c><c r="B1"><v>abc</v></c><c r="XFE1"><v>1</v></c><c r="C1" s="9"><v>3</v></c></row>
            <row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>
            """#)
        #expect(rows.count == 1)
        #expect(rows[0].cells.map(\.value) == [.empty, .string("abc"), .number(3)])
        let cells = meta.problems.map { $0.cell?.description }
        #expect(cells == ["A1", "B1", nil, "C1", nil])
    }

    @Test func mergedValidationsHyperlinksAndPanes() throws {
        let (_, meta) = try Self.read(#"""
            <sheetViews><sheetView><pane xSplit="2" ySplit="2" topLeftCell="C3" state="frozen"/></sheetView></sheetViews>
            <cols><col min="1" max="3" width="12.5" hidden="1"/></cols>
            <sheetData><row r="1" hidden="1" ht="30"><c r="A1"><v>1</v></c></row></sheetData>
            <mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>
            <dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="A3:A10 C3"><formula1>"未开始,进行中,已完成,延期"</formula1></dataValidation></dataValidations>
            <hyperlinks><hyperlink ref="A1" location="'主跟踪表'!A1" display="返回"/></hyperlinks>
            <extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">
              <x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">
                <x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>选项!$A$1:$A$4</xm:f></x14:formula1><xm:sqref>D3:D100</xm:sqref></x14:dataValidation>
              </x14:dataValidations></ext></extLst>
            """#)
        #expect(meta.frozenAt?.description == "C3")
        #expect(meta.columns == [ColumnInfo(first: 1, last: 3, width: 12.5, isHidden: true)])
        #expect(meta.hiddenRows == [1])
        #expect(meta.mergedRanges.map(\.description) == ["A1:B2"])
        #expect(meta.dataValidations.count == 2)
        #expect(meta.dataValidations[0].listItems == ["未开始", "进行中", "已完成", "延期"])
        #expect(meta.dataValidations[0].ranges.map(\.description) == ["A3:A10", "C3"])
        #expect(meta.dataValidations[1].formula1 == "选项!$A$1:$A$4")
        #expect(meta.dataValidations[1].ranges.map(\.description) == ["D3:D100"])
        #expect(meta.hyperlinks.first?.location == "'主跟踪表'!A1")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func numbersThatAreNotFiniteAreWrittenAsNUM(n: Double) throws {
        let out = XMLOut(part: "t.xml")
        out.start("worksheet"); out.attribute("xmlns", WorkbookWriter.mainNS); out.start("sheetData"); out.start("row"); out.attribute("r", "1")
        CellXML.write(CellReference("A1")!, value: .number(n), formula: nil, style: nil, to: out)
        out.end(); out.end(); out.end()
        let xml = String(decoding: try out.finish(), as: UTF8.self)
        #expect(xml.contains(#"<c r="A1" t="e"><v>#NUM!</v></c>"#), "\(xml)")
    }
}

/// A cell's markup made as bytes is what libxml2's writer makes of the same cell (but for `"` in
/// text, which the writer escapes and need not be), and what the bytes cannot say goes to the writer.
@Suite struct CellMarkupTests {
    static func xml(_ prefix: String, asBytes: Bool, _ write: (XMLOut, Bool) -> Void) throws -> String {
        let out = XMLOut(part: "t.xml")
        out.start(prefix + "worksheet"); out.attribute(prefix.isEmpty ? "xmlns" : "xmlns:x", WorkbookWriter.mainNS)
        out.start(prefix + "sheetData"); out.start(prefix + "row"); out.attribute("r", "1")
        write(out, asBytes)
        out.end(); out.end(); out.end()
        return String(decoding: try out.finish(), as: UTF8.self)
    }

    @Test func bytesMatchTheWriter() throws {
        let shared = CellXML.Shared(si: "0", ref: "E2:E9"), follower = CellXML.Shared(si: "0", ref: nil)
        let cases: [(CellValue, String?, String?, CellXML.Shared?, Bool)] = [
            (.number(6.6), "IF(AND(ISNUMBER(D2),C2>0),ROUND(D2/C2*100,2),\"-\")", nil, shared, false),
            (.number(6.6), "IF(C2>0,1,0)", "3", follower, false),
            (.number(-0.1), nil, "12", nil, false), (.empty, nil, "2", nil, false), (.empty, "A1&B1", nil, nil, false),
            (.bool(true), nil, nil, nil, false), (.error("#DIV/0!"), "1/0", nil, nil, false),
            (.date(ExcelDateTime(serial: 45_817.25)), nil, "5", nil, false),
            (.string("达标 <ok> & \"done\"\tnext\nline"), nil, nil, nil, false), (.string("a\u{1}b"), nil, nil, nil, false),
            (.string("x"), nil, nil, nil, true), (.string("预警"), "IF(A1>=90,\"预警\",\"-\")", "7", nil, false),
            (.string("crlf\r\n"), nil, nil, nil, false), (.number(1), "A1\r", nil, nil, false),
        ]
        // Numbers: whole ones are written as digits without a String, the others as their shortest text.
        + [0, -0.0, 7, -7, 42_000, -1_048_576, 999_999_999_999_999, 1e15, -1e15, 1e16, 0.1, -2.5, 1.0e-7, 123_456.789, 4.35e22]
            .map { (.number($0), nil, nil, nil, false) }
        for prefix in ["", "x:"] {
            for (i, c) in cases.enumerated() {
                let write = { (out: XMLOut, bytes: Bool) in
                    CellXML.write(CellReference(row: 7, column: 28), value: c.0, formula: c.1, style: c.2, prefix: prefix, to: out,
                                  sharedString: c.4 ? { _ in 42 } : nil, shared: c.3, asBytes: bytes)
                }
                let fast = try Self.xml(prefix, asBytes: true, write), slow = try Self.xml(prefix, asBytes: false, write)
                #expect(fast == slow.replacingAll("&quot;", with: "\""), "case \(i) \(prefix)")
                #expect(fast.contains("<\(prefix)c r=\"AB7\""), "case \(i)")
            }
        }
    }
}

/// The reader's fast decimal path against Swift's own parser (correctly rounded, locale-free):
/// every text either parses to the same bits or is left to the slow path.
@Suite struct NumberTextTests {
    static func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBytes { SheetHandler.double($0) }
    }

    @Test func fastPathAgreesWithSwiftsParser() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "1.", ".5", "-.5", "9.300000000000001", "0.1", "0.30000000000000004", "123456789012345678",
                     "1e22", "1e23", "1E-22", "1e-23", "9007199254740993", "9007199254740992.5", "4.35", "1.7976931348623157e308",
                     "5e-324", "1e400", "-", ".", "e5", "1e", "1e+", "1.2.3", "١٢", "12a", " 12 ", "+5", "00012.5000", "1_000"]
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...20, using: &generator)
            var t = Bool.random(using: &generator) ? "-" : ""
            for _ in 0..<digits { t.append(Character(String(Int.random(in: 0...9, using: &generator)))) }
            if Bool.random(using: &generator) { t.insert(".", at: t.index(t.startIndex, offsetBy: Int.random(in: 0...t.count, using: &generator))) }
            if Int.random(in: 0..<4, using: &generator) == 0 { t += "e\(Int.random(in: -30...30, using: &generator))" }
            texts.append(t)
        }
        for t in texts {
            let fast = Self.parse(t)
            let swift = Double(t.trimmingCharacters(in: " ")).flatMap { $0.isFinite ? $0 : nil }
            // Same bits; a zero's sign aside (the integer path reads "-0" as 0, as it always has).
            let same = fast == swift && (fast == 0 || fast?.bitPattern == swift?.bitPattern)
            #expect(same, "\(t): \(String(describing: fast)) vs \(String(describing: swift))")
        }
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self[...]
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
