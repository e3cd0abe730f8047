#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cell edits of one sheet that arrive in reading order (row by row, left to right — how
/// `recalc` and `sync` produce them), kept as compact bytes and spilled to a scratch file past a
/// megabyte, then read back row by row as the sheet streams through. Memory stays flat however
/// many rows are edited: a 200,000-row recalc no longer holds a million edits in a dictionary.
final class EditSpool {
    /// A column's formulas filled down under one name.
    struct FillKey: Hashable {
        var column: Int
        var name: String
    }

    private let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    private(set) var last: CellReference?
    private(set) var count = 0
    private(set) var hasFormula = false
    private(set) var firstRow = Int.max, lastRow = 0, firstColumn = Int.max, lastColumn = 0
    /// The last row of each column's formulas filled down under one name (`CellEdit.fillDown`).
    private(set) var fillLast: [FillKey: Int] = [:]
    private static let spillAt = 1 << 20

    init(path: String) { self.path = path }

    deinit { if let file { fclose(file) }; unlink(path) }

    /// Takes an edit after every edit so far; false when it comes earlier (the caller keeps it).
    func append(_ ref: CellReference, _ edit: CellEdit) throws -> Bool {
        if let last, !(last < ref) { return false }
        last = ref
        count += 1
        firstRow = min(firstRow, ref.row); lastRow = max(lastRow, ref.row)
        firstColumn = min(firstColumn, ref.column); lastColumn = max(lastColumn, ref.column)
        if edit.formula != nil { hasFormula = true }
        if let name = edit.fillDown, edit.formula != nil { fillLast[FillKey(column: ref.column, name: name)] = ref.row }
        put(UInt32(ref.row)); put(UInt32(ref.column))
        var flags: UInt8 = 0
        if edit.keepsContent { flags |= 1 }
        if edit.formula != nil { flags |= 2 }
        if edit.styleIndex != nil { flags |= 4 }
        if edit.fillDown != nil { flags |= 8 }
        buffer.append(flags)
        switch edit.value {
        case .empty: buffer.append(0)
        case .string(let s): buffer.append(1); put(s)
        case .number(let n): buffer.append(2); put(n.bitPattern)
        case .bool(let b): buffer.append(3); buffer.append(b ? 1 : 0)
        case .error(let e): buffer.append(4); put(e)
        case .date(let d): buffer.append(d.kind == .duration ? 6 : 5); put(d.serial.bitPattern)
        }
        if let f = edit.formula { put(f) }
        if let s = edit.styleIndex { put(UInt32(truncatingIfNeeded: s)) }
        if let name = edit.fillDown { put(name) }
        if buffer.count >= Self.spillAt { try spill() }
        return true
    }

    private func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { buffer.append(contentsOf: $0) } }
    private func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { buffer.append(contentsOf: $0) } }
    private func put(_ s: String) {
        var s = s
        s.withUTF8 { put(UInt32($0.count)); buffer.append(contentsOf: $0) }
    }

    private func spill() throws {
        if file == nil {
            guard let f = fopen(path, "w+b") else {
                throw XLSXError(.fileUnreadable, .scratchFile)
            }
            file = f
        }
        guard fwrite(buffer, 1, buffer.count, file) == buffer.count else {
            throw XLSXError(.fileUnreadable, .scratchFileFailed)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: reading back, once

    private var readBuffer: [UInt8] = []
    private var readAt = 0
    private var fileDone = true
    private var peeked: (CellReference, CellEdit)?

    /// Starts reading from the first edit.
    func rewind() {
        if let file { fflush(file); fseek(file, 0, SEEK_SET); fileDone = false }
        readBuffer = []
        readAt = 0
        peeked = nil
    }

    /// Makes `n` bytes available at `readAt`; false at the end.
    private func ensure(_ n: Int) -> Bool {
        if readBuffer.count - readAt >= n { return true }
        readBuffer.removeFirst(readAt)
        readAt = 0
        while readBuffer.count < n {
            if !fileDone, let file {
                var chunk = [UInt8](repeating: 0, count: max(n, 1 << 16))
                let got = fread(&chunk, 1, chunk.count, file)
                if got > 0 { readBuffer.append(contentsOf: chunk[0..<got]) } else { fileDone = true }
            } else if !buffer.isEmpty {
                readBuffer.append(contentsOf: buffer)
                buffer.removeAll()
            } else {
                return false
            }
        }
        return true
    }

    private func u32() -> UInt32 {
        _ = ensure(4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(readBuffer[readAt + i]) << (8 * UInt32(i)) }
        readAt += 4
        return v
    }

    private func u64() -> UInt64 {
        _ = ensure(8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(readBuffer[readAt + i]) << (8 * UInt64(i)) }
        readAt += 8
        return v
    }

    private func byte() -> UInt8 {
        _ = ensure(1)
        readAt += 1
        return readBuffer[readAt - 1]
    }

    private func string() -> String {
        let n = Int(u32())
        _ = ensure(n)
        let s = String(decoding: readBuffer[readAt..<(readAt + n)], as: UTF8.self)
        readAt += n
        return s
    }

    private func next() -> (CellReference, CellEdit)? {
        if let p = peeked { peeked = nil; return p }
        guard ensure(1) else { return nil }
        let ref = CellReference(row: Int(u32()), column: Int(u32()))
        let flags = byte()
        let value: CellValue
        switch byte() {
        case 1: value = .string(string())
        case 2: value = .number(Double(bitPattern: u64()))
        case 3: value = .bool(byte() != 0)
        case 4: value = .error(string())
        case 5: value = .date(ExcelDateTime(serial: Double(bitPattern: u64())))
        case 6: value = .date(ExcelDateTime(serial: Double(bitPattern: u64()), kind: .duration))
        default: value = .empty
        }
        var edit = CellEdit(value: value, formula: flags & 2 != 0 ? string() : nil, styleIndex: nil)
        if flags & 4 != 0 { edit.styleIndex = Int(u32()) }
        if flags & 8 != 0 { edit.fillDown = string() }
        edit.keepsContent = flags & 1 != 0
        return (ref, edit)
    }

    /// The row of the next edit not yet taken.
    func nextRow() -> Int? {
        if peeked == nil { peeked = next() }
        return peeked?.0.row
    }

    /// The edits of row `row` (the next row), in column order.
    func take(row: Int) -> [(Int, CellEdit)] {
        var out: [(Int, CellEdit)] = []
        while let (ref, edit) = next() {
            guard ref.row == row else { peeked = (ref, edit); break }
            out.append((ref.column, edit))
        }
        return out
    }

    /// Every edit, for when rows are inserted or deleted after edits were spooled.
    func drain() -> [(CellReference, CellEdit)] {
        rewind()
        var out: [(CellReference, CellEdit)] = []
        while let e = next() { out.append(e) }
        return out
    }
}
