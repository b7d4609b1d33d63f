import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// One finding's packets as a sequence: who sent what to whom, on which interface, when. The
/// Mermaid diagram, the text ladder and the SVG all draw this one sequence; the interface of each
/// packet is kept, so a packet that left on en0 and came back on lo0 shows as two interfaces.
public struct SequenceModel: Sendable {
    public struct Participant: Sendable {
        /// "C" (the flow's source), "S" (its destination), "R1", "R2"… (a third party, e.g. a router).
        public var id: String
        public var role: String
        /// The scoped address ("fe80::1%lo0").
        public var address: String
        public var port: UInt16?

        /// "fe80::1%lo0 port 50001"
        public var label: String { port.map { "\(address) port \($0)" } ?? address }
    }

    public struct Message: Sendable {
        /// Indexes into `participants`.
        public var from: Int
        public var to: Int
        /// "SYN", "SYN retry 1", "ICMPv6 unreachable: address unreachable".
        public var label: String
        public var frame: Int
        /// "+1.000085 s" since the first packet of the finding.
        public var offset: String
        /// Where the packet was captured (a PKTAP header's interface when it names one).
        public var interface: String?
        /// The kernel's reason for each drop of this frame ("NETFILTER_DROP").
        public var drops: [String]
    }

    public var participants: [Participant]
    public var messages: [Message]
    /// The interfaces the packets were captured on, in order of first appearance.
    public var lanes: [String]
    /// Spans client and server at the end: "no SYN-ACK or RST until the end of the capture".
    public var closingNote: String?

    /// nil without a flow (nothing to say who is client and server).
    init?(_ finding: Finding, _ packets: [PacketSketch]) {
        guard let flow = finding.flow, let first = packets.first else { return nil }
        func participant(_ id: String, _ role: String, _ address: IPAddress, _ port: UInt16?) -> Participant {
            Participant(id: id, role: role, address: address.scopedText(interface: finding.interface), port: port)
        }
        participants = [participant("C", "client", flow.source, flow.sourcePort), participant("S", "server", flow.destination, flow.destinationPort)]
        let sameHost = flow.source == flow.destination
        var others: [IPAddress: Int] = [:]
        var synsSeen = 0
        messages = []
        lanes = []
        for packet in packets {
            guard let source = packet.source else { continue }
            let from: Int, to: Int
            if source == flow.source && (!sameHost || packet.sourcePort == flow.sourcePort || packet.sourcePort == nil) {
                (from, to) = (0, 1)
            } else if source == flow.destination {
                (from, to) = (1, 0)
            } else {
                let index = others[source] ?? participants.count
                if others[source] == nil {
                    others[source] = index
                    participants.append(participant("R\(others.count)", "third party", source, nil))
                }
                (from, to) = (index, packet.destination == flow.destination ? 1 : 0)
            }
            var label = packet.label
            if label == "SYN" && from == 0 {
                if synsSeen > 0 { label = "SYN retry \(synsSeen)" }
                synsSeen += 1
            }
            if let name = packet.interface, !lanes.contains(name) { lanes.append(name) }
            messages.append(Message(from: from, to: to, label: label, frame: packet.frame,
                                    offset: "+" + ReportModel.seconds(packet.time.seconds(since: first.time)), interface: packet.interface,
                                    drops: finding.kernelDrops.filter { $0.frame == packet.frame }.map(\.reasonText)))
        }
        switch finding.rule {
        case .synUnanswered: closingNote = "no SYN-ACK or RST until the end of the capture"
        case .neighborUnresolved: closingNote = "no Neighbor Advertisement"
        default: closingNote = nil
        }
    }
}
