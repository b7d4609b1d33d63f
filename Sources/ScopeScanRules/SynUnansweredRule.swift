import ScopeScanPackets
import ScopeScanWire

/// `syn-unanswered`: SYNs retried with the same ISN and never answered.
public final class SynUnansweredRule: Rule, ConnectionObserver {
    public static let retries = Threshold<Int>("syn-retries", default: 2, minimum: 1, unit: "SYNs",
        help: "SYNs with the same ISN needed for syn-unanswered and slow-connect.")
    public static let timeout = Threshold<Double>("syn-timeout", default: 60, minimum: 0, unit: "seconds",
        help: "Seconds after the last SYN before an attempt counts as unanswered while the capture goes on.")

    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .synUnanswered, severity: .error,
        title: "TCP SYN retried without answer",
        condition: "A TCP SYN retransmitted (same flow, same initial sequence number) with no SYN-ACK or RST seen until the end of the capture or the timeout.",
        explanation: "A SYN that is sent again with the same ISN means the client never got an answer: the SYN or its answer was dropped, silently. The gaps between retries follow the kernel's back-off (1 s, 2 s, 4 s… on Linux and the BSDs); the total wait is what the user felt as a hang.",
        platformContext: "FreeBSD link-local connects over loopback hang because ip6_input's source-address validation drops the looped SYNs (FreeBSD review D35732, PR 265089). On Linux, nftables/ip6tables drops produce the same picture.",
        references: ["RFC 9293 section 3.8.1 (retransmission timeout)", "RFC 6298 (initial RTO of 1 s)", "tcp(7): tcp_syn_retries"],
        thresholds: [retries.declaration, timeout.declaration],
        details: SynUnansweredDetails.schema,
        evidence: [
            EvidenceRequirement(.error, "At least --syn-retries SYNs with one ISN, each at least 200 ms after the previous one (closer copies are duplicates), and no valid answer: no SYN-ACK, no RST acknowledging ISN+1, no client segment with sequence ISN+1 (a one-sided capture shows the answer so), until the timeout, a new ISN, eviction or the end of capture."),
            EvidenceRequirement(.info, "Pending at end of capture: the capture ended before the last SYN's retransmission was due, and without that last SYN fewer than --syn-retries SYNs are proven unanswered (concluded_by \"pending at end of capture\")."),
        ]),
        make: { environment in SynUnansweredRule(configuration: environment.configuration) })
    public let descriptor = declaration.descriptor
    let synRetries: Int

    public init(configuration: RuleConfiguration) {
        synRetries = configuration[Self.retries]
    }

    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard case .unanswered(let reason) = outcome, attempt.synCount >= synRetries else { return }
        let interface = interfaces.name(attempt.interfaceIndex)
        let gaps = attempt.gaps
        let wait = attempt.lastSYN.time.seconds(since: attempt.firstSYN.time)
        let gapText = gaps.map { formatSeconds($0) }.joined(separator: ", ")
        var summary = "\(attempt.synCount) SYNs over \(formatSeconds(wait)) (gaps \(gapText)), no SYN-ACK or RST until \(reason.rawValue)"
        var severity = descriptor.severity
        if reason == .pending {
            // The capture stopped before the next retransmission was due: nothing says the SYN
            // went unanswered, only that its answer was not captured yet.
            severity = .info
            let waited = interfaces.captureEnd.map { $0.seconds(since: attempt.lastSYN.time) } ?? 0
            summary = "\(attempt.synCount) SYNs over \(formatSeconds(wait)) (gaps \(gapText)), then the capture ended \(formatSeconds(waited)) after the last SYN, before the next retransmission (due after about \(formatSeconds(ConnectionTracker.nextRetransmissionGap(attempt)))): only \(attempt.synCount - 1) of them proven unanswered: the attempt is pending, its outcome unknown"
        }
        if !attempt.ignoredResets.isEmpty {
            summary += "; RSTs not acknowledging ISN+1 ignored (frames \(attempt.ignoredResets.map { String($0.frame) }.joined(separator: ", ")))"
        }
        var details = SynUnansweredDetails(synCount: attempt.synCount, gapsSeconds: gaps.map(microsecondRounded), totalWaitSeconds: microsecondRounded(wait),
                                           isn: attempt.initialSequence, concludedBy: reason)
        var frames = attempt.synFrames
        if !attempt.icmpErrors.isEmpty {
            summary += "; ICMP errors quoting it in frames \(attempt.icmpErrors.map { String($0.frame) }.joined(separator: ", "))"
            details.icmpErrorFrames = attempt.icmpErrors.map(\.frame)
            frames += attempt.icmpErrors.map(\.frame)
        }
        let linkLocal: Bool
        if case .v6(let server) = attempt.server.address { linkLocal = server.isLinkLocalUnicast } else { linkLocal = false }
        let platform = interfaces.platforms[attempt.interfaceIndex]
        details.platform = platform
        details.platformEvidence = platform == nil ? nil : interfaces.platformEvidence[attempt.interfaceIndex]
        if let note = PlatformNotes.synUnanswered(platform: platform, linkLocal: linkLocal) {
            let noted = PlatformNotes.withEvidence(note, details.platformEvidence)
            summary += ". \(noted)"
            details.platformNote = noted
        }
        var facts = ["SYNs in frames \(attempt.synFrames.map(String.init).joined(separator: ", ")) with ISN \(attempt.initialSequence)" + (attempt.synHopLimit.map { ", hop limit \($0)" } ?? "")]
        if !attempt.duplicateSYNs.isEmpty {
            facts.append("frames \(attempt.duplicateSYNs.map { String($0.frame) }.joined(separator: ", ")): the same SYN again within 200 ms, a copy, not counted as a retransmission")
        }
        facts.append(reason == .pending ? "no SYN-ACK, RST or client ACK before the capture ended, and the next retransmission was not yet due" : "no SYN-ACK, RST (acknowledging ISN+1) or client segment continuing the handshake until \(reason.rawValue)")
        var finding = Finding(rule: descriptor.id, severity: severity, time: attempt.firstSYN.time, interfaceIndex: attempt.interfaceIndex, interface: interface, flow: attempt.flow, summary: summary, details: details, frames: frames.sorted(), count: attempt.synCount)
        finding.lastTime = attempt.lastSYN.time
        finding.facts = facts
        findings.add(nil, finding)
    }
}

extension RuleID {
    public static let synUnanswered = RuleID(rawValue: "syn-unanswered")
}

extension RuleConfiguration {
    /// `--syn-retries`
    public var synRetries: Int {
        get { self[SynUnansweredRule.retries] }
        set { self[SynUnansweredRule.retries] = newValue }
    }
    /// `--syn-timeout`
    public var synTimeout: Double {
        get { self[SynUnansweredRule.timeout] }
        set { self[SynUnansweredRule.timeout] = newValue }
    }
}

public struct SynUnansweredDetails: FindingDetails {
    public var synCount: Int
    public var gapsSeconds: [Double]
    public var totalWaitSeconds: Double
    public var isn: UInt32
    public var concludedBy: AttemptOutcome.UnansweredReason
    /// ICMP errors that quoted the SYN (their frames are among the finding's).
    public var icmpErrorFrames: [Int]?
    public var platform: String?
    public var platformEvidence: String?
    public var platformNote: String?

    static let schema = [
        DetailField("syn_count", .int, "SYNs sent with the same ISN"),
        DetailField("gaps_seconds", .doubles, "seconds between consecutive SYNs"),
        DetailField("total_wait_seconds", .double, "first to last SYN"),
        DetailField("isn", .int, "the initial sequence number"),
        DetailField("concluded_by", .string, "end of capture, pending at end of capture (severity info), timeout, superseded by a new attempt, evicted from the flow table"),
        DetailField("icmp_error_frames", .ints, "ICMP errors quoting the SYN"),
        DetailField("platform", .string, "the platform the capture's framing points to"),
        DetailField("platform_evidence", .string, "what the platform was judged from: dlt-null-af28 (the DLT_NULL family), interface-name…"),
        DetailField("platform_note", .string, "what that platform does with such SYNs"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("syn_count", synCount)
        f.add("gaps_seconds", gapsSeconds)
        f.add("total_wait_seconds", totalWaitSeconds)
        f.add("isn", Int(isn))
        f.add("concluded_by", concludedBy.rawValue)
        f.add("icmp_error_frames", icmpErrorFrames)
        f.add("platform", platform)
        f.add("platform_evidence", platformEvidence)
        f.add("platform_note", platformNote)
        return f.fields
    }
}
