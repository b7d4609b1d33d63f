import ScopeScanPackets
import ScopeScanWire

/// An owned, printable summary of one packet: what the report's packet tables and sequence
/// diagrams show.
public struct PacketSketch: Sendable {
    public var frame: Int
    public var time: Timestamp
    public var interface: String?
    public var source: IPAddress?
    public var destination: IPAddress?
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// "SYN seq 974859341", "ICMPv6 destination unreachable: address unreachable", …
    public var what: String
    /// A short label for sequence diagrams ("SYN", "SYN-ACK", "ICMPv6 unreachable (code 3)").
    public var label: String

    public init(frame: Int, time: Timestamp, interface: String?, packet: DecodedPacket) {
        self.frame = frame
        self.time = time
        self.interface = packet.link?.pktap?.interfaceName ?? interface
        source = packet.source
        destination = packet.destination
        sourcePort = packet.sourcePort
        destinationPort = packet.destinationPort
        (what, label) = Self.describe(packet)
    }

    static func tcpName(_ flags: TCPFlags) -> String {
        if flags.contains(.syn) { return flags.contains(.ack) ? "SYN-ACK" : "SYN" }
        if flags.contains(.rst) { return flags.contains(.ack) ? "RST-ACK" : "RST" }
        if flags.contains(.fin) { return "FIN" }
        if flags.contains(.psh) { return "PSH-ACK" }
        return flags.contains(.ack) ? "ACK" : "TCP"
    }

    static func describe(_ packet: DecodedPacket) -> (String, String) {
        if let tcp = packet.tcp {
            let name = tcpName(tcp.flags)
            var text = "TCP \(name) seq \(tcp.sequenceNumber)"
            if tcp.flags.contains(.ack) { text += " ack \(tcp.acknowledgmentNumber)" }
            if tcp.payload.count > 0 { text += ", \(tcp.payload.count) bytes" }
            return (text, name)
        }
        if let udp = packet.udp {
            return ("UDP, \(max(0, Int(udp.length) - 8)) bytes", "UDP")
        }
        var quote = ""
        if let quoted = packet.quoted {
            quote = " (quotes \(FindingFormatter.protoName(quoted.upperLayer)) \(FindingFormatter.hostPort(quoted.source, quoted.sourcePort)) → \(FindingFormatter.hostPort(quoted.destination, quoted.destinationPort)))"
        }
        if let icmp = packet.icmpv6 {
            switch icmp.type {
            case .destinationUnreachable:
                return ("ICMPv6 destination unreachable: \(ICMPv6UnreachableCode.name(icmp.code))\(quote)", "ICMPv6 unreachable: \(ICMPv6UnreachableCode.name(icmp.code))")
            case .packetTooBig: return ("ICMPv6 packet too big\(quote)", "ICMPv6 packet too big")
            case .timeExceeded: return ("ICMPv6 time exceeded\(quote)", "ICMPv6 time exceeded")
            case .parameterProblem: return ("ICMPv6 parameter problem\(quote)", "ICMPv6 parameter problem")
            case .echoRequest: return ("ICMPv6 echo request", "echo request")
            case .echoReply: return ("ICMPv6 echo reply", "echo reply")
            case .neighborSolicitation: return ("Neighbor Solicitation for \(icmp.targetAddress.map { "\($0)" } ?? "?")", "Neighbor Solicitation")
            case .neighborAdvertisement: return ("Neighbor Advertisement for \(icmp.targetAddress.map { "\($0)" } ?? "?")", "Neighbor Advertisement")
            default: return ("ICMPv6 type \(icmp.type.rawValue) code \(icmp.code)", "ICMPv6 \(icmp.type.rawValue)")
            }
        }
        if let icmp = packet.icmpv4 {
            if icmp.type == 3 {
                return ("ICMP destination unreachable: \(ICMPv4UnreachableCode.name(icmp.code))\(quote)", "ICMP unreachable: \(ICMPv4UnreachableCode.name(icmp.code))")
            }
            return ("ICMP type \(icmp.type) code \(icmp.code)\(quote)", "ICMP \(icmp.type)")
        }
        if let upper = packet.upperLayer { return ("IP protocol \(upper.rawValue)", "IP \(upper.rawValue)") }
        if let error = packet.error { return ("undecodable: \(error)", "undecodable") }
        return ("non-IP frame", "non-IP")
    }

    public func endpoint(_ address: IPAddress?, _ port: UInt16?) -> String {
        guard let address else { return "?" }
        let text = address.scopedText(interface: interface)
        guard let port else { return text }
        if case .v6 = address { return "[\(text)]:\(port)" }
        return "\(text):\(port)"
    }
}
