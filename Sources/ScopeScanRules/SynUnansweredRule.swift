import ScopeScanPackets
import ScopeScanWire

/// `syn-unanswered`: SYNs retried with the same ISN and never answered.
public final class SynUnansweredRule: Rule, ConnectionObserver {
    public let descriptor = RuleCatalogue.synUnanswered
    /// Fed by the connection tracker, not per packet.
    public var interest: PacketTraits { [] }
    let configuration: RuleConfiguration

    public init(configuration: RuleConfiguration) {
        self.configuration = configuration
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {}

    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard case .unanswered(let reason) = outcome, attempt.synCount >= configuration.synRetries else { return }
        let interface = interfaces.name(attempt.interfaceIndex)
        let gaps = attempt.gaps
        let wait = attempt.lastSYN.time.seconds(since: attempt.firstSYN.time)
        let gapText = gaps.map { formatSeconds($0) }.joined(separator: ", ")
        var summary = "\(attempt.synCount) SYNs over \(formatSeconds(wait)) (gaps \(gapText)), no SYN-ACK or RST until \(reason.rawValue)"
        var details: [(String, DetailValue)] = [
            ("syn_count", .int(attempt.synCount)),
            ("gaps_seconds", .doubles(gaps.map { ($0 * 1e6).rounded() / 1e6 })),
            ("total_wait_seconds", .double((wait * 1e6).rounded() / 1e6)),
            ("isn", .int(Int(attempt.initialSequence))),
            ("concluded_by", .string(reason.rawValue)),
        ]
        var frames = attempt.synFrames
        if !attempt.icmpErrors.isEmpty {
            summary += "; ICMP errors quoting it in frames \(attempt.icmpErrors.map { String($0.frame) }.joined(separator: ", "))"
            details.append(("icmp_error_frames", .ints(attempt.icmpErrors.map(\.frame))))
            frames += attempt.icmpErrors.map(\.frame)
        }
        let linkLocal: Bool
        if case .v6(let server) = attempt.server.address { linkLocal = server.isLinkLocalUnicast } else { linkLocal = false }
        let platform = interfaces.platforms[attempt.interfaceIndex]
        if let platform { details.append(("platform", .string(platform))) }
        if let note = PlatformNotes.synUnanswered(platform: platform, linkLocal: linkLocal) {
            summary += ". \(note)"
            details.append(("platform_note", .string(note)))
        }
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: attempt.firstSYN.time, interfaceIndex: attempt.interfaceIndex, interface: interface, flow: attempt.flow, summary: summary, details: details, frames: frames.sorted(), count: attempt.synCount)
        finding.lastTime = attempt.lastSYN.time
        findings.add(nil, finding)
    }
}
