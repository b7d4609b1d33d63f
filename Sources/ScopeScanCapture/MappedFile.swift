import ScopeScanSystem
import Synchronization

/// A regular file mapped read-only and read front to back, its pages given back behind the reader.
///
/// Readers hand out records in place: no copy into a buffer (a `read` copies every byte, which cost
/// as much as decoding them). The pages already read are returned to the kernel every MiB
/// (`release(before:)`), so the resident set stays small however large the file: a map of a 1 GB
/// capture would otherwise count 1 GB. Returned pages are clean copies of the page cache; reading
/// them again (a second pass) faults them back in. Nothing beyond the size the file had when mapped
/// is read. As with any map, a file cut shorter while it is being read ends the process with SIGBUS.
/// In a file of 16 MiB or more, a thread faults the pages a few MiB ahead of the reader in
/// (`PageWarmer`), so the reader's core does not stop for them.
///
/// This is the boundary between the map and the readers: they read `span`, bounds-checked, and
/// nothing else in the module touches the map's address (the warmer, below, only asks the kernel
/// to map its pages).
@safe
final class MappedFile {
    static let releaseStep = 1 << 20

    private let base: UnsafeRawPointer?
    let count: Int
    private var released = 0
    /// Faults the pages in ahead of the reader, on another core (large files only).
    private let warmer: PageWarmer?

    /// Opens and maps `path`; an empty file maps to no bytes.
    convenience init(path: String) throws(CaptureError) {
        let fd = SystemCalls.openReadOnly(path)
        guard fd >= 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot open")) }
        defer { SystemCalls.close(fd) }
        guard let status = SystemCalls.status(fd) else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot stat")) }
        guard status.isRegular else { throw CaptureError(path: path, message: "not a regular file") }
        guard let (base, count) = unsafe MappedFile.map(fd, size: status.size) else { // the map, handed to init
            throw CaptureError(path: path, message: MappedFile.errnoText("cannot map"))
        }
        unsafe self.init(base: base, count: count) // the map just made, owned from here on
    }

    /// Maps the regular file behind `descriptor`; nil when it is empty or cannot be mapped.
    convenience init?(descriptor: Int32) {
        guard let status = SystemCalls.status(descriptor), status.isRegular, status.size > 0,
              let (base, count) = unsafe MappedFile.map(descriptor, size: status.size) else { return nil } // the map, handed to init
        unsafe self.init(base: base, count: count) // the map just made, owned from here on
    }

    private init(base: UnsafeRawPointer?, count: Int) {
        unsafe self.base = base // the map, unmapped only by deinit
        self.count = count
        // The map's address as a number, for the warmer's thread, which touches only the map's own
        // pages and is joined before the map goes.
        warmer = count >= PageWarmer.smallestFile ? PageWarmer(address: UInt(bitPattern: base), count: count) : nil
    }

    private static func map(_ fd: Int32, size: Int) -> (UnsafeRawPointer?, Int)? {
        if size == 0 { return (nil, 0) } // an empty file: no address, no bytes
        // mmap(2) of a descriptor we hold, read-only; the result is checked against MAP_FAILED.
        guard let base = unsafe mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), unsafe base != MAP_FAILED else { return nil }
        #if canImport(Glibc)
        _ = unsafe madvise(base, size, MADV_SEQUENTIAL) // a hint on the map just made, inside its length
        #endif
        return (UnsafeRawPointer(base), size) // the map's address and length, handed to init
    }

    deinit {
        warmer?.stop()
        // The map's own address and length; no span of it outlives the borrow of this object.
        if let base = unsafe base { unsafe munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The whole file, bounds-checked, for as long as this object is borrowed.
    var span: RawSpan {
        @_lifetime(borrow self) get {
            // The map stays until deinit, which cannot run while self is borrowed; its pages are
            // read-only, so the bytes do not change under the span (released pages fault back in).
            unsafe _overrideLifetime(RawSpan(_unsafeBytes: UnsafeRawBufferPointer(start: base, count: count)), borrowing: self)
        }
    }

    /// Gives back the whole pages before `offset`, a step at a time. Bytes handed out before
    /// `offset` must no longer be in use (readers call it after the packet's callback returns).
    @inline(__always)
    func release(before offset: Int) {
        guard offset - released >= Self.releaseStep else { return }
        let end = offset & ~(SystemCalls.pageSize - 1)
        // Whole pages of the map, from what was released to a page boundary before `offset` (at
        // most the map's length): MADV_DONTNEED drops them, and a later read faults them back in.
        _ = unsafe madvise(UnsafeMutableRawPointer(mutating: base! + released), end - released, MADV_DONTNEED)
        released = end
        warmer?.reader(at: end)
    }

    /// Whether a thread is faulting pages in ahead (the tests ask).
    var isWarming: Bool { warmer?.isRunning ?? false }

    /// Starts another front-to-back pass.
    func rewind() {
        released = 0
    }

    static func errnoText(_ what: String) -> String {
        "\(what): \(System.errorText(errno))"
    }
}

/// Faults a map's pages in on a thread of its own, a window ahead of the reader, so that the
/// reader's core does not stop at a page fault every 64 KiB (the kernel maps that much around a
/// fault): on the 1,000,000-packet benchmark pcap, 2,800 faults and a tenth of the analysis's
/// time, which the other core now spends (docs/performance.md, "Pages faulted in ahead").
/// `madvise(MADV_POPULATE_READ)` (Linux 5.14) maps a MiB at a time, never more than `window`
/// beyond the reader (the reader gives back the pages behind it, so the map's resident
/// set stays within about `window`), and never behind it. Nothing else: the bytes read are the
/// map's either way, and a kernel without the call, a file cut short (EFAULT) or any other error
/// just ends the thread, leaving the faults to the reader as before.
final class PageWarmer: Sendable {
    /// Files smaller than this are not worth a thread (starting one costs about 50 µs).
    static let smallestFile = 16 << 20
    static let window = 8 << 20
    static let step = 1 << 20

    private let address: UInt
    private let count: Int
    /// Where the reader is (the offset it has given the pages before back up to).
    private let readerOffset = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let ended = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)

    /// Nil when no core is spare (`HelperThreads`: the input's hash for `--report` may have it)
    /// or no thread can be started.
    init?(address: UInt, count: Int) {
        #if os(Linux)
        guard HelperThreads.reserve() else { return nil }
        self.address = address
        self.count = count
        let started = System.startThread { [self] in run() }
        guard let started else {
            HelperThreads.release()
            return nil
        }
        thread.withLock { $0 = started }
        #else
        return nil
        #endif
    }

    /// False once the thread has returned: the whole map done, stopped, or the call failed.
    var isRunning: Bool { !ended.load(ordering: .relaxed) }

    func reader(at offset: Int) {
        readerOffset.store(offset, ordering: .relaxed)
    }

    /// Ends the thread and waits for it (at most one step's `madvise`).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        if let started = thread.withLock({ $0 }) { System.joinThread(started) }
    }

    private func run() {
        defer {
            ended.store(true, ordering: .relaxed)
            HelperThreads.release()
        }
        #if os(Linux)
        var next = 0
        while next < count && !stopping.load(ordering: .relaxed) {
            // A helper that must run (the hash) started after this one: leave it the core.
            if HelperThreads.oversubscribed { return }
            let reader = readerOffset.load(ordering: .relaxed)
            if next < reader { next = reader }
            if next >= reader + Self.window {
                _ = usleep(200)
                continue
            }
            let length = min(Self.step, count - next)
            // Pages of the map, from a page boundary (`next` is 0, a step's multiple or where the
            // reader released to) for at most the map's length: populate reads them, changes nothing.
            guard unsafe madvise(UnsafeMutableRawPointer(bitPattern: address + UInt(next)), length, 22 /* MADV_POPULATE_READ */) == 0 else { return }
            next += length
        }
        #endif
    }
}

/// The helper threads that work beside the analysis (the page warmer, the input's hash), counted
/// so that an optional one starts only on a core no other one has: on two cores, the page warmer
/// and `--report`'s hash on the same spare core made `--report --evidence` slower (257.9 ms
/// against 248.5 ms without the warmer, 236.3 ms with this count). The hash always runs
/// (`claim`); the warmer only when a core is left (`reserve`).
enum HelperThreads {
    private static let busy = Atomic<Int>(0)
    private static let spare = max(1, System.onlineProcessors() - 1)

    /// Takes a spare core if one is left.
    static func reserve() -> Bool {
        var current = busy.load(ordering: .relaxed)
        while current < spare {
            let (exchanged, original) = busy.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Counts a helper that runs whether or not a core is spare.
    static func claim() {
        busy.add(1, ordering: .relaxed)
    }

    static func release() {
        busy.subtract(1, ordering: .relaxed)
    }

    /// More helpers than spare cores: the optional ones should end.
    static var oversubscribed: Bool { busy.load(ordering: .relaxed) > spare }

    /// Helpers counted now (the tests ask).
    static var count: Int { busy.load(ordering: .relaxed) }
}
