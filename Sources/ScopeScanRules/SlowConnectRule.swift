import ScopeScanPackets
import ScopeScanWire

/// `slow-connect`: a connect that succeeded only after lost SYNs: retransmissions of one attempt,
/// or earlier unanswered attempts from the same client to the same server port.
public final class SlowConnectRule: Rule, ConnectionObserver {
    public let descriptor = RuleCatalogue.slowConnect
    /// Fed by the connection tracker, not per packet.
    public var interest: PacketTraits { [] }
    let configuration: RuleConfiguration

    struct PeerKey: Hashable {
        var interfaceIndex: Int
        var client: IPAddress
        var server: Endpoint
    }

    /// An attempt not (yet) answered, remembered to join it to a later successful connect.
    struct Unanswered {
        var clientPort: UInt16
        var initialSequence: UInt32
        var firstSYN: FrameTime
        /// The frames of the retried SYNs kept (up to 7): the first SYN's frame is in `firstSYN`,
        /// so an attempt seen once, the usual case, needs no array (a SYN flood has 100,000).
        var retryFrames: [Int]
        var synCount: Int

        var synFrames: [Int] { [firstSYN.frame] + retryFrames }
    }

    /// Recent unanswered attempts per client and server endpoint: at most 8 each, and at most
    /// `maxFlows` in all (the oldest half is forgotten beyond that).
    private var recent: [PeerKey: [Unanswered]] = [:]
    private var recentCount = 0
    static let perPeerLimit = 8

    public init(configuration: RuleConfiguration) {
        self.configuration = configuration
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {}

    private var lastExpiry: Int64?

    /// Forgets unanswered attempts too old to be joined to any later connect (the window has passed).
    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let lastExpiry, now.nanoseconds.saturatingMinus(lastExpiry) < 10_000_000_000 { return }
        lastExpiry = now.nanoseconds
        guard let cutoff = now.before(nanoseconds: Int64(nanosecondsIn: max(configuration.slowConnectWindow, configuration.synTimeout)))?.nanoseconds else { return }
        guard recent.values.contains(where: { ($0.last?.firstSYN.time.nanoseconds ?? 0) < cutoff }) else { return }
        recent = recent.compactMapValues { list in
            let kept = list.filter { $0.firstSYN.time.nanoseconds >= cutoff }
            return kept.isEmpty ? nil : kept
        }
        recentCount = recent.values.reduce(0) { $0 + $1.count }
    }

    static func peer(_ attempt: ConnectionAttempt) -> PeerKey {
        PeerKey(interfaceIndex: attempt.interfaceIndex, client: attempt.client.address, server: attempt.server)
    }

    public func attemptStarted(_ attempt: ConnectionAttempt) {
        remember(Unanswered(clientPort: attempt.client.port, initialSequence: attempt.initialSequence, firstSYN: attempt.firstSYN, retryFrames: [], synCount: 1), Self.peer(attempt))
    }

    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        let peer = Self.peer(attempt)
        // Taken out of the table while it changes, so the change does not copy it.
        var list = recent.removeValue(forKey: peer) ?? []
        let before = list.count
        list.removeAll { $0.clientPort == attempt.client.port && $0.initialSequence == attempt.initialSequence }
        switch outcome {
        case .unanswered:
            if list.count >= Self.perPeerLimit { list.removeFirst(list.count - Self.perPeerLimit + 1) }
            list.append(Unanswered(clientPort: attempt.client.port, initialSequence: attempt.initialSequence, firstSYN: attempt.firstSYN, retryFrames: Array(attempt.synFrames.prefix(8).dropFirst()), synCount: attempt.synCount))
            store(list, peer, before)
        case .refused:
            store(list, peer, before)
        case .answered(let answer):
            let window = Int64(nanosecondsIn: configuration.slowConnectWindow)
            let earlier = list.filter {
                $0.firstSYN.time <= attempt.firstSYN.time && attempt.firstSYN.time.nanoseconds.saturatingMinus($0.firstSYN.time.nanoseconds) <= window
            }
            store(list.filter { $0.firstSYN.time > attempt.firstSYN.time }, peer, before)
            report(attempt, answer: answer, earlier: earlier, interfaces: interfaces, findings: &findings)
        }
    }

    private func report(_ attempt: ConnectionAttempt, answer: FrameTime, earlier: [Unanswered], interfaces: InterfaceTable, findings: inout FindingCollector) {
        let start = earlier.first?.firstSYN.time ?? attempt.firstSYN.time
        let lost = answer.time.seconds(since: start)
        let retried = attempt.synCount >= configuration.synRetries
        guard retried || !earlier.isEmpty, lost >= configuration.slowConnectThreshold else { return }
        var summary = "connect answered after \(formatSeconds(lost)): \(attempt.synCount) SYN\(attempt.synCount == 1 ? "" : "s")"
        if attempt.synCount > 1 {
            summary += " (gaps \(attempt.gaps.map { formatSeconds($0) }.joined(separator: ", ")))"
        }
        summary += ", SYN-ACK in frame \(answer.frame)"
        if !earlier.isEmpty {
            let ports = earlier.map { String($0.clientPort) }.joined(separator: ", ")
            summary += "; joined to \(earlier.count) unanswered earlier attempt\(earlier.count == 1 ? "" : "s") from client port\(earlier.count == 1 ? "" : "s") \(ports)"
        }
        var details: [(String, DetailValue)] = [
            ("time_lost_seconds", .double((lost * 1e6).rounded() / 1e6)),
            ("syn_count", .int(attempt.synCount)),
            ("gaps_seconds", .doubles(attempt.gaps.map { ($0 * 1e6).rounded() / 1e6 })),
            ("synack_frame", .int(answer.frame)),
        ]
        if !earlier.isEmpty {
            details.append(("earlier_client_ports", .ints(earlier.map { Int($0.clientPort) })))
        }
        let platform = interfaces.platforms[attempt.interfaceIndex]
        if let platform { details.append(("platform", .string(platform))) }
        if let note = PlatformNotes.slowConnect(platform: platform, lost: lost) {
            summary += ". \(note)"
            details.append(("platform_note", .string(note)))
        }
        let frames = earlier.flatMap(\.synFrames) + attempt.synFrames + [answer.frame]
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: start, interfaceIndex: attempt.interfaceIndex, interface: interfaces.name(attempt.interfaceIndex), flow: attempt.flow, summary: summary, details: details, frames: frames.sorted(), count: attempt.synCount + earlier.reduce(0) { $0 + $1.synCount })
        finding.lastTime = answer.time
        findings.add(nil, finding)
    }

    private func remember(_ record: Unanswered, _ peer: PeerKey) {
        var list = recent.removeValue(forKey: peer) ?? []
        let before = list.count
        if list.count >= Self.perPeerLimit { list.removeFirst() }
        list.append(record)
        store(list, peer, before)
    }

    private func store(_ list: [Unanswered], _ peer: PeerKey, _ before: Int) {
        recent[peer] = list.isEmpty ? nil : list
        recentCount += list.count - before
        if recentCount > configuration.maxFlows {
            let cutoff = Sampling.quantile(of: recent.values.lazy.map { $0.last?.firstSYN.time.nanoseconds ?? 0 }, count: recent.count, fraction: 0.5)
            recent = recent.filter { ($0.value.last?.firstSYN.time.nanoseconds ?? 0) > cutoff }
            recentCount = recent.values.reduce(0) { $0 + $1.count }
        }
    }
}
