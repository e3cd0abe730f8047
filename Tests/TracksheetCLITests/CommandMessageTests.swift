import Testing
import TestSupport
@testable import tracksheet
import XLSX

@Suite("The command line's messages")
struct CommandMessageTests {
    @Test func catalogsHaveEveryKeyInBothLanguages() { MessageCatalogs.check(CommandMessageKey.self) }

    @Test func aDayIsWrittenAsEachLanguageWritesIt() {
        let asOf = Line(.asOfDay, ["day": .each(en: "2025-06-09", zh: "2025年6月9日")])
        #expect(words(.recalcUpToDate, ["out": "a.xlsx", "asOf": .message(asOf)], chinese: false)
                == "a.xlsx: the derived cells were already up to date; nothing changed (as of 2025-06-09)")
        #expect(words(.recalcUpToDate, ["out": "a.xlsx", "asOf": .message(asOf)], chinese: true) == "a.xlsx:派生列已是最新,未做修改(按 2025年6月9日 判断)")
    }
}
