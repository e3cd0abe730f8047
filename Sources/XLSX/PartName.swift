/// Resolving relationship targets to zip entry names, per OPC (ECMA-376 Part 2, §9.3 and §6.1.1).
///
/// A target is relative to the folder of its source part unless it starts with `/`. Names are
/// normalised (`.` and `..` segments, percent escapes); a target that climbs above the package
/// root resolves to nil and is ignored, never followed.
public enum PartName {
    /// The relationships part of `source` (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`).
    public static func relationships(of source: String) -> String {
        guard let slash = source.lastIndex(of: "/") else { return "_rels/\(source).rels" }
        return "\(source[..<slash])/_rels/\(source[source.index(after: slash)...]).rels"
    }

    /// The zip entry name that `target` names when found in the relationships of `source`
    /// (`""` for the package root), or nil when it escapes the package or is not a part name.
    public static func resolve(_ target: String, from source: String) -> String? {
        var t = target
        if let hash = t.firstIndex(of: "#") { t = String(t[..<hash]) }
        guard !t.isEmpty, !t.contains("\\"), !t.contains("://"), !t.hasPrefix("//") else { return nil }
        var segments: [Substring] = []
        if !t.hasPrefix("/"), let slash = source.lastIndex(of: "/") {
            segments = source[..<slash].split(separator: "/", omittingEmptySubsequences: true)
        }
        for seg in t.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == ".." {
                if segments.isEmpty { return nil } // climbs out of the package
                segments.removeLast()
                continue
            }
            segments.append(seg)
        }
        guard !segments.isEmpty else { return nil }
        return percentDecoded(segments.joined(separator: "/"))
    }

    /// `%E5%B7%A5` → `工`; invalid escapes are left as they are.
    static func percentDecoded(_ s: String) -> String {
        guard s.contains("%") else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else { out.append(bytes[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}

/// One `<Relationship>` of a `.rels` part.
public struct Relationship: Sendable, Equatable {
    public let id: String
    /// The full type URI.
    public let type: String
    /// The target as written.
    public let target: String
    public let isExternal: Bool
    /// The zip entry name of an internal target, or nil (external, or escaping the package).
    public let partName: String?

    /// The last segment of the type URI (`worksheet`, `sharedStrings`, `officeDocument` …), the
    /// same in the transitional and strict namespaces.
    /// (`split(separator: "/").last`, without making the array: it is asked often.)
    public var kind: Substring {
        let u = type.utf8
        var end = u.endIndex
        while end > u.startIndex, u[u.index(before: end)] == UInt8(ascii: "/") { end = u.index(before: end) }
        let start = u[..<end].lastIndex(of: UInt8(ascii: "/")).map { u.index(after: $0) } ?? u.startIndex
        return type[start..<end]
    }
}

/// Reads `[Content_Types].xml`.
final class ContentTypesHandler: XMLContentHandler {
    var defaults: [String: String] = [:]
    var overrides: [String: String] = [:]

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        if name.is("Default"), let ext = attributes["Extension"], let type = attributes["ContentType"] {
            defaults[ext.lowercased()] = type
        } else if name.is("Override"), let part = attributes["PartName"], let type = attributes["ContentType"] {
            let key = (part.hasPrefix("/") ? String(part.dropFirst()) : part)
            overrides[PartName.percentDecoded(key).lowercased()] = type
        }
    }
    func endElement(_ name: XMLName) throws {}
    func characters(_ text: UnsafeRawBufferPointer) throws {}

    func contentType(of part: String) -> String? {
        if let t = overrides[part.lowercased()] { return t }
        guard let dot = part.lastIndex(of: "."), !part[dot...].contains("/") else { return nil }
        return defaults[part[part.index(after: dot)...].lowercased()]
    }
}

/// Reads one `.rels` part.
final class RelationshipsHandler: XMLContentHandler {
    let source: String
    var relationships: [Relationship] = []
    private let limit: Int
    init(source: String, limit: Int = Limits.default.maxRelationships) { self.source = source; self.limit = limit }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.is("Relationship"), let id = attributes["Id"], let type = attributes["Type"],
              let target = attributes["Target"] else { return }
        guard relationships.count < limit else {
            throw XLSXError(.tooManyEntries, .tooManyRelationships, ["limit": "\(limit)"], part: PartName.relationships(of: source))
        }
        let external = attributes["TargetMode"]?.lowercased() == "external"
        relationships.append(Relationship(
            id: id, type: type, target: target, isExternal: external,
            partName: external ? nil : PartName.resolve(target, from: source)))
    }
    func endElement(_ name: XMLName) throws {}
    func characters(_ text: UnsafeRawBufferPointer) throws {}
}
