import ScopeScanPackets
import ScopeScanWire

/// `icmp-unreachable`: ICMPv6 type 1 / ICMPv4 type 3, tied to the flow (and SYN) the quote names.
public final class ICMPUnreachableRule: PacketRule, ConnectionObserver {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .icmpUnreachable, severity: .error,
        title: "ICMP/ICMPv6 destination unreachable",
        condition: "ICMPv6 type 1 (any code) or ICMPv4 type 3, with the quoted packet decoded and tied to the flow (and SYN) it killed.",
        explanation: "The error names why the packet could not be delivered: no route, administratively prohibited (a firewall), beyond scope of source address (a link-local source sent off-link), address unreachable (neighbor discovery failed), port unreachable, source address failed ingress/egress policy, reject route. The quoted packet says which connection it ended.",
        platformContext: "On macOS, the connect to the host's own link-local address gets ICMPv6 errors back on lo0 (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533). Linux 'unreachable'/'prohibit' routes answer with codes 0 and 1; nftables 'reject' with any code.",
        references: ["RFC 4443 section 3.1 (codes 0–6)", "RFC 792 and RFC 1812 section 5.2.7.1 (ICMPv4 codes)", "RFC 4007 section 9 (beyond scope)"],
        details: ICMPUnreachableDetails.schema,
        evidence: [
            EvidenceRequirement(.error, "ICMPv6 type 1 or ICMPv4 type 3 (other than the cases below); \"it ended the connect\" only when no SYN of the quoted attempt follows the last error and the attempt is never answered. An attempt retried after the error and never answered keeps the severity and says so."),
            EvidenceRequirement(.info, "ICMPv4 3/4 (fragmentation needed: path MTU discovery, the next-hop MTU reported); a port unreachable answering a traceroute probe (UDP ports 33434–33534); an error quoting an attempt that went on to be answered (a SYN-ACK, or the client continuing the handshake)."),
        ]),
        make: { environment in ICMPUnreachableRule(tracker: environment.tracker) })
    public let descriptor = declaration.descriptor
    /// ICMPv6 type 1 and ICMPv4 type 3 only.
    public var interest: PacketTraits { .icmp }
    // Unowned: the tracker holds this rule as an observer, and the analyser holds both for as long
    // as either lives (a strong reference both ways would leak the analyser's whole rule set).
    unowned let tracker: ConnectionTracker

    init(tracker: ConnectionTracker) {
        self.tracker = tracker
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        let version: Int, type: UInt8, code: UInt8, codeName: String
        var nextHopMTU: Int?
        if let icmp = context.packet.icmpv6, icmp.type == .destinationUnreachable {
            (version, type, code, codeName) = (6, 1, icmp.code, ICMPv6UnreachableCode.name(icmp.code))
        } else if let icmp = context.packet.icmpv4, icmp.type == 3 {
            (version, type, code, codeName) = (4, 3, icmp.code, ICMPv4UnreachableCode.name(icmp.code))
            // RFC 1191 section 4: the next-hop MTU in the low 16 bits of the second word (0 from
            // routers older than RFC 1191).
            if code == 4, let word = icmp.word, word & 0xffff != 0 { nextHopMTU = Int(word & 0xffff) }
        } else {
            return
        }
        guard let reporter = context.packet.source else { return }
        let quoted = context.packet.quoted
        let quotedFlow = quoted?.flow
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: quotedFlow ?? context.flow, discriminator: UInt64(version) << 16 | UInt64(code))
        let here = FrameTime(frame: context.frame, time: context.timestamp)
        // Tie the error to the connection attempt it quotes, on this interface.
        var killed: ConnectionAttempt?
        if let quoted, quoted.upperLayer == .tcp, let sport = quoted.sourcePort, let dport = quoted.destinationPort {
            killed = tracker.noteICMPError(interfaceIndex: context.interfaceIndex, client: Endpoint(address: quoted.source, port: sport), server: Endpoint(address: quoted.destination, port: dport), at: here)
        }
        if findings.touch(key, frame: context.frame, time: context.timestamp) {
            findings.update(key) { finding in
                finding.updateDetails(as: ICMPUnreachableDetails.self) { details in
                    if details.icmpFrames.count < Finding.maximumFrames { details.icmpFrames.append(context.frame) }
                }
            }
            if let killed {
                findings.update(key) { finding in
                    finding.updateDetails(as: ICMPUnreachableDetails.self) { $0.quotedSYNFrames = killed.synFrames }
                    var synFrames = Set(finding.frames)
                    for frame in killed.synFrames where !synFrames.contains(frame) && finding.frames.count < Finding.maximumFrames {
                        finding.frames.append(frame)
                        synFrames.insert(frame)
                    }
                    finding.frames.sort()
                }
            }
            return
        }
        let family = version == 6 ? "ICMPv6" : "ICMP"
        var severity = descriptor.severity
        var summary = "\(family) destination unreachable (\(codeName)) from \(reporter.scopedText(interface: context.interfaceName))"
        let pathMTU = version == 4 && code == 4
        // traceroute's UDP probes go to 33434 and up (traceroute(8)); the target answers the one
        // that reaches it with port unreachable, which is how the trace ends.
        let traceroute = quoted?.upperLayer == .udp && (version == 6 ? code == 4 : code == 3)
            && (quoted?.destinationPort).map { Self.traceroutePorts.contains($0) } == true
        var details = ICMPUnreachableDetails(icmpVersion: version, type: Int(type), code: Int(code), codeName: codeName, reportedBy: reporter, icmpFrames: [context.frame])
        var frames = [context.frame]
        if let quotedFlow {
            summary += " for \(quotedFlow.text(interface: context.interfaceName))"
            details.quotedTCPSequence = quoted?.tcpSequenceNumber
        } else {
            summary += " (no quoted packet)"
        }
        if pathMTU {
            // Path MTU discovery at work (RFC 1191): the sender resends smaller segments.
            severity = .info
            details.nextHopMTU = nextHopMTU
            summary += nextHopMTU.map { ": path MTU discovery, next-hop MTU \($0)" } ?? ": path MTU discovery (no next-hop MTU given)"
        } else if traceroute {
            severity = .info
            details.traceroute = true
            summary += ": a traceroute probe (UDP port \(quoted?.destinationPort ?? 0)) reached its target, the expected end of a trace"
        }
        if let killed {
            // Provisional: whether it ended the connect is known when the attempt concludes
            // (`attemptConcluded`): only if no later SYN of the attempt follows and none is answered.
            let synFrame = killed.lastSYN.frame
            if !pathMTU { summary += ": it ended the connect whose SYN is frame \(synFrame)" }
            details.quotedSYNFrames = killed.synFrames
            frames += killed.synFrames
            if pendingVerdicts.count >= Self.maximumPendingVerdicts { pendingVerdicts.removeAll() }
            pendingVerdicts[AttemptKey(killed)] = (key, summary.count - (pathMTU ? 0 : ": it ended the connect whose SYN is frame \(synFrame)".count))
        }
        var related: [RuleID] = []
        if version == 6 && code == 2 {
            related.append(.scopeViolation)
            summary += " (the source address's scope is too small: see scope-violation)"
        }
        var facts = ["frame \(context.frame): \(family) type \(type) code \(code) (\(codeName)) from \(reporter), hop limit \(context.packet.hopLimit.map(String.init) ?? "?")"]
        if let quotedFlow {
            facts.append("it quotes \(quotedFlow.text(interface: nil))" + (quoted?.tcpSequenceNumber.map { ", TCP sequence \($0)" } ?? ""))
        }
        if let killed { facts.append("the quoted segment is the SYN of the attempt with SYNs in frames \(killed.synFrames.map(String.init).joined(separator: ", ")) (ISN \(killed.initialSequence))") }
        if pathMTU { facts.append("ICMPv4 3/4 is RFC 1191 path MTU discovery: the sender is to resend smaller segments") }
        if traceroute { facts.append("the quoted probe is UDP to port \(quoted?.destinationPort ?? 0), in traceroute's 33434–33534") }
        var finding = Finding(rule: descriptor.id, severity: severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: quotedFlow ?? context.flow, summary: summary, details: details, frames: frames.sorted(), related: related)
        finding.facts = facts
        findings.add(key, finding)
    }

    static let traceroutePorts: ClosedRange<UInt16> = 33434...33534
    /// Attempts an error quoted are at most the tracker's; this bounds a hostile capture anyway.
    static let maximumPendingVerdicts = 65_536

    struct AttemptKey: Hashable {
        var interfaceIndex: Int
        var client: Endpoint
        var server: Endpoint
        var isn: UInt32
        init(_ attempt: ConnectionAttempt) {
            interfaceIndex = attempt.interfaceIndex
            client = attempt.client
            server = attempt.server
            isn = attempt.initialSequence
        }

        /// Fewer words than the synthesised hash (`Hasher.combineFlow`), then the ISN.
        func hash(into hasher: inout Hasher) {
            hasher.combineFlow(interfaceIndex: interfaceIndex, client: client.address, clientPort: client.port, server: server.address, serverPort: server.port)
            hasher.combine(isn)
        }
    }

    /// Findings whose error quoted a still-open attempt: the finding and where in its summary the
    /// "it ended the connect" claim starts, settled when the attempt concludes.
    private var pendingVerdicts: [AttemptKey: (FindingCollector.Key, Int)] = [:]

    /// Settles the claim: the error ended the connect only if no SYN of the attempt came after the
    /// last error and no answer did. Otherwise the connect went on: info when it was answered
    /// (the error was transient), the rule's severity when it never was.
    public func attemptConcluded(_ attempt: ConnectionAttempt, outcome: AttemptOutcome, interfaces: InterfaceTable, findings: inout FindingCollector) {
        // Most attempts no error quoted: no table lookup for them.
        guard let lastError = attempt.icmpErrors.last, let (key, cut) = pendingVerdicts.removeValue(forKey: AttemptKey(attempt)) else { return }
        let syns = [attempt.firstSYN] + attempt.retries
        guard let firstError = attempt.icmpErrors.first else { return }
        // Ended by an error only if no SYN follows the last one; the text names every SYN after the first.
        let afterLast = syns.filter { $0.frame > lastError.frame }
        let laterSYNs = syns.filter { $0.frame > firstError.frame }.map(\.frame)
        var answer: Int?
        switch outcome {
        case .answered(let frame), .continued(let frame): answer = frame.frame
        case .refused, .unanswered: break
        }
        guard !afterLast.isEmpty || answer != nil else { return }
        findings.update(key) { finding in
            guard cut <= finding.summary.count else { return }
            var text = String(finding.summary.prefix(cut))
            let first = attempt.firstSYN.frame
            if let answer {
                text += ": the connect whose SYN is frame \(first) went on"
                if !laterSYNs.isEmpty { text += " (SYN again in frame\(laterSYNs.count == 1 ? "" : "s") \(laterSYNs.map(String.init).joined(separator: ", ")))" }
                text += " and was answered in frame \(answer): the error did not end it"
                finding.severity = min(finding.severity, .info)
            } else {
                text += ": the connect whose SYN is frame \(first) was retried after it (\(laterSYNs.count == 1 ? "SYN in frame" : "SYNs in frames") \(laterSYNs.map(String.init).joined(separator: ", "))) and never answered"
            }
            if finding.related.contains(.scopeViolation) { text += " (the source address's scope is too small: see scope-violation)" }
            finding.summary = text
            var fact = "after the first error (frame \(firstError.frame))"
            if !laterSYNs.isEmpty { fact += " the client sent the SYN again in frames \(laterSYNs.map(String.init).joined(separator: ", "))" }
            if let answer { fact += "\(laterSYNs.isEmpty ? "" : " and") the attempt was answered in frame \(answer)" }
            finding.facts.append(fact)
        }
    }
}

extension RuleID {
    public static let icmpUnreachable = RuleID(rawValue: "icmp-unreachable")
}

public struct ICMPUnreachableDetails: FindingDetails {
    public var icmpVersion: Int
    public var type: Int
    public var code: Int
    public var codeName: String
    public var reportedBy: IPAddress
    /// Every ICMP error aggregated into the finding.
    public var icmpFrames: [Int]
    public var quotedTCPSequence: UInt32?
    /// The SYNs of the connection attempt the quoted packet belongs to.
    public var quotedSYNFrames: [Int]?
    /// ICMPv4 3/4 (fragmentation needed): the next-hop MTU, when the router gave one.
    public var nextHopMTU: Int?
    /// A port unreachable answering a traceroute probe.
    public var traceroute = false

    static let schema = [
        DetailField("icmp_version", .int, "4 or 6"),
        DetailField("type", .int, "ICMP type (1 for ICMPv6, 3 for ICMPv4)"),
        DetailField("code", .int, "ICMP code"),
        DetailField("code_name", .string, "the code in words"),
        DetailField("reported_by", .string, "the address that sent the error"),
        DetailField("icmp_frames", .ints, "every error aggregated into the finding"),
        DetailField("quoted_tcp_seq", .int, "the sequence number of the quoted TCP segment"),
        DetailField("quoted_syn_frames", .ints, "the SYNs of the attempt the quoted packet belongs to"),
        DetailField("next_hop_mtu", .int, "ICMPv4 fragmentation needed: the next-hop MTU (RFC 1191)"),
        DetailField("traceroute", .bool, "a port unreachable answering a traceroute probe (present only when true)"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("icmp_version", icmpVersion)
        f.add("type", type)
        f.add("code", code)
        f.add("code_name", codeName)
        f.add("reported_by", reportedBy.description)
        f.add("icmp_frames", icmpFrames)
        f.add("quoted_tcp_seq", quotedTCPSequence.map(Int.init))
        f.add("quoted_syn_frames", quotedSYNFrames)
        f.add("next_hop_mtu", nextHopMTU)
        if traceroute { f.add("traceroute", true) }
        return f.fields
    }
}
