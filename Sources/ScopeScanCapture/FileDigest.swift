import ScopeScanSystem
import Synchronization

/// The SHA-256 of a file, computed on a thread of its own while the caller does something else
/// with the same file (the evidence pass reads it at the same time, from the page cache the
/// analysis filled), so `--report`/`--evidence` cost the slower of the two rather than their sum.
/// `hashed` tells how far it got, for a progress line; `result` waits for the end.
public final class FileDigest: Sendable {
    public let path: String
    /// The file's size when hashing started (0 when it could not be opened).
    public let size: Int
    private struct Progress {
        var done = false
        var hashedBytes = 0
        var digest: String?
        var thread: pthread_t?
    }
    private let progress = Mutex(Progress())

    /// Starts hashing `path`; without a thread (none could be started) it hashes when asked.
    public init(path: String) {
        self.path = path
        size = SystemCalls.fileSize(path: path) ?? 0
        // Counted while it hashes, so that the page warmer leaves it the spare core.
        HelperThreads.claim()
        let thread = System.startThread { [self] in run() }
        progress.withLock { $0.thread = thread }
    }

    deinit {
        // The thread holds this object until it returns, so it has finished (or is returning).
        if let thread = progress.withLock({ $0.thread }) { System.detachThread(thread) }
    }

    /// Bytes hashed so far.
    public var hashed: Int { progress.withLock { $0.hashedBytes } }
    public var isDone: Bool { progress.withLock { $0.done } }

    /// The hex digest, nil when the file could not be read; waits for the thread. `waiting` is
    /// called about ten times a second while it does (the progress line).
    public func result(waiting: ((_ hashed: Int, _ size: Int) -> Void)? = nil) -> String? {
        guard let thread = progress.withLock({ $0.thread }) else {
            run()
            return progress.withLock { $0.digest }
        }
        if let waiting {
            while !isDone {
                waiting(hashed, size)
                _ = usleep(100_000)
            }
        }
        System.joinThread(thread)
        progress.withLock { $0.thread = nil }
        return progress.withLock { $0.digest }
    }

    private func run() {
        if progress.withLock({ $0.done }) { return }
        defer { HelperThreads.release() }
        let fd = SystemCalls.openReadOnly(path)
        var result: String?
        if fd >= 0 {
            defer { SystemCalls.close(fd) }
            var hasher = SHA256()
            let buffer = ByteBuffer(count: 1 << 20)
            var failed = false
            while true {
                let count = buffer.read(from: fd, at: 0)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { failed = true; break }
                if count == 0 { break }
                hasher.update(buffer.span(0 ..< count))
                progress.withLock { $0.hashedBytes += count }
            }
            result = failed ? nil : SHA256.hex(hasher.finalize())
        }
        progress.withLock {
            $0.digest = result
            $0.done = true
        }
    }
}
