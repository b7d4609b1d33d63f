// ICMPv4 (RFC 792) and ICMPv6 (RFC 4443, RFC 4861) messages.
//
//  0                   1                   2                   3
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |     Code      |          Checksum             |   0
// |                    type-specific (4 bytes)                    |   4
// |          quoted packet / echo data / NDP target …             |   8

public struct ICMPv6Type: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let destinationUnreachable = ICMPv6Type(rawValue: 1)
    public static let packetTooBig = ICMPv6Type(rawValue: 2)
    public static let timeExceeded = ICMPv6Type(rawValue: 3)
    public static let parameterProblem = ICMPv6Type(rawValue: 4)
    public static let echoRequest = ICMPv6Type(rawValue: 128)
    public static let echoReply = ICMPv6Type(rawValue: 129)
    public static let routerSolicitation = ICMPv6Type(rawValue: 133)
    public static let routerAdvertisement = ICMPv6Type(rawValue: 134)
    public static let neighborSolicitation = ICMPv6Type(rawValue: 135)
    public static let neighborAdvertisement = ICMPv6Type(rawValue: 136)
    public static let redirect = ICMPv6Type(rawValue: 137)

    public var isError: Bool { rawValue < 128 }
}

/// ICMPv6 destination-unreachable codes (RFC 4443 section 3.1, RFC 7112 for code 7).
public enum ICMPv6UnreachableCode {
    public static func name(_ code: UInt8) -> String {
        switch code {
        case 0: return "no route to destination"
        case 1: return "communication with destination administratively prohibited"
        case 2: return "beyond scope of source address"
        case 3: return "address unreachable"
        case 4: return "port unreachable"
        case 5: return "source address failed ingress/egress policy"
        case 6: return "reject route to destination"
        case 7: return "error in source routing header"
        case 8: return "headers too long"
        default: return "code \(code)"
        }
    }
}

/// ICMPv4 destination-unreachable codes (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1).
public enum ICMPv4UnreachableCode {
    public static func name(_ code: UInt8) -> String {
        switch code {
        case 0: return "network unreachable"
        case 1: return "host unreachable"
        case 2: return "protocol unreachable"
        case 3: return "port unreachable"
        case 4: return "fragmentation needed and DF set"
        case 5: return "source route failed"
        case 6: return "destination network unknown"
        case 7: return "destination host unknown"
        case 8: return "source host isolated"
        case 9: return "network administratively prohibited"
        case 10: return "host administratively prohibited"
        case 11: return "network unreachable for type of service"
        case 12: return "host unreachable for type of service"
        case 13: return "communication administratively prohibited"
        case 14: return "host precedence violation"
        case 15: return "precedence cutoff in effect"
        default: return "code \(code)"
        }
    }
}

public struct ICMPv6View: ~Escapable {
    public static let headerLength = 8

    public let message: RawSpan

    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, offset: Int = 0) throws(DecodeError) {
        // Type, code and checksum make a message; the 4 type-specific bytes may be cut by the capture.
        guard bytes.count >= 4 else { throw .truncated(.icmpv6, at: offset, needed: 4, available: bytes.count) }
        message = bytes
    }

    public var type: ICMPv6Type { ICMPv6Type(rawValue: message.u8(0)) }
    public var code: UInt8 { message.u8(1) }
    public var checksum: UInt16 { message.be16(2) }
    /// Echo identifier and sequence, MTU (type 2) or pointer (type 4): the second word, if captured.
    public var word: UInt32? { message.count >= 8 ? message.be32(4) : nil }
    /// The invoking packet of an error message (types 1–4).
    public var quotedBytes: RawSpan? {
        @_lifetime(copy self) get { type.isError && message.count > 8 ? message.tail(from: 8) : nil }
    }

    /// The target address of a Neighbor Solicitation/Advertisement or Redirect (RFC 4861 4.3–4.5).
    public var targetAddress: IPv6Address? {
        guard type == .neighborSolicitation || type == .neighborAdvertisement || type == .redirect, message.count >= 24 else { return nil }
        return IPv6Address(high: message.be64(8), low: message.be64(16))
    }

    /// The fixed part each Neighbor Discovery message needs (RFC 4861 sections 4.1–4.5).
    public var minimumLength: Int {
        switch type {
        case .routerSolicitation: return 8
        case .routerAdvertisement: return 16
        case .neighborSolicitation, .neighborAdvertisement: return 24
        case .redirect: return 40
        default: return 8
        }
    }

    /// False when the message is shorter than its type's fixed part, or an error message makes its
    /// IPv6 packet exceed the minimum MTU of 1280 bytes (RFC 4443 2.4 (c)). A capture cut by its snap
    /// length is not held against the sender.
    public func hasConsistentLength(ipPacketLength: Int, truncatedByCapture: Bool) -> Bool {
        if type.isError { return ipPacketLength <= 1280 }
        return truncatedByCapture || message.count >= minimumLength
    }

    /// Neighbor Advertisement flags (router, solicited, override).
    public var advertisementFlags: (router: Bool, solicited: Bool, override: Bool)? {
        guard type == .neighborAdvertisement, message.count >= 8 else { return nil }
        let b = message.u8(4)
        return (b & 0x80 != 0, b & 0x40 != 0, b & 0x20 != 0)
    }
}

public struct ICMPv4View: ~Escapable {
    public let message: RawSpan

    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, offset: Int = 0) throws(DecodeError) {
        guard bytes.count >= 4 else { throw .truncated(.icmpv4, at: offset, needed: 4, available: bytes.count) }
        message = bytes
    }

    public var type: UInt8 { message.u8(0) }
    public var code: UInt8 { message.u8(1) }
    public var checksum: UInt16 { message.be16(2) }
    public var word: UInt32? { message.count >= 8 ? message.be32(4) : nil }

    /// Destination unreachable (3), source quench (4), redirect (5), time exceeded (11), parameter problem (12).
    public var isError: Bool {
        switch type {
        case 3, 4, 5, 11, 12: return true
        default: return false
        }
    }
    public var quotedBytes: RawSpan? {
        @_lifetime(copy self) get { isError && message.count > 8 ? message.tail(from: 8) : nil }
    }
}

/// The packet an ICMP error quotes: its IP header and as much of the transport header as is present.
/// RFC 792 guarantees only 8 bytes past the IP header, which covers ports and TCP sequence number.
public struct QuotedPacket: ~Escapable {
    public enum Header: ~Escapable {
        case v4(IPv4HeaderView)
        case v6(IPv6HeaderView)
    }

    public let ip: Header
    public let upperLayer: IPProtocol
    /// Bytes of the quoted transport header (possibly fewer than a full header).
    public let transport: RawSpan

    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, version: Int, offset: Int) throws(DecodeError) {
        if version == 6 {
            let v6 = try IPv6HeaderView(checking: bytes, layer: .quotedIPv6, offset: offset)
            ip = .v6(v6)
            // The quote may be cut anywhere: take what the walk can see.
            if let walk = try? IPv6ExtensionWalk.walk(v6.payload, first: v6.nextHeader, baseOffset: offset + 40, layer: .quotedIPv6) {
                // A later fragment still names its upper layer (as the outer packet and a quoted
                // IPv4 fragment do), but its bytes continue that payload: no transport header.
                upperLayer = walk.upperLayer
                transport = walk.isLaterFragment ? bytes.empty() : v6.payload.tail(from: walk.upperLayerOffset)
            } else {
                upperLayer = v6.nextHeader
                transport = bytes.empty()
            }
        } else {
            let v4 = try IPv4HeaderView(checking: bytes, layer: .quotedIPv4, offset: offset)
            ip = .v4(v4)
            upperLayer = v4.proto
            transport = v4.fragmentOffset == 0 ? v4.payload : bytes.empty()
        }
    }

    public var source: IPAddress {
        switch ip {
        case .v4(let h): return .v4(h.source)
        case .v6(let h): return .v6(h.source)
        }
    }

    public var destination: IPAddress {
        switch ip {
        case .v4(let h): return .v4(h.destination)
        case .v6(let h): return .v6(h.destination)
        }
    }

    var hasPorts: Bool { (upperLayer == .tcp || upperLayer == .udp) && transport.count >= 4 }
    public var sourcePort: UInt16? { hasPorts ? transport.be16(0) : nil }
    public var destinationPort: UInt16? { hasPorts ? transport.be16(2) : nil }
    public var tcpSequenceNumber: UInt32? { upperLayer == .tcp && transport.count >= 8 ? transport.be32(4) : nil }
    public var tcpFlags: TCPFlags? { upperLayer == .tcp && transport.count >= 14 ? TCPFlags(rawValue: transport.be16(12) & 0x1ff) : nil }
}
