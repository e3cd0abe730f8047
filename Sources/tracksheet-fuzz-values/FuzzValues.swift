import Foundation
import FuzzSupport
import Store
import Sync
import Templates
import Rules
import XLSX

/// The value parsers' fuzz target: one input is a cell's text (and, from its first 8 bytes, a
/// number), run through every parser a workbook's values meet — quantities, percentages, dates,
/// times, KPI targets, states, RACI, deadline rules, titles, cell references, number formats,
/// formulas moved by a fill or by inserted rows, header names, and store values (a row's JSON, a
/// stored number, a value written into a cell). Besides not crashing, a few
/// properties must hold; a broken one stops the run like a crash.
enum ValuesHarness {
    static func run(_ input: UnsafeRawBufferPointer) {
        let s = String(decoding: input, as: UTF8.self)
        var raw: UInt64 = 0
        for (i, b) in input.prefix(8).enumerated() { raw |= UInt64(b) << (8 * UInt64(i)) }
        let number = Double(bitPattern: raw)
        let small = Int(Int8(truncatingIfNeeded: raw)), smaller = Int(Int8(truncatingIfNeeded: raw >> 8))

        // Quantities, percentages, number formats.
        _ = Values.trimmed(s)
        _ = Values.quantity(text: s)
        let decimals = Values.formatDecimals(s)
        let percent = Values.isPercentFormat(s)
        for v in [CellValue.string(s), .number(number)] {
            _ = Values.quantity(v, percentFormat: percent, formatDecimals: decimals)
            _ = Values.percent(v, percentFormat: !percent, formatDecimals: decimals)
            _ = Values.text(v)
        }
        _ = NumberFormatKind.classify(s)

        // Dates and times, with and without the campaign's year; a number as a serial.
        for year in [nil, 2025] as [Int?] {
            _ = DateParser.parse(.string(s), year: year)
            _ = DateParser.parse(.number(number), year: year)
            _ = DateParser.parse(.date(ExcelDateTime(serial: number)), year: year)
            _ = DateParser.time(.string(s), year: year)
            _ = DateParser.time(.number(number), year: year)
            if let span = DateParser.text(s, year: year) {
                check(span.start <= span.end || !span.isRange, "a date span ends before it starts: \(s)")
            }
        }
        _ = DateParser.isPlaceholder(s)
        _ = CalendarDate(s)
        _ = CampaignPeriod.fromTitle(s)

        // Targets, states, roles, deadlines.
        if let kpi = KPI.parse(s), let q = Values.quantity(text: s) { _ = kpi.achievement(q); _ = kpi.comparable(q) }
        _ = StateValue.parse(s)
        _ = CheckboxState.parse(s, labels: CheckboxState.cardLabels)
        _ = RACI.parse(s)
        if let rule = DeadlineRule.parse(s) {
            _ = rule.date(launch: CalendarDate(year: 2025, month: 5, day: 16), end: CalendarDate(year: 2025, month: 6, day: 20))
        }
        _ = HeaderMatcher.normalize(s)

        // Cell references: what parses prints back as the same cell.
        if let ref = CellReference(s) {
            check(CellReference(ref.description) == ref, "\(s) reads as \(ref) but \(ref) does not read back")
        }
        if let range = CellRange(s) { check(CellRange(range.description) == range, "range \(s) does not read back") }
        _ = CellRange.list(s)
        _ = CellReference.columnNumber(s)

        // Formulas: a fill by (small, smaller) cells; rows moved; no move leaves a formula alone.
        _ = FormulaShifter.shift(s, rows: small, columns: smaller)
        check(ReferenceShifter.shift(s, home: RowShift(), sheet: { _ in RowShift() }) == s, "no row moved, yet \(s) changed")
        var shift = RowShift()
        shift.insert(at: max(1, abs(small)), count: 2, formatted: true, grows: small < 0)
        shift.delete(at: max(1, abs(smaller)), count: 1)
        _ = ReferenceShifter.shift(s, home: shift, sheet: { $0 == "数据" ? shift : nil })
        _ = shift.final(sqref: s)

        // Store values: a row's JSON, a stored number as a version, a value written into a cell.
        StoreValueProbe.run(s, number: number)
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("property broken: " + message()) }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValues(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ValuesHarness.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

@_cdecl("tracksheet_fuzz_values_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.drive(argc, argv, fuzzValues)
}
#else
/// Without the fuzzer: runs the harness over the files (or folders of files) given.
@main enum ReplayValues {
    static func main() throws { try FuzzSupport.replay(CommandLine.arguments.dropFirst(), ValuesHarness.run) }
}
#endif
