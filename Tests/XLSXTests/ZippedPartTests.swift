import Foundation
import Testing
@testable import XLSX

/// A large edited sheet is deflated on a second thread as it is written (`ZippedPart`): the bytes
/// that come out are the bytes that went in, a part given up midway leaves nothing behind, and an
/// edited workbook saved this way reads back whole.
@Suite struct ZippedPartTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zipped-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Several chunks' worth, in pieces of odd sizes, as libxml2's output buffer hands them over.
    @Test func whatIsWrittenIsWhatTheZipHolds() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes: [UInt8] = []
        var seed: UInt64 = 7
        while bytes.count < 5 * ZippedPart.chunkSize + 12_345 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(contentsOf: "<c r=\"A\(seed >> 44)\"><v>\(seed >> 40)</v></c>".utf8)
        }
        let part = try ZippedPart(path: "\(dir)/sheet.zip", part: "xl/worksheets/sheet1.xml")
        var at = 0, piece = 1
        while at < bytes.count {
            let n = min(piece, bytes.count - at)
            let ok = bytes.withUnsafeBytes { part.write($0.baseAddress! + at, count: n) }
            #expect(ok)
            at += n
            piece = piece * 3 % 10_007 + 1
        }
        try part.finish()
        let archive = try ZipArchive(path: "\(dir)/sheet.zip")
        #expect(archive.entries.count == 1)
        let entry = try #require(archive.entries.first)
        #expect(entry.compressionMethod == 8 && entry.compressedSize < Int64(bytes.count) / 2, "deflated")
        #expect(try archive.data(entry) == bytes)
    }

    @Test func anEmptyPartIsAnEmptyEntry() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let part = try ZippedPart(path: "\(dir)/empty.zip", part: "empty.xml")
        try part.finish()
        let archive = try ZipArchive(path: "\(dir)/empty.zip")
        #expect(try archive.data(try #require(archive.entries.first)).isEmpty)
    }

    /// Given up midway (the thread waiting for more, or the writer blocked on a full queue):
    /// nothing hangs and no file is left.
    @Test func aPartGivenUpLeavesNothing() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: ZippedPart.chunkSize)
        let part = try ZippedPart(path: "\(dir)/a.zip", part: "a.xml")
        _ = chunk.withUnsafeBytes { part.write($0.baseAddress!, count: $0.count) }
        part.cancel()
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.zip"))
        let written = chunk.withUnsafeBytes { part.write($0.baseAddress!, count: $0.count) }
        #expect(!written, "a cancelled part takes no more")
        // An XMLOut dropped before finish() (a rewrite that failed) stops its part the same way.
        do {
            let out = try XMLOut(zipped: try ZippedPart(path: "\(dir)/b.zip", part: "b.xml"), part: "b.xml")
            out.start("worksheet")
            for i in 0..<50_000 { out.element("c", [("r", "A\(i)")], text: "\(i)") }
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/b.zip"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// A zip that cannot be written (its folder is gone) is an error at finish, in both languages.
    @Test func aPartThatCannotBeWrittenIsAnError() throws {
        let part = try ZippedPart(path: "/nonexistent-\(UUID().uuidString)/p.zip", part: "xl/worksheets/sheet1.xml")
        let bytes = Array("<worksheet/>".utf8)
        _ = bytes.withUnsafeBytes { part.write($0.baseAddress!, count: $0.count) }
        let error = try #require(throws: XLSXError.self) { try part.finish() }
        #expect(error.english.contains("Writing the part failed") && error.chinese.contains("写入该部件失败"))
    }

    /// An edited sheet over the size where the editor deflates on a second thread: the saved
    /// workbook has the edit and every other cell, and its sheet entry is deflated.
    @Test func aLargeEditedSheetSavesWhole() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = "\(dir)/big.xlsx", out = "\(dir)/out.xlsx"
        let writer = try WorkbookWriter(path: source)
        let sheet = try writer.addSheet("数据")
        let rows = 12_000
        for r in 1...rows {
            try sheet.writeRow((1...8).map { c in WriteCell(c == 1 ? .string("行\(r)") : .number(Double(r * 10 + c))) })
        }
        try writer.close()
        let entry = try #require(try ZipArchive(path: source).entry(named: "xl/worksheets/sheet1.xml"))
        try #require(entry.declaredSize >= Workbook.pipelineThreshold, "the sheet must be large enough to be deflated on a thread")
        let editor = try WorkbookEditor(path: source)
        let info = try #require(editor.workbook.sheet(named: "数据"))
        try editor.setCell(CellReference(row: 5_000, column: 3), in: info, to: CellEdit(value: .string("改过 <&>")))
        try editor.setCell(CellReference(row: rows + 1, column: 1), in: info, to: CellEdit(value: .number(1), formula: "SUM(B1:B\(rows))"))
        try editor.save(to: out)
        let cells = try #require(try Corpus.cells(try Workbook(path: out))["数据"])
        #expect(cells["C5000"]?.value == .string("改过 <&>"))
        #expect(cells["A\(rows + 1)"]?.formula == "SUM(B1:B\(rows))")
        #expect(cells.count == rows * 8 + 1)
        #expect(cells["H\(rows)"]?.value == .number(Double(rows * 10 + 8)) && cells["A1"]?.value == .string("行1"))
        let saved = try #require(try ZipArchive(path: out).entry(named: "xl/worksheets/sheet1.xml"))
        #expect(saved.compressionMethod == 8 && saved.compressedSize < saved.declaredSize / 3)
        let names = try ZipArchive(path: out).entries.map(\.name)
        #expect(names == (try ZipArchive(path: source).entries.map(\.name)), "the parts in their order, no scratch entry")
    }
}
