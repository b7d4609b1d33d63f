// IEEE 802.2 LLC with a SNAP header (RFC 1042), how 802.11 data frames, and 802.3 frames that
// carry a length instead of an EtherType, carry IP.
//
//  0      1      2         3                  6             8
//  +------+------+---------+------------------+-------------+-----------
//  | DSAP | SSAP | control | OUI              | PID         | payload ...
//  | 0xaa | 0xaa | 0x03    | 00-00-00 / -f8   | (EtherType) |
//  +------+------+---------+------------------+-------------+-----------
//
// OUI 00-00-00 is RFC 1042's encapsulation and 00-00-f8 IEEE 802.1H's bridge tunnel: with both the
// PID is an EtherType. Other LLC frames (STP, NetBIOS, a vendor OUI) are link-only.
public enum LLCSNAP {
    public static let headerLength = 8
    public static let snapSAP: UInt8 = 0xaa
    public static let unnumberedInformation: UInt8 = 0x03
    static let bridgeTunnelOUI: UInt32 = 0x0000f8

    /// The EtherType PID of a complete SNAP header at `offset` with an RFC 1042 or 802.1H OUI, else nil.
    @inline(__always)
    static func etherType(_ frame: RawSpan, at offset: Int) -> EtherType? {
        guard frame.count - offset >= headerLength, frame.u8(offset) == snapSAP, frame.u8(offset + 1) == snapSAP,
              frame.u8(offset + 2) == unnumberedInformation else { return nil }
        let oui = frame.be32(offset + 2) & 0x00ff_ffff
        guard oui == 0 || oui == bridgeTunnelOUI else { return nil }
        return EtherType(rawValue: frame.be16(offset + 6))
    }

    /// The network protocol after the LLC header at `offset` and where it starts (EtherType 0
    /// when it is not SNAP with an EtherType PID).
    @inline(__always)
    static func decode(_ frame: RawSpan, at offset: Int) throws(DecodeError) -> (EtherType, Int) {
        guard frame.count - offset >= 3 else { throw .truncated(.llc, at: offset, needed: 3, available: max(0, frame.count - offset)) }
        guard frame.u8(offset) == snapSAP, frame.u8(offset + 1) == snapSAP, frame.u8(offset + 2) == unnumberedInformation else {
            return (EtherType(rawValue: 0), offset)
        }
        guard frame.count - offset >= headerLength else {
            throw .truncated(.llc, at: offset, needed: headerLength, available: frame.count - offset)
        }
        let oui = frame.be32(offset + 2) & 0x00ff_ffff
        guard oui == 0 || oui == bridgeTunnelOUI else { return (EtherType(rawValue: 0), offset + headerLength) }
        return try CiscoHDLC.etherTypePayload(frame, type: EtherType(rawValue: frame.be16(offset + 6)), at: offset + headerLength)
    }
}
