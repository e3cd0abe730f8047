import Foundation
import Testing
import TestSupport
import Templates
@testable import Rules
@testable import XLSX

/// `recalc` reproduces the seed's own numbers from its inputs, writes formulas with their values,
/// changes nothing but derived cells, and changes nothing at all the second time.
@Suite struct RecalcTests {
    static let seed = SampleValidationTests.samples.appendingPathComponent("marketing-plan-seed.xlsx").path
    static let derivedEffect = ["E", "G", "I", "K"]
    static func options(roi: String? = nil) throws -> RecalcOptions {
        RecalcOptions(asOf: CalendarDate("2025-06-09")!, roi: roi, templates: try Template.builtinIDs.map(Template.builtin))
    }

    static func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).xlsx").path
    }

    /// Every cell, with its formula, by sheet and reference.
    static func cells(_ path: String) throws -> [String: [String: Cell]] {
        let book = try Workbook(path: path)
        var out: [String: [String: Cell]] = [:]
        for sheet in book.sheets {
            try book.readSheet(sheet) { row in
                for c in row.cells { out[sheet.name, default: [:]]["\(CellReference.columnName(c.column))\(row.index)"] = c }
            }
        }
        return out
    }

    /// The seed with its effect rows' derived cells emptied, as a user would leave them.
    static func emptiedSeed() throws -> String {
        let out = temp("emptied")
        let editor = try WorkbookEditor(path: seed)
        for col in derivedEffect { for r in 3...7 { try editor.setCell("\(col)\(r)", inSheet: "效果分析表", value: .empty) } }
        try editor.save(to: out)
        return out
    }

    /// Leaves the result for `make test`'s LibreOffice check (every formula recalculated equals its cached value).
    static func keepForInterop(_ path: String, as name: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["TRACKSHEET_INTEROP_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let target = (dir as NSString).appendingPathComponent(name)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: path, toPath: target)
    }

    @Test func recalcReproducesTheSeedsNumbers() throws {
        let input = try Self.emptiedSeed(), out = Self.temp("recalc")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out) }
        let result = try Recalculator.recalc(path: input, to: out, options: Self.options())
        #expect(result.template == "marketing-plan" && result.summarySheet == "汇总")
        let seedCells = try Self.cells(Self.seed), before = try Self.cells(input), after = try Self.cells(out)
        // 15,000/150,000 = 10.0, 225/15,000 = 1.5, 30,000/225 = 133.33, 90,000/30,000 = 3.0 … and "-" where there are no clicks.
        for col in Self.derivedEffect {
            for r in 3...7 {
                let ref = "\(col)\(r)"
                let got = after["效果分析表"]?[ref]
                #expect(got?.value == seedCells["效果分析表"]?[ref]?.value, "效果分析表!\(ref): \(String(describing: got?.value)) vs the seed's \(String(describing: seedCells["效果分析表"]?[ref]?.value))")
                #expect(got?.formula?.hasPrefix("IF(AND(ISNUMBER(") == true, "效果分析表!\(ref) is a formula")
            }
        }
        #expect(after["效果分析表"]?["E3"]?.value == .number(10) && after["效果分析表"]?["I3"]?.value == .number(133.33)
                && after["效果分析表"]?["K3"]?.value == .number(3) && after["效果分析表"]?["E7"]?.value == .string("-"))
        // The master plan: 达成率 from the KPI and the achieved value (22万 of ≥20万 = 110), 达标情况 a formula over it.
        let rates = (3...8).map { after["主跟踪表"]?["N\($0)"]?.value }
        #expect(rates == [100, 100, 110, 105, 125, 104].map { CellValue.number($0) })
        #expect((3...8).allSatisfy { after["主跟踪表"]?["O\($0)"]?.value == .string("达标") && after["主跟踪表"]?["O\($0)"]?.formula?.contains("N\($0)>=100") == true })
        // Roll-ups: per phase and for the campaign, every number a formula.
        let summary = try #require(after["汇总"])
        #expect(summary["A3"]?.value == .string("筹备期") && summary["D3"]?.value == .number(100))
        #expect(summary["A4"]?.value == .string("启动期") && summary["B4"]?.value == .number(2) && summary["C4"]?.value == .number(1) && summary["D4"]?.value == .number(50))
        #expect(summary["A7"]?.value == .string("合计") && summary["D7"]?.value == .number(83.3))
        #expect(summary["E7"]?.value == .number(345_000) && summary["F7"]?.value == .number(268_000) && summary["G7"]?.value == .number(77_000))
        #expect(summary["B3"]?.formula == "COUNTA('主跟踪表'!C3:C4)" && summary["C4"]?.formula == "COUNT('主跟踪表'!H5:H6)")
        // Nothing but derived cells changed.
        for (sheet, cells) in before {
            for (ref, cell) in cells {
                let derived = (sheet == "效果分析表" && Self.derivedEffect.contains(String(ref.prefix(1))) && !ref.hasSuffix("2"))
                    || (sheet == "主跟踪表" && ["N", "O"].contains(String(ref.prefix(1))) && ref.dropFirst() != "2")
                if !derived { #expect(after[sheet]?[ref]?.value == cell.value && after[sheet]?[ref]?.formula == cell.formula, "\(sheet)!\(ref) changed") }
            }
        }
        try Self.keepForInterop(out, as: "recalc-seed-effect.xlsx")
        // A second run finds everything up to date.
        let again = Self.temp("again")
        defer { try? FileManager.default.removeItem(atPath: again) }
        let second = try Recalculator.recalc(path: out, to: again, options: Self.options())
        #expect(second.changed.isEmpty, "\(second.changed)")
        #expect(second.summarySheet == "汇总")
    }

    @Test func roiDefinitions() throws {
        // Entered ROI values that follow (收益−成本)/成本: the workbook's definition is kept, and said once.
        let input = Self.temp("net-entered"), out = Self.temp("roi")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: Self.seed)
        for (r, v) in zip(3...7, [2.0, 1.6, 3, 3, 1.4]) { try editor.setCell("K\(r)", inSheet: "效果分析表", value: .number(v)) }
        try editor.save(to: input)
        let kept = try Recalculator.recalc(path: input, to: out, options: Self.options())
        #expect(kept.notices.count == 1 && kept.notices[0].english.contains("--roi ratio"), "\(kept.notices.map(\.english))")
        var cells = try Self.cells(out)["效果分析表"]!
        // (90,000 − 30,000)/30,000 = 2, as a formula of that definition; a second recalc keeps it.
        #expect(cells["K3"]?.value == .number(2) && cells["K4"]?.value == .number(1.6) && cells["K3"]?.formula?.contains("(J3-H3)/H3") == true)
        let again = Self.temp("roi-again")
        defer { try? FileManager.default.removeItem(atPath: again) }
        #expect(try Recalculator.recalc(path: out, to: again, options: Self.options()).changed.isEmpty)
        // --roi ratio says otherwise: recalculated as 增量销售额/成本 (3.0), and told that the entered values followed net.
        let ratio = try Recalculator.recalc(path: input, to: out, options: Self.options(roi: "ratio"))
        #expect(ratio.notices.count == 1 && ratio.notices[0].english.contains("--roi net"), "\(ratio.notices.map(\.english))")
        #expect(try Self.cells(out)["效果分析表"]?["K3"]?.value == .number(3))
        // --roi net keeps that definition: (90,000 − 30,000)/30,000 = 2.
        let net = try Recalculator.recalc(path: input, to: out, options: Self.options(roi: "net"))
        #expect(net.notices.isEmpty)
        cells = try Self.cells(out)["效果分析表"]!
        #expect(cells["K3"]?.value == .number(2) && cells["K4"]?.value == .number(1.6) && cells["K3"]?.formula?.contains("(J3-H3)/H3") == true)
        try Self.keepForInterop(out, as: "recalc-seed-roi-net.xlsx")
        // And validate says the same once, instead of five mismatches.
        let report = try Validator.validate(path: input, options: ValidationOptions(asOf: CalendarDate("2025-06-09")!, templates: Template.builtinIDs.map(Template.builtin)))
        #expect(report.diagnostics.filter { $0.rule.rawValue.hasPrefix("metric.") }.map(\.rule) == [.metricRoiDefinition])
    }

    @Test func numbersTypedAsTextAreReportedNotGuessed() throws {
        let input = Self.temp("text-numbers"), out = Self.temp("recalc-text")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: Self.seed)
        try editor.setCell("D4", inSheet: "效果分析表", value: .string("52,000"))
        try editor.save(to: input)
        let r = try Recalculator.recalc(path: input, to: out, options: Self.options())
        #expect(r.notices.contains { $0.english.contains("D4") })
        // What a spreadsheet computes from that row: its formula sees text, so "-" — cached exactly so.
        #expect(try Self.cells(out)["效果分析表"]?["E4"]?.value == .string("-"))
    }

    @Test func weightedProgressAndTheMultiPlatformSample() throws {
        // A 权重 column: progress is weighted by it.
        let input = Self.temp("weights"), out = Self.temp("recalc-weights")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out) }
        let editor = try WorkbookEditor(path: Self.seed)
        try editor.setCell("S2", inSheet: "主跟踪表", value: .string("权重"))
        for (r, w) in zip(3...8, [1.0, 1, 1, 3, 2, 1]) { try editor.setCell("S\(r)", inSheet: "主跟踪表", value: .number(w)) }
        try editor.save(to: input)
        _ = try Recalculator.recalc(path: input, to: out, options: Self.options())
        let summary = try #require(try Self.cells(out)["汇总"])
        // 启动期: weights 1 (done) and 3 (open) → 25 %; campaign: 6 of 9 → 66.7 %.
        #expect(summary["B2"]?.value == .string("权重合计") && summary["D4"]?.value == .number(25) && summary["D7"]?.value == .number(66.7))
        try Self.keepForInterop(out, as: "recalc-seed-weighted.xlsx")

        let promo = SampleValidationTests.samples.appendingPathComponent("multi-platform-618.xlsx").path
        let promoOut = Self.temp("recalc-promo")
        defer { try? FileManager.default.removeItem(atPath: promoOut) }
        let p = try Recalculator.recalc(path: promo, to: promoOut, options: Self.options())
        let cells = try Self.cells(promoOut)
        // The review's 520万 against 500万 → 104; monitoring CVR 4,000/80,000 → 5.
        #expect(cells["复盘"]?["D3"]?.value == .number(104) && cells["复盘"]?["D3"]?.formula != nil)
        #expect(cells["数据监控"]?["J3"]?.value == .number(5))
        #expect(p.summarySheet == nil, "no master plan, no roll-up sheet")
        try Self.keepForInterop(promoOut, as: "recalc-promo.xlsx")
    }

    /// A sheet over the size read on a second thread: its ratios are computed there as the editor
    /// rewrites it (`RatioEdits`). Every row's four ratios are checked against the template's
    /// formulas worked out here, nothing else moves, and a second run changes nothing at all.
    @Test func aLargeEffectSheetIsRecalculatedRowByRowAsItIsWritten() throws {
        let rows = 9_000
        let input = Self.temp("large-effect"), out = Self.temp("large-recalc"), again = Self.temp("large-again")
        defer { for p in [input, out, again] { try? FileManager.default.removeItem(atPath: p) } }
        let headers = ["渠道", "推广内容", "曝光量", "点击量", "点击率(%)", "转化量", "转化率(%)", "成本(元)",
                       "获客成本(元/人)", "增量销售额(元)", "ROI", "达标情况", "优化建议"]
        let w = try WorkbookWriter(path: input)
        let sheet = try w.addSheet("效果分析表")
        try sheet.writeRow(headers.map { WriteCell(.string($0)) })
        // Inputs by row: some without conversions ("-" for CVR's neighbours), one typed as text.
        func inputs(_ r: Int) -> (e: Double, c: Double, v: Double, cost: Double, s: Double) {
            (Double(1_000 + r * 37), Double(10 + r % 97), Double(r % 11), Double(500 + r % 1_000 * 3), Double(1_000 + r * 13 % 7_000))
        }
        for r in 2...rows + 1 {
            let x = inputs(r)
            // Derived columns (E, G, I, K) left empty but for a stale ROI; the others filled.
            let values: [(Int, CellValue)] = [(1, .string(["小红书KOL", "抖音信息流", "B站UP主"][r % 3])), (2, .string("素材\(r % 977)")),
                                              (3, r == 4_321 ? .string("\(Int(x.e))") : .number(x.e)), (4, .number(x.c)), (6, .number(x.v)),
                                              (8, .number(x.cost)), (10, .number(x.s)), (11, .number(9.99)), (12, .string("达标")),
                                              (13, .string("建议\(r % 313)"))]
            try sheet.writeRow(r, values.map { WriteCell($0.1, column: $0.0) })
        }
        // 达标情况's drop-down, as the template has it (and the interop check looks for).
        sheet.addListValidation([CellRange("L2:L\(rows + 1)")!], items: ["达标", "预警", "未达标"])
        try w.close()
        #expect(try ZipArchive(path: input).entry(named: "xl/worksheets/sheet1.xml")!.declaredSize >= Workbook.pipelineThreshold,
                "the sheet must be large enough to be read on a second thread")
        let r = try Recalculator.recalc(path: input, to: out, options: Self.options())
        #expect(r.changed["效果分析表"] == rows * 4)
        #expect(r.notices.contains { $0.english.contains("C4321") })
        let before = try #require(try Self.cells(input)["效果分析表"]), after = try #require(try Self.cells(out)["效果分析表"])
        func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
        for row in 2...rows + 1 {
            let x = inputs(row)
            let ctr: CellValue = row == 4_321 ? .string("-") : .number(round2(x.c / x.e * 100))
            let cvr: CellValue = .number(round2(x.v / x.c * 100))
            let cpa: CellValue = x.v > 0 ? .number(round2(x.cost / x.v)) : .string("-")
            let roi: CellValue = .number(round2(x.s / x.cost))
            for (col, value, formula) in [("E", ctr, "ROUND(D\(row)/C\(row)*100,2)"), ("G", cvr, "ROUND(F\(row)/D\(row)*100,2)"),
                                          ("I", cpa, "ROUND(H\(row)/F\(row),2)"), ("K", roi, "ROUND(J\(row)/H\(row),2)")] {
                let cell = after["\(col)\(row)"]
                #expect(cell?.value == value && cell?.formula?.contains(formula) == true, "\(col)\(row): \(String(describing: cell))")
            }
        }
        for (ref, cell) in before where !["E", "G", "I", "K"].contains(String(ref.prefix { $0.isLetter })) {
            #expect(after[ref] == cell, "\(ref)")
        }
        // The sheet has no dimension (tracksheet's writer streams its rows) and the last row is not
        // known before it is written: each formula is written with its cell.
        let xml = String(decoding: try { let a = try ZipArchive(path: out); return try a.data(a.entry(named: "xl/worksheets/sheet1.xml")!) }(), as: UTF8.self)
        #expect(!xml.contains("<dimension") && !xml.contains("t=\"shared\""))
        #expect(xml.components(separatedBy: "<f>").count - 1 == rows * 4)
        // Nothing left to do: no cell changed, the file's sheet is what the first run wrote.
        let second = try Recalculator.recalc(path: out, to: again, options: Self.options())
        #expect(second.changedTotal == 0)
        let a = try ZipArchive(path: out), b = try ZipArchive(path: again)
        #expect(try a.data(a.entry(named: "xl/worksheets/sheet1.xml")!) == b.data(b.entry(named: "xl/worksheets/sheet1.xml")!))
        try Self.keepForInterop(out, as: "recalc-large-effect.xlsx")
    }
}

@Suite("A ratio's formula for a row, compared in place")
struct RowPatternTests {
    @Test("a formula matches its pattern's text for its own row only, whatever the row's digits")
    func matches() throws {
        let spec = try #require(try Template.builtin("marketing-plan").sheets.first { $0.id == "effect" })
        let letters = ["impressions": "C", "clicks": "D", "ctr": "E", "conversions": "F", "cvr": "G", "cost": "H", "cpa": "I", "sales": "J", "roi": "K"]
        var patterns = 0
        for roi in ["ratio", "net"] {
            for r in Ratio.of(spec, roi: roi) {
                guard let p = r.pattern(column: { letters[$0] }) else { continue }
                patterns += 1
                for row in [1, 2, 9, 10, 99, 100, 12_345, 1_048_576] {
                    let text = p.text(row: row)
                    #expect(p.matches(text, row: row), "\(text)")
                    #expect(!p.matches(text, row: row + 1), "\(text) is not row \(row + 1)'s")
                    #expect(!p.matches(text + " ", row: row) && !p.matches(String(text.dropLast()), row: row))
                    // One character changed anywhere.
                    for i in [0, text.utf8.count / 2, text.utf8.count - 1] {
                        var bytes = Array(text.utf8)
                        bytes[i] = bytes[i] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
                        #expect(!p.matches(String(decoding: bytes, as: UTF8.self), row: row))
                    }
                }
            }
        }
        #expect(patterns >= 4)
    }
}

/// Recalc copies the rows it does not edit, and edits the others, without parsing them
/// (`WorkbookEditor.copiesRowsUnparsed`): on every sample and real-world workbook it writes the
/// cells a recalc parsing every row writes — values, formulas and formats — on every sheet.
@Suite struct RecalcRowsUnparsedTests {
    static var workbooks: [String] {
        let samples = SampleValidationTests.samples.path
        let real = SampleValidationTests.samples.deletingLastPathComponent().path + "/Tests/TracksheetCLITests/Fixtures/real-world"
        func xlsx(_ dir: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".xlsx") }.sorted().map { dir + "/" + $0 }
        }
        return xlsx(samples) + xlsx(samples + "/with-errors") + xlsx(real)
    }

    static func recalc(_ path: String, unparsed: Bool) throws -> (cells: [String: [String: Cell]], taken: Int)? {
        let editor = try WorkbookEditor(path: path)
        editor.copiesRowsUnparsed = unparsed
        let r = try Recalculator(book: try CampaignBook(path: path, templates: try RecalcTests.options().templates), editor: editor,
                                 options: try RecalcTests.options())
        guard r.book.template != nil, r.book.ambiguity == nil else { return nil }
        let out = RecalcTests.temp("unparsed-\(unparsed)")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try r.run()
        try editor.save(to: out)
        _ = r.finish()
        return (try RecalcTests.cells(out), editor.rowsCopiedUnparsed + editor.rowsEditedUnparsed)
    }

    @Test func everySampleAndRealWorldWorkbook() throws {
        var compared = 0, taken = 0
        for path in Self.workbooks {
            guard let copied = try Self.recalc(path, unparsed: true), let parsed = try Self.recalc(path, unparsed: false) else { continue }
            #expect(parsed.taken == 0)
            for (sheet, cells) in parsed.cells {
                let mine = copied.cells[sheet] ?? [:]
                #expect(mine.mapValues(\.value) == cells.mapValues(\.value), "\(path) \(sheet): values")
                #expect(mine.mapValues(\.formula) == cells.mapValues(\.formula), "\(path) \(sheet): formulas")
                #expect(mine.mapValues(\.styleIndex) == cells.mapValues(\.styleIndex), "\(path) \(sheet): formats")
            }
            #expect(Set(copied.cells.keys) == Set(parsed.cells.keys))
            compared += 1
            taken += copied.taken
        }
        print("recalc rows unparsed: \(compared) workbooks, \(taken) rows taken as bytes")
        #expect(compared >= 10, "\(compared) workbooks recalculated")
        #expect(taken > 60, "\(taken) rows taken unparsed")
    }
}

@Suite("The rules' messages")
struct RulesMessageTests {
    @Test func catalogsHaveEveryKeyInBothLanguages() { MessageCatalogs.check(RulesMessageKey.self) }
}
