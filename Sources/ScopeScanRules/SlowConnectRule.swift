import ScopeScanPackets
import ScopeScanWire

/// `slow-connect`: a connect that succeeded only after lost SYNs: retransmissions of one attempt,
/// or earlier unanswered attempts from the same client to the same server port.
public final class SlowConnectRule: Rule, ConnectionObserver {
    public static let threshold = Threshold<Double>("slow-connect-threshold", default: 1.0, minimum: 0, unit: "seconds",
        help: "Seconds from first SYN to SYN-ACK at or above which slow-connect fires.")
    public static let window = Threshold<Double>("slow-connect-window", default: 30, minimum: 0, unit: "seconds",
        help: "Seconds within which earlier unanswered attempts are joined to a later successful connect.")

    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .slowConnect, severity: .warning,
        title: "Connect answered only after SYN retries",
        condition: "A TCP SYN retried and then answered by a SYN-ACK, costing at least the threshold; also unanswered attempts from the same client to the same server port joined to a later successful connect within the window.",
        explanation: "The first SYNs were lost and a later one got through: the connection works, but each connect costs the retransmission timeouts. A constant 3 s (1 s + 2 s) delay is the signature of exactly two dropped SYNs.",
        platformContext: "FreeBSD connects to the host's own global address take 3 s: the first two SYNs leave with origifp=vtnet0 and are dropped by source-address validation; the third uses the route cached in the inpcb (ifp=origifp=lo0) and passes (FreeBSD review D35732, PR 265089, commit 50fa27e795ea).",
        references: ["RFC 6298 section 2 (RTO back-off)", "RFC 9293 section 3.5 (three-way handshake)"],
        thresholds: [threshold.declaration, window.declaration, SynUnansweredRule.retries.declaration],
        details: SlowConnectDetails.schema,
        evidence: [
            EvidenceRequirement(.warning, "A SYN-ACK after at least --syn-retries SYNs of one attempt (retransmissions: the same ISN at least 200 ms apart), at least --slow-connect-threshold after the first; or earlier attempts from the same client to the same server port joined to it that really went unanswered (concluded unanswered, or still open after --syn-retries SYNs), not refused or continued ones. The FreeBSD origifp note only with FreeBSD framing (DLT_NULL family 28) and the host's own address on both ends; otherwise a neutral \"N SYNs lost before the answer\" with the SYN-ACK's hop limit."),
        ]),
        make: { environment in SlowConnectRule(configuration: environment.configuration) })
    public let descriptor = declaration.descriptor
    private let thresholdSeconds: Double
    private let windowNanoseconds: Int64
    /// Unanswered attempts are forgotten after the window or the SYN timeout, whichever is longer.
    private let memoryNanoseconds: Int64
    private let synRetries: Int
    private let maxFlows: Int

    struct PeerKey: Hashable {
        var interfaceIndex: Int
        var client: IPAddress
        var server: Endpoint

        /// Fewer words than the synthesised hash (`Hasher.combineFlow`); no client port.
        func hash(into hasher: inout Hasher) {
            hasher.combineFlow(interfaceIndex: interfaceIndex, client: client, clientPort: 0, server: server.address, serverPort: server.port)
        }
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
        /// Concluded unanswered (timeout, superseded, end of capture), not merely still open.
        var concluded = false

        var synFrames: [Int] { [firstSYN.frame] + retryFrames }
    }

    /// Recent unanswered attempts per client and server endpoint: at most 8 each, and at most
    /// `maxFlows` in all (the oldest half is forgotten beyond that).
    private var recent: [PeerKey: [Unanswered]] = [:]
    private var recentCount = 0
    static let perPeerLimit = 8

    public init(configuration: RuleConfiguration) {
        thresholdSeconds = configuration[Self.threshold]
        windowNanoseconds = Int64(nanosecondsIn: configuration[Self.window])
        memoryNanoseconds = Int64(nanosecondsIn: max(configuration[Self.window], configuration.synTimeout))
        synRetries = configuration.synRetries
        maxFlows = configuration.maxFlows
    }

    private var lastExpiry: Int64?

    /// Forgets unanswered attempts too old to be joined to any later connect (the window has passed).
    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let lastExpiry, now.nanoseconds.saturatingMinus(lastExpiry) < 10_000_000_000 { return }
        lastExpiry = now.nanoseconds
        guard let cutoff = now.before(nanoseconds: memoryNanoseconds)?.nanoseconds else { return }
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

    /// A still-open attempt that retried has shown lost SYNs: it may be joined from now on.
    public func attemptRetried(_ attempt: ConnectionAttempt) {
        let peer = Self.peer(attempt)
        guard var list = recent.removeValue(forKey: peer) else { return }
        if let position = list.lastIndex(where: { $0.clientPort == attempt.client.port && $0.initialSequence == attempt.initialSequence }) {
            list[position].synCount = attempt.synCount
            if list[position].retryFrames.count < 7 { list[position].retryFrames.append(attempt.lastSYN.frame) }
        }
        recent[peer] = list
    }

    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        let peer = Self.peer(attempt)
        // Taken out of the table while it changes, so the change does not copy it.
        var list = recent.removeValue(forKey: peer) ?? []
        let before = list.count
        list.removeAll { $0.clientPort == attempt.client.port && $0.initialSequence == attempt.initialSequence }
        if list.isEmpty {
            // Nothing else remembered for the peer (nearly every connect): the peer is already out
            // of the table, and no earlier attempt can be joined, so what `store` and the filters
            // below would do comes to this, without hashing the key again.
            switch outcome {
            case .unanswered: break
            case .refused, .continued:
                recentCount -= before
                return
            case .answered(let answer):
                recentCount -= before
                report(attempt, answer: answer, earlier: [], interfaces: interfaces, findings: &findings)
                return
            }
        }
        switch outcome {
        case .unanswered:
            if list.count >= Self.perPeerLimit { list.removeFirst(list.count - Self.perPeerLimit + 1) }
            list.append(Unanswered(clientPort: attempt.client.port, initialSequence: attempt.initialSequence, firstSYN: attempt.firstSYN, retryFrames: Array(attempt.synFrames.prefix(8).dropFirst()), synCount: attempt.synCount, concluded: true))
            store(list, peer, before)
        case .refused, .continued:
            // Refused: delivered, not lost. Continued: answered, the answer not captured.
            store(list, peer, before)
        case .answered(let answer):
            let window = windowNanoseconds
            // Only attempts that really went unanswered: concluded so, or still open after lost
            // SYNs (retried at least --syn-retries times). An open attempt of one SYN may be
            // answered later (or was, out of the capture's sight).
            let synRetries = self.synRetries
            let earlier = list.filter {
                ($0.concluded || $0.synCount >= synRetries) &&
                $0.firstSYN.time <= attempt.firstSYN.time && attempt.firstSYN.time.nanoseconds.saturatingMinus($0.firstSYN.time.nanoseconds) <= window
            }
            store(list.filter { $0.firstSYN.time > attempt.firstSYN.time }, peer, before)
            report(attempt, answer: answer, earlier: earlier, interfaces: interfaces, findings: &findings)
        }
    }

    private func report(_ attempt: ConnectionAttempt, answer: FrameTime, earlier: [Unanswered], interfaces: InterfaceTable, findings: inout FindingCollector) {
        let start = earlier.first?.firstSYN.time ?? attempt.firstSYN.time
        let lost = answer.time.seconds(since: start)
        let retried = attempt.synCount >= synRetries
        guard retried || !earlier.isEmpty, lost >= thresholdSeconds else { return }
        var summary = "connect answered after \(formatSeconds(lost)): \(attempt.synCount) SYN\(attempt.synCount == 1 ? "" : "s")"
        if attempt.synCount > 1 {
            summary += " (gaps \(attempt.gaps.map { formatSeconds($0) }.joined(separator: ", ")))"
        }
        summary += ", SYN-ACK in frame \(answer.frame)"
        if !earlier.isEmpty {
            let ports = earlier.map { String($0.clientPort) }.joined(separator: ", ")
            summary += "; joined to \(earlier.count) unanswered earlier attempt\(earlier.count == 1 ? "" : "s") from client port\(earlier.count == 1 ? "" : "s") \(ports)"
        }
        var details = SlowConnectDetails(timeLostSeconds: microsecondRounded(lost), synCount: attempt.synCount,
                                         gapsSeconds: attempt.gaps.map(microsecondRounded), synackFrame: answer.frame)
        if !earlier.isEmpty { details.earlierClientPorts = earlier.map { Int($0.clientPort) } }
        let platform = interfaces.platforms[attempt.interfaceIndex]
        let ownAddress = attempt.client.address == attempt.server.address
        let remote = attempt.answerHopLimit.map { !LoopbackJudgement.isInitialHopLimit($0) } ?? false
        var facts = ["SYNs in frames \(attempt.synFrames.map(String.init).joined(separator: ", ")), SYN-ACK in frame \(answer.frame)" + (attempt.answerHopLimit.map { " with hop limit \($0)" } ?? "")]
        facts.append(ownAddress ? "client and server are the same address \(attempt.client.address): the host's own address" : "client \(attempt.client.address) and server \(attempt.server.address) differ")
        if let note = PlatformNotes.slowConnect(platform: platform, ownAddress: ownAddress && !remote, lost: lost) {
            details.platform = platform
            details.platformEvidence = interfaces.platformEvidence[attempt.interfaceIndex]
            let noted = PlatformNotes.withEvidence(note, details.platformEvidence)
            summary += ". \(noted)"
            details.platformNote = noted
        } else {
            // No platform story without platform evidence: say what the capture shows.
            let lostSYNs = attempt.synCount - 1 + earlier.reduce(0) { $0 + $1.synCount }
            summary += ". \(lostSYNs) SYN\(lostSYNs == 1 ? "" : "s") lost before the answer: a drop on the path or at the receiver"
            if remote, let hops = attempt.answerHopLimit { summary += " (the SYN-ACK's hop limit \(hops) shows a remote server)" }
        }
        let frames = earlier.flatMap(\.synFrames) + attempt.synFrames + [answer.frame]
        var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: start, interfaceIndex: attempt.interfaceIndex, interface: interfaces.name(attempt.interfaceIndex), flow: attempt.flow, summary: summary, details: details, frames: frames.sorted(), count: attempt.synCount + earlier.reduce(0) { $0 + $1.synCount })
        finding.lastTime = answer.time
        finding.facts = facts
        findings.add(nil, finding)
    }

    private func remember(_ record: Unanswered, _ peer: PeerKey) {
        // Changed in place in the table: one lookup of the key, and the list is not copied.
        let droppedOldest = recent[peer, default: []].remember(record, limit: Self.perPeerLimit)
        recentCount += droppedOldest ? 0 : 1
        evictIfFull()
    }

    private func store(_ list: [Unanswered], _ peer: PeerKey, _ before: Int) {
        recent[peer] = list.isEmpty ? nil : list
        recentCount += list.count - before
        evictIfFull()
    }

    /// Beyond `maxFlows` remembered attempts, forgets the peers whose last attempt is in the older half.
    private func evictIfFull() {
        if recentCount > maxFlows {
            let cutoff = Sampling.quantile(of: recent.values.lazy.map { $0.last?.firstSYN.time.nanoseconds ?? 0 }, count: recent.count, fraction: 0.5)
            recent = recent.filter { ($0.value.last?.firstSYN.time.nanoseconds ?? 0) > cutoff }
            recentCount = recent.values.reduce(0) { $0 + $1.count }
        }
    }
}

extension Array where Element == SlowConnectRule.Unanswered {
    /// Appends `record`, first dropping the oldest when `limit` are kept; whether it dropped one.
    mutating func remember(_ record: Element, limit: Int) -> Bool {
        let full = count >= limit
        if full { removeFirst() }
        append(record)
        return full
    }
}

extension RuleID {
    public static let slowConnect = RuleID(rawValue: "slow-connect")
}

extension RuleConfiguration {
    /// `--slow-connect-threshold`
    public var slowConnectThreshold: Double {
        get { self[SlowConnectRule.threshold] }
        set { self[SlowConnectRule.threshold] = newValue }
    }
    /// `--slow-connect-window`
    public var slowConnectWindow: Double {
        get { self[SlowConnectRule.window] }
        set { self[SlowConnectRule.window] = newValue }
    }
}

public struct SlowConnectDetails: FindingDetails {
    public var timeLostSeconds: Double
    public var synCount: Int
    public var gapsSeconds: [Double]
    public var synackFrame: Int
    /// Client ports of the earlier unanswered attempts joined to this connect.
    public var earlierClientPorts: [Int]?
    public var platform: String?
    public var platformEvidence: String?
    public var platformNote: String?

    static let schema = [
        DetailField("time_lost_seconds", .double, "first SYN (of the earliest joined attempt) to SYN-ACK"),
        DetailField("syn_count", .int, "SYNs of the answered attempt"),
        DetailField("gaps_seconds", .doubles, "seconds between its SYNs"),
        DetailField("synack_frame", .int, "the answer"),
        DetailField("earlier_client_ports", .ints, "client ports of earlier unanswered attempts joined to it"),
        DetailField("platform", .string, "the platform the note rests on (only with a platform note)"),
        DetailField("platform_evidence", .string, "what the platform was judged from: dlt-null-af28…"),
        DetailField("platform_note", .string, "what that platform does (only where the capture supports it: BSD loopback framing, the host's own address on both ends)"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("time_lost_seconds", timeLostSeconds)
        f.add("syn_count", synCount)
        f.add("gaps_seconds", gapsSeconds)
        f.add("synack_frame", synackFrame)
        f.add("earlier_client_ports", earlierClientPorts)
        f.add("platform", platform)
        f.add("platform_evidence", platformEvidence)
        f.add("platform_note", platformNote)
        return f.fields
    }
}
