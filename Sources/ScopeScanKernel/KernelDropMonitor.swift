import ScopeScanPackets
import CKernelDrops
import ScopeScanSystem

// The boundary with CKernelDrops, the C loader of the BPF tracer (docs/architecture.md, "Where
// unsafe code may live"): its handle, the ring buffer's events handed to a C callback, and the BTF
// reader's callback (KernelDropReasonTable.load, at the end). Nothing else in ScopeScanKernel
// holds a pointer.

/// Reports the packets the kernel drops in one network namespace, with the kernel's reason, while a
/// capture runs. Linux only (BPF on skb:kfree_skb); elsewhere `init` throws
/// "kernel drop reasons unavailable: not supported on this platform".
///
/// Open it, privileged, in the namespace to watch; then `poll` from the same thread's namespace (the
/// interface names are looked up there) and `close`, or let it go. Not thread-safe: one poller.
///
///     let monitor = try KernelDropMonitor()
///     while capturing { for drop in try monitor.poll(timeoutMilliseconds: 100) { … } }
///     let matched = KernelDropMatcher().match(drops: drops, frames: frameKeys)
@safe
public final class KernelDropMonitor {
    /// The namespace being watched (inode of its /proc/…/ns/net).
    public let networkNamespaceInode: UInt64
    public let reasons: KernelDropReasonTable
    public let symbols: KernelSymbolTable
    #if os(Linux)
    /// sskd_open's monitor, owned by this object: used by this object's methods only, closed once.
    private var handle: OpaquePointer?
    #endif
    private var clock = WallClockOffset()
    private var interfaceNames: [UInt32: String] = [:]
    // Drops come from a handful of call sites: name each once, not once per drop.
    private var functionNames: [UInt64: String?] = [:]

    /// Opens the tracer for the calling thread's network namespace, or for `networkNamespaceInode`
    /// (drops of every other namespace are filtered out in the kernel). Reads the drop reasons from
    /// BTF and the kernel symbols now: do it before any privilege drop.
    public init(networkNamespaceInode: UInt64? = nil) throws(KernelDropsUnavailable) {
        #if os(Linux)
        try KernelDropMonitor.checkPrerequisites()
        let inode: UInt64
        if let networkNamespaceInode { inode = networkNamespaceInode } else { inode = try KernelDropMonitor.currentNetworkNamespaceInode() }
        self.networkNamespaceInode = inode
        reasons = try KernelDropReasonTable.load()
        // Symbols are a nicety: a table that cannot be read leaves functions nil, it does not fail.
        symbols = (try? KernelSymbolTable.load()) ?? KernelSymbolTable(kallsyms: [])
        var message = [CChar](repeating: 0, count: 512)
        // sskd_open writes at most `message.count` bytes of error text into the array's storage.
        guard let opened = unsafe sskd_open(inode, &message, message.count) else {
            throw KernelDropsUnavailable(decodeCString(message))
        }
        unsafe handle = opened // the monitor just opened, owned from here on
        #else
        throw KernelDropsUnavailable.unsupportedPlatform
        #endif
    }

    deinit { close() }

    /// The inode of the calling thread's network namespace (/proc/thread-self/ns/net, which differs
    /// from /proc/self's when only this thread has entered another namespace).
    public static func currentNetworkNamespaceInode() throws(KernelDropsUnavailable) -> UInt64 {
        #if os(Linux)
        guard let info = System.fileStatus(path: "/proc/thread-self/ns/net") ?? System.fileStatus(path: "/proc/self/ns/net") else {
            throw KernelDropsUnavailable("cannot read the network namespace (/proc/self/ns/net): \(errnoText())")
        }
        return UInt64(info.st_ino)
        #else
        throw KernelDropsUnavailable.unsupportedPlatform
        #endif
    }

    /// Waits up to `timeoutMilliseconds` (0: only what is there, -1: until a wakeup) and returns the
    /// drops that arrived, oldest first. The tracer wakes a waiter at most once a millisecond (a
    /// wakeup per drop cost 5 µs of CPU each), so a drop close behind another is returned when the
    /// timeout ends: poll with a timeout such as 100 ms.
    public func poll(timeoutMilliseconds: Int32) throws(KernelDropsUnavailable) -> [KernelDrop] {
        #if os(Linux)
        guard let handle = unsafe handle else { return [] } // the open monitor, see `handle`
        final class Collector { var events: [sskd_event] = [] }
        let collector = Collector()
        let result = withExtendedLifetime(collector) {
            // sskd_poll calls back with `context`, the collector kept alive around the call, and
            // each event valid during its callback only: copied out at once.
            unsafe sskd_poll(handle, timeoutMilliseconds, { context, event in
                unsafe Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue().events.append(event!.pointee) // see above
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        guard result >= 0 else { throw KernelDropsUnavailable("reading the ring buffer: \(errnoText(-result))") }
        // The offset drifts with NTP slewing and jumps with clock steps: refresh it at every poll.
        clock.refresh()
        return collector.events.map(makeDrop)
        #else
        return []
        #endif
    }

    /// Everything already waiting, without blocking (call once more after stopping the capture).
    public func drain() throws(KernelDropsUnavailable) -> [KernelDrop] {
        try poll(timeoutMilliseconds: 0)
    }

    /// Drops the tracer saw but had no ring-buffer room for: a nonzero count means the list is partial.
    public var lostCount: UInt64 {
        #if os(Linux)
        return unsafe handle.map { unsafe sskd_lost($0) } ?? 0 // the open monitor, see `handle`
        #else
        return 0
        #endif
    }

    /// A descriptor that becomes readable when drops wait (for poll(2)/epoll alongside a capture).
    public var fileDescriptor: Int32 {
        #if os(Linux)
        return unsafe handle.map { unsafe sskd_fd($0) } ?? -1 // the open monitor, see `handle`
        #else
        return -1
        #endif
    }

    /// Detaches the tracer. Idempotent.
    public func close() {
        #if os(Linux)
        // The monitor is closed once: nil afterwards, and sskd_close(NULL) does nothing.
        unsafe sskd_close(handle)
        unsafe handle = nil // as the line above
        #endif
    }

    #if os(Linux)
    private func makeDrop(_ event: sskd_event) -> KernelDrop {
        let captured = min(Int(event.captured), Int(SSKD_CAPTURE_BYTES))
        // The event's fixed C array (a tuple in Swift), read as bytes up to its captured length.
        let bytes = unsafe withUnsafeBytes(of: event.bytes) { unsafe Array($0.prefix(captured)) }
        return KernelDrop(time: clock.wallClock(monotonicNanoseconds: event.monotonic_ns),
                          reason: reasons.reason(event.reason), function: functionName(event.location),
                          location: event.location, interfaceIndex: event.ifindex,
                          interfaceName: interfaceName(event.ifindex), length: event.skb_len, bytes: bytes)
    }

    private func functionName(_ location: UInt64) -> String? {
        if let known = functionNames[location] { return known }
        let name = symbols.function(at: location)
        functionNames[location] = name
        return name
    }

    private func interfaceName(_ index: UInt32) -> String? {
        guard index != 0 else { return nil }
        if let name = interfaceNames[index] { return name }
        guard let name = System.interfaceName(index: index) else { return nil }
        interfaceNames[index] = name
        return name
    }

    /// The reasons the tracer cannot load, each as its own clear line, checked before libbpf tries
    /// (whose errors name a step, not a cause).
    static func checkPrerequisites() throws(KernelDropsUnavailable) {
        let problem = prerequisiteProblem(hasBTF: System.mayAccess("/sys/kernel/btf/vmlinux", R_OK),
                                          effectiveCapabilities: effectiveCapabilities())
        if let problem { throw problem }
    }
    #endif

    /// `effectiveCapabilities` nil: unknown, and libbpf's own error will tell.
    static func prerequisiteProblem(hasBTF: Bool, effectiveCapabilities: UInt64?) -> KernelDropsUnavailable? {
        guard hasBTF else {
            return KernelDropsUnavailable("the kernel has no BTF (/sys/kernel/btf/vmlinux missing: CONFIG_DEBUG_INFO_BTF is off)")
        }
        guard let capabilities = effectiveCapabilities else { return nil }
        // Before 5.8 there was no CAP_BPF or CAP_PERFMON and CAP_SYS_ADMIN covered both.
        let sysAdmin: UInt64 = 1 << 21, perfmon: UInt64 = 1 << 38, bpf: UInt64 = 1 << 39
        guard capabilities & sysAdmin != 0 || capabilities & (perfmon | bpf) == perfmon | bpf else {
            return KernelDropsUnavailable("needs root, or CAP_BPF and CAP_PERFMON")
        }
        return nil
    }

    #if os(Linux)
    /// CapEff from /proc/self/status; nil when unreadable (then libbpf's own error decides).
    static func effectiveCapabilities() -> UInt64? {
        guard let status = try? readWholeFile("/proc/thread-self/status") else { return nil }
        for line in status.split(separator: 0x0a) where line.starts(with: Array("CapEff:".utf8)) {
            let hex = String(decoding: line.dropFirst(7), as: UTF8.self).trimmingSpaces
            return UInt64(hex, radix: 16)
        }
        return nil
    }
    #endif
}

/// Converts the tracer's CLOCK_MONOTONIC times to wall-clock `Timestamp`s.
struct WallClockOffset {
    private(set) var realtimeMinusMonotonic: Int64 = 0

    init() { refresh() }

    /// Samples the offset three times and keeps the one read between the closest pair of monotonic
    /// reads, so a preemption between the two clock reads does not skew it.
    mutating func refresh() {
        var best = Int64.max
        for _ in 0..<3 {
            let before = Self.now(CLOCK_MONOTONIC), wall = Self.now(CLOCK_REALTIME), after = Self.now(CLOCK_MONOTONIC)
            if after - before < best {
                best = after - before
                realtimeMinusMonotonic = wall - (before + (after - before) / 2)
            }
        }
    }

    func wallClock(monotonicNanoseconds: UInt64) -> Timestamp {
        Timestamp(nanoseconds: Int64(truncatingIfNeeded: monotonicNanoseconds) &+ realtimeMinusMonotonic)
    }

    private static func now(_ clock: clockid_t) -> Int64 { System.clockNanoseconds(clock) }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension KernelDropReasonTable {
    /// Reads the enum from `btfPath`, or from the running kernel's /sys/kernel/btf/vmlinux when nil.
    /// Throws when there is no BTF, or no enum (kernels before 5.17).
    public static func load(btfPath: String? = nil) throws(KernelDropsUnavailable) -> KernelDropReasonTable {
        #if os(Linux)
        final class Collector { var names: [UInt32: String] = [:] }
        let collector = Collector()
        var message = [CChar](repeating: 0, count: 256)
        let result = withExtendedLifetime(collector) {
            // sskd_drop_reasons calls back with `context`, the collector kept alive around the call,
            // and each name a C string valid during its callback (copied at once); it writes at
            // most `message.count` bytes of error text into the array.
            unsafe sskd_drop_reasons(btfPath, { context, value, name in
                let collector = unsafe Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue() // see above
                collector.names[value] = unsafe String(cString: name!) // see above
            }, Unmanaged.passUnretained(collector).toOpaque(), &message, message.count)
        }
        guard result > 0 else { throw KernelDropsUnavailable(decodeCString(message)) }
        return KernelDropReasonTable(namesByValue: collector.names)
        #else
        throw KernelDropsUnavailable.unsupportedPlatform
        #endif
    }
}
