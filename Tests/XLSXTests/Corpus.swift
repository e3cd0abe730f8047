import Foundation
@testable import XLSX

/// The shared workbook corpus, `../shared/corpus` beside the checkout. Its absence fails the
/// tests that use it (CI always has it), rather than letting them pass on nothing.
enum Corpus {
    static let root: String = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/corpus").standardizedFileURL.path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    static var exists: Bool { FileManager.default.fileExists(atPath: path("expected")) }

    static func open(_ relative: String) throws -> Workbook { try Workbook(path: path(relative)) }

    /// Every cell of every sheet as `[sheet: [A1: Cell]]`.
    static func cells(_ book: Workbook) throws -> [String: [String: Cell]] {
        var out: [String: [String: Cell]] = [:]
        for sheet in book.sheets {
            var cells: [String: Cell] = [:]
            try book.readSheet(sheet) { row in
                for cell in row.cells { cells["\(CellReference.columnName(cell.column))\(row.index)"] = cell }
            }
            out[sheet.name] = cells
        }
        return out
    }
}
