extension WorkbookEditor: SheetWriterContext {
    /// Adds a new sheet at the end; write its rows (and notes, links, validations) before saving.
    /// Formats map onto formats derived from the workbook's default one (fill, font colour, bold,
    /// number format); texts are written inline.
    public func addSheet(_ name: String, hidden: Bool = false) throws -> SheetWriter {
        try WorkbookWriter.checkSheetName(name, existing: workbook.sheets.map(\.name) + addedSheets.map(\.name))
        var n = workbook.sheets.count + addedSheets.count + 1
        func taken(_ part: String) -> Bool {
            workbook.archive.entry(named: part) != nil || addedSheets.contains { $0.part.lowercased() == part.lowercased() }
        }
        while taken("xl/worksheets/sheet\(n).xml") { n += 1 }
        let part = "xl/worksheets/sheet\(n).xml"
        let sheet = try SheetWriter(book: self, name: name, hidden: hidden, number: n, scratchPath: try scratchFile(part), part: part)
        var stem = "\(n)"
        while taken("xl/comments\(stem).xml") || taken("xl/drawings/vmlDrawing\(stem).vml") || taken("xl/drawings/drawing\(stem).xml") { stem += "_" }
        sheet.auxiliaryStem = stem
        addedSheets.append(sheet)
        return sheet
    }

    /// Writes `sheet` anew in its place (a sheet tracksheet made and now refreshes, such as a
    /// dashboard): same name, position, tab and part; what hung off the old one (its drawing and
    /// charts, notes) is left out of the saved package and the new one's parts take their place.
    /// Defined names and references to the sheet from other sheets stay as they are.
    public func replaceSheet(_ sheet: SheetInfo) throws -> SheetWriter {
        guard sheet.kind == .worksheet, let part = sheet.part, workbook.archive.entry(named: part) != nil else {
            throw XLSXError(.noSuchSheet, .notWorksheetRewrite, ["sheet": "\(sheet.name)"], part: sheet.part)
        }
        // The parts the old sheet brought with it: its relationships' internal targets, and a
        // drawing's own (its charts, and theirs: styles and colours).
        var old: [String] = [PartName.relationships(of: part)]
        var seen: Set<String> = []
        func collect(_ source: String, depth: Int) throws {
            for rel in try Workbook.relationships(of: source, in: workbook.archive) where !rel.isExternal {
                guard let name = rel.partName, let entry = workbook.archive.entry(named: name), seen.insert(entry.name.lowercased()).inserted else { continue }
                // Only drawings, charts, notes and VML go: a picture or a printer setting may be
                // shared with another sheet, and is left (unreferenced, which clients accept).
                guard ["drawing", "chart", "comments", "vmlDrawing", "chartStyle", "chartColorStyle"].contains(String(rel.kind)) else { continue }
                old.append(entry.name)
                if workbook.archive.entry(named: PartName.relationships(of: entry.name)) != nil { old.append(PartName.relationships(of: entry.name)) }
                if depth < 2 { try collect(entry.name, depth: depth + 1) }
            }
        }
        try collect(part, depth: 0)
        var n = workbook.sheets.count + addedSheets.count + replacedSheets.count + 1
        func taken(_ name: String) -> Bool {
            workbook.archive.entry(named: name) != nil || replacedSheets.contains { $0.writer.auxiliaryNames.contains { $0.name.lowercased() == name.lowercased() } }
        }
        while taken("xl/drawings/vmlDrawing\(n).vml") || taken("xl/drawings/drawing\(n).xml") || taken("xl/comments\(n).xml") { n += 1 }
        let writer = try SheetWriter(book: self, name: sheet.name, hidden: sheet.visibility != .visible, number: n,
                                     scratchPath: try scratchFile("replaced-" + part), part: part)
        replacedSheets.append((writer, old))
        return writer
    }

    /// Writes the sheets `replaceSheet` made in place of the old ones.
    func applyReplacedSheets() throws {
        // Excel's calculation chain lists the old sheet's formula cells: dropped, it is rebuilt.
        if !replacedSheets.isEmpty { try dropCalcChain() }
        for (sheet, old) in replacedSheets {
            try sheet.close()
            let gone = Set(old.map { $0.lowercased() })
            for name in old { removePart(name) }
            patch("[Content_Types].xml") { p in
                p.drops.append { name, attrs in
                    guard name.is("Override"), let target = attrs["PartName"] else { return false }
                    return gone.contains(PartName.percentDecoded(target.hasPrefix("/") ? String(target.dropFirst()) : target).lowercased())
                }
            }
            setPart(sheet.part, file: sheet.scratchPath)
            for aux in try sheet.auxiliaryParts() { setPart(aux.name, bytes: aux.bytes) }
            patch("[Content_Types].xml") {
                for aux in sheet.auxiliaryNames where aux.contentType != nil {
                    $0.appends.append((into: "Types", element: .init(name: "Override", attributes: [("PartName", "/" + aux.name), ("ContentType", aux.contentType!)])))
                }
            }
            if sheet.auxiliaryNames.contains(where: { $0.name.hasSuffix(".vml") }) && workbook.contentTypes.defaults["vml"] == nil && !vmlDefaultAdded {
                vmlDefaultAdded = true
                patch("[Content_Types].xml") {
                    $0.appends.append((into: "Types", element: .init(name: "Default", attributes: [
                        ("Extension", "vml"), ("ContentType", "application/vnd.openxmlformats-officedocument.vmlDrawing")])))
                }
            }
        }
        replacedSheets.removeAll()
    }

    func styleID(_ style: CellStyle) -> Int {
        if style == .plain { return 0 }
        return deriveStyle(from: 0, StyleChange(fill: style.fill, fontColor: style.fontColor, bold: style.bold ? true : nil,
                                                numberFormat: style.numberFormat))
    }

    func highlightID(_ style: HighlightStyle) -> Int {
        if let i = derivedHighlights.firstIndex(of: style) { return workbook.styles.dxfCount + i }
        derivedHighlights.append(style)
        return workbook.styles.dxfCount + derivedHighlights.count - 1
    }

    var usesSharedStrings: Bool { false }
    func sharedString(_ text: String) -> Int { 0 }

    func newChartPart() -> String {
        let added = Set((addedSheets + replacedSheets.map(\.writer)).flatMap { $0.charts.map { $0.part.lowercased() } })
        var n = 1
        while workbook.archive.entry(named: "xl/charts/chart\(n).xml") != nil || added.contains("xl/charts/chart\(n).xml") { n += 1 }
        return "xl/charts/chart\(n).xml"
    }

    /// Writes the added sheets and lists them in workbook.xml, its relationships and the content types.
    func applyAddedSheets() throws {
        guard !addedSheets.isEmpty else { return }
        let relsPart = PartName.relationships(of: workbook.workbookPart)
        let usedIDs = Set(workbook.relationships.map(\.id))
        var nextSheetID = (workbook.sheets.map(\.sheetID).max() ?? 0) + 1
        var k = 1
        let vmlDeclared = workbook.contentTypes.defaults["vml"] != nil
        var needsVML = false
        for sheet in addedSheets {
            try sheet.close()
            setPart(sheet.part, file: sheet.scratchPath)
            for aux in try sheet.auxiliaryParts() { setPart(aux.name, bytes: aux.bytes) }
            while usedIDs.contains("rIdTs\(k)") { k += 1 }
            let rid = "rIdTs\(k)"
            k += 1
            var attrs = [("name", sheet.name), ("sheetId", String(nextSheetID))]
            nextSheetID += 1
            if sheet.isHidden { attrs.append(("state", "hidden")) }
            // The r prefix is declared on the element itself, whatever the workbook calls it.
            attrs += [("xmlns:r", WorkbookWriter.relNS), ("r:id", rid)]
            patch(workbook.workbookPart) { $0.appends.append((into: "sheets", element: .init(name: "sheet", attributes: attrs))) }
            patch(relsPart) {
                $0.appends.append((into: "Relationships", element: .init(name: "Relationship", attributes: [
                    ("Id", rid), ("Type", WorkbookWriter.relTypes + "worksheet"), ("Target", "/" + sheet.part)])))
            }
            patch("[Content_Types].xml") {
                $0.appends.append((into: "Types", element: .init(name: "Override", attributes: [
                    ("PartName", "/" + sheet.part), ("ContentType", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")])))
                for aux in sheet.auxiliaryNames where aux.contentType != nil {
                    $0.appends.append((into: "Types", element: .init(name: "Override", attributes: [("PartName", "/" + aux.name), ("ContentType", aux.contentType!)])))
                }
            }
            if sheet.auxiliaryNames.contains(where: { $0.name.hasSuffix(".vml") }) { needsVML = true }
        }
        if needsVML && !vmlDeclared {
            patch("[Content_Types].xml") {
                $0.appends.append((into: "Types", element: .init(name: "Default", attributes: [
                    ("Extension", "vml"), ("ContentType", "application/vnd.openxmlformats-officedocument.vmlDrawing")])))
            }
        }
        addedSheets.removeAll()
    }
}
