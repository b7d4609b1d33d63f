import CLZ4
import CZlib
import CZstd

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
    /// Decompresses from `input` into `output` from `offset` on; returns the bytes consumed and
    /// produced, or why the stream is damaged.
    mutating func step(_ input: RawSpan, _ output: ByteBuffer, at offset: Int) -> Result<(consumed: Int, produced: Int), InflateError>
    /// Whether the stream read so far ends where a member or frame ends.
    var atBoundary: Bool { get }
    mutating func end()
}

struct InflateError: Error { var message: String }

// The three inflaters are the module's boundary with zlib, libzstd and liblz4: each call gets the
// input span's address and count and the output buffer's free bytes for the length of the call,
// and reports how many it consumed and produced.

/// gzip members (several concatenated, as `cat a.gz b.gz` makes) through zlib.
@safe
struct GzipInflater: Inflater {
    private var stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1) // zlib's state, freed in end()
    private(set) var atBoundary = true
    private var started = false

    mutating func step(_ input: RawSpan, _ output: ByteBuffer, at offset: Int) -> Result<(consumed: Int, produced: Int), InflateError> {
        if !started {
            unsafe stream.initialize(to: z_stream()) // the allocation made with this value
            guard unsafe scopescan_inflate_init(stream) == Z_OK else { return .failure(InflateError(message: "zlib cannot start")) } // initialised just above
            started = true
        } else if atBoundary {
            guard unsafe inflateReset(stream) == Z_OK else { return .failure(InflateError(message: "zlib cannot restart")) } // started
        }
        if !input.isEmpty { atBoundary = false }
        let stream = unsafe self.stream // the state, for the call below
        // zlib reads at most avail_in bytes of the span and writes at most avail_out bytes of the
        // buffer, both valid during this call; it ignores next_in while avail_in is 0.
        let status: Int32 = unsafe input.withUnsafeBytes { source in
            unsafe output.withMutableBytes(from: offset) { target in // the buffer's free bytes, for the call
                unsafe stream.pointee.next_in = source.baseAddress.map { unsafe UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) } // the span's bytes; zlib only reads through next_in
                unsafe stream.pointee.avail_in = uInt(source.count) // the span's count
                unsafe stream.pointee.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self) // the buffer's free bytes
                unsafe stream.pointee.avail_out = uInt(target.count) // their count
                return unsafe inflate(stream, Z_NO_FLUSH) // zlib's state, set up above
            }
        }
        let consumed = unsafe input.byteCount - Int(stream.pointee.avail_in) // what zlib left of the input
        let produced = unsafe (output.count - offset) - Int(stream.pointee.avail_out) // what it left of the room
        switch status {
        case Z_STREAM_END: atBoundary = true
        case Z_OK, Z_BUF_ERROR: break
        default:
            // zlib's message is a static NUL-terminated string, copied at once.
            let text = unsafe stream.pointee.msg.map { unsafe String(cString: $0) } ?? "error \(status)"
            return .failure(InflateError(message: "gzip stream damaged (zlib: \(text))"))
        }
        return .success((consumed, produced))
    }

    mutating func end() {
        if started { unsafe inflateEnd(stream) } // the state zlib set up
        unsafe stream.deallocate() // allocated in the property
    }
}

/// zstd frames (several concatenated work: each ends where the next starts).
@safe
struct ZstdInflater: Inflater {
    private let context = unsafe ZSTD_createDStream() // libzstd's state, freed in end()
    private(set) var atBoundary = true

    mutating func step(_ input: RawSpan, _ output: ByteBuffer, at offset: Int) -> Result<(consumed: Int, produced: Int), InflateError> {
        let context = unsafe self.context // the state, for the call below
        // libzstd reads at most `size` bytes of the span and writes at most `size` bytes of the
        // buffer, both valid during the call, and says how far it got in `pos`.
        let (status, consumed, produced) = unsafe input.withUnsafeBytes { source in
            unsafe output.withMutableBytes(from: offset) { target in // the buffer's free bytes, for the call
                var inBuffer = unsafe ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0) // the span's address and count
                var outBuffer = unsafe ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0) // the buffer's address and count
                let status = unsafe ZSTD_decompressStream(context, &outBuffer, &inBuffer) // both buffers and the state, for the call
                return unsafe (status, inBuffer.pos, outBuffer.pos) // the counts libzstd reported
            }
        }
        if ZSTD_isError(status) != 0 {
            // A static NUL-terminated name, copied at once.
            return .failure(InflateError(message: "zstd stream damaged (libzstd: \(unsafe String(cString: ZSTD_getErrorName(status))))"))
        }
        if consumed > 0 || produced > 0 { atBoundary = status == 0 }
        return .success((consumed, produced))
    }

    mutating func end() { unsafe ZSTD_freeDStream(context) } // made in the property
}

/// LZ4 frames (`lz4 -c`; concatenated frames work).
@safe
struct LZ4Inflater: Inflater {
    private var context: OpaquePointer?
    private(set) var atBoundary = true

    init() { _ = unsafe LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION)) } // writes the context's address

    mutating func step(_ input: RawSpan, _ output: ByteBuffer, at offset: Int) -> Result<(consumed: Int, produced: Int), InflateError> {
        guard let context = unsafe context else { return .failure(InflateError(message: "liblz4 cannot start")) } // made in init
        // liblz4 reads at most `consumed` bytes of the span and writes at most `produced` bytes
        // of the buffer, both valid during the call, and returns how many it used in each.
        let (status, consumed, produced) = unsafe input.withUnsafeBytes { source in
            unsafe output.withMutableBytes(from: offset) { target in // the buffer's free bytes, for the call
                var produced = target.count
                var consumed = source.count
                let status = unsafe LZ4F_decompress(context, target.baseAddress, &produced, source.baseAddress, &consumed, nil) // both buffers, their counts, and the context made in init
                return (status, consumed, produced)
            }
        }
        if LZ4F_isError(status) != 0 {
            // A static NUL-terminated name, copied at once.
            return .failure(InflateError(message: "lz4 stream damaged (liblz4: \(unsafe String(cString: LZ4F_getErrorName(status))))"))
        }
        if consumed > 0 || produced > 0 { atBoundary = status == 0 }
        return .success((consumed, produced))
    }

    mutating func end() { if let context = unsafe context { unsafe LZ4F_freeDecompressionContext(context) } } // made in init
}
