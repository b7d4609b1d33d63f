import CZlib

/// gzip compression of a whole buffer in one call: zlib's deflate with a gzip header whose mtime is
/// 0, so the same input always gives the same bytes (the evidence bundle's .tar.gz). The boundary
/// with zlib on the writing side, beside the readers' inflate (Decompressor.swift): the z_stream's
/// pointers into the input and output arrays are set and used here only.
public enum Deflate {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// `input` compressed at `level` (0 none … 9 smallest) as one gzip member.
    public static func gzip(_ input: [UInt8], level: Int32 = 9) throws(Failure) -> [UInt8] {
        // zlib's state (a C struct of pointers): pointed at the arrays below for one call only.
        var stream = unsafe z_stream()
        // deflateInit2 (a macro, behind the shim) fills the stream it is given by address.
        guard unsafe scopescan_deflate_init(&stream, level) == Z_OK else { throw Failure(description: "zlib: cannot start compressing") }
        defer { unsafe deflateEnd(&stream) } // the stream initialised above, ended once
        // deflateBound reads the initialised stream's parameters; the output is sized so that one
        // Z_FINISH call always completes.
        var output = [UInt8](repeating: 0, count: Int(unsafe deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        // The stream points into both arrays' storage for the one deflate call, and at nothing after.
        let status: Int32 = unsafe input.withUnsafeMutableBufferPointer { source in
            unsafe output.withUnsafeMutableBufferPointer { target in // the output array, as the input above
                // Within both closures: the pointers are valid until they return.
                unsafe stream.next_in = source.baseAddress
                unsafe stream.avail_in = uInt(source.count) // as the line above
                unsafe stream.next_out = target.baseAddress // as the line above
                unsafe stream.avail_out = uInt(target.count) // as the line above
                let status = unsafe deflate(&stream, Z_FINISH) // as the line above
                unsafe stream.next_in = nil // the arrays' storage is not pointed at once the closures return
                unsafe stream.next_out = nil // as the line above
                return status
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "zlib: compression failed (\(status))") }
        return Array(output.prefix(Int(unsafe stream.total_out))) // a count, read once deflate is done
    }
}
