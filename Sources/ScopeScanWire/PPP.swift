// PPP (RFC 1661 section 2) as LINKTYPE_PPP (9) and LINKTYPE_PPP_HDLC (50) capture it, and the PPP
// protocol field PPPoE sessions carry (PPPoE.swift).
//
//  +----------+----------+----------+-------------------
//  | Address  | Control  | Protocol | Information ...
//  | 0xff     | 0x03     | 1 or 2   |
//  +----------+----------+----------+-------------------
//
// Address and control are the HDLC-like framing of RFC 1662 section 3.1; LINKTYPE_PPP frames may
// leave them out (address-and-control-field compression, RFC 1661 section 6.6), so they are
// skipped only when present. With protocol field compression (RFC 1661 section 6.5) the protocol
// is one byte: a protocol number's first byte is even and its last odd, so an odd first byte is a
// compressed field. BSD/OS wrote Cisco HDLC frames (address 0x0f or 0x8f) under the PPP link
// types, and Wireshark (packet-ppp.c) and tcpdump (print-ppp.c) decode those as Cisco HDLC; so
// does this decoder.
public enum PPPFrame {
    public static let allStationsAddress: UInt8 = 0xff
    public static let unnumberedInformation: UInt8 = 0x03
    /// The PPP protocol numbers of the network layers decoded (IANA "PPP DLL Protocol Numbers").
    public static let ipv4Protocol: UInt16 = 0x0021
    public static let ipv6Protocol: UInt16 = 0x0057
    public static let mplsUnicastProtocol: UInt16 = 0x0281
    public static let mplsMulticastProtocol: UInt16 = 0x0283

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= 1 else { throw .truncated(.ppp, at: 0, needed: 1, available: 0) }
        let first = frame.u8(0)
        if first == CiscoHDLC.unicastAddress || first == CiscoHDLC.multicastAddress {
            return try CiscoHDLC.decode(frame, linkType: linkType)
        }
        var offset = 0
        if first == allStationsAddress {
            guard frame.count >= 2 else { throw .truncated(.ppp, at: 0, needed: 2, available: frame.count) }
            let control = frame.u8(1)
            guard control == unnumberedInformation else { throw .badField(.ppp, "control", value: UInt32(control), at: 1) }
            offset = 2
        }
        let (type, end) = try networkProtocol(frame, at: offset, layer: .ppp)
        return LinkLayer(linkType: linkType, networkProtocol: type, headerLength: end)
    }

    /// The PPP protocol field at `offset` (one byte when compressed) as an EtherType and where the
    /// information field starts; an MPLS label stack after it is walked (MPLS.swift). Protocols
    /// other than IP and MPLS (LCP, IPCP, CHAP…) map to EtherType 0: a link-only frame.
    @inline(__always)
    static func networkProtocol(_ frame: RawSpan, at offset: Int, layer: Layer) throws(DecodeError) -> (EtherType, Int) {
        guard frame.count - offset >= 1 else { throw .truncated(layer, at: offset, needed: 1, available: max(0, frame.count - offset)) }
        let first = frame.u8(offset)
        let number: UInt16, end: Int
        if first & 1 == 1 {
            (number, end) = (UInt16(first), offset + 1)
        } else {
            guard frame.count - offset >= 2 else { throw .truncated(layer, at: offset, needed: 2, available: frame.count - offset) }
            (number, end) = (frame.be16(offset), offset + 2)
        }
        switch number {
        case ipv4Protocol: return (.ipv4, end)
        case ipv6Protocol: return (.ipv6, end)
        case mplsUnicastProtocol, mplsMulticastProtocol: return try MPLSStack.decode(frame, at: end)
        default: return (EtherType(rawValue: 0), end)
        }
    }
}
