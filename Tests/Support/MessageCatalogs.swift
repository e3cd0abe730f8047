import Testing
import XLSX

/// The checks every layer's message catalogs pass: each key has words in both languages, the two
/// name the same placeholders, and each is in its own language.
public enum MessageCatalogs {
    static func isChinese(_ c: Character) -> Bool { c.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }

    /// The words without their placeholders.
    static func wordsOnly(_ words: String) -> String {
        words.replacing(/\{[A-Za-z0-9]+\}/, with: "")
    }

    public static func check<Key: MessageKey>(_: Key.Type, sourceLocation: SourceLocation = #_sourceLocation) {
        for key in Key.allCases {
            guard let en = Key.english[key], let zh = Key.chinese[key] else {
                Issue.record("\(key.rawValue): \(Key.english[key] == nil ? "no English" : "no Chinese")", sourceLocation: sourceLocation)
                continue
            }
            #expect(!en.isEmpty && !zh.isEmpty, "\(key.rawValue)", sourceLocation: sourceLocation)
            #expect(Message<Key>.placeholders(en).subtracting(Key.onlyInEnglish[key] ?? [])
                        == Message<Key>.placeholders(zh).subtracting(Key.onlyInChinese[key] ?? []),
                    "\(key.rawValue): English names \(Message<Key>.placeholders(en).sorted()), Chinese \(Message<Key>.placeholders(zh).sorted())",
                    sourceLocation: sourceLocation)
            #expect(!en.contains(where: isChinese), "\(key.rawValue): Chinese in the English words", sourceLocation: sourceLocation)
            // Words that are only placeholders and punctuation say nothing of their own.
            let own = wordsOnly(zh)
            #expect(own.contains(where: isChinese) || own.allSatisfy { !$0.isLetter }, "\(key.rawValue): no Chinese in the Chinese words",
                    sourceLocation: sourceLocation)
        }
        #expect(Key.english.count == Key.allCases.count && Key.chinese.count == Key.allCases.count, sourceLocation: sourceLocation)
    }
}
