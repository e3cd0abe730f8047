import Testing
@testable import XLSX

/// The limits that the hostile corpus does not reach one by one.
@Suite struct LimitTests {
    static func sst(_ text: String) -> [UInt8] {
        Array(#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#.utf8)
            + Array(text.utf8) + Array("</t></si></sst>".utf8)
    }

    @Test func aStringLongerThanTheLimitIsRefused() throws {
        var limits = Limits()
        limits.maxStringBytes = 16
        let ok = SharedStringsHandler(limits: limits, part: "xl/sharedStrings.xml")
        try XMLStreamParser.parse(bytes: Self.sst("sixteen bytes!!!"), part: "xl/sharedStrings.xml", handler: ok, limits: limits)
        #expect(ok.strings == ["sixteen bytes!!!"])
        let long = SharedStringsHandler(limits: limits, part: "xl/sharedStrings.xml")
        let error = #expect(throws: XLSXError.self) {
            try XMLStreamParser.parse(bytes: Self.sst("seventeen bytes!!"), part: "xl/sharedStrings.xml", handler: long, limits: limits)
        }
        #expect(error?.code == .stringTooLong)
        #expect(error?.message().contains("longer than 16 bytes") == true)
    }

    @Test func depthLimitIsOurs() throws {
        var limits = Limits()
        limits.maxDepth = 5
        let deep = "<a>" + String(repeating: "<b>", count: 5) + String(repeating: "</b>", count: 5) + "</a>"
        let error = #expect(throws: XLSXError.self) {
            try XMLStreamParser.parse(bytes: Array(deep.utf8), part: "x.xml", handler: SharedStringsHandler(limits: limits, part: "x.xml"), limits: limits)
        }
        #expect(error?.message().contains("nested more than 5 levels") == true)
    }

    @Test func entitiesOtherThanThePredefinedOnesAreNeverExpanded() throws {
        // No DTD, so `&x;` is undeclared: a well-formedness error, not an expansion.
        let handler = SharedStringsHandler(limits: .default, part: "s.xml")
        #expect(throws: XLSXError.self) { try XMLStreamParser.parse(bytes: Self.sst("&x;"), part: "s.xml", handler: handler) }
        let plain = SharedStringsHandler(limits: .default, part: "s.xml")
        try XMLStreamParser.parse(bytes: Self.sst("R&amp;D &lt;1&gt; &#26085;"), part: "s.xml", handler: plain)
        #expect(plain.strings == ["R&D <1> 日"])
    }

    @Test func ampersandsInAttributesAreDecoded() throws {
        let xml = #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="t/worksheet" Target="a&amp;b.xml"/></Relationships>"#
        let handler = RelationshipsHandler(source: "xl/workbook.xml")
        try XMLStreamParser.parse(bytes: Array(xml.utf8), part: "r.rels", handler: handler)
        #expect(handler.relationships.first?.target == "a&b.xml")
        #expect(handler.relationships.first?.partName == "xl/a&b.xml")
    }

    @Test func whitespaceIsTrimmedUnlessPreserved() throws {
        let xml = #"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>  a  </t></si><si><t xml:space="preserve">  b  </t></si><si><r><t xml:space="preserve">x </t></r><r><t> y</t></r></si></sst>"#
        let handler = SharedStringsHandler(limits: .default, part: "s.xml")
        try XMLStreamParser.parse(bytes: Array(xml.utf8), part: "s.xml", handler: handler)
        #expect(handler.strings == ["a", "  b  ", "x y"])
    }
}
