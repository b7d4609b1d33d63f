// Provider Backbone Bridging I-tag (IEEE 802.1ah, now 802.1Q clause 26), EtherType 0x88e7,
// usually after a B-tag (0x88a8). The I-tag is followed by the customer's Ethernet header.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | PCP |D|U| res |                    I-SID                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |              customer destination MAC (6 bytes)               |
// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                               |                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
// |                 customer source MAC (6 bytes)                 |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |        customer EtherType     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public enum PBBITag {
    enum Field {
        static let tci = 0
        static let customerDestination = 4
        static let customerSource = 10
        static let customerType = 16
    }
    public static let headerLength = Field.customerType + 2

    /// The 24-bit service instance identifier of the I-tag at `offset`.
    @inline(__always)
    public static func serviceID(_ frame: RawSpan, at offset: Int) -> UInt32 {
        frame.be32(offset + Field.tci) & 0x00ff_ffff
    }

    /// The customer EtherType after the I-tag at `offset`, and where the customer payload starts.
    @inline(__always)
    static func decode(_ frame: RawSpan, at offset: Int) throws(DecodeError) -> (EtherType, Int) {
        guard frame.count - offset >= headerLength else {
            throw .truncated(.pbb, at: offset, needed: headerLength, available: max(0, frame.count - offset))
        }
        return (EtherType(rawValue: frame.be16(offset + Field.customerType)), offset + headerLength)
    }
}
