extension Workbook {
    /// Streams the cells of `sheet` row by row to `body`, then returns what follows the cells
    /// (merged ranges, validations, hyperlinks …). Memory: the shared-string table plus one row.
    ///
    /// Bad cells (a reference outside the grid, a shared-string index past the table, a
    /// number that is not one) are skipped or kept as text and listed in `problems`; a part
    /// that is not well-formed XML, or breaks a limit, throws.
    @discardableResult
    public func readSheet(_ sheet: SheetInfo, _ body: (Row) throws -> Void) throws -> SheetMetadata {
        guard sheet.kind == .worksheet || sheet.kind == .macrosheet || sheet.kind == .dialogsheet,
              let part = sheet.part, let entry = archive.entry(named: part) else {
            if sheet.kind == .chartsheet || sheet.part != nil { return SheetMetadata() }
            throw XLSXError(.missingPart, .sheetPartMissing, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        let rels = try Self.relationships(of: entry.name, in: archive)
        let strings = try sharedStrings()
        return try withoutActuallyEscaping(body) { body in
            let handler = SheetHandler(part: entry.name, strings: strings, styles: styles.kinds,
                                       is1904: is1904, limits: limits, relationships: rels, body: body)
            try XMLStreamParser.parse(entry, in: archive, handler: handler)
            return handler.metadata
        }
    }
}

/// The state machine behind `readSheet`. Hot path: `<c>`, `<v>` and their text; attribute
/// values are read as raw bytes and turned into numbers without making Strings.
final class SheetHandler: XMLContentHandler {
    private enum CellType { case number, sharedString, inlineString, formulaString, boolean, error, isoDate }
    private enum Collect { case none, value, formula, inlineText, validationFormula1, validationFormula2, x14Formula, x14Sqref }

    let part: String
    let strings: [String]
    let styles: [NumberFormatKind]
    let is1904: Bool
    let limits: Limits
    let relationships: [Relationship]
    let body: (Row) throws -> Void
    // The handler's state is touched only from the parser's callbacks, one at a time, never
    // through overlapping accesses: `@exclusivity(unchecked)` drops the runtime's per-access
    // bookkeeping (a tenth of the reader's instructions in callgrind before it was dropped).
    /// Relationship targets by id, made at the first hyperlink (one lookup each, not a scan).
    @exclusivity(unchecked) private var relationshipTargets: [String: String]?
    @exclusivity(unchecked) var metadata = SheetMetadata()

    @exclusivity(unchecked) private var inSheetData = false, inExtLst = 0
    @exclusivity(unchecked) private var row = Row(index: 0, cells: [], isHidden: false, height: nil)
    @exclusivity(unchecked) private var rowValid = false
    @exclusivity(unchecked) private var lastRow = 0
    @exclusivity(unchecked) private var lastColumn = 0
    @exclusivity(unchecked) private var cellRef = CellReference(row: 0, column: 0), cellValid = false
    @exclusivity(unchecked) private var cellType = CellType.number, cellStyle = 0
    @exclusivity(unchecked) private var inInline = false
    @exclusivity(unchecked) private var collect = Collect.none
    @exclusivity(unchecked) private var valueText: TextBuffer, formulaText: TextBuffer
    @exclusivity(unchecked) private var inlineText: RichText
    @exclusivity(unchecked) private var formulaAttributes: (type: String?, ref: String?, si: Int?) = (nil, nil, nil)
    @exclusivity(unchecked) private var sawFormula = false
    /// Shared formulas by `si`: the anchor's text read once into its references (`Compiled`).
    /// Bytes of shared formulas written out for the cells that share them, so far.
    @exclusivity(unchecked) private var expandedFormulaBytes = 0
    @exclusivity(unchecked) private var sharedFormulas: [Int: (formula: FormulaShifter.Compiled, anchor: CellReference)] = [:]
    @exclusivity(unchecked) private var validation: DataValidation?
    @exclusivity(unchecked) private var minRow = Int.max, minColumn = Int.max, maxRow = 0, maxColumn = 0

    init(part: String, strings: [String], styles: [NumberFormatKind], is1904: Bool, limits: Limits,
         relationships: [Relationship], body: @escaping (Row) throws -> Void) {
        self.part = part
        self.strings = strings
        self.styles = styles
        self.is1904 = is1904
        self.limits = limits
        self.relationships = relationships
        self.body = body
        valueText = TextBuffer(limit: limits.maxStringBytes)
        formulaText = TextBuffer(limit: limits.maxStringBytes)
        inlineText = RichText(limit: limits.maxStringBytes)
        row.cells.reserveCapacity(32)
    }

    // MARK: elements

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        switch name.namespace {
        case .spreadsheetML: break
        case .x14, .excelMain: return try startExtension(name, attributes)
        default: return
        }
        if inSheetData {
            if name.is("c") { startCell(attributes) }
            else if name.is("v") { valueText.clear(); collect = .value }
            else if name.is("f") { startFormula(attributes) }
            else if inInline { _ = inlineText.start(name, attributes) }
            else if name.is("is") { inInline = true; inlineText.reset(); collect = .inlineText }
            else if name.is("row") { try startRow(attributes) }
            return
        }
        if inExtLst > 0 { if name.is("extLst") { inExtLst += 1 }; return }
        if name.is("sheetData") { inSheetData = true }
        else if name.is("mergeCell") {
            if let ref = attributes["ref"] {
                if let range = CellRange(ref) { metadata.mergedRanges.append(range) }
                else { problem(nil, .mergedRangeInvalid, ["range": "\(ref)"]) }
            }
        } else if name.is("dataValidation") {
            validation = DataValidation(type: attributes["type"] ?? "none", operator: attributes["operator"],
                                        ranges: CellRange.list(attributes["sqref"] ?? ""), formula1: nil, formula2: nil,
                                        allowBlank: attributes["allowBlank"] == "1" || attributes["allowBlank"] == "true")
        } else if name.is("formula1") { if validation != nil { valueText.clear(); collect = .validationFormula1 } }
        else if name.is("formula2") { if validation != nil { valueText.clear(); collect = .validationFormula2 } }
        else if name.is("hyperlink") { addHyperlink(attributes) }
        else if name.is("col") { addColumn(attributes) }
        else if name.is("dimension") { metadata.dimension = attributes["ref"] }
        else if name.is("pane") {
            if attributes["state"] == "frozen" || attributes["state"] == "frozenSplit" {
                metadata.frozenAt = attributes["topLeftCell"].flatMap { CellReference($0) }
            }
        } else if name.is("extLst") { inExtLst = 1 }
    }

    func endElement(_ name: XMLName) throws {
        switch name.namespace {
        case .spreadsheetML: break
        case .x14, .excelMain: return endExtension(name)
        default: return
        }
        if inSheetData {
            if name.is("c") { try endCell() }
            else if name.is("v") { collect = .none }
            else if name.is("f") { collect = .none }
            else if name.is("is") { inInline = false; collect = .none }
            else if inInline { _ = inlineText.end(name) }
            else if name.is("row") { try endRow() }
            else if name.is("sheetData") { inSheetData = false; finishUsedRange() }
            return
        }
        if inExtLst > 0 { if name.is("extLst") { inExtLst -= 1 }; return }
        if name.is("formula1") || name.is("formula2") {
            if var v = validation, collect != .none {
                if collect == .validationFormula1 { v.formula1 = valueText.rawString } else { v.formula2 = valueText.rawString }
                validation = v
            }
            collect = .none
        } else if name.is("dataValidation"), let v = validation {
            metadata.dataValidations.append(v)
            validation = nil
        }
    }

    @inline(__always)
    func characters(_ text: UnsafeRawBufferPointer) throws {
        switch collect {
        case .none: return
        case .value, .validationFormula1, .validationFormula2, .x14Formula, .x14Sqref: try valueText.append(text, part: part)
        case .formula: try formulaText.append(text, part: part)
        case .inlineText: try inlineText.characters(text, part: part)
        }
    }

    // MARK: rows and cells

    private func startRow(_ attributes: XMLAttributes) throws {
        row.cells.removeAll(keepingCapacity: true)
        row.isHidden = Self.flag(attributes.raw("hidden"))
        row.height = attributes.raw("ht").flatMap(Self.double)
        if let raw = attributes.raw("r") {
            guard let n = Self.integer(raw), n >= 1, n <= Grid.maxRow else {
                rowValid = false
                problem(nil, .rowOutsideGrid, ["row": "\(String(decoding: raw, as: UTF8.self))"])
                return
            }
            row.index = n
        } else {
            row.index = lastRow + 1
        }
        rowValid = row.index <= Grid.maxRow
        lastRow = row.index
        lastColumn = 0
    }

    private func endRow() throws {
        guard rowValid else { return }
        if row.isHidden { metadata.hiddenRows.append(row.index) }
        if !row.cells.isEmpty {
            metadata.rowCount += 1
            try body(row)
        }
        rowValid = false
    }

    private func startCell(_ attributes: XMLAttributes) {
        collect = .none
        sawFormula = false
        inInline = false
        valueText.clear()
        inlineText.reset()
        cellValid = rowValid
        if let raw = attributes.raw("r") {
            if let ref = CellReference(utf8: raw) {
                cellRef = ref
                if ref.row != row.index && rowValid {
                    // Excel never writes this; trust the row, as Excel does on load.
                    cellRef.row = row.index
                }
            } else {
                cellValid = false
                if rowValid {
                    problem(nil, .cellOutsideGrid, ["cell": "\(String(decoding: raw, as: UTF8.self))"])
                }
            }
        } else {
            cellRef = CellReference(row: row.index, column: lastColumn + 1)
            if cellRef.column > Grid.maxColumn {
                cellValid = false
                problem(nil, .rowTooManyCells, ["row": "\(row.index)"])
            }
        }
        if cellValid { lastColumn = cellRef.column }
        cellType = .number
        if let t = attributes.raw("t"), t.count > 0 {
            switch (t.count, t[0]) {
            case (1, UInt8(ascii: "s")): cellType = .sharedString
            case (1, UInt8(ascii: "n")): cellType = .number
            case (1, UInt8(ascii: "b")): cellType = .boolean
            case (1, UInt8(ascii: "e")): cellType = .error
            case (1, UInt8(ascii: "d")): cellType = .isoDate
            case (3, UInt8(ascii: "s")): cellType = .formulaString
            case (9, UInt8(ascii: "i")): cellType = .inlineString
            default: cellType = .number
            }
        }
        cellStyle = 0
        if let s = attributes.raw("s") {
            if let n = Self.integer(s), n >= 0, n < max(styles.count, 1) { cellStyle = n }
            else if cellValid {
                problem(cellRef, .formatMissing, ["format": "\(String(decoding: s, as: UTF8.self))"])
            }
        }
    }

    private func startFormula(_ attributes: XMLAttributes) {
        sawFormula = true
        formulaText.clear()
        collect = .formula
        formulaAttributes = (attributes["t"], attributes["ref"], attributes.raw("si").flatMap(Self.integer))
    }

    private func endCell() throws {
        collect = .none
        guard cellValid else { return }
        if row.cells.count >= limits.maxCellsPerRow {
            problem(cellRef, .rowMoreCellsThanExcel, ["row": "\(row.index)"])
            cellValid = false
            return
        }
        let value = try makeValue()
        var formula: String?
        if sawFormula { formula = try resolveFormula() }
        if !value.isEmpty {
            metadata.cellCount += 1
            minRow = min(minRow, cellRef.row); maxRow = max(maxRow, cellRef.row)
            minColumn = min(minColumn, cellRef.column); maxColumn = max(maxColumn, cellRef.column)
        }
        row.cells.append(Cell(column: cellRef.column, value: value, formula: formula, styleIndex: cellStyle))
    }

    private func makeValue() throws -> CellValue {
        switch cellType {
        case .number:
            guard !valueText.isEmpty else { return .empty }
            let bytes = valueText.bytes
            guard let n = bytes.withUnsafeBytes(Self.double) else {
                let text = valueText.rawString
                problem(cellRef, .numberHoldsText, ["text": "\(text.prefix(40))"])
                return .string(text)
            }
            if cellStyle < styles.count {
                switch styles[cellStyle] {
                case .dateTime: return .date(ExcelDateTime(serial: n, kind: .dateTime, is1904: is1904))
                case .duration: return .date(ExcelDateTime(serial: n, kind: .duration, is1904: is1904))
                default: break
                }
            }
            return .number(n)
        case .sharedString:
            guard !valueText.isEmpty else { return .empty }
            guard let i = valueText.bytes.withUnsafeBytes(Self.integer), i >= 0, i < strings.count else {
                problem(cellRef, .sharedTextMissing, ["index": "\(valueText.rawString.prefix(20))", "count": "\(strings.count)"])
                return .empty
            }
            return .string(strings[i])
        case .inlineString:
            if !inlineText.isEmpty { return .string(inlineText.string) }
            return valueText.isEmpty ? .string("") : .string(valueText.unescapedString)
        case .formulaString:
            return .string(valueText.unescapedString)
        case .boolean:
            let b = valueText.bytes
            return b.isEmpty ? .empty : .bool(b == [UInt8(ascii: "1")] || valueText.rawString.lowercased() == "true")
        case .error:
            return valueText.isEmpty ? .empty : .error(valueText.rawString)
        case .isoDate:
            guard !valueText.isEmpty else { return .empty }
            guard let d = ISODate.parse(valueText.rawString, is1904: is1904) else {
                problem(cellRef, .dateNotISO, ["text": "\(valueText.rawString.prefix(40))"])
                return .string(valueText.rawString)
            }
            return .date(d)
        }
    }

    private func resolveFormula() throws -> String? {
        let text = formulaText.isEmpty ? nil : formulaText.rawString
        guard formulaAttributes.type == "shared", let si = formulaAttributes.si else { return text }
        if let text {
            sharedFormulas[si] = (FormulaShifter.Compiled(text), cellRef)
            return text
        }
        guard let master = sharedFormulas[si] else { return nil }
        // A long formula shared by many cells is written out for each: bounded per sheet, so a
        // small part cannot make the reader spell out gigabytes (Excel itself stays far below).
        let shifted = master.formula.shifted(rows: cellRef.row - master.anchor.row, columns: cellRef.column - master.anchor.column)
        expandedFormulaBytes += shifted.utf8.count
        if expandedFormulaBytes > limits.maxSharedFormulaBytes {
            throw XLSXError(.tooManyCells, .sharedFormulasTooLarge, ["megabytes": "\(limits.maxSharedFormulaBytes >> 20)"], part: part)
        }
        return shifted
    }

    private func finishUsedRange() {
        if maxRow > 0 {
            metadata.usedRange = CellRange(first: CellReference(row: minRow, column: minColumn),
                                           last: CellReference(row: maxRow, column: maxColumn))
        }
    }

    // MARK: the rest of the sheet

    private func addHyperlink(_ attributes: XMLAttributes) {
        guard let ref = attributes["ref"], let range = CellRange(ref) else { return }
        if relationshipTargets == nil {
            relationshipTargets = Dictionary(relationships.map { ($0.id, $0.target) }, uniquingKeysWith: { a, _ in a })
        }
        let target = attributes.relationship("id").flatMap { relationshipTargets?[$0] }
        metadata.hyperlinks.append(Hyperlink(range: range, target: target, location: attributes["location"], display: attributes["display"]))
    }

    private func addColumn(_ attributes: XMLAttributes) {
        guard var first = attributes.raw("min").flatMap(Self.integer), var last = attributes.raw("max").flatMap(Self.integer) else { return }
        if first < 1 || last > Grid.maxColumn || first > last {
            problem(nil, .columnsOutsideGrid, ["first": "\(first)", "last": "\(last)"])
            first = max(1, first); last = min(last, Grid.maxColumn)
            guard first <= last else { return }
        }
        metadata.columns.append(ColumnInfo(first: first, last: last, width: attributes.raw("width").flatMap(Self.double),
                                           isHidden: Self.flag(attributes.raw("hidden"))))
    }

    /// `x14:dataValidation` (Excel 2010+, used when a list comes from another sheet).
    private func startExtension(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if name.namespace == .x14 && name.is("dataValidation") {
            validation = DataValidation(type: attributes["type"] ?? "none", operator: attributes["operator"], ranges: [],
                                        formula1: nil, formula2: nil,
                                        allowBlank: attributes["allowBlank"] == "1" || attributes["allowBlank"] == "true")
        } else if validation != nil && name.namespace == .excelMain && (name.is("f") || name.is("sqref")) {
            valueText.clear()
            collect = name.is("f") ? .x14Formula : .x14Sqref
        }
    }

    /// The first `xm:f` is formula1 (inside `x14:formula1`), the second formula2.
    private func endExtension(_ name: XMLName) {
        if name.namespace == .excelMain, var v = validation {
            if collect == .x14Formula {
                if v.formula1 == nil { v.formula1 = valueText.rawString } else { v.formula2 = valueText.rawString }
            } else if collect == .x14Sqref {
                v.ranges = CellRange.list(valueText.rawString)
            }
            validation = v
            collect = .none
        } else if name.namespace == .x14 && name.is("dataValidation"), let v = validation {
            metadata.dataValidations.append(v)
            validation = nil
        }
    }

    private func problem(_ cell: CellReference?, _ key: XLSXMessageKey, _ values: [String: XLSXMessage.Value]) {
        // Bounded: a crafted sheet can have millions of bad cells; a hundred say enough.
        if metadata.problems.count < 100 {
            metadata.problems.append(ReadProblem(part: part, cell: cell, said: XLSXMessage(key, values)))
        }
    }

    // MARK: parsing bytes

    @inline(__always)
    static func flag(_ raw: UnsafeRawBufferPointer?) -> Bool {
        guard let raw, let c = raw.first else { return false }
        return c == UInt8(ascii: "1") || c == UInt8(ascii: "t")
    }

    /// A non-negative or negative decimal integer of at most 18 digits, else nil.
    @inline(__always)
    static func integer(_ raw: UnsafeRawBufferPointer) -> Int? {
        var i = 0, negative = false, n = 0
        if raw.count > 0 && raw[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard raw.count > i, raw.count - i <= 18 else { return nil }
        while i < raw.count {
            let d = raw[i] &- 0x30
            guard d < 10 else { return nil }
            n = n &* 10 &+ Int(d)
            i += 1
        }
        return negative ? -n : n
    }

    /// Excel's number text: integers on a fast path, everything else through Swift's parser
    /// (locale-independent). Surrounding spaces are tolerated; `inf`/`nan` are not numbers here.
    @inline(__always)
    static func double(_ raw: UnsafeRawBufferPointer) -> Double? {
        if raw.count <= 15, let n = integer(raw) { return Double(n) }
        if let d = exactDecimal(raw) { return d }
        var s = Substring(String(decoding: raw, as: UTF8.self))
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        guard let d = Double(s), d.isFinite else { return nil }
        return d
    }
}

/// Powers of ten a Double holds exactly.
private let exactPowersOfTen: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { p, _ in p * 10 } }

extension SheetHandler {
    /// `-123.45`, `6.6E-3`: a decimal whose digits fit in 53 bits and whose power of ten is at most
    /// 22 is one exact multiplication or division of two exact doubles, so correctly rounded
    /// (Clinger's fast path) — what Excel's numbers nearly always are. Anything else: nil.
    @inline(__always)
    static func exactDecimal(_ raw: UnsafeRawBufferPointer) -> Double? {
        var i = 0
        let n = raw.count
        var negative = false
        if i < n && raw[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: UInt64 = 0, digits = 0, scale = 0
        var sawDigit = false
        /// Digits into the mantissa (after the point: each one scales by 1/10); false past 18.
        func readDigits(fraction: Bool) -> Bool {
            while i < n {
                let d = raw[i] &- 0x30
                guard d < 10 else { break }
                sawDigit = true
                if mantissa != 0 || d != 0 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(d)
                if fraction { scale -= 1 }
                i += 1
                if digits > 18 { return false }
            }
            return true
        }
        guard readDigits(fraction: false) else { return nil }
        if i < n && raw[i] == UInt8(ascii: ".") {
            i += 1
            guard readDigits(fraction: true) else { return nil }
        }
        guard sawDigit else { return nil }
        if i < n && (raw[i] == UInt8(ascii: "e") || raw[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < n && (raw[i] == UInt8(ascii: "-") || raw[i] == UInt8(ascii: "+")) { expNegative = raw[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0, expDigits = 0
            while i < n {
                let d = raw[i] &- 0x30
                guard d < 10, expDigits < 4 else { return nil }
                e = e * 10 + Int(d)
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            scale += expNegative ? -e : e
        }
        guard i == n, mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa)
        if scale < 0 {
            guard scale >= -22 else { return nil }
            value /= exactPowersOfTen[-scale]
        } else if scale > 0 {
            guard scale <= 22 else { return nil }
            value *= exactPowersOfTen[scale]
        }
        return negative ? -value : value
    }
}

/// Parses the ISO 8601 text of a `t="d"` cell: `2021-01-01`, `2021-01-01T10:10:10`, `10:10:10`.
enum ISODate {
    static func parse(_ text: String, is1904: Bool) -> ExcelDateTime? {
        var date = Substring(text), time: Substring?
        if let t = text.firstIndex(of: "T") { date = text[..<t]; time = text[text.index(after: t)...] }
        else if text.contains(":") { date = ""; time = Substring(text) }
        var serial = 0.0
        if !date.isEmpty {
            let p = date.split(separator: "-")
            // Excel's calendar ends in 9999; a longer year is not a date (and would overflow).
            guard p.count == 3, p[0].count <= 5, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
                  (0...9999).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
            serial = ExcelDateTime.serial(year: y, month: m, day: d)
            if is1904 { serial -= 1462 }
        }
        if var time {
            if let z = time.firstIndex(where: { $0 == "Z" || $0 == "+" }) { time = time[..<z] }
            let p = time.split(separator: ":")
            guard p.count >= 2, p[0].count <= 3, p[1].count <= 3, let h = Int(p[0]), let mi = Int(p[1]),
                  (0...24).contains(h), (0..<60).contains(mi) else { return nil }
            let s = p.count > 2 ? Double(p[2]) ?? 0 : 0
            guard s.isFinite, s >= 0, s < 61 else { return nil }
            serial += (Double(h) * 3600 + Double(mi) * 60 + s) / 86_400
        }
        return ExcelDateTime(serial: serial, kind: .dateTime, is1904: is1904)
    }
}
