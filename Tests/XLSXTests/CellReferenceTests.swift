import Testing
@testable import XLSX

@Suite struct CellReferenceTests {
    @Test(arguments: [
        ("A1", 1, 1), ("F7", 7, 6), ("$F$7", 7, 6), ("f7", 7, 6), ("XFD1048576", 1_048_576, 16_384),
        ("AB12", 12, 28), ("Z9", 9, 26), ("AA1", 1, 27),
    ])
    func parses(text: String, row: Int, column: Int) {
        let ref = CellReference(text)
        #expect(ref == CellReference(row: row, column: column))
    }

    @Test(arguments: ["XFE1", "A1048577", "A0", "1A", "", "A", "ZZZZZZZZ1", "A99999999999999999999999", "A1B", "$", "A-1"])
    func refusesOutsideTheGrid(text: String) {
        #expect(CellReference(text) == nil)
    }

    @Test(arguments: [(1, "A"), (26, "Z"), (27, "AA"), (28, "AB"), (702, "ZZ"), (703, "AAA"), (16_384, "XFD")])
    func columnNames(number: Int, name: String) {
        #expect(CellReference.columnName(number) == name)
        #expect(CellReference.columnNumber(name) == number)
    }

    @Test func bytesAreTheDescription() {
        for (row, column) in [(1, 1), (9, 26), (10, 27), (1_048_576, 16_384), (123_456, 703), (99, 702)] {
            let ref = CellReference(row: row, column: column)
            var bytes: [UInt8] = Array("x".utf8)
            ref.append(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "x" + ref.description)
        }
    }

    @Test func rangesNormaliseTheirCorners() {
        let r = CellRange("C3:A1")
        #expect(r?.description == "A1:C3")
        #expect(CellRange("B2")?.description == "B2")
        #expect(CellRange("A1:XFE2") == nil)
        #expect(CellRange.list("A1:A10 C2").map(\.description) == ["A1:A10", "C2"])
        #expect(r?.contains(CellReference(row: 2, column: 2)) == true)
        #expect(r?.contains(CellReference(row: 4, column: 2)) == false)
    }
}

@Suite struct NumberFormatTests {
    // Cases from openpyxl's and calamine's tests, plus the East Asian formats a Chinese Excel writes.
    @Test(arguments: [
        ("DD/MM/YY", NumberFormatKind.dateTime), ("H:MM:SS;@", .dateTime), ("#,##0\\ [$\\u20bd-46D]", .general),
        ("m\"M\"d\"D\";@", .dateTime), ("[h]:mm:ss", .duration), ("\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\";\"Y: <num>m\";@", .general),
        ("\"$\"#,##0_);[Red](\"$\"#,##0)", .general), ("[$-404]e\"\\xfc\"m\"\\xfc\"d\"\\xfc\"", .dateTime),
        ("0_ ;[Red]\\-0\\ ", .general), ("\\Y000000", .general), ("#,##0.0####\" YMD\"", .general),
        ("[h]", .duration), ("[ss]", .duration), ("[s].000", .duration), ("[m]", .duration), ("[mm]", .duration),
        ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm;[Green][h]:mm", .duration), ("[>=100][Magenta][s].00", .duration),
        ("[>=100][Magenta].00", .general), ("[>=100][Magenta]General", .general), ("ha/p\\\\m", .dateTime),
        ("#,##0.00\\ _M\"H\"_);[Red]#,##0.00\\ _M\"S\"_)", .general), ("#,##0*y", .general), ("*-yyyy-mm-dd", .dateTime),
        ("yyyy\"年\"m\"月\"d\"日\"", .dateTime), ("[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", .dateTime),
        ("General", .general), ("0.00%", .general), ("¥#,##0.00", .general), ("0.00E+00", .general), ("@", .text),
    ])
    func classifies(code: String, kind: NumberFormatKind) {
        #expect(NumberFormatKind.classify(code) == kind)
    }

    @Test(arguments: [(14, NumberFormatKind.dateTime), (22, .dateTime), (31, .dateTime), (57, .dateTime), (46, .duration),
                      (0, .general), (9, .general), (49, .text), (164, .general)])
    func builtins(id: Int, kind: NumberFormatKind) {
        #expect(NumberFormatKind.builtin(id) == kind)
    }
}

@Suite struct ExcelDateTimeTests {
    @Test(arguments: [
        (1.0, false, "1900-01-01"), (59.0, false, "1900-02-28"), (61.0, false, "1900-03-01"),
        (45_658.0, false, "2025-01-01"), (44_197.5, false, "2021-01-01T12:00:00"), (0.0, true, "1904-01-01"),
        (43_100.0, true, "2022-01-01"), (45_808.75, false, "2025-05-31T18:00:00"), (2_958_465.0, false, "9999-12-31"),
    ])
    func serialsBecomeCalendarDates(serial: Double, is1904: Bool, iso: String) {
        #expect(ExcelDateTime(serial: serial, is1904: is1904).components?.isoDate == iso)
    }

    @Test func roundTripsThroughSerial() {
        for (y, m, d) in [(2025, 5, 1), (1900, 3, 1), (2024, 2, 29), (1999, 12, 31)] {
            let s = ExcelDateTime.serial(year: y, month: m, day: d)
            let c = ExcelDateTime(serial: s).components
            #expect(c?.year == y && c?.month == m && c?.day == d)
        }
    }

    @Test func outOfRangeSerialsHaveNoCalendarDate() {
        #expect(ExcelDateTime(serial: -1).components == nil)
        #expect(ExcelDateTime(serial: .infinity).components == nil)
        #expect(ExcelDateTime(serial: 3_000_000).components == nil)
    }

    @Test func timesKeepMilliseconds() {
        #expect(ExcelDateTime(serial: 0.5 + 0.5 / 86_400).components?.isoTime == "12:00:00.500000")
    }
}

@Suite struct FormulaShifterTests {
    @Test(arguments: [
        ("A1+B1", 1, 0, "A2+B2"), ("$A$1+B$1+$C1", 2, 1, "$A$1+C$1+$C3"), ("SUM(A1:A10)", 5, 0, "SUM(A6:A15)"),
        ("LOG10(A1)", 1, 0, "LOG10(A2)"), ("\"A1\"&A1", 1, 0, "\"A1\"&A2"), ("'Sheet A1'!B2", 1, 0, "'Sheet A1'!B3"),
        ("Sheet1!B2*2", 0, 1, "Sheet1!C2*2"), ("Table1[Col1]+A1", 1, 0, "Table1[Col1]+A2"), ("A1-1", -1, 0, "#REF!-1"),
        ("SUM(A:A)", 0, 1, "SUM(B:B)"), ("SUM(1:3)", 2, 0, "SUM(3:5)"), ("SUM($1:$3)", 2, 0, "SUM($1:$3)"),
        ("Sales2020+A1", 1, 0, "Sales2020+A2"), ("1.5E+10*A1", 1, 0, "1.5E+10*A2"), ("IF(B2>0,C2/B2*100,\"-\")", 3, 0, "IF(B5>0,C5/B5*100,\"-\")"),
        ("XFD1", 0, 1, "#REF!"), ("A1", 0, 0, "A1"),
    ])
    func shifts(formula: String, rows: Int, columns: Int, expected: String) {
        #expect(FormulaShifter.shift(formula, rows: rows, columns: columns) == expected)
    }

    /// A shared formula read once gives every cell of its group the same text a fresh reading
    /// would, and shifting there and back is the formula again while nothing leaves the grid.
    @Test func compiledOnceShiftsAsOften() {
        let formulas = ["IF(AND(ISNUMBER(D2),ISNUMBER(C2),C2>0),ROUND(D2/C2*100,2),\"-\")", "$A$1+B$1+$C1", "SUM(A:C)+SUM($2:4)",
                        "'Q1 A1'!Z9&\"B2\"&Table1[[#This Row],[A1]]", "AA10*ZZ100-AAA1000+XFC5", "LOG10(A1)+Sales2020"]
        for f in formulas {
            let compiled = FormulaShifter.Compiled(f)
            for (r, c) in [(0, 0), (1, 0), (49_999, 0), (0, 1), (3, 2), (1_048_000, 0), (0, 16_000)] {
                let once = compiled.shifted(rows: r, columns: c)
                #expect(once == FormulaShifter.shift(f, rows: r, columns: c))
                if !once.contains("#REF!") { #expect(FormulaShifter.shift(once, rows: -r, columns: -c) == f, "\(f) by \(r), \(c)") }
            }
        }
        #expect(FormulaShifter.shift("AA10*ZZ100-AAA1000+XFC5", rows: 0, columns: 1) == "AB10*AAA100-AAB1000+XFD5")
        // Every column's letters, as the shifter and the editor write them.
        for column in 1...Grid.maxColumn {
            var bytes: [UInt8] = []
            CellReference.appendColumn(column, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == CellReference.columnName(column))
        }
    }
}

@Suite struct PartNameTests {
    @Test(arguments: [
        ("worksheets/sheet1.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"),
        ("/xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"),
        ("../drawings/drawing1.xml", "xl/worksheets/sheet1.xml", "xl/drawings/drawing1.xml"),
        ("xl/workbook.xml", "", "xl/workbook.xml"),
        ("./sheet%20one.xml", "xl/workbook.xml", "xl/sheet one.xml"),
        ("worksheets/%E5%B7%A5.xml", "xl/workbook.xml", "xl/worksheets/工.xml"),
    ])
    func resolves(target: String, source: String, expected: String) {
        #expect(PartName.resolve(target, from: source) == expected)
    }

    @Test func relationshipKindIsTheTypesLastSegment() {
        for type in ["http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
                     "http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet", "styles", "a/b/", "//", "", "/x", "类型/工作表"] {
            let r = Relationship(id: "rId1", type: type, target: "t", isExternal: false, partName: nil)
            #expect(r.kind == (type.split(separator: "/").last ?? ""), "\(type)")
        }
    }

    @Test(arguments: ["../../../../etc/passwd", "http://127.0.0.1:9/", "//host/share", "..\\evil", ""])
    func refusesTargetsOutsideThePackage(target: String) {
        #expect(PartName.resolve(target, from: "xl/workbook.xml") == nil)
    }

    @Test func relationshipsPart() {
        #expect(PartName.relationships(of: "xl/workbook.xml") == "xl/_rels/workbook.xml.rels")
        #expect(PartName.relationships(of: "workbook.xml") == "_rels/workbook.xml.rels")
    }
}

@Suite struct TextTests {
    @Test(arguments: [
        ("a_x000D_b", "a\rb"), ("_x005F_x000D_", "_x000D_"), ("_xD83D__xDE00_", "😀"), ("_x00", "_x00"), ("plain", "plain"),
        ("_xZZZZ_", "_xZZZZ_"),
    ])
    func unescapes(raw: String, text: String) {
        #expect(OOXMLText.unescape(Array(raw.utf8)) == text)
    }

    @Test(arguments: [
        ("plain 文本", "plain 文本"), ("a\u{1}b", "a_x0001_b"), ("_x0041_", "_x005F_x0041_"), ("\u{FFFE}", "_xFFFE_"),
        ("tab\tline\nret\r", "tab\tline\nret\r"), ("snake_case_x", "snake_case_x"),
    ])
    func escapesWhatXMLCannotHold(text: String, escaped: String) {
        #expect(OOXMLText.escape(text) == escaped)
        #expect(OOXMLText.unescape(Array(escaped.utf8)) == text)
    }
}
