/// Where the pcapng reader takes its blocks from: a memory map (the fast path for regular
/// files), or a stream through a bounded window. The reader keeps the position itself, so that
/// the input is only ever borrowed while a block's span is read.
protocol BlockInput {
    /// The longest block accepted: a map holds any block of its file, a stream's window is bounded.
    static var maximumBlock: Int { get }
    /// At least `count` bytes from `offset` (the reader's position, which a stream is always
    /// at), or every byte left when fewer remain; a map gives every byte left whatever `count`
    /// is. In use until `advance`.
    @_lifetime(borrow self)
    func bytes(at offset: Int, atLeast count: Int) -> RawSpan
    /// Moves past `count` bytes, to `offset`.
    func advance(_ count: Int, to offset: Int)
    /// Why the input ended early (a read error, a truncated compressed stream).
    var endProblem: (offset: Int?, message: String)? { get }
}

struct MappedBlockInput: BlockInput {
    static var maximumBlock: Int { Int.max }
    let file: MappedFile
    var endProblem: (offset: Int?, message: String)? { nil }

    init(file: MappedFile) { self.file = file }

    @inline(__always)
    @_lifetime(borrow self)
    func bytes(at offset: Int, atLeast count: Int) -> RawSpan {
        file.span.extracting(droppingFirst: offset)
    }

    @inline(__always)
    func advance(_ count: Int, to offset: Int) {
        file.release(before: offset)
    }
}

struct StreamBlockInput: BlockInput {
    /// A block longer than this in a stream is damage: real blocks are a packet and its options.
    static var maximumBlock: Int { 16 << 20 }
    let window: StreamWindow
    var endProblem: (offset: Int?, message: String)? { window.endProblem }

    @_lifetime(borrow self)
    func bytes(at offset: Int, atLeast count: Int) -> RawSpan {
        window.need(count)
        return window.window
    }

    func advance(_ count: Int, to offset: Int) { window.consume(count) }
}
