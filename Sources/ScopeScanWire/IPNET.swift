// Solaris/illumos IPNET (LINKTYPE_IPNET 226): what snoop and tcpdump record from /dev/ipnet/*,
// the IP observability devices through which those systems capture loopback and inter-zone
// traffic. The dl_ipnet header (illumos usr/src/uts/common/inet/ipnet.h; tcpdump print-ipnet.c),
// all fields big-endian:
//
//  0         1         2           4            8             12              16         20         24
//  +---------+---------+-----------+------------+-------------+---------------+----------+----------+
//  | version | family  | hook type | packet len | ifindex     | group ifindex | src zone | dst zone |
//  +---------+---------+-----------+------------+-------------+---------------+----------+----------+
//
// Version is 1. Family 2 is IPv4 and 26 IPv6 (Solaris's AF_INET/AF_INET6); the IP packet follows.
public enum IPNETHeader {
    public static let headerLength = 24
    public static let familyIPv4: UInt8 = 2
    public static let familyIPv6: UInt8 = 26

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else { throw .truncated(.ipnet, at: 0, needed: headerLength, available: frame.count) }
        let version = frame.u8(0)
        guard version == 1 else { throw .badField(.ipnet, "version", value: UInt32(version), at: 0) }
        let type: EtherType
        switch frame.u8(1) {
        case familyIPv4: type = .ipv4
        case familyIPv6: type = .ipv6
        default: type = EtherType(rawValue: 0)
        }
        var layer = LinkLayer(linkType: linkType, networkProtocol: type, headerLength: headerLength)
        layer.interfaceIndex = frame.be32(8)
        return layer
    }
}
