import ScopeScanPackets
import ScopeScanWire

/// A TCP connection attempt: a client's SYN (and its retransmissions with the same ISN) on one
/// interface, waiting for the server's SYN-ACK or RST.
public struct ConnectionAttempt: Sendable {
    public var interfaceIndex: Int
    public var client: Endpoint
    public var server: Endpoint
    public var initialSequence: UInt32
    public var firstSYN: FrameTime
    /// Every SYN after the first (retransmissions), in order; kept small and only allocated on retry.
    public var retries: [FrameTime] = []
    public var retryCount = 0
    /// ICMP/ICMPv6 errors that quoted this attempt's SYN.
    public var icmpErrors: [FrameTime] = []
    public var lastActivity: Timestamp
    /// Copies of a SYN closer to the previous one than any retransmission timer fires (a capture
    /// duplicate, the same SYN on a second path, or a rewritten SYN): not counted as retries.
    public var duplicateSYNs: [FrameTime] = []
    /// RSTs that do not acknowledge ISN+1 (RFC 9293 section 3.10.7.3): no valid answer to the SYN,
    /// so the attempt stays open; with a later SYN-ACK they were injected.
    public var ignoredResets: [FrameTime] = []
    /// Hop limit (TTL) of the SYN-ACK or RST that concluded the attempt, and of the ignored RSTs.
    public var answerHopLimit: UInt8?
    public var ignoredResetHopLimits: [UInt8] = []
    /// Hop limit (TTL) of the first SYN as captured.
    public var synHopLimit: UInt8?
    /// A valid RST (acknowledging ISN+1) seen: the attempt is refused unless a SYN-ACK for the
    /// same ISN follows (then the RST was injected, e.g. by a middlebox, and is ignored).
    public var refusal: FrameTime?

    static let maximumRetriesKept = 32

    public var synCount: Int { 1 + retryCount }
    public var lastSYN: FrameTime { retries.last ?? firstSYN }
    public var synFrames: [Int] { [firstSYN.frame] + retries.map(\.frame) }
    /// Seconds between consecutive SYNs.
    public var gaps: [Double] {
        var previous = firstSYN.time
        return retries.map { syn in
            defer { previous = syn.time }
            return syn.time.seconds(since: previous)
        }
    }

    public var flow: FlowDescription {
        FlowDescription(source: client.address, destination: server.address, sourcePort: client.port, destinationPort: server.port, proto: .tcp)
    }
}

/// How an attempt ended.
public enum AttemptOutcome: Sendable {
    /// SYN-ACK from the server.
    case answered(FrameTime)
    /// No SYN-ACK captured, but the client's next segment (sequence ISN+1, ACK set) shows one
    /// arrived: a one-sided capture. The frame is that client segment.
    case continued(FrameTime)
    /// RST from the server.
    case refused(FrameTime)
    /// No answer: the capture ended, the timeout passed, a new ISN replaced it, or it was evicted.
    case unanswered(UnansweredReason)

    public enum UnansweredReason: String, Sendable {
        case endOfCapture = "end of capture"
        /// The capture ended before the next retransmission would have been sent, and without
        /// the last SYN fewer than `--syn-retries` SYNs are proven unanswered: the outcome is unknown.
        case pending = "pending at end of capture"
        case timeout
        case superseded = "superseded by a new attempt"
        case evicted = "evicted from the flow table"
    }
}

/// Rules that follow TCP handshakes receive concluded attempts through this.
public protocol ConnectionObserver: AnyObject {
    func attemptStarted(_ attempt: ConnectionAttempt)
    /// A retransmitted SYN was counted (rare: only lost SYNs retry).
    func attemptRetried(_ attempt: ConnectionAttempt)
    func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector)
}

extension ConnectionObserver {
    public func attemptStarted(_ attempt: ConnectionAttempt) {}
    public func attemptRetried(_ attempt: ConnectionAttempt) {}
}

/// The bounded table of open connection attempts, keyed by interface and direction.
public final class ConnectionTracker {
    struct Key: Hashable {
        var interfaceIndex: Int
        var client: Endpoint
        var server: Endpoint

        func hash(into hasher: inout Hasher) {
            hasher.combineFlow(interfaceIndex: interfaceIndex, client: client.address, clientPort: client.port, server: server.address, serverPort: server.port)
        }
    }

    /// An open attempt as the table keeps it beside its key (which holds the interface and both
    /// endpoints). An attempt that is one SYN and nothing else, all a SYN flood brings, takes 24
    /// bytes; one that retried, saw a copy, a reset or an ICMP error moves into a box, allocated
    /// once. The table has 262,144 buckets for the default 100,000 flows (Swift fills a dictionary
    /// to three quarters), and a whole `ConnectionAttempt` of 168 bytes in each made it 59 MB.
    enum Entry {
        case single(firstSYN: FrameTime, initialSequence: UInt32, synHopLimit: UInt8?)
        case boxed(Box)

        final class Box {
            var attempt: ConnectionAttempt
            init(_ attempt: ConnectionAttempt) { self.attempt = attempt }
        }

        /// A new attempt: one SYN, nothing else yet.
        init(new attempt: ConnectionAttempt) {
            self = .single(firstSYN: attempt.firstSYN, initialSequence: attempt.initialSequence, synHopLimit: attempt.synHopLimit)
        }

        func attempt(_ key: Key) -> ConnectionAttempt {
            switch self {
            case .single(let firstSYN, let initialSequence, let synHopLimit):
                var attempt = ConnectionAttempt(interfaceIndex: key.interfaceIndex, client: key.client, server: key.server,
                                                initialSequence: initialSequence, firstSYN: firstSYN, lastActivity: firstSYN.time)
                attempt.synHopLimit = synHopLimit
                return attempt
            case .boxed(let box):
                return box.attempt
            }
        }

        var lastActivity: Timestamp {
            switch self {
            case .single(let firstSYN, _, _): return firstSYN.time
            case .boxed(let box): return box.attempt.lastActivity
            }
        }

        var refusal: FrameTime? {
            if case .boxed(let box) = self { return box.attempt.refusal }
            return nil
        }

        var firstFrame: Int {
            switch self {
            case .single(let firstSYN, _, _): return firstSYN.frame
            case .boxed(let box): return box.attempt.firstSYN.frame
            }
        }
    }

    private var attempts: [Key: Entry] = [:]
    /// Attempts answered by a SYN-ACK, by key, with their ISN and when: a SYN with that ISN again is
    /// the client retransmitting after a lost SYN-ACK, not a new attempt, and an RST then is not a
    /// refusal (the port has a listener). Forgotten after the SYN timeout.
    private var answered: [Key: (isn: UInt32, time: Timestamp)] = [:]
    /// A same-ISN SYN sooner than this after the previous one is no retransmission: Linux's
    /// smallest RTO is 200 ms (TCP_RTO_MIN), RFC 6298 asks for 1 s.
    static let minimumRetransmissionGap: Int64 = 200_000_000
    /// How long after a valid RST a SYN-ACK for the same ISN still shows the RST was injected (a
    /// middlebox's RST arrives before the real answer, which follows within a round trip).
    static let refusalGrace: Int64 = 1_000_000_000
    /// The first retransmission timeout (RFC 6298 section 2.1, Linux, the BSDs).
    static let initialRTO = 1.0
    private let maxFlows: Int
    private let synRetries: Int
    private let synTimeoutNanoseconds: Int64
    private var lastSweep: Timestamp?
    private let sweepInterval: Int64
    var observers: [ConnectionObserver] = []

    /// Attempts started (SYNs with a new ISN) and attempts evicted because of the cap.
    public private(set) var attemptsStarted = 0
    public private(set) var evicted = 0
    public private(set) var peakTracked = 0

    public var tracked: Int { attempts.count }

    init(configuration: RuleConfiguration) {
        maxFlows = configuration.maxFlows
        synRetries = configuration.synRetries
        synTimeoutNanoseconds = Int64(nanosecondsIn: configuration.synTimeout)
        let quarter = min(configuration.synTimeout, configuration.flowIdleTimeout) / 4
        sweepInterval = Int64(nanosecondsIn: max(1.0, quarter))
    }

    /// Open attempts counted by the low 14 bits of ISN+1, the sequence number of the client's
    /// segment after the SYN: the analyser asks `mayContinue` for every TCP segment without SYN or
    /// RST, and only the few whose sequence number hits a slot cost a flow-table lookup. 16 KB
    /// inside the tracker (no hashing, stays in the L1 cache); a slot counting 255 attempts stays
    /// there (only more lookups, never a missed one). An `InlineArray` of bytes, not an `Array`:
    /// a class's `var` is checked for exclusive access at run time on every read (about 75
    /// instructions per TCP segment) unless no access to it anywhere spans a call, and an
    /// array's writes may call (uniqueness, reallocation). So every access here is a plain read
    /// or a plain store of one slot: `+=` through the subscript, or assigning a whole new
    /// `InlineArray`, each made the compiler check all of them at run time. (A `let` of
    /// `Atomic<UInt8>`s avoided the check too, but each tracker's end destroyed 16,384 atomics
    /// through the generic `Atomic.deinit`: 3.1 M instructions, a tenth of a one-packet `analyze`.)
    private var continuationFilter = InlineArray<16384, UInt8>(repeating: 0)
    static let filterSize = 1 << 14

    @inline(__always)
    static func filterSlot(_ sequence: UInt32) -> Int { Int(sequence & UInt32(filterSize - 1)) }

    /// Whether a TCP segment may be an open attempt's next segment: its sequence number hits a
    /// slot of the filter. The view keeps the number as a word read at validation (a shift here).
    @inline(__always)
    func mayContinue(_ segment: borrowing TCPHeaderView) -> Bool {
        mayContinue(sequenceNumber: segment.sequenceNumber)
    }

    /// The same for a segment known by its sequence number (the plain segment path).
    @inline(__always)
    func mayContinue(sequenceNumber: UInt32) -> Bool {
        continuationFilter[Self.filterSlot(sequenceNumber)] != 0
    }

    private func addToFilter(_ isn: UInt32) {
        let slot = Self.filterSlot(isn &+ 1)
        let count = continuationFilter[slot]
        if count < .max { continuationFilter[slot] = count + 1 }
    }

    private func removeAttempt(_ key: Key, _ attempt: ConnectionAttempt) {
        attempts[key] = nil
        removeFromFilter(attempt.initialSequence)
    }

    private func removeFromFilter(_ isn: UInt32) {
        let slot = Self.filterSlot(isn &+ 1)
        let count = continuationFilter[slot]
        if count < .max { continuationFilter[slot] = count - 1 }
    }

    private func openAttempt(_ key: Key) -> ConnectionAttempt? {
        attempts[key].map { $0.attempt(key) }
    }

    /// Writes back an open attempt that changed: into its box, or into a new one.
    private func update(_ key: Key, _ attempt: ConnectionAttempt) {
        if case .boxed(let box) = attempts[key] {
            box.attempt = attempt
        } else {
            attempts[key] = .boxed(Entry.Box(attempt))
        }
    }

    func observe(_ context: PacketContext, tcp: TCPHeaderView, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard let source = context.packet.source, let destination = context.packet.destination else { return }
        let flags = tcp.flags
        let now = FrameTime(frame: context.frame, time: context.timestamp)
        if flags.contains(.syn) && !flags.contains(.ack) {
            let key = Key(interfaceIndex: context.interfaceIndex,
                          client: Endpoint(address: source, port: tcp.sourcePort),
                          server: Endpoint(address: destination, port: tcp.destinationPort))
            let isn = tcp.sequenceNumber
            if var attempt = openAttempt(key) {
                if attempt.initialSequence == isn {
                    if now.time.nanoseconds.saturatingMinus(attempt.lastSYN.time.nanoseconds) < Self.minimumRetransmissionGap {
                        if attempt.duplicateSYNs.count < ConnectionAttempt.maximumRetriesKept { attempt.duplicateSYNs.append(now) }
                        update(key, attempt)
                        return
                    }
                    attempt.retryCount += 1
                    if attempt.retries.count < ConnectionAttempt.maximumRetriesKept { attempt.retries.append(now) }
                    attempt.lastActivity = now.time
                    update(key, attempt)
                    for observer in observers { observer.attemptRetried(attempt) }
                    return
                }
                removeAttempt(key, attempt)
                conclude(attempt, attempt.refusal.map { .refused($0) } ?? .unanswered(.superseded), interfaces: interfaces, findings: &findings)
            }
            if let done = answered[key], done.isn == isn { return }
            if attempts.count >= maxFlows {
                makeRoom(now: now.time, interfaces: interfaces, findings: &findings)
            }
            attemptsStarted += 1
            var attempt = ConnectionAttempt(interfaceIndex: key.interfaceIndex, client: key.client, server: key.server, initialSequence: isn, firstSYN: now, lastActivity: now.time)
            attempt.synHopLimit = context.packet.hopLimit
            attempts[key] = Entry(new: attempt)
            addToFilter(isn)
            peakTracked = max(peakTracked, attempts.count)
            for observer in observers { observer.attemptStarted(attempt) }
        } else if flags.contains(.syn) || flags.contains(.rst) {
            // SYN-ACK or RST travelling server → client.
            let key = Key(interfaceIndex: context.interfaceIndex,
                          client: Endpoint(address: destination, port: tcp.destinationPort),
                          server: Endpoint(address: source, port: tcp.sourcePort))
            let hopLimit = context.packet.hopLimit
            if !flags.contains(.rst) {
                // A SYN-ACK answers the attempt, which leaves the table: taken out in one lookup.
                guard let entry = attempts.removeValue(forKey: key) else { return }
                var attempt = entry.attempt(key)
                removeFromFilter(attempt.initialSequence)
                answer(&attempt, key, hopLimit: hopLimit, at: now, interfaces: interfaces, findings: &findings)
                return
            }
            // An RST.
            guard var attempt = openAttempt(key) else { return }
            if !(flags.contains(.ack) && tcp.acknowledgmentNumber == attempt.initialSequence &+ 1) {
                // Not acceptable in SYN-SENT (RFC 9293 section 3.10.7.3): the client's stack ignores it.
                if attempt.ignoredResets.count < ConnectionAttempt.maximumRetriesKept {
                    attempt.ignoredResets.append(now)
                    if let hopLimit { attempt.ignoredResetHopLimits.append(hopLimit) }
                }
                update(key, attempt)
                return
            }
            // An acceptable RST: concluded as refused a grace time later (`advance`, `finish`),
            // unless the real peer's SYN-ACK comes first.
            if attempt.refusal == nil {
                attempt.refusal = now
                attempt.answerHopLimit = hopLimit
                attempt.lastActivity = now.time
            }
            update(key, attempt)
        }
    }

    /// Concludes `attempt`, already out of the table, as answered by the SYN-ACK at `now`.
    private func answer(_ attempt: inout ConnectionAttempt, _ key: Key, hopLimit: UInt8?, at now: FrameTime, interfaces: InterfaceTable, findings: inout FindingCollector) {
        if let injected = attempt.refusal {
            // The handshake went on after the RST: it did not come from the server's stack.
            if attempt.ignoredResets.count < ConnectionAttempt.maximumRetriesKept {
                attempt.ignoredResets.append(injected)
                if let earlier = attempt.answerHopLimit { attempt.ignoredResetHopLimits.append(earlier) }
            }
            attempt.refusal = nil
        }
        attempt.answerHopLimit = hopLimit
        rememberAnswered(key, isn: attempt.initialSequence, at: now.time)
        conclude(attempt, .answered(now), interfaces: interfaces, findings: &findings)
    }

    /// A segment without SYN or RST. If it travels client → server of an open attempt with sequence
    /// ISN+1 and ACK set, the SYN-ACK arrived even though the capture missed it (one-sided
    /// captures). Takes owned values only: the analyser calls it for every such segment while
    /// attempts are open, without building a packet context.
    func observeSegment(frame: Int, time: Timestamp, interfaceIndex: Int, source: IPAddress, destination: IPAddress, tcp: TCPHeaderView,
                        interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard tcp.flags.contains(.ack) else { return }
        let key = Key(interfaceIndex: interfaceIndex,
                      client: Endpoint(address: source, port: tcp.sourcePort),
                      server: Endpoint(address: destination, port: tcp.destinationPort))
        guard let attempt = openAttempt(key), tcp.sequenceNumber == attempt.initialSequence &+ 1 else { return }
        removeAttempt(key, attempt)
        let now = FrameTime(frame: frame, time: time)
        rememberAnswered(key, isn: attempt.initialSequence, at: time)
        conclude(attempt, .continued(now), interfaces: interfaces, findings: &findings)
    }

    private func rememberAnswered(_ key: Key, isn: UInt32, at time: Timestamp) {
        if answered.count >= maxFlows { answered.removeAll(keepingCapacity: true) }
        answered[key] = (isn, time)
    }

    /// Records an ICMP error quoting `client → server`, returning the attempt it refers to.
    func noteICMPError(interfaceIndex: Int, client: Endpoint, server: Endpoint, at frame: FrameTime) -> ConnectionAttempt? {
        let key = Key(interfaceIndex: interfaceIndex, client: client, server: server)
        guard var attempt = openAttempt(key) else { return nil }
        if attempt.icmpErrors.count < ConnectionAttempt.maximumRetriesKept { attempt.icmpErrors.append(frame) }
        update(key, attempt)
        return attempt
    }

    /// Concludes attempts whose last SYN is older than the timeout. Amortised: runs a full pass
    /// at most every quarter of the timeout of capture time.
    func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard let last = lastSweep else { lastSweep = now; return }
        guard now.nanoseconds.saturatingMinus(last.nanoseconds) >= sweepInterval else { return }
        lastSweep = now
        let timeout = synTimeoutNanoseconds
        if answered.contains(where: { now.nanoseconds.saturatingMinus($0.value.time.nanoseconds) >= timeout }) {
            answered = answered.filter { now.nanoseconds.saturatingMinus($0.value.time.nanoseconds) < timeout }
        }
        let grace = Self.refusalGrace
        let expired = attempts.filter {
            now.nanoseconds.saturatingMinus($0.value.lastActivity.nanoseconds) >= ($0.value.refusal == nil ? timeout : grace)
        }
        for (key, entry) in expired.sorted(by: { $0.value.firstFrame < $1.value.firstFrame }) {
            let attempt = entry.attempt(key)
            removeAttempt(key, attempt)
            conclude(attempt, attempt.refusal.map { .refused($0) } ?? .unanswered(.timeout), interfaces: interfaces, findings: &findings)
        }
    }

    /// Concludes every open attempt (end of capture or stop). `end` is the capture's last packet
    /// time. A retransmission proves the SYN before it went unanswered; the last SYN is proven so
    /// only if the capture lasted until its retransmission was due. An attempt that is short of
    /// `--syn-retries` proven SYNs because the capture stopped first is pending, not unanswered.
    func finish(at end: Timestamp?, interfaces: InterfaceTable, findings: inout FindingCollector) {
        // Sorted as entries and expanded one at a time: an array of 100,000 whole attempts would be
        // another 17 MB.
        let remaining = attempts.sorted { $0.value.firstFrame < $1.value.firstFrame }
        attempts.removeAll()
        for slot in 0..<Self.filterSize { continuationFilter[slot] = 0 }
        for (key, entry) in remaining {
            let attempt = entry.attempt(key)
            conclude(attempt, attempt.refusal.map { .refused($0) } ?? .unanswered(isPending(attempt, end: end) ? .pending : .endOfCapture), interfaces: interfaces, findings: &findings)
        }
    }

    /// The wait before the SYN after the attempt's last one: double the last gap (RFC 6298 section
    /// 5.5 back-off), or the initial RTO after a single SYN.
    static func nextRetransmissionGap(_ attempt: ConnectionAttempt) -> Double {
        attempt.gaps.last.map { max(Self.initialRTO, 2 * $0) } ?? Self.initialRTO
    }

    func isPending(_ attempt: ConnectionAttempt, end: Timestamp?) -> Bool {
        guard let end, attempt.icmpErrors.isEmpty, attempt.ignoredResets.isEmpty else { return false }
        let waited = end.seconds(since: attempt.lastSYN.time)
        return waited < Self.nextRetransmissionGap(attempt) && attempt.synCount - 1 < synRetries
    }

    /// Evicts the least recently active quarter of the table (found from a sample, so the cost
    /// stays linear), concluding evicted attempts so retried SYNs are still reported.
    private func makeRoom(now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {
        let cutoff = Sampling.quantile(of: attempts.values.lazy.map(\.lastActivity.nanoseconds), count: attempts.count, fraction: 0.25)
        let victims = attempts.filter { $0.value.lastActivity.nanoseconds <= cutoff }
        for (key, entry) in victims {
            let attempt = entry.attempt(key)
            removeAttempt(key, attempt)
            evicted += 1
            if let refusal = attempt.refusal {
                conclude(attempt, .refused(refusal), interfaces: interfaces, findings: &findings)
            } else if attempt.synCount >= synRetries {
                conclude(attempt, .unanswered(.evicted), interfaces: interfaces, findings: &findings)
            }
        }
    }

    private func conclude(_ attempt: ConnectionAttempt, _ outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        for observer in observers {
            observer.attemptConcluded(attempt, outcome: outcome, interfaces: interfaces, findings: &findings)
        }
    }
}

enum Sampling {
    /// An approximate quantile of `values` from an evenly strided sample of at most 1024.
    static func quantile<S: Sequence>(of values: S, count: Int, fraction: Double) -> Int64 where S.Element == Int64 {
        let stride = max(1, count / 1024)
        var sample: [Int64] = []
        sample.reserveCapacity(min(count, 1024) + 1)
        for (i, v) in values.enumerated() where i % stride == 0 { sample.append(v) }
        guard !sample.isEmpty else { return Int64.min }
        sample.sort()
        return sample[min(sample.count - 1, Int(Double(sample.count) * fraction))]
    }
}
