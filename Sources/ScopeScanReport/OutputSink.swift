import ScopeScanSystem


/// Buffered writes to a file descriptor: one write(2) per 64 KiB instead of one per line.
public final class OutputSink {
    private var buffer: [UInt8] = []
    private let fd: Int32
    private let capacity: Int
    /// Flush after every line (live capture piped into another program).
    public var lineBuffered = false

    public init(fd: Int32 = 1, capacity: Int = 1 << 16) {
        self.fd = fd
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    deinit { flush() }


    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity || (lineBuffered && text.utf8.last == 10) { flush() }
    }

    public func writeLine(_ text: String) {
        write(text)
        write("\n")
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = System.write(fd, buffer, from: offset)
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                break // EPIPE and friends: the reader went away; drop the rest.
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public var isTerminal: Bool { isatty(fd) == 1 }
}
