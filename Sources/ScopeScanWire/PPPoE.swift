// PPPoE session stage (RFC 2516 section 4) carrying PPP (RFC 1661 section 2), EtherType 0x8864.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  VER  | TYPE  |      CODE     |          SESSION_ID           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |            LENGTH             |   PPP protocol (RFC 1661)     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// VER and TYPE are 1, CODE is 0 in the session stage. PPP protocol 0x0057 is IPv6 (RFC 5072),
// 0x0021 IPv4 (RFC 1332), 0x0281/0x0283 MPLS (RFC 3032 section 4.3; PPP.swift reads the field);
// anything else (LCP, IPCP…) is a link-only frame. With protocol field
// compression (RFC 1661 section 6.5) the field is one byte, 0x57 or 0x21: a protocol number's
// first byte is even and its last odd, so an odd first byte is a compressed field.
public enum PPPoESession {
    enum Field {
        static let versionType = 0
        static let code = 1
        static let sessionID = 2
        static let length = 4
        static let pppProtocol = 6
    }
    /// PPPoE header plus the 2-byte PPP protocol field (one byte less when compressed).
    public static let headerLength = Field.pppProtocol + 2

    public static let ipv6Protocol: UInt16 = 0x0057
    public static let ipv4Protocol: UInt16 = 0x0021

    /// The network protocol (as an EtherType) the session frame at `offset` carries, and where it
    /// starts. Protocols other than IP and MPLS map to EtherType 0 (not decoded further, not an error).
    @inline(__always)
    static func decode(_ frame: RawSpan, at offset: Int) throws(DecodeError) -> (EtherType, Int) {
        guard frame.count - offset >= headerLength - 1 else {
            throw .truncated(.pppoe, at: offset, needed: headerLength - 1, available: max(0, frame.count - offset))
        }
        let versionType = frame.u8(offset + Field.versionType)
        guard versionType == 0x11 else { throw .badField(.pppoe, "version/type", value: UInt32(versionType), at: offset) }
        // The whole protocol field must be there; the error names the PPPoE header's start.
        if frame.u8(offset + Field.pppProtocol) & 1 == 0 && frame.count - offset < headerLength {
            throw .truncated(.pppoe, at: offset, needed: headerLength, available: frame.count - offset)
        }
        return try PPPFrame.networkProtocol(frame, at: offset + Field.pppProtocol, layer: .pppoe)
    }
}
