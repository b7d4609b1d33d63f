import ScopeScanPackets
import ScopeScanWire

/// `kernel-drop`: packets the kernel dropped (with its own reason) that no other finding explains,
/// one finding per flow, reason and location. Multicast drops the kernel counts as NOT_SPECIFIED
/// are background noise: one info finding per location sums them up.
public final class KernelDropRule: Rule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .kernelDrop, severity: .warning,
        title: "Packets dropped by the kernel",
        condition: "The Linux kernel freed a captured or sent packet with a drop reason (skb:kfree_skb tracepoint, capture --kernel-drops or probe as root), and no other finding's frames include it.",
        explanation: "Drops are silent on the wire: a SYN that dies in a firewall rule, a packet with a loopback source on a real link, a segment for a port nobody listens on. The kernel names the reason (enum skb_drop_reason) and the function that dropped it; that is where the packet died, which no capture alone can say.",
        platformContext: "Linux 5.17 and later report drop reasons (skb:kfree_skb's reason field); scopescan reads their names from the running kernel's BTF. The FreeBSD write-up needed dtrace on ip6_output_send to find the same (FreeBSD review D35732, PR 265089); macOS and the BSDs have no equivalent here yet.",
        references: ["Linux include/net/dropreason-core.h (enum skb_drop_reason)", "the skb:kfree_skb tracepoint (include/trace/events/skb.h)"],
        details: KernelDropDetails.schema,
        evidence: [
            EvidenceRequirement(.warning, "a drop reported by the kernel for this network namespace, tied to a captured frame by its headers within 5 ms, or a drop of a packet never captured (frame null)"),
            EvidenceRequirement(.info, "multicast drops counted as NOT_SPECIFIED: background, summed per location"),
        ],
        example: """
        $ sudo ip netns exec s scopescan capture -i veth1 --kernel-drops --format json ip6
        {"rule":"kernel-drop","severity":"warning","frames":[9],"first_frame":9,"interface":"veth1","flow":{"src":"2001:db8:1::1","dst":"2001:db8:1::99","sport":40000,"dport":8083,"proto":"tcp"},"summary":"1 SYN dropped by the kernel: IP_INADDRERRORS in ip6_forward (destination not local and not forwarded)","details":{"reason":"IP_INADDRERRORS","location":"ip6_forward","drops":1,"uncaptured":0},…,"kernel_drops":[{"frame":9,"time":"…","reason":"IP_INADDRERRORS","location":"ip6_forward","interface":"veth1","explanation":"destination not local and not forwarded"}]}
        {"rule":"syn-unanswered","severity":"error","frames":[1,2,3],…,"summary":"3 SYNs over 3.022 s (gaps 1.006 s, 2.016 s), no SYN-ACK or RST until end of capture; all 3 SYNs were dropped by the kernel: NETFILTER_DROP in nft_do_chain (a firewall rule)",…}
        """),
        make: { _ in KernelDropRule() })
    public let descriptor = declaration.descriptor

    public init() {}

    struct Key: Hashable {
        var flow: FlowDescription?
        var reason: String
        var location: String?
    }

    /// Reports `drops` (those no other finding took), aggregated.
    func report(_ drops: [KernelDropRecord], interfaces: InterfaceTable, findings: inout FindingCollector) {
        var groups: [Key: [KernelDropRecord]] = [:]
        var order: [Key] = []
        for drop in drops {
            let key = Key(flow: drop.isBackground ? nil : drop.flow.map(symmetricFlow), reason: drop.reason, location: drop.location)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(drop)
        }
        for key in order {
            let group = groups[key]!
            let first = group[0]
            let background = group.allSatisfy(\.isBackground)
            let severity: Severity = background ? .info : descriptor.severity
            guard !findings.declines(descriptor.id, severity) else { continue }
            let frames = Array(Set(group.compactMap(\.frame)).sorted().prefix(Finding.maximumFrames))
            let uncaptured = group.filter { $0.frame == nil }.count
            var summary: String
            if background {
                summary = "\(group.count) multicast packet\(group.count == 1 ? "" : "s") dropped by the kernel as \(first.reasonText): background, not a fault"
            } else {
                summary = "\(group.count) \(Set(group.map(\.kind)).count == 1 ? first.kind : "packet")\(group.count == 1 ? "" : "s") dropped by the kernel: \(first.reasonText) (\(first.explanation))"
                if uncaptured > 0 { summary += "; \(uncaptured) of them never reached the capture (dropped before the tap)" }
            }
            let interface = first.interface
            var finding = Finding(rule: descriptor.id, severity: severity, time: first.time, interfaceIndex: nil, interface: interface,
                                  flow: background ? nil : first.flow, summary: summary,
                                  details: KernelDropDetails(reason: first.reason, location: first.location, drops: group.count, uncaptured: uncaptured),
                                  frames: frames, count: group.count)
            finding.lastTime = group.map(\.time).max() ?? first.time
            finding.kernelDrops = background ? [] : group
            findings.add(nil, finding)
        }
    }
}

extension RuleID {
    public static let kernelDrop = RuleID(rawValue: "kernel-drop")
}

public struct KernelDropDetails: FindingDetails {
    public var reason: String
    public var location: String?
    public var drops: Int
    public var uncaptured: Int

    static let schema = [
        DetailField("reason", .string, "the kernel's drop reason (enum skb_drop_reason without its prefix)"),
        DetailField("location", .string, "the kernel function that dropped the packets"),
        DetailField("drops", .int, "packets dropped"),
        DetailField("uncaptured", .int, "of them, packets the capture never saw (frame null)"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("reason", reason)
        f.add("location", location)
        f.add("drops", drops)
        f.add("uncaptured", uncaptured)
        return f.fields
    }
}
