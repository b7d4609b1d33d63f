// IPv4 header (RFC 791 section 3.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |Type of Service|          Total Length         |   0
// |         Identification        |Flags|      Fragment Offset    |   4
// |  Time to Live |    Protocol   |         Header Checksum       |   8
// |                       Source Address                          |  12
// |                    Destination Address                        |  16
// |                    Options                    |    Padding    |  20
public struct IPv4HeaderView: ~Escapable {
    public static let minimumHeaderLength = 20

    /// The header including options.
    public let header: RawSpan
    /// The bytes after the header, cut to the total length where the capture holds that much.
    public let payload: RawSpan
    /// The total length said more than was captured (snap length or truncation).
    public let isTruncatedByCapture: Bool

    /// Validates version, header length and total length once; afterwards every accessor is in bounds.
    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, layer: Layer = .ipv4, offset: Int = 0) throws(DecodeError) {
        guard bytes.count >= Self.minimumHeaderLength else {
            throw .truncated(layer, at: offset, needed: Self.minimumHeaderLength, available: bytes.count)
        }
        let version = bytes.u8(0) >> 4
        guard version == 4 else { throw .badField(layer, "version", value: UInt32(version), at: offset) }
        let headerLength = Int(bytes.u8(0) & 0x0f) * 4
        guard headerLength >= Self.minimumHeaderLength else {
            throw .badField(layer, "header length", value: UInt32(headerLength), at: offset)
        }
        guard bytes.count >= headerLength else {
            throw .truncated(layer, at: offset, needed: headerLength, available: bytes.count)
        }
        let totalLength = Int(bytes.be16(2))
        header = bytes.head(headerLength)
        // TSO/GSO captures write total length 0; take what was captured then.
        let end = totalLength == 0 ? bytes.count : min(max(totalLength, headerLength), bytes.count)
        payload = bytes.extracting(headerLength..<max(headerLength, end))
        isTruncatedByCapture = totalLength > bytes.count
    }

    @inlinable public var headerLength: Int { header.count }
    @inlinable public var dscp: UInt8 { header.u8(1) >> 2 }
    @inlinable public var totalLength: UInt16 { header.be16(2) }
    @inlinable public var identification: UInt16 { header.be16(4) }
    @inlinable public var dontFragment: Bool { header.u8(6) & 0x40 != 0 }
    @inlinable public var moreFragments: Bool { header.u8(6) & 0x20 != 0 }
    /// Fragment offset in bytes.
    @inlinable public var fragmentOffset: Int { Int(header.be16(6) & 0x1fff) * 8 }
    @inlinable public var ttl: UInt8 { header.u8(8) }
    @inlinable public var proto: IPProtocol { IPProtocol(header.u8(9)) }
    @inlinable public var checksum: UInt16 { header.be16(10) }
    @inlinable public var source: IPv4Address { IPv4Address(header.be32(12)) }
    @inlinable public var destination: IPv4Address { IPv4Address(header.be32(16)) }
    public var options: RawSpan {
        @_lifetime(copy self) get { header.tail(from: 20) }
    }

    @inlinable public var isChecksumValid: Bool { InternetChecksum.sum(header) == 0xffff }
}

/// The ones'-complement sum of RFC 1071.
public enum InternetChecksum {
    /// Folded 16-bit ones'-complement sum of `bytes`, starting from `initial`.
    public static func sum(_ bytes: RawSpan, initial: UInt32 = 0) -> UInt16 {
        var acc = UInt64(initial)
        var i = 0
        while i + 1 < bytes.count {
            acc += UInt64(bytes.be16(i))
            i += 2
        }
        if i < bytes.count { acc += UInt64(bytes.u8(i)) << 8 }
        while acc > 0xffff { acc = (acc & 0xffff) + (acc >> 16) }
        return UInt16(acc)
    }
}
