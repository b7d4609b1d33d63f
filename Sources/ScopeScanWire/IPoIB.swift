// IP over InfiniBand (LINKTYPE_IPOIB 242; RFC 4391 section 6 for the encapsulation header).
//
//  0                                        40             42           44
//  +----------------------------------------+--------------+------------+-----------
//  | GRH or destination address (40 bytes)  | type (EType) | reserved   | payload ...
//  +----------------------------------------+--------------+------------+-----------
//
// RFC 4391's own header is the last 4 bytes: an EtherType and 16 reserved bits. Files of this link
// type put a 40-byte pseudo-header before it, the InfiniBand Global Route Header of the received
// packet (or, when its first two bytes are zero, the 20-byte destination hardware address at
// offset 20); Wireshark (packet-ipoib.c, WTAP_ENCAP_IP_OVER_IB_PCAP) and tcpdump (print-ipoib.c,
// IPOIB_HDRLEN 44) both read it so, and so does this decoder.
public enum IPoIBHeader {
    public static let pseudoHeaderLength = 40
    public static let headerLength = pseudoHeaderLength + 4

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else { throw .truncated(.ipoib, at: 0, needed: headerLength, available: frame.count) }
        let (type, end) = try CiscoHDLC.etherTypePayload(frame, type: EtherType(rawValue: frame.be16(pseudoHeaderLength)), at: headerLength)
        return LinkLayer(linkType: linkType, networkProtocol: type, headerLength: end)
    }
}
