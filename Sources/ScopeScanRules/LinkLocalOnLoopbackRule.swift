import ScopeScanPackets
import ScopeScanWire

/// `linklocal-on-loopback`: fe80::/10 traffic on a loopback interface — the host sending to its own
/// link-local address has routed it through lo/lo0 instead of the interface the scope id names.
public final class LinkLocalOnLoopbackRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .linkLocalOnLoopback, severity: .warning,
        title: "Link-local traffic on a loopback interface",
        condition: "An IPv6 packet with a link-local (fe80::/10) source or destination seen on a loopback interface (lo, lo0), other than macOS lo0's own fe80::1.",
        explanation: "A link-local address is only meaningful on its link, named by the scope id (fe80::1%en0). When a host talks to its own link-local address, the kernel short-cuts the packet through the loopback interface; whether the far end accepts it then depends on the stack keeping the original interface. Seeing it on loopback is the evidence of that reroute, and the owning interface (when the capture or host records it) says which scope was ignored.",
        platformContext: "macOS routes packets for the host's own fe80::…%en0 to lo0 ignoring sin6_scope_id and never accepts them: the client sees ICMPv6 errors on lo0 (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533). Linux reroutes the same way but accepts the packets. FreeBSD keeps the original interface (origifp) but its source-address validation on loopback dropped them until the M_LOOP fix (FreeBSD review D35732, PR 265089, commit 50fa27e795ea).",
        references: ["RFC 4007 section 6 and 11 (zone indices)", "RFC 4291 section 2.5.6 (link-local addresses)", "inet6(4), ip6(4)", "FreeBSD commit 50fa27e795ea \"netinet6: fix interface handling for loopback traffic\" (review D35732): check M_LOOP instead of the interface type"],
        details: LinkLocalOnLoopbackDetails.schema,
        evidence: [
            EvidenceRequirement(.warning, "The interface's loopback verdict (one per interface, see the confidence model above): its name (lo, lo0, Loopback…, \\Device\\NPF_Loopback), or per frame ARPHRD 772 in Linux cooked captures, or, for unnamed DLT_NULL/DLT_LOOP and zero-MAC Ethernet, traffic with initial hop limits only (no real MAC address), and an fe80::/10 source or destination other than macOS lo0's fe80::1. `answered` is true once a SYN-ACK or an Echo Reply of the flow is seen. A platform note only with platform evidence (DLT_NULL family, interface name, zero-MAC or ARPHRD 772 framing), named in `platform_evidence` and in the note."),
        ]),
        make: { _ in LinkLocalOnLoopbackRule() })
    public let descriptor = declaration.descriptor
    /// Only loopback packets get past the first guard.
    public var interest: PacketTraits { .onLoopback }
    public init() {}

    /// macOS gives lo0 the address fe80::1 itself; traffic of that address is normal there.
    static let macOSLoopbackAddress = IPv6Address(high: 0xfe80_0000_0000_0000, low: 1)

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard context.isLoopback, let ip = context.packet.ipv6 else { return }
        let source = ip.source, destination = ip.destination
        let sourceHit = source.isLinkLocalUnicast && source != Self.macOSLoopbackAddress
        let destinationHit = destination.isLinkLocalUnicast && destination != Self.macOSLoopbackAddress
        guard sourceHit || destinationHit, let packetFlow = context.flow else { return }
        // An ICMP error belongs with the flow it quotes, so the reroute is one finding per connection.
        let flow = context.packet.quoted?.flow ?? packetFlow
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: symmetricFlow(flow))
        // A SYN-ACK, or an Echo Reply to the request of this flow (the key is symmetric), back on
        // loopback: the stack accepted the rerouted packets.
        let isAnswer = context.packet.tcp?.flags.isSuperset(of: [.syn, .ack])
            ?? (context.packet.icmpv6?.type == .echoReply)
        if findings.touch(key, frame: context.frame, time: context.timestamp) {
            // A SYN-ACK back means the stack accepted the rerouted packet (Linux); none, macOS.
            if isAnswer {
                let fact = "frame \(context.frame) answers on loopback (\(context.packet.tcp != nil ? "SYN-ACK" : "Echo Reply")): the stack accepted the rerouted packets"
                findings.update(key) { finding in
                    if finding.details(as: LinkLocalOnLoopbackDetails.self)?.answered == false { finding.facts.append(fact) }
                    finding.updateDetails(as: LinkLocalOnLoopbackDetails.self) { $0.answered = true }
                }
            }
            if context.packet.icmpv6?.type.isError == true {
                findings.update(key) { $0.updateDetails(as: LinkLocalOnLoopbackDetails.self) { $0.icmpErrors = true } }
            }
            return
        }
        if findings.declines(descriptor.id, descriptor.severity) { return }
        let linkLocal = destinationHit ? destination : source
        let owner = interfaces.owner(of: linkLocal)
        let here = context.interfaceName ?? "a loopback interface"
        var summary = "link-local \(linkLocal)"
        var details = LinkLocalOnLoopbackDetails(linkLocalAddress: linkLocal, answered: isAnswer)
        if let owner, let ownerName = owner.name {
            let scope = owner.systemIndex.map { " (scope id \($0))" } ?? ""
            summary += " belongs to \(ownerName)\(scope) but was seen on \(here)"
            details.ownerInterface = ownerName
            details.ownerScopeID = owner.systemIndex.map(Int.init)
        } else {
            summary += " seen on \(here): own link-local traffic rerouted to loopback, its scope id ignored"
        }
        var platform = interfaces.platforms[context.interfaceIndex]
        var evidence = interfaces.platformEvidence[context.interfaceIndex]
        if platform == nil, let link = context.packet.link {
            // Linux frames its lo as Ethernet with zero MACs, and names ARPHRD 772 in cooked captures.
            if link.arphrdLoopback {
                (platform, evidence) = ("Linux", "sll-arphrd-772")
            } else if link.hasZeroMACs {
                (platform, evidence) = ("Linux", "ethernet-zero-macs")
            }
        }
        details.platform = platform
        details.platformEvidence = platform == nil ? nil : evidence
        if let note = PlatformNotes.linkLocalOnLoopback(platform: platform, answered: isAnswer) {
            let noted = PlatformNotes.withEvidence(note, details.platformEvidence)
            summary += ". \(noted)"
            details.platformNote = noted
        }
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow, summary: summary, details: details, frames: [context.frame])
        if context.loopbackProvisional { finding.requiresLoopback = true }
        finding.facts.append("frame \(context.frame): link-local \(linkLocal) on loopback, hop limit \(ip.hopLimit)")
        if let owner, let ownerName = owner.name { finding.facts.append("\(linkLocal) is an address of \(ownerName) (recorded by the capture or host)") }
        if isAnswer { finding.facts.append("frame \(context.frame) is itself an answer: the stack accepted the rerouted packets") }
        findings.add(key, finding)
    }
}

extension RuleID {
    public static let linkLocalOnLoopback = RuleID(rawValue: "linklocal-on-loopback")
}

public struct LinkLocalOnLoopbackDetails: FindingDetails {
    public var linkLocalAddress: IPv6Address
    public var ownerInterface: String?
    public var ownerScopeID: Int?
    /// A SYN-ACK came back on loopback: the stack accepted the rerouted packets.
    public var answered: Bool
    /// ICMPv6 errors were seen in the flow (macOS answers so on lo0).
    public var icmpErrors = false
    public var platform: String?
    /// What the platform was judged from ("dlt-null-af30", "ethernet-zero-macs", "interface-name"…).
    public var platformEvidence: String?
    public var platformNote: String?

    static let schema = [
        DetailField("link_local_address", .string, "the link-local address seen on loopback"),
        DetailField("owner_interface", .string, "the interface that owns it, when the capture or host records it"),
        DetailField("owner_scope_id", .int, "that interface's index (scope id), when known"),
        DetailField("answered", .bool, "a SYN-ACK or Echo Reply came back: the stack accepted the rerouted packets"),
        DetailField("platform", .string, "the platform the capture's framing points to"),
        DetailField("platform_evidence", .string, "what the platform was judged from: dlt-null-af30 (the DLT_NULL family), interface-name, ethernet-zero-macs, sll-arphrd-772"),
        DetailField("platform_note", .string, "what that platform does with such packets"),
        DetailField("icmp_errors", .bool, "ICMPv6 errors were seen in the flow (present only when true)"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("link_local_address", linkLocalAddress.description)
        f.add("owner_interface", ownerInterface)
        f.add("owner_scope_id", ownerScopeID)
        f.add("answered", answered)
        f.add("platform", platform)
        f.add("platform_evidence", platformEvidence)
        f.add("platform_note", platformNote)
        if icmpErrors { f.add("icmp_errors", true) }
        return f.fields
    }
}
