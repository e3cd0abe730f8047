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
        func say(_ key: CommandMessageKey, _ values: [String: Line.Value] = [:]) -> String { words(key, values, chinese: zh) }
        var sheetsJSON: [JSONValue] = []
        var text = say(.inspectFile, ["file": "\(file)"]) + "\n"
        text += say(.inspectDates, ["system": "\(book.is1904 ? 1904 : 1900)", "count": "\(book.sheets.count)"]) + "\n"
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

            let vis = sheet.visibility == .visible ? "" : say(sheet.visibility == .hidden ? .inspectHidden : .inspectVeryHidden)
            text += "\n  \(sheet.position + 1). \(sheet.name)\(vis) — \(say(Self.name(of: sheet.kind)))"
            if let used = meta.usedRange { text += say(.inspectDataIn, ["range": "\(used)"]) }
            text += say(.inspectCounts, ["rows": "\(meta.rowCount)", "cells": "\(meta.cellCount)"])
            if sheet.kind == .worksheet && CampaignBook.isOwnSheet(sheet.name) { text += say(.inspectOwnSheet) }
            text += "\n"
            if !meta.mergedRanges.isEmpty {
                text += say(.inspectMerged) + meta.mergedRanges.prefix(12).map(\.description).joined(separator: " ") + (meta.mergedRanges.count > 12 ? " …(\(meta.mergedRanges.count))" : "") + "\n"
            }
            for v in meta.dataValidations.prefix(12) {
                let items = v.listItems.map { " [\($0.joined(separator: ", "))]" } ?? (v.formula1.map { " \($0)" } ?? "")
                text += say(.inspectValidation) + "\(Self.name(ofValidation: v.type).map { say($0) } ?? Output.safe(v.type, max: 40)) \(v.ranges.map(\.description).joined(separator: " "))\(items)\n"
            }
            if let f = meta.frozenAt { text += say(.inspectFrozen, ["cell": "\(f)"]) + "\n" }
            if !comments.isEmpty { text += say(.inspectNotes, ["count": "\(comments.count)"]) + "\n" }
            if !meta.hyperlinks.isEmpty { text += say(.inspectLinks, ["count": "\(meta.hyperlinks.count)"]) + "\n" }
        }
        if !book.definedNames.isEmpty {
            text += say(.inspectNames) + "\n"
            for n in book.definedNames { text += "  \(n.name) = \(n.formula)\(n.localSheet.map { say(.inspectLocalSheet, ["number": "\($0 + 1)"]) } ?? "")\n" }
        }
        for m in mappings {
            let t = templates.first { $0.id == m.templateID }!
            let spec = t.sheets.first { $0.id == m.templateSheet }!
            let rows = m.firstHeaderRow == m.headerRow ? "\(m.headerRow)" : "\(m.firstHeaderRow)–\(m.headerRow)"
            text += say(.inspectTemplate, ["template": "\(m.templateID)", "sheet": "\(m.sheetName)", "name": .each(en: spec.name.en, zh: spec.name.zh),
                                           "rows": "\(rows)"]) + "\n"
            let explained = m.columns.count + m.extra.count
            text += say(.inspectWhy, ["found": "\(m.columns.count)", "columns": "\(spec.columns.count)", "headers": "\(explained)",
                                      "fit": "\(Int((m.evidence * 100).rounded()))"]) + "\n"
            if let other = m.ambiguousWith { text += say(.inspectAmbiguous, ["other": "\(other)"]) + "\n" }
            for c in spec.columns {
                // Only a missing required column is a problem; optional ones (the derived 达成率 and
                // 达标情况 among them) may be absent.
                let at = m.columns[c.key].map { CellReference.columnName($0) }
                    ?? (m.missingRequired.contains(c.key) ? say(.inspectMissing) : "—")
                var line = "  \(at.padding(toLength: 4, withPad: " ", startingAt: 0)) \(zh ? c.zh : c.en)"
                if let raw = m.headers[c.key], HeaderMatcher.normalize(raw) != HeaderMatcher.normalize(zh ? c.zh : c.en) {
                    let h = raw.split(whereSeparator: \.isNewline).joined(separator: " ")
                    line += say(.inspectHeaderAs, ["header": "\(h)"])
                }
                if let u = m.units[c.key], u.factor != 1 { line += say(.inspectUnit, ["unit": "\(u.label)", "factor": "\(Int(u.factor))"]) }
                text += line + "\n"
            }
            for n in m.nearMisses {
                let names = n.candidates.compactMap { k in spec.columns.first { $0.key == k } }.map { zh ? $0.zh : $0.en }
                text += say(.inspectNearMiss, ["column": "\(CellReference.columnName(n.column))", "header": "\(n.header)",
                                               "names": "\(names.joined(separator: say(.inspectOr)))"]) + "\n"
            }
            for e in m.extra { text += say(.inspectExtra, ["column": "\(CellReference.columnName(e.column))", "header": "\(e.header)"]) + "\n" }
            if !m.missingRequired.isEmpty {
                let names = m.missingRequired.map { k in spec.columns.first { $0.key == k }.map { zh ? $0.zh : $0.en } ?? k }
                text += say(.inspectMissingRequired, ["columns": "\(names.joined(separator: ", "))"]) + "\n"
            }
        }

        if !problems.isEmpty {
            text += say(.inspectProblems) + "\n"
            for p in problems { text += "  \(p.part)\(p.cell.map { " \($0)" } ?? ""): \(words(p.said, chinese: zh))\n" }
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
                             ("message", .string(words(p.said, chinese: zh)))])
                })),
            ])
            FileHandleOutput.standardOutput.write(doc.text + "\n")
        }
    }

    static func name(of kind: SheetInfo.Kind) -> CommandMessageKey {
        switch kind {
        case .worksheet: .kindWorksheet
        case .chartsheet: .kindChartsheet
        case .dialogsheet: .kindDialogsheet
        case .macrosheet: .kindMacrosheet
        case .unknown: .kindUnknown
        }
    }

    /// A data validation's type (`list`, `decimal` …) as Excel's dialog names it; nil for one it does not name.
    static func name(ofValidation type: String) -> CommandMessageKey? {
        let names: [String: CommandMessageKey] = [
            "list": .validationList, "whole": .validationWhole, "decimal": .validationDecimal, "date": .validationDate,
            "time": .validationTime, "textLength": .validationTextLength, "custom": .validationCustom, "none": .validationNone,
        ]
        return names[type]
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
