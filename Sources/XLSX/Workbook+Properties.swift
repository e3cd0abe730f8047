extension Workbook {
    /// A custom document property (`docProps/custom.xml`) as text, e.g. the `tracksheet.campaign`
    /// that `tracksheet new` records; nil when absent or unreadable.
    public func customProperty(_ name: String) -> String? {
        let root = (try? Workbook.relationships(of: "", in: archive)) ?? []
        let part = root.first { $0.type.hasSuffix("/custom-properties") }?.partName ?? "docProps/custom.xml"
        guard let entry = archive.entry(named: part) else { return nil }
        let handler = CustomPropertiesHandler(wanted: name)
        do { try XMLStreamParser.parse(entry, in: archive, handler: handler) } catch { return nil }
        return handler.value
    }
}

/// Reads one property's value out of `docProps/custom.xml`.
final class CustomPropertiesHandler: XMLContentHandler {
    let wanted: String
    var value: String?
    private var inWanted = false, depth = 0
    private var text: [UInt8] = []

    init(wanted: String) { self.wanted = wanted }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if name.localName == "property" { inWanted = attributes["name"] == wanted && value == nil; depth = 0; return }
        if inWanted { depth += 1; text.removeAll() }
    }

    func endElement(_ name: XMLName) throws {
        if name.localName == "property" { inWanted = false; return }
        if inWanted && depth > 0 {
            value = String(decoding: text, as: UTF8.self)
            inWanted = false
        }
    }

    func characters(_ text: UnsafeRawBufferPointer) throws {
        if inWanted { self.text.append(contentsOf: text) }
    }

    func comment(_ text: String) throws {}
    func processingInstruction(_ target: String, _ data: String) throws {}
    func declaration(standalone: Bool?) throws {}
}
