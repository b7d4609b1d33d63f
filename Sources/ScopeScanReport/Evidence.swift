import ScopeScanCapture
import ScopeScanRules
import ScopeScanWire

/// Chooses the packets that prove the findings, annotates each, and collects their sketches for
/// the report while writing them to an evidence pcapng.
public struct EvidencePlan {
    /// Per evidence frame: the rule ids it proves, in order, and notes.
    public private(set) var annotations: [Int: [String]] = [:]

    public init(findings: [Finding]) {
        for finding in findings {
            for frame in finding.frames {
                var list = annotations[frame] ?? []
                if !list.contains(finding.rule.rawValue) { list.append(finding.rule.rawValue) }
                annotations[frame] = list
            }
            if finding.rule == .synUnanswered, let last = finding.frames.last(where: { frame in
                if case .ints(let icmp)? = finding.detail("icmp_error_frames") { return !icmp.contains(frame) }
                return true
            }) {
                let reason: String
                if case .string(let r)? = finding.detail("concluded_by") { reason = r } else { reason = "end of capture" }
                annotations[last, default: []].append("last SYN: no SYN-ACK or RST followed until \(reason)")
            }
            if finding.rule == .icmpUnreachable, case .ints(let syns)? = finding.detail("quoted_syn_frames"), let syn = syns.first,
               case .ints(let errors)? = finding.detail("icmp_frames") {
                for frame in errors {
                    annotations[frame, default: []].append("ICMP error quoting the SYN of frame \(syn)")
                }
            }
        }
    }

    public var frames: Set<Int> { Set(annotations.keys) }

    public func comment(frame: Int, input: String) -> String {
        "scopescan: frame \(frame) of \(input): " + (annotations[frame] ?? []).joined(separator: "; ")
    }
}

/// Reads the input again, writing the evidence frames (when asked) and sketching them for the report.
public enum EvidenceWriter {
    public static func collect(source: PacketSource, plan: EvidencePlan, inputName: String, evidencePath: String?, sectionComment: String) throws -> [Int: PacketSketch] {
        var sketches: [Int: PacketSketch] = [:]
        let writer = try evidencePath.map { path throws(CaptureError) in try PcapngWriter(path: path, comment: sectionComment, application: "scopescan") }
        var interfaceIDs: [Int: Int] = [:]
        let wanted = plan.frames
        _ = try source.forEachPacket { packet in
            guard wanted.contains(packet.frameNumber) else { return }
            let interface = source.interfaces[packet.interfaceIndex]
            let decoded = PacketDecoder.decode(packet.bytes, linkType: packet.linkType)
            sketches[packet.frameNumber] = PacketSketch(frame: packet.frameNumber, time: packet.timestamp, interface: interface.name, packet: decoded)
            guard let writer else { return }
            let id: Int
            if let known = interfaceIDs[packet.interfaceIndex] {
                id = known
            } else {
                id = try writer.addInterface(interface)
                interfaceIDs[packet.interfaceIndex] = id
            }
            try writer.writePacket(interfaceID: id, timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.bytes, direction: packet.direction, comment: plan.comment(frame: packet.frameNumber, input: inputName))
        }
        try writer?.flush()
        return sketches
    }
}
