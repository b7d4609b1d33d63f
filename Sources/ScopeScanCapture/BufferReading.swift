// Field reads over the readers' own buffers (memory maps, libpcap's records, stream windows):
// file-format headers and block fields, not packets. Packets are read through spans
// (`CapturedPacket.span`, ScopeScanWire); these are the pre-span helpers, kept for the readers
// until they too read spans, and confined to this module.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        self[offset]
    }

    @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    func le16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func le32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    // `tail` and `head` build the sub-buffer from the base address: the range they take is
    // checked here, so going through a `Slice` (which checks it again, twice) only adds work to
    // every layer of every packet.

    /// The bytes from `offset` to the end; empty when `offset` is at or past the end.
    @inline(__always)
    func tail(from offset: Int) -> UnsafeRawBufferPointer {
        precondition(offset >= 0, "negative offset")
        return offset >= count ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(start: baseAddress! + offset, count: count - offset)
    }

    /// The first `length` bytes (or all of them when shorter).
    @inline(__always)
    func head(_ length: Int) -> UnsafeRawBufferPointer {
        length >= count ? self : UnsafeRawBufferPointer(start: baseAddress, count: Swift.max(0, length))
    }
}
