/// Transport and ICMP checksum verification (`decode --verify-checksums`): RFC 1071 sums over the
/// RFC 8200 8.1 / RFC 793 pseudo-headers. Only complete packets can be checked.
public enum ChecksumVerifier {
    public enum Result: Sendable, Equatable {
        case valid, invalid
        /// The packet was cut by the snap length, or carries nothing checkable.
        case notChecked
        /// UDP over IPv4 with checksum 0: the sender chose not to compute one.
        case absent
    }

    /// Checks the IPv4 header checksum.
    public static func ipv4Header(_ packet: DecodedPacket) -> Result {
        guard let v4 = packet.ipv4 else { return .notChecked }
        return v4.isChecksumValid ? .valid : .invalid
    }

    /// Checks the TCP, UDP, ICMPv6 or ICMPv4 checksum.
    public static func transport(_ packet: DecodedPacket) -> Result {
        guard !packet.anomalies.contains(.ipLengthBeyondCapture), !packet.anomalies.contains(.laterFragment),
              packet.extensions?.fragmentOffset == nil || packet.extensions?.moreFragments == false && packet.extensions?.fragmentOffset == 0,
              !(packet.ipv4?.moreFragments ?? false) else { return .notChecked }
        // The segment is its header and payload, two spans side by side in the frame: summed one
        // after the other (both headers have an even length, so the 16-bit words line up).
        let header: RawSpan, payload: RawSpan
        let proto: IPProtocol
        if let tcp = packet.tcp {
            header = tcp.header
            payload = tcp.payload
            proto = .tcp
        } else if let udp = packet.udp {
            if packet.ipv4 != nil && udp.checksum == 0 { return .absent }
            let length = Int(udp.length)
            guard length >= UDPHeaderView.headerLength, udp.header.count + udp.payload.count >= length else { return .notChecked }
            header = udp.header
            payload = udp.payload
            proto = .udp
        } else if let icmp = packet.icmpv6 {
            header = icmp.message
            payload = icmp.message.empty()
            proto = .icmpv6
        } else if let icmp = packet.icmpv4 {
            return InternetChecksum.sum(icmp.message) == 0xffff ? .valid : .invalid
        } else {
            return .notChecked
        }
        var pseudo: UInt32 = UInt32(proto.rawValue) + UInt32(header.count + payload.count)
        if let v6 = packet.ipv6 {
            guard let destination = finalDestination(v6, packet.extensions) else { return .notChecked }
            for half in [v6.source.high, v6.source.low, destination.high, destination.low] {
                pseudo += UInt32(half >> 48) + UInt32(half >> 32 & 0xffff) + UInt32(half >> 16 & 0xffff) + UInt32(half & 0xffff)
            }
        } else if let v4 = packet.ipv4 {
            for address in [v4.source.value, v4.destination.value] { pseudo += (address >> 16) + (address & 0xffff) }
        } else {
            return .notChecked
        }
        let headerSum = InternetChecksum.sum(header, initial: pseudo)
        return InternetChecksum.sum(payload, initial: UInt32(headerSum)) == 0xffff ? .valid : .invalid
    }

    /// The pseudo-header's destination: with a routing header still to be followed, the last hop's
    /// address (type 0 and 2: the last address listed; type 4, SRv6: Segment List[0]), RFC 8200 8.1.
    static func finalDestination(_ ip: IPv6HeaderView, _ walk: IPv6ExtensionWalk?) -> IPv6Address? {
        guard let offset = walk?.routingHeaderOffset else { return ip.destination }
        let header = ip.payload.tail(from: offset)
        guard header.count >= 8 else { return nil }
        let length = (Int(header.u8(1)) + 1) * 8
        let routingType = header.u8(2), segmentsLeft = header.u8(3)
        guard segmentsLeft > 0 else { return ip.destination }
        guard header.count >= length else { return nil }
        switch routingType {
        case 0, 2:
            guard length >= 24 else { return nil }
            return IPv6Address(high: header.be64(length - 16), low: header.be64(length - 8))
        case 4:
            guard length >= 24 else { return nil }
            return IPv6Address(high: header.be64(8), low: header.be64(16))
        default:
            return nil
        }
    }
}
