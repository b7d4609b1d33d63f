import Foundation
import Testing
@testable import ScopeScanCapture
import ScopeScanWire

/// Opens `path` through a FIFO fed by a writer thread: the stream readers, not the map.
func throughFIFO<T>(_ path: String, _ body: (String) throws -> T) throws -> T {
    let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-fifo-\(UUID().uuidString)").path
    #expect(mkfifo(fifo, 0o600) == 0)
    defer { unlink(fifo) }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let writer = Thread {
        guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
        handle.write(bytes)
        try? handle.close()
    }
    writer.start()
    defer { while !writer.isFinished { usleep(1000) } }
    return try body(fifo)
}

@Suite("stream readers give what the mapped readers give")
struct StreamReaderTests {
    static let captures: [String] = try! FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)
        .filter { ($0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng")) && $0 != "not-a-capture.pcap" }.sorted()

    @Test("every fixture: the same packets, bytes and interfaces from a FIFO as from the file", arguments: captures)
    func sameAsFile(_ name: String) throws {
        let file = try CaptureFile.open(path: fixture(name))
        let expected = try records(file)
        var expectedBytes: [[UInt8]] = []
        _ = try CaptureFile.open(path: fixture(name)).forEachPacket { expectedBytes.append(Array($0.bytes)) }
        try throughFIFO(fixture(name)) { fifo in
            let stream = try CaptureStream.open(path: fifo, copy: .never)
            #expect(!(stream is PcapFileReader))
            var bytes: [[UInt8]] = []
            var list: [PacketRecord] = []
            let warnings = try stream.forEachPacket { packet in
                bytes.append(Array(packet.bytes))
                list.append(PacketRecord(frame: packet.frameNumber, epoch: packet.timestamp.epochText, interface: packet.interfaceIndex, capturedLength: packet.capturedLength, direction: packet.direction))
            }
            #expect(list == expected.records, "\(name)")
            #expect(bytes == expectedBytes, "\(name)")
            #expect(stream.interfaces.map(\.linkType) == file.interfaces.map(\.linkType), "\(name)")
            #expect(stream.interfaces.map(\.name) == file.interfaces.map(\.name), "\(name)")
            #expect(warnings.map(\.offset) == expected.warnings.map(\.offset), "\(name): \(warnings) vs \(expected.warnings)")
        }
    }

    @Test("a stream's second pass reads its spool, which is removed with the source")
    func secondPassFromSpool() throws {
        var spoolPath: String?
        try throughFIFO(fixture("linux-two-interfaces.pcapng")) { fifo in
            let stream = try CaptureStream.open(path: fifo, copy: .always)
            spoolPath = stream.copyPath
            let first = try records(stream)
            let second = try records(stream)
            #expect(first.records == second.records)
            #expect(!first.records.isEmpty)
            #expect(FileManager.default.fileExists(atPath: spoolPath ?? ""))
        }
        #expect(spoolPath != nil)
        #expect(!FileManager.default.fileExists(atPath: spoolPath ?? ""))
    }

    @Test("compression is known by magic number")
    func magic() {
        #expect(Compression.detect([0x1f, 0x8b, 8, 0]) == .gzip)
        #expect(Compression.detect([0x28, 0xb5, 0x2f, 0xfd]) == .zstd)
        #expect(Compression.detect([0x04, 0x22, 0x4d, 0x18]) == .lz4)
        #expect(Compression.detect([0x0a, 0x0d, 0x0d, 0x0a]) == nil)
        #expect(Compression.detect([0xd4, 0xc3, 0xb2, 0xa1]) == nil)
    }
}
