import ScopeScanCapture
import ScopeScanReport
import ScopeScanRules
import ScopeScanWire

import ScopeScanSystem

/// Reads the input again, writing the evidence frames (when asked) and sketching them for the report.
public enum EvidenceWriter {
    /// `evidence`: where the evidence goes (an `OutputFile`'s temporary file; the caller commits it).
    /// `uncapturedDrops`: packets the kernel dropped before the capture saw them; they go on an
    /// extra interface named `kernel-drops` (raw IP), commented with the reason.
    /// `eachPacket` sees every packet read (the progress line).
    public static func collect(source: PacketSource, plan: EvidencePlan, inputName: String, evidence: OutputFile?, sectionComment: String,
                               uncapturedDrops: [KernelDropRecord] = [], eachPacket: (CapturedPacket) -> Void = { _ in }) throws -> [Int: PacketSketch] {
        var sketches: [Int: PacketSketch] = [:]
        let writer = try evidence.map { file throws(CaptureError) in try PcapngWriter(descriptor: file.descriptor, path: file.path, comment: sectionComment, application: "scopescan") }
        var interfaceIDs: [Int: Int] = [:]
        // The frames wanted, in order, and the next one: frame numbers only grow during a pass, so
        // each packet is one comparison (a set's look-up hashed every frame number of the file).
        let wanted = plan.frames.sorted()
        var next = 0
        _ = try source.forEachPacket { packet in
            eachPacket(packet)
            while next < wanted.count && wanted[next] < packet.frameNumber { next += 1 }
            guard next < wanted.count && wanted[next] == packet.frameNumber else { return }
            let interface = source.interfaces[packet.interfaceIndex]
            let decoded = PacketDecoder.decode(packet.span, linkType: packet.linkType)
            sketches[packet.frameNumber] = PacketSketch(frame: packet.frameNumber, time: packet.timestamp, interface: interface.name, packet: decoded)
            guard let writer else { return }
            let id: Int
            if let known = interfaceIDs[packet.interfaceIndex] {
                id = known
            } else {
                id = try writer.addInterface(interface)
                interfaceIDs[packet.interfaceIndex] = id
            }
            try writer.writePacket(interfaceID: id, timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.span, direction: packet.direction, comment: plan.comment(frame: packet.frameNumber, input: inputName))
        }
        if let writer, !uncapturedDrops.isEmpty {
            let id = try writer.addInterface(CaptureInterface(index: -1, name: "kernel-drops", interfaceDescription: "packets the kernel dropped before the capture saw them (skb:kfree_skb)", linkType: .raw))
            for drop in uncapturedDrops.sorted(by: { $0.time < $1.time }) {
                let comment = "scopescan: never captured; dropped by the kernel: \(drop.reasonText) (\(drop.explanation))\(drop.interface.map { " on \($0)" } ?? "")"
                let bytes = drop.bytes
                try writer.writePacket(interfaceID: id, timestamp: drop.time, originalLength: bytes.count, bytes: bytes.rawSpan, comment: comment)
            }
        }
        try writer?.flush()
        return sketches
    }
}
