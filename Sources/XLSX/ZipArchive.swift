import TracksheetLibZip
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zip file opened read-only through libzip, with every entry's inflated size counted while
/// inflating and bounded by `Limits`.
///
/// Entry names are only ever looked up, never used as file-system paths.
public final class ZipArchive {
    /// One entry of the central directory.
    public struct Entry: Sendable {
        public let index: Int
        /// The entry's name with `\\` separators turned into `/`.
        public let name: String
        /// What the directory claims; only used for the compression-ratio check and reports.
        public let declaredSize: Int64
        public let compressedSize: Int64
        public let isEncrypted: Bool
        /// Modification time as the directory has it (kept when the entry is copied).
        public let modified: Int
        /// ZIP_CM_STORE (0), ZIP_CM_DEFLATE (8) …; kept when the entry is copied.
        public let compressionMethod: Int32
        /// The CRC-32 of the inflated bytes, as the directory has it (0 when it has none).
        public let crc: UInt32
    }

    /// The archive's comment (the zip's own, not any part's), as bytes; nil when it has none.
    public private(set) var comment: [UInt8]?

    /// A digest of every entry's name, size and CRC-32 as the directory has them, in order: two
    /// archives whose parts are byte for byte the same have the same digest, and a part changed
    /// in any byte changes it (but for a CRC-32 collision). The comment is not in it.
    public var entriesDigest: String {
        var h = FNV1a()
        for e in entries {
            h.add(field: e.name); h.add(field: String(e.declaredSize)); h.add(field: String(e.crc))
        }
        return String(h.value, radix: 16)
    }

    /// Sets the archive comment of the zip at `path` (libzip writes the file again, its parts
    /// copied as they are).
    public static func setComment(_ text: String, ofArchiveAt path: String) throws {
        var code: Int32 = 0
        guard let za = zip_open(path, 0, &code) else {
            throw XLSXError(.fileUnreadable, .outputCannotReopen, ["path": "\(path)"])
        }
        guard text.utf8.count < 65_535, zip_set_archive_comment(za, text, zip_uint16_t(text.utf8.count)) == 0, zip_close(za) == 0 else {
            let why = String(cString: zip_strerror(za))
            zip_discard(za)
            throw XLSXError(.fileUnreadable, .outputCannotFinish, ["path": "\(path)"], underlying: why)
        }
    }

    public let path: String
    public let limits: Limits
    public private(set) var entries: [Entry] = []
    private var byLowercasedName: [String: Int] = [:]
    /// The libzip handle, for `PackageWriter`'s raw copies.
    let handle: OpaquePointer
    private let fileSize: Int64
    /// Inflated bytes of every part read so far, against `limits.maxTotalBytes`.
    public private(set) var totalInflated: Int64 = 0
    /// libzip's archive handle is not safe to use from two threads at once: every libzip call on
    /// it (and the count above) is made under this lock — never while a caller's body runs.
    private let libzip = Monitor()

    /// Opens `path`. Throws for a file that is not a zip, an encrypted or legacy workbook,
    /// too many entries, or two entries whose names differ only in case.
    public init(path: String, limits: Limits = .default) throws {
        self.path = path
        self.limits = limits
        self.fileSize = try Self.checkSignature(path)

        var errorCode: Int32 = 0
        guard let za = zip_open(path, ZIP_RDONLY, &errorCode) else {
            var zerr = zip_error_t()
            zip_error_init_with_code(&zerr, errorCode)
            defer { zip_error_fini(&zerr) }
            let why = String(cString: zip_error_strerror(&zerr))
            switch errorCode {
            case ZIP_ER_NOZIP, ZIP_ER_INCONS:
                throw XLSXError(.notAZip, .fileNotAZip, underlying: why)
            case ZIP_ER_OPEN, ZIP_ER_READ, ZIP_ER_NOENT:
                throw XLSXError(.fileUnreadable, .fileCannotOpen, ["path": "\(path)"], underlying: why)
            default:
                throw XLSXError(.corruptZip, .zipDamaged, underlying: why)
            }
        }
        handle = za

        let count = zip_get_num_entries(za, 0)
        // From here on, a throw runs deinit, which discards the handle.
        if count < 0 || count > Int64(limits.maxEntries) {
            throw XLSXError(.tooManyEntries, .zipTooManyEntries, ["count": "\(count)", "limit": "\(limits.maxEntries)"])
        }
        var length: Int32 = 0
        if let c = zip_get_archive_comment(za, &length, zip_flags_t(ZIP_FL_ENC_RAW)), length > 0 {
            comment = Array(UnsafeRawBufferPointer(start: c, count: Int(length)))
        }
        entries.reserveCapacity(Int(count))
        for i in 0..<count {
            var st = zip_stat_t()
            zip_stat_init(&st)
            guard zip_stat_index(za, zip_uint64_t(i), 0, &st) == 0, let cname = st.name else { continue }
            // Some Windows tools write `xl\\workbook.xml`; Excel reads those, so the separator is normalised.
            let name = String(decoding: UnsafeRawBufferPointer(start: cname, count: strlen(cname)), as: UTF8.self)
                .replacingAll("\\", with: "/")
            let entry = Entry(
                index: Int(i), name: name,
                declaredSize: tracksheet_zip_stat_has_size(&st) != 0 ? Int64(clamping: st.size) : -1,
                compressedSize: tracksheet_zip_stat_has_comp_size(&st) != 0 ? Int64(clamping: st.comp_size) : -1,
                isEncrypted: tracksheet_zip_stat_has_encryption(&st) != 0 && st.encryption_method != UInt16(ZIP_EM_NONE),
                modified: Int(st.mtime),
                compressionMethod: Int32(st.comp_method),
                crc: tracksheet_zip_stat_has_crc(&st) != 0 ? st.crc : 0)
            let key = name.lowercased()
            if name.hasSuffix("/") { entries.append(entry); continue } // a folder entry, no part
            if let other = byLowercasedName[key] {
                throw XLSXError(.duplicatePart, .zipPartNamesDifferInCase, ["first": "\(entries[other].name)", "second": "\(name)"])
            }
            byLowercasedName[key] = entries.count
            entries.append(entry)
        }
        // Each entry's compressed bytes are a stretch of the file of their own: a directory that
        // lists more of them than the file holds names one entry many times (a save would copy
        // it as often).
        let listed = entries.reduce(Int64(0)) { $0 &+ max(0, $1.compressedSize) }
        if listed > fileSize {
            throw XLSXError(.corruptZip, .zipEntriesOverlap, ["listed": "\(listed)", "size": "\(fileSize)"])
        }
    }

    deinit { zip_discard(handle) }

    /// The entry whose name matches `name` (ASCII case-insensitively, as OPC part names do).
    public func entry(named name: String) -> Entry? {
        byLowercasedName[name.lowercased()].map { entries[$0] }
    }

    /// Streams the inflated bytes of `entry` to `body` in chunks, counting them against the limits.
    /// Throws when the part or the workbook grows past its limit, inflates suspiciously well,
    /// is encrypted, or fails its CRC check.
    public func read(_ entry: Entry, chunkSize: Int = 256 << 10,
                     _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if entry.isEncrypted {
            throw XLSXError(.encrypted, .partEncrypted, part: entry.name)
        }
        // The directory's sizes are checked before inflating a byte; inflating past the declared
        // size is refused below, so a lying directory gains nothing.
        if entry.declaredSize > limits.maxPartBytes {
            throw partTooLarge(entry)
        }
        if entry.declaredSize > limits.ratioGraceBytes && entry.compressedSize >= 0
            && entry.declaredSize / max(1, entry.compressedSize) > limits.maxCompressionRatio {
            throw bomb(entry)
        }
        let opened = libzip.locked { () -> (OpaquePointer?, String, Bool) in
            if let file = zip_fopen_index(handle, zip_uint64_t(entry.index), 0) { return (file, "", false) }
            return (nil, String(cString: zip_strerror(handle)), zip_error_code_zip(zip_get_error(handle)) == ZIP_ER_COMPNOTSUPP)
        }
        guard let file = opened.0 else {
            let why = opened.1
            throw XLSXError(opened.2 ? .unsupportedCompression : .corruptZip, .partCannotOpen, part: entry.name, underlying: why)
        }
        defer { libzip.locked { _ = zip_fclose(file) } }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        // The smaller of the directory's claim and the file itself: a lying directory gains nothing.
        let compressed = max(1, min(entry.compressedSize < 0 ? fileSize : entry.compressedSize, fileSize))
        var inflated: Int64 = 0
        while true {
            let (n, total) = libzip.locked { () -> (Int64, Int64) in
                let n = zip_fread(file, buffer, zip_uint64_t(chunkSize))
                if n > 0 { totalInflated += Int64(n) }
                return (n, totalInflated)
            }
            if n < 0 {
                let why = libzip.locked { String(cString: zip_file_strerror(file)) }
                throw XLSXError(.corruptZip, .partDamaged, part: entry.name, underlying: why)
            }
            if n == 0 { break }
            inflated += Int64(n)
            if entry.declaredSize >= 0 && inflated > entry.declaredSize {
                throw XLSXError(.corruptZip, .partLongerThanDeclared, ["declared": "\(entry.declaredSize)"], part: entry.name)
            }
            if inflated > limits.maxPartBytes { throw partTooLarge(entry) }
            if total > limits.maxTotalBytes {
                throw XLSXError(.totalTooLarge, .workbookTooLarge, ["limit": "\(Self.bytes(limits.maxTotalBytes))"], part: entry.name)
            }
            if inflated > limits.ratioGraceBytes && inflated / compressed > limits.maxCompressionRatio {
                throw bomb(entry)
            }
            try body(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
        }
    }

    /// `read`, with a large part (over `Workbook.pipelineThreshold`) inflated on a thread of its own
    /// while `body` works on the chunks inflated before (at most four waiting): inflating a sheet —
    /// a tenth of parsing it — then costs its parser no time on two cores. The same chunks, the
    /// same errors after the same chunks; if `body` throws, the inflating thread stops. Without a
    /// thread the part is read here.
    public func readAhead(_ entry: Entry, chunkSize: Int = 256 << 10, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard entry.declaredSize >= Workbook.pipelineThreshold else { return try read(entry, chunkSize: chunkSize, body) }
        let handoff = Handoff<UInt8>()
        let thread: pthread_t
        do {
            thread = try ThreadEntry.start { [self] in
                do {
                    try read(entry, chunkSize: chunkSize) { try handoff.put(Array($0)) }
                    handoff.finish(nil, nil)
                } catch {
                    handoff.finish(nil, error)
                }
            }
        } catch {
            return try read(entry, chunkSize: chunkSize, body)
        }
        defer {
            handoff.cancel()
            pthread_join(thread, nil)
        }
        while let chunk = handoff.take() { try chunk.withUnsafeBytes { try body($0) } }
        if let failure = handoff.failure { throw failure }
    }

    /// The whole inflated part as bytes; for small parts (relationships, content types).
    public func data(_ entry: Entry) throws -> [UInt8] {
        var out: [UInt8] = []
        if entry.declaredSize > 0 && entry.declaredSize < 64 << 20 { out.reserveCapacity(Int(entry.declaredSize)) }
        try read(entry) { out.append(contentsOf: $0) }
        return out
    }

    private func partTooLarge(_ entry: Entry) -> XLSXError {
        XLSXError(.partTooLarge, .partTooLarge, ["limit": "\(Self.bytes(limits.maxPartBytes))"], part: entry.name)
    }

    private func bomb(_ entry: Entry) -> XLSXError {
        XLSXError(.compressionRatio, .partZipBomb, ["ratio": "\(limits.maxCompressionRatio)"], part: entry.name)
    }

    static func bytes(_ n: Int64) -> String {
        n >= 1 << 30 ? "\(n >> 30) GiB" : n >= 1 << 20 ? "\(n >> 20) MiB" : "\(n) bytes"
    }

    /// Reads the first bytes to tell an OLE compound file (encrypted .xlsx or legacy .xls) and an
    /// empty file from a zip before libzip sees it. Returns the file's size.
    private static func checkSignature(_ path: String) throws -> Int64 {
        // Only a regular file is a workbook: opening a FIFO would wait for a writer forever, a
        // device would read without end. Asked before opening (O_NONBLOCK guards the race).
        var before = stat()
        if stat(path, &before) == 0, (before.st_mode & S_IFMT) != S_IFREG, (before.st_mode & S_IFMT) != S_IFDIR {
            throw XLSXError(.fileUnreadable, .fileNotRegular, ["path": "\(path)", "kind": .said(Self.kind(before.st_mode))])
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw XLSXError(.fileUnreadable, .fileCannotOpen, ["path": "\(path)"], underlying: why)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw XLSXError(.fileUnreadable, .fileCannotRead, ["path": "\(path)"])
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw XLSXError(.fileUnreadable, .fileIsFolder, ["path": "\(path)"])
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw XLSXError(.fileUnreadable, .fileNotRegular, ["path": "\(path)", "kind": .said(Self.kind(st.st_mode))])
        }
        let size = Int64(st.st_size)
        if size == 0 {
            throw XLSXError(.notAZip, .fileEmpty)
        }
        var head = [UInt8](repeating: 0, count: 8)
        let got = head.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, 8) }
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        guard got == 8, head == ole else { return size }
        // An OLE compound file: Office puts a password-protected .xlsx in one, with streams named
        // EncryptionInfo and EncryptedPackage (UTF-16 in the directory); a .xls has a Workbook stream.
        if containsUTF16(fd: fd, size: size, needle: "EncryptedPackage") {
            throw XLSXError(.encrypted, .fileEncrypted)
        }
        throw XLSXError(.legacyXLS, .fileLegacyXLS)
    }

    /// What a file that is not a regular one is, in words.
    public static func kind(_ mode: mode_t) -> XLSXMessageKey {
        switch mode & S_IFMT {
        case S_IFIFO: .kindFIFO
        case S_IFCHR, S_IFBLK: .kindDevice
        case S_IFSOCK: .kindSocket
        case S_IFDIR: .kindFolder
        default: .kindSpecial
        }
    }

    private static func containsUTF16(fd: Int32, size: Int64, needle: String) -> Bool {
        let pattern = Array(needle.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let scan = Int(min(size, 16 << 20))
        var buf = [UInt8](repeating: 0, count: scan)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, scan, 0) }
        guard n > pattern.count else { return false }
        let limit = n - pattern.count
        var i = 0
        while i <= limit {
            if buf[i] == pattern[0] && buf[i + 1] == pattern[1] && Array(buf[i..<i + pattern.count]) == pattern { return true }
            i += 1
        }
        return false
    }
}

/// libc's read(2), named apart from the archive's own `read`.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
