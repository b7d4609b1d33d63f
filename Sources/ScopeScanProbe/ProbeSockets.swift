import ScopeScanWire

import ScopeScanSystem

// The socket side of `scopescan probe`: listen on a scoped address and connect to it. What the
// operating systems differ in sits in `ProbePlatform`; the calls themselves (socket, bind, listen,
// non-blocking connect, poll, accept) are POSIX.

#if canImport(Glibc)
private let probeStreamType = Int32(SOCK_STREAM.rawValue)
#else
private let probeStreamType = SOCK_STREAM
#endif

/// A failed socket call: which step and the errno it returned.
public struct ProbeSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// "socket", "setsockopt", "bind", "listen", "connect".
    public var step: String
    public var code: Int32

    public init(step: String, code: Int32) {
        self.step = step
        self.code = code
    }

    /// EADDRNOTAVAIL, ECONNREFUSED, …
    public var name: String { System.errnoName(code) }
    public var message: String { System.errorText(code) }
    public var description: String { "\(step): \(name) (\(message))" }
}

/// A listening TCP socket (non-blocking); closed when released.
public final class ProbeListener {
    public let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// How a connect ended.
public struct ProbeConnectResult: Sendable {
    /// nil: connected. Otherwise the errno (SO_ERROR or connect's own); `ETIMEDOUT` when the
    /// probe gave up (`timedOut`), not the kernel.
    public var error: ProbeSocketError?
    /// The probe's own timeout ended the attempt (no answer within it).
    public var timedOut: Bool
    /// From connect() to the verdict, monotonic clock.
    public var milliseconds: Double
    /// The listener accepted the connection.
    public var accepted: Bool

    public init(error: ProbeSocketError?, timedOut: Bool, milliseconds: Double, accepted: Bool) {
        self.error = error
        self.timedOut = timedOut
        self.milliseconds = milliseconds
        self.accepted = accepted
    }
}

extension ProbePlatform {
    /// socket, optionally the free-bind option, bind to [address%scopeID]:port, listen.
    public func openListener(address: IPv6Address, scopeID: UInt32, port: UInt16, nonlocal: Bool) -> Result<ProbeListener, ProbeSocketError> {
        let fd = socket(AF_INET6, probeStreamType, 0)
        guard fd >= 0 else { return .failure(ProbeSocketError(step: "socket", code: errno)) }
        let listener = ProbeListener(fd: fd)
        System.setSocketOption(fd, level: SOL_SOCKET, option: SO_REUSEADDR, to: 1)
        if nonlocal {
            guard let option = nonlocalBind else { return .failure(ProbeSocketError(step: "setsockopt", code: ENOPROTOOPT)) }
            guard System.setSocketOption(fd, level: option.level, option: option.option, to: 1) == 0 else {
                return .failure(ProbeSocketError(step: "setsockopt", code: errno))
            }
        }
        let bound = System.bindSocket(fd, to: Self.socketAddress(address, scopeID: scopeID, port: port))
        guard bound == 0 else { return .failure(ProbeSocketError(step: "bind", code: errno)) }
        guard listen(fd, 8) == 0 else { return .failure(ProbeSocketError(step: "listen", code: errno)) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return .success(listener)
    }

    /// A non-blocking connect to [address%scopeID]:port, bounded by `timeout` seconds, accepting on
    /// `listener` in the same poll loop (so one thread plays both ends, as the experiment of the blog post "IPv6 OSX Link-Local Strangeness" did).
    public func connectAndAccept(address: IPv6Address, scopeID: UInt32, port: UInt16, timeout: Double, listener: ProbeListener?) -> ProbeConnectResult {
        let start = Self.monotonic()
        func elapsed() -> Double { (Self.monotonic() - start) * 1000 }
        let fd = socket(AF_INET6, probeStreamType, 0)
        guard fd >= 0 else { return ProbeConnectResult(error: ProbeSocketError(step: "socket", code: errno), timedOut: false, milliseconds: 0, accepted: false) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let status = System.connectSocket(fd, to: Self.socketAddress(address, scopeID: scopeID, port: port))
        if status != 0 && errno != EINPROGRESS {
            return ProbeConnectResult(error: ProbeSocketError(step: "connect", code: errno), timedOut: false, milliseconds: elapsed(), accepted: false)
        }
        var decided = status == 0
        var failure: ProbeSocketError?
        var milliseconds = decided ? elapsed() : 0
        var accepted: [Int32] = []
        defer { for client in accepted { close(client) } }
        let deadline = start + timeout
        // Once connected, the listener gets a moment to see the final ACK.
        var until = decided ? min(deadline, start + 0.25) : deadline
        while true {
            let now = Self.monotonic()
            if now >= until { break }
            var fds: [pollfd] = []
            if !decided { fds.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if let listener, accepted.isEmpty { fds.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)) }
            if fds.isEmpty { break }
            let ready = System.pollDescriptors(&fds, timeoutMilliseconds: Int32(max(1, min(100, (until - now) * 1000))))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == fd {
                    let code = System.socketError(fd)
                    milliseconds = elapsed()
                    decided = true
                    if code != 0 { failure = ProbeSocketError(step: "connect", code: code) }
                    until = min(deadline, Self.monotonic() + 0.25)
                } else {
                    let client = accept(entry.fd, nil, nil)
                    if client >= 0 { accepted.append(client) }
                }
            }
            if decided && (failure != nil || listener == nil || !accepted.isEmpty) { break }
        }
        guard decided else {
            return ProbeConnectResult(error: ProbeSocketError(step: "connect", code: ETIMEDOUT), timedOut: true, milliseconds: elapsed(), accepted: !accepted.isEmpty)
        }
        return ProbeConnectResult(error: failure, timedOut: false, milliseconds: milliseconds, accepted: !accepted.isEmpty)
    }

    static func socketAddress(_ address: IPv6Address, scopeID: UInt32, port: UInt16) -> sockaddr_in6 {
        let bytes = (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? address.high : address.low) >> (56 - 8 * UInt64(i % 8))) }
        return System.socketAddress(ipv6: bytes, scopeID: scopeID, port: port)
    }

    static func monotonic() -> Double {
        Double(System.clockNanoseconds(CLOCK_MONOTONIC)) / 1e9
    }
}

