import ScopeScanSystem

/// The SHA-256 of a file, computed on a thread of its own while the caller does something else
/// with the same file (the evidence pass reads it at the same time, from the page cache the
/// analysis filled), so `--report`/`--evidence` cost the slower of the two rather than their sum.
/// `hashed` tells how far it got, for a progress line; `result` waits for the end.
public final class FileDigest: @unchecked Sendable {
    public let path: String
    /// The file's size when hashing started (0 when it could not be opened).
    public let size: Int
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var done = false
    private var hashedBytes = 0
    private var digest: String?
    private var thread: pthread_t?

    /// Starts hashing `path`; without a thread (none could be started) it hashes when asked.
    public init(path: String) {
        self.path = path
        var info = stat()
        size = stat(path, &info) == 0 ? Int(info.st_size) : 0
        pthread_mutex_init(lock, nil)
        thread = System.startThread { [self] in run() }
    }

    deinit {
        // The thread holds this object until it returns, so it has finished (or is returning).
        if let thread { System.detachThread(thread) }
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Bytes hashed so far.
    public var hashed: Int { locked { hashedBytes } }
    public var isDone: Bool { locked { done } }

    /// The hex digest, nil when the file could not be read; waits for the thread. `waiting` is
    /// called about ten times a second while it does (the progress line).
    public func result(waiting: ((_ hashed: Int, _ size: Int) -> Void)? = nil) -> String? {
        guard let thread else {
            run()
            return locked { digest }
        }
        if let waiting {
            while !isDone {
                waiting(hashed, size)
                _ = usleep(100_000)
            }
        }
        System.joinThread(thread)
        self.thread = nil
        return locked { digest }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    private func run() {
        if locked({ done }) { return }
        let fd = open(path, O_RDONLY)
        var result: String?
        if fd >= 0 {
            defer { close(fd) }
            var hasher = SHA256()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
            defer { buffer.deallocate() }
            var failed = false
            while true {
                let count = System.read(fd, buffer.baseAddress, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { failed = true; break }
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                locked { hashedBytes += count }
            }
            result = failed ? nil : SHA256.hex(hasher.finalize())
        }
        locked {
            digest = result
            done = true
        }
    }
}
