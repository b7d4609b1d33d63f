import ScopeScanPackets
import ScopeScanWire

/// `tcp-refused`: an RST answering a SYN.
public final class TCPRefusedRule: Rule, ConnectionObserver {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .tcpRefused, severity: .info,
        title: "TCP connect refused",
        condition: "An RST answering a SYN.",
        explanation: "The peer's stack received the SYN and has no listener (or a firewall rejects with RST): the path works, the port is closed. This tells a refused connect apart from a silently dropped one (syn-unanswered).",
        platformContext: "A refused connect to the host's own link-local address shows the packet was delivered (Linux), while silence means it was dropped (FreeBSD before commit 50fa27e795ea, PR 265089).",
        references: ["RFC 9293 section 3.5.2 (reset generation)"],
        details: TCPRefusedDetails.schema,
        evidence: [
            EvidenceRequirement(.info, "An RST with ACK set acknowledging ISN+1 while the attempt is open, no SYN-ACK for that ISN before it and none within 1 s after it (a SYN-ACK then shows the RST was injected, whatever its hop limit). RSTs acknowledging anything else (the ISN itself: injected) are ignored, and a SYN retransmitted after a SYN-ACK is not a new attempt, so its RST is no refusal."),
        ]),
        make: { _ in TCPRefusedRule() })
    public let descriptor = declaration.descriptor

    public init() {}

    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard case .refused(let reset) = outcome else { return }
        let delay = reset.time.seconds(since: attempt.firstSYN.time)
        let summary = "connect refused: RST after \(attempt.synCount == 1 ? "the SYN" : "\(attempt.synCount) SYNs") (\(formatSeconds(delay))): the peer's stack got the SYN and has no listener on port \(attempt.server.port)"
        let details = TCPRefusedDetails(synCount: attempt.synCount, rstFrame: reset.frame, delaySeconds: microsecondRounded(delay))
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: attempt.firstSYN.time, interfaceIndex: attempt.interfaceIndex, interface: interfaces.name(attempt.interfaceIndex), flow: attempt.flow, summary: summary, details: details, frames: attempt.synFrames + [reset.frame])
        finding.facts = ["SYNs in frames \(attempt.synFrames.map(String.init).joined(separator: ", ")) with ISN \(attempt.initialSequence)",
                         "frame \(reset.frame): RST acknowledging ISN+1 from \(attempt.server.address)" + (attempt.answerHopLimit.map { ", hop limit \($0)" } ?? ""),
                         "no SYN-ACK for this ISN was seen before it"]
        if !attempt.ignoredResets.isEmpty {
            finding.facts.append("frames \(attempt.ignoredResets.map { String($0.frame) }.joined(separator: ", ")): RSTs not acknowledging ISN+1, ignored")
        }
        finding.lastTime = reset.time
        findings.add(nil, finding)
    }
}

extension RuleID {
    public static let tcpRefused = RuleID(rawValue: "tcp-refused")
}

public struct TCPRefusedDetails: FindingDetails {
    public var synCount: Int
    public var rstFrame: Int
    public var delaySeconds: Double

    static let schema = [
        DetailField("syn_count", .int, "SYNs before the RST"),
        DetailField("rst_frame", .int, "the RST"),
        DetailField("delay_seconds", .double, "first SYN to RST"),
    ]

    public var fields: [(String, DetailValue)] {
        [("syn_count", .int(synCount)), ("rst_frame", .int(rstFrame)), ("delay_seconds", .double(delaySeconds))]
    }
}
