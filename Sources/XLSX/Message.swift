/// The languages tracksheet speaks.
public enum Language: String, Sendable, CaseIterable, Codable {
    case zh, en
    public var isChinese: Bool { self == .zh }
}

/// A layer's messages: each key's words are in one catalog per language, a table of templates
/// whose `{name}` placeholders the message's values fill. A layer's keys are an enum of its own
/// (`XLSXMessageKey`); `MessageCatalogs.check` (Tests/Support) checks that every key has both words and that the two
/// name the same placeholders.
public protocol MessageKey: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    static var english: [Self: String] { get }
    static var chinese: [Self: String] { get }
    /// Placeholders one language's words name and the other's leave out (the English names the
    /// column where the Chinese says it in its own words); the catalogs' check allows only these.
    static var onlyInEnglish: [Self: Set<String>] { get }
    static var onlyInChinese: [Self: Set<String>] { get }
}

extension MessageKey {
    public static var onlyInEnglish: [Self: Set<String>] { [:] }
    public static var onlyInChinese: [Self: Set<String>] { [:] }
}

/// Words that can be said in either language: a message of any layer's catalogs, held by errors
/// that several layers throw.
public protocol Said: Sendable {
    func text(_ language: Language) -> String
}

/// Something said to the user: a key and the values its words take, put into words in whichever
/// language is asked for when it is said.
public struct Message<Key: MessageKey>: Said, Equatable {
    /// A placeholder's value: text as it is (a path, a number), words of the same catalog (a kind
    /// of file: "a folder", 文件夹) filled from the same values, a message of any catalog, or a
    /// list (joined by ", " in English and "、" in Chinese).
    public enum Value: Sendable, Equatable, ExpressibleByStringInterpolation {
        case text(String)
        case said(Key)
        case message(any Said)
        case list([String])
        /// Data that has a form of its own in each language: a date (2025-06-09, 2025年6月9日),
        /// a template column's name.
        case each(en: String, zh: String)
        public init(stringLiteral value: String) { self = .text(value) }

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.text(let x), .text(let y)): x == y
            case (.said(let x), .said(let y)): x == y
            case (.message(let x), .message(let y)): x.text(.en) == y.text(.en) && x.text(.zh) == y.text(.zh)
            case (.list(let x), .list(let y)): x == y
            case (.each(let x, let xz), .each(let y, let yz)): x == y && xz == yz
            default: false
            }
        }
        public init(stringInterpolation: DefaultStringInterpolation) { self = .text(String(stringInterpolation: stringInterpolation)) }
    }

    public let key: Key
    public let values: [String: Value]

    public init(_ key: Key, _ values: [String: Value] = [:]) {
        self.key = key
        self.values = values
    }

    public func text(_ language: Language) -> String {
        Self.fill(Self.template(key, language), values, language)
    }

    public var english: String { text(.en) }
    public var chinese: String { text(.zh) }

    static func template(_ key: Key, _ language: Language) -> String {
        (language == .zh ? Key.chinese : Key.english)[key] ?? key.rawValue
    }

    /// `{name}` replaced by its value; a brace without a known name stays as it is.
    static func fill(_ words: String, _ values: [String: Value], _ language: Language) -> String {
        guard words.contains("{") else { return words }
        var out = ""
        var rest = words[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] else {
                out += "{"
                rest = after
                continue
            }
            switch value {
            case .text(let t): out += t
            case .said(let k): out += fill(template(k, language), values, language)
            case .message(let m): out += m.text(language)
            case .list(let items): out += items.joined(separator: language == .zh ? "、" : ", ")
            case .each(let en, let zh): out += language == .zh ? zh : en
            }
            rest = after[after.index(after: close)...]
        }
        return out + rest
    }

    /// The placeholders a template names, for the catalogs' test.
    public static func placeholders(_ template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = after[..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }) { names.insert(String(name)) }
            rest = after[after.index(after: close)...]
        }
        return names
    }
}
