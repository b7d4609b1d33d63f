import ScopeScanWire

/// A capture's byte order as a type. The readers' loops over runs of records are generic over it
/// and specialised for each order, so the order is decided once, before the loop, instead of at
/// every field of every record.
protocol CaptureByteOrder {
    /// Whether this is the byte order of the host (libpcap's time fields are signed then).
    static var isHost: Bool { get }
    static func u32(_ bytes: RawSpan, _ offset: Int) -> UInt32
    /// The 64-bit number whose high half is the word at `offset` and whose low half the word after
    /// it (a pcapng timestamp), read in one load where the compiler sees one.
    static func highLow(_ bytes: RawSpan, _ offset: Int) -> UInt64
}

enum LittleEndianCapture: CaptureByteOrder {
    @inline(__always) static var isHost: Bool { 1.littleEndian == 1 }
    @inline(__always) static func u32(_ bytes: RawSpan, _ offset: Int) -> UInt32 { bytes.le32(offset) }
    @inline(__always) static func highLow(_ bytes: RawSpan, _ offset: Int) -> UInt64 {
        UInt64(bytes.le32(offset)) << 32 | UInt64(bytes.le32(offset + 4))
    }
}

enum BigEndianCapture: CaptureByteOrder {
    @inline(__always) static var isHost: Bool { 1.bigEndian == 1 }
    @inline(__always) static func u32(_ bytes: RawSpan, _ offset: Int) -> UInt32 { bytes.be32(offset) }
    @inline(__always) static func highLow(_ bytes: RawSpan, _ offset: Int) -> UInt64 { bytes.be64(offset) }
}
