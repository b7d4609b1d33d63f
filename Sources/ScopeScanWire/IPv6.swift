// IPv6 fixed header (RFC 8200 section 3).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version| Traffic Class |           Flow Label                  |   0
// |         Payload Length        |  Next Header  |   Hop Limit   |   4
// |                         Source Address (16)                   |   8
// |                      Destination Address (16)                 |  24
public struct IPv6HeaderView: ~Escapable {
    public static let headerLength = 40

    public let header: RawSpan
    /// The bytes after the fixed header, cut to the payload length where the capture holds that much
    /// (a jumbogram's length is applied by the extension-header walk).
    public let payload: RawSpan
    public let isTruncatedByCapture: Bool

    @inline(__always) // decoded once per packet: a call costs as much as the checks
    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, layer: Layer = .ipv6, offset: Int = 0) throws(DecodeError) {
        guard bytes.count >= Self.headerLength else {
            throw .truncated(layer, at: offset, needed: Self.headerLength, available: bytes.count)
        }
        let version = bytes.u8(0) >> 4
        guard version == 6 else { throw .badField(layer, "version", value: UInt32(version), at: offset) }
        header = bytes.head(Self.headerLength)
        let payloadLength = Int(bytes.be16(4))
        let rest = bytes.tail(from: Self.headerLength)
        if payloadLength == 0 {
            // Jumbogram (RFC 2675) or a TSO capture: everything captured is payload for now.
            payload = rest
            isTruncatedByCapture = false
        } else {
            payload = rest.head(payloadLength)
            isTruncatedByCapture = payloadLength > rest.count
        }
    }

    @inlinable public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: header.be16(0) >> 4) }
    @inlinable public var flowLabel: UInt32 { header.be32(0) & 0x000f_ffff }
    @inlinable public var payloadLength: UInt16 { header.be16(4) }
    @inlinable public var nextHeader: IPProtocol { IPProtocol(header.u8(6)) }
    @inlinable public var hopLimit: UInt8 { header.u8(7) }
    @inlinable public var source: IPv6Address { IPv6Address(high: header.be64(8), low: header.be64(16)) }
    @inlinable public var destination: IPv6Address { IPv6Address(high: header.be64(24), low: header.be64(32)) }
}
