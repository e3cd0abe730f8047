import Foundation
import Testing
@testable import XLSX

/// `readSheetPipelined` (the sheet parsed on a second thread) hands over exactly what `readSheet`
/// does: the same rows in the same order, the same metadata, the same error after the same rows,
/// and it stops the parsing thread when the caller stops.
@Suite struct PipelinedReaderTests {
    /// A minimal package whose one sheet has `rows` rows (over the pipelining threshold), with
    /// shared and inline strings, numbers, a date style, a formula and problems; `damageAt` puts
    /// broken XML in that row.
    static func package(rows: Int, damageAt: Int? = nil, dimension: String? = nil) throws -> String {
        var sheet = #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
            + (dimension.map { "<dimension ref=\"\($0)\"/>" } ?? "") + "<sheetData>"
        for r in 1...rows {
            if r == damageAt { sheet += "<row r=\"\(r)\"><c r=\"A\(r)\"><v>1</v></row>"; continue }
            sheet += "<row r=\"\(r)\"><c r=\"A\(r)\" t=\"s\"><v>\(r % 3)</v></c><c r=\"B\(r)\"><v>\(Double(r) / 7)</v></c>"
                + "<c r=\"C\(r)\" t=\"inlineStr\"><is><t>行\(r)</t></is></c><c r=\"D\(r)\" s=\"1\"><v>\(45_000 + r % 400)</v></c>"
                + "<c r=\"E\(r)\"><f>B\(r)*2</f><v>\(Double(r) / 3.5)</v></c>"
                + (r % 5_000 == 0 ? "<c r=\"F\(r)\"><v>not a number</v></c>" : "") + "</row>"
        }
        sheet += #"</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#
        let parts: [(String, String)] = [
            ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
            ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#),
            ("xl/sharedStrings.xml", #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>小红书</t></si><si><t>抖音</t></si><si><t>B站</t></si></sst>"#),
            ("xl/styles.xml", #"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pipelined-\(UUID().uuidString).xlsx").path
        let writer = try PackageWriter(path: path)
        for (name, text) in parts { try writer.add(name: name, bytes: Array(text.utf8)) }
        try writer.commit()
        return path
    }

    static func describe(_ row: Row) -> String {
        "\(row.index):" + row.cells.map { "\($0.column)=\($0.value)|\($0.formula ?? "")|\($0.styleIndex)" }.joined(separator: ";")
    }

    @Test func sameRowsAndMetadataAsUnthreaded() throws {
        let path = try Self.package(rows: 12_000)
        defer { unlink(path) }
        let book = try Workbook(path: path)
        let sheet = try #require(book.sheets.first)
        let size = try #require(book.archive.entry(named: "xl/worksheets/sheet1.xml")).declaredSize
        #expect(size >= Workbook.pipelineThreshold, "the sheet must be large enough to be read on a second thread")
        var plain: [String] = [], piped: [String] = []
        let a = try book.readSheet(sheet) { plain.append(Self.describe($0)) }
        let b = try book.readSheetPipelined(sheet, batchSize: 100) { piped.append(Self.describe($0)) }
        #expect(plain.count == 12_000)
        #expect(piped == plain)
        #expect(a.rowCount == b.rowCount && a.cellCount == b.cellCount && a.mergedRanges == b.mergedRanges)
        #expect(a.problems.count == 2 && b.problems.map(\.english) == a.problems.map(\.english))
        #expect(a.usedRange == b.usedRange)
    }

    @Test func theCallersErrorStopsTheParserAndIsThrown() throws {
        struct Stop: Error {}
        let path = try Self.package(rows: 12_000)
        defer { unlink(path) }
        let book = try Workbook(path: path)
        let sheet = try #require(book.sheets.first)
        var seen = 0
        #expect(throws: Stop.self) {
            try book.readSheetPipelined(sheet, batchSize: 64) { _ in
                seen += 1
                if seen == 1_000 { throw Stop() }
            }
        }
        #expect(seen == 1_000)
        // The workbook reads on afterwards (the parsing thread let go of the archive).
        var again = 0
        try book.readSheetPipelined(sheet) { _ in again += 1 }
        #expect(again == 12_000)
    }

    @Test func aDamagedSheetFailsAfterTheSameRows() throws {
        let path = try Self.package(rows: 12_000, damageAt: 9_000)
        defer { unlink(path) }
        let book = try Workbook(path: path)
        let sheet = try #require(book.sheets.first)
        var plain = 0, piped = 0
        var plainError = "", pipedError = ""
        do { try book.readSheet(sheet) { _ in plain += 1 } } catch { plainError = "\(error)" }
        do { try book.readSheetPipelined(sheet, batchSize: 128) { _ in piped += 1 } } catch { pipedError = "\(error)" }
        #expect(!plainError.isEmpty && pipedError == plainError)
        #expect(plain > 0 && piped == plain)
    }

    /// `readAhead` (a large part inflated on a thread of its own) gives the chunks `read` gives, the
    /// same error after the same chunks, and stops its thread when the caller throws.
    @Test func readAheadGivesWhatReadGives() throws {
        struct Stop: Error {}
        let path = try Self.package(rows: 12_000)
        defer { unlink(path) }
        let name = "xl/worksheets/sheet1.xml"
        let archive = try ZipArchive(path: path)
        let entry = try #require(archive.entry(named: name))
        #expect(entry.declaredSize >= Workbook.pipelineThreshold, "the part must be large enough to be inflated ahead")
        var plain: [[UInt8]] = [], ahead: [[UInt8]] = []
        try archive.read(entry) { plain.append(Array($0)) }
        try archive.readAhead(entry) { ahead.append(Array($0)) }
        #expect(plain.count > 2 && ahead == plain)
        #expect(Array(plain.joined()) == (try archive.data(entry)))

        // The workbook's inflated total passes its limit in the middle of the part.
        var limits = Limits.default
        limits.maxTotalBytes = 700_000
        func failing(_ read: (ZipArchive, ZipArchive.Entry, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> (Int, String) {
            let small = try ZipArchive(path: path, limits: limits)
            var chunks = 0
            do { try read(small, try #require(small.entry(named: name))) { _ in chunks += 1 } } catch { return (chunks, "\(error)") }
            return (chunks, "")
        }
        let a = try failing { try $0.read($1, $2) }, b = try failing { try $0.readAhead($1, $2) }
        #expect(a.0 > 0 && !a.1.isEmpty && b == a)

        // The caller stops after two chunks: the thread stops and the archive reads on.
        var taken = 0
        #expect(throws: Stop.self) {
            try archive.readAhead(entry) { _ in
                taken += 1
                if taken == 2 { throw Stop() }
            }
        }
        #expect(taken == 2)
        var again: [[UInt8]] = []
        try archive.readAhead(entry) { again.append(Array($0)) }
        #expect(again == plain)
    }
}
