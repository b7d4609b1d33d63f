import ScopeScanPackets
import ScopeScanWire

/// `same-flow-multiple-interfaces`: one 5-tuple on a loopback and on a non-loopback interface.
public final class SameFlowMultipleInterfacesRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .sameFlowMultipleInterfaces, severity: .warning,
        title: "One flow seen on a loopback and a non-loopback interface",
        condition: "The same 5-tuple captured on a loopback interface and on a non-loopback interface of a multi-interface capture.",
        explanation: "A packet for the host's own address that shows up on both the NIC and loopback reveals the reroute from both sides; the second copy is not a retransmission.",
        platformContext: "Seen with Wireshark capturing en0 and lo0 together on macOS (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22).",
        references: ["pcapng Interface Description Block (draft-ietf-opsawg-pcapng section 4.2)"],
        thresholds: [EngineThresholds.flowIdleTimeout.declaration, EngineThresholds.maxFlows.declaration],
        details: SameFlowDetails.schema,
        evidence: [
            EvidenceRequirement(.warning, "One flow seen on an interface judged loopback and on another interface judged not loopback, both verdicts known."),
        ]),
        make: { environment in SameFlowMultipleInterfacesRule(configuration: environment.configuration) })
    public let descriptor = declaration.descriptor
    /// Only a capture of several interfaces can show this.
    public var interest: PacketTraits { .multipleInterfaces }
    private let idleNanoseconds: Int64
    private let maxFlows: Int

    struct Sighting {
        var loopback: (interface: Int, frame: Int, time: Timestamp)?
        var other: (interface: Int, frame: Int, time: Timestamp)?
        var lastSeen: Int64
    }

    private var flows: [FlowDescription: Sighting] = [:]
    public private(set) var evictedEntries = 0

    public init(configuration: RuleConfiguration) {
        idleNanoseconds = Int64(nanosecondsIn: configuration.flowIdleTimeout)
        maxFlows = configuration.maxFlows
    }

    private var lastExpiry: Int64?

    /// Forgets flows idle for longer than `--flow-idle-timeout`, at most once a minute of capture time.
    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let lastExpiry, now.nanoseconds.saturatingMinus(lastExpiry) < 60_000_000_000 { return }
        lastExpiry = now.nanoseconds
        guard let cutoff = now.before(nanoseconds: idleNanoseconds)?.nanoseconds else { return }
        if flows.values.contains(where: { $0.lastSeen < cutoff }) {
            flows = flows.filter { $0.value.lastSeen >= cutoff }
        }
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        // Only a capture of several interfaces can show this; a single link costs nothing here.
        guard interfaces.interfaces.count > 1 || context.packet.link?.pktap != nil, context.loopbackKnown, let flow = context.flow.map(symmetricFlow) else { return }
        var sighting = flows[flow] ?? Sighting(lastSeen: context.timestamp.nanoseconds)
        let before = (sighting.loopback != nil, sighting.other != nil)
        if context.isLoopback {
            if sighting.loopback == nil { sighting.loopback = (context.interfaceIndex, context.frame, context.timestamp) }
        } else if sighting.other == nil {
            sighting.other = (context.interfaceIndex, context.frame, context.timestamp)
        }
        sighting.lastSeen = context.timestamp.nanoseconds
        if flows[flow] == nil && flows.count >= maxFlows {
            let cutoff = Sampling.quantile(of: flows.values.lazy.map(\.lastSeen), count: flows.count, fraction: 0.25)
            let before = flows.count
            flows = flows.filter { $0.value.lastSeen > cutoff }
            evictedEntries += before - flows.count
        }
        flows[flow] = sighting
        guard let loopback = sighting.loopback, let other = sighting.other else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: -1, flow: flow)
        if before.0 && before.1 {
            findings.touch(key, frame: context.frame, time: context.timestamp)
            return
        }
        let loopbackName = interfaces.name(loopback.interface) ?? "interface #\(loopback.interface)"
        let otherName = interfaces.name(other.interface) ?? "interface #\(other.interface)"
        let summary = "the same flow is on loopback \(loopbackName) (frame \(loopback.frame)) and on \(otherName) (frame \(other.frame)): the reroute seen from both sides, not a retransmission"
        // Shown as the packet that completed the pair travels (client → server for a SYN), not in
        // the key's canonical order; dated by the earlier of the two sightings.
        let shown = context.flow ?? flow
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: min(loopback.time, other.time), interfaceIndex: loopback.interface, interface: interfaces.name(loopback.interface), flow: shown, summary: summary,
                              details: SameFlowDetails(loopbackInterface: loopbackName, otherInterface: otherName, loopbackFrame: loopback.frame, otherFrame: other.frame),
                              frames: [loopback.frame, other.frame].sorted(), count: 2)
        finding.lastTime = max(loopback.time, other.time)
        findings.add(key, finding)
    }
}

extension RuleID {
    public static let sameFlowMultipleInterfaces = RuleID(rawValue: "same-flow-multiple-interfaces")
}

public struct SameFlowDetails: FindingDetails {
    public var loopbackInterface: String
    public var otherInterface: String
    public var loopbackFrame: Int
    public var otherFrame: Int

    static let schema = [
        DetailField("loopback_interface", .string, "the loopback interface"),
        DetailField("other_interface", .string, "the other interface"),
        DetailField("loopback_frame", .int, "the flow's first frame on loopback"),
        DetailField("other_frame", .int, "its first frame on the other interface"),
    ]

    public var fields: [(String, DetailValue)] {
        [("loopback_interface", .string(loopbackInterface)), ("other_interface", .string(otherInterface)),
         ("loopback_frame", .int(loopbackFrame)), ("other_frame", .int(otherFrame))]
    }
}
