import ScopeScanSystem

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
        let source = SendableStream(source)
        thread = System.startThread {
            switch compression {
            case .gzip: ring.produce(from: source.stream, GzipInflater(), name: "gzip")
            case .zstd: ring.produce(from: source.stream, ZstdInflater(), name: "zstd")
            case .lz4: ring.produce(from: source.stream, LZ4Inflater(), name: "lz4")
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

    var lends: Bool { true }

    /// The next filled buffer of the ring, without a copy (`StreamWindow` reads it in place).
    func lendChunk() -> LentChunk? {
        if let lentIndex {
            ring.release(lentIndex)
            self.lentIndex = nil
        }
        guard let next = ring.nextFilled() else {
            endProblem = ring.problem
            return nil
        }
        lentIndex = next.index
        return LentChunk(buffer: ring.chunks[next.index], count: next.count)
    }

    /// Copies out of the ring (for readers that want their own buffer); not mixed with `lendChunk`.
    func read(into buffer: ByteBuffer, at offset: Int) -> Int {
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
            let count = min(buffer.count - offset, filled - position)
            let chunk = ring.chunks[index]
            buffer.copy(chunk.span(position ..< position + count), to: offset)
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
    let chunks: [ByteBuffer]
    /// Filled buffers in order, with their byte counts; touched only under the lock.
    private var filled: [(index: Int, count: Int)] = []
    private var free: [Int]
    private var done = false
    private var cancelled = false
    private(set) var problem: (offset: Int?, message: String)?
    private let condition = Condition()

    /// `chunkSize`: 1 MiB, or less to test blocks that straddle buffers.
    init(chunkSize: Int) {
        chunks = (0..<Self.chunkCount).map { _ in ByteBuffer(count: chunkSize) }
        free = Array(0..<Self.chunkCount)
    }

    private func locked<T>(_ body: () -> T) -> T { condition.locked(body) }

    /// The next buffer the decompressor filled, in order; nil once it is done and all are read.
    func nextFilled() -> (index: Int, count: Int)? {
        locked {
            while filled.isEmpty && !done { condition.wait() }
            return filled.isEmpty ? nil : filled.removeFirst()
        }
    }

    func release(_ index: Int) {
        locked { free.append(index); condition.broadcast() }
    }

    func cancel() {
        locked { cancelled = true; condition.broadcast() }
    }

    func finish(problem: (offset: Int?, message: String)?) {
        locked { self.problem = problem; done = true; condition.broadcast() }
    }

    /// The decompressing thread: reads `source`, fills free buffers, hands them over in order.
    func produce<I: Inflater>(from source: ByteStream, _ inflater: I, name: String) {
        var inflater = inflater
        defer { inflater.end() }
        let input = ByteBuffer(count: 256 << 10)
        var start = 0, end = 0, sourceEnded = false, compressedOffset = 0
        while true {
            let index: Int? = locked {
                while free.isEmpty && !cancelled { condition.wait() }
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
                    end = source.read(into: input, at: 0)
                    if end == 0 { sourceEnded = true }
                }
                let atEnd = start == end && sourceEnded
                if atEnd && inflater.atBoundary {
                    problem = source.endProblem
                    break
                }
                switch inflater.step(input.span(start ..< end), chunk, at: produced) {
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
                condition.broadcast()
            }
            if finished {
                finish(problem: problem)
                return
            }
        }
    }
}

/// The compressed source, handed to the decompressing thread, which alone reads it from then on.
private struct SendableStream: @unchecked Sendable {
    let stream: ByteStream
    init(_ stream: ByteStream) { self.stream = stream }
}
