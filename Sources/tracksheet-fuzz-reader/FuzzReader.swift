import Foundation
import FuzzSupport
import Templates
import Rules
import XLSX

/// The reader's fuzz target: one input is either a whole .xlsx (it starts with `PK`) or, so that
/// mutations reach the XML instead of dying on a zip checksum, a list of parts
///
///     --- xl/workbook.xml
///     <workbook …>
///     --- xl/worksheets/sheet1.xml
///     …
///
/// packed into a zip here. Each input is read as every command reads a workbook: every cell of
/// every sheet, notes, the template's headers, the full validation, and a one-cell edit saved.
/// A thrown error is a refusal, which is fine; a crash, a hang or a leak is a bug.
enum ReaderHarness {
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = "\(base)/tracksheet-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()
    static let templates = Template.builtinIDs.compactMap { try? Template.builtin($0) }
    static let options = ValidationOptions(asOf: CalendarDate(year: 2025, month: 6, day: 9), templates: templates)

    static func run(_ input: UnsafeRawBufferPointer) {
        let path = folder + "/input.xlsx", edited = folder + "/edited.xlsx"
        defer { unlink(path); unlink(edited) }
        guard stage(input, at: path) else { return }
        guard let book = try? Workbook(path: path) else { return }
        var firstCell: (SheetInfo, CellReference)?
        for sheet in book.sheets {
            _ = try? book.readSheet(sheet) { row in
                for cell in row.cells {
                    if firstCell == nil, sheet.kind == .worksheet { firstCell = (sheet, CellReference(row: row.index, column: cell.column)) }
                    _ = cell.value.portableJSON
                }
            }
            _ = try? book.comments(of: sheet)
        }
        _ = try? HeaderMatcher.detect(in: book, templates: templates)
        _ = try? Validator.validate(path: path, options: options)
        if let (sheet, ref) = firstCell, let editor = try? WorkbookEditor(path: path) {
            try? editor.setCell(ref, in: sheet, to: CellEdit(value: .string("=1+1")))
            try? editor.insertRows(at: ref.row, count: 1, in: sheet)
            try? editor.save(to: edited)
        }
    }

    /// Writes the input as a workbook at `path`: as it is, or packed from its parts.
    static func stage(_ input: UnsafeRawBufferPointer, at path: String) -> Bool {
        if input.starts(with: [0x50, 0x4B]) {
            return FileManager.default.createFile(atPath: path, contents: Data(input))
        }
        guard let writer = try? PackageWriter(path: path) else { return false }
        writer.compressionLevel = 1
        for (name, bytes) in parts(input) { try? writer.add(name: name, bytes: bytes) }
        return (try? writer.commit()) != nil
    }

    /// Splits `--- name\n` headed sections.
    static func parts(_ input: UnsafeRawBufferPointer) -> [(String, [UInt8])] {
        let bytes = Array(input)
        let marker: [UInt8] = Array("--- ".utf8)
        var result: [(String, [UInt8])] = []
        var i = 0
        var name: String?
        var start = 0
        func close(at end: Int) {
            if let name, !name.isEmpty { result.append((name, Array(bytes[start..<max(start, end)]))) }
        }
        while i < bytes.count {
            let atLineStart = i == 0 || bytes[i - 1] == 0x0A
            if atLineStart, bytes[i...].starts(with: marker) {
                close(at: i > 0 ? i - 1 : 0)
                let nameStart = i + marker.count
                var j = nameStart
                while j < bytes.count, bytes[j] != 0x0A { j += 1 }
                name = String(decoding: bytes[nameStart..<j], as: UTF8.self)
                start = min(j + 1, bytes.count)
                i = start
                continue
            }
            i += 1
        }
        close(at: bytes.count)
        return result
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ReaderHarness.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

@_cdecl("tracksheet_fuzz_reader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.drive(argc, argv, fuzzReader)
}
#else
/// Without the fuzzer: runs the harness over the files (or folders of files) given.
@main enum ReplayReader {
    static func main() throws { try FuzzSupport.replay(CommandLine.arguments.dropFirst(), ReaderHarness.run) }
}
#endif
