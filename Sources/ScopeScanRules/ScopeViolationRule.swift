import ScopeScanPackets
import ScopeScanWire

/// `scope-violation`: a packet whose source and destination are of different scopes across a link
/// boundary (RFC 4007 section 9), and the packets that ICMPv6 "beyond scope" errors quote.
public final class ScopeViolationRule: Rule {
    public let descriptor = RuleCatalogue.scopeViolation
    /// ICMPv6 errors, or a link-local source or destination (both directions need one).
    public var interest: PacketTraits { [.icmp, .linkLocalAddress] }

    public init() {}

    /// Link scope or narrower: link-local unicast, interface/link-local multicast.
    static func isLinkScoped(_ address: IPv6Address) -> Bool { address.isScoped }

    /// Wider than link scope and usable as a unicast/multicast endpoint.
    static func isWider(_ address: IPv6Address) -> Bool {
        switch address.kind {
        case .global, .uniqueLocal, .documentation, .siteLocal, .reserved: return true
        case .multicast(let scope): return scope.rawValue > 2
        default: return false
        }
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let icmp = context.packet.icmpv6, icmp.type == .destinationUnreachable, icmp.code == 2,
           let quoted = context.packet.quoted, case .v6(let header) = quoted.ip {
            let flow = FlowDescription(source: quoted.source, destination: quoted.destination, sourcePort: quoted.sourcePort, destinationPort: quoted.destinationPort, proto: quoted.upperLayer)
            let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: flow)
            if findings.touch(key, frame: context.frame, time: context.timestamp) {
                // The offending packet was seen first: link the router's verdict to it.
                findings.update(key) { finding in
                    if !finding.related.contains(.icmpUnreachable) { finding.related.append(.icmpUnreachable) }
                    finding.setDetail("icmp_frame", .int(context.frame))
                    finding.summary += "; a router answered 'beyond scope of source address' (frame \(context.frame))"
                }
            } else {
                findings.add(key, Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow,
                                          summary: "a router answered 'beyond scope of source address': \(header.source) (\(header.source.kind)) cannot reach \(header.destination) (\(header.destination.kind))",
                                          details: [("source_scope", .string(header.source.kind.description)), ("destination_scope", .string(header.destination.kind.description)), ("icmp_frame", .int(context.frame))],
                                          frames: [context.frame], related: [.icmpUnreachable]))
            }
            return
        }
        guard let ip = context.packet.ipv6, !context.isLoopback else { return }
        // Neighbor Discovery, MLD and ICMPv6 errors may use any on-link source and destination
        // (RFC 4861 7.2.2, RFC 4443 2.2): only transport traffic and echoes show a wrong selection.
        if let icmp = context.packet.icmpv6, icmp.type.isError || (130...143).contains(icmp.type.rawValue) { return }
        let source = ip.source, destination = ip.destination
        let outward = source.isLinkLocalUnicast && Self.isWider(destination)
        let inward = destination.isLinkLocalUnicast && Self.isWider(source) && !source.isMulticast
        guard outward || inward, let flow = context.flow else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: flow)
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            let summary = outward
                ? "link-local source \(source) sends to \(destination.kind) \(destination): the packet can never be answered beyond its link"
                : "\(source.kind) source \(source) sends to link-local \(destination): the reply's source selection crosses zones"
            return Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow, summary: summary,
                           details: [("direction", .string(outward ? "link-local-to-wider" : "wider-to-link-local")), ("source_scope", .string(source.kind.description)), ("destination_scope", .string(destination.kind.description))],
                           frames: [context.frame])
        }
    }
}
