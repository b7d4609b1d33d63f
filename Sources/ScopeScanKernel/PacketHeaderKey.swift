import ScopeScanWire

/// The owned header fields a kernel drop and a captured frame are matched on: what the kernel and
/// the capture both see of one packet, whatever the link layer and whichever copy (skbaddr and
/// skb->tstamp are no keys: the first is reused, the second not always set).
///
/// The analyser side builds one per captured frame with `init?(decoded:)`; the monitor builds one
/// per drop from the bytes it copied. Hop limit is left out: a forwarded packet's changes on the way.
public struct PacketHeaderKey: Hashable, Sendable, CustomStringConvertible {
    public var source: IPAddress
    public var destination: IPAddress
    /// The upper-layer protocol, after any IPv6 extension headers.
    public var nextHeader: IPProtocol
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    public var tcpSequence: UInt32?
    public var tcpFlags: TCPFlags?
    /// ICMP or ICMPv6 type and code, which tell an echo from a neighbour solicitation.
    public var icmpType: UInt8?
    public var icmpCode: UInt8?

    public init(source: IPAddress, destination: IPAddress, nextHeader: IPProtocol, sourcePort: UInt16? = nil, destinationPort: UInt16? = nil,
                tcpSequence: UInt32? = nil, tcpFlags: TCPFlags? = nil, icmpType: UInt8? = nil, icmpCode: UInt8? = nil) {
        self.source = source
        self.destination = destination
        self.nextHeader = nextHeader
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.tcpSequence = tcpSequence
        self.tcpFlags = tcpFlags
        self.icmpType = icmpType
        self.icmpCode = icmpCode
    }

    /// The key of a decoded frame; nil when it has no IP header (ARP, a truncated frame).
    public init?(decoded packet: DecodedPacket) {
        guard let source = packet.source, let destination = packet.destination else { return nil }
        let nextHeader = packet.upperLayer ?? packet.ipv6?.nextHeader ?? packet.ipv4?.proto ?? IPProtocol(255)
        self.init(source: source, destination: destination, nextHeader: nextHeader,
                  sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
                  tcpSequence: packet.tcp?.sequenceNumber, tcpFlags: packet.tcp?.flags,
                  icmpType: packet.icmpv6?.type.rawValue ?? packet.icmpv4?.type,
                  icmpCode: packet.icmpv6?.code ?? packet.icmpv4?.code)
    }

    /// The key of a packet starting at its IP header (what the tracer copies).
    public init?(ipPacket bytes: RawSpan) {
        self.init(decoded: PacketDecoder.decode(bytes, linkType: .raw))
    }

    public init?(ipPacket bytes: [UInt8]) {
        self.init(ipPacket: bytes.rawSpan)
    }

    public var description: String {
        func endpoint(_ address: IPAddress, _ port: UInt16?) -> String {
            guard let port else { return address.description }
            if case .v6 = address { return "[\(address)]:\(port)" }
            return "\(address):\(port)"
        }
        var text = "\(nextHeader) \(endpoint(source, sourcePort)) → \(endpoint(destination, destinationPort))"
        if let tcpFlags { text += " \(tcpFlags)" }
        if let tcpSequence { text += " seq \(tcpSequence)" }
        if let icmpType { text += " type \(icmpType) code \(icmpCode ?? 0)" }
        return text
    }
}
