/// The column keys a table's rows share, in the table's order, with each key's slot. One per
/// table: every row read from a sheet or the store points at the same instance.
public final class ColumnKeys: Sendable {
    public let keys: [String]
    @usableFromInline let slots: [String: Int]
    /// The slots in the order of their keys' bytes (how a row's JSON lists them).
    public let slotsByKey: [Int]

    public init(_ keys: [String]) {
        var slots: [String: Int] = [:]
        var unique: [String] = []
        for k in keys where slots[k] == nil {
            slots[k] = unique.count
            unique.append(k)
        }
        self.keys = unique
        self.slots = slots
        slotsByKey = unique.indices.sorted { unique[$0] < unique[$1] }
    }

    @inlinable public func slot(_ key: String) -> Int? { slots[key] }
}

/// A row's values by column key; a missing key is nil. Kept in slots, in the order of the row's
/// `ColumnKeys`: a sync compares tens of thousands of rows column by column, and reaching a
/// column by its slot hashes nothing (by key, each row cost a few dozen string hashes).
/// Reads and writes by key work as a dictionary's; a key the columns lack is added.
public struct KeyedRow<Value> {
    // The members a sync calls per cell are inlinable: from another module (the validator's pass,
    // the planner) a generic type's members are otherwise called unspecialised, asking the
    // runtime for the type's metadata at every call.
    public private(set) var columns: ColumnKeys
    @usableFromInline var values: [Value?]

    /// A row with every column nil.
    public init(_ columns: ColumnKeys) {
        self.columns = columns
        values = Array(repeating: nil, count: columns.keys.count)
    }

    /// The value in slot `slot` of the row's `columns` (for a caller that made the row from them;
    /// `value(_:slot:of:)` checks that first).
    @inlinable @inline(__always)
    public subscript(slot slot: Int) -> Value? {
        get { values[slot] }
        set { values[slot] = newValue }
    }

    /// The value of `key` when the row's columns are `columns`, found by `slot`; by key otherwise.
    @inlinable @inline(__always)
    public func value(_ key: String, slot: Int, of columns: ColumnKeys) -> Value? {
        self.columns === columns ? values[slot] : self[key]
    }

    public subscript(key: String) -> Value? {
        get { columns.slot(key).flatMap { values[$0] } }
        set {
            if let i = columns.slot(key) {
                values[i] = newValue
            } else if let newValue {
                columns = ColumnKeys(columns.keys + [key])
                values.append(newValue)
            }
        }
    }

    /// How many columns hold a value.
    @inlinable public var count: Int { values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    @inlinable public var isEmpty: Bool { !values.contains { $0 != nil } }
}

extension KeyedRow: Sequence {
    /// The keys that hold a value, with it, in the columns' order.
    public func makeIterator() -> AnyIterator<(key: String, value: Value)> {
        var i = 0
        return AnyIterator {
            while i < values.count {
                defer { i += 1 }
                if let v = values[i] { return (columns.keys[i], v) }
            }
            return nil
        }
    }
}

extension KeyedRow: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(ColumnKeys(elements.map(\.0)))
        for (k, v) in elements { self[k] = v }
    }
}

extension KeyedRow: Equatable where Value: Equatable {
    /// The same keys with the same values; a nil column is a missing one.
    @inlinable public static func == (a: Self, b: Self) -> Bool {
        if a.columns === b.columns { return a.values == b.values }
        return a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
    }
}

extension KeyedRow: Sendable where Value: Sendable {}

extension KeyedRow: CustomStringConvertible {
    public var description: String {
        "[" + map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
