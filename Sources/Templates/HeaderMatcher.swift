import Foundation
import XLSX

/// A unit written in a header (`预算(万元)`, `曝光量(万)`, `Budget (10k CNY)`): the factor that turns
/// the column's values into the template's unit (元, a count, percent points), and the unit as written.
public struct HeaderUnit: Sendable, Equatable {
    public var factor: Double
    /// As the header writes it: `万元`, `千元`, `%`, `人`.
    public var label: String

    /// The unit of a header's bracket (or the text after its name), for a column of `type`; nil
    /// when it names none (`完成状态(未开始/进行中/已完成/延期)`).
    public static func parse(_ raw: String, type: Template.ColumnType) -> HeaderUnit? {
        var u = HeaderMatcher.normalize(raw)
        for p in ["单位", "unit", "in"] where u.hasPrefix(p) { u = String(u.dropFirst(p.count)) }
        if u.isEmpty { return nil }
        switch type {
        case .money:
            let money: [(String, Double)] = [("元", 1), ("cny", 1), ("rmb", 1), ("¥", 1), ("￥", 1), ("yuan", 1),
                                            ("万元", 1e4), ("万", 1e4), ("w", 1e4), ("10kcny", 1e4), ("10k", 1e4), ("万cny", 1e4), ("w元", 1e4),
                                            ("千元", 1e3), ("千", 1e3), ("k", 1e3), ("kcny", 1e3), ("cnyk", 1e3), ("k元", 1e3),
                                            ("百万", 1e6), ("百万元", 1e6), ("mcny", 1e6), ("m", 1e6), ("cnym", 1e6), ("亿", 1e8), ("亿元", 1e8),
                                            ("¥10k", 1e4), ("￥10k", 1e4), ("10krmb", 1e4), ("rmb10k", 1e4), ("cny10k", 1e4), ("10k¥", 1e4), ("万¥", 1e4), ("¥万", 1e4),
                                            ("¥k", 1e3), ("k¥", 1e3), ("krmb", 1e3), ("rmbk", 1e3), ("thousandcny", 1e3), ("thousandyuan", 1e3),
                                            ("元人民币", 1), ("人民币", 1), ("人民币元", 1), ("万元人民币", 1e4)]
            if let m = money.first(where: { $0.0 == u }) { return HeaderUnit(factor: m.1, label: raw.trimmingCharacters(in: .whitespaces)) }
            // 元/人 (per person), 元/次: the money unit before the slash.
            if let slash = u.firstIndex(of: "/"), let m = money.first(where: { $0.0 == String(u[..<slash]) }) {
                return HeaderUnit(factor: m.1, label: raw.trimmingCharacters(in: .whitespaces))
            }
        case .count, .quantity:
            let scale: [(String, Double)] = [("万", 1e4), ("w", 1e4), ("10k", 1e4), ("千", 1e3), ("k", 1e3), ("百万", 1e6), ("m", 1e6), ("亿", 1e8)]
            if let m = scale.first(where: { $0.0 == u }) { return HeaderUnit(factor: m.1, label: raw) }
            // 万人, 万次: a scale and a counting unit.
            if let m = scale.first(where: { u.hasPrefix($0.0) && countingUnits.contains(String(u.dropFirst($0.0.count))) }) {
                return HeaderUnit(factor: m.1, label: raw)
            }
            if countingUnits.contains(u) { return HeaderUnit(factor: 1, label: raw) }
        case .percent:
            if u == "%" || u == "百分比" || u == "percent" { return HeaderUnit(factor: 1, label: "%") }
        default: break
        }
        return nil
    }

    /// Words that count things in a header's unit: 人, 次, 个 …
    public static let countingUnits: Set<String> = ["人", "次", "个", "条", "篇", "场", "件", "单", "家", "位", "款", "份", "名", "笔", "张", "组",
                                                    "套", "台", "期", "人次", "pv", "uv", "people", "times", "pcs"]
}

/// A header that is one small edit away from a template column's name, or that fits two columns:
/// reported at its cell with "did you mean".
public struct NearMiss: Sendable {
    public var column: Int
    public var header: String
    /// Template column keys it may mean (one: a typo, read as that column; several: ambiguous, not read).
    public var candidates: [String]
}

/// How a sheet of a filled-in workbook maps onto a template sheet: which row holds the headers
/// and which column holds each template column. Made for workbooks this tool did not make.
public struct SheetMapping: Sendable {
    public var sheetName: String
    public var templateID: String
    public var templateSheet: String
    /// 1-based row of the headers (the lower one of a header over two rows): data starts below it.
    public var headerRow: Int
    /// The first header row: `headerRow - 1` when group headers (计划时间 over 开始 / 结束) sit above.
    public var firstHeaderRow: Int
    /// Template column key → 1-based column.
    public var columns: [String: Int]
    /// The header each mapped column was found by, as written (a group header joined: `计划时间/开始`).
    public var headers: [String: String] = [:]
    /// Units written in headers (`预算(万元)`), by template column key: values are scaled into the template's unit.
    public var units: [String: HeaderUnit] = [:]
    /// Columns the user added (kept, reported as info), with their header text.
    public var extra: [(column: Int, header: String)]
    /// Headers that look like a template column's name misspelt, or that fit two columns.
    public var nearMisses: [NearMiss] = []
    /// The hidden column `tracksheet sync` keeps each row's identity in (header `tracksheet-id`).
    public var idColumn: Int?
    public var missingRequired: [String]
    public var missingOptional: [String]
    /// Matched template columns ÷ template columns.
    public var score: Double
    /// The score with the evidence of the values below the header: how well the first data rows
    /// fit the mapped columns' types and choices (0…1 each), used to choose between templates.
    public var evidence: Double = 0
    /// Another template (`id/sheet`) that fits the sheet about as well: which one it is was not clear.
    public var ambiguousWith: String?

    /// The unit a mapped column's values are written in, for messages (`万元`), when the header names one.
    public func unitLabel(_ key: String) -> String? { units[key].map(\.label) }
    /// The factor from the column's written unit to the template's (1 when the header names none).
    public func factor(_ key: String) -> Double { units[key]?.factor ?? 1 }
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

    /// `预算金额(元)` → `预算金额`; `完成状态(未开始/进行中/已完成/延期)` → `完成状态`; `预算/万元` → `预算`.
    public static func base(_ normalized: String) -> String {
        guard let i = bracket(normalized), i > normalized.utf8.startIndex else { return normalized }
        return String(Substring(normalized.utf8[..<i]))
    }

    /// Where a header's bracket (or `/`) starts: `(`, `/`, `[` or `【` (E3 80 90), found among the
    /// bytes (no grapheme breaking: this runs for every header cell tried).
    static func bracket(_ s: String) -> String.Index? {
        let u = s.utf8
        var i = u.startIndex
        while i < u.endIndex {
            let b = u[i]
            if b == UInt8(ascii: "(") || b == UInt8(ascii: "/") || b == UInt8(ascii: "[") { return i }
            if b == 0xE3 {
                let j = u.index(after: i)
                if j < u.endIndex, u[j] == 0x80 {
                    let k = u.index(after: j)
                    if k < u.endIndex, u[k] == 0x90 { return i }
                }
            }
            i = u.index(after: i)
        }
        return nil
    }

    /// What follows a header's name: the bracket's content (`万元` of `预算(万元)`), or the text after `/`.
    static func unitText(_ normalized: String) -> String? {
        guard let i = bracket(normalized) else { return nil }
        var rest = normalized[normalized.index(after: i)...]
        while let last = rest.last, last == ")" || last == "]" || last == "】" { rest = rest.dropLast() }
        return rest.isEmpty ? nil : String(rest)
    }

    /// Unit words a header may end with, without brackets (`预算万元`, `点击率%`): the name is what comes before.
    static let unitSuffixes = ["万元", "千元", "百万元", "亿元", "元", "%"]

    /// A template column's names (Chinese, English, aliases) normalised, and without their
    /// bracketed unit or note: made once per sheet, not once per header tried.
    struct Names {
        let column: Template.Column
        let exact: [String]
        let bases: [String]
        /// Every name as characters, for the edit distance of near misses.
        let spelled: [[Character]]

        init(_ c: Template.Column) {
            column = c
            exact = ([c.zh, c.en] + (c.aliases ?? [])).map(HeaderMatcher.normalize)
            // A RACI role's column is named with its letter (负责人(A)): a plain 负责人 is an owner, not the A.
            bases = c.type == .raciRole ? [] : Array(Set(exact.map(HeaderMatcher.base).filter { !$0.isEmpty }))
            spelled = Array(Set(exact + bases)).map(Array.init)
        }
    }

    /// A template sheet's names by text: which columns (in template order) each name or base names,
    /// looked up by hash instead of compared with every name.
    final class NameIndex {
        let names: [Names]
        let exact: [String: [Int]]
        let bases: [String: [Int]]

        init(_ columns: [Template.Column]) {
            names = columns.map(Names.init)
            var e: [String: [Int]] = [:], b: [String: [Int]] = [:]
            for (i, n) in names.enumerated() {
                for x in Set(n.exact) { e[x, default: []].append(i) }
                for x in n.bases { b[x, default: []].append(i) }
            }
            exact = e; bases = b
        }

        func first(_ list: [Int]?, taken: [String: Int]) -> Template.Column? {
            guard let list else { return nil }
            for i in list where taken[names[i].column.key] == nil { return names[i].column }
            return nil
        }
    }

    /// The template column a header names: exact (Chinese, English, alias) first, then the name
    /// without its bracketed unit or note, then without a unit word at its end.
    static func column(normalized h: String, in names: NameIndex, taken: [String: Int]) -> Template.Column? {
        guard !h.isEmpty else { return nil }
        if let c = names.first(names.exact[h], taken: taken) { return c }
        let hb = base(h)
        guard !hb.isEmpty else { return nil }
        if let c = names.first(names.bases[hb], taken: taken) { return c }
        for suffix in unitSuffixes where hb.hasSuffix(suffix) && hb.count > suffix.count {
            if let c = names.first(names.bases[String(hb.dropLast(suffix.count))], taken: taken) { return c }
        }
        return nil
    }

    /// The unit a matched header names, when it fits the column's type.
    static func unit(of header: String, for c: Template.Column) -> HeaderUnit? {
        let h = normalize(header)
        if let u = unitText(h).flatMap({ HeaderUnit.parse($0, type: c.type) }) { return u }
        let hb = base(h)
        for suffix in unitSuffixes where hb.hasSuffix(suffix) && hb.count > suffix.count {
            if let u = HeaderUnit.parse(suffix, type: c.type) { return u }
        }
        return nil
    }

    /// A group header's words that do not belong to the column's own name: `计划时间` over `开始`
    /// is `计划开始`, `实际日期` over `结束` is `实际结束`.
    static let groupSuffixes = ["时间", "日期", "阶段", "情况", "信息", "数据", "time", "date", "dates"]

    /// The ways a header under a group header may be read, best first.
    static func candidates(normalizedSub s: String, group: String?) -> [String] {
        guard let group else { return [s] }
        // The group without its unit (`预算(元)` over `计划` / `实际`): the unit is read from the group apart.
        let g = base(group)
        guard !g.isEmpty else { return [s] }
        var out = [g + s]
        for suffix in groupSuffixes where g.hasSuffix(suffix) && g.count > suffix.count {
            out.append(String(g.dropLast(suffix.count)) + s)
            out.append(String(g.dropLast(suffix.count)) + s + suffix)
        }
        // `预算` over `计划` is 计划预算; `Budget` over `Planned` is planned budget.
        out.append(s + g)
        out.append(s)
        return out
    }

    /// Characters apart (insertions, deletions, substitutions), for "did you mean".
    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int { editDistance(Array(a), Array(b), limit: limit) }

    static func editDistance(_ x: [Character], _ y: [Character], limit: Int) -> Int {
        if abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                rowMin = min(rowMin, cur[j])
            }
            if rowMin > limit { return limit + 1 }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The edits a header of `length` characters may be from a name to be a typo of it.
    static func typoLimit(_ length: Int, ascii: Bool) -> Int {
        if ascii { return length >= 8 ? 2 : length >= 4 ? 1 : 0 }
        return length >= 6 ? 2 : length >= 3 ? 1 : 0
    }

    /// The template columns (not yet mapped) a header is a near miss of, closest first.
    static func nearMisses(_ header: String, in names: NameIndex, taken: [String: Int]) -> [String] {
        let h = base(normalize(header))
        guard h.count >= 3 || (h.allSatisfy(\.isASCII) && h.count >= 4) else { return [] }
        let limit = typoLimit(h.count, ascii: h.allSatisfy(\.isASCII))
        guard limit > 0 else { return [] }
        let chars = Array(h)
        var found: [(key: String, distance: Int)] = []
        for n in names.names where taken[n.column.key] == nil {
            let d = n.spelled.map { editDistance(chars, $0, limit: limit) }.min() ?? limit + 1
            if d <= limit { found.append((n.column.key, d)) }
        }
        guard let best = found.map(\.distance).min() else { return [] }
        return found.filter { $0.distance == best }.map(\.key)
    }

    /// Header texts normalised once each, however many template sheets try them.
    final class Normalized {
        private var memo: [String: String] = [:]
        /// Each template sheet's name index, made once per workbook (not once per sheet read).
        private var indexes: [String: NameIndex] = [:]
        func names(_ template: Template, _ sheet: Template.Sheet) -> NameIndex {
            let key = template.id + "\u{0}" + sheet.id
            if let n = indexes[key] { return n }
            let n = NameIndex(sheet.columns)
            indexes[key] = n
            return n
        }
        func callAsFunction(_ s: String) -> String {
            if let n = memo[s] { return n }
            let n = HeaderMatcher.normalize(s)
            if memo.count < 100_000 { memo[s] = n }
            return n
        }
    }

    /// Header cells read as headers, per row: no real header row is wider (a wider one is data or
    /// a crafted file, and matching each of its cells against every name would take long).
    public static let maxHeaderCells = 160
    /// Unknown headers tried as near misses, per row.
    static let maxNearMissTries = 64

    /// Text cells of a row by column (the first `maxHeaderCells`).
    static func texts(_ row: Row) -> [Int: String] {
        var out: [Int: String] = [:]
        for cell in row.cells {
            guard case .string(let text) = cell.value, text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else { continue }
            out[cell.column] = text
            if out.count >= maxHeaderCells { break }
        }
        return out
    }

    /// The mapping of `sheet` with its headers in `row`, with `above` (the row over it) read as
    /// group headers when given.
    static func mapping(_ row: Row, above: Row?, sheetName: String, template: Template, sheet: Template.Sheet, names: NameIndex,
                        normalized: Normalized = Normalized()) -> SheetMapping? {
        let own = texts(row)
        let up = above.map(texts) ?? [:]
        var mapped: [String: Int] = [:], headers: [String: String] = [:], units: [String: HeaderUnit] = [:]
        var extra: [(Int, String)] = []
        var idColumn: Int?
        var usedAbove = false
        // A group header is carried right over the headers under it (merged or not), until the row
        // above has text again or the row itself has none.
        var group: String?
        let columns = Set(own.keys).union(above == nil ? [] : Set(up.keys)).sorted()
        var previous = 0
        for col in columns {
            if col != previous + 1 { group = nil }
            previous = col
            if let u = up[col] { group = u }
            guard let sub = own[col] else {
                // A header over both rows (merged down, or written in the upper one only).
                group = nil
                guard let u = up[col] else { continue }
                let un = normalized(u)
                if un == idHeader { idColumn = col; continue }
                if let c = column(normalized: un, in: names, taken: mapped) {
                    mapped[c.key] = col; headers[c.key] = u; usedAbove = true
                    if let unit = unit(of: u, for: c) { units[c.key] = unit }
                } else { extra.append((col, u)) }
                continue
            }
            let subN = normalized(sub)
            if subN == idHeader { idColumn = col; continue }
            var found: (Template.Column, String)?
            let tries = candidates(normalizedSub: subN, group: group.map { normalized($0) })
            for (i, candidate) in tries.enumerated() {
                if let c = column(normalized: candidate, in: names, taken: mapped) {
                    found = (c, candidate)
                    if i < tries.count - 1 { usedAbove = true }
                    break
                }
            }
            if let (c, _) = found {
                mapped[c.key] = col
                headers[c.key] = group.map { "\($0)/\(sub)" } ?? sub
                if let unit = unit(of: sub, for: c) ?? group.flatMap({ unit(of: $0, for: c) }) { units[c.key] = unit }
            } else {
                let header = group.map { "\($0)/\(sub)" } ?? sub
                extra.append((col, header))
            }
        }
        // A title row names one thing; a header row names several columns.
        guard mapped.count >= 3 else { return nil }
        let score = Double(mapped.count) / Double(sheet.columns.count)
        let missing = sheet.columns.filter { mapped[$0.key] == nil }
        return SheetMapping(sheetName: sheetName, templateID: template.id, templateSheet: sheet.id, headerRow: row.index,
                            firstHeaderRow: usedAbove ? row.index - 1 : row.index,
                            columns: mapped, headers: headers, units: units, extra: extra, idColumn: idColumn,
                            missingRequired: missing.filter { $0.required == true && $0.derived == nil }.map(\.key),
                            missingOptional: missing.filter { $0.required != true || $0.derived != nil }.map(\.key), score: score)
    }

    /// Near misses among the headers a mapping did not understand: a typo is read as its column
    /// (and said so); a header fitting two columns is left out and said so. Made for the chosen
    /// header row only.
    static func withNearMisses(_ m: SheetMapping, sheet: Template.Sheet, names: NameIndex) -> SheetMapping {
        var m = m
        var rest: [(column: Int, header: String)] = []
        for (i, (col, header)) in m.extra.enumerated() {
            if i >= maxNearMissTries { rest.append((col, header)); continue }
            let keys = nearMisses(header, in: names, taken: m.columns)
            if keys.isEmpty { rest.append((col, header)); continue }
            m.nearMisses.append(NearMiss(column: col, header: header, candidates: keys))
            if keys.count == 1, let c = sheet.columns.first(where: { $0.key == keys[0] }) {
                m.columns[c.key] = col; m.headers[c.key] = header
                if let unit = unit(of: header, for: c) { m.units[c.key] = unit }
            }
        }
        m.extra = rest
        let missing = sheet.columns.filter { m.columns[$0.key] == nil }
        m.missingRequired = missing.filter { $0.required == true && $0.derived == nil }.map(\.key)
        m.missingOptional = missing.filter { $0.required != true || $0.derived != nil }.map(\.key)
        m.score = Double(m.columns.count) / Double(sheet.columns.count)
        return m
    }

    /// The best header row of `rows` (the sheet's first rows) for `sheet`: one row, or two when the
    /// upper one holds group headers.
    public static func map(rows: [Row], sheetName: String, template: Template, sheet: Template.Sheet) -> SheetMapping? {
        map(rows: rows, sheetName: sheetName, template: template, sheet: sheet, normalized: Normalized())
    }

    static func map(rows: [Row], sheetName: String, template: Template, sheet: Template.Sheet, normalized: Normalized) -> SheetMapping? {
        var best: SheetMapping?
        let names = normalized.names(template, sheet)
        for (i, row) in rows.enumerated() where row.index <= searchRows {
            let above = i > 0 && rows[i - 1].index == row.index - 1 ? rows[i - 1] : nil
            if var m = mapping(row, above: nil, sheetName: sheetName, template: template, sheet: sheet, names: names, normalized: normalized) {
                m.evidence = evidence(m, rows: rows, sheet: sheet)
                if best == nil || m.score > best!.score + 1e-9 || (abs(m.score - best!.score) < 1e-9 && m.evidence > best!.evidence + 1e-9) { best = m }
            }
            // Over two rows only when the upper row's group headers make more columns understood
            // than either row alone (a data row under a header row is not a second header row).
            if let above, var m = mapping(row, above: above, sheetName: sheetName, template: template, sheet: sheet, names: names, normalized: normalized),
               m.firstHeaderRow < m.headerRow, best == nil || m.score > best!.score + 1e-9 {
                m.evidence = evidence(m, rows: rows, sheet: sheet)
                best = m
            }
        }
        guard let chosen = best else { return nil }
        var m = withNearMisses(chosen, sheet: sheet, names: names)
        if m.columns.count != chosen.columns.count { m.evidence = evidence(m, rows: rows, sheet: sheet) }
        return m
    }

    /// How well a mapping is borne out: matched columns, and for each the share of the values below
    /// the header (in the rows read) that fit its type or choices. 0…1.
    static func evidence(_ m: SheetMapping, rows: [Row], sheet: Template.Sheet) -> Double {
        let data = rows.filter { $0.index > m.headerRow }
        var fit = 0.0
        for c in sheet.columns {
            guard let col = m.columns[c.key] else { continue }
            var seen = 0, good = 0
            for row in data {
                guard let v = row.cell(at: col)?.value else { continue }
                switch v {
                case .empty: continue
                case .string(let s) where s.trimmingCharacters(in: .whitespaces).isEmpty: continue
                default: break
                }
                seen += 1
                if fits(v, c) { good += 1 }
            }
            fit += seen == 0 ? 0.5 : Double(good) / Double(seen)
        }
        let mapped = Double(m.columns.count)
        // The template's columns found, the sheet's headers explained (weighed most: a sheet whose
        // every header a template understands is that template's), the values that fit.
        let coverage = mapped / Double(sheet.columns.count)
        let explained = mapped / (mapped + Double(m.extra.count))
        return 0.25 * coverage + 0.5 * explained + 0.25 * (fit / mapped)
    }

    /// Whether a value looks like what the column takes (a rough test, for choosing a template).
    static func fits(_ v: CellValue, _ c: Template.Column) -> Bool {
        let text: String? = if case .string(let s) = v { s.trimmingCharacters(in: .whitespacesAndNewlines) } else { nil }
        if let allowed = c.allowed, let text {
            let n = normalize(text)
            return allowed.contains { n.hasPrefix(normalize($0)) || normalize($0).hasPrefix(n) } || ["-", "—", "/"].contains(text)
        }
        switch c.type {
        case .date, .dateOrRange, .time:
            if case .date = v { return true }
            if case .number(let n) = v { return n >= 0 && n < 80_000 }
            return text.map { t in t.contains(where: \.isNumber) && (t.contains("-") || t.contains("/") || t.contains(".") || t.contains("年") || t.contains("月") || t.contains(":") || t.contains("天") || t.contains("日")) } ?? false
        case .money, .count, .percent, .ratio:
            if case .number = v { return true }
            return text.map { $0.contains(where: \.isNumber) || ["-", "—", "/", "无"].contains($0) } ?? false
        case .checkboxes:
            return text.map { $0.contains("□") || $0.contains("■") || $0.contains("☑") || $0.contains("已完成") || $0.contains("进行中") || $0.contains("未开始") } ?? false
        case .deadlineRule:
            return text.map { $0.contains("活动") || $0.contains("天") || $0.lowercased().contains("day") } ?? false
        default:
            return text != nil
        }
    }

    /// Maps every worksheet of `workbook` onto the best-fitting sheet of the best-fitting template.
    /// Only the first rows of each sheet are read.
    public static func detect(in workbook: Workbook, templates: [Template]) throws -> [SheetMapping] {
        try detectSheets(in: workbook, templates: templates).map(\.mapping)
    }

    /// `detect`, with the rows each mapped sheet was matched on (its first `searchRows`): the
    /// titles and header rows above its data, kept so that nobody reads them again.
    public static func detectSheets(in workbook: Workbook, templates: [Template]) throws -> [(mapping: SheetMapping, firstRows: [Row])] {
        var result: [(mapping: SheetMapping, firstRows: [Row])] = []
        let normalized = Normalized()
        for info in workbook.sheets where info.kind == .worksheet {
            let rows = try firstRows(of: info, in: workbook)
            var found: [SheetMapping] = []
            for t in templates {
                for s in t.sheets {
                    if let m = map(rows: rows, sheetName: info.name, template: t, sheet: s, normalized: normalized) { found.append(m) }
                }
            }
            // By evidence: headers matched and values that fit them.
            found.sort { $0.evidence > $1.evidence }
            guard var best = found.first else { continue }
            if let second = found.dropFirst().first(where: { $0.templateID != best.templateID }),
               best.evidence - second.evidence < ambiguityMargin, best.score < 0.999 {
                best.ambiguousWith = "\(second.templateID)/\(second.templateSheet)"
            }
            result.append((best, rows))
        }
        return result
    }

    /// Two templates whose evidence for a sheet is closer than this fit it about equally.
    public static let ambiguityMargin = 0.04

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
