import XLSX

/// Makes the blank, ready-to-fill workbook of a campaign from a template (`tracksheet new`).
public enum CampaignWorkbook {
    public struct Options: Sendable {
        public var campaign: String
        public var start: CalendarDate
        public var end: CalendarDate
        public var launch: CalendarDate?
        public var language: Template.Language = .zh
        /// Blank rows to fill on the sheets that have no standard rows.
        public var blankRows = 20
        /// Rows already filled in, by template sheet id (column key → value), written instead of
        /// the standard rows — the samples are made this way. Values are written as given.
        public var data: [String: [[String: CellValue]]] = [:]
        public init(campaign: String, start: CalendarDate, end: CalendarDate, launch: CalendarDate? = nil, language: Template.Language = .zh) {
            self.campaign = campaign; self.start = start; self.end = end; self.launch = launch; self.language = language
        }
    }

    /// A phase's dates in a campaign: the seed's 12-week split scaled to the period.
    public struct PhaseWindow: Sendable, Equatable {
        public var name: String
        public var start: CalendarDate
        public var end: CalendarDate
    }

    public static func phaseWindows(_ template: Template, start: CalendarDate, end: CalendarDate, language: Template.Language) -> [PhaseWindow] {
        let days = start.days(to: end) + 1
        return (template.phases ?? []).map { p in
            let from = start.adding(days: days * p.share[0] / 12)
            let to = p.share[1] >= 12 ? end : start.adding(days: days * p.share[1] / 12 - 1)
            return PhaseWindow(name: p.name.text(language), start: from, end: max(from, to))
        }
    }

    /// Writes the workbook to `path` (atomically; an existing file is replaced, so callers check first).
    public static func generate(_ template: Template, _ o: Options, to path: String) throws {
        guard o.start <= o.end else {
            throw TemplateError(.periodBackwards, ["end": "\(o.end)", "start": "\(o.start)"])
        }
        let lang = o.language
        let book = try WorkbookWriter(path: path)
        book.properties = DocumentProperties(title: "\(o.campaign) — \(template.name.text(lang))", creator: "tracksheet", custom: [
            ("tracksheet.template", template.id), ("tracksheet.templateVersion", String(template.version)),
            ("tracksheet.campaign", o.campaign), ("tracksheet.start", o.start.iso), ("tracksheet.end", o.end.iso),
        ])
        let windows = phaseWindows(template, start: o.start, end: o.end, language: lang)
        let fmt = { (d: CalendarDate) in lang == .zh ? d.chinese : d.iso }
        for spec in template.sheets {
            let sheet = try book.addSheet(spec.name.text(lang))
            let columns = spec.columns.filter { $0.alternative != true }
            let last = columns.count
            for (i, c) in columns.enumerated() { try sheet.setColumns(i + 1, width: c.width) }
            try sheet.freeze(rows: 2)
            sheet.printSetup = PrintSetup(landscape: true, fitToWidth: true, repeatRows: 1...2)

            let title = spec.title.text(lang)
                .replacingOccurrences(of: "{campaign}", with: o.campaign)
                .replacingOccurrences(of: "{start}", with: fmt(o.start)).replacingOccurrences(of: "{end}", with: fmt(o.end))
                .replacingOccurrences(of: "{phase}", with: lang == .zh ? "全部阶段" : "all phases")
                .replacingOccurrences(of: "{phaseStart}", with: fmt(o.start)).replacingOccurrences(of: "{phaseEnd}", with: fmt(o.end))
                .replacingOccurrences(of: "{launch}", with: fmt(o.launch ?? o.start))
            try sheet.writeRow([WriteCell(.string(title), style: CellStyle(bold: true, fontSize: 14, vertical: .center))], height: 28)
            sheet.merge(CellRange(first: CellReference(row: 1, column: 1), last: CellReference(row: 1, column: last)))
            let header = CellStyle(bold: true, fill: "DDEBF7", border: true, horizontal: .center, vertical: .center, wrap: true)
            try sheet.writeRow(columns.map { WriteCell(.string(lang == .zh ? $0.zh : $0.en), style: header) }, height: 32)

            var row = 3
            if let filled = o.data[spec.id], spec.rows != "fields" {
                // Rows of one phase or stage run until the next value in a merged column.
                var runStart: [Int: Int] = [:]
                for values in filled {
                    for (i, c) in columns.enumerated() where c.mergeByPhase == true && !(values[c.key] ?? .empty).isEmpty {
                        if let s = runStart[i], row - 1 > s {
                            sheet.merge(CellRange(first: CellReference(row: s, column: i + 1), last: CellReference(row: row - 1, column: i + 1)))
                        }
                        runStart[i] = row
                    }
                    try sheet.writeRow(row, columns.map { c in
                        values[c.key].map { WriteCell($0, style: cell(c, row: row, columns: columns, values: [:]).style) }
                            ?? cell(c, row: row, columns: columns, values: [:])
                    })
                    row += 1
                }
                for (i, s) in runStart where row - 1 > s {
                    sheet.merge(CellRange(first: CellReference(row: s, column: i + 1), last: CellReference(row: row - 1, column: i + 1)))
                }
            } else if spec.rows == "phaseTasks", let phases = template.phases {
                for (p, window) in zip(phases, windows) {
                    let first = row
                    for (k, task) in p.tasks.enumerated() {
                        let values: [String: CellValue] = [
                            "phase": k == 0 ? .string(p.name.text(lang)) : .empty,
                            "objective": k == 0 ? .string(p.objective.text(lang)) : .empty,
                            "task": .string(task.text(lang)),
                            "plannedStart": .date(ExcelDateTime(serial: window.start.serial)),
                            "plannedEnd": .date(ExcelDateTime(serial: window.end.serial)),
                        ]
                        try sheet.writeRow(row, columns.map { c in cell(c, row: row, columns: columns, values: values) })
                        row += 1
                    }
                    for (i, c) in columns.enumerated() where c.mergeByPhase == true && row - 1 > first {
                        sheet.merge(CellRange(first: CellReference(row: first, column: i + 1), last: CellReference(row: row - 1, column: i + 1)))
                    }
                }
            }
            if o.data[spec.id] == nil, spec.rows == "stageTasks", let stages = template.stages {
                let launch = o.launch ?? o.start
                for stage in stages {
                    let first = row
                    for (k, task) in stage.tasks.enumerated() {
                        let due = task.date(launch: launch, end: o.end)
                        try sheet.writeRow(row, columns.map { c in
                            cell(c, row: row, columns: columns, values: [
                                "stage": k == 0 ? .string(stage.name.text(lang)) : .empty,
                                "task": .string(task.name.text(lang)),
                                "detail": .string(task.detail.text(lang)),
                                "deadlineRule": .string(task.rule(lang)),
                                "deadline": .date(ExcelDateTime(serial: due.serial)),
                                "state": c.type == .checkboxes ? .string(c.allowed?.first ?? "") : .empty,
                            ])
                        })
                        row += 1
                    }
                    for (i, c) in columns.enumerated() where c.mergeByPhase == true && row - 1 > first {
                        sheet.merge(CellRange(first: CellReference(row: first, column: i + 1), last: CellReference(row: row - 1, column: i + 1)))
                    }
                }
            }
            if spec.rows == "fields", let fields = spec.fields {
                row = try writeFields(fields, to: sheet, from: row, filled: o.data[spec.id]?.first ?? [:], options: o, format: fmt)
            }
            for defaults in o.data[spec.id] == nil ? spec.defaultRows ?? [] : [] {
                try sheet.writeRow(row, columns.map { c in
                    cell(c, row: row, columns: columns, values: defaults.mapValues { .string($0.text(lang)) })
                })
                row += 1
            }
            let blankUntil = spec.rows == "fields" ? row - 1 : row + o.blankRows - 1
            while row <= blankUntil {
                try sheet.writeRow(row, columns.map { cell($0, row: row, columns: columns, values: [:]) })
                row += 1
            }

            // Drop-downs on every enumerated column, and the status colours.
            let dataRows = 3...max(200, row)
            for (i, c) in columns.enumerated() {
                let range = [CellRange(first: CellReference(row: dataRows.lowerBound, column: i + 1), last: CellReference(row: dataRows.upperBound, column: i + 1))]
                if var allowed = c.allowed {
                    // Phase and stage lists in the workbook's language, as the rows are written.
                    if lang == .en, c.key == "phase", let phases = template.phases { allowed = allowed.map { a in phases.first { $0.zh == a }?.en ?? a } }
                    if lang == .en, c.key == "stage", let stages = template.stages { allowed = allowed.map { a in stages.first { $0.zh == a }?.en ?? a } }
                    if lang == .en, let english = c.allowedEn, english.count == allowed.count { allowed = english }
                    sheet.addListValidation(range, items: allowed)
                } else if let suggested = c.suggested {
                    sheet.addListValidation(range, items: suggested, strict: false)
                }
                if c.type == .status {
                    for (value, style) in [("达标", HighlightStyle(fontColor: "006100", fill: "C6EFCE")), ("已完成", HighlightStyle(fontColor: "006100", fill: "C6EFCE")),
                                           ("预警", HighlightStyle(fontColor: "9C5700", fill: "FFEB9C")),
                                           ("未达标", HighlightStyle(fontColor: "9C0006", fill: "FFC7CE")), ("延期", HighlightStyle(fontColor: "9C0006", fill: "FFC7CE"))]
                    where c.allowed?.contains(value) == true {
                        let i = c.allowed!.firstIndex(of: value)!
                        let shown = lang == .en ? c.allowedEn.flatMap { i < $0.count ? $0[i] : nil } ?? value : value
                        sheet.addHighlight(range, when: .cellEquals(.string(shown)), style: style)
                    }
                }
            }
        }
        try book.close()
    }

    /// A key–value sheet: item, value (or formula, with its cached value), note; one row each.
    /// `filled`: values typed in, by field key, instead of the defaults.
    static func writeFields(_ fields: [Template.Field], to sheet: SheetWriter, from first: Int, filled: [String: CellValue],
                            options o: Options, format fmt: (CalendarDate) -> String) throws -> Int {
        let lang = o.language
        let rowOf = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.key, first + $0) })
        var values: [String: CellValue] = [:]
        for f in fields {
            if let v = filled[f.key] { values[f.key] = v; continue }
            guard let v = f.value else { continue }
            let text = v.replacingOccurrences(of: "{campaign}", with: o.campaign)
                .replacingOccurrences(of: "{start}", with: fmt(o.start)).replacingOccurrences(of: "{end}", with: fmt(o.end))
            values[f.key] = Double(text).map(CellValue.number) ?? .string(text)
        }
        let border = CellStyle(border: true, vertical: .center)
        for (i, f) in fields.enumerated() {
            let r = first + i
            var valueCell = WriteCell(values[f.key] ?? .empty, style: CellStyle(numberFormat: f.format, border: true, vertical: .center))
            if let derived = f.derived {
                var formula = derived
                for (key, at) in rowOf { formula = formula.replacingOccurrences(of: "{\(key)}", with: "B\(at)") }
                valueCell.formula = formula
                valueCell.value = cachedSum(derived, fields: fields, values: values) ?? .empty
            }
            try sheet.writeRow(r, [WriteCell(.string(f.name.text(lang)), style: CellStyle(bold: true, border: true, vertical: .center)),
                                   valueCell, WriteCell(f.remark.map { .string($0.text(lang)) } ?? .empty, style: border)])
        }
        return first + fields.count
    }

    /// The cached value of `SUM({a}:{b})` over the fields' default numbers; nil for other formulas.
    static func cachedSum(_ formula: String, fields: [Template.Field], values: [String: CellValue]) -> CellValue? {
        guard formula.hasPrefix("SUM({"), formula.hasSuffix("})"),
              let colon = formula.range(of: "}:{") else { return nil }
        let a = String(formula[formula.index(formula.startIndex, offsetBy: 5)..<colon.lowerBound])
        let b = String(formula[colon.upperBound..<formula.index(formula.endIndex, offsetBy: -2)])
        guard let i = fields.firstIndex(where: { $0.key == a }), let j = fields.firstIndex(where: { $0.key == b }), i <= j else { return nil }
        return .number(fields[i...j].compactMap { values[$0.key]?.number }.reduce(0, +))
    }

    /// One cell of a data row: the given value, or a derived formula with its cached value
    /// (`-` while its inputs are empty), in the column's format.
    static func cell(_ c: Template.Column, row: Int, columns: [Template.Column], values: [String: CellValue]) -> WriteCell {
        let style = CellStyle(numberFormat: c.format, border: true, vertical: .center, wrap: c.type == .text)
        if let formula = c.derived, formula != "recalc" {
            var f = formula
            for (i, other) in columns.enumerated() {
                f = f.replacingOccurrences(of: "{\(other.key)}", with: "\(CellReference.columnName(i + 1))\(row)")
            }
            return WriteCell(.string("-"), formula: f, style: style)
        }
        return WriteCell(values[c.key] ?? .empty, style: style)
    }
}
