import Foundation
import ScopeScanCapture

let fixturesDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

func fixture(_ name: String) -> String { fixturesDirectory.appendingPathComponent(name).path }

/// Every packet's metadata (bytes are borrowed, so only owned values are kept).
struct PacketRecord: Equatable {
    var frame: Int
    var epoch: String
    var interface: Int
    var capturedLength: Int
    var direction: PacketDirection
}

func records(_ source: PacketSource) throws -> (records: [PacketRecord], warnings: [CaptureWarning]) {
    var list: [PacketRecord] = []
    let warnings = try source.forEachPacket { packet in
        list.append(PacketRecord(frame: packet.frameNumber, epoch: packet.timestamp.epochText, interface: packet.interfaceIndex, capturedLength: packet.capturedLength, direction: packet.direction))
    }
    return (list, warnings)
}

/// A scratch copy of a fixture with some bytes changed, for damage tests.
func damagedCopy(of name: String, _ change: (inout [UInt8]) -> Void) throws -> String {
    var bytes = [UInt8](try Data(contentsOf: fixturesDirectory.appendingPathComponent(name)))
    change(&bytes)
    return try scratchFile(bytes, name: name)
}

/// Writes `bytes` to a new file in the temporary directory; returns its path.
func scratchFile(_ bytes: [UInt8], name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-\(UUID().uuidString)-\(name)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Pieces of little-endian pcapng files crafted by the tests.
enum CraftedPcapng {
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A section header block: version 1.0, section length unknown, no options.
    static let sectionHeader = le32(0x0A0D_0D0A) + le32(28) + le32(0x1A2B_3C4D) + [1, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8) + le32(28)
}
