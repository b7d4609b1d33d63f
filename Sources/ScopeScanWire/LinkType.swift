/// A pcap/pcapng link type (LINKTYPE_* / DLT_* value); unknown values survive as themselves.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    public static let null = LinkType(0)
    public static let ethernet = LinkType(1)
    /// PPP (RFC 1661), with or without RFC 1662's 0xff 0x03 framing.
    public static let ppp = LinkType(9)
    /// PPP in HDLC-like framing (RFC 1662); BSD/OS also wrote Cisco HDLC frames with it.
    public static let pppHDLC = LinkType(50)
    /// PPPoE session frames without their Ethernet header (RFC 2516 section 4).
    public static let pppEther = LinkType(51)
    /// DLT_RAW as OpenBSD (14) and most others (12) number it; LINKTYPE_RAW is 101 in files.
    public static let rawBSD12 = LinkType(12)
    public static let rawBSD14 = LinkType(14)
    public static let raw = LinkType(101)
    /// OpenBSD loopback: the same 4-byte family as DLT_NULL, always big-endian.
    public static let cHDLC = LinkType(104)
    public static let ieee80211 = LinkType(105)
    public static let frameRelay = LinkType(107)
    public static let loop = LinkType(108)
    public static let linuxSLL = LinkType(113)
    public static let ieee80211Radiotap = LinkType(127)
    /// DLT_USER2: Apple's tools write PKTAP captures with this number.
    public static let user2 = LinkType(149)
    /// Solaris/illumos IP observability devices (/dev/ipnet/*), their loopback capture.
    public static let ipnet = LinkType(226)
    public static let ipv4 = LinkType(228)
    public static let ipv6 = LinkType(229)
    /// Linux netfilter log messages (`tcpdump -i nflog:N`).
    public static let nflog = LinkType(239)
    public static let ipoib = LinkType(242)
    public static let pktap = LinkType(258)
    public static let linuxSLL2 = LinkType(276)

    public static let supported: [LinkType] = [.null, .ethernet, .ppp, .rawBSD12, .rawBSD14, .pppHDLC, .pppEther, .raw, .cHDLC, .ieee80211,
                                               .frameRelay, .loop, .linuxSLL, .ieee80211Radiotap, .user2, .ipnet, .ipv4, .ipv6, .nflog,
                                               .ipoib, .pktap, .linuxSLL2]

    public var isSupported: Bool { LinkType.supported.contains(self) }

    /// The link is a loopback by its very type (BSD lo0 uses DLT_NULL or DLT_LOOP).
    public var isLoopbackType: Bool { self == .null || self == .loop }

    public var name: String {
        switch rawValue {
        case 0: return "NULL"
        case 1: return "EN10MB"
        case 9: return "PPP"
        case 50: return "PPP_HDLC"
        case 51: return "PPP_ETHER"
        case 104: return "C_HDLC"
        case 105: return "IEEE802_11"
        case 107: return "FRELAY"
        case 12, 14, 101: return "RAW"
        case 108: return "LOOP"
        case 113: return "LINUX_SLL"
        case 127: return "IEEE802_11_RADIO"
        case 149: return "USER2 (PKTAP)"
        case 226: return "IPNET"
        case 228: return "IPV4"
        case 229: return "IPV6"
        case 239: return "NFLOG"
        case 242: return "IPOIB"
        case 258: return "PKTAP"
        case 276: return "LINUX_SLL2"
        default: return "LINKTYPE_\(rawValue)"
        }
    }

    public var description: String { name }
}

/// EtherType values (and the network protocols the link decoders map their own codes onto).
public struct EtherType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let vlan = EtherType(rawValue: 0x8100)
    public static let ipv6 = EtherType(rawValue: 0x86dd)
    public static let qinq = EtherType(rawValue: 0x88a8)
    /// Pre-standard QinQ tag some switches still send.
    public static let qinqLegacy = EtherType(rawValue: 0x9100)
    /// PPPoE session stage (RFC 2516).
    public static let pppoeSession = EtherType(rawValue: 0x8864)
    /// MPLS unicast and multicast (RFC 3032, RFC 5332).
    public static let mplsUnicast = EtherType(rawValue: 0x8847)
    public static let mplsMulticast = EtherType(rawValue: 0x8848)
    /// 802.1ah Provider Backbone Bridging I-tag.
    public static let pbbITag = EtherType(rawValue: 0x88e7)
}

/// IP protocol / IPv6 next-header numbers.
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let hopByHop = IPProtocol(0)
    public static let icmp = IPProtocol(1)
    public static let tcp = IPProtocol(6)
    public static let udp = IPProtocol(17)
    public static let ipv6Routing = IPProtocol(43)
    public static let ipv6Fragment = IPProtocol(44)
    public static let esp = IPProtocol(50)
    public static let ah = IPProtocol(51)
    public static let icmpv6 = IPProtocol(58)
    public static let noNextHeader = IPProtocol(59)
    public static let destinationOptions = IPProtocol(60)
    public static let mobility = IPProtocol(135)
    public static let hip = IPProtocol(139)
    public static let shim6 = IPProtocol(140)

    public var description: String {
        switch rawValue {
        case 1: return "icmp"
        case 6: return "tcp"
        case 17: return "udp"
        case 58: return "icmp6"
        case 50: return "esp"
        case 51: return "ah"
        case 59: return "none"
        default: return "proto-\(rawValue)"
        }
    }
}
