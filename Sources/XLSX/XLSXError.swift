/// An error of the XLSX layer: what went wrong (a message of the XLSX catalogs, said in English or
/// Chinese), in which part, and what libxml2 or libzip said.
///
/// Codes are a struct of static constants (as in postgres-nio's `PSQLError`) so that adding one
/// breaks no caller. `description` is one line a user can act on.
public struct XLSXError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let fileUnreadable = Code("fileUnreadable")
        public static let notAZip = Code("notAZip")
        public static let encrypted = Code("encrypted")
        public static let legacyXLS = Code("legacyXLS")
        public static let corruptZip = Code("corruptZip")
        public static let tooManyEntries = Code("tooManyEntries")
        public static let duplicatePart = Code("duplicatePart")
        public static let partTooLarge = Code("partTooLarge")
        public static let compressionRatio = Code("compressionRatio")
        public static let totalTooLarge = Code("totalTooLarge")
        public static let unsupportedCompression = Code("unsupportedCompression")
        public static let missingPart = Code("missingPart")
        public static let notAWorkbook = Code("notAWorkbook")
        public static let dtdForbidden = Code("dtdForbidden")
        public static let unsupportedEncoding = Code("unsupportedEncoding")
        public static let malformedXML = Code("malformedXML")
        public static let stringTooLong = Code("stringTooLong")
        public static let tooManyCells = Code("tooManyCells")
        public static let noSuchSheet = Code("noSuchSheet")
        /// An edit the workbook cannot take (rows outside the grid, a table's header row deleted …).
        public static let editRefused = Code("editRefused")
    }

    public let code: Code
    public let said: XLSXMessage
    /// The zip entry the problem is in, e.g. `xl/worksheets/sheet2.xml`.
    public let part: String?
    /// What libxml2 or libzip said, verbatim.
    public let underlying: String?

    public init(_ code: Code, _ key: XLSXMessageKey, _ values: [String: XLSXMessage.Value] = [:], part: String? = nil, underlying: String? = nil) {
        self.code = code
        self.said = XLSXMessage(key, values)
        self.part = part
        self.underlying = underlying
    }

    /// One sentence, in English.
    public var english: String { said.english }
    /// One sentence, in Chinese.
    public var chinese: String { said.chinese }

    /// One line in the chosen language, with the part and the library's own words appended.
    public func message(chinese useChinese: Bool = false) -> String {
        var text = said.text(useChinese ? .zh : .en)
        if let part { text += useChinese ? "(部件 \(part))" : " (part \(part))" }
        if let underlying, !underlying.isEmpty {
            let oneLine = underlying.split(whereSeparator: \.isNewline).joined(separator: " ")
            text += useChinese ? ":\(oneLine)" : ": \(oneLine)"
        }
        return text
    }

    public var description: String { message() }
}
