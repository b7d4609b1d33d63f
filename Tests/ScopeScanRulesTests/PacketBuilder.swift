import ScopeScanCapture
import ScopeScanRules
import ScopeScanWire

/// Builds Ethernet/IPv6/TCP frames for engine tests that need more packets than a fixture holds
/// (a SYN flood of distinct flows). Checksums are left zero: no rule reads them.
enum PacketBuilder {
    static func tcp6(source: IPv6Address, destination: IPv6Address, sourcePort: UInt16, destinationPort: UInt16, seq: UInt32, ack: UInt32 = 0, flags: TCPFlags, zeroMACs: Bool = false) -> [UInt8] {
        var frame: [UInt8] = zeroMACs ? Array(repeating: 0, count: 12) : [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]
        frame += [0x86, 0xdd]
        frame += [0x60, 0, 0, 0, 0, 20, 6, 64]
        frame += bytes(source) + bytes(destination)
        frame += be16(sourcePort) + be16(destinationPort) + be32(seq) + be32(ack)
        frame += [0x50, UInt8(truncatingIfNeeded: flags.rawValue), 0xff, 0xff, 0, 0, 0, 0]
        return frame
    }

    static func bytes(_ a: IPv6Address) -> [UInt8] { be64(a.high) + be64(a.low) }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }
    static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xffff_ffff)) }

    /// Feeds frames to `analyzer` as one Ethernet interface, one frame per `spacing` seconds.
    static func feed(_ frames: [[UInt8]], to analyzer: Analyzer, start: Int64 = 1_700_000_000, spacing: Double = 0.001, interfaceName: String? = "eth0") {
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: interfaceName, linkType: .ethernet)])
        for (i, frame) in frames.enumerated() {
            deliver(frame, to: analyzer, frame: i + 1, nanoseconds: start * 1_000_000_000 + Int64(Double(i) * spacing * 1e9))
        }
    }

    /// Hands one frame to `analyzer` as a captured packet, whole (original length = its length).
    static func deliver(_ bytes: [UInt8], to analyzer: Analyzer, frame: Int, nanoseconds: Int64, interface: Int = 0, linkType: LinkType = .ethernet) {
        bytes.withUnsafeBytes { raw in
            analyzer.analyse(CapturedPacket(frameNumber: frame, timestamp: Timestamp(nanoseconds: nanoseconds), originalLength: raw.count, interfaceIndex: interface, linkType: linkType, bytes: raw))
        }
    }
}
