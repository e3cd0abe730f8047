import Foundation
import Testing
import XLSX

/// Native charts from the writer: every part against the ECMA-376 schemas, openpyxl sees each
/// chart and its references, and LibreOffice draws each one (its page, rendered by pdftoppm,
/// holds the chart's colours).
@Suite struct ChartWriterTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ program: String, _ args: [String], cwd: String? = nil) throws -> (status: Int32, out: String) {
        let p = Process(), pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// 数据: six channels with budget, spend and CTR; one chart per sheet after it.
    static func write(_ path: String) throws {
        let book = try WorkbookWriter(path: path)
        let data = try book.addSheet("数据")
        try data.writeRow([WriteCell(.string("渠道")), WriteCell(.string("预算")), WriteCell(.string("支出")), WriteCell(.string("点击率"))])
        let rows: [(String, Double, Double, Double)] = [("小红书", 50_000, 48_000, 0.021), ("抖音", 90_000, 95_000, 0.031), ("微信", 30_000, 22_000, 0.012),
                                                       ("B站", 20_000, 19_500, 0.018), ("微博", 15_000, 9_000, 0.009), ("线下", 40_000, 41_000, 0.0)]
        for r in rows { try data.writeRow([WriteCell(.string(r.0)), WriteCell(.number(r.1)), WriteCell(.number(r.2)), WriteCell(.number(r.3))]) }
        let categories = Chart.Texts("'数据'!$A$2:$A$7", rows.map(\.0))
        let budget = Chart.Numbers("'数据'!$B$2:$B$7", rows.map(\.1)), spend = Chart.Numbers("'数据'!$C$2:$C$7", rows.map(\.2))
        let ctr = Chart.Numbers("'数据'!$D$2:$D$7", rows.map(\.3), format: "0.0%")
        let charts: [(String, Chart)] = [
            ("柱线", Chart(kind: .bar(), title: "预算与支出", categories: categories,
                         series: [Chart.Series(name: "支出", nameFormula: "'数据'!$C$1", values: spend),
                                  Chart.Series(name: "预算", nameFormula: "'数据'!$B$1", values: budget, kind: .line, color: "C00000")],
                         anchor: CellRange("B3:J20")!, dataLabels: true, valueFormat: "#,##0")),
            ("折线", Chart(kind: .line, title: "点击率", categories: categories, series: [Chart.Series(name: "点击率", values: ctr)],
                         anchor: CellRange("B3:J20")!, valueFormat: "0%")),
            ("环形", Chart(kind: .doughnut, title: "支出占比", categories: categories, series: [Chart.Series(name: "支出", values: spend)],
                         anchor: CellRange("B3:H20")!, dataLabels: true)),
            ("横条", Chart(kind: .bar(horizontal: true), title: nil, categories: categories, series: [Chart.Series(name: "预算", values: budget, color: "70AD47")],
                         anchor: CellRange("B3:J20")!)),
        ]
        for (name, chart) in charts {
            let sheet = try book.addSheet(name)
            sheet.printSetup = PrintSetup(landscape: true, fitToWidth: true)
            try sheet.writeRow([WriteCell(.string(chart.title ?? name))])
            sheet.addChart(chart)
        }
        try book.close()
    }

    @Test func chartsValidateOpenAndAreDrawn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chart-writer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["KEEP_CHARTS"] == nil { try? FileManager.default.removeItem(atPath: dir) } else { print("kept \(dir)") } }
        let path = "\(dir)/charts.xlsx"
        try Self.write(path)
        if let keep = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"] {
            try? FileManager.default.removeItem(atPath: "\(keep)/charts.xlsx")
            try FileManager.default.copyItem(atPath: path, toPath: "\(keep)/charts.xlsx")
        }

        let validate = Self.repo.deletingLastPathComponent().appendingPathComponent("shared/tools/ooxml-validate").path
        try #require(FileManager.default.isExecutableFile(atPath: validate), "../shared/tools/ooxml-validate is missing")
        let v = try Self.run(validate, [path])
        #expect(v.status == 0, "\(v.out)")

        let seen = try Self.run("python3", ["-c", """
        import openpyxl, sys
        wb = openpyxl.load_workbook(sys.argv[1])
        for ws in wb.worksheets[1:]:
            for ch in ws._charts:
                # openpyxl reads a bar chart with a line over it as the bar chart holding both.
                for part in [ch] + [c for c in getattr(ch, "_charts", []) if c is not ch]:
                    print(ws.title, type(part).__name__, ch.anchor._from.col, ch.anchor._from.row, ch.anchor.to.col, ch.anchor.to.row,
                          "|".join(s.val.numRef.f for s in part.series), part.series[0].cat.strRef.f)
        """, path])
        try #require(seen.status == 0, "openpyxl is needed (make test installs it)")
        #expect(seen.out.split(separator: "\n").map(String.init) == [
            "柱线 BarChart 1 2 9 19 '数据'!$C$2:$C$7 '数据'!$A$2:$A$7",
            "柱线 LineChart 1 2 9 19 '数据'!$B$2:$B$7 '数据'!$A$2:$A$7",
            "折线 LineChart 1 2 9 19 '数据'!$D$2:$D$7 '数据'!$A$2:$A$7",
            "环形 DoughnutChart 1 2 7 19 '数据'!$C$2:$C$7 '数据'!$A$2:$A$7",
            "横条 BarChart 1 2 9 19 '数据'!$B$2:$B$7 '数据'!$A$2:$A$7",
        ], "\(seen.out)")

        // LibreOffice draws every chart: each chart sheet's page holds its colours.
        let pdf = try Self.run("soffice", ["--headless", "--convert-to", "pdf", "--outdir", dir, path])
        try #require(pdf.status == 0 && FileManager.default.fileExists(atPath: "\(dir)/charts.pdf"), "LibreOffice is needed (make test installs it)")
        let ppm = try Self.run("pdftoppm", ["-r", "40", "\(dir)/charts.pdf", "\(dir)/page"])
        try #require(ppm.status == 0, "pdftoppm is needed (poppler-utils; make test installs it)")
        let counted = try Self.run("python3", ["-c", """
        import glob, sys
        def pixels(path):
            data = open(path, "rb").read()
            parts, i = [], 0
            while len(parts) < 4:
                j = i
                while data[j:j+1].isspace(): j += 1
                k = j
                while not data[k:k+1].isspace(): k += 1
                parts.append(data[j:k]); i = k
            w, h = int(parts[1]), int(parts[2])
            body = data[i + 1:]
            return [tuple(body[p:p + 3]) for p in range(0, w * h * 3, 3)]
        def near(c, rgb): return all(abs(a - b) < 40 for a, b in zip(c, rgb))
        colours = {"blue": (0x44, 0x72, 0xC4), "orange": (0xED, 0x7D, 0x31), "red": (0xC0, 0x00, 0x00), "green": (0x70, 0xAD, 0x47)}
        for page in sorted(glob.glob(sys.argv[1] + "/page-*.ppm")):
            px = pixels(page)
            print(page.rsplit("-", 1)[1].split(".")[0], " ".join(f"{k}={sum(near(c, v) for c in px)}" for k, v in colours.items()))
        """, dir])
        try #require(counted.status == 0, "\(counted.out)")
        let pages = counted.out.split(separator: "\n").map { line in
            Dictionary(uniqueKeysWithValues: line.split(separator: " ").dropFirst().map { kv in
                let p = kv.split(separator: "="); return (String(p[0]), Int(p[1]) ?? 0)
            })
        }
        // Page 1 is 数据 (cells only); then one page per chart sheet.
        try #require(pages.count == 5, "\(counted.out)")
        #expect(pages[1]["blue"]! > 200 && pages[1]["red"]! > 20, "bars and the budget line: \(counted.out)")
        #expect(pages[2]["blue"]! > 20, "the CTR line: \(counted.out)")
        #expect(pages[3]["blue"]! > 200 && pages[3]["orange"]! > 200, "the doughnut's slices: \(counted.out)")
        #expect(pages[4]["green"]! > 200, "the horizontal bars: \(counted.out)")
        #expect(pages[0].values.reduce(0, +) < 50, "the data sheet has no chart: \(counted.out)")
    }
}
