#if os(Linux)
import Foundation
import Glibc
import ScopeScanKernel

/// Network namespaces made for one test and removed after it, even when it fails: A and B joined by
/// a veth (va fd00:1::1 ↔ vb fd00:1::2, fixed MACs so crafted frames need no neighbour discovery),
/// and C alone, each of B and C dropping `tcp dport 8080` in an nftables input chain.
final class NamespaceLab {
    let a: String, b: String, c: String
    static let macA = "02:00:00:00:00:0a", macB = "02:00:00:00:00:0b"
    private var background: [Process] = []

    init() throws {
        let tag = "sskd\(getpid())\(UInt32.random(in: 0..<10_000))"
        (a, b, c) = ("\(tag)a", "\(tag)b", "\(tag)c")
        do {
            try shell("""
                for ns in \(a) \(b) \(c); do
                    ip netns add $ns
                    ip -n $ns link set lo up
                    ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
                done
                ip link add va netns \(a) address \(Self.macA) type veth peer name vb netns \(b) address \(Self.macB)
                ip -n \(a) addr add fd00:1::1/64 dev va nodad
                ip -n \(b) addr add fd00:1::2/64 dev vb nodad
                ip -n \(a) link set va up
                ip -n \(b) link set vb up
                for ns in \(b) \(c); do
                    ip netns exec $ns nft -f - <<'RULES'
                table inet sskd {
                    chain input { type filter hook input priority 0; tcp dport 8080 drop; }
                }
                RULES
                done
                """)
        } catch {
            tearDown()
            throw error
        }
    }

    deinit { tearDown() }

    func tearDown() {
        for process in background { stop(process) }
        background.removeAll()
        _ = try? shell("for ns in \(a) \(b) \(c); do ip netns del $ns 2>/dev/null; done; true")
    }

    /// Ends a command started with `start`. SIGKILL, because the children of a test process inherit
    /// its blocked signals (libdispatch's threads block them) and ignore SIGINT and SIGTERM; tcpdump
    /// -U has written every packet by then.
    func stop(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Starts a command that runs until the lab is torn down (or ends by itself).
    @discardableResult
    func start(_ command: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec " + command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        background.append(process)
        return process
    }
}

struct ShellFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs a /bin/sh script, failing with its output when it exits non-zero.
@discardableResult
func shell(_ script: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-ec", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ShellFailure(description: "exit \(process.terminationStatus): \(script.prefix(200))…\n\(output)")
    }
    return output
}

private final class ThreadWork: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Runs `body` on a thread of its own that first enters the network namespace at `path`, and waits
/// for it: a monitor watches the namespace of the thread that opens it.
func onThread<T>(inNetworkNamespace path: String, _ body: @escaping () throws -> T) throws -> T {
    nonisolated(unsafe) var result: Result<T, any Error>?
    let work = ThreadWork {
        result = Result {
            try NetworkNamespace.enterOnCurrentThread(path: path)
            return try body()
        }
    }
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { raw in
        Unmanaged<ThreadWork>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
    }, Unmanaged.passRetained(work).toOpaque())
    guard created == 0 else { throw ShellFailure(description: "pthread_create: \(created)") }
    pthread_join(thread, nil)
    return try result!.get()
}
#endif
