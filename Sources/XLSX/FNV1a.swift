/// FNV-1a, 64 bits: a quick hash for digests that tell one state from another (the sync stamp's
/// parts and rows). Not a defence against someone forging a match on purpose.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
    }

    /// A text and a NUL after it, so that ("ab", "c") and ("a", "bc") differ.
    public mutating func add(field text: String) {
        add(text.utf8)
        add(CollectionOfOne(0))
    }

    /// The eight bytes of `number`, least significant first.
    public mutating func add(_ number: UInt64) {
        var n = number
        for _ in 0..<8 { value = (value ^ (n & 0xff)) &* 0x100_0000_01b3; n >>= 8 }
    }
}
