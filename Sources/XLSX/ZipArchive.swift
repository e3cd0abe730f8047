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
            throw XLSXError(.fileUnreadable, english: "Cannot open \(path) to finish it", chinese: "无法打开 \(path) 以完成写入")
        }
        guard text.utf8.count < 65_535, zip_set_archive_comment(za, text, zip_uint16_t(text.utf8.count)) == 0, zip_close(za) == 0 else {
            let why = String(cString: zip_strerror(za))
            zip_discard(za)
            throw XLSXError(.fileUnreadable, english: "Cannot finish \(path)", chinese: "无法完成写入 \(path)", underlying: why)
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
                throw XLSXError(.notAZip,
                    english: "This file is not a valid .xlsx workbook (it is not a complete zip package); it may be truncated or of another type",
                    chinese: "该文件不是有效的 .xlsx 工作簿(不是完整的 zip 包),可能已损坏、被截断或是其他类型的文件",
                    underlying: why)
            case ZIP_ER_OPEN, ZIP_ER_READ, ZIP_ER_NOENT:
                throw XLSXError(.fileUnreadable,
                    english: "Cannot open the file \(path)", chinese: "无法打开文件 \(path)", underlying: why)
            default:
                throw XLSXError(.corruptZip,
                    english: "The workbook's zip package is damaged", chinese: "工作簿的 zip 包已损坏", underlying: why)
            }
        }
        handle = za

        let count = zip_get_num_entries(za, 0)
        // From here on, a throw runs deinit, which discards the handle.
        if count < 0 || count > Int64(limits.maxEntries) {
            throw XLSXError(.tooManyEntries,
                english: "The workbook has \(count) zip entries, more than the limit of \(limits.maxEntries); it is not a normal Excel file",
                chinese: "工作簿包含 \(count) 个 zip 条目,超过上限 \(limits.maxEntries),不是正常的 Excel 文件")
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
                throw XLSXError(.duplicatePart,
                    english: "The workbook holds two parts named \"\(entries[other].name)\" and \"\(name)\"; part names may not differ only in case, so it is ambiguous which one is meant",
                    chinese: "工作簿中有两个仅大小写不同的部件 \"\(entries[other].name)\" 和 \"\(name)\",无法确定应读取哪一个")
            }
            byLowercasedName[key] = entries.count
            entries.append(entry)
        }
        // Each entry's compressed bytes are a stretch of the file of their own: a directory that
        // lists more of them than the file holds names one entry many times (a save would copy
        // it as often).
        let listed = entries.reduce(Int64(0)) { $0 &+ max(0, $1.compressedSize) }
        if listed > fileSize {
            throw XLSXError(.corruptZip,
                english: "The zip directory lists \(listed) bytes of compressed parts in a file of \(fileSize) bytes: its entries overlap, so the file is damaged or crafted",
                chinese: "zip 目录列出的压缩部件共 \(listed) 字节,而文件只有 \(fileSize) 字节:条目相互重叠,文件已损坏或被篡改")
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
            throw XLSXError(.encrypted, part: entry.name,
                english: "The part is encrypted with a zip password; tracksheet cannot read it",
                chinese: "该部件使用了 zip 密码加密,tracksheet 无法读取")
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
            throw XLSXError(opened.2 ? .unsupportedCompression : .corruptZip,
                part: entry.name,
                english: "The part cannot be opened inside the zip package", chinese: "无法打开 zip 包中的该部件",
                underlying: why)
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
                throw XLSXError(.corruptZip, part: entry.name,
                    english: "The part is damaged and cannot be inflated", chinese: "该部件已损坏,无法解压",
                    underlying: why)
            }
            if n == 0 { break }
            inflated += Int64(n)
            if entry.declaredSize >= 0 && inflated > entry.declaredSize {
                throw XLSXError(.corruptZip, part: entry.name,
                    english: "The part inflates to more bytes than the zip directory declares (\(entry.declaredSize)); the file is damaged or crafted",
                    chinese: "该部件解压后的大小超过 zip 目录声明的 \(entry.declaredSize) 字节;文件已损坏或被篡改")
            }
            if inflated > limits.maxPartBytes { throw partTooLarge(entry) }
            if total > limits.maxTotalBytes {
                throw XLSXError(.totalTooLarge, part: entry.name,
                    english: "The workbook inflates to more than \(Self.bytes(limits.maxTotalBytes)) in all, the limit for one workbook",
                    chinese: "工作簿解压后总大小超过上限 \(Self.bytes(limits.maxTotalBytes))")
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
        XLSXError(.partTooLarge, part: entry.name,
            english: "The part inflates to more than \(Self.bytes(limits.maxPartBytes)), the limit for one part",
            chinese: "该部件解压后超过单个部件上限 \(Self.bytes(limits.maxPartBytes))")
    }

    private func bomb(_ entry: Entry) -> XLSXError {
        XLSXError(.compressionRatio, part: entry.name,
            english: "The part would inflate more than \(limits.maxCompressionRatio) times its compressed size; this is a zip bomb, not a workbook",
            chinese: "该部件的解压比超过 \(limits.maxCompressionRatio) 倍,属于 zip 炸弹而不是正常工作簿")
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
            throw XLSXError(.fileUnreadable, english: "\(path) is not a regular file (\(Self.kind(before.st_mode))), so it is not a workbook",
                            chinese: "\(path) 不是普通文件(\(Self.kind(before.st_mode, chinese: true))),不是工作簿")
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw XLSXError(.fileUnreadable, english: "Cannot open the file \(path)", chinese: "无法打开文件 \(path)", underlying: why)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw XLSXError(.fileUnreadable, english: "Cannot read the file \(path)", chinese: "无法读取文件 \(path)")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw XLSXError(.fileUnreadable, english: "\(path) is a folder, not a workbook", chinese: "\(path) 是文件夹,不是工作簿")
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw XLSXError(.fileUnreadable, english: "\(path) is not a regular file (\(Self.kind(st.st_mode))), so it is not a workbook",
                            chinese: "\(path) 不是普通文件(\(Self.kind(st.st_mode, chinese: true))),不是工作簿")
        }
        let size = Int64(st.st_size)
        if size == 0 {
            throw XLSXError(.notAZip, english: "The file is empty (0 bytes); it is not a workbook", chinese: "文件为空(0 字节),不是工作簿")
        }
        var head = [UInt8](repeating: 0, count: 8)
        let got = head.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, 8) }
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        guard got == 8, head == ole else { return size }
        // An OLE compound file: Office puts a password-protected .xlsx in one, with streams named
        // EncryptionInfo and EncryptedPackage (UTF-16 in the directory); a .xls has a Workbook stream.
        if containsUTF16(fd: fd, size: size, needle: "EncryptedPackage") {
            throw XLSXError(.encrypted,
                english: "This workbook is protected with a password (encrypted); open it in Excel or WPS, remove the password to open, save it, and try again",
                chinese: "该工作簿设置了打开密码(已加密);请在 Excel 或 WPS 中打开并取消打开密码后另存,再重试")
        }
        throw XLSXError(.legacyXLS,
            english: "This is a legacy Excel 97-2003 workbook (.xls); open it in Excel or WPS and save it as .xlsx, then try again",
            chinese: "这是旧版 Excel 97-2003 工作簿(.xls);请在 Excel 或 WPS 中另存为 .xlsx 后重试")
    }

    /// What a file that is not a regular one is, in words.
    public static func kind(_ mode: mode_t, chinese: Bool = false) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: chinese ? "命名管道" : "a FIFO"
        case S_IFCHR, S_IFBLK: chinese ? "设备" : "a device"
        case S_IFSOCK: chinese ? "套接字" : "a socket"
        case S_IFDIR: chinese ? "文件夹" : "a folder"
        default: chinese ? "特殊文件" : "a special file"
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
