import Foundation
import Testing
@testable import XLSX

/// Every cell our reader returns for the corpus equals what calamine (an independent reader)
/// returned, in `shared/corpus/expected/`, but for the deliberate differences listed here.
@Suite struct CorpusConformanceTests {
    /// Cells where we read differently on purpose, with the reason.
    static let deliberate: [String: String] = [
        // XlsxWriter's test writes the non-characters U+FFFE and U+FFFF; Excel saves them as
        // `_xFFFE_`/`_xFFFF_` because XML cannot hold them. Decoding gives back what was typed;
        // calamine leaves the escape as text.
        "excel-made/shared_strings03.xlsx!Sheet1!A1": "U+FFFE decoded from _xFFFE_",
        "excel-made/shared_strings03.xlsx!Sheet1!A2": "U+FFFF decoded from _xFFFF_",
    ]
    // Also deliberate, for whole classes of cells:
    // - Error cells (`t="e"`, e.g. #DIV/0!) are returned as {"error": text}; the expected files
    //   leave them out. They are counted, and their text must look like an Excel error.
    // - Empty text (`<v></v>`, or a `<t>` holding only spaces without xml:space="preserve", which
    //   Excel trims) is no value, in both.

    struct Outcome: Sendable { var cells = 0, matched = 0, errorsOnlyOurs = 0, files = 0, refusedAlike = 0; var mismatches: [String] = [] }

    static func expectedFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Corpus.path("expected/\(folder)"))
            .filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\(String($0.dropLast(5)))" }
    }

    @Test(arguments: ["excel-made", "calamine", "excelize"])
    func everyCellMatchesTheIndependentReader(folder: String) throws {
        try #require(Corpus.exists, "the corpus is missing at \(Corpus.root); shared/ must sit beside the checkout")
        var o = Outcome()
        for file in try Self.expectedFiles(folder) {
            o.files += 1
            let data = try Data(contentsOf: URL(fileURLWithPath: Corpus.path("expected/\(file).json")))
            let expected = try JSONDecoder().decode(ExpectedFile.self, from: data)
            if let refusal = expected.error {
                #expect(throws: XLSXError.self, "\(file): calamine refused it (\(refusal)); so must we") { try Corpus.open(file) }
                o.refusedAlike += 1
                continue
            }
            let book = try Corpus.open(file)
            let ours = try Corpus.cells(book)
            for sheet in expected.sheets ?? [] {
                let name = sheet.name
                let theirs = sheet.cells
                guard let mine = ours[name] else { o.mismatches.append("\(file)!\(name): sheet missing"); continue }
                for (ref, value) in theirs {
                    o.cells += 1
                    let key = "\(file)!\(name)!\(ref)"
                    let got = mine[ref]?.value.portableJSON
                    if Self.same(got, value) { o.matched += 1 }
                    else if Self.deliberate[key] != nil { continue }
                    else { o.mismatches.append("\(key): expected \(value), read \(got.map(\.text) ?? "nothing")") }
                }
                for (ref, cell) in mine where theirs[ref] == nil {
                    guard let v = cell.value.portableJSON else { continue }
                    if case .error(let text) = cell.value, text.hasPrefix("#") { o.errorsOnlyOurs += 1; continue }
                    o.mismatches.append("\(file)!\(name)!\(ref): read \(v.text), expected nothing")
                }
            }
        }
        let rate = o.cells == 0 ? 0 : Double(o.matched) / Double(o.cells) * 100
        print("conformance \(folder): \(o.files) files (\(o.refusedAlike) refused by both), \(o.matched)/\(o.cells) cells match (\(String(format: "%.2f", rate))%), \(Self.deliberate.keys.filter { $0.hasPrefix(folder) }.count) deliberate differences, \(o.errorsOnlyOurs) error cells only we report")
        #expect(o.cells > 0)
        #expect(o.mismatches.isEmpty, "\(o.mismatches.count) mismatches:\n\(o.mismatches.prefix(40).joined(separator: "\n"))")
    }

    static func same(_ ours: JSONValue?, _ theirs: ExpectedValue) -> Bool {
        guard let ours else { return false }
        switch (ours, theirs) {
        case let (.string(a), .string(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return abs(a - b) <= 1e-9 * max(1, abs(b))
        case let (.object(pairs), .object(b)):
            guard pairs.count == 1, b.count == 1, let (k, v) = pairs.first, let other = b[k] else { return false }
            return same(v, other)
        default: return false
        }
    }
}

/// One file of `shared/corpus/expected/`.
struct ExpectedFile: Decodable {
    struct Sheet: Decodable { var name: String; var cells: [String: ExpectedValue] }
    var error: String?
    var sheets: [Sheet]?
}

/// A value there: JSON's `true` decodes only as a Bool and `1.0` only as a number.
indirect enum ExpectedValue: Decodable, CustomStringConvertible {
    case bool(Bool), number(Double), string(String), object([String: ExpectedValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .object(try c.decode([String: ExpectedValue].self)) }
    }

    var description: String {
        switch self {
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s)\""
        case .object(let o): "\(o)"
        }
    }
}
