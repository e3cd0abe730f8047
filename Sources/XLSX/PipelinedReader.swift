#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX mutex and condition variable at a fixed address (Swift may move a stored struct).
/// @unchecked Sendable: it is the lock; pthreads make its use from any thread safe.
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    @inline(__always)
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (the lock held) until `ready` says so; every change is announced by `signal`.
    func wait(until ready: () -> Bool) {
        while !ready() { pthread_cond_wait(condition, mutex) }
    }

    func signal() { pthread_cond_broadcast(condition) }
}

/// Rows (or what the parsing thread made of them, or a part's inflated bytes) handed from a
/// producing thread to the consuming one, in batches, at most `capacity` batches ahead: memory
/// stays bounded whichever side is slower.
/// @unchecked Sendable: its state is touched only with `monitor` locked.
final class Handoff<Item>: @unchecked Sendable {
    let monitor = Monitor()
    private var batches: [[Item]] = []
    private var head = 0
    private var done = false
    private(set) var failure: Error?
    private(set) var metadata = SheetMetadata()
    private var cancelled = false
    private let capacity = 4

    /// Called by the parser: waits while the queue is full; throws once the reader has stopped.
    func put(_ batch: [Item]) throws {
        try monitor.locked {
            monitor.wait { cancelled || batches.count - head < capacity }
            if cancelled { throw HandoffCancelled() }
            if head > 0 && head == batches.count { batches.removeAll(keepingCapacity: true); head = 0 }
            batches.append(batch)
            monitor.signal()
        }
    }

    func finish(_ metadata: SheetMetadata?, _ error: Error?) {
        monitor.locked {
            if let metadata { self.metadata = metadata }
            if !(error is HandoffCancelled) { failure = error }
            done = true
            monitor.signal()
        }
    }

    /// Called by the reader: the next batch, or nil once the parser has finished.
    func take() -> [Item]? {
        monitor.locked {
            monitor.wait { done || head < batches.count }
            guard head < batches.count else { return nil }
            let batch = batches[head]
            batches[head] = []
            head += 1
            monitor.signal()
            return batch
        }
    }

    func cancel() {
        monitor.locked {
            cancelled = true
            monitor.signal()
        }
    }
}

struct HandoffCancelled: Error {}

/// What the parsing thread runs: each row read, made into an item by `transform` (nil: none).
/// @unchecked Sendable: handed to the parsing thread whole and used there alone; what it shares
/// with the consumer goes through `handoff`.
private final class ParseJob<Item>: @unchecked Sendable {
    let workbook: Workbook
    let sheet: SheetInfo
    let handoff: Handoff<Item>
    let batchSize: Int
    let transform: (Row) throws -> Item?

    init(workbook: Workbook, sheet: SheetInfo, handoff: Handoff<Item>, batchSize: Int, transform: @escaping (Row) throws -> Item?) {
        self.workbook = workbook
        self.sheet = sheet
        self.handoff = handoff
        self.batchSize = batchSize
        self.transform = transform
    }

    func run() {
        var batch: [Item] = []
        batch.reserveCapacity(batchSize)
        do {
            let metadata = try workbook.readSheet(sheet) { row in
                guard let item = try transform(row) else { return }
                batch.append(item)
                if batch.count == batchSize {
                    try handoff.put(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try handoff.put(batch) }
            handoff.finish(metadata, nil)
        } catch {
            // The rows read before the failure reach the reader first, as they would unthreaded.
            if !batch.isEmpty && !(error is HandoffCancelled) { try? handoff.put(batch) }
            handoff.finish(nil, error)
        }
    }
}

/// A closure run on a new thread (a C entry point cannot be generic, so this one is not).
/// @unchecked Sendable: immutable; the closure is the caller's to make safe to run there.
final class ThreadEntry: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }

    /// Starts `run` on a new thread with an 8 MiB stack, as the main thread has (the parser
    /// recurses little, but libxml2 and the handlers want more than a bare minimum).
    static func start(_ run: @escaping () -> Void) throws -> pthread_t {
        let context = Unmanaged.passRetained(ThreadEntry(run)).toOpaque()
        #if canImport(Glibc)
        var t = pthread_t()
        #else
        var t: pthread_t?
        #endif
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        defer { pthread_attr_destroy(&attributes) }
        let rc = pthread_create(&t, &attributes, { raw in
            Unmanaged<ThreadEntry>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<ThreadEntry>.fromOpaque(context).release()
            throw XLSXError(.fileUnreadable, .readingThread, ["code": "\(rc)"])
        }
        #if canImport(Glibc)
        return t
        #else
        return t!
        #endif
    }
}

/// Work run on a thread of its own, its result (or error) collected by `value()`: `sync` reads the
/// hidden manifest sheet this way while the validator reads the data sheets.
/// @unchecked Sendable: `result` is written by the thread before it ends and read after
/// `pthread_join` (which orders the two); `thread` only by the owner.
public final class BackgroundWork<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private var thread: pthread_t?

    /// Starts `body` at once (or runs it here when no thread can be had). What it touches must not
    /// be touched meanwhile by the caller, but for reads of the same workbook, which the archive
    /// serialises.
    public init(_ body: @escaping () throws -> T) {
        let box = ResultBox<T>()
        thread = try? ThreadEntry.start { box.result = Result { try body() } }
        self.box = box
        if thread == nil { box.result = Result { try body() } }
    }

    private let box: ResultBox<T>

    /// Waits for the work and returns what it made, or throws what it threw.
    public func value() throws -> T {
        if let thread { pthread_join(thread, nil); self.thread = nil }
        return try box.result!.get()
    }

    deinit { if let thread { pthread_join(thread, nil) } }
}

/// A thread's result. @unchecked Sendable: written by the thread, read after it is joined.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

extension Workbook {
    /// Parts smaller than this are read on the calling thread: a thread is not worth it.
    public static let pipelineThreshold: Int64 = 1 << 20

    /// `readSheet`, with the sheet parsed on a second thread while `body` runs on this one: on two
    /// cores, inflating and parsing overlap with what the caller does with each row. The same rows
    /// in the same order, the same metadata and the same errors as `readSheet`; memory stays
    /// bounded (a few batches of rows in flight). `body` must not read other parts of this workbook
    /// meanwhile (the archive serialises its reads, so it would be safe, only slower).
    /// Small sheets are read unthreaded.
    @discardableResult
    public func readSheetPipelined(_ sheet: SheetInfo, batchSize: Int = 256, _ body: (Row) throws -> Void) throws -> SheetMetadata {
        // A small sheet streams straight through (`SheetStream` would read it all first).
        guard isLarge(sheet) else { return try readSheet(sheet, body) }
        let rows = try SheetStream(self, sheet: sheet, batchSize: batchSize) { $0 }
        defer { rows.close() }
        while let row = try rows.next() { try body(row) }
        return rows.metadata
    }

    /// Whether a sheet is worth a parsing thread (its part at least `pipelineThreshold`).
    func isLarge(_ sheet: SheetInfo) -> Bool {
        guard let part = sheet.part, let entry = archive.entry(named: part) else { return false }
        return entry.declaredSize >= Self.pipelineThreshold
    }
}

/// A sheet's rows pulled one at a time (`next()`), parsed on a second thread as `readSheetPipelined`
/// parses them, each made into an item there by `transform` (rows it makes nothing of are
/// skipped): for a caller that consumes rows inside another pass over the workbook (recalc
/// computes each row's derived cells on the parsing thread while the editor rewrites the same
/// sheet on this one). Small sheets are read at once on the calling thread. `close()` (or deinit)
/// stops the parsing thread; what `transform` touches is the parsing thread's until then.
public final class SheetStream<Item> {
    private let handoff: Handoff<Item>?
    private var thread: pthread_t?
    private var batch: [Item] = []
    private var at = 0
    private var finished = false
    /// A small sheet's metadata (read at once); a large one's is the handoff's.
    private var readAtOnce = SheetMetadata()

    public init(_ workbook: Workbook, sheet: SheetInfo, batchSize: Int = 256, transform: @escaping (Row) throws -> Item?) throws {
        guard workbook.isLarge(sheet) else {
            var items: [Item] = []
            readAtOnce = try workbook.readSheet(sheet) { row in if let item = try transform(row) { items.append(item) } }
            batch = items
            handoff = nil
            return
        }
        // Loaded here, so the parsing thread only reads what is already in memory.
        _ = try workbook.sharedStrings()
        let handoff = Handoff<Item>()
        let job = ParseJob(workbook: workbook, sheet: sheet, handoff: handoff, batchSize: max(1, batchSize), transform: transform)
        thread = try ThreadEntry.start { job.run() }
        self.handoff = handoff
    }

    /// The next item, nil after the last; throws what reading the sheet threw (after the items
    /// made before it).
    public func next() throws -> Item? {
        while at == batch.count {
            guard !finished, let handoff, let more = handoff.take() else {
                if !finished { finished = true; close(); if let failure = handoff?.failure { throw failure } }
                return nil
            }
            batch = more
            at = 0
        }
        defer { at += 1 }
        return batch[at]
    }

    /// The sheet's metadata (as `readSheet` returns it), once `next()` has returned nil.
    public var metadata: SheetMetadata { handoff?.metadata ?? readAtOnce }

    /// The last item, when all were made at once (a small sheet); nil while the sheet is read.
    public var last: Item? { handoff == nil ? batch.last : nil }

    /// Stops the parsing thread (rows not yet read are dropped).
    public func close() {
        guard let thread else { return }
        handoff?.cancel()
        pthread_join(thread, nil)
        self.thread = nil
    }

    deinit { close() }
}
