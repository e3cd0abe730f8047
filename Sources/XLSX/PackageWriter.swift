import TracksheetLibZip
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a zip package atomically: everything goes to a temporary file beside `path`, which is
/// flushed to disk and renamed over `path` only by `commit()`. Until then — and whenever anything
/// throws — `path` is untouched, so the user's workbook is never half-written.
///
/// Entries copied from another archive keep their compressed bytes, CRC and time (libzip copies
/// them raw, without inflating); new entries are deflated.
public final class PackageWriter {
    public let path: String
    /// zlib level for new entries: a fast deflate, as Excel's own workbooks are deflated (their
    /// zip headers say "super fast", and their sheets are the size zlib's level 1 makes of them).
    /// Level 2 costs what level 1 does for a smaller file, a third of level 6's time for a file
    /// about a fifth larger (a 50,000-row recalculated sheet: 4.2 MB at 6, 5.2 MB at 2) — and
    /// deflating is a fifth of a large recalc's or export's work.
    public static let deflateLevel: UInt32 = 2
    public var compressionLevel: UInt32 = PackageWriter.deflateLevel
    let temporaryPath: String
    private var handle: OpaquePointer?
    private var committed = false
    /// Sources the archive reads at close time; kept alive until then.
    private var keepAlive: [AnyObject] = []

    public init(path requested: String) throws {
        // A link is followed: the file it names is replaced (atomically, beside itself) and the
        // link stays a link.
        let path = Self.resolvingLinks(requested)
        self.path = path
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw XLSXError(.fileUnreadable, .outputNotRegular, ["path": "\(requested)", "kind": .said(ZipArchive.kind(st.st_mode))])
        }
        let (dir, base) = Self.split(path)
        temporaryPath = "\(dir)/.\(base).tracksheet-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        Self.removeLeftovers(beside: path)
        var error: Int32 = 0
        guard let za = zip_open(temporaryPath, ZIP_CREATE | ZIP_EXCL, &error) else {
            throw Self.error(code: error, .outputCannotCreate, ["path": "\(path)"])
        }
        handle = za
    }

    deinit { if !committed { abandon() } }

    /// Copies `entry` of `archive` as it is: same name (unless `name` says another), compressed
    /// bytes, CRC and time (unless `modified` says another). `archive` must stay open until `commit()`.
    public func copy(_ entry: ZipArchive.Entry, from archive: ZipArchive, as name: String? = nil, modified: Int? = nil) throws {
        guard let za = handle else { return }
        keepAlive.append(archive)
        guard let source = zip_source_zip(za, archive.handle, zip_uint64_t(entry.index), zip_flags_t(ZIP_FL_COMPRESSED), 0, -1) else {
            throw zipError(za, part: name ?? entry.name, .partCannotCopy)
        }
        let index = try add(source, name: name ?? entry.name, modified: modified ?? entry.modified)
        // Stored (uncompressed) entries come out of a raw source as plain data, which libzip would
        // deflate by default; keep each entry's own method.
        if let za = handle, entry.compressionMethod == ZIP_CM_STORE {
            zip_set_file_compression(za, zip_uint64_t(index), ZIP_CM_STORE, 0)
        }
    }

    /// Adds a new entry holding `bytes`, deflated.
    public func add(name: String, bytes: [UInt8], modified: Int? = nil) throws {
        guard let za = handle else { return }
        // libzip reads the buffer at close time and frees it (freep = 1) — but an empty buffer it
        // never takes (found by the reader's fuzz target: one byte leaked per empty part).
        let buffer = bytes.isEmpty ? nil : malloc(bytes.count)!
        bytes.withUnsafeBytes { if let base = $0.baseAddress, let buffer { memcpy(buffer, base, bytes.count) } }
        guard let source = zip_source_buffer(za, buffer, zip_uint64_t(bytes.count), buffer == nil ? 0 : 1) else {
            free(buffer)
            throw zipError(za, part: name, .partCannotAdd)
        }
        let index = try add(source, name: name, modified: modified)
        zip_set_file_compression(za, zip_uint64_t(index), ZIP_CM_DEFLATE, compressionLevel)
    }

    /// Adds a new entry whose bytes are in the file `file` (read, and deflated, at commit).
    public func add(name: String, file: String, modified: Int? = nil) throws {
        guard let za = handle else { return }
        guard let source = zip_source_file(za, file, 0, -1) else {
            throw zipError(za, part: name, .partCannotAddFrom, ["file": "\(file)"])
        }
        let index = try add(source, name: name, modified: modified)
        zip_set_file_compression(za, zip_uint64_t(index), ZIP_CM_DEFLATE, compressionLevel)
    }

    /// Adds a new entry already deflated into the one-entry zip `zipped` (a `ZippedPart`): its
    /// compressed bytes are copied as they are.
    public func add(name: String, zipped: String, modified: Int? = nil) throws {
        let archive = try ZipArchive(path: zipped)
        guard let entry = archive.entries.first else {
            throw XLSXError(.missingPart, .partCopyEmpty, part: name)
        }
        try copy(entry, from: archive, as: name, modified: modified ?? Int(time(nil)))
    }

    @discardableResult
    private func add(_ source: OpaquePointer, name: String, modified: Int?) throws -> Int64 {
        guard let za = handle else { return -1 }
        let index = zip_file_add(za, name, source, zip_flags_t(ZIP_FL_ENC_UTF_8))
        guard index >= 0 else {
            zip_source_free(source)
            throw zipError(za, part: name, .partCannotAdd)
        }
        // Office writes parts without timestamps worth keeping, but copied ones keep theirs.
        if let modified { zip_file_set_mtime(za, zip_uint64_t(index), time_t(modified), 0) }
        return index
    }

    /// Writes the archive, flushes it to disk and renames it over `path`.
    public func commit() throws {
        guard let za = handle else { return }
        if zip_close(za) != 0 {
            let e = zipError(za, part: nil, .outputCannotWrite, ["path": "\(path)"])
            zip_discard(za)
            handle = nil
            unlink(temporaryPath)
            throw e
        }
        handle = nil
        keepAlive.removeAll()
        // zip_close wrote and closed the file; make its bytes durable before they replace anything.
        // The new file gets the old one's permissions and owner (a 0600 workbook stays 0600).
        Self.keepMode(of: path, on: temporaryPath)
        let fd = open(temporaryPath, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporaryPath, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw XLSXError(.fileUnreadable, .outputCannotReplace, ["path": "\(path)"], underlying: why)
        }
        committed = true
        Self.syncDirectory(of: path)
    }

    /// Gives `path` the permissions and (when allowed) the owner of `original`, the file it replaces.
    public static func keepMode(of original: String, on path: String) {
        var st = stat()
        guard stat(original, &st) == 0 else { return }
        _ = chmod(path, st.st_mode & 0o7777)
        _ = chown(path, st.st_uid, st.st_gid) // only root may give a file away; otherwise it stays the writer's
    }

    /// Where `path` leads through symbolic links (up to 16 of them; a dangling link's target too).
    public static func resolvingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<16 {
            var st = stat()
            guard lstat(current, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return current }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : split(current).folder + "/" + target
        }
        return current
    }

    /// Makes a rename into `path`'s folder durable.
    public static func syncDirectory(of path: String) {
        let dfd = open(split(path).folder, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Where a workbook is staged before it replaces `path` at a moment its caller chooses (a sync
    /// renames it only once the store has committed): `.plan.xlsx.sync-<pid>` in the same folder,
    /// so the rename is atomic, and `removeLeftovers` knows it.
    public static func stagingPath(for path: String) -> String {
        let (dir, file) = split(path)
        return (path.contains("/") ? (dir == "/" ? "/" : dir + "/") : "") + ".\(file).sync-\(getpid())"
    }

    /// Removes what a run killed midway left beside `path` — a save's `.plan.xlsx.tracksheet-<pid>-….tmp`
    /// (and libzip's own temporary file of it), a staged `.plan.xlsx.sync-<pid>` (`stagingPath`) —
    /// once process `<pid>` is gone. A running process's files are left alone.
    public static func removeLeftovers(beside path: String) {
        let (dir, base) = split(path)
        guard let handle = opendir(dir) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") && name.count > 2 { names.append(name) }
        }
        closedir(handle)
        for name in names {
            let dots = name.prefix { $0 == "." }.count
            for marker in [".\(base).tracksheet-", ".\(base).sync-"] {
                guard dots <= 2, name.dropFirst(dots - 1).hasPrefix(marker) else { continue }
                let rest = name.dropFirst(dots - 1 + marker.count)
                guard let pid = Int32(rest.prefix { $0.isASCII && $0.isNumber }), pid > 0, pid != getpid() else { continue }
                if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(dir)/\(name)") }
                break
            }
        }
    }

    /// The folder of `path` (`.` when it names none, `/` for the root) and its file name.
    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// Throws everything away; `path` stays as it was.
    public func abandon() {
        if let za = handle { zip_discard(za) }
        handle = nil
        keepAlive.removeAll()
        unlink(temporaryPath)
    }

    private func zipError(_ za: OpaquePointer, part: String?, _ key: XLSXMessageKey, _ values: [String: XLSXMessage.Value] = [:]) -> XLSXError {
        XLSXError(.corruptZip, key, values, part: part, underlying: String(cString: zip_strerror(za)))
    }

    private static func error(code: Int32, _ key: XLSXMessageKey, _ values: [String: XLSXMessage.Value]) -> XLSXError {
        var zerr = zip_error_t()
        zip_error_init_with_code(&zerr, code)
        defer { zip_error_fini(&zerr) }
        return XLSXError(.fileUnreadable, key, values, underlying: String(cString: zip_error_strerror(&zerr)))
    }
}
