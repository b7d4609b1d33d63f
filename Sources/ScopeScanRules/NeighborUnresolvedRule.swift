import ScopeScanPackets
import ScopeScanWire

/// `neighbor-unresolved`: Neighbor Solicitations for a target nobody advertises.
public final class NeighborUnresolvedRule: Rule {
    public let descriptor = RuleCatalogue.neighborUnresolved
    /// Neighbor Solicitations and Advertisements only.
    public var interest: PacketTraits { .icmp }
    let configuration: RuleConfiguration

    struct Key: Hashable {
        var interfaceIndex: Int
        var target: IPv6Address
    }

    struct Pending {
        var first: FrameTime
        var last: FrameTime
        var frames: [Int]
        var count: Int
        var solicitor: IPv6Address
    }

    private var pending: [Key: Pending] = [:]
    private var lastSweep: Int64?

    public init(configuration: RuleConfiguration) {
        self.configuration = configuration
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard let icmp = context.packet.icmpv6, let target = icmp.targetAddress, let ip = context.packet.ipv6 else { return }
        let key = Key(interfaceIndex: context.interfaceIndex, target: target)
        let now = FrameTime(frame: context.frame, time: context.timestamp)
        if icmp.type == .neighborSolicitation {
            // Duplicate address detection probes come from :: and are meant to stay unanswered.
            guard ip.source != .unspecified else { return }
            if var entry = pending[key] {
                entry.count += 1
                entry.last = now
                if entry.frames.count < Finding.maximumFrames { entry.frames.append(context.frame) }
                pending[key] = entry
            } else {
                if pending.count >= configuration.maxFlows {
                    let cutoff = Sampling.quantile(of: pending.values.lazy.map(\.first.time.nanoseconds), count: pending.count, fraction: 0.25)
                    report(olderThan: cutoff, interfaces: interfaces, findings: &findings)
                }
                pending[key] = Pending(first: now, last: now, frames: [context.frame], count: 1, solicitor: ip.source)
            }
        } else if icmp.type == .neighborAdvertisement {
            pending[key] = nil
        }
    }

    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let lastSweep, now.nanoseconds.saturatingMinus(lastSweep) < 1_000_000_000 { return }
        lastSweep = now.nanoseconds
        // Nothing can have waited the timeout yet when it reaches back beyond the earliest time.
        guard let cutoff = now.before(nanoseconds: Int64(nanosecondsIn: configuration.neighborTimeout)) else { return }
        report(olderThan: cutoff.nanoseconds, interfaces: interfaces, findings: &findings)
    }

    public func finish(interfaces: InterfaceTable, findings: inout FindingCollector) {
        report(olderThan: .max, interfaces: interfaces, findings: &findings, atEnd: true)
    }

    private func report(olderThan cutoff: Int64, interfaces: InterfaceTable, findings: inout FindingCollector, atEnd: Bool = false) {
        let due = pending.filter { $0.value.first.time.nanoseconds <= cutoff }.sorted { $0.value.first.frame < $1.value.first.frame }
        for (key, entry) in due {
            pending[key] = nil
            // At the end of a capture a single fresh solicitation may still be answered later: not evidence.
            if atEnd && entry.count < 2 { continue }
            let waited = entry.last.time.seconds(since: entry.first.time)
            let summary = "\(entry.count) Neighbor Solicitation\(entry.count == 1 ? "" : "s") for \(IPAddress.v6(key.target).scopedText(interface: interfaces.name(key.interfaceIndex))) from \(entry.solicitor) over \(formatSeconds(waited)), no Neighbor Advertisement"
            var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: entry.first.time, interfaceIndex: key.interfaceIndex, interface: interfaces.name(key.interfaceIndex),
                                  flow: FlowDescription(source: .v6(entry.solicitor), destination: .v6(key.target), sourcePort: nil, destinationPort: nil, proto: .icmpv6), summary: summary,
                                  details: [("target", .string(key.target.description)), ("solicitations", .int(entry.count)), ("waited_seconds", .double((waited * 1e6).rounded() / 1e6))],
                                  frames: entry.frames, count: entry.count)
            finding.lastTime = entry.last.time
            findings.add(nil, finding)
        }
    }
}
