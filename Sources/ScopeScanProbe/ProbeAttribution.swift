import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// What one captured packet says about ports, addresses and answers: owned values, kept past the
/// callback. Made from the decode the analyser also gets, so each packet is decoded once.
struct ProbeSeenPacket {
    var frame: Int
    var interfaceIndex: Int
    var time: Timestamp
    /// (source, destination) of TCP/UDP, or of the flow an ICMP error quotes.
    var ports: (UInt16, UInt16)?
    var tcpFlags: TCPFlags?
    var icmpError: Bool
    /// Every address in the packet (and in the packet an ICMP error quotes).
    var addresses: [IPv6Address]
    /// What a port-less packet is aimed at: the target of a Neighbor Solicitation/Advertisement,
    /// otherwise the destination.
    var targets: [IPv6Address]

    init(_ captured: CapturedPacket, decoded packet: borrowing DecodedPacket) {
        frame = captured.frameNumber
        interfaceIndex = captured.interfaceIndex
        time = captured.timestamp
        var addresses: [IPv6Address] = []
        if let ip = packet.ipv6 { addresses += [ip.source, ip.destination] }
        if let target = packet.icmpv6?.targetAddress {
            addresses.append(target)
            targets = [target]
        } else {
            targets = (packet.ipv6?.destination).map { [$0] } ?? []
        }
        icmpError = packet.icmpv6?.type.isError ?? false
        if let quoted = packet.quoted {
            if case .v6(let s) = quoted.source { addresses.append(s) }
            if case .v6(let d) = quoted.destination { addresses.append(d) }
            if let s = quoted.sourcePort, let d = quoted.destinationPort { ports = (s, d) }
        } else if let tcp = packet.tcp {
            ports = (tcp.sourcePort, tcp.destinationPort)
            tcpFlags = tcp.flags
        } else if let s = packet.sourcePort, let d = packet.destinationPort {
            ports = (s, d)
        }
        self.addresses = addresses
    }
}

extension ProbeAttempt {
    /// A packet belongs to this attempt when it carries the server port and the address (TCP, or
    /// the flow an ICMP error quotes), or, without ports (Neighbor Discovery), is aimed at the
    /// address within the attempt's time.
    func owns(_ packet: ProbeSeenPacket) -> Bool {
        if let ports = packet.ports { return (ports.0 == port || ports.1 == port) && packet.addresses.contains(address) }
        return packet.targets.contains(address) && packet.time >= start && packet.time <= windowEnd
    }

    /// Counts the attempt's packets per interface, reads the answer to its SYN, and takes the
    /// findings one of whose frames is its packet (frames are the one part of a finding every rule
    /// fills in the same way).
    mutating func attribute(packets seen: [ProbeSeenPacket], interfaceNames: [String], findings all: [Finding]) {
        var counts = Array(repeating: 0, count: interfaceNames.count)
        var frames = Set<Int>()
        var sawSYN = false
        for packet in seen where owns(packet) {
            frames.insert(packet.frame)
            if packet.interfaceIndex < counts.count { counts[packet.interfaceIndex] += 1 }
            if packet.icmpError { icmpErrors += 1 }
            guard let flags = packet.tcpFlags, let ports = packet.ports else { continue }
            if flags.contains(.syn) && !flags.contains(.ack) && ports.1 == port { sawSYN = true }
            if ports.0 == port && flags.contains(.syn) && flags.contains(.ack) { answer = "SYN-ACK" }
            if ports.0 == port && flags.contains(.rst) && answer == nil { answer = "RST" }
        }
        if answer == nil && sawSYN { answer = "none" }
        packets = zip(interfaceNames, counts).map { ($0, $1) }
        findings = all.filter { $0.frames.contains(where: frames.contains) }
    }
}
