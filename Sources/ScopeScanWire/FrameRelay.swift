// Frame Relay (LINKTYPE_FRELAY 107): a Q.922 address, then multiprotocol encapsulation by NLPID
// (RFC 2427 section 3), or Cisco's encapsulation (an EtherType right after the address).
//
//  Q.922 address, 2 bytes (3 and 4 exist: each byte's EA bit, 0x01, marks the last):
//   8   7   6   5   4   3   2   1
//  +---+---+---+---+---+---+---+---+
//  |     DLCI (high 6 bits)    |C/R|EA=0|
//  | DLCI (low 4) |FECN|BECN|DE |EA=1|
//  +---+---+---+---+---+---+---+---+
//
//  RFC 2427:   address | control 0x03 | [pad 0x00] | NLPID | payload
//              NLPID 0xcc = IPv4 (section 4), 0x8e = IPv6 (RFC 2427 section 3 via ISO/IEC TR 9577),
//              0x80 = SNAP: OUI(3) PID(2); OUI 00-00-00 makes the PID an EtherType (section 4.1).
//  Cisco:      address | EtherType(2) | payload   (control byte not 0x03; Wireshark's default
//              "FRF 3.2/Cisco HDLC" encapsulation in packet-fr.c reads it the same way)
public enum FrameRelay {
    public static let maximumAddressLength = 4
    public static let unnumberedInformation: UInt8 = 0x03
    public static let nlpidPad: UInt8 = 0x00
    public static let nlpidIPv4: UInt8 = 0xcc
    public static let nlpidIPv6: UInt8 = 0x8e
    public static let nlpidSNAP: UInt8 = 0x80
    static let snapLength = 5

    /// The DLCI of a frame whose address decoded (10 bits in the 2-byte form).
    public static func dlci(_ frame: RawSpan) -> UInt32? {
        guard frame.count >= 2, frame.u8(0) & 1 == 0, frame.u8(1) & 1 == 1 else { return nil }
        return UInt32(frame.u8(0) >> 2) << 4 | UInt32(frame.u8(1) >> 4)
    }

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        // The address: bytes up to the one with EA set, at least 2, at most 4.
        var offset = 0
        while true {
            guard offset < frame.count else { throw .truncated(.frameRelay, at: 0, needed: offset + 1, available: frame.count) }
            let last = frame.u8(offset) & 1 == 1
            offset += 1
            if last { break }
            guard offset < maximumAddressLength else { throw .badField(.frameRelay, "address length", value: UInt32(offset + 1), at: 0) }
        }
        guard offset >= 2 else { throw .badField(.frameRelay, "address length", value: UInt32(offset), at: 0) }
        guard frame.count - offset >= 2 else { throw .truncated(.frameRelay, at: 0, needed: offset + 2, available: frame.count) }
        guard frame.u8(offset) == unnumberedInformation else {
            // Cisco encapsulation: an EtherType after the address.
            let (type, end) = try CiscoHDLC.etherTypePayload(frame, type: EtherType(rawValue: frame.be16(offset)), at: offset + 2)
            return LinkLayer(linkType: linkType, networkProtocol: type, headerLength: end)
        }
        offset += 1
        if frame.u8(offset) == nlpidPad {
            offset += 1
            guard offset < frame.count else { throw .truncated(.frameRelay, at: 0, needed: offset + 1, available: frame.count) }
        }
        let nlpid = frame.u8(offset)
        offset += 1
        let type: EtherType
        switch nlpid {
        case nlpidIPv4: type = .ipv4
        case nlpidIPv6: type = .ipv6
        case nlpidSNAP:
            guard frame.count - offset >= snapLength else {
                throw .truncated(.frameRelay, at: 0, needed: offset + snapLength, available: frame.count)
            }
            let routed = frame.u8(offset) == 0 && frame.be16(offset + 1) == 0
            let pid = EtherType(rawValue: frame.be16(offset + 3))
            offset += snapLength
            guard routed else { return LinkLayer(linkType: linkType, networkProtocol: EtherType(rawValue: 0), headerLength: offset) }
            let (payloadType, end) = try CiscoHDLC.etherTypePayload(frame, type: pid, at: offset)
            return LinkLayer(linkType: linkType, networkProtocol: payloadType, headerLength: end)
        default: type = EtherType(rawValue: 0) // Q.933 signalling, CLNP, bridged frames…
        }
        return LinkLayer(linkType: linkType, networkProtocol: type, headerLength: offset)
    }
}
