import Foundation
import Testing
@testable import XLSX

/// Saving never loses what the user had: with no edit, every readable corpus workbook saves to
/// the same zip entries, in the same order, each with identical bytes.
@Suite struct RoundTripTests {
    static func readableCorpus(_ folder: String) throws -> [String] {
        try CorpusConformanceTests.expectedFiles(folder).filter { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: Corpus.path("expected/\(file).json")))
            return try JSONDecoder().decode(ExpectedFile.self, from: data).error == nil
        }
    }

    static func entries(_ path: String) throws -> [(String, [UInt8])] {
        let archive = try ZipArchive(path: path)
        return try archive.entries.map { ($0.name, try archive.data($0)) }
    }

    @Test(arguments: ["excel-made", "calamine", "excelize"])
    func savingWithoutEditsKeepsEveryEntryByteForByte(folder: String) throws {
        try #require(Corpus.exists, "the corpus is missing at \(Corpus.root)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        var files = 0, entries = 0
        for file in try Self.readableCorpus(folder) {
            let editor = try WorkbookEditor(path: Corpus.path(file))
            try editor.save(to: out)
            let before = try Self.entries(Corpus.path(file)), after = try Self.entries(out)
            #expect(before.map(\.0) == after.map(\.0), "\(file): entry names or order differ")
            for (a, b) in zip(before, after) where a.1 != b.1 { Issue.record("\(file): \(a.0) differs after saving") }
            // Copied raw, not inflated and deflated again: the compressed sizes are the same too.
            let rawBefore = try ZipArchive(path: Corpus.path(file)).entries.map(\.compressedSize)
            let rawAfter = try ZipArchive(path: out).entries.map(\.compressedSize)
            #expect(rawBefore == rawAfter, "\(file): an entry was recompressed")
            // And the saved file is a workbook we read the same.
            #expect(try Corpus.cells(Workbook(path: out)).mapValues { $0.mapValues(\.value) } ==
                    Corpus.cells(Workbook(path: Corpus.path(file))).mapValues { $0.mapValues(\.value) })
            files += 1
            entries += before.count
        }
        print("round trip \(folder): \(files) workbooks, \(entries) entries identical after saving")
        #expect(files > 0)
    }

    @Test func aFailedSaveLeavesTheTargetUntouched() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("plan.xlsx").path
        try Data("original".utf8).write(to: URL(fileURLWithPath: target))
        let writer = try PackageWriter(path: target)
        try writer.add(name: "a.txt", bytes: Array("new".utf8))
        writer.abandon()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "original")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["plan.xlsx"])
    }

    /// Found by the reader's fuzz target (a leak under address sanitizer): an empty part.
    @Test func anEmptyPartIsWrittenEmpty() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-part-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("p.zip").path
        let writer = try PackageWriter(path: target)
        try writer.add(name: "empty.xml", bytes: [])
        try writer.add(name: "a.xml", bytes: Array("<a/>".utf8))
        try writer.commit()
        let zip = try ZipArchive(path: target)
        #expect(try zip.data(try #require(zip.entry(named: "empty.xml"))) == [])
        #expect(try zip.data(try #require(zip.entry(named: "a.xml"))) == Array("<a/>".utf8))
    }

    /// A save killed midway leaves its temporary file; the next save beside it removes it, but
    /// not one of a process still running.
    @Test func leftoversOfAKilledSaveAreRemoved() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("leftovers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("plan.xlsx").path
        let dead = Int32.max - 7, alive = getppid()
        for name in [".plan.xlsx.tracksheet-\(dead)-1.tmp", ".plan.xlsx.tracksheet-\(dead)-1.tmp.Ab12Cd", ".plan.xlsx.sync-\(dead)",
                     "..plan.xlsx.sync-\(dead).tracksheet-\(dead)-2.tmp", ".plan.xlsx.sync-\(alive)", ".other.xlsx.sync-\(dead)", "notes.txt"] {
            try Data().write(to: dir.appendingPathComponent(name))
        }
        let writer = try PackageWriter(path: path)
        try writer.add(name: "a.xml", bytes: Array("<a/>".utf8))
        try writer.commit()
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["plan.xlsx", ".plan.xlsx.sync-\(alive)", ".other.xlsx.sync-\(dead)", "notes.txt"])
    }

    @Test func savingInPlaceReplacesTheFileWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inplace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("plan.xlsx").path
        try FileManager.default.copyItem(atPath: Corpus.path("excel-made/comment01.xlsx"), toPath: path)
        let editor = try WorkbookEditor(path: path)
        editor.setPart("customXml/item9.xml", bytes: Array("<a/>".utf8))
        try editor.save(to: path)
        let after = try ZipArchive(path: path)
        #expect(try after.data(try #require(after.entry(named: "customXml/item9.xml"))) == Array("<a/>".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["plan.xlsx"])
    }
}
