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
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-\(UUID().uuidString)-\(name)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}
