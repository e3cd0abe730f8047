#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Edits an existing workbook without losing anything: parts that are not edited are copied
/// byte for byte (raw, without recompressing); edited parts are streamed through and replaced.
/// Nothing is written until `save`, which is atomic.
public final class WorkbookEditor {
    public let workbook: Workbook
    /// Edited or new parts by zip entry name, and where their new bytes are.
    private var replacements: [String: Replacement] = [:]
    private var added: [String] = []
    private var removed: Set<String> = []
    private var scratch: String?

    enum Replacement { case bytes([UInt8]), file(String) }

    public init(path: String, limits: Limits = .default) throws {
        workbook = try Workbook(path: path, limits: limits)
    }

    deinit {
        if let scratch { Self.removeTree(scratch) }
    }

    /// Replaces (or adds) the part `name` with `bytes`.
    public func setPart(_ name: String, bytes: [UInt8]) {
        record(name, .bytes(bytes))
    }

    /// Replaces (or adds) the part `name` with the contents of `file`, which the editor owns from now on.
    func setPart(_ name: String, file: String) {
        record(name, .file(file))
    }

    /// Leaves the part `name` out of the saved package.
    public func removePart(_ name: String) {
        removed.insert(name.lowercased())
    }

    private func record(_ name: String, _ replacement: Replacement) {
        let key = name.lowercased()
        if replacements[key] == nil && workbook.archive.entry(named: name) == nil { added.append(name) }
        replacements[key] = replacement
        removed.remove(key)
    }

    /// A path for a scratch file in a private folder, removed with the editor.
    func scratchFile(_ name: String) throws -> String {
        if scratch == nil {
            var template = Array("/tmp/tracksheet-XXXXXX".utf8CString)
            guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw XLSXError(.fileUnreadable, english: "Cannot create a scratch folder in /tmp", chinese: "无法在 /tmp 中创建临时文件夹")
            }
            scratch = String(cString: dir)
        }
        return "\(scratch!)/\(name.replacingAll("/", with: "_"))"
    }

    /// Writes the workbook to `path` (which may be the file it was read from) atomically:
    /// entries in their original order, untouched ones copied raw, then new ones.
    public func save(to path: String) throws {
        let writer = try PackageWriter(path: path)
        let archive = workbook.archive
        for entry in archive.entries {
            let key = entry.name.lowercased()
            if removed.contains(key) { continue }
            switch replacements[key] {
            case nil: try writer.copy(entry, from: archive)
            case .bytes(let b)?: try writer.add(name: entry.name, bytes: b, modified: entry.modified)
            case .file(let f)?: try writer.add(name: entry.name, file: f, modified: entry.modified)
            }
        }
        for name in added {
            switch replacements[name.lowercased()] {
            case .bytes(let b)?: try writer.add(name: name, bytes: b)
            case .file(let f)?: try writer.add(name: name, file: f)
            case nil: break
            }
        }
        try writer.commit()
    }

    static func removeTree(_ dir: String) {
        guard let d = opendir(dir) else { return }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink("\(dir)/\(name)") }
        }
        closedir(d)
        rmdir(dir)
    }
}
