import ScopeScanPackets
import ScopeScanWire

/// `same-flow-multiple-interfaces`: one 5-tuple on a loopback and on a non-loopback interface.
public final class SameFlowMultipleInterfacesRule: Rule {
    public let descriptor = RuleCatalogue.sameFlowMultipleInterfaces
    /// Only a capture of several interfaces can show this.
    public var interest: PacketTraits { .multipleInterfaces }
    let configuration: RuleConfiguration

    struct Sighting {
        var loopback: (interface: Int, frame: Int, time: Timestamp)?
        var other: (interface: Int, frame: Int, time: Timestamp)?
        var lastSeen: Int64
    }

    private var flows: [FlowDescription: Sighting] = [:]
    public private(set) var evicted = 0

    public init(configuration: RuleConfiguration) {
        self.configuration = configuration
    }

    private var lastExpiry: Int64?

    /// Forgets flows idle for longer than `--flow-idle-timeout`, at most once a minute of capture time.
    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let lastExpiry, now.nanoseconds.saturatingMinus(lastExpiry) < 60_000_000_000 { return }
        lastExpiry = now.nanoseconds
        guard let cutoff = now.before(nanoseconds: Int64(nanosecondsIn: configuration.flowIdleTimeout))?.nanoseconds else { return }
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
        if flows[flow] == nil && flows.count >= configuration.maxFlows {
            let cutoff = Sampling.quantile(of: flows.values.lazy.map(\.lastSeen), count: flows.count, fraction: 0.25)
            let before = flows.count
            flows = flows.filter { $0.value.lastSeen > cutoff }
            evicted += before - flows.count
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
                              details: [("loopback_interface", .string(loopbackName)), ("other_interface", .string(otherName)), ("loopback_frame", .int(loopback.frame)), ("other_frame", .int(other.frame))],
                              frames: [loopback.frame, other.frame].sorted(), count: 2)
        finding.lastTime = max(loopback.time, other.time)
        findings.add(key, finding)
    }
}
