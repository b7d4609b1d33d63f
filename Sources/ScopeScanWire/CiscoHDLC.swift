// Cisco HDLC (LINKTYPE_C_HDLC 104), as Cisco routers frame packets on serial links and as BSD/OS
// captured them; no RFC, the layout is the one Wireshark (packet-chdlc.c) and tcpdump
// (print-chdlc.c) decode.
//
//  0          1          2                     4
//  +----------+----------+---------------------+-----------
//  | address  | control  | protocol (EtherType) | payload ...
//  | 0x0f/0x8f| 0x00     |                     |
//  +----------+----------+---------------------+-----------
//
// Address 0x0f is unicast, 0x8f broadcast. The protocol is an EtherType, so IPv4, IPv6 and MPLS
// (0x8847/0x8848, label stack walked by MPLS.swift) follow; SLARP keepalives (0x8035) and CDP are
// link-only frames.
public enum CiscoHDLC {
    public static let headerLength = 4
    public static let unicastAddress: UInt8 = 0x0f
    public static let multicastAddress: UInt8 = 0x8f

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else {
            throw .truncated(.chdlc, at: 0, needed: headerLength, available: frame.count)
        }
        let address = frame.u8(0)
        guard address == unicastAddress || address == multicastAddress else {
            throw .badField(.chdlc, "address", value: UInt32(address), at: 0)
        }
        let (type, end) = try etherTypePayload(frame, type: EtherType(rawValue: frame.be16(2)), at: headerLength)
        return LinkLayer(linkType: linkType, networkProtocol: type, headerLength: end)
    }

    /// What an EtherType-typed payload at `offset` is: IP as is, an MPLS stack walked to its
    /// payload, anything else as itself (a link-only frame).
    @inline(__always)
    static func etherTypePayload(_ frame: RawSpan, type: EtherType, at offset: Int) throws(DecodeError) -> (EtherType, Int) {
        if type == .mplsUnicast || type == .mplsMulticast { return try MPLSStack.decode(frame, at: offset) }
        return (type, offset)
    }
}
