/// Where the pcapng reader takes its blocks from: a memory map (the fast path for regular
/// files), or a stream through a bounded window.
protocol BlockInput {
    /// The longest block accepted: a map holds any block of its file, a stream's window is bounded.
    static var maximumBlock: Int { get }
    /// At least `count` bytes from the current position, or every byte left when fewer remain.
    /// Valid until the next call.
    mutating func bytes(atLeast count: Int) -> UnsafeRawBufferPointer
    mutating func advance(_ count: Int)
    /// Offset of the current position in the input.
    var offset: Int { get }
    /// Why the input ended early (a read error, a truncated compressed stream).
    var endProblem: (offset: Int?, message: String)? { get }
}

struct MappedBlockInput: BlockInput {
    static var maximumBlock: Int { Int.max }
    let file: MappedFile
    private(set) var offset = 0
    var endProblem: (offset: Int?, message: String)? { nil }

    init(file: MappedFile) { self.file = file }

    @inline(__always)
    func bytes(atLeast count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[offset...])
    }

    @inline(__always)
    mutating func advance(_ count: Int) {
        offset += count
        file.release(before: offset)
    }
}

struct StreamBlockInput: BlockInput {
    /// A block longer than this in a stream is damage: real blocks are a packet and its options.
    static var maximumBlock: Int { 16 << 20 }
    let window: StreamWindow
    var offset: Int { window.offset }
    var endProblem: (offset: Int?, message: String)? { window.endProblem }

    func bytes(atLeast count: Int) -> UnsafeRawBufferPointer {
        window.need(count)
        return window.window
    }

    func advance(_ count: Int) { window.consume(count) }
}
