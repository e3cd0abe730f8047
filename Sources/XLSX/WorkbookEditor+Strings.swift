extension WorkbookEditor {
    /// The shared-string index for `text`: an existing entry, or one appended when saving. nil when
    /// the workbook has no shared-string table (the text is then written inline, which is valid).
    func sharedStringIndex(_ text: String) throws -> Int? {
        if hasStringTable == nil { hasStringTable = workbook.relationships.contains { $0.kind == "sharedStrings" && $0.partName != nil } }
        guard hasStringTable == true else { return nil }
        if existingStrings == nil {
            let all = try workbook.sharedStrings()
            var index: [String: Int] = [:]
            for (i, s) in all.enumerated() where index[s] == nil { index[s] = i }
            existingStrings = (all.count, index)
        }
        stringReferences += 1
        if let i = existingStrings!.index[text] { return i }
        if let i = appendedIndex[text] { return i }
        let i = existingStrings!.count + appendedStrings.count
        appendedStrings.append(text)
        appendedIndex[text] = i
        return i
    }

    func applyAppendedStrings() throws {
        guard !appendedStrings.isEmpty || stringReferences > 0,
              let name = workbook.relationships.first(where: { $0.kind == "sharedStrings" })?.partName,
              let entry = workbook.archive.entry(named: name) else { return }
        let file = try scratchFile(entry.name)
        let rewriter = try SharedStringsAppendRewriter(outputPath: file, part: entry.name, strings: appendedStrings,
                                                       uniqueCount: existingStrings?.count ?? 0, references: stringReferences)
        try XMLStreamParser.parse(entry, in: workbook.archive, handler: rewriter)
        try rewriter.finish()
        setPart(entry.name, file: file)
        appendedStrings.removeAll()
        appendedIndex.removeAll()
        stringReferences = 0
    }
}

/// Streams `sharedStrings.xml` through, appending `<si>` entries and raising `count` (references)
/// and `uniqueCount` (entries). Nothing already there is touched, so every index stays valid.
final class SharedStringsAppendRewriter: XMLRewriter {
    private let strings: [String]
    private let uniqueCount: Int
    private let references: Int
    private var prefix = ""

    init(outputPath: String, part: String, strings: [String], uniqueCount: Int, references: Int) throws {
        self.strings = strings
        self.uniqueCount = uniqueCount
        self.references = references
        try super.init(output: .file(outputPath), part: part)
    }

    override func rewriteStart(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if name.namespace == .spreadsheetML && name.is("sst") {
            prefix = name.prefix.map { String(cString: $0) + ":" } ?? ""
            // count is advisory (Excel keeps it exact, others do not); never let it fall below uniqueCount.
            let count = max((attributes["count"].flatMap { Int($0) } ?? uniqueCount) + references, uniqueCount + strings.count)
            return copyStart(name, attributes, replacing: ["count": String(count), "uniqueCount": String(uniqueCount + strings.count)])
        }
        copyStart(name, attributes)
    }

    override func rewriteEnd(_ name: XMLName) throws {
        if name.namespace == .spreadsheetML && name.is("sst") {
            for s in strings {
                out.start(prefix + "si")
                out.element(prefix + "t", [("xml:space", "preserve")], text: OOXMLText.escape(s))
                out.end()
            }
        }
        out.end()
    }
}
