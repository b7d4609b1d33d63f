import ScopeScanPackets
import ScopeScanWire

/// Runs the rule set over packets: decode once, then every enabled rule interested in the packet
/// (`Rule.interest`) sees it.
public final class Analyzer {
    public let configuration: RuleConfiguration
    public private(set) var interfaces = InterfaceTable()
    /// The counts so far (the per-packet ones are kept in `path` and merged in here).
    public var summary: AnalysisSummary {
        var merged = counts
        let path = self.path
        merged.packets = path.packets
        merged.analysed = path.analysed
        merged.ipv4 = path.ipv4
        merged.ipv6 = path.ipv6
        merged.decodeErrors = path.decodeErrors
        merged.firstTime = path.firstTime
        merged.lastTime = path.lastTime
        var perInterface = packetsPerInterface
        if path.runLength > 0 { perInterface[path.runInterface] += path.runLength }
        for (index, count) in perInterface.enumerated() where count > 0 {
            merged.packetsByInterface[index, default: 0] += count
        }
        return merged
    }
    /// Everything of the summary but the per-packet counts (flows, findings, PKTAP interfaces…).
    var counts = AnalysisSummary()
    private var path = PacketPath()
    private var interfaceFacts: [InterfaceFacts] = []
    /// Packets per file interface, but for the run still counted in `path`.
    private var packetsPerInterface: [Int] = []
    private var collector: FindingCollector
    private let tracker: ConnectionTracker
    private let rules: [Rule]
    /// The rules that look at packets, `packetRules[i].interest`, and their union: a packet none
    /// of them wants skips the rule loop.
    private let packetRules: [PacketRule]
    private let ruleInterests: [PacketTraits]
    private let anyInterest: PacketTraits
    private let tracksConnections: Bool
    /// SYN or RST: the packets the connection tracker follows. Kept here because reading a
    /// `static let` of another module is a call per packet.
    private let handshakeFlags: TCPFlags = [.syn, .rst]
    private let offeringEveryPacket: Bool
    /// Whether ordinary TCP segments take `analysePlain` (a `PlainTCPSegment`, no `DecodedPacket`).
    /// Always on but in the tests that compare it with the full path.
    private let plainSegmentPath: Bool
    /// Interfaces named by PKTAP headers, numbered after the file's own.
    private var pktapInterfaces: [String: Int] = [:]
    static let pktapIndexBase = 1 << 20
    static let maximumPKTAPInterfaces = 65_536
    static let furtherPKTAPInterfaces = "(further PKTAP interfaces)"

    public convenience init(configuration: RuleConfiguration = RuleConfiguration()) {
        self.init(configuration: configuration, offeringEveryPacket: false)
    }

    /// `offeringEveryPacket` calls every rule with a non-empty `interest` for every packet, as the
    /// analyser did before rules declared their interest: the tests check that nothing changes.
    /// `plainSegmentPath: false` decodes every packet in full (the tests compare the two).
    init(configuration: RuleConfiguration, offeringEveryPacket: Bool, plainSegmentPath: Bool = true) {
        self.configuration = configuration
        self.offeringEveryPacket = offeringEveryPacket
        self.plainSegmentPath = plainSegmentPath && !offeringEveryPacket
        collector = FindingCollector(configuration: configuration)
        let tracker = ConnectionTracker(configuration: configuration)
        self.tracker = tracker
        let environment = RuleEnvironment(configuration: configuration, tracker: tracker)
        rules = RuleCatalogue.declarations.filter { configuration.isEnabled($0.descriptor.id) }.map { $0.make(environment) }
        packetRules = rules.compactMap { $0.asPacketRule }
        ruleInterests = packetRules.map(\.interest)
        anyInterest = ruleInterests.reduce(into: []) { $0.formUnion($1) }
        tracker.observers = rules.compactMap { $0.asConnectionObserver }
        tracksConnections = !tracker.observers.isEmpty || configuration.isEnabled(.icmpUnreachable)
    }

    /// Streams each finding as soon as it is recorded (live capture).
    public func onNewFinding(_ handler: @escaping (Finding) -> Void) {
        collector.onNewFinding = handler
    }

    /// Host interfaces (from getifaddrs), so link-local owners are known without pcapng addresses.
    public func setHostInterfaces(_ host: [CaptureInterface]) {
        interfaces.hostInterfaces = host
    }

    /// Takes the interfaces the source added since the last call (a pcapng file adds them as it
    /// goes; sources never change or remove one they described).
    public func updateInterfaces(_ current: [CaptureInterface]) {
        let known = interfaces.interfaces.count
        interfaces.update(current)
        // Built aside and stored once: an append to the property in a loop is an access that
        // spans a call, which would make the compiler check every access to it at run time,
        // including the read on every packet. Taking the array out first keeps it unique.
        var facts = current.count < known ? [] : interfaceFacts
        interfaceFacts = []
        for interface in current[facts.count...] {
            if !interface.linkType.isSupported {
                counts.warnings.append("interface \(interface.name ?? "#\(interface.index)") has link type \(interface.linkType.rawValue) (\(interface.linkType.name)), which scopescan does not decode: its packets are counted as decode errors and analysed no further")
            }
            let byName = interface.isLoopbackByName
            var fact = InterfaceFacts(name: interface.name, loopbackByName: byName)
            fact.npcapLoopback = interface.name.map(CaptureInterface.isNpcapLoopbackName) ?? false
            fact.judgedByTraffic = byName == nil && (interface.linkType == .ethernet || interface.linkType.isLoopbackType)
            facts.append(fact)
        }
        interfaceFacts = facts
        if packetsPerInterface.count < current.count {
            packetsPerInterface += Array(repeating: 0, count: current.count - packetsPerInterface.count)
        }
        path.interfaceCount = current.count
    }

    /// Counts a packet the filter excluded (frame numbers still count it).
    public func noteFilteredOut() {
        path.packets += 1
    }

    /// Analyses one packet. `interface` is the interface the reader names for it.
    public func analyse(_ captured: CapturedPacket) {
        if analysePlain(captured) { return }
        analyseDecoding(captured)
    }

    /// The full path: decode, then `analyse(_:decoded:countingPacket:)`. Out of line, so that the
    /// plain segment path around it keeps a small frame and its values in registers.
    @inline(never)
    private func analyseDecoding(_ captured: CapturedPacket) {
        var packet = DecodedPacket()
        PacketDecoder.decode(captured.span, linkType: captured.linkType, into: &packet)
        analyse(captured, decoded: &packet, countingPacket: true)
    }

    /// Reads every packet of `source` into the analyser, taking interfaces as the source describes
    /// them (after those it describes before the first packet, which the caller gives with
    /// `updateInterfaces`). Returns the source's warnings. This is `analyse(_:)` in a loop, written
    /// here so that the reader's callback is this module's closure, into which the per-packet path
    /// is inlined: called from another module, each packet costs a call into `analyse(_:)` and the
    /// closure's own context forwarding (about 60 instructions).
    public func analyseEveryPacket(of source: PacketSource) throws -> [CaptureWarning] {
        var known = interfaces.interfaces.count
        return try source.forEachPacket { captured in
            if captured.interfaceIndex >= known {
                updateInterfaces(source.interfaces)
                known = source.interfaces.count
            }
            if analysePlain(captured) { return }
            analyseDecoding(captured)
        }
    }

    /// Analyses a packet already decoded by the caller (the decode command shares one decode).
    public func analyse(_ captured: CapturedPacket, decoded packet: DecodedPacket) {
        var packet = packet
        analyse(captured, decoded: &packet, countingPacket: false)
    }

    /// The same, and `countingPacket` says whether the packet counts towards `summary.packets`
    /// (and so the frame numbers the report prints): true for a caller that hands every packet
    /// here once (the probe's capture), false for one that counts them itself (`decode`).
    public func analyse(_ captured: CapturedPacket, decoded packet: DecodedPacket, countingPacket: Bool) {
        var packet = packet
        analyse(captured, decoded: &packet, countingPacket: countingPacket)
    }

    /// This runs once per packet, so it avoids per-packet costs that dwarf the decode: one exclusive
    /// access to the analyser's counters, no copy of the interface table or the packet unless
    /// something will look at it, and no rule call for a packet the rule would return from at once.
    /// `packet` is only read; it is `inout` so that its fields are read in place (a by-value
    /// parameter of this size is first copied whole to the stack).
    ///
    /// What most packets need is short: the counters, the loopback guess, the traits, the SYN/RST
    /// test and the continuation filter. Everything else (PKTAP names, DLT_NULL platforms, a
    /// revocation, a packet for the rules or the tracker, timers) is a call out of line, so this
    /// function keeps few values live across it and holds no `String` or other reference whose end
    /// would cost a release on every packet.
    @inline(__always)
    private func analyse(_ captured: CapturedPacket, decoded packet: inout DecodedPacket, countingPacket: Bool) {
        let time = captured.timestamp
        let fileIndex = captured.interfaceIndex
        let isPKTAP = packet.link?.pktap != nil
        let (finishedRun, multipleInterfaces, unknownInterface, advance) = path.admit(time: time, packet: packet, interfaceIndex: fileIndex, countingPacket: countingPacket, countsInterface: !isPKTAP)
        if unknownInterface { fatalError("updateInterfaces must run before packets of a new interface") }
        if let finishedRun { addRun(finishedRun) }
        var index = fileIndex
        // Both read before any call, so one bounds check covers them.
        var loopbackByName = interfaceFacts[fileIndex].loopbackByName
        let judgedByTraffic = interfaceFacts[fileIndex].judgedByTraffic
        if isPKTAP {
            // PKTAP names the real interface of every packet: use it as the packet's interface.
            (index, loopbackByName) = pktapInterface(of: &packet)
        }
        if let family = packet.link?.nullFamily, family != 0, interfaces.platforms[index] == nil {
            notePlatform(index, family: family, fileIndex: fileIndex)
        }
        // The loopback verdict: the interface's name when it tells; else, for Linux cooked
        // captures, the frame's ARPHRD type; else the traffic. Unnamed DLT_NULL/DLT_LOOP links and
        // unnamed Ethernet with zero MACs are provisionally loopback, until a hop limit that
        // crossed a router (or, on Ethernet, a real MAC address) shows the link is not: then the
        // findings that assumed loopback are withdrawn at `finish`, for the whole interface.
        var provisional = false
        let loopbackGuess: Bool?
        if let loopbackByName {
            loopbackGuess = loopbackByName
        } else if let linkType = packet.link?.linkType.rawValue {
            // Raw values, not `LinkType.ethernet` and friends: reading a static let of another
            // module is a call per packet.
            switch linkType {
            case 113, 276: loopbackGuess = packet.link?.arphrdLoopback // LINUX_SLL, LINUX_SLL2
            case 1: // EN10MB
                let zeroMACs = packet.link?.hasZeroMACs ?? false
                loopbackGuess = zeroMACs
                provisional = zeroMACs
            case 0, 108: // NULL, LOOP
                loopbackGuess = true
                provisional = true
            default: loopbackGuess = nil
            }
        } else {
            loopbackGuess = nil
        }
        // Only read here: `interfaceFacts` is written in `updateInterfaces` alone, so its accesses
        // need no run-time exclusivity check; revocations go to `revokedMask` (a plain store) and,
        // rarely, to `revocations` through a call.
        if judgedByTraffic, !isPKTAP, !isRevoked(fileIndex) {
            judgeTraffic(fileIndex, frame: captured.frameNumber, packet: &packet)
        }
        let isLoopback = loopbackGuess ?? false
        let traits = offeringEveryPacket ? PacketTraits(rawValue: .max)
            : PacketTraits(packet, isLoopback: isLoopback, multipleInterfaces: multipleInterfaces || isPKTAP)
        var handshake = false
        if tracksConnections, let tcp = packet.tcp {
            if !tcp.flags.isDisjoint(with: handshakeFlags) {
                handshake = true
            } else if tracker.mayContinue(tcp) {
                observeSegment(captured, index: index, packet: &packet)
            }
        }
        if handshake || !traits.isDisjoint(with: anyInterest) {
            offer(captured, index: index, packet: &packet, traits: traits, handshake: handshake,
                  isLoopback: isLoopback, loopbackKnown: loopbackGuess != nil, provisional: provisional)
        }
        if advance { advanceTimers(to: time) }
    }

    /// The path of an ordinary TCP segment, one no rule, no tracker and no loopback judgement
    /// would look at: it only counts, so it needs no `DecodedPacket`, only the facts
    /// `PlainTCPSegment` reads. Returns false, having changed nothing, for every other packet,
    /// which takes the full path; the counts are the full path's (`PlainSegmentPathTests`). The
    /// conditions are those under which the full path calls nothing out of line but the timers:
    /// Ethernet (no PKTAP name, no DLT_NULL family), no revocation pending, no trait a rule wants
    /// (so global unicast IPv6 addresses), neither SYN nor RST, not in the continuation filter.
    @inline(__always)
    private func analysePlain(_ captured: CapturedPacket) -> Bool {
        guard plainSegmentPath, let segment = PlainTCPSegment.recognise(captured.span, linkType: captured.linkType) else { return false }
        let fileIndex = captured.interfaceIndex
        // The full path stops the program for an interface it was not told of: leave it that.
        guard fileIndex < path.interfaceCount else { return false }
        let loopbackByName = interfaceFacts[fileIndex].loopbackByName
        let judgedByTraffic = interfaceFacts[fileIndex].judgedByTraffic
        if judgedByTraffic, !isRevoked(fileIndex) { return false }
        var traits: PacketTraits = .every
        // As the full path's guess for EN10MB: the name, else zero MACs.
        if loopbackByName ?? segment.hasZeroMACs { traits.insert(.onLoopback) }
        if segment.ipVersion == 6 {
            guard segment.sourceFirstByte & 0xe0 == 0x20, segment.destinationFirstByte & 0xe0 == 0x20 else { return false }
        } else if segment.sourceFirstByte == 127 || segment.destinationFirstByte == 127 {
            traits.insert(.specialAddress)
        }
        if path.interfaceCount > 1 { traits.insert(.multipleInterfaces) }
        guard traits.isDisjoint(with: anyInterest) else { return false }
        if tracksConnections {
            guard segment.flags.isDisjoint(with: handshakeFlags), !tracker.mayContinue(sequenceNumber: segment.sequenceNumber) else { return false }
        }
        let time = captured.timestamp
        let (finishedRun, _, _, advance) = path.admit(time: time, hasDecodeError: false, ipVersion: Int(segment.ipVersion), interfaceIndex: fileIndex,
                                                      countingPacket: true, countsInterface: true)
        if let finishedRun { addRun(finishedRun) }
        if advance { advanceTimers(to: time) }
        return true
    }

    @inline(never)
    private func advanceTimers(to now: Timestamp) {
        advance(to: now)
    }

    /// Adds a finished run of packets of one interface to the per-interface counts.
    @inline(never)
    private func addRun(_ run: (interface: Int, packets: Int)) {
        packetsPerInterface[run.interface] += run.packets
    }

    /// The interface a PKTAP header names (numbered after the file's own) and its loopback verdict
    /// by name.
    @inline(never)
    private func pktapInterface(of packet: inout DecodedPacket) -> (index: Int, loopbackByName: Bool?) {
        guard let pktap = packet.link?.pktap else { return (0, nil) }
        var name = pktap.interfaceName
        let index: Int
        if let known = pktapInterfaces[name] {
            index = known
        } else if pktapInterfaces.count < Self.maximumPKTAPInterfaces {
            index = Self.pktapIndexBase + pktapInterfaces.count
            pktapInterfaces[name] = index
            interfaces.pktapNames[index] = name
        } else {
            // A hostile capture can name a new interface in every packet: past the limit they
            // share one entry, and the summary says so.
            name = Self.furtherPKTAPInterfaces
            index = Self.pktapIndexBase + Self.maximumPKTAPInterfaces
            if interfaces.pktapNames[index] == nil {
                interfaces.pktapNames[index] = name
                counts.warnings.append("more than \(Self.maximumPKTAPInterfaces) interface names in PKTAP headers; packets of further ones are counted as \(name)")
            }
        }
        counts.packetsByInterface[index, default: 0] += 1
        return (index, CaptureInterface(index: index, name: name, linkType: pktap.innerLinkType).isLoopbackByName)
    }

    /// The capturing OS that a loopback's DLT_NULL address family tells, if any.
    @inline(never)
    private func notePlatform(_ index: Int, family: UInt32, fileIndex: Int) {
        guard let platform = NullHeader.platform(family: family) else { return }
        interfaces.setPlatform(index, interfaceFacts[fileIndex].npcapLoopback ? ("Windows", "interface-name") : (platform, "dlt-null-af\(family)"))
    }

    /// Revokes the provisional loopback verdict of an interface judged by its traffic when this
    /// packet shows it is none.
    @inline(never)
    private func judgeTraffic(_ fileIndex: Int, frame: Int, packet: inout DecodedPacket) {
        if let reason = LoopbackJudgement.revocation(frame: frame, packet: packet) {
            revoke(fileIndex, reason)
        }
    }

    /// A TCP segment without SYN or RST whose sequence number may be an open attempt's ISN+1.
    @inline(never)
    private func observeSegment(_ captured: CapturedPacket, index: Int, packet: inout DecodedPacket) {
        guard let tcp = packet.tcp, let source = packet.source, let destination = packet.destination else { return }
        tracker.observeSegment(frame: captured.frameNumber, time: captured.timestamp, interfaceIndex: index, source: source, destination: destination, tcp: tcp, interfaces: interfaces, findings: &collector)
    }

    /// Hands a packet to the connection tracker (SYN or RST) and to every rule interested in it.
    @inline(never)
    private func offer(_ captured: CapturedPacket, index: Int, packet: inout DecodedPacket, traits: PacketTraits, handshake: Bool,
                       isLoopback: Bool, loopbackKnown: Bool, provisional: Bool) {
        // PKTAP interfaces are numbered from `pktapIndexBase`, above any file interface.
        let name = index >= Self.pktapIndexBase ? interfaces.pktapNames[index] : interfaceFacts[captured.interfaceIndex].name
        // A `let`, built whole: a `var` context is copied (2 KB of views) for each call it is passed to.
        let context = PacketContext(frame: captured.frameNumber, timestamp: captured.timestamp, interfaceIndex: index, interfaceName: name,
                                    isLoopback: isLoopback, loopbackKnown: loopbackKnown, loopbackProvisional: provisional, packet: copy packet)
        if handshake, let tcp = packet.tcp {
            tracker.observe(context, tcp: tcp, interfaces: interfaces, findings: &collector)
        }
        for (rule, interest) in zip(packetRules, ruleInterests) where !interest.isDisjoint(with: traits) {
            rule.observe(context, interfaces: interfaces, findings: &collector)
        }
    }

    /// Advances timers without a packet (live capture on a quiet link).
    public func advance(to now: Timestamp) {
        // One copy of the interface table and one access to the collector for all the calls: each
        // call with the properties themselves copies the table (five collections retained and
        // released) and checks the collector's access at run time.
        let interfaces = self.interfaces
        withCollector { findings in
            tracker.advance(to: now, interfaces: interfaces, findings: &findings)
            for rule in rules { rule.advance(to: now, interfaces: interfaces, findings: &findings) }
        }
    }

    @inline(__always)
    private func withCollector(_ body: (inout FindingCollector) -> Void) {
        body(&collector)
    }

    /// Concludes everything still open and returns the findings ordered by time.
    public func finish() -> [Finding] {
        interfaces.captureEnd = path.lastTime
        if path.analysed > 0 && path.decodeErrors == path.analysed && !finishedOnce {
            counts.warnings.append("none of the \(path.analysed) packets analysed could be decoded: no finding can be drawn from this capture (see `scopescan decode` for why)")
        }
        finishedOnce = true
        tracker.finish(at: path.lastTime, interfaces: interfaces, findings: &collector)
        for rule in rules { rule.finish(interfaces: interfaces, findings: &collector) }
        if !kernelDrops.isEmpty {
            // Drops of frames a finding proves explain that finding; the rest are kernel-drop's.
            let unexplained = collector.attach(kernelDrops)
            if let rule = rules.lazy.compactMap({ $0 as? KernelDropRule }).first {
                rule.report(unexplained, interfaces: interfaces, findings: &collector)
            }
            kernelDrops = []
        }
        counts.connectionAttempts = tracker.attemptsStarted
        counts.flowsEvicted = rules.reduce(tracker.evicted) { $0 + $1.evictedEntries }
        counts.peakFlowsTracked = tracker.peakTracked
        var verdicts: [Int: LoopbackVerdict] = [:]
        for (index, fact) in interfaceFacts.enumerated() {
            verdicts[index] = LoopbackJudgement.verdict(interfaces.interfaces[index], fact, revocation: revocations[index])
        }
        interfaces.loopbackVerdicts = verdicts
        let findings = collector.sorted().compactMap { finding -> Finding? in
            var finding = finding
            if let required = finding.requiresLoopback, let index = finding.interfaceIndex, let verdict = verdicts[index], verdict.isLoopback != required {
                return nil
            }
            if let index = finding.interfaceIndex, verdicts[index]?.isLoopback == false {
                // A platform story about loopback framing told before the traffic showed the link
                // is none (a utun tunnel's DLT_NULL family 30 is no macOS lo0): take it back.
                LoopbackJudgement.withdrawPlatformNote(&finding)
            }
            finding.facts = LoopbackJudgement.facts(for: finding, interfaces: interfaces) + finding.facts
            return finding
        }
        counts.findingsByRule = [:]
        for finding in findings { counts.findingsByRule[finding.rule, default: 0] += 1 }
        counts.suppressedByRule = collector.suppressed
        return findings
    }

    public func addWarning(_ warning: String) { counts.warnings.append(warning) }

    /// Kernel drops tied to frames (or to none), kept until `finish` attaches them to findings
    /// (`noteKernelDrops`, in KernelDrops.swift).
    var kernelDrops: [KernelDropRecord] = []
    static let maximumKernelDrops = 100_000

    /// Interfaces (the first 64 by bit, the others in `revocations`) whose provisional loopback
    /// verdict the traffic revoked, and why.
    private var revokedMask: UInt64 = 0
    private var revocations: [Int: String] = [:]

    @inline(__always)
    private func isRevoked(_ index: Int) -> Bool {
        index < 64 ? revokedMask & (1 << UInt64(index)) != 0 : revocations[index] != nil
    }

    @inline(never)
    private func revoke(_ index: Int, _ reason: String) {
        if index < 64 { revokedMask |= 1 << UInt64(index) }
        revocations[index] = reason
    }
    private var finishedOnce = false
}
