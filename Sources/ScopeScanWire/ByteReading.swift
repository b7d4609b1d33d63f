// Big-endian field access over a borrowed packet buffer.
//
// The views hold `RawSpan`s: borrowed bytes whose bounds the compiler enforces and whose lifetime
// is tied to the frame (`~Escapable`), so no view can outlive the buffer it reads. Every view
// checks its length once in its initialiser; the reads below are checked again, but each field is
// cut out with one range check (`extracting`) and then read a byte at a time from a span whose
// length is a constant, so the optimiser folds the byte checks away and, where the view's length
// check dominates, the range check too. Composing a value from bytes is what
// `UInt16(bigEndian: loadUnaligned(...))` does, without an unsafe load (RawSpan's loads are
// `unsafeLoad…`, which strict memory safety rejects here).

extension RawSpan {
    /// `byteCount` under the name the views used before, so code written for byte buffers converts as is.
    @inlinable @inline(__always)
    public var count: Int { byteCount }

    /// The bytes as `UInt8`s: a span reads single bytes with a bounds check, safely.
    @inlinable @inline(__always)
    public var byteSpan: Span<UInt8> {
        @_lifetime(copy self) get { Span<UInt8>(_bytes: self) }
    }

    @inlinable @inline(__always)
    public func u8(_ offset: Int) -> UInt8 {
        Span<UInt8>(_bytes: self)[offset]
    }

    @inlinable @inline(__always)
    public func be16(_ offset: Int) -> UInt16 {
        let b = Span<UInt8>(_bytes: extracting(offset ..< offset + 2))
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    @inlinable @inline(__always)
    public func be32(_ offset: Int) -> UInt32 {
        let b = Span<UInt8>(_bytes: extracting(offset ..< offset + 4))
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    @inlinable @inline(__always)
    public func be64(_ offset: Int) -> UInt64 {
        let b = Span<UInt8>(_bytes: extracting(offset ..< offset + 8))
        return UInt64(b[0]) << 56 | UInt64(b[1]) << 48 | UInt64(b[2]) << 40 | UInt64(b[3]) << 32
            | UInt64(b[4]) << 24 | UInt64(b[5]) << 16 | UInt64(b[6]) << 8 | UInt64(b[7])
    }

    @inlinable @inline(__always)
    public func le16(_ offset: Int) -> UInt16 {
        let b = Span<UInt8>(_bytes: extracting(offset ..< offset + 2))
        return UInt16(b[1]) << 8 | UInt16(b[0])
    }

    @inlinable @inline(__always)
    public func le32(_ offset: Int) -> UInt32 {
        let b = Span<UInt8>(_bytes: extracting(offset ..< offset + 4))
        return UInt32(b[3]) << 24 | UInt32(b[2]) << 16 | UInt32(b[1]) << 8 | UInt32(b[0])
    }

    /// The bytes from `offset` to the end; empty when `offset` is at or past the end.
    @inlinable @inline(__always)
    @_lifetime(copy self)
    public func tail(from offset: Int) -> RawSpan {
        precondition(offset >= 0, "negative offset")
        return extracting(droppingFirst: offset)
    }

    /// The first `length` bytes (or all of them when shorter; none when `length` is negative).
    @inlinable @inline(__always)
    @_lifetime(copy self)
    public func head(_ length: Int) -> RawSpan {
        extracting(first: Swift.max(0, length))
    }

    /// An empty span with this one's lifetime, for a layer that has no bytes.
    @inlinable @inline(__always)
    @_lifetime(copy self)
    public func empty() -> RawSpan {
        extracting(first: 0)
    }

    /// The index of the first byte equal to `value`, if any.
    @inlinable
    public func firstIndex(of value: UInt8) -> Int? {
        let bytes = Span<UInt8>(_bytes: self)
        for i in bytes.indices where bytes[i] == value { return i }
        return nil
    }

    /// A copy of the bytes, for what must outlive the frame (tests, evidence, messages).
    @inlinable
    public var array: [UInt8] {
        let bytes = Span<UInt8>(_bytes: self)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for i in bytes.indices { out.append(bytes[i]) }
        return out
    }

    /// Whether the bytes equal `other`'s.
    @inlinable
    public func elementsEqual(_ other: [UInt8]) -> Bool {
        let bytes = Span<UInt8>(_bytes: self)
        guard bytes.count == other.count else { return false }
        for i in bytes.indices where bytes[i] != other[i] { return false }
        return true
    }

    /// The bytes as text (invalid UTF-8 repaired), like `String(decoding:as:)`.
    @inlinable
    public func utf8String() -> String {
        String(decoding: array, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// The array's bytes as a borrowed span, to decode an owned copy of a frame.
    @inlinable
    public var rawSpan: RawSpan {
        @_lifetime(borrow self) get { RawSpan(_elements: span) }
    }
}
