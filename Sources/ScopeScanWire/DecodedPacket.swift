/// One frame decoded into borrowed layer views (the etherparse `SlicedPacket` shape).
///
/// Decoding is lax: it goes as deep as the bytes allow, and where a layer cannot be read it stops,
/// keeps the layers before it and records why in `error`. Nothing here is copied from the frame and
/// nothing is allocated, so a `DecodedPacket` is only valid while the frame's buffer is; keep owned
/// values (addresses, ports, `FlowKey`) for anything that must outlive it.
public struct DecodedPacket: ~Escapable {
    public var link: Optional<LinkLayer>
    public var ipv4: Optional<IPv4HeaderView>
    public var ipv6: Optional<IPv6HeaderView>
    public var extensions: IPv6ExtensionWalk?
    /// The final upper-layer protocol (after IPv6 extension headers).
    public var upperLayer: IPProtocol?
    public var tcp: Optional<TCPHeaderView>
    public var udp: Optional<UDPHeaderView>
    public var icmpv4: Optional<ICMPv4View>
    public var icmpv6: Optional<ICMPv6View>
    /// The invoking packet inside an ICMP or ICMPv6 error.
    public var quoted: Optional<QuotedPacket>
    /// Why decoding stopped early, if it did.
    public var error: DecodeError?
    public var anomalies: Anomalies

    /// An empty packet; the decoder fills it with views that borrow the frame. (Fields written out,
    /// `Optional<…>` in full: see `LinkLayer.init`.)
    @_lifetime(immortal)
    public init() {
        link = .none
        ipv4 = .none
        ipv6 = .none
        extensions = nil
        upperLayer = nil
        tcp = .none
        udp = .none
        icmpv4 = .none
        icmpv6 = .none
        quoted = .none
        error = nil
        anomalies = []
    }

    public var source: IPAddress? {
        if let v6 = ipv6 { return .v6(v6.source) }
        if let v4 = ipv4 { return .v4(v4.source) }
        return nil
    }

    public var destination: IPAddress? {
        if let v6 = ipv6 { return .v6(v6.destination) }
        if let v4 = ipv4 { return .v4(v4.destination) }
        return nil
    }

    public var ipVersion: Int? { ipv6 != nil ? 6 : (ipv4 != nil ? 4 : nil) }

    /// Hop limit (IPv6) or TTL (IPv4).
    public var hopLimit: UInt8? { ipv6?.hopLimit ?? ipv4?.ttl }

    public var sourcePort: UInt16? { tcp?.sourcePort ?? udp?.sourcePort }
    public var destinationPort: UInt16? { tcp?.destinationPort ?? udp?.destinationPort }
}

public enum PacketDecoder {
    /// Decodes as much of `frame` as its bytes allow. Never throws and never reads outside `frame`.
    @_lifetime(copy frame)
    public static func decode(_ frame: RawSpan, linkType: LinkType) -> DecodedPacket {
        var packet = DecodedPacket()
        decode(frame, linkType: linkType, into: &packet)
        return packet
    }

    /// The same, filling `packet` (which must be a fresh `DecodedPacket()`) in place. A packet is a
    /// few hundred bytes of views; returning one by value costs two copies of it per packet, which
    /// per-packet callers (the analyser) avoid by decoding into their own variable.
    @_lifetime(packet: copy frame, copy packet)
    public static func decode(_ frame: RawSpan, linkType: LinkType, into packet: inout DecodedPacket) {
        // Ethernet, by far the most common link, skips the general dispatch (a call whose
        // frame is sized for every link type), and the other links are decoded in a function of
        // their own: with both in one function, the optimiser merged their stores of the link
        // layer into one block fed by registers, where the Ethernet path alone stores constants.
        guard linkType == .ethernet else {
            decodeOtherLink(frame, linkType: linkType, into: &packet)
            return
        }
        do {
            // The layer goes straight into the packet: a local `LinkLayer` would be destroyed at
            // the end of this function, and a ~Escapable value is destroyed through an outlined
            // value-witness call even when it holds nothing to release (Swift 6.3's type
            // lowering counts ~Escapable as non-trivial).
            packet.link = try EthernetHeader.decode(frame, at: 0, linkType: linkType)
        } catch {
            packet.error = error
            return
        }
        decodeNetwork(frame, into: &packet)
    }

    @inline(never)
    @_lifetime(packet: copy frame, copy packet)
    static func decodeOtherLink(_ frame: RawSpan, linkType: LinkType, into packet: inout DecodedPacket) {
        do {
            packet.link = try LinkDecoder.decode(frame, linkType: linkType)
        } catch {
            packet.error = error
            return
        }
        decodeNetwork(frame, into: &packet)
    }

    /// The network layer after the link layer `packet.link` (which the caller has just stored).
    @inline(__always)
    @_lifetime(packet: copy frame, copy packet)
    static func decodeNetwork(_ frame: RawSpan, into packet: inout DecodedPacket) {
        guard let headerLength = packet.link?.headerLength, let networkProtocol = packet.link?.networkProtocol else { return }
        let network = frame.tail(from: headerLength)
        switch networkProtocol {
        case .ipv6: decodeIPv6(network, offset: headerLength, into: &packet)
        case .ipv4: decodeIPv4(network, offset: headerLength, into: &packet)
        default: break // ARP and others: a link-layer-only frame, not an error
        }
    }

    /// Decodes a frame that starts at the IP header (LINKTYPE_RAW semantics).
    @_lifetime(copy bytes)
    public static func decodeIP(_ bytes: RawSpan) -> DecodedPacket {
        decode(bytes, linkType: .raw)
    }

    @_lifetime(packet: copy bytes, copy packet)
    static func decodeIPv6(_ bytes: RawSpan, offset: Int, into packet: inout DecodedPacket) {
        let ip: IPv6HeaderView
        do {
            ip = try IPv6HeaderView(checking: bytes, offset: offset)
        } catch {
            packet.error = error
            return
        }
        var payload = ip.payload
        let first = ip.nextHeader, payloadLength = ip.payloadLength
        if ip.isTruncatedByCapture { packet.anomalies.insert(.ipLengthBeyondCapture) }
        // Moved, not copied, into the packet: a copy of a view is destroyed at the end of its
        // scope, and a ~Escapable value's destroy is an outlined call (docs/performance.md).
        packet.ipv6 = consume ip
        let payloadOffset = offset + IPv6HeaderView.headerLength
        guard IPv6ExtensionWalk.isExtensionHeader(first) else {
            // Most packets: the upper layer follows the fixed header. This is what the walk
            // returns for them (it stops at once: no header, no anomaly, no jumbo length, no
            // fragment), without its loop, whose many live values the optimiser does not peel.
            packet.extensions = IPv6ExtensionWalk(upperLayer: first, upperLayerOffset: 0)
            packet.upperLayer = first
            // TCP, the common case, decoded here: `decodeTransport` is a call with a frame sized
            // for ICMP's quoted packets.
            if first == .tcp {
                decodeTCP(payload, offset: payloadOffset, into: &packet)
            } else {
                decodeTransport(payload, proto: first, offset: payloadOffset, version: 6, into: &packet)
            }
            return
        }
        let walk: IPv6ExtensionWalk
        do {
            walk = try IPv6ExtensionWalk.walk(payload, first: first, baseOffset: payloadOffset)
        } catch {
            packet.error = error
            return
        }
        packet.extensions = walk
        packet.anomalies.formUnion(walk.anomalies)
        packet.upperLayer = walk.upperLayer
        if let jumbo = walk.jumboLength {
            packet.anomalies.insert(.jumboPayload)
            if payloadLength != 0 { packet.anomalies.insert(.jumboWithoutZeroLength) }
            if Int(jumbo) > payload.count { packet.anomalies.insert(.ipLengthBeyondCapture) }
            payload = payload.head(Int(jumbo))
        }
        if walk.isLaterFragment { return }
        decodeTransport(payload.tail(from: walk.upperLayerOffset), proto: walk.upperLayer, offset: payloadOffset + walk.upperLayerOffset, version: 6, into: &packet)
    }

    @_lifetime(packet: copy bytes, copy packet)
    static func decodeIPv4(_ bytes: RawSpan, offset: Int, into packet: inout DecodedPacket) {
        let ip: IPv4HeaderView
        do {
            ip = try IPv4HeaderView(checking: bytes, offset: offset)
        } catch {
            packet.error = error
            return
        }
        packet.ipv4 = ip
        packet.upperLayer = ip.proto
        if ip.isTruncatedByCapture { packet.anomalies.insert(.ipLengthBeyondCapture) }
        if Int(ip.totalLength) < ip.headerLength && ip.totalLength != 0 { packet.anomalies.insert(.ipLengthShorterThanHeader) }
        if ip.fragmentOffset > 0 {
            packet.anomalies.insert(.laterFragment)
            return
        }
        decodeTransport(ip.payload, proto: ip.proto, offset: offset + ip.headerLength, version: 4, into: &packet)
    }

    @inline(__always)
    @_lifetime(packet: copy bytes, copy packet)
    static func decodeTCP(_ bytes: RawSpan, offset: Int, into packet: inout DecodedPacket) {
        let tcp: TCPHeaderView
        do {
            tcp = try TCPHeaderView(checking: bytes, offset: offset)
        } catch {
            packet.error = error
            return
        }
        if !tcp.options.isWellFormed { packet.anomalies.insert(.badTCPOptions) }
        packet.tcp = consume tcp // moved: see decodeIPv6
    }

    @_lifetime(packet: copy bytes, copy packet)
    static func decodeTransport(_ bytes: RawSpan, proto: IPProtocol, offset: Int, version: Int, into packet: inout DecodedPacket) {
        do {
            switch proto {
            case .tcp:
                decodeTCP(bytes, offset: offset, into: &packet)
            case .udp:
                let udp = try UDPHeaderView(checking: bytes, offset: offset)
                packet.udp = udp
                if Int(udp.length) != bytes.count && !(packet.anomalies.contains(.ipLengthBeyondCapture)) {
                    packet.anomalies.insert(.udpLengthMismatch)
                }
            case .icmpv6 where version == 6:
                let icmp = try ICMPv6View(checking: bytes, offset: offset)
                packet.icmpv6 = icmp
                if !icmp.hasConsistentLength(ipPacketLength: IPv6HeaderView.headerLength + Int(packet.ipv6?.payloadLength ?? 0), truncatedByCapture: packet.anomalies.contains(.ipLengthBeyondCapture)) {
                    packet.anomalies.insert(.icmpv6LengthMismatch)
                }
                if let quoted = icmp.quotedBytes {
                    packet.quoted = try QuotedPacket(checking: quoted, version: 6, offset: offset + 8)
                }
            case .icmp where version == 4:
                let icmp = try ICMPv4View(checking: bytes, offset: offset)
                packet.icmpv4 = icmp
                if let quoted = icmp.quotedBytes {
                    packet.quoted = try QuotedPacket(checking: quoted, version: 4, offset: offset + 8)
                }
            default:
                break
            }
        } catch {
            packet.error = error
        }
    }
}
