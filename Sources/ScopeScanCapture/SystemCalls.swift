import ScopeScanSystem
import ScopeScanWire

/// The operating-system calls ScopeScanCapture makes, each behind a safe signature: descriptors,
/// stat, temporary files, interface lists (getifaddrs), poll, the clock, signal masks and a lock
/// with a condition. The C calls take pointers; what they read or write is an array, a buffer of
/// known length or a local, passed for the length of the call.
///
/// This is one of the module's C boundary files (docs/architecture.md, "Where unsafe code may
/// live"): the readers and sources above it contain no unsafe construct.
enum SystemCalls {
    /// open(2) read-only; -1 with errno on failure.
    static func openReadOnly(_ path: String) -> Int32 {
        unsafe open(path, O_RDONLY) // the path is copied to a C string for the call
    }

    /// open(2) for a new or truncated file (mode 0666 before the umask), close-on-exec.
    static func createForWriting(_ path: String) -> Int32 {
        unsafe open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666) // the path as a C string, for the call
    }

    static func close(_ fd: Int32) {
        closeDescriptor(fd)
    }

    /// The size of the file behind `fd` and whether it is a regular file; nil when fstat fails.
    static func status(_ fd: Int32) -> (size: Int, isRegular: Bool)? {
        var info = stat()
        guard unsafe fstat(fd, &info) == 0 else { return nil } // fstat writes into the local for the call
        return (Int(info.st_size), (info.st_mode & S_IFMT) == S_IFREG)
    }

    /// The size of the file at `path`; nil when stat fails.
    static func fileSize(path: String) -> Int? {
        var info = stat()
        guard unsafe stat(path, &info) == 0 else { return nil } // the path as a C string, the local written
        return Int(info.st_size)
    }

    static let pageSize = Int(getpagesize())

    /// Up to `count` bytes at `offset` (pread(2)); nil on an error.
    static func read(_ fd: Int32, count: Int, at offset: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        // pread writes at most `count` bytes into the array's storage, for the call.
        let got = unsafe bytes.withUnsafeMutableBytes { unsafe pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        return got < 0 ? nil : Array(bytes.prefix(got))
    }

    /// Up to `count` bytes from the descriptor's position (read(2), again after EINTR); fewer at
    /// its end, nil on an error.
    static func readFully(_ fd: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            // read writes at most the `count - have` bytes after `have` into the array, for the call.
            let got = unsafe bytes.withUnsafeMutableBytes { unsafe System.read(fd, $0.baseAddress! + have, count - have) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { break }
            have += got
        }
        return Array(bytes.prefix(have))
    }

    /// One write(2) of `bytes`: the count written, or -1 with errno.
    static func write(_ fd: Int32, _ bytes: RawSpan) -> Int {
        // write reads the span's bytes, which stay borrowed for the call.
        unsafe bytes.withUnsafeBytes { unsafe System.write(fd, $0.baseAddress, $0.count) }
    }

    /// Writes all of `bytes`, again after EINTR; the errno text of a failure, nil when written.
    static func writeAll(_ fd: Int32, _ bytes: RawSpan) -> Int32? {
        var offset = 0
        while offset < bytes.byteCount {
            let wrote = write(fd, bytes.extracting(droppingFirst: offset))
            if wrote < 0 && errno == EINTR { continue }
            if wrote <= 0 { return wrote < 0 ? errno : EIO }
            offset += wrote
        }
        return nil
    }

    static func changeOwner(_ fd: Int32, to owner: FileOwner) {
        _ = fchown(fd, owner.uid, owner.gid)
    }

    /// A new private file from mkstemp(3) in `directory`; its descriptor and path, nil on failure.
    static func makeTemporaryFile(in directory: String, prefix: String) -> (fd: Int32, path: String)? {
        var template = Array("\(directory)/\(prefix)XXXXXX".utf8CString)
        // mkstemp rewrites the X's of the NUL-terminated template in the array, for the call.
        let fd = unsafe template.withUnsafeMutableBufferPointer { unsafe mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    static func unlink(_ path: String) {
        removeFile(path)
    }

    /// An environment variable's value; nil when unset.
    static func environment(_ name: String) -> String? {
        // getenv's result points into the environment; it is copied into a String at once.
        unsafe getenv(name).map { unsafe String(cString: $0) }
    }

    /// Removes `paths()` at exit (atexit(3)); `paths` is read when the process exits.
    static func atExit(_ handler: @convention(c) () -> Void) {
        _ = atexit(handler)
    }

    // MARK: Interfaces

    /// One getifaddrs(3) entry as values: an interface's name and flags, and its address when it
    /// is IPv4 or IPv6.
    struct InterfaceAddressEntry {
        var name: String
        var flags: UInt32
        var address: InterfaceAddress?
    }

    /// The host's interface addresses, in getifaddrs order; empty when it fails.
    static func interfaceAddresses() -> [InterfaceAddressEntry] {
        var head: UnsafeMutablePointer<ifaddrs>?
        // getifaddrs writes the list's head into the local; freeifaddrs frees that list once copied.
        guard unsafe getifaddrs(&head) == 0, let first = unsafe head else { return [] }
        defer { unsafe freeifaddrs(first) } // the list getifaddrs made
        var entries: [InterfaceAddressEntry] = []
        var cursor = unsafe Optional(first) // the list's first node
        // Each node of the list getifaddrs made, until its NULL end; copied into values.
        while let current = unsafe cursor {
            defer { unsafe cursor = current.pointee.ifa_next } // the list's next node
            guard let cName = unsafe current.pointee.ifa_name else { continue } // a NUL-terminated name
            var entry = InterfaceAddressEntry(name: unsafe String(cString: cName), flags: unsafe UInt32(current.pointee.ifa_flags), address: nil) // the node's NUL-terminated name and its flags
            // The address's sockaddr is as long as its family says: it is read as that type only.
            if let address = unsafe current.pointee.ifa_addr {
                let netmask = unsafe current.pointee.ifa_netmask // same family as the address when present
                switch unsafe Int32(address.pointee.sa_family) { // the family field every sockaddr starts with
                case AF_INET6:
                    let v6 = unsafe address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { unsafe $0.pointee.sin6_addr } // an AF_INET6 address is a sockaddr_in6
                    let prefix = unsafe netmask.map { mask in // the netmask, of the address's family
                        unsafe mask.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { m in // an AF_INET6 netmask is a sockaddr_in6
                            Self.bytes(of: unsafe m.pointee.sin6_addr).reduce(0) { $0 + $1.nonzeroBitCount } // its address field, copied
                        }
                    } ?? 128
                    let bytes = Self.bytes(of: v6).rawSpan
                    entry.address = InterfaceAddress(address: .v6(IPv6Address(high: bytes.be64(0), low: bytes.be64(8))), prefixLength: prefix)
                case AF_INET:
                    let v4 = unsafe address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { unsafe $0.pointee.sin_addr.s_addr } // an AF_INET address is a sockaddr_in
                    let prefix = unsafe netmask.map { mask in // the netmask, of the address's family
                        unsafe mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { unsafe UInt32(bigEndian: $0.pointee.sin_addr.s_addr).nonzeroBitCount } // an AF_INET netmask is a sockaddr_in
                    } ?? 32
                    entry.address = InterfaceAddress(address: .v4(IPv4Address(UInt32(bigEndian: v4))), prefixLength: prefix)
                default:
                    break
                }
            }
            entries.append(entry)
        }
        return entries
    }

    /// The bytes of a C value (an in6_addr), in memory order.
    private static func bytes<T>(of value: T) -> [UInt8] {
        unsafe withUnsafeBytes(of: value) { unsafe Array($0) } // the local's bytes, copied during the call
    }

    /// if_nametoindex(3): 0 when there is no such interface.
    static func interfaceIndex(named name: String) -> UInt32 {
        unsafe if_nametoindex(name) // the name as a C string, for the call
    }

    /// if_indextoname(3); nil when the index names no interface.
    static func interfaceName(index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        // if_indextoname writes at most IF_NAMESIZE bytes and a NUL into the array; copied at once.
        return unsafe if_indextoname(index, &buffer).map { unsafe String(cString: $0) }
    }

    // MARK: Polling, time, signals

    /// poll(2) over `descriptors` (entries with fd -1 are ignored); the ready count or -1 with errno.
    static func poll(_ descriptors: inout [pollfd], timeoutMilliseconds: Int32) -> Int32 {
        pollDescriptors(&descriptors, timeoutMilliseconds)
    }

    /// CLOCK_REALTIME.
    static func realTime() -> (seconds: Int64, nanoseconds: Int64) {
        var spec = timespec()
        unsafe clock_gettime(CLOCK_REALTIME, &spec) // writes the local, for the call
        return (Int64(spec.tv_sec), Int64(spec.tv_nsec))
    }

    /// Unblocks `signals` in this thread (pthread_sigmask), which a parent may have blocked.
    static func unblock(_ signals: [Int32]) {
        var set = sigset_t()
        unsafe sigemptyset(&set) // the local set, for the call
        for signal in signals { unsafe sigaddset(&set, signal) } // the local set
        unsafe pthread_sigmask(SIG_UNBLOCK, &set, nil) // reads the local set
    }
}

/// A pthread mutex with a condition variable, for the threads that share the decompressor's ring
/// and the file hash's progress. The two live at fixed addresses (pthread objects may not move)
/// allocated here and freed in deinit.
@safe
final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1) // freed in deinit
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1) // freed in deinit

    init() {
        unsafe pthread_mutex_init(mutex, nil) // the allocation above
        unsafe pthread_cond_init(changed, nil) // the allocation above
    }

    deinit {
        unsafe pthread_mutex_destroy(mutex) // no thread holds it: the object is going
        unsafe pthread_cond_destroy(changed) // nor waits on it
        unsafe mutex.deallocate() // allocated in init's property
        unsafe changed.deallocate() // allocated in init's property
    }

    func locked<T>(_ body: () -> T) -> T {
        unsafe pthread_mutex_lock(mutex) // the mutex this object owns
        defer { unsafe pthread_mutex_unlock(mutex) } // locked just above
        return body()
    }

    /// Inside `locked`: waits for `broadcast`, the lock released meanwhile.
    func wait() {
        unsafe pthread_cond_wait(changed, mutex) // both owned here; the caller holds the mutex
    }

    /// Inside `locked`: wakes every waiter.
    func broadcast() {
        unsafe pthread_cond_broadcast(changed) // owned here
    }
}

/// Memory that C calls fill (read(2), the decompressors) and readers read as spans: allocated
/// once, freed in deinit. Writes go through its methods, which check their ranges; `span` hands
/// out the bytes, bounds-checked, while the buffer is borrowed.
@safe
final class ByteBuffer: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    var count: Int { unsafe storage.count } // the allocation's length, no byte read

    init(count: Int) {
        unsafe storage = .allocate(byteCount: count, alignment: 16) // freed in deinit
    }

    deinit { unsafe storage.deallocate() } // allocated in init

    /// The bytes in `range`, for as long as the buffer is borrowed; the owner does not write
    /// there while a span of them is in use (a stream window's block, a lent ring buffer).
    @_lifetime(borrow self)
    func span(_ range: Range<Int>) -> RawSpan {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the buffer")
        // Inside the allocation (checked above), which lives until deinit, after every borrow.
        let bytes = unsafe RawSpan(_unsafeBytes: UnsafeRawBufferPointer(rebasing: storage[range]))
        return unsafe _overrideLifetime(bytes, borrowing: self) // inside the allocation, which outlives every borrow of self
    }

    /// The bytes in `range`, bounds-checked, with the lifetime of `owner`, which keeps this buffer
    /// alive and unwritten in `range` while the span is in use (the stream window, for the ring's
    /// buffer it holds).
    @_lifetime(borrow owner)
    func span<Owner: AnyObject>(_ range: Range<Int>, keptBy owner: borrowing Owner) -> RawSpan {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the buffer")
        // Inside the allocation (checked above); the owner holds a reference to this buffer.
        let bytes = unsafe RawSpan(_unsafeBytes: UnsafeRawBufferPointer(rebasing: storage[range]))
        return unsafe _overrideLifetime(bytes, borrowing: owner) // the owner keeps this buffer, so the allocation outlives the borrow
    }

    /// Copies `bytes` to `offset` (memmove: they may lie in this buffer).
    func copy(_ bytes: RawSpan, to offset: Int) {
        precondition(offset >= 0 && bytes.byteCount <= count - offset, "copy outside the buffer")
        guard bytes.byteCount > 0 else { return }
        // Both ranges are checked: the span's by its count, the destination above.
        unsafe bytes.withUnsafeBytes { unsafe (storage.baseAddress! + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// read(2) from `fd` into the bytes from `offset` to the end: the count read, 0 at the end, -1
    /// with errno.
    func read(from fd: Int32, at offset: Int) -> Int {
        precondition(offset >= 0 && offset <= count, "read outside the buffer")
        return unsafe System.read(fd, storage.baseAddress.map { unsafe $0 + offset }, count - offset) // at most the bytes after offset
    }

    /// The bytes from `offset` to the end, for a C call that writes them (a decompressor's output).
    func withMutableBytes<T>(from offset: Int, _ body: (UnsafeMutableRawBufferPointer) -> T) -> T {
        precondition(offset >= 0 && offset <= count, "range outside the buffer")
        return unsafe body(UnsafeMutableRawBufferPointer(rebasing: storage[offset...])) // inside the allocation, for the call
    }
}

// The C calls whose names SystemCalls' own methods take.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
private func removeFile(_ path: String) { _ = unsafe unlink(path) } // the path as a C string, for the call
private func pollDescriptors(_ descriptors: inout [pollfd], _ timeout: Int32) -> Int32 {
    unsafe poll(&descriptors, nfds_t(descriptors.count), timeout) // the array and its count, for the call
}
