import ScopeScanSystem

/// A source of bytes read front to back: a pipe, a FIFO, a regular file read without a map, or
/// the output of a decompressor. Reads block until bytes come or the stream ends.
protocol ByteStream: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
    /// Why the stream ended before its natural end (a read error, a truncated compressed stream),
    /// nil when it simply ended. Valid once `read` has returned 0.
    var endProblem: (offset: Int?, message: String)? { get }
    /// Streams that produce their bytes in buffers of their own (the decompressor's ring) lend
    /// the next one instead of copying it: valid until the next call, which gives the previous
    /// one back; empty at the end of the stream. nil: this stream only copies (`read`).
    func lendChunk() -> UnsafeRawBufferPointer?
}

extension ByteStream {
    func lendChunk() -> UnsafeRawBufferPointer? { nil }
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

    deinit { if ownsDescriptor { close(fd) } }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard buffer.count > 0 else { return 0 }
        var count = 0
        if !prefix.isEmpty {
            count = min(prefix.count, buffer.count)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            prefix.removeFirst(count)
        } else {
            while true {
                let got = System.read(fd, buffer.baseAddress, buffer.count)
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
        var bytes = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            let got = bytes.withUnsafeMutableBytes { System.read(fd, $0.baseAddress! + have, count - have) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { break }
            have += got
        }
        return Array(bytes.prefix(have))
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
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/scopescan-spool-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw CaptureError(path: directory, message: MappedFile.errnoText("cannot create a temporary file to keep the stream in")) }
        self.fd = fd
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        SpoolCleanup.register(path)
    }

    deinit {
        close(fd)
        unlink(path)
        SpoolCleanup.unregister(path)
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard failed == nil, var start = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let wrote = System.write(fd, start, left)
            if wrote < 0 && errno == EINTR { continue }
            if wrote <= 0 { failed = MappedFile.errnoText("cannot write to \(path)"); return }
            start += wrote
            left -= wrote
        }
    }

    /// Why the copy is incomplete, nil when every byte was written.
    var problem: String? { failed }
}

/// Removes spool files still present when the process exits (System.exit runs atexit handlers).
enum SpoolCleanup {
    nonisolated(unsafe) private static var paths: Set<String> = []
    nonisolated(unsafe) private static var installed = false

    static func register(_ path: String) {
        paths.insert(path)
        if !installed {
            installed = true
            atexit { for path in SpoolCleanup.paths { unlink(path) } }
        }
    }

    static func unregister(_ path: String) { paths.remove(path) }
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
            spool?.append(UnsafeRawBufferPointer(rebasing: storage[start..<end]))
            if let lent { spool?.append(UnsafeRawBufferPointer(rebasing: lent[lentStart...])) }
        }
    }
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var ended = false
    /// Whether the stream lends its buffers (known after the first read).
    private var lends: Bool?
    /// The lent buffer and where its unread bytes start; in use while `storage` is empty.
    private var lent: UnsafeRawBufferPointer?
    private var lentStart = 0
    /// Stream offset of `window`'s first byte.
    private(set) var offset = 0

    init(_ stream: ByteStream, capacity: Int = 1 << 20) {
        self.stream = stream
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var window: UnsafeRawBufferPointer {
        if start == end, let lent { return UnsafeRawBufferPointer(rebasing: lent[lentStart...]) }
        return UnsafeRawBufferPointer(rebasing: storage[start..<end])
    }
    var endProblem: (offset: Int?, message: String)? { stream.endProblem }

    /// Whether `count` bytes are available; when false, `window` holds all that was left.
    @discardableResult
    func need(_ count: Int) -> Bool {
        if start == end, let lent, lent.count - lentStart >= count { return true }
        if lends == nil {
            lends = true
            if let first = stream.lendChunk() { accept(first) } else { lends = false }
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

    /// A new lent buffer; the previous one has been given back by the call that lent this one.
    private func accept(_ chunk: UnsafeRawBufferPointer) {
        if chunk.isEmpty {
            ended = true
            lent = nil
        } else {
            spool?.append(chunk)
            lent = chunk
        }
        lentStart = 0
    }

    /// Lending streams: moves what is left of the lent buffer into `storage` and adds bytes from
    /// the following buffers until `count` are there; the rest of the last buffer stays lent.
    private func assemble(_ count: Int) -> Bool {
        while end - start < count && !ended {
            guard let chunk = lent else {
                accept(stream.lendChunk() ?? UnsafeRawBufferPointer(start: nil, count: 0))
                continue
            }
            if chunk.count == lentStart {
                accept(stream.lendChunk() ?? UnsafeRawBufferPointer(start: nil, count: 0))
                continue
            }
            if start == end && chunk.count - lentStart >= count { return true }
            makeRoom(for: count)
            let take = min(count - (end - start), chunk.count - lentStart)
            (storage.baseAddress! + end).copyMemory(from: chunk.baseAddress! + lentStart, byteCount: take)
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
            let got = stream.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
            if got == 0 {
                ended = true
            } else {
                spool?.append(UnsafeRawBufferPointer(rebasing: storage[end..<(end + got)]))
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
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, storage.count * 2), alignment: 16)
            bigger.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: end - start)
            storage.deallocate()
            storage = bigger
        } else {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: end - start)
        }
        end -= start
        start = 0
    }
}
