#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A handler that can take some elements as bytes instead of as parsed events — a sheet's rewriter
/// copies the rows it does not edit as they are, and parsing them would cost more than the rest of
/// the save together.
///
/// The parser asks only when it has handled every byte before the element, and only for an element
/// whose end it found by its `<`s alone: no comment, processing instruction or CDATA section inside
/// it, no element of the same name nested in it. Its bytes are then exactly those libxml2 would
/// have read as that element. Whether they are well-formed is not checked: a handler that takes
/// them vouches for the part having been parsed whole before (a sync's or a recalc's own reading).
public protocol ElementSkipping: AnyObject {
    /// The local name of the elements that may be taken as bytes (`row`).
    var skippableName: [UInt8] { get }
    /// The element `element` (start tag to end tag; its qualified name is `element[1...name]` and
    /// its start tag `element[..<startTagEnd]`) is next, at `offset` in the bytes the parser was
    /// given: `.taken` when the handler took its bytes (the parser never sees it), `.parse` to
    /// have it parsed, `.parseRest` to have it and everything after it parsed.
    func take(_ element: UnsafeRawBufferPointer, name: Int, startTagEnd: Int, at offset: Int) throws -> SkipAnswer
}

public enum SkipAnswer { case taken, parse, parseRest }

/// Sits between a part's bytes and the parser: passes the bytes on, except elements its skipper takes.
/// Bytes are held back only while an element's end has not arrived (at most `mostHeld`).
final class ElementFilter {
    private let skipper: ElementSkipping
    private let local: [UInt8]
    /// Bytes received and not yet passed on (an element whose end is still to come).
    private var held: [UInt8] = []
    /// Once true, everything goes to the parser.
    private var passing = false
    /// An element longer than this is parsed rather than held whole.
    static let mostHeld = 1 << 20
    /// Gives bytes to the parser.
    private let parse: (UnsafeRawBufferPointer) throws -> Void
    /// True when the parser has handled every byte it was given, and their count.
    private let settled: () -> Int?

    init(skipper: ElementSkipping, parse: @escaping (UnsafeRawBufferPointer) throws -> Void, settled: @escaping () -> Int?) {
        self.skipper = skipper
        local = skipper.skippableName
        self.parse = parse
        self.settled = settled
    }

    func feed(_ chunk: UnsafeRawBufferPointer) throws {
        if passing && held.isEmpty { return try parse(chunk) }
        if held.isEmpty {
            let used = try process(chunk, final: false)
            if used < chunk.count { held.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[used...])) }
        } else {
            held.append(contentsOf: chunk)
            let bytes = held
            let used = try bytes.withUnsafeBytes { try process($0, final: false) }
            held.removeFirst(used)
        }
    }

    /// Passes on what is held (the part has ended).
    func finish() throws {
        guard !held.isEmpty else { return }
        let bytes = held
        held = []
        _ = try bytes.withUnsafeBytes { try process($0, final: true) }
    }

    /// Passes on or takes what it can of `b`; returns how many bytes it used.
    private func process(_ b: UnsafeRawBufferPointer, final: Bool) throws -> Int {
        let n = b.count
        var i = 0
        while i < n {
            if passing {
                try parse(UnsafeRawBufferPointer(rebasing: b[i..<n]))
                return n
            }
            guard let j = candidate(b, from: i) else {
                try parse(UnsafeRawBufferPointer(rebasing: b[i..<n]))
                return n
            }
            if j > i { try parse(UnsafeRawBufferPointer(rebasing: b[i..<j])); i = j }
            switch Self.extent(b, at: i) {
            case .incomplete:
                if final || n - i > Self.mostHeld {
                    try parse(UnsafeRawBufferPointer(rebasing: b[i..<n]))
                    return n
                }
                return i
            case .unclear(let k):
                try parse(UnsafeRawBufferPointer(rebasing: b[i..<k]))
                i = k
            case .element(let end, let name, let startTagEnd):
                let element = UnsafeRawBufferPointer(rebasing: b[i..<end])
                var answer = SkipAnswer.parse
                if let offset = settled() { answer = try skipper.take(element, name: name, startTagEnd: startTagEnd - i, at: offset) }
                if answer != .taken { try parse(element) }
                if answer == .parseRest { passing = true }
                i = end
            }
        }
        return n
    }

    /// The first `<` at or after `from` opening an element of the skippable local name (or whose
    /// name runs past the end, so cannot be told yet).
    private func candidate(_ b: UnsafeRawBufferPointer, from: Int) -> Int? {
        let base = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = b.count
        var p = from
        while p < n {
            guard let hit = memchr(base + p, Int32(UInt8(ascii: "<")), n - p) else { return nil }
            let j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var k = j + 1
            while k < n && !Self.endsName(base[k]) { k += 1 }
            if k == n { return j }
            // The local part: after the last colon.
            var start = j + 1
            for q in (j + 1)..<k where base[q] == UInt8(ascii: ":") { start = q + 1 }
            if k - start == local.count && (0..<local.count).allSatisfy({ base[start + $0] == local[$0] }) { return j }
            p = j + 1
        }
        return nil
    }

    @inline(__always) static func endsName(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") || c == UInt8(ascii: "\t")
            || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "<")
    }

    /// Where a tag's `>` is, looking from `from` up to `to` (a `>` inside a quoted attribute value
    /// does not end it): its offset, the offset of a `<` met first, or `to`.
    static func tagStop(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var k = from
        var quote: UInt8 = 0
        while k < to {
            let c = base[k]
            if quote != 0 { if c == quote { quote = 0 } }
            else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { quote = c }
            else if c == UInt8(ascii: ">") || c == UInt8(ascii: "<") { return k }
            k += 1
        }
        return to
    }

    enum Extent: Equatable {
        /// Its end has not arrived.
        case incomplete
        /// Not taken whole (something inside it a scan of `<`s cannot follow): bytes up to here are parsed.
        case unclear(Int)
        /// Ends before `end`; its name is `name` bytes after the `<`; its start tag ends before `startTagEnd`.
        case element(end: Int, name: Int, startTagEnd: Int)
    }

    /// Where the element starting at `i` ends.
    static func extent(_ b: UnsafeRawBufferPointer, at i: Int) -> Extent {
        let base = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = b.count
        var k = i + 1
        while k < n && !endsName(base[k]) { k += 1 }
        guard k < n else { return .incomplete }
        let name = k - (i + 1)
        guard name > 0, base[k] != UInt8(ascii: "<") else { return .unclear(i + 1) }
        k = tagStop(base, from: k, to: n)
        guard k < n else { return .incomplete }
        guard base[k] == UInt8(ascii: ">") else { return .unclear(k) }
        let startTagEnd = k + 1
        if base[k - 1] == UInt8(ascii: "/") { return .element(end: startTagEnd, name: name, startTagEnd: startTagEnd) }
        func sameName(at q: Int) -> Bool? {
            guard q + name < n else { return nil }
            for x in 0..<name where base[q + x] != base[i + 1 + x] { return false }
            return endsName(base[q + name])
        }
        var p = startTagEnd
        while p < n {
            guard let hit = memchr(base + p, Int32(UInt8(ascii: "<")), n - p) else { return .incomplete }
            let j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            guard j + 1 < n else { return .incomplete }
            switch base[j + 1] {
            case UInt8(ascii: "!"), UInt8(ascii: "?"):
                return .unclear(startTagEnd)
            case UInt8(ascii: "/"):
                guard let same = sameName(at: j + 2) else { return .incomplete }
                if same {
                    var e = j + 2 + name
                    while e < n && base[e] != UInt8(ascii: ">") {
                        guard [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(base[e]) else { return .unclear(startTagEnd) }
                        e += 1
                    }
                    guard e < n else { return .incomplete }
                    return .element(end: e + 1, name: name, startTagEnd: startTagEnd)
                }
            default:
                guard let same = sameName(at: j + 1) else { return .incomplete }
                if same { return .unclear(startTagEnd) }
            }
            p = j + 1
        }
        return .incomplete
    }
}

/// The value of attribute `name` in a start tag's bytes (`<row r="5" spans="1:3">`), or nil.
func attributeValue(_ name: String, inStartTag tag: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    let b = tag.bindMemory(to: UInt8.self)
    let n = b.count
    let want = Array(name.utf8)
    func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    var k = 1
    while k < n && !ElementFilter.endsName(b[k]) { k += 1 }
    while k < n {
        while k < n && space(b[k]) { k += 1 }
        guard k < n, b[k] != UInt8(ascii: ">"), b[k] != UInt8(ascii: "/") else { return nil }
        let nameStart = k
        while k < n && b[k] != UInt8(ascii: "=") && !space(b[k]) { k += 1 }
        let nameEnd = k
        while k < n && space(b[k]) { k += 1 }
        guard k < n, b[k] == UInt8(ascii: "=") else { return nil }
        k += 1
        while k < n && space(b[k]) { k += 1 }
        guard k < n, b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'") else { return nil }
        let quote = b[k]
        k += 1
        let valueStart = k
        while k < n && b[k] != quote { k += 1 }
        guard k < n else { return nil }
        if nameEnd - nameStart == want.count && (0..<want.count).allSatisfy({ b[nameStart + $0] == want[$0] }) {
            return UnsafeRawBufferPointer(rebasing: tag[valueStart..<k])
        }
        k += 1
    }
    return nil
}
