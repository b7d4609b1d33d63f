// BSD loopback encapsulation (DLT_NULL, DLT_LOOP): a 4-byte protocol family before the IP header.
// DLT_NULL writes it in the capturing host's byte order, so a capture from a big-endian host read
// on a little-endian one shows it swapped: the order is detected per packet (values are < 256).
public enum NullHeader {
    public static let headerLength = 4

    /// AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly),
    /// 30 (macOS/Darwin). Linux's 10 is accepted too (its DLT_NULL-style tunnels use it).
    /// The operating system whose AF_INET6 value this is, for explanations.
    public static func platform(family: UInt32) -> String? {
        switch family {
        case 30: return "macOS"
        case 28: return "FreeBSD"
        case 24: return "OpenBSD/NetBSD"
        case 10: return "Linux"
        default: return nil
        }
    }

    public static func networkProtocol(family: UInt32) -> EtherType? {
        switch family {
        case 2: return .ipv4
        case 10, 24, 28, 30: return .ipv6
        default: return nil
        }
    }

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType, bigEndianOnly: Bool) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else {
            throw .truncated(.null, at: 0, needed: headerLength, available: frame.count)
        }
        let big = frame.be32(0)
        let little = frame.le32(0)
        let family: UInt32
        var swapped = false
        if bigEndianOnly {
            family = big
        } else if little < 256 {
            family = little
        } else {
            family = big
            swapped = true
        }
        guard let proto = networkProtocol(family: family) else {
            throw DecodeError(layer: .null, kind: .unsupportedProtocol, offset: 0, needed: 0, available: frame.count, value: family)
        }
        var layer = LinkLayer(linkType: linkType, networkProtocol: proto, headerLength: headerLength)
        layer.byteSwappedFamily = swapped
        layer.nullFamily = family
        return layer
    }
}
