// Linux netfilter log messages (LINKTYPE_NFLOG 239): what `tcpdump -i nflog:N` records from an
// iptables/nftables `log group N` rule. Layout per https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html
// and include/uapi/linux/netfilter/nfnetlink_log.h:
//
//  0        1         2                    4
//  +--------+---------+--------------------+----------------------------
//  | family | version | resource id (BE16) | TLVs ...
//  +--------+---------+--------------------+----------------------------
//  TLV:  length(2) type(2) value(length - 4), padded to a multiple of 4
//
// The family is the netfilter family of the hook (2 = IPv4, 10 = IPv6: Linux's AF_INET/AF_INET6).
// A TLV's length and type are in the byte order of the host that captured (a netlink attribute),
// which libpcap turns into the reader's when it reads a file from a host of the other order; so the
// order is detected per frame from the first TLV's length, as Wireshark's packet-nflog.c does. The
// type's top two bits are netlink flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER), masked off.
public enum NFLOGHeader {
    public static let headerLength = 4
    static let tlvHeaderLength = 4
    /// TLVs walked per frame; the kernel writes about fifteen.
    public static let maximumTLVs = 64

    public static let familyIPv4: UInt8 = 2
    public static let familyIPv6: UInt8 = 10

    enum TLVType {
        static let packetHeader: UInt16 = 1 // hw_protocol(BE16) hook(1) pad(1)
        static let inputInterface: UInt16 = 4
        static let outputInterface: UInt16 = 5
        static let payload: UInt16 = 9
        static let prefix: UInt16 = 10
    }
    static let typeMask: UInt16 = 0x3fff

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else { throw .truncated(.nflog, at: 0, needed: headerLength, available: frame.count) }
        let version = frame.u8(1)
        guard version == 0 else { throw .badField(.nflog, "version", value: UInt32(version), at: 0) }
        let family = frame.u8(0)
        var fields = NFLOGFields()
        var payloadStart: Int?
        var offset = headerLength
        var littleEndian = true
        if frame.count - offset >= tlvHeaderLength {
            let length = Int(frame.le16(offset))
            littleEndian = length >= tlvHeaderLength && length <= frame.count - offset
        }
        var walked = 0
        while frame.count - offset >= tlvHeaderLength {
            guard walked < maximumTLVs else { throw .badField(.nflog, "TLV count", value: UInt32(walked + 1), at: offset) }
            walked += 1
            let length = Int(littleEndian ? frame.le16(offset) : frame.be16(offset))
            let type = (littleEndian ? frame.le16(offset + 2) : frame.be16(offset + 2)) & typeMask
            guard length >= tlvHeaderLength else { throw .badField(.nflog, "TLV length", value: UInt32(length), at: offset) }
            guard length <= frame.count - offset else { throw .truncated(.nflog, at: offset, needed: length, available: frame.count - offset) }
            let value = offset + tlvHeaderLength
            let valueLength = length - tlvHeaderLength
            switch type {
            case TLVType.packetHeader where valueLength >= 3:
                fields.hook = frame.u8(value + 2)
            case TLVType.inputInterface where valueLength >= 4:
                fields.inputInterface = frame.be32(value)
            case TLVType.outputInterface where valueLength >= 4:
                fields.outputInterface = frame.be32(value)
            case TLVType.prefix:
                let bytes = frame.tail(from: value).head(valueLength)
                fields.prefix = bytes.head(bytes.firstIndex(of: 0) ?? bytes.count)
            case TLVType.payload where payloadStart == nil:
                payloadStart = value
                fields.payloadLength = valueLength
            default:
                break
            }
            // The padding after the last TLV may be cut off by the capture: stop at the end.
            offset += min((length + 3) & ~3, frame.count - offset)
        }
        let type: EtherType
        switch family {
        case familyIPv4: type = .ipv4
        case familyIPv6: type = .ipv6
        default: type = EtherType(rawValue: 0) // bridge, ARP and netdev families: not decoded
        }
        var layer = LinkLayer(linkType: linkType, networkProtocol: payloadStart == nil ? EtherType(rawValue: 0) : type, headerLength: payloadStart ?? frame.count)
        fields.family = family
        fields.resourceID = frame.be16(2)
        layer.nflog = fields
        return layer
    }
}

/// What an NFLOG frame's TLVs said, borrowed from the frame like the PKTAP header.
public struct NFLOGFields: ~Escapable {
    public var family: UInt8
    /// The log group (`log group N`).
    public var resourceID: UInt16
    /// The netfilter hook (NF_INET_PRE_ROUTING 0, LOCAL_IN 1, FORWARD 2, LOCAL_OUT 3, POST_ROUTING 4), if the packet header TLV was there.
    public var hook: UInt8?
    /// The rule's `prefix "..."` string without its NUL, raw bytes from the capture: show it through DisplayText.
    public var prefix: Optional<RawSpan>
    public var inputInterface: UInt32?
    public var outputInterface: UInt32?
    /// Length of the payload TLV's value (the logged packet, as far as it was copied).
    public var payloadLength: Int

    /// No fields yet (written out: see `LinkLayer.init`).
    @_lifetime(immortal)
    public init() {
        family = 0
        resourceID = 0
        hook = nil
        prefix = .none
        inputInterface = nil
        outputInterface = nil
        payloadLength = 0
    }

    public var prefixText: String? { prefix?.utf8String() }
}
