import Testing
@testable import XLSX

@Suite struct FNV1aTests {
    /// The published FNV-1a 64-bit test vectors (Fowler, Noll and Vo's reference code).
    @Test func matchesThePublishedVectors() {
        for (text, expected) in [("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)] {
            var h = FNV1a()
            h.add(text.utf8)
            #expect(h.value == expected, "\(text)")
        }
    }

    @Test func fieldsAreKeptApartAndNumbersTakeEightBytes() {
        var a = FNV1a(), b = FNV1a()
        a.add(field: "ab"); a.add(field: "c")
        b.add(field: "a"); b.add(field: "bc")
        #expect(a.value != b.value)
        var n = FNV1a(), bytes = FNV1a()
        n.add(0x0102_0304_0506_0708 as UInt64)
        bytes.add([8, 7, 6, 5, 4, 3, 2, 1] as [UInt8])
        #expect(n.value == bytes.value)
    }
}
