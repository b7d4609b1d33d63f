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
            if let unanswered = finding.details(as: SynUnansweredDetails.self),
               let last = finding.frames.last(where: { !(unanswered.icmpErrorFrames ?? []).contains($0) }) {
                annotations[last, default: []].append("last SYN: no SYN-ACK or RST followed until \(unanswered.concludedBy.rawValue)")
            }
            for drop in finding.kernelDrops {
                guard let frame = drop.frame else { continue }
                let note = "dropped by the kernel: \(drop.reasonText) (\(drop.explanation))"
                if !(annotations[frame] ?? []).contains(note) { annotations[frame, default: []].append(note) }
            }
            if let icmp = finding.details(as: ICMPUnreachableDetails.self), let syn = icmp.quotedSYNFrames?.first {
                for frame in icmp.icmpFrames {
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
