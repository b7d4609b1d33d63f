import ScopeScanPackets
import ScopeScanWire

/// `icmp-unreachable`: ICMPv6 type 1 / ICMPv4 type 3, tied to the flow (and SYN) the quote names.
public final class ICMPUnreachableRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .icmpUnreachable, severity: .error,
        title: "ICMP/ICMPv6 destination unreachable",
        condition: "ICMPv6 type 1 (any code) or ICMPv4 type 3, with the quoted packet decoded and tied to the flow (and SYN) it killed.",
        explanation: "The error names why the packet could not be delivered: no route, administratively prohibited (a firewall), beyond scope of source address (a link-local source sent off-link), address unreachable (neighbor discovery failed), port unreachable, source address failed ingress/egress policy, reject route. The quoted packet says which connection it ended.",
        platformContext: "On macOS, the connect to the host's own link-local address gets ICMPv6 errors back on lo0 (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533). Linux 'unreachable'/'prohibit' routes answer with codes 0 and 1; nftables 'reject' with any code.",
        references: ["RFC 4443 section 3.1 (codes 0–6)", "RFC 792 and RFC 1812 section 5.2.7.1 (ICMPv4 codes)", "RFC 4007 section 9 (beyond scope)"],
        details: ICMPUnreachableDetails.schema),
        make: { environment in ICMPUnreachableRule(tracker: environment.tracker) })
    public let descriptor = declaration.descriptor
    /// ICMPv6 type 1 and ICMPv4 type 3 only.
    public var interest: PacketTraits { .icmp }
    let tracker: ConnectionTracker

    init(tracker: ConnectionTracker) {
        self.tracker = tracker
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        let version: Int, type: UInt8, code: UInt8, codeName: String
        if let icmp = context.packet.icmpv6, icmp.type == .destinationUnreachable {
            (version, type, code, codeName) = (6, 1, icmp.code, ICMPv6UnreachableCode.name(icmp.code))
        } else if let icmp = context.packet.icmpv4, icmp.type == 3 {
            (version, type, code, codeName) = (4, 3, icmp.code, ICMPv4UnreachableCode.name(icmp.code))
        } else {
            return
        }
        guard let reporter = context.packet.source else { return }
        let quoted = context.packet.quoted
        let quotedFlow = quoted.map {
            FlowDescription(source: $0.source, destination: $0.destination, sourcePort: $0.sourcePort, destinationPort: $0.destinationPort, proto: $0.upperLayer)
        }
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
        var summary = "\(family) destination unreachable (\(codeName)) from \(reporter.scopedText(interface: context.interfaceName))"
        var details = ICMPUnreachableDetails(icmpVersion: version, type: Int(type), code: Int(code), codeName: codeName, reportedBy: reporter, icmpFrames: [context.frame])
        var frames = [context.frame]
        if let quotedFlow {
            summary += " for \(quotedFlow.text(interface: context.interfaceName))"
            details.quotedTCPSequence = quoted?.tcpSequenceNumber
        } else {
            summary += " (no quoted packet)"
        }
        if let killed {
            let synFrame = killed.lastSYN.frame
            summary += ": it ended the connect whose SYN is frame \(synFrame)"
            details.quotedSYNFrames = killed.synFrames
            frames += killed.synFrames
        }
        var related: [RuleID] = []
        if version == 6 && code == 2 {
            related.append(.scopeViolation)
            summary += " (the source address's scope is too small: see scope-violation)"
        }
        let finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: quotedFlow ?? context.flow, summary: summary, details: details, frames: frames.sorted(), related: related)
        findings.add(key, finding)
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

    static let schema = [
        DetailField("icmp_version", .int, "4 or 6"),
        DetailField("type", .int, "ICMP type (1 for ICMPv6, 3 for ICMPv4)"),
        DetailField("code", .int, "ICMP code"),
        DetailField("code_name", .string, "the code in words"),
        DetailField("reported_by", .string, "the address that sent the error"),
        DetailField("icmp_frames", .ints, "every error aggregated into the finding"),
        DetailField("quoted_tcp_seq", .int, "the sequence number of the quoted TCP segment"),
        DetailField("quoted_syn_frames", .ints, "the SYNs of the attempt the quoted packet belongs to"),
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
        return f.fields
    }
}
