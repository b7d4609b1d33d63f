import CLZ4
import CZlib
import CZstd
import ScopeScanSystem

/// The compressed formats recognised by their magic numbers (never by file name).
public enum Compression: String, Sendable {
    case gzip, zstd, lz4

    /// gzip 1f 8b (RFC 1952), zstd frame 28 b5 2f fd (RFC 8878), LZ4 frame 04 22 4d 18.
    static func detect(_ magic: [UInt8]) -> Compression? {
        if magic.count >= 2 && magic[0] == 0x1f && magic[1] == 0x8b { return .gzip }
        guard magic.count >= 4 else { return nil }
        switch (magic[0], magic[1], magic[2], magic[3]) {
        case (0x28, 0xb5, 0x2f, 0xfd): return .zstd
        case (0x04, 0x22, 0x4d, 0x18): return .lz4
        default: return nil
        }
    }
}

/// One decompressor: consumes compressed bytes, produces plain ones.
protocol Inflater {
    /// Decompresses from `input` into `output`; returns the bytes consumed and produced, or why the
    /// stream is damaged.
    mutating func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> Result<(consumed: Int, produced: Int), InflateError>
    /// Whether the stream read so far ends where a member or frame ends.
    var atBoundary: Bool { get }
    mutating func end()
}

struct InflateError: Error { var message: String }

/// gzip members (several concatenated, as `cat a.gz b.gz` makes) through zlib.
struct GzipInflater: Inflater {
    private var stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private(set) var atBoundary = true
    private var started = false

    mutating func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> Result<(consumed: Int, produced: Int), InflateError> {
        if !started {
            stream.initialize(to: z_stream())
            guard scopescan_inflate_init(stream) == Z_OK else { return .failure(InflateError(message: "zlib cannot start")) }
            started = true
        } else if atBoundary {
            guard inflateReset(stream) == Z_OK else { return .failure(InflateError(message: "zlib cannot restart")) }
        }
        if !input.isEmpty { atBoundary = false }
        // zlib ignores next_in while avail_in is 0.
        stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END: atBoundary = true
        case Z_OK, Z_BUF_ERROR: break
        default:
            let text = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
            return .failure(InflateError(message: "gzip stream damaged (zlib: \(text))"))
        }
        return .success((consumed, produced))
    }

    mutating func end() {
        if started { inflateEnd(stream) }
        stream.deallocate()
    }
}

/// zstd frames (several concatenated work: each ends where the next starts).
struct ZstdInflater: Inflater {
    private let context: OpaquePointer = ZSTD_createDStream()
    private(set) var atBoundary = true

    mutating func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> Result<(consumed: Int, produced: Int), InflateError> {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let status = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        if ZSTD_isError(status) != 0 {
            return .failure(InflateError(message: "zstd stream damaged (libzstd: \(String(cString: ZSTD_getErrorName(status))))"))
        }
        if inBuffer.pos > 0 || outBuffer.pos > 0 { atBoundary = status == 0 }
        return .success((inBuffer.pos, outBuffer.pos))
    }

    mutating func end() { ZSTD_freeDStream(context) }
}

/// LZ4 frames (`lz4 -c`; concatenated frames work).
struct LZ4Inflater: Inflater {
    private var context: OpaquePointer?
    private(set) var atBoundary = true

    init() { _ = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION)) }

    mutating func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> Result<(consumed: Int, produced: Int), InflateError> {
        guard let context else { return .failure(InflateError(message: "liblz4 cannot start")) }
        var produced = output.count
        var consumed = input.count
        let status = LZ4F_decompress(context, output.baseAddress, &produced, input.baseAddress, &consumed, nil)
        if LZ4F_isError(status) != 0 {
            return .failure(InflateError(message: "lz4 stream damaged (liblz4: \(String(cString: LZ4F_getErrorName(status))))"))
        }
        if consumed > 0 || produced > 0 { atBoundary = status == 0 }
        return .success((consumed, produced))
    }

    mutating func end() { if let context { LZ4F_freeDecompressionContext(context) } }
}

/// A compressed stream decompressed by a second thread into a ring of buffers, so decompression
/// and analysis run at the same time. The ring is bounded (four buffers of 1 MiB, allocated once):
/// the decompressor waits while every buffer is full, the reader while every buffer is empty. The
/// reader reads a filled buffer in place (`lendChunk`) and gives it back when it moves on.
final class DecompressingStream: ByteStream {
    private let ring: Ring
    private let thread: pthread_t?
    /// The buffer being read and how many bytes it holds.
    private var current: (index: Int, count: Int)?
    private var position = 0
    private(set) var endProblem: (offset: Int?, message: String)?

    init(source: ByteStream, compression: Compression, chunkSize: Int = Ring.defaultChunkSize) {
        let ring = Ring(chunkSize: chunkSize)
        self.ring = ring
        nonisolated(unsafe) let source = source
        thread = System.startThread {
            switch compression {
            case .gzip: ring.produce(from: source, GzipInflater(), name: "gzip")
            case .zstd: ring.produce(from: source, ZstdInflater(), name: "zstd")
            case .lz4: ring.produce(from: source, LZ4Inflater(), name: "lz4")
            }
        }
        if thread == nil { ring.finish(problem: (nil, "cannot start the decompression thread")) }
    }

    deinit {
        // The thread may be blocked reading a pipe that never ends (`-c` stopped reading early):
        // it is told to stop and left to finish on its own; it holds the ring and its input.
        ring.cancel()
        if let thread { System.detachThread(thread) }
    }

    /// The buffer lent by `lendChunk`, given back at the next call.
    private var lentIndex: Int?

    /// The next filled buffer of the ring, without a copy (`StreamWindow` reads it in place).
    func lendChunk() -> UnsafeRawBufferPointer? {
        if let lentIndex {
            ring.release(lentIndex)
            self.lentIndex = nil
        }
        guard let next = ring.nextFilled() else {
            endProblem = ring.problem
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        lentIndex = next.index
        return UnsafeRawBufferPointer(start: ring.chunks[next.index].baseAddress, count: next.count)
    }

    /// Copies out of the ring (for readers that want their own buffer); not mixed with `lendChunk`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            if current == nil {
                guard let next = ring.nextFilled() else {
                    endProblem = ring.problem
                    return 0
                }
                current = next
                position = 0
            }
            let (index, filled) = current!
            let count = min(buffer.count, filled - position)
            buffer.baseAddress!.copyMemory(from: ring.chunks[index].baseAddress! + position, byteCount: count)
            position += count
            if position == filled {
                ring.release(index)
                current = nil
            }
            if count > 0 { return count }
        }
    }
}

/// The buffers shared by the decompressing thread (producer) and the reader (consumer).
final class Ring: @unchecked Sendable {
    static let defaultChunkSize = 1 << 20
    static let chunkCount = 4
    let chunks: [UnsafeMutableRawBufferPointer]
    /// Filled buffers in order, with their byte counts; touched only under the lock.
    private var filled: [(index: Int, count: Int)] = []
    private var free: [Int]
    private var done = false
    private var cancelled = false
    private(set) var problem: (offset: Int?, message: String)?
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// `chunkSize`: 1 MiB, or less to test blocks that straddle buffers.
    init(chunkSize: Int) {
        chunks = (0..<Self.chunkCount).map { _ in .allocate(byteCount: chunkSize, alignment: 16) }
        free = Array(0..<Self.chunkCount)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
        pthread_mutex_destroy(lock)
        pthread_cond_destroy(changed)
        lock.deallocate()
        changed.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    /// The next buffer the decompressor filled, in order; nil once it is done and all are read.
    func nextFilled() -> (index: Int, count: Int)? {
        locked {
            while filled.isEmpty && !done { pthread_cond_wait(changed, lock) }
            return filled.isEmpty ? nil : filled.removeFirst()
        }
    }

    func release(_ index: Int) {
        locked { free.append(index); pthread_cond_broadcast(changed) }
    }

    func cancel() {
        locked { cancelled = true; pthread_cond_broadcast(changed) }
    }

    func finish(problem: (offset: Int?, message: String)?) {
        locked { self.problem = problem; done = true; pthread_cond_broadcast(changed) }
    }

    /// The decompressing thread: reads `source`, fills free buffers, hands them over in order.
    func produce<I: Inflater>(from source: ByteStream, _ inflater: I, name: String) {
        var inflater = inflater
        defer { inflater.end() }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { input.deallocate() }
        var start = 0, end = 0, sourceEnded = false, compressedOffset = 0
        while true {
            let index: Int? = locked {
                while free.isEmpty && !cancelled { pthread_cond_wait(changed, lock) }
                return cancelled ? nil : free.removeFirst()
            }
            guard let index else { return }
            let chunk = chunks[index]
            var produced = 0
            var problem: (offset: Int?, message: String)?
            while produced < chunk.count {
                // Hand over what is there before waiting on the input: a pipe may pause for long.
                if start == end && !sourceEnded && produced > 0 { break }
                if start == end && !sourceEnded {
                    start = 0
                    end = source.read(into: input)
                    if end == 0 { sourceEnded = true }
                }
                let atEnd = start == end && sourceEnded
                if atEnd && inflater.atBoundary {
                    problem = source.endProblem
                    break
                }
                switch inflater.step(UnsafeRawBufferPointer(rebasing: input[start..<end]), UnsafeMutableRawBufferPointer(rebasing: chunk[produced...])) {
                case .success(let step):
                    if atEnd && step.produced == 0 {
                        // Nothing more comes out without input: the stream stops inside a member or frame.
                        problem = source.endProblem ?? (compressedOffset, "\(name) stream truncated")
                        break
                    }
                    start += step.consumed
                    compressedOffset += step.consumed
                    produced += step.produced
                    if step.consumed == 0 && step.produced == 0 && start < end {
                        // No progress with input left: a member ended with bytes after it that start none.
                        problem = (compressedOffset, "\(name) stream damaged: \(end - start) bytes after the end of the compressed data")
                    }
                case .failure(let error):
                    problem = (compressedOffset, error.message)
                }
                if problem != nil { break }
            }
            let finished = problem != nil || (start == end && sourceEnded && inflater.atBoundary)
            locked {
                if produced > 0 { filled.append((index, produced)) } else { free.append(index) }
                pthread_cond_broadcast(changed)
            }
            if finished {
                finish(problem: problem)
                return
            }
        }
    }
}
