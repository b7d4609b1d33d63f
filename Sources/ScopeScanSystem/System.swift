// The one place that knows which C library this platform has. Every module that calls the
// operating system imports ScopeScanSystem instead of choosing Glibc, Musl or Darwin itself, so
// the CLI and the libraries build on Linux (glibc or musl) and on macOS and the BSDs alike.
// Linux-only facilities (IP_FREEBIND, /proc, netlink, tracing) stay behind `#if os(Linux)` where
// they are used, with a "not available on this platform" answer elsewhere; a test checks both.

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

    /// Writes `text` to `path` (fopen "wb", replacing it); nil when it worked, else strerror's text.
    public static func writeText(_ text: String, to path: String) -> String? {
        guard let stream = unsafe fopen(path, "wb") else { return String(cString: strerror(errno)) }
        defer { unsafe fclose(stream) }
        var text = text
        // fwrite takes the string's UTF-8 storage, valid for the call.
        let ok = unsafe text.withUTF8 { unsafe fwrite($0.baseAddress, 1, $0.count, stream) == $0.count }
        guard ok, unsafe fflush(stream) == 0 else { return String(cString: strerror(errno)) }
        return nil
    }

    /// write(2) of `bytes` from `offset` to the end: what a buffered writer flushes, with the
    /// pointer kept here at the OS boundary.
    public static func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> Int {
        precondition(offset >= 0 && offset <= bytes.count, "offset outside the buffer")
        // write(2) takes a pointer: the array's storage, valid for the call.
        return unsafe bytes.withUnsafeBytes { raw in unsafe write(fd, raw.baseAddress.map { unsafe $0 + offset }, raw.count - offset) }
    }

    /// write(2); named through the module because OutputSink's own `write` methods shadow it.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, bytes, count)
        #elseif canImport(Musl)
        Musl.write(fd, bytes, count)
        #elseif canImport(Darwin)
        Darwin.write(fd, bytes, count)
        #endif
    }

    /// Installs `handler` for `signals` with sigaction (no flags, nothing masked). The field that
    /// holds the handler is named differently by each C library.
    public static func installSignalHandler(_ handler: @convention(c) (Int32) -> Void, for signals: [Int32]) {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for signal in signals { sigaction(signal, &action, nil) }
    }

    /// read(2); named through the module because readers' own `read` methods shadow it.
    public static func read(_ fd: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(fd, bytes, count)
        #elseif canImport(Musl)
        Musl.read(fd, bytes, count)
        #elseif canImport(Darwin)
        Darwin.read(fd, bytes, count)
        #endif
    }

    /// A thread running `body` (pthread_create; the start routine's argument type differs between
    /// C libraries). Join it with `joinThread`.
    public static func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let argument = Unmanaged.passRetained(Box(body)).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let status = pthread_create(&thread, nil, { raw in
            #if canImport(Darwin)
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            #else
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            #endif
            box.body()
            return nil
        }, argument)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(argument).release()
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
    public static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

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
