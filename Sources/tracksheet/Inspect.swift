import ArgumentParser
import Templates
import Rules
import XLSX

/// `tracksheet inspect FILE [--format json] [--cells]`
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a workbook's sheets, sizes, merged ranges, validations and defined names.")

    @Argument(help: "The .xlsx workbook to look at.")
    var file: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Every cell value, keyed by A1 reference (implies --format json).")
    var cells = false

    @OptionGroup var common: CommonOptions

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    mutating func validate() throws {
        if cells { format = .json }
    }

    func run() throws {
        let speech = common.speech
        let book = try Workbook(path: file)
        // Which template the workbook follows, and where each of its columns is; its headers'
        // language is the answer's, as for every command (--lang first, LANG when nothing matches).
        let templates = try Templates.all(extra: nil, speech: speech)
        // tracksheet's own sheets (汇总, 数据看板, 甘特图 …) are not a template's, as validate reads them.
        let mappings = try HeaderMatcher.detect(in: book, templates: templates).filter { !CampaignBook.isOwnSheet($0.sheetName) }
        let zh = common.chinese(workbook: Self.chineseHeaders(mappings))
        var sheetsJSON: [JSONValue] = []
        var text = zh ? "文件 \(file)\n" : "File \(file)\n"
        text += zh ? "日期系统 \(book.is1904 ? 1904 : 1900),\(book.sheets.count) 个工作表\n"
                   : "Date system \(book.is1904 ? 1904 : 1900), \(book.sheets.count) sheet(s)\n"
        var problems: [ReadProblem] = []

        for sheet in book.sheets {
            var cellPairs: [(String, JSONValue)] = []
            let wantCells = cells && format == .json
            let meta = try book.readSheet(sheet) { row in
                guard wantCells else { return }
                for cell in row.cells {
                    if let v = cell.value.portableJSON {
                        cellPairs.append(("\(CellReference.columnName(cell.column))\(row.index)", v))
                    }
                }
            }
            problems += meta.problems
            let comments = (try? book.comments(of: sheet)) ?? []
            var obj: [(String, JSONValue)] = [
                ("name", .string(sheet.name)),
                ("kind", .string(sheet.kind.rawValue)),
                ("visibility", .string(sheet.visibility.rawValue)),
                ("part", sheet.part.map(JSONValue.string) ?? .null),
                ("dimension", meta.dimension.map(JSONValue.string) ?? .null),
                ("usedRange", meta.usedRange.map { .string($0.description) } ?? .null),
                ("rows", .number(Double(meta.rowCount))),
                ("cells", .number(Double(meta.cellCount))),
                ("mergedRanges", .array(meta.mergedRanges.map { .string($0.description) })),
                ("dataValidations", .array(meta.dataValidations.map(Self.json))),
                ("hyperlinks", .array(meta.hyperlinks.map { link in
                    .object([("range", .string(link.range.description)),
                             ("target", link.target.map(JSONValue.string) ?? .null),
                             ("location", link.location.map(JSONValue.string) ?? .null)])
                })),
                ("comments", .array(comments.map { .object([("cell", .string($0.cell.description)), ("author", .string($0.author)), ("text", .string($0.text))]) })),
                ("columns", .array(meta.columns.map { c in
                    .object([("first", .number(Double(c.first))), ("last", .number(Double(c.last))),
                             ("width", c.width.map(JSONValue.number) ?? .null), ("hidden", .bool(c.isHidden))])
                })),
                ("hiddenRows", .array(meta.hiddenRows.map { .number(Double($0)) })),
                ("frozenAt", meta.frozenAt.map { .string($0.description) } ?? .null),
            ]
            if wantCells { obj.append(("cells", .object(cellPairs))) }
            sheetsJSON.append(.object(obj))

            let vis = sheet.visibility == .visible ? "" : (zh ? " [\(sheet.visibility == .hidden ? "隐藏" : "深度隐藏")]" : " [\(sheet.visibility.rawValue)]")
            text += "\n  \(sheet.position + 1). \(sheet.name)\(vis) — \(Self.name(of: sheet.kind, chinese: zh))"
            if let used = meta.usedRange { text += zh ? ",数据区域 \(used)" : ", data in \(used)" }
            text += zh ? ",\(meta.rowCount) 行,\(meta.cellCount) 个有值单元格" : ", \(meta.rowCount) row(s), \(meta.cellCount) cell(s) with values"
            if sheet.kind == .worksheet && CampaignBook.isOwnSheet(sheet.name) {
                text += zh ? "(tracksheet 自己的表,不按模板读)" : " (tracksheet's own sheet, not read as a template's)"
            }
            text += "\n"
            if !meta.mergedRanges.isEmpty {
                text += (zh ? "     合并单元格: " : "     merged: ") + meta.mergedRanges.prefix(12).map(\.description).joined(separator: " ") + (meta.mergedRanges.count > 12 ? " …(\(meta.mergedRanges.count))" : "") + "\n"
            }
            for v in meta.dataValidations.prefix(12) {
                let items = v.listItems.map { " [\($0.joined(separator: ", "))]" } ?? (v.formula1.map { " \($0)" } ?? "")
                text += (zh ? "     数据验证 " : "     validation ") + "\(Self.name(ofValidation: v.type, chinese: zh)) \(v.ranges.map(\.description).joined(separator: " "))\(items)\n"
            }
            if let f = meta.frozenAt { text += (zh ? "     冻结窗格于 " : "     frozen at ") + "\(f)\n" }
            if !comments.isEmpty { text += zh ? "     批注 \(comments.count) 条\n" : "     \(comments.count) note(s)\n" }
            if !meta.hyperlinks.isEmpty { text += zh ? "     超链接 \(meta.hyperlinks.count) 个\n" : "     \(meta.hyperlinks.count) hyperlink(s)\n" }
        }
        if !book.definedNames.isEmpty {
            text += zh ? "\n定义的名称:\n" : "\nDefined names:\n"
            for n in book.definedNames { text += "  \(n.name) = \(n.formula)\(n.localSheet.map { zh ? "(工作表 \($0 + 1))" : " (sheet \($0 + 1))" } ?? "")\n" }
        }
        for m in mappings {
            let t = templates.first { $0.id == m.templateID }!
            let spec = t.sheets.first { $0.id == m.templateSheet }!
            let rows = m.firstHeaderRow == m.headerRow ? "\(m.headerRow)" : "\(m.firstHeaderRow)–\(m.headerRow)"
            text += zh ? "\n模板 \(m.templateID):“\(m.sheetName)”对应“\(spec.name.zh)”,表头在第 \(rows) 行\n"
                       : "\nTemplate \(m.templateID): \"\(m.sheetName)\" is \"\(spec.name.en)\", headers in row \(rows)\n"
            let explained = m.columns.count + m.extra.count
            text += zh ? "  依据:模板 \(spec.columns.count) 列中找到 \(m.columns.count) 列,表头 \(explained) 个中识别 \(m.columns.count) 个,综合吻合度 \(Int((m.evidence * 100).rounded()))%\n"
                       : "  why: \(m.columns.count) of the template's \(spec.columns.count) columns found, \(m.columns.count) of \(explained) headers understood, fit \(Int((m.evidence * 100).rounded()))% with the values below\n"
            if let other = m.ambiguousWith {
                text += zh ? "  注意:与模板 \(other) 的吻合程度相当,请用 --template 指定\n" : "  note: fits \(other) about as well; choose with --template\n"
            }
            for c in spec.columns {
                // Only a missing required column is a problem; optional ones (the derived 达成率 and
                // 达标情况 among them) may be absent.
                let at = m.columns[c.key].map { CellReference.columnName($0) }
                    ?? (m.missingRequired.contains(c.key) ? (zh ? "缺少" : "MISSING") : "—")
                var line = "  \(at.padding(toLength: 4, withPad: " ", startingAt: 0)) \(zh ? c.zh : c.en)"
                if let raw = m.headers[c.key], HeaderMatcher.normalize(raw) != HeaderMatcher.normalize(zh ? c.zh : c.en) {
                    let h = raw.split(whereSeparator: \.isNewline).joined(separator: " ")
                    line += zh ? " ← “\(h)”" : " ← \"\(h)\""
                }
                if let u = m.units[c.key], u.factor != 1 { line += zh ? "(单位 \(u.label),×\(Int(u.factor)) 折算为元)" : " (in \(u.label): ×\(Int(u.factor)) to CNY)" }
                text += line + "\n"
            }
            for n in m.nearMisses {
                let names = n.candidates.compactMap { k in spec.columns.first { $0.key == k } }.map { zh ? $0.zh : $0.en }
                text += zh ? "  \(CellReference.columnName(n.column)) “\(n.header)”:是否想写 \(names.joined(separator: " 或 "))?\n"
                           : "  \(CellReference.columnName(n.column)) \"\(n.header)\": did you mean \(names.joined(separator: " or "))?\n"
            }
            for e in m.extra { text += (zh ? "  \(CellReference.columnName(e.column)) 额外的列(保留):" : "  \(CellReference.columnName(e.column)) extra column (kept): ") + e.header + "\n" }
            if !m.missingRequired.isEmpty {
                text += (zh ? "  缺少必填列:" : "  missing required columns: ") + m.missingRequired.map { k in spec.columns.first { $0.key == k }.map { zh ? $0.zh : $0.en } ?? k }.joined(separator: ", ") + "\n"
            }
        }

        if !problems.isEmpty {
            text += zh ? "\n读取时发现的问题:\n" : "\nProblems while reading:\n"
            for p in problems { text += "  \(p.part)\(p.cell.map { " \($0)" } ?? ""): \(zh ? p.chinese : p.english)\n" }
        }

        switch format {
        case .text:
            print(text.split(separator: "\n", omittingEmptySubsequences: false).map { Output.safe(String($0), max: 2_000) }.joined(separator: "\n"), terminator: "")
        case .json:
            let doc: JSONValue = .object([
                ("file", .string(file)),
                ("dateSystem", .number(book.is1904 ? 1904 : 1900)),
                ("sheets", .array(sheetsJSON)),
                ("definedNames", .array(book.definedNames.map { n in
                    .object([("name", .string(n.name)), ("formula", .string(n.formula)),
                             ("localSheet", n.localSheet.map { .number(Double($0)) } ?? .null), ("hidden", .bool(n.isHidden))])
                })),
                ("templates", .array(mappings.map { m in
                    .object([("sheet", .string(m.sheetName)), ("template", .string(m.templateID)), ("templateSheet", .string(m.templateSheet)),
                             ("headerRow", .number(Double(m.headerRow))),                              ("columns", .object(m.columns.sorted { $0.value < $1.value }.map { ($0.key, .string(CellReference.columnName($0.value))) })),
                             ("extra", .array(m.extra.map { .object([("column", .string(CellReference.columnName($0.column))), ("header", .string($0.header))]) })),
                             ("missingRequired", .array(m.missingRequired.map(JSONValue.string))),
                             ("missingOptional", .array(m.missingOptional.map(JSONValue.string))),
                             ("firstHeaderRow", .number(Double(m.firstHeaderRow))),
                             ("evidence", .number((m.evidence * 1000).rounded() / 1000)),
                             ("ambiguousWith", m.ambiguousWith.map(JSONValue.string) ?? .null),
                             ("headers", .object(m.headers.sorted { (m.columns[$0.key] ?? 0) < (m.columns[$1.key] ?? 0) }.map { ($0.key, .string($0.value)) })),
                             ("units", .object(m.units.sorted { $0.key < $1.key }.map { ($0.key, .object([("label", .string($0.value.label)), ("factor", .number($0.value.factor))])) })),
                             ("nearMisses", .array(m.nearMisses.map { n in .object([("column", .string(CellReference.columnName(n.column))), ("header", .string(n.header)),
                                                                                    ("candidates", .array(n.candidates.map(JSONValue.string)))]) }))])
                })),
                ("problems", .array(problems.map { p in
                    .object([("part", .string(p.part)), ("cell", p.cell.map { .string($0.description) } ?? .null),
                             ("message", .string(zh ? p.chinese : p.english))])
                })),
            ])
            FileHandleOutput.standardOutput.write(doc.text + "\n")
        }
    }

    static func name(of kind: SheetInfo.Kind, chinese zh: Bool) -> String {
        switch kind {
        case .worksheet: zh ? "工作表" : "worksheet"
        case .chartsheet: zh ? "图表工作表" : "chart sheet"
        case .dialogsheet: zh ? "对话框工作表" : "dialog sheet"
        case .macrosheet: zh ? "宏工作表" : "macro sheet"
        case .unknown: zh ? "未知类型" : "unknown kind"
        }
    }

    /// A data validation's type (`list`, `decimal` …) as Excel's dialog names it.
    static func name(ofValidation type: String, chinese zh: Bool) -> String {
        let names: [String: (String, String)] = [
            "list": ("序列", "list"), "whole": ("整数", "whole number"), "decimal": ("小数", "decimal"), "date": ("日期", "date"),
            "time": ("时间", "time"), "textLength": ("文本长度", "text length"), "custom": ("自定义", "custom"), "none": ("任何值", "any value"),
        ]
        guard let n = names[type] else { return Output.safe(type, max: 40) }
        return zh ? n.0 : n.1
    }

    /// Whether the headers the mappings were found by are mostly Chinese; nil when none matched.
    static func chineseHeaders(_ mappings: [SheetMapping]) -> Bool? {
        let headers = mappings.flatMap(\.headers.values)
        guard !headers.isEmpty else { return nil }
        let chinese = headers.filter { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }.count
        return chinese * 2 >= headers.count
    }

    static func json(_ v: DataValidation) -> JSONValue {
        .object([("type", .string(v.type)), ("sqref", .string(v.ranges.map(\.description).joined(separator: " "))),
                 ("formula1", v.formula1.map(JSONValue.string) ?? .null),
                 ("list", v.listItems.map { .array($0.map(JSONValue.string)) } ?? .null)])
    }
}
