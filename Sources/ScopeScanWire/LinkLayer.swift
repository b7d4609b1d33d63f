/// What the link-layer decoder learnt about a frame: where the network header starts and what it is.
public struct LinkLayer: ~Escapable {
    public var linkType: LinkType
    /// The network protocol carried, as an EtherType (IPv4/IPv6) after mapping BSD families and SLL codes.
    public var networkProtocol: EtherType
    /// Offset of the network-layer header in the frame.
    public var headerLength: Int
    /// Up to two VLAN ids (outer first), 0 where absent.
    public var outerVLAN: UInt16
    public var innerVLAN: UInt16
    /// Ethernet with both MAC addresses zero: how Linux `lo` looks in a capture, and how
    /// anonymised traces look too (so it is a hint, not proof).
    public var hasZeroMACs: Bool
    /// Linux SLL/SLL2: the ARPHRD type of the device the packet went through, 0 for other links.
    public var arphrd: UInt16
    /// ARPHRD_LOOPBACK (772, include/uapi/linux/if_arp.h): the packet went through a loopback
    /// device, whatever the capture's interface is named ("any").
    public var arphrdLoopback: Bool { arphrd == Self.arphrdLoopbackType }
    public static let arphrdLoopbackType: UInt16 = 772
    /// Linux SLL2 interface index, or IPNET's dl_ipnet ifindex; 0 where absent.
    public var interfaceIndex: UInt32
    /// For PKTAP: the header's interface name and process, borrowed from the frame.
    public var pktap: Optional<PKTAPHeaderView>
    /// The DLT_NULL family was in the other byte order from the one this host uses.
    public var byteSwappedFamily: Bool
    /// For NFLOG: the log group, hook and prefix the TLVs carried (the prefix borrowed from the frame).
    public var nflog: Optional<NFLOGFields>
    /// The BSD address family of a DLT_NULL/DLT_LOOP frame (it tells the capturing OS), 0 otherwise.
    public var nullFamily: UInt32

    // Written out (no default values, `Optional<…>` spelled in full): a default value on a
    // property of a ~Escapable struct is initialised by a compiler-made function that the lifetime
    // checker rejects in Swift 6.3.
    @_lifetime(immortal)
    public init(linkType: LinkType, networkProtocol: EtherType, headerLength: Int) {
        self.linkType = linkType
        self.networkProtocol = networkProtocol
        self.headerLength = headerLength
        outerVLAN = 0
        innerVLAN = 0
        hasZeroMACs = false
        arphrd = 0
        interfaceIndex = 0
        pktap = .none
        nflog = .none
        byteSwappedFamily = false
        nullFamily = 0
    }
}

public enum LinkDecoder {
    /// Decodes the link header of `frame` captured with link type `linkType`.
    @_lifetime(copy frame)
    public static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        switch linkType {
        case .ethernet:
            return try EthernetHeader.decode(frame, at: 0, linkType: linkType)
        case .null:
            return try NullHeader.decode(frame, linkType: linkType, bigEndianOnly: false)
        case .loop:
            return try NullHeader.decode(frame, linkType: linkType, bigEndianOnly: true)
        case .raw, .rawBSD12, .rawBSD14:
            guard frame.count >= 1 else { throw .truncated(.link, at: 0, needed: 1, available: 0) }
            switch frame.u8(0) >> 4 {
            case 4: return LinkLayer(linkType: linkType, networkProtocol: .ipv4, headerLength: 0)
            case 6: return LinkLayer(linkType: linkType, networkProtocol: .ipv6, headerLength: 0)
            case let version: throw .badField(.link, "IP version", value: UInt32(version), at: 0)
            }
        case .ipv4:
            return LinkLayer(linkType: linkType, networkProtocol: .ipv4, headerLength: 0)
        case .ipv6:
            return LinkLayer(linkType: linkType, networkProtocol: .ipv6, headerLength: 0)
        case .linuxSLL:
            return try LinuxSLLHeader.decode(frame, linkType: linkType)
        case .linuxSLL2:
            return try LinuxSLL2Header.decode(frame, linkType: linkType)
        case .pktap, .user2:
            return try PKTAPHeaderView.decode(frame, linkType: linkType)
        case .ppp, .pppHDLC:
            return try PPPFrame.decode(frame, linkType: linkType)
        case .pppEther:
            let (type, end) = try PPPoESession.decode(frame, at: 0)
            return LinkLayer(linkType: linkType, networkProtocol: type, headerLength: end)
        case .cHDLC:
            return try CiscoHDLC.decode(frame, linkType: linkType)
        case .frameRelay:
            return try FrameRelay.decode(frame, linkType: linkType)
        case .nflog:
            return try NFLOGHeader.decode(frame, linkType: linkType)
        case .ipnet:
            return try IPNETHeader.decode(frame, linkType: linkType)
        case .ipoib:
            return try IPoIBHeader.decode(frame, linkType: linkType)
        case .ieee80211:
            return try IEEE80211Header.decode(frame, at: 0, linkType: linkType)
        case .ieee80211Radiotap:
            return try RadiotapHeader.decode(frame, linkType: linkType)
        default:
            throw DecodeError(layer: .link, kind: .unsupportedLinkType, offset: 0, needed: 0, available: frame.count, value: linkType.rawValue)
        }
    }
}
