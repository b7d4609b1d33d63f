// Big-endian field access over a borrowed packet buffer.
//
// Every view checks its length once in its initialiser; after that these reads are in bounds by
// construction, so they use unaligned loads without a second check. Debug builds still trap on an
// out-of-range offset (UnsafeRawBufferPointer's own debug precondition), which the unit tests and
// the fuzzer exercise.

extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    public func u8(_ offset: Int) -> UInt8 {
        self[offset]
    }

    @inlinable @inline(__always)
    public func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    public func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    public func le16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public func le32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    // `tail` and `head` build the sub-buffer from the base address: the range they take is
    // checked here, so going through a `Slice` (which checks it again, twice) only adds work to
    // every layer of every packet.

    /// The bytes from `offset` to the end; empty when `offset` is at or past the end.
    @inlinable @inline(__always)
    public func tail(from offset: Int) -> UnsafeRawBufferPointer {
        precondition(offset >= 0, "negative offset")
        return offset >= count ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(start: baseAddress! + offset, count: count - offset)
    }

    /// The first `length` bytes (or all of them when shorter).
    @inlinable @inline(__always)
    public func head(_ length: Int) -> UnsafeRawBufferPointer {
        length >= count ? self : UnsafeRawBufferPointer(start: baseAddress, count: Swift.max(0, length))
    }
}
