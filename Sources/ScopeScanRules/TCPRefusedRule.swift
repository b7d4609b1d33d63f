import ScopeScanPackets
import ScopeScanWire

/// `tcp-refused`: an RST answering a SYN.
public final class TCPRefusedRule: Rule, ConnectionObserver {
    public let descriptor = RuleCatalogue.tcpRefused
    /// Fed by the connection tracker, not per packet.
    public var interest: PacketTraits { [] }

    public init() {}

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {}

    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard case .refused(let reset) = outcome else { return }
        let delay = reset.time.seconds(since: attempt.firstSYN.time)
        let summary = "connect refused: RST after \(attempt.synCount == 1 ? "the SYN" : "\(attempt.synCount) SYNs") (\(formatSeconds(delay))): the peer's stack got the SYN and has no listener on port \(attempt.server.port)"
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: attempt.firstSYN.time, interfaceIndex: attempt.interfaceIndex, interface: interfaces.name(attempt.interfaceIndex), flow: attempt.flow, summary: summary, details: [("syn_count", .int(attempt.synCount)), ("rst_frame", .int(reset.frame)), ("delay_seconds", .double((delay * 1e6).rounded() / 1e6))], frames: attempt.synFrames + [reset.frame])
        finding.lastTime = reset.time
        findings.add(nil, finding)
    }
}
