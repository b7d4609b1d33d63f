import ScopeScanPackets
import ScopeScanWire

/// `scope-violation`: a packet whose source and destination are of different scopes across a link
/// boundary (RFC 4007 section 9), and the packets that ICMPv6 "beyond scope" errors quote.
public final class ScopeViolationRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .scopeViolation, severity: .error,
        title: "Packet crosses its address scope",
        condition: "A link-local source sending to a destination outside link scope (global, unique-local, wider multicast), or a global/unique-local source sending to a link-local destination; ICMPv6 'beyond scope of source address' errors are linked here.",
        explanation: "A link-local address is valid only on its own link: a packet that carries one towards a wider scope can never be answered correctly and must not be forwarded (a router answers 'beyond scope of source address'). It usually means source address selection picked the wrong address, or a reroute changed the interface.",
        platformContext: "Seen when a stack loses the zone of a link-local address (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; FreeBSD review D35732) or when an application binds fe80:: and connects to a global address.",
        references: ["RFC 4007 section 9 (forwarding across zones)", "RFC 6724 (source address selection)", "RFC 4443 section 3.1 code 2"],
        details: ScopeViolationDetails.schema,
        evidence: [
            EvidenceRequirement(.error, "On an interface not judged loopback: a link-local source with a destination outside link scope (global, unique-local, wider multicast), or a global/unique-local source with a link-local destination, decoded from the IPv6 header itself."),
        ]),
        make: { _ in ScopeViolationRule() })
    public let descriptor = declaration.descriptor
    /// ICMPv6 errors, or a link-local source or destination (both directions need one).
    public var interest: PacketTraits { [.icmp, .linkLocalAddress] }

    public init() {}

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
                    finding.updateDetails(as: ScopeViolationDetails.self) { $0.icmpFrame = context.frame }
                    finding.summary += "; a router answered 'beyond scope of source address' (frame \(context.frame))"
                }
            } else {
                findings.add(key, Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow,
                                          summary: "a router answered 'beyond scope of source address': \(header.source) (\(header.source.kind)) cannot reach \(header.destination) (\(header.destination.kind))",
                                          details: ScopeViolationDetails(sourceScope: header.source.kind.description, destinationScope: header.destination.kind.description, icmpFrame: context.frame),
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
                           details: ScopeViolationDetails(direction: outward ? "link-local-to-wider" : "wider-to-link-local", sourceScope: source.kind.description, destinationScope: destination.kind.description),
                           frames: [context.frame])
        }
    }
}

extension RuleID {
    public static let scopeViolation = RuleID(rawValue: "scope-violation")
}

public struct ScopeViolationDetails: FindingDetails {
    /// "link-local-to-wider" or "wider-to-link-local"; nil when only a router's error showed it.
    public var direction: String?
    public var sourceScope: String
    public var destinationScope: String
    /// The ICMPv6 'beyond scope of source address' error, when one was seen.
    public var icmpFrame: Int?

    public init(direction: String? = nil, sourceScope: String, destinationScope: String, icmpFrame: Int? = nil) {
        self.direction = direction
        self.sourceScope = sourceScope
        self.destinationScope = destinationScope
        self.icmpFrame = icmpFrame
    }

    static let schema = [
        DetailField("direction", .string, "link-local-to-wider or wider-to-link-local"),
        DetailField("source_scope", .string, "the source address's kind"),
        DetailField("destination_scope", .string, "the destination address's kind"),
        DetailField("icmp_frame", .int, "the router's 'beyond scope of source address' error"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("direction", direction)
        f.add("source_scope", sourceScope)
        f.add("destination_scope", destinationScope)
        f.add("icmp_frame", icmpFrame)
        return f.fields
    }
}
