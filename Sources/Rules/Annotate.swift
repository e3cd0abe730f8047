import Foundation
import XLSX

/// `validate --annotate OUT.xlsx`: a copy of the workbook, made through the lossless editor,
/// with every offending cell filled (red for errors, amber for warnings) and given a note, and a
/// 校验结果 sheet listing every problem with a link to its cell.
public enum Annotator {
    public static func annotate(_ report: Report, source: String, to out: String, chinese zh: Bool) throws {
        let editor = try WorkbookEditor(path: source)
        // Only sheets the report was read from get notes and fills: rows without any are copied unparsed.
        editor.copiesRowsUnparsed = true
        let book = editor.workbook
        // One note and one fill per cell, carrying all of its problems.
        var byCell: [String: [Diagnostic]] = [:]
        var order: [String] = []
        for d in report.diagnostics where d.severity != .info {
            guard d.cell != nil else { continue }
            if byCell[d.location] == nil { order.append(d.location) }
            byCell[d.location, default: []].append(d)
        }
        var styleOf: [Int: [Severity: Int]] = [:]
        let current = try styles(of: order.compactMap { byCell[$0]?.first }, in: book)
        for key in order {
            let ds = byCell[key]!
            guard let d = ds.first, let sheet = book.sheet(named: d.sheet), let ref = d.cell else { continue }
            let worst = ds.map(\.severity).min()!
            let base = current[d.sheet]?[ref] ?? 0
            let derived = styleOf[base]?[worst] ?? editor.deriveStyle(from: base, worst == .error
                ? StyleChange(fill: "FFC7CE", fontColor: "9C0006") : StyleChange(fill: "FFEB9C", fontColor: "9C5700"))
            styleOf[base, default: [:]][worst] = derived
            try editor.setCell(ref, in: sheet, to: .style(derived))
            let text = ds.map { "[\($0.rule.rawValue)] \($0.message(chinese: zh))" }.joined(separator: "\n")
            try editor.addNote(ref, in: sheet, text: text, author: "tracksheet")
        }
        // The results sheet: a fresh name if the workbook already has one.
        var name = zh ? "校验结果" : "Validation"
        var n = 2
        while book.sheet(named: name) != nil { name = (zh ? "校验结果" : "Validation") + "\(n)"; n += 1 }
        let sheet = try editor.addSheet(name)
        try sheet.setColumns(1, width: 10)
        try sheet.setColumns(2, width: 16)
        try sheet.setColumns(3, width: 10)
        try sheet.setColumns(4, width: 24)
        try sheet.setColumns(5, width: 20)
        try sheet.setColumns(6, width: 70)
        try sheet.freeze(rows: 1)
        let head = CellStyle(bold: true, fill: "DDEBF7", border: true)
        try sheet.writeRow((zh ? ["级别", "工作表", "单元格", "规则", "值", "问题"] : ["Severity", "Sheet", "Cell", "Rule", "Value", "Problem"])
            .map { WriteCell(.string($0), style: head) })
        let label: [Severity: String] = zh ? [.error: "错误", .warning: "警告", .info: "提示"] : [.error: "error", .warning: "warning", .info: "info"]
        let fill: [Severity: String] = [.error: "FFC7CE", .warning: "FFEB9C", .info: "DDEBF7"]
        var row = 2
        let link = CellStyle(fontColor: "0563C1")
        for d in report.diagnostics {
            // Text from a workbook is written as text: a value beginning with = stays a string.
            try sheet.writeRow([
                WriteCell(.string(label[d.severity]!), style: CellStyle(fill: fill[d.severity])),
                WriteCell(.string(d.sheet)),
                WriteCell(.string(d.cell?.description ?? ""), style: d.cell == nil ? nil : link),
                WriteCell(.string(d.rule.rawValue)),
                WriteCell(.string(Values.text(d.value))),
                WriteCell(.string(d.message(chinese: zh))),
            ])
            if let cell = d.cell {
                sheet.addHyperlink(CellReference(row: row, column: 3), location: "\(SheetWriter.quoted(d.sheet))!\(cell)",
                                   tooltip: zh ? "转到 \(d.location)" : "Go to \(d.location)")
            }
            row += 1
        }
        if report.diagnostics.isEmpty {
            try sheet.writeRow([WriteCell(.string(zh ? "未发现问题" : "No problems found"))])
        }
        try editor.save(to: out)
    }

    /// The styles the flagged cells have now (a cell that does not exist yet has style 0): as the
    /// check read them, else — for the few a check could not tell (headers, merged cells) — from
    /// their sheet, each such sheet read once.
    static func styles(of flagged: [Diagnostic], in book: Workbook) throws -> [String: [CellReference: Int]] {
        var wanted: [String: Set<CellReference>] = [:]
        var out: [String: [CellReference: Int]] = [:]
        for d in flagged {
            guard let r = d.cell else { continue }
            if let s = d.styleIndex { out[d.sheet, default: [:]][r] = s } else { wanted[d.sheet, default: []].insert(r) }
        }
        for (name, refs) in wanted {
            guard let sheet = book.sheet(named: name) else { continue }
            var found: [CellReference: Int] = [:]
            _ = try book.readSheet(sheet) { r in
                for c in r.cells {
                    let ref = CellReference(row: r.index, column: c.column)
                    if refs.contains(ref) { found[ref] = c.styleIndex }
                }
            }
            out[name, default: [:]].merge(found) { _, read in read }
        }
        return out
    }
}
