// UDP header (RFC 768): source port(2) destination port(2) length(2) checksum(2).
public struct UDPHeaderView: ~Escapable {
    public static let headerLength = 8

    public let header: RawSpan
    public let payload: RawSpan

    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, offset: Int = 0) throws(DecodeError) {
        guard bytes.count >= Self.headerLength else {
            throw .truncated(.udp, at: offset, needed: Self.headerLength, available: bytes.count)
        }
        header = bytes.head(Self.headerLength)
        let length = Int(bytes.be16(4))
        payload = bytes.tail(from: Self.headerLength).head(max(0, length - Self.headerLength))
    }

    @inlinable public var sourcePort: UInt16 { header.be16(0) }
    @inlinable public var destinationPort: UInt16 { header.be16(2) }
    @inlinable public var length: UInt16 { header.be16(4) }
    @inlinable public var checksum: UInt16 { header.be16(6) }
}
