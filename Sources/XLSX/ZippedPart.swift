import TracksheetLibZip
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A part deflated on a second thread while it is being written: the writer hands its bytes over
/// in chunks, and a thread of its own has libzip deflate them into a one-entry zip in the scratch
/// folder. At save, the package copies that entry's compressed bytes as they are (as it copies
/// untouched parts), so deflating — a fifth of a large edit's work — overlaps with writing instead
/// of following it. Memory stays bounded: at most `capacity` chunks wait between the two threads.
/// @unchecked Sendable: the chunks and the state the two threads share are touched only with
/// `monitor` locked; the rest is constant or the deflating thread's alone.
final class ZippedPart: @unchecked Sendable {
    /// The one-entry zip, once `finish()` has returned.
    let path: String
    let part: String
    private let level: UInt32
    private let monitor = Monitor()
    private var chunks: [[UInt8]] = []
    private var head = 0
    /// The chunk being filled by the writer (not yet handed over).
    private var filling: [UInt8] = []
    private var closed = false
    private var cancelled = false
    /// What the deflating thread failed with (nil: all well so far).
    private var failure: String?
    private var thread: pthread_t?
    /// The reading side's position in the chunk it is copying from.
    private var current: [UInt8] = []
    private var offset = 0
    private var sourceError = zip_error_t()

    static let chunkSize = 256 << 10
    private let capacity = 8

    init(path: String, part: String, level: UInt32 = PackageWriter.deflateLevel) throws {
        self.path = path
        self.part = part
        self.level = level
        zip_error_init(&sourceError)
        filling.reserveCapacity(Self.chunkSize)
        unlink(path)
        thread = try ThreadEntry.start { [self] in deflate() }
    }

    deinit {
        cancel()
        zip_error_fini(&sourceError)
    }

    // MARK: the writing side

    /// Takes `count` bytes; false once the part can no longer be written (the thread failed).
    func write(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        filling.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: count))
        if filling.count >= Self.chunkSize { return handOver() }
        return monitor.locked { failure == nil && !cancelled }
    }

    private func handOver() -> Bool {
        let chunk = filling
        filling = []
        filling.reserveCapacity(Self.chunkSize)
        return monitor.locked {
            monitor.wait { cancelled || failure != nil || chunks.count - head < capacity }
            guard !cancelled && failure == nil else { return false }
            if head > 0 && head == chunks.count { chunks.removeAll(keepingCapacity: true); head = 0 }
            chunks.append(chunk)
            monitor.signal()
            return true
        }
    }

    /// Hands over the rest, waits for the thread and reports what it failed with.
    func finish() throws {
        if !filling.isEmpty { _ = handOver() }
        monitor.locked {
            closed = true
            monitor.signal()
        }
        join()
        if let failure {
            unlink(path)
            throw XLSXError(.fileUnreadable, .partWriteFailed, part: part, underlying: failure)
        }
    }

    /// Stops the thread without a result (the part is being written again, or not at all).
    func cancel() {
        guard thread != nil else { return }
        monitor.locked {
            cancelled = true
            monitor.signal()
        }
        join()
        unlink(path)
    }

    private func join() {
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    // MARK: the deflating thread

    private func deflate() {
        var code: Int32 = 0
        guard let za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code) else {
            return fail("cannot create \(path) (libzip error \(code))")
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let source = zip_source_function(za, { context, data, length, command in
            Unmanaged<ZippedPart>.fromOpaque(context!).takeUnretainedValue().source(data, length, command)
        }, context) else {
            zip_discard(za)
            return fail(String(cString: zip_strerror(za)))
        }
        let index = zip_file_add(za, "part", source, 0)
        guard index >= 0 else {
            zip_source_free(source)
            let why = String(cString: zip_strerror(za))
            zip_discard(za)
            return fail(why)
        }
        zip_set_file_compression(za, zip_uint64_t(index), ZIP_CM_DEFLATE, level)
        if zip_close(za) != 0 {
            let why = String(cString: zip_strerror(za))
            zip_discard(za)
            return fail(why)
        }
    }

    private func fail(_ why: String) {
        monitor.locked {
            if failure == nil && !cancelled { failure = why }
            monitor.signal()
        }
    }

    /// libzip's callback source: the chunks, in order, until the writer has finished.
    private func source(_ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t, _ command: zip_source_cmd_t) -> zip_int64_t {
        switch command {
        case ZIP_SOURCE_OPEN, ZIP_SOURCE_CLOSE, ZIP_SOURCE_FREE:
            return 0
        case ZIP_SOURCE_READ:
            guard let data else { return -1 }
            var written = 0
            while written < Int(length) {
                if offset == current.count {
                    guard let next = nextChunk() else { break }
                    current = next
                    offset = 0
                    continue
                }
                let n = min(Int(length) - written, current.count - offset)
                current.withUnsafeBytes { (data + written).copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
                offset += n
                written += n
            }
            if written == 0 && monitor.locked({ cancelled }) {
                zip_error_set(&sourceError, ZIP_ER_CANCELLED, 0)
                return -1
            }
            return zip_int64_t(written)
        case ZIP_SOURCE_STAT:
            // Size and CRC are unknown until the end: libzip works them out as it reads.
            guard let data, length >= MemoryLayout<zip_stat_t>.size else { return -1 }
            zip_stat_init(data.assumingMemoryBound(to: zip_stat_t.self))
            return zip_int64_t(MemoryLayout<zip_stat_t>.size)
        case ZIP_SOURCE_ERROR:
            return zip_error_to_data(&sourceError, data, length)
        case ZIP_SOURCE_SUPPORTS:
            return tracksheet_zip_source_supports_readable()
        default:
            zip_error_set(&sourceError, ZIP_ER_OPNOTSUPP, 0)
            return -1
        }
    }

    /// The next chunk, waiting for the writer; nil at the end (or once cancelled).
    private func nextChunk() -> [UInt8]? {
        monitor.locked {
            monitor.wait { cancelled || closed || head < chunks.count }
            guard !cancelled, head < chunks.count else { return nil }
            let chunk = chunks[head]
            chunks[head] = []
            head += 1
            monitor.signal()
            return chunk
        }
    }
}
