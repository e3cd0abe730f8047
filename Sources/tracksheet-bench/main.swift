// Drives the library for `make bench` (not a product): one operation per run, so /usr/bin/time
// measures exactly it.
//   tracksheet-bench read IN               read every cell of every sheet
//   tracksheet-bench edit IN OUT           set one cell in the middle of the first sheet, save to OUT
//   tracksheet-bench write OUT ROWS        write an effect-analysis sheet of ROWS rows
//   tracksheet-bench edit-percent IN OUT P change the cost (column H) of P% of the rows, evenly spread
//   tracksheet-bench rows IN OUT           insert 2 rows near the top of the first sheet, delete one in the middle, save
import XLSX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    print("tracksheet-bench: \(message)")
    exit(2)
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: read IN | edit IN OUT | write OUT ROWS") }
do {
    switch args[1] {
    case "read":
        let book = try Workbook(path: args[2])
        var cells = 0
        for sheet in book.sheets { try book.readSheet(sheet) { cells += $0.cells.count } }
        print("read \(cells) cells")
    case "edit":
        guard args.count == 4 else { fail("edit IN OUT") }
        let editor = try WorkbookEditor(path: args[2])
        let sheet = editor.workbook.sheets[0]
        var rows = 0
        try editor.workbook.readSheet(sheet) { _ in rows += 1 }
        try editor.setCell(CellReference(row: max(rows / 2, 1), column: 3), in: sheet, to: CellEdit(value: .number(42)))
        try editor.save(to: args[3])
        print("edited row \(max(rows / 2, 1)) of \(rows)")
    case "edit-percent":
        guard args.count == 5, let p = Double(args[4]), p > 0 else { fail("edit-percent IN OUT P") }
        let editor = try WorkbookEditor(path: args[2])
        let sheet = editor.workbook.sheets[0]
        var rows: [(Int, Double)] = []
        try editor.workbook.readSheet(sheet) { row in
            if row.index > 1, let n = row.cell(at: 8)?.value.number { rows.append((row.index, n)) }
        }
        let step = max(1, Int(100 / p))
        var changed = 0
        for (i, (r, n)) in rows.enumerated() where i % step == 0 {
            try editor.setCell(CellReference(row: r, column: 8), in: sheet, to: CellEdit(value: .number(n + 100)))
            changed += 1
        }
        try editor.save(to: args[3])
        print("changed \(changed) of \(rows.count) rows")
    case "rows":
        guard args.count == 4 else { fail("rows IN OUT") }
        let editor = try WorkbookEditor(path: args[2])
        let sheet = editor.workbook.sheets[0]
        var rows = 0
        try editor.workbook.readSheet(sheet) { _ in rows += 1 }
        try editor.insertRows(at: 3, count: 2, in: sheet)
        try editor.deleteRows(at: max(rows / 2, 1), in: sheet)
        try editor.save(to: args[3])
        print("moved \(rows) rows")
    case "write":
        guard args.count == 4, let n = Int(args[3]) else { fail("write OUT ROWS") }
        let book = try WorkbookWriter(path: args[2])
        let sheet = try book.addSheet("效果分析表")
        try sheet.freeze(rows: 1)
        try sheet.writeRow(["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)", "获客成本(元/人)", "增量销售额(元)", "ROI", "达标情况", "优化建议"]
            .map { WriteCell(.string($0)) })
        let money = CellStyle(numberFormat: "#,##0")
        for i in 0..<n {
            let r = i + 2
            let e = Double(1000 + i % 997 * 1000), c = Double(10 + i % 89 * 10), v = Double(1 + i % 13), cost = Double(500 + i % 101 * 100)
            try sheet.writeRow([
                WriteCell(.string(["小红书KOL", "抖音信息流", "线下体验", "微信社群"][i % 4])), WriteCell(.string("素材\(i % 977)")),
                WriteCell(.number(e)), WriteCell(.number(c)), WriteCell(.number(c / e * 100), formula: "D\(r)/C\(r)*100"),
                WriteCell(.number(v)), WriteCell(.number(v / c * 100), formula: "F\(r)/D\(r)*100"), WriteCell(.number(cost), style: money),
                WriteCell(.number(cost / v), formula: "H\(r)/F\(r)"), WriteCell(.number(cost * 3), style: money),
                WriteCell(.number(3), formula: "J\(r)/H\(r)"), WriteCell(.string("达标"), formula: "IF(K\(r)>=3,\"达标\",\"未达标\")"),
                WriteCell(.string("建议\(i % 313)")),
            ])
        }
        try book.close()
        print("wrote \(n) rows")
    default:
        fail("unknown operation \(args[1])")
    }
} catch let error as XLSXError {
    fail(error.message())
}
