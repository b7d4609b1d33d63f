import ScopeScanCapture
import ScopeScanWire

/// Counts for the end-of-run summary.
public struct AnalysisSummary: Sendable {
    public var packets = 0
    /// Packets that passed the filter and were analysed.
    public var analysed = 0
    public var ipv4 = 0
    public var ipv6 = 0
    public var decodeErrors = 0
    public var connectionAttempts = 0
    public var flowsEvicted = 0
    public var peakFlowsTracked = 0
    public var firstTime: Timestamp?
    public var lastTime: Timestamp?
    public var findingsByRule: [RuleID: Int] = [:]
    public var suppressedByRule: [RuleID: Int] = [:]
    /// Per interface index: packets seen.
    public var packetsByInterface: [Int: Int] = [:]
    public var warnings: [String] = []

    public init() {}

    public var span: Double { (lastTime.map { l in firstTime.map { l.seconds(since: $0) } ?? 0 }) ?? 0 }
}

/// Runs the rule set over packets: decode once, then every enabled rule sees the packet.
public final class Analyzer {
    public let configuration: RuleConfiguration
    public private(set) var interfaces = InterfaceTable()
    public private(set) var summary = AnalysisSummary()
    private var collector: FindingCollector
    private let tracker: ConnectionTracker
    private var rules: [Rule] = []
    private var sameFlowRule: SameFlowMultipleInterfacesRule?
    /// Interfaces named by PKTAP headers, numbered after the file's own.
    private var pktapInterfaces: [String: Int] = [:]
    private var pktapNames: [Int: String] = [:]
    static let pktapIndexBase = 1 << 20
    private var lastAdvance: Int64 = .min

    public init(configuration: RuleConfiguration = RuleConfiguration()) {
        self.configuration = configuration
        collector = FindingCollector(configuration: configuration)
        tracker = ConnectionTracker(configuration: configuration)
        let synUnanswered = SynUnansweredRule(configuration: configuration)
        let slowConnect = SlowConnectRule(configuration: configuration)
        let refused = TCPRefusedRule()
        let sameFlow = SameFlowMultipleInterfacesRule(configuration: configuration)
        sameFlowRule = sameFlow
        let all: [Rule] = [
            LinkLocalOnLoopbackRule(), synUnanswered, slowConnect, ICMPUnreachableRule(tracker: tracker), ScopeViolationRule(),
            EmbeddedScopeIDRule(), IPv4MappedOnWireRule(), LoopbackAddressOffLoopbackRule(), NonlocalOnLoopbackRule(),
            sameFlow, refused, NeighborUnresolvedRule(configuration: configuration),
        ]
        rules = all.filter { configuration.isEnabled($0.descriptor.id) }
        let observers: [any Rule & ConnectionObserver] = [synUnanswered, slowConnect, refused]
        tracker.observers = observers.filter { configuration.isEnabled($0.descriptor.id) }.map { $0 as ConnectionObserver }
    }

    /// Streams each finding as soon as it is recorded (live capture).
    public func onNewFinding(_ handler: @escaping (Finding) -> Void) {
        collector.onNewFinding = handler
    }

    /// Host interfaces (from getifaddrs), so link-local owners are known without pcapng addresses.
    public func setHostInterfaces(_ host: [CaptureInterface]) {
        interfaces.hostInterfaces = host
    }

    /// Refreshes what is known of the source's interfaces (a pcapng file adds them as it goes).
    public func updateInterfaces(_ current: [CaptureInterface]) {
        interfaces.update(current)
    }

    /// Counts a packet the filter excluded (frame numbers still count it).
    public func noteFilteredOut() {
        summary.packets += 1
    }

    /// Analyses one packet. `interface` is the interface the reader names for it.
    public func analyse(_ captured: CapturedPacket) {
        summary.packets += 1
        if captured.interfaceIndex >= interfaces.interfaces.count { fatalError("updateInterfaces must run before packets of a new interface") }
        let packet = PacketDecoder.decode(captured.bytes, linkType: captured.linkType)
        analyse(captured, decoded: packet)
    }

    /// Analyses a packet already decoded by the caller (the decode command shares one decode).
    public func analyse(_ captured: CapturedPacket, decoded packet: DecodedPacket) {
        summary.analysed += 1
        let time = captured.timestamp
        if summary.firstTime == nil || time < summary.firstTime! { summary.firstTime = time }
        if summary.lastTime == nil || time > summary.lastTime! { summary.lastTime = time }
        if packet.error != nil { summary.decodeErrors += 1 }
        if packet.ipv6 != nil { summary.ipv6 += 1 } else if packet.ipv4 != nil { summary.ipv4 += 1 }

        let interface = interfaces.interfaces[captured.interfaceIndex]
        var index = captured.interfaceIndex
        var name = interface.name
        var loopbackByName = interface.isLoopbackByName
        if let pktap = packet.link?.pktap {
            // PKTAP names the real interface of every packet: use it as the packet's interface.
            let pktapName = pktap.interfaceName
            if let known = pktapInterfaces[pktapName] {
                index = known
            } else {
                index = Self.pktapIndexBase + pktapInterfaces.count
                pktapInterfaces[pktapName] = index
                pktapNames[index] = pktapName
                interfaces.pktapNames[index] = pktapName
            }
            name = pktapName
            loopbackByName = CaptureInterface(index: index, name: pktapName, linkType: pktap.innerLinkType).isLoopbackByName
        }
        summary.packetsByInterface[index, default: 0] += 1
        let link = packet.link
        if let family = link?.nullFamily, family != 0, interfaces.platforms[index] == nil, let platform = NullHeader.platform(family: family) {
            interfaces.platforms[index] = platform
        }
        let loopbackGuess: Bool? = loopbackByName ?? (link.map { l -> Bool? in
            if l.hasZeroMACs { return true }
            switch l.linkType {
            case .ethernet: return false
            case .linuxSLL, .linuxSLL2: return false
            default: return nil
            }
        } ?? nil)
        let context = PacketContext(frame: captured.frameNumber, timestamp: time, interfaceIndex: index, interfaceName: name,
                                    isLoopback: loopbackGuess ?? false, loopbackKnown: loopbackGuess != nil, packet: packet)
        if let tcp = packet.tcp, !tracker.observers.isEmpty || configuration.isEnabled(.icmpUnreachable) {
            let flags = tcp.flags
            if flags.contains(.syn) || flags.contains(.rst) {
                tracker.observe(context, tcp: tcp, interfaces: interfaces, findings: &collector)
            }
        }
        for rule in rules {
            rule.observe(context, interfaces: interfaces, findings: &collector)
        }
        if lastAdvance == .min || time.nanoseconds - lastAdvance >= 250_000_000 {
            lastAdvance = time.nanoseconds
            tracker.advance(to: time, interfaces: interfaces, findings: &collector)
            for rule in rules { rule.advance(to: time, interfaces: interfaces, findings: &collector) }
        }
    }

    /// Advances timers without a packet (live capture on a quiet link).
    public func advance(to now: Timestamp) {
        tracker.advance(to: now, interfaces: interfaces, findings: &collector)
        for rule in rules { rule.advance(to: now, interfaces: interfaces, findings: &collector) }
    }

    /// Concludes everything still open and returns the findings ordered by time.
    public func finish() -> [Finding] {
        tracker.finish(interfaces: interfaces, findings: &collector)
        for rule in rules { rule.finish(interfaces: interfaces, findings: &collector) }
        summary.connectionAttempts = tracker.attemptsStarted
        summary.flowsEvicted = tracker.evicted + (sameFlowRule?.evicted ?? 0)
        summary.peakFlowsTracked = tracker.peakTracked
        let findings = collector.sorted()
        summary.findingsByRule = [:]
        for finding in findings { summary.findingsByRule[finding.rule, default: 0] += 1 }
        summary.suppressedByRule = collector.suppressed
        return findings
    }

    public func addWarning(_ warning: String) { summary.warnings.append(warning) }
}
