// The one place that knows which C library this platform has. Every module that calls the
// operating system imports ScopeScanSystem instead of choosing Glibc, Musl or Darwin itself, so
// the CLI and the libraries build on Linux (glibc or musl) and on macOS and the BSDs alike.
// Linux-only facilities (IP_FREEBIND, /proc, netlink, tracing) stay behind `#if os(Linux)` where
// they are used, with a "not available on this platform" answer elsewhere; a test checks both.
//
// It is also the boundary where C's pointers end (docs/architecture.md, "Where unsafe code may
// live"): every C call that takes a path, a buffer or a struct by address is wrapped here in a
// function taking Strings, arrays and values, so the modules above call the OS without an
// `unsafe` expression of their own.

import CScopeScanSystem

#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("scopescan needs a POSIX C library (glibc, musl or Darwin's libc)")
#endif

/// Process-level calls whose names clash with Swift's or differ between C libraries.
public enum System {
    /// Gives every block of at least `bytes` a mapping of its own, returned to the kernel when
    /// freed. glibc starts with such a threshold (128 KiB) but raises it to the size of each
    /// mapped block freed, up to 32 MiB: after the first of the analyser's large transient tables
    /// (a flow table's filtered copy, a rule's table rebuilt) is freed, the later ones come from
    /// the heap, and the free space they leave there stays resident, 13 MiB of the 1,000,000-flow
    /// SYN flood's peak. Large blocks are few (90 more mappings in that run, 30 ms of
    /// system time in 7 s), so their system calls cost next to nothing. Other C libraries: nothing to do.
    public static func returnLargeBlocksWhenFreed(_ bytes: Int = 1 << 20) {
        _ = scopescan_set_mmap_threshold(Int32(bytes))
    }

    /// Ends the process with `status` (the C library's exit: flushes stdio, runs atexit).
    public static func exit(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #elseif canImport(Musl)
        Musl.exit(status)
        #elseif canImport(Darwin)
        Darwin.exit(status)
        #endif
    }

    /// The processors online now (sysconf), at least 1.
    public static func onlineProcessors() -> Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Writes `text` to `path` (fopen "wb", replacing it); nil when it worked, else strerror's text.
    public static func writeText(_ text: String, to path: String) -> String? {
        // fopen takes the path as a C string, valid for the call.
        guard let stream = unsafe fopen(path, "wb") else { return errorText(errno) }
        defer { unsafe fclose(stream) } // the stream fopen gave, closed once
        var text = text
        // fwrite takes the string's UTF-8 storage, valid for the call.
        let ok = text.withUTF8 { unsafe fwrite($0.baseAddress, 1, $0.count, stream) == $0.count }
        guard ok, unsafe fflush(stream) == 0 else { return errorText(errno) } // the stream opened above
        return nil
    }

    /// write(2) of `bytes` from `offset` to the end: what a buffered writer flushes, with the
    /// pointer kept here at the OS boundary.
    public static func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> Int {
        precondition(offset >= 0 && offset <= bytes.count, "offset outside the buffer")
        // write(2) takes a pointer: the array's storage, valid for the call, from an offset checked above.
        return unsafe bytes.withUnsafeBytes { raw in unsafe write(fd, raw.baseAddress.map { unsafe $0 + offset }, raw.count - offset) }
    }

    /// pwrite(2) of all of `bytes` at `offset`, the file's own offset left where it is (a
    /// placeholder patched after the rest was written); the count written, -1 and errno on failure.
    public static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int) -> Int {
        // pwrite takes a pointer: the array's storage, valid for the call.
        unsafe bytes.withUnsafeBytes { raw in unsafe pwrite(fd, raw.baseAddress, raw.count, off_t(offset)) }
    }

    /// write(2); named through the module because OutputSink's own `write` methods shadow it.
    /// For the capture module's buffers, which it already holds as pointers.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        // The caller's pointer and count, passed on as they are.
        #if canImport(Glibc)
        unsafe Glibc.write(fd, bytes, count) // the caller's pointer, valid for `count` bytes
        #elseif canImport(Musl)
        unsafe Musl.write(fd, bytes, count) // the caller's pointer, valid for `count` bytes
        #elseif canImport(Darwin)
        unsafe Darwin.write(fd, bytes, count) // the caller's pointer, valid for `count` bytes
        #endif
    }

    /// Installs `handler` for `signals` with sigaction (no flags, nothing masked). The field that
    /// holds the handler is named differently by each C library.
    public static func installSignalHandler(_ handler: @convention(c) (Int32) -> Void, for signals: [Int32]) {
        var action = sigaction()
        // The handler goes into the C union's member for a plain handler (not sa_sigaction).
        #if canImport(Glibc)
        unsafe action.__sigaction_handler.sa_handler = handler // the plain-handler member of the C union
        #else
        unsafe action.__sigaction_u.__sa_handler = handler // the plain-handler member of the C union
        #endif
        // sigemptyset and sigaction take the struct by address for the call.
        unsafe sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for signal in signals { unsafe sigaction(signal, &action, nil) } // as sigemptyset above
    }

    /// read(2); named through the module because readers' own `read` methods shadow it.
    /// For the capture module's buffers, which it already holds as pointers.
    public static func read(_ fd: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        // The caller's pointer and count, passed on as they are.
        #if canImport(Glibc)
        unsafe Glibc.read(fd, bytes, count) // the caller's pointer, valid for `count` bytes
        #elseif canImport(Musl)
        unsafe Musl.read(fd, bytes, count) // the caller's pointer, valid for `count` bytes
        #elseif canImport(Darwin)
        unsafe Darwin.read(fd, bytes, count) // the caller's pointer, valid for `count` bytes
        #endif
    }

    /// read(2) into `buffer`, up to its count: the count read, 0 at the end, -1 and errno on failure.
    public static func read(_ fd: Int32, into buffer: inout [UInt8]) -> Int {
        // read(2) fills the array's storage, valid for the call, up to its count.
        unsafe buffer.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, $0.count) }
    }

    /// A thread running `body` (pthread_create; the start routine's argument type differs between
    /// C libraries). Join it with `joinThread`.
    public static func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        // The box crosses pthread_create as an opaque pointer, retained until the thread takes it.
        let argument = unsafe Unmanaged.passRetained(Box(body)).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        // The start routine gets `argument` back, the box retained above, and takes it once.
        let status = unsafe pthread_create(&thread, nil, { raw in
            #if canImport(Darwin)
            let box = unsafe Unmanaged<Box>.fromOpaque(raw).takeRetainedValue() // the argument passed below
            #else
            let box = unsafe Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue() // the argument passed below
            #endif
            box.body()
            return nil
        }, argument)
        guard status == 0 else {
            unsafe Unmanaged<Box>.fromOpaque(argument).release() // no thread took the box: release it here
            return nil
        }
        #if canImport(Darwin)
        return thread
        #else
        return thread
        #endif
    }

    public static func joinThread(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }

    /// Lets a thread end on its own, its resources freed when it does.
    public static func detachThread(_ thread: pthread_t) {
        _ = pthread_detach(thread)
    }

    /// An errno value's name ("EADDRNOTAVAIL"), so reports read as strace does.
    public static func errnoName(_ code: Int32) -> String {
        switch code {
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EADDRINUSE: return "EADDRINUSE"
        case EINVAL: return "EINVAL"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case ECONNREFUSED: return "ECONNREFUSED"
        case ECONNRESET: return "ECONNRESET"
        case ETIMEDOUT: return "ETIMEDOUT"
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case ENETUNREACH: return "ENETUNREACH"
        case EHOSTDOWN: return "EHOSTDOWN"
        case ENETDOWN: return "ENETDOWN"
        case EAFNOSUPPORT: return "EAFNOSUPPORT"
        case ENOPROTOOPT: return "ENOPROTOOPT"
        case ENODEV: return "ENODEV"
        case ENXIO: return "ENXIO"
        case EMFILE: return "EMFILE"
        default: return "errno \(code)"
        }
    }

    /// strerror's text for an errno value.
    public static func errorText(_ code: Int32) -> String {
        // strerror's text is static storage, copied at once.
        unsafe String(cString: strerror(code))
    }

    /// The name of the operating system, for messages ("Linux", "macOS", …).
    public static var platformName: String {
        #if os(Linux)
        return "Linux"
        #elseif os(macOS)
        return "macOS"
        #elseif os(FreeBSD)
        return "FreeBSD"
        #elseif os(OpenBSD)
        return "OpenBSD"
        #else
        return "this platform"
        #endif
    }
}

// MARK: Files by path: the calls that take a C string or fill a struct, for OutputFiles,
// NewOutput, TemporaryFiles and the modules above.

extension System {
    /// stat(2), following symbolic links; nil when it fails (errno says why).
    public static func fileStatus(path: String) -> stat? {
        var info = stat()
        // stat reads the path as a C string and fills `info`, both valid for the call.
        return unsafe stat(path, &info) == 0 ? info : nil
    }

    /// lstat(2): a symbolic link itself, not what it names.
    public static func linkStatus(path: String) -> stat? {
        var info = stat()
        // As fileStatus(path:).
        return unsafe lstat(path, &info) == 0 ? info : nil
    }

    /// fstat(2) of an open descriptor.
    public static func fileStatus(descriptor: Int32) -> stat? {
        var info = stat()
        // fstat fills `info`, valid for the call.
        return unsafe fstat(descriptor, &info) == 0 ? info : nil
    }

    /// open(2); the descriptor, or -1 and errno.
    public static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0) -> Int32 {
        // open reads the path as a C string, valid for the call.
        unsafe open(path, flags, mode)
    }

    /// access(2): whether the calling process may read (R_OK), write, … `path`.
    public static func mayAccess(_ path: String, _ mode: Int32) -> Bool {
        unsafe access(path, mode) == 0 // the path as a C string, valid for the call
    }

    /// unlink(2); 0, or -1 and errno.
    @discardableResult
    public static func removeFile(_ path: String) -> Int32 {
        unsafe unlink(path) // the path as a C string, valid for the call
    }

    /// rmdir(2) of an empty directory.
    @discardableResult
    public static func removeDirectory(_ path: String) -> Int32 {
        unsafe rmdir(path) // the path as a C string, valid for the call
    }

    /// rename(2), replacing `target`; 0, or -1 and errno.
    public static func renameFile(_ path: String, to target: String) -> Int32 {
        unsafe rename(path, target) // both paths as C strings, valid for the call
    }

    /// rename(2) that never replaces (`scopescan_rename_noreplace`): EEXIST when `target` exists.
    public static func renameFileWithoutReplacing(_ path: String, to target: String) -> Int32 {
        unsafe scopescan_rename_noreplace(path, target) // both paths as C strings, valid for the call
    }

    /// chmod(2).
    @discardableResult
    public static func changeMode(_ path: String, _ mode: mode_t) -> Int32 {
        unsafe chmod(path, mode) // the path as a C string, valid for the call
    }

    /// mkstemps(3): a file created exclusively (0600) at `template`, whose six X's before the last
    /// `suffixLength` characters become random; its descriptor and path, nil and errno on failure.
    public static func makeTemporaryFile(template: String, suffixLength: Int = 0) -> (descriptor: Int32, path: String)? {
        var name = Array(template.utf8CString)
        // mkstemps writes the random characters into the array's storage, valid for the call.
        let fd = unsafe name.withUnsafeMutableBufferPointer { unsafe mkstemps($0.baseAddress!, Int32(suffixLength)) }
        return fd >= 0 ? (fd, string(fromCString: name)) : nil
    }

    /// mkdtemp(3): a directory created exclusively (0700) at `template` (six X's at the end made
    /// random); its path, nil and errno on failure.
    public static func makeTemporaryDirectory(template: String) -> String? {
        var name = Array(template.utf8CString)
        // mkdtemp writes the random characters into the array's storage, valid for the call.
        let made = unsafe name.withUnsafeMutableBufferPointer { unsafe mkdtemp($0.baseAddress!) != nil }
        return made ? string(fromCString: name) : nil
    }

    /// The text of a NUL-terminated buffer C filled (up to the first NUL, or all of it), as UTF-8
    /// with invalid bytes repaired.
    public static func string(fromCString buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// getenv(3); nil when the variable is not set.
    public static func environment(_ name: String) -> String? {
        // getenv's answer points into the environment and is copied at once.
        unsafe getenv(name).map { unsafe String(cString: $0) }
    }

    /// The user and group ids of a user name (getpwnam); nil for an unknown user.
    public static func userIDs(named name: String) -> (uid: uid_t, gid: gid_t)? {
        // getpwnam's entry is static storage, read at once, before any other passwd call.
        unsafe getpwnam(name).map { unsafe ($0.pointee.pw_uid, $0.pointee.pw_gid) }
    }

    /// CLOCK_MONOTONIC, CLOCK_REALTIME, … in nanoseconds.
    public static func clockNanoseconds(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        unsafe clock_gettime(clock, &time) // fills `time`, valid for the call
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// if_indextoname(3): the interface's name in the calling thread's network namespace.
    public static func interfaceName(index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        // if_indextoname writes at most IF_NAMESIZE bytes into the array's storage, valid for the call.
        guard unsafe if_indextoname(index, &buffer) != nil else { return nil }
        return string(fromCString: buffer)
    }

    /// if_nametoindex(3); 0 for an unknown name.
    public static func interfaceIndex(name: String) -> UInt32 {
        unsafe if_nametoindex(name) // the name as a C string, valid for the call
    }
}

// MARK: Sockets: the calls that take a socket address or an option by address, for the probe
// (TCP over IPv6) and the kernel module's netlink route lookups.

extension System {
    /// setsockopt(2) of an Int32 option; 0, or -1 and errno.
    @discardableResult
    public static func setSocketOption(_ fd: Int32, level: Int32, option: Int32, to value: Int32) -> Int32 {
        var value = value
        // setsockopt reads the value by address, valid for the call.
        return unsafe setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The socket's pending error (SO_ERROR), which a non-blocking connect ends with; 0 for none.
    public static func socketError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        // getsockopt fills `code` and `length`, valid for the call.
        return unsafe getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 ? code : errno
    }

    /// An IPv6 socket address: `address` is the 16 bytes in network order.
    public static func socketAddress(ipv6 address: [UInt8], scopeID: UInt32, port: UInt16) -> sockaddr_in6 {
        precondition(address.count == 16, "an IPv6 address has 16 bytes")
        var socketAddress = sockaddr_in6()
        #if canImport(Darwin)
        socketAddress.sin6_len = UInt8(MemoryLayout<sockaddr_in6>.size)
        #endif
        socketAddress.sin6_family = sa_family_t(AF_INET6)
        socketAddress.sin6_port = port.bigEndian
        socketAddress.sin6_scope_id = scopeID
        // in6_addr is 16 bytes whose union member differs between C libraries: written as bytes.
        unsafe withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { unsafe $0.copyBytes(from: address) }
        return socketAddress
    }

    /// bind(2) to an IPv6 socket address; 0, or -1 and errno.
    public static func bindSocket(_ fd: Int32, to address: sockaddr_in6) -> Int32 {
        var address = address
        // bind reads the address as the generic sockaddr it begins with, for the call.
        return unsafe withUnsafePointer(to: &address) { unsafe $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { unsafe bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
    }

    /// connect(2) to an IPv6 socket address; 0, or -1 and errno (EINPROGRESS when non-blocking).
    public static func connectSocket(_ fd: Int32, to address: sockaddr_in6) -> Int32 {
        var address = address
        // connect reads the address as the generic sockaddr it begins with, for the call.
        return unsafe withUnsafePointer(to: &address) { unsafe $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { unsafe connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
    }

    /// poll(2) over `descriptors`, whose `revents` it fills.
    public static func pollDescriptors(_ descriptors: inout [pollfd], timeoutMilliseconds: Int32) -> Int32 {
        // poll reads and fills the array's storage, valid for the call.
        unsafe poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
    }

    /// send(2) of all of `bytes` in one call (a datagram or netlink message); the count sent.
    public static func sendMessage(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        // send reads the array's storage, valid for the call.
        unsafe bytes.withUnsafeBytes { unsafe send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// recv(2) of one message, up to `capacity` bytes (retried on EINTR); nil and errno on failure.
    public static func receiveMessage(_ fd: Int32, capacity: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var received = 0
        repeat {
            // recv fills the array's storage, valid for the call, up to its count.
            received = unsafe buffer.withUnsafeMutableBytes { unsafe recv(fd, $0.baseAddress, $0.count, 0) }
        } while received < 0 && errno == EINTR
        guard received >= 0 else { return nil }
        buffer.removeLast(capacity - received)
        return buffer
    }
}
