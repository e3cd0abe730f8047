import Foundation
import XLSX

/// How a sheet of a filled-in workbook maps onto a template sheet: which row holds the headers
/// and which column holds each template column. Made for workbooks this tool did not make.
public struct SheetMapping: Sendable {
    public var sheetName: String
    public var templateID: String
    public var templateSheet: String
    /// 1-based row of the headers.
    public var headerRow: Int
    /// Template column key → 1-based column.
    public var columns: [String: Int]
    /// Columns the user added (kept, reported as info), with their header text.
    public var extra: [(column: Int, header: String)]
    /// The hidden column `tracksheet sync` keeps each row's identity in (header `tracksheet-id`).
    public var idColumn: Int?
    public var missingRequired: [String]
    public var missingOptional: [String]
    /// Matched template columns ÷ template columns.
    public var score: Double
}

public enum HeaderMatcher {
    /// The header of the row-identity column that `tracksheet sync` adds, hidden, to a synced sheet.
    public static let idHeader = "tracksheet-id"

    /// Rows searched for the header: a title, notes or blank rows may come first.
    public static let searchRows = 15

    /// `预算金额（元）\n` → `预算金额(元)`; `Budget (CNY)` → `budget(cny)`; a trailing `*` or `:` goes.
    public static func normalize(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "（": out += "("
            case "）": out += ")"
            case "：", ":", "*", "＊": continue
            case _ where u.properties.isWhitespace || u == "\u{3000}": continue
            default:
                // Full-width ASCII (！ to ～) → half-width.
                if u.value >= 0xFF01 && u.value <= 0xFF5E, let h = Unicode.Scalar(u.value - 0xFEE0) { out.unicodeScalars.append(h) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out.lowercased()
    }

    /// `预算金额(元)` → `预算金额`; `完成状态(未开始/进行中/已完成/延期)` → `完成状态`.
    static func base(_ normalized: String) -> String {
        guard let i = normalized.firstIndex(of: "(") else { return normalized }
        return String(normalized[..<i])
    }

    /// A template column's names (Chinese, English, aliases) normalised, and without their
    /// bracketed unit or note: made once per sheet, not once per header tried.
    struct Names {
        let column: Template.Column
        let exact: [String]
        let bases: [String]

        init(_ c: Template.Column) {
            column = c
            exact = ([c.zh, c.en] + (c.aliases ?? [])).map(HeaderMatcher.normalize)
            bases = exact.map(HeaderMatcher.base)
        }
    }

    /// The template column a header names: exact (Chinese, English, alias) first, then the name
    /// without its bracketed unit or note.
    static func column(for header: String, in names: [Names], taken: [String: Int]) -> Template.Column? {
        let h = normalize(header)
        guard !h.isEmpty else { return nil }
        if let n = names.first(where: { taken[$0.column.key] == nil && $0.exact.contains(h) }) { return n.column }
        let hb = base(h)
        guard !hb.isEmpty else { return nil }
        return names.first { taken[$0.column.key] == nil && $0.bases.contains(hb) }?.column
    }

    /// The best header row of `rows` (the sheet's first rows) for `sheet`.
    public static func map(rows: [Row], sheetName: String, template: Template, sheet: Template.Sheet) -> SheetMapping? {
        var best: SheetMapping?
        let names = sheet.columns.map(Names.init)
        for row in rows where row.index <= searchRows {
            var mapped: [String: Int] = [:]
            var extra: [(Int, String)] = []
            var idColumn: Int?
            for cell in row.cells {
                guard case .string(let text) = cell.value, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
                if normalize(text) == idHeader { idColumn = cell.column; continue }
                if let c = column(for: text, in: names, taken: mapped) { mapped[c.key] = cell.column } else { extra.append((cell.column, text)) }
            }
            // A title row names one thing; a header row names several columns.
            guard mapped.count >= 3 else { continue }
            let score = Double(mapped.count) / Double(sheet.columns.count)
            if best == nil || score > best!.score {
                let missing = sheet.columns.filter { mapped[$0.key] == nil }
                best = SheetMapping(sheetName: sheetName, templateID: template.id, templateSheet: sheet.id, headerRow: row.index,
                                    columns: mapped, extra: extra, idColumn: idColumn,
                                    missingRequired: missing.filter { $0.required == true && $0.derived == nil }.map(\.key),
                                    missingOptional: missing.filter { $0.required != true || $0.derived != nil }.map(\.key), score: score)
            }
        }
        return best
    }

    /// Maps every worksheet of `workbook` onto the best-fitting sheet of the best-fitting template.
    /// Only the first rows of each sheet are read.
    public static func detect(in workbook: Workbook, templates: [Template]) throws -> [SheetMapping] {
        var result: [SheetMapping] = []
        for info in workbook.sheets where info.kind == .worksheet {
            let rows = try firstRows(of: info, in: workbook)
            var best: SheetMapping?
            for t in templates {
                for s in t.sheets {
                    if let m = map(rows: rows, sheetName: info.name, template: t, sheet: s), best == nil || m.score > best!.score { best = m }
                }
            }
            if let best { result.append(best) }
        }
        return result
    }

    private struct Enough: Error {}

    static func firstRows(of sheet: SheetInfo, in workbook: Workbook) throws -> [Row] {
        var rows: [Row] = []
        do {
            try workbook.readSheet(sheet) { row in
                if row.index > searchRows { throw Enough() }
                rows.append(row)
            }
        } catch is Enough {}
        return rows
    }
}
