import Testing
@testable import XLSX
import TestSupport

/// Every message key has words in both catalogs, naming the same placeholders, each in its own
/// language; and a message is put into words as its catalog says.
@Suite struct MessageCatalogTests {
    @Test func xlsxCatalogsHaveEveryKeyInBothLanguages() {
        MessageCatalogs.check(XLSXMessageKey.self)
    }

    @Test func valuesFillTheirPlaceholdersAndWordsOfTheCatalogFollowTheLanguage() {
        let m = XLSXMessage(.fileNotRegular, ["path": "/tmp/{kind}", "kind": .said(.kindFIFO)])
        // A value is not read for placeholders: a path holding braces stays as it is.
        #expect(m.english == "/tmp/{kind} is not a regular file (a FIFO), so it is not a workbook")
        #expect(m.chinese == "/tmp/{kind} 不是普通文件(命名管道),不是工作簿")
        let at = XLSXMessage(.xmlNotWellFormed, ["at": .said(.atLine), "line": "7"])
        #expect(at.english == "The part is not well-formed XML at line 7" && at.chinese == "该部件第 7 行不是格式正确的 XML")
        let nowhere = XLSXMessage(.xmlNotWellFormed, ["at": ""])
        #expect(nowhere.english == "The part is not well-formed XML")
        // A placeholder given no value stays visible rather than vanishing.
        #expect(XLSXMessage(.fileCannotRead).english == "Cannot read the file {path}")
    }

    @Test func anErrorSaysItsPartAndTheLibrarysWords() {
        let e = XLSXError(.corruptZip, .partDamaged, part: "xl/worksheets/sheet1.xml", underlying: "Zlib error\nat 3")
        #expect(e.message() == "The part is damaged and cannot be inflated (part xl/worksheets/sheet1.xml): Zlib error at 3")
        #expect(e.message(chinese: true) == "该部件已损坏,无法解压(部件 xl/worksheets/sheet1.xml):Zlib error at 3")
    }
}
