import ScopeScanPackets
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
