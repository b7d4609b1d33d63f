import ScopeScanPackets
import ScopeScanWire

/// `neighbor-unresolved`: Neighbor Solicitations for a target nobody advertises.
public final class NeighborUnresolvedRule: PacketRule {
    public static let timeout = Threshold<Double>("neighbor-timeout", default: 3, minimum: 0, unit: "seconds",
        help: "Seconds a Neighbor Solicitation waits for its Advertisement.")

    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .neighborUnresolved, severity: .warning,
        title: "Neighbor Solicitation without Advertisement",
        condition: "Neighbor Solicitations for a target address with no Neighbor Advertisement for it within the timeout (duplicate address detection probes excluded).",
        explanation: "Nobody on the link answers for the target: the address is not there, or it is a link-local address of another zone sent out of the wrong interface. The sender will fail with 'address unreachable'.",
        platformContext: "A link-local target that belongs to the host itself but is resolved on another link, or a KAME-embedded address, is never answered.",
        references: ["RFC 4861 section 7.2 (address resolution)", "RFC 4443 section 3.1 code 3"],
        thresholds: [timeout.declaration],
        details: NeighborUnresolvedDetails.schema,
        evidence: [
            EvidenceRequirement(.warning, "Neighbor Solicitations for one target (not duplicate address detection) and no Neighbor Advertisement for it within --neighbor-timeout of capture time."),
        ]),
        make: { environment in NeighborUnresolvedRule(configuration: environment.configuration) })
    public let descriptor = declaration.descriptor
    /// Neighbor Solicitations and Advertisements only.
    public var interest: PacketTraits { .icmp }
    private let timeoutNanoseconds: Int64
    private let maxEntries: Int

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
        timeoutNanoseconds = Int64(nanosecondsIn: configuration[Self.timeout])
        maxEntries = configuration.maxFlows
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
                if pending.count >= maxEntries {
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
        guard let cutoff = now.before(nanoseconds: timeoutNanoseconds) else { return }
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
                                  details: NeighborUnresolvedDetails(target: key.target, solicitations: entry.count, waitedSeconds: microsecondRounded(waited)),
                                  frames: entry.frames, count: entry.count)
            finding.lastTime = entry.last.time
            findings.add(nil, finding)
        }
    }
}

extension RuleID {
    public static let neighborUnresolved = RuleID(rawValue: "neighbor-unresolved")
}

extension RuleConfiguration {
    /// `--neighbor-timeout`
    public var neighborTimeout: Double {
        get { self[NeighborUnresolvedRule.timeout] }
        set { self[NeighborUnresolvedRule.timeout] = newValue }
    }
}

public struct NeighborUnresolvedDetails: FindingDetails {
    public var target: IPv6Address
    public var solicitations: Int
    public var waitedSeconds: Double

    static let schema = [
        DetailField("target", .string, "the address solicited"),
        DetailField("solicitations", .int, "Neighbor Solicitations sent for it"),
        DetailField("waited_seconds", .double, "first to last solicitation"),
    ]

    public var fields: [(String, DetailValue)] {
        [("target", .string(target.description)), ("solicitations", .int(solicitations)), ("waited_seconds", .double(waitedSeconds))]
    }
}
