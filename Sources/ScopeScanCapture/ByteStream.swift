import ScopeScanSystem
import Synchronization

/// A source of bytes read front to back: a pipe, a FIFO, a regular file read without a map, or
/// the output of a decompressor. Reads block until bytes come or the stream ends.
protocol ByteStream: AnyObject {
    /// Reads up to `buffer.count - offset` bytes into `buffer` from `offset`; 0 at the end of the stream.
    func read(into buffer: ByteBuffer, at offset: Int) -> Int
    /// Why the stream ended before its natural end (a read error, a truncated compressed stream),
    /// nil when it simply ended. Valid once `read` has returned 0.
    var endProblem: (offset: Int?, message: String)? { get }
    /// Whether the stream produces its bytes in buffers of its own (the decompressor's ring) and
    /// lends them (`lendChunk`) instead of copying them (`read`).
    var lends: Bool { get }
    /// The next buffer and how many bytes it holds: valid until the next call, which gives the
    /// previous one back; nil at the end of the stream. Only for streams that lend.
    func lendChunk() -> LentChunk?
}

/// A buffer a stream lends, and how many of its bytes it filled.
struct LentChunk {
    var buffer: ByteBuffer
    var count: Int
}

extension ByteStream {
    var lends: Bool { false }
    func lendChunk() -> LentChunk? { nil }
}

/// A file descriptor read with read(2), after some bytes already taken from it (the magic number
/// read to choose a reader).
final class DescriptorStream: ByteStream {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var prefix: [UInt8]
    private(set) var endProblem: (offset: Int?, message: String)?
    /// Bytes handed out so far.
    private(set) var position = 0

    init(fd: Int32, ownsDescriptor: Bool, prefix: [UInt8] = []) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        self.prefix = prefix
    }

    deinit { if ownsDescriptor { SystemCalls.close(fd) } }

    func read(into buffer: ByteBuffer, at offset: Int) -> Int {
        guard buffer.count > offset else { return 0 }
        var count = 0
        if !prefix.isEmpty {
            count = min(prefix.count, buffer.count - offset)
            buffer.copy(prefix.rawSpan.extracting(first: count), to: offset)
            prefix.removeFirst(count)
        } else {
            while true {
                let got = buffer.read(from: fd, at: offset)
                if got >= 0 { count = got; break }
                if errno == EINTR { continue }
                endProblem = (position, MappedFile.errnoText("cannot read"))
                return 0
            }
        }
        position += count
        return count
    }

    /// Reads up to `count` bytes, fewer only at the end of the stream or on an error.
    static func readFully(_ fd: Int32, count: Int) -> [UInt8]? {
        SystemCalls.readFully(fd, count: count)
    }
}

/// A private temporary file (mkstemp in $TMPDIR, else /tmp) holding a copy of a stream as it was
/// read, so a second pass (late interfaces, `--report`, `--evidence`) reads the copy instead of
/// the stream, which cannot be read twice. Removed when released and, at the latest, at exit.
public final class Spool {
    public let path: String
    private let fd: Int32
    private var failed: String?

    init() throws(CaptureError) {
        let directory = SystemCalls.environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        guard let (fd, path) = SystemCalls.makeTemporaryFile(in: directory, prefix: "scopescan-spool-") else {
            throw CaptureError(path: directory, message: MappedFile.errnoText("cannot create a temporary file to keep the stream in"))
        }
        self.fd = fd
        self.path = path
        SpoolCleanup.register(path)
    }

    deinit {
        SystemCalls.close(fd)
        SystemCalls.unlink(path)
        SpoolCleanup.unregister(path)
    }

    func append(_ bytes: RawSpan) {
        guard failed == nil else { return }
        if SystemCalls.writeAll(fd, bytes) != nil { failed = MappedFile.errnoText("cannot write to \(path)") }
    }

    /// Why the copy is incomplete, nil when every byte was written.
    var problem: String? { failed }
}

/// Removes spool files still present when the process exits (System.exit runs atexit handlers).
enum SpoolCleanup {
    private static let state = Mutex<(paths: Set<String>, installed: Bool)>(([], false))

    static func register(_ path: String) {
        let install = state.withLock { state in
            state.paths.insert(path)
            defer { state.installed = true }
            return !state.installed
        }
        if install {
            SystemCalls.atExit { for path in SpoolCleanup.state.withLock({ $0.paths }) { SystemCalls.unlink(path) } }
        }
    }

    static func unregister(_ path: String) { _ = state.withLock { $0.paths.remove(path) } }
}

/// A window over a stream: `need(n)` makes at least `n` bytes contiguous at `window` unless the
/// stream ends first, `consume(n)` moves past them. Every byte read is also appended to `spool`
/// when there is one.
///
/// Over a stream that lends its buffers (`lendChunk`, the decompressor) the window is the lent
/// buffer itself, so decompressed bytes are not copied again; only a block that straddles two
/// buffers is assembled in `storage`, after which the window returns to the lent buffer. Over
/// other streams `storage` is filled by `read` and grows to the largest block asked.
final class StreamWindow {
    private let stream: ByteStream
    /// Set before anything is consumed: what is already buffered is copied at once.
    var spool: Spool? {
        didSet {
            spool?.append(storage.span(start ..< end))
            if let lent { spool?.append(lent.buffer.span(lentStart ..< lent.count)) }
        }
    }
    private var storage: ByteBuffer
    private var start = 0
    private var end = 0
    private var ended = false
    /// Whether the stream lends its buffers (known after the first read).
    private var lends: Bool?
    /// The lent buffer and where its unread bytes start; in use while `storage` is empty.
    private var lent: LentChunk?
    private var lentStart = 0
    /// Stream offset of `window`'s first byte.
    private(set) var offset = 0

    init(_ stream: ByteStream, capacity: Int = 1 << 20) {
        self.stream = stream
        storage = ByteBuffer(count: capacity)
    }

    /// The bytes from the current position, until the next `need` or `consume`. A lent buffer
    /// stays alive while this window holds it (the ring keeps its buffers until it goes).
    var window: RawSpan {
        @_lifetime(borrow self) get {
            if start == end, let lent { return lent.buffer.span(lentStart ..< lent.count, keptBy: self) }
            return storage.span(start ..< end, keptBy: self)
        }
    }
    var endProblem: (offset: Int?, message: String)? { stream.endProblem }

    /// Whether `count` bytes are available; when false, `window` holds all that was left.
    @discardableResult
    func need(_ count: Int) -> Bool {
        if start == end, let lent, lent.count - lentStart >= count { return true }
        if lends == nil {
            lends = stream.lends
            if stream.lends { accept(stream.lendChunk()) }
        }
        return lends! ? assemble(count) : fill(count)
    }

    func consume(_ count: Int) {
        offset += count
        if start == end, lent != nil {
            lentStart += count
            return
        }
        start += count
        if start == end { start = 0; end = 0 }
    }

    /// A new lent buffer (nil: the stream ended); the previous one has been given back by the
    /// call that lent this one.
    private func accept(_ chunk: LentChunk?) {
        if let chunk, chunk.count > 0 {
            spool?.append(chunk.buffer.span(0 ..< chunk.count))
            lent = chunk
        } else {
            ended = true
            lent = nil
        }
        lentStart = 0
    }

    /// Lending streams: moves what is left of the lent buffer into `storage` and adds bytes from
    /// the following buffers until `count` are there; the rest of the last buffer stays lent.
    private func assemble(_ count: Int) -> Bool {
        while end - start < count && !ended {
            guard let chunk = lent, chunk.count != lentStart else {
                accept(stream.lendChunk())
                continue
            }
            if start == end && chunk.count - lentStart >= count { return true }
            makeRoom(for: count)
            let take = min(count - (end - start), chunk.count - lentStart)
            storage.copy(chunk.buffer.span(lentStart ..< lentStart + take), to: end)
            end += take
            lentStart += take
        }
        if start == end, let lent { return lent.count - lentStart >= count }
        return end - start >= count
    }

    /// Copying streams: reads into `storage` until `count` bytes are there.
    private func fill(_ count: Int) -> Bool {
        while end - start < count && !ended {
            makeRoom(for: count)
            let got = stream.read(into: storage, at: end)
            if got == 0 {
                ended = true
            } else {
                spool?.append(storage.span(end ..< end + got))
                end += got
            }
        }
        return end - start >= count
    }

    /// Makes `storage` hold `count` bytes from `start`: moves the unread bytes to the front, and
    /// grows it when `count` is larger than it.
    private func makeRoom(for count: Int) {
        guard storage.count - start < count else { return }
        if count > storage.count {
            let bigger = ByteBuffer(count: max(count, storage.count * 2))
            bigger.copy(storage.span(start ..< end), to: 0)
            storage = bigger
        } else {
            storage.copy(storage.span(start ..< end), to: 0)
        }
        end -= start
        start = 0
    }
}
