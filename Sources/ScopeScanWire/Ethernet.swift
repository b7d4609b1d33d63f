// Ethernet II (IEEE 802.3) with 802.1Q and 802.1ad VLAN tags, and the encapsulations found on
// provider links: PPPoE sessions (PPPoE.swift), MPLS label stacks (MPLS.swift), PBB I-tags (PBB.swift),
// and 802.3 length-typed frames with LLC/SNAP (LLC.swift). What follows the IP datagram (padding to
// the 60-byte minimum, a switch's or tap's vendor trailer, an FCS) is not the link's business: the
// IPv4 total length / IPv6 payload length bound the packet (IPv4.swift, IPv6.swift).
//
//  0                   6                  12      14
//  +-------------------+------------------+-------+
//  | destination MAC   | source MAC       | type  |  then, per tag: TCI(2) type(2)
//  +-------------------+------------------+-------+
public enum EthernetHeader {
    public static let headerLength = 14
    static let tagLength = 4
    /// VLAN tags walked (802.1Q, 802.1ad, legacy 0x9100) in all: triple stacks occur; the first
    /// two ids are kept.
    static let maximumTags = 4
    /// PPPoE sessions, MPLS stacks and PBB I-tags walked in one frame.
    static let maximumEncapsulations = 4

    @inline(__always) // the common link: decoded once per packet
    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, at start: Int, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count - start >= headerLength else {
            throw .truncated(.ethernet, at: start, needed: headerLength, available: max(0, frame.count - start))
        }
        var type = EtherType(rawValue: frame.be16(start + 12))
        var offset = start + headerLength
        var tags: (UInt16, UInt16) = (0, 0)
        var tagCount = 0
        var encapsulations = 0
        // Tags and encapsulations in any order (a B-tag before a PBB I-tag, VLANs inside PPPoE's
        // Ethernet…), bounded: each step consumes bytes, and at most `maximumEncapsulations` are walked.
        while true {
            if type == .vlan || type == .qinq || type == .qinqLegacy {
                guard tagCount < maximumTags else { throw .badField(.vlan, "tag count", value: UInt32(tagCount + 1), at: offset - 2) }
                guard frame.count - offset >= tagLength else {
                    throw .truncated(.vlan, at: offset, needed: tagLength, available: frame.count - offset)
                }
                let vid = frame.be16(offset) & 0x0fff
                if tagCount == 0 { tags.0 = vid } else if tagCount == 1 { tags.1 = vid }
                tagCount += 1
                type = EtherType(rawValue: frame.be16(offset + 2))
                offset += tagLength
                continue
            }
            guard type == .pppoeSession || type == .mplsUnicast || type == .mplsMulticast || type == .pbbITag else {
                // An 802.3 length instead of a type: LLC, and with a SNAP header an EtherType (LLC.swift).
                if type.rawValue <= 1500, encapsulations < maximumEncapsulations, let pid = LLCSNAP.etherType(frame, at: offset) {
                    encapsulations += 1
                    type = pid
                    offset += LLCSNAP.headerLength
                    continue
                }
                break
            }
            guard encapsulations < maximumEncapsulations else { throw .badField(.ethernet, "encapsulation depth", value: UInt32(encapsulations + 1), at: offset) }
            encapsulations += 1
            if type == .pppoeSession {
                (type, offset) = try PPPoESession.decode(frame, at: offset)
            } else if type == .pbbITag {
                (type, offset) = try PBBITag.decode(frame, at: offset)
            } else {
                (type, offset) = try MPLSStack.decode(frame, at: offset)
            }
        }
        var layer = LinkLayer(linkType: linkType, networkProtocol: type, headerLength: offset)
        layer.outerVLAN = tags.0
        layer.innerVLAN = tags.1
        layer.hasZeroMACs = frame.be64(start) == 0 && frame.be32(start + 8) == 0
        return layer
    }
}
