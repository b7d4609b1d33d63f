import ScopeScanPackets
import ScopeScanWire

/// `icmp-unreachable`: ICMPv6 type 1 / ICMPv4 type 3, tied to the flow (and SYN) the quote names.
public final class ICMPUnreachableRule: Rule {
    public let descriptor = RuleCatalogue.icmpUnreachable
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
                if case .ints(let frames)? = finding.detail("icmp_frames"), frames.count < Finding.maximumFrames {
                    finding.setDetail("icmp_frames", .ints(frames + [context.frame]))
                }
            }
            if let killed {
                findings.update(key) { finding in
                    finding.setDetail("quoted_syn_frames", .ints(killed.synFrames))
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
        var details: [(String, DetailValue)] = [
            ("icmp_version", .int(version)), ("type", .int(Int(type))), ("code", .int(Int(code))), ("code_name", .string(codeName)),
            ("reported_by", .string(reporter.description)),
            ("icmp_frames", .ints([context.frame])),
        ]
        var frames = [context.frame]
        if let quotedFlow {
            summary += " for \(quotedFlow.text(interface: context.interfaceName))"
            if let seq = quoted?.tcpSequenceNumber { details.append(("quoted_tcp_seq", .int(Int(seq)))) }
        } else {
            summary += " (no quoted packet)"
        }
        if let killed {
            let synFrame = killed.lastSYN.frame
            summary += ": it ended the connect whose SYN is frame \(synFrame)"
            details.append(("quoted_syn_frames", .ints(killed.synFrames)))
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
