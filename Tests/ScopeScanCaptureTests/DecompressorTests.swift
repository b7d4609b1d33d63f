import Foundation
import Testing
@testable import ScopeScanCapture
import ScopeScanWire

/// The decompressor's ring lends its buffers to the stream window; these check that every byte
/// comes out once and in order, however blocks straddle the buffers, with the real compressors.
@Suite("decompression ring: buffers read in place")
struct DecompressorTests {
    /// A deterministic generator (xorshift), so a failure can be replayed.
    struct Bytes {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    /// Runs `command` with `input` on stdin; its stdout.
    static func filter(_ command: String, _ input: [UInt8]) throws -> [UInt8] {
        let source = try scratchFile(input, name: "plain")
        defer { unlink(source) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(command) < '\(source)'"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command)")
        return [UInt8](data)
    }

    static func window(over compressed: [UInt8], _ compression: Compression, chunkSize: Int) throws -> (StreamWindow, String) {
        let path = try scratchFile(compressed, name: "compressed")
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        return (StreamWindow(DecompressingStream(source: DescriptorStream(fd: fd, ownsDescriptor: true), compression: compression, chunkSize: chunkSize)), path)
    }

    @Test("random need/consume over small buffers gives the plain bytes in order, and the spool all of them",
          arguments: [("gzip -c", Compression.gzip), ("zstd -q -c", .zstd), ("lz4 -q -c", .lz4)])
    func straddling(_ compressor: String, _ compression: Compression) throws {
        var random = Bytes(state: 0x9e37_79b9_7f4a_7c15)
        // Compressible but not constant: runs of a byte with random lengths.
        var plain: [UInt8] = []
        while plain.count < 600_000 {
            let byte = UInt8(truncatingIfNeeded: random.next())
            plain += [UInt8](repeating: byte, count: Int(random.next() % 40) + 1)
        }
        let compressed = try Self.filter(compressor, plain)
        for chunkSize in [1000, 4096, 65_536] {
            let (window, path) = try Self.window(over: compressed, compression, chunkSize: chunkSize)
            defer { unlink(path) }
            let spool = try Spool()
            window.need(1)
            window.spool = spool
            var offset = 0
            while offset < plain.count {
                let want = Int(random.next() % 9000) + 1
                let complete = window.need(want)
                let expected = min(want, plain.count - offset)
                #expect(complete == (expected == want), "chunk \(chunkSize) at \(offset)")
                #expect(window.window.count >= expected)
                guard window.window.head(expected).array == Array(plain[offset..<(offset + expected)]) else {
                    Issue.record("\(compressor), chunk \(chunkSize): bytes differ at offset \(offset)")
                    break
                }
                let step = Int(random.next() % UInt64(expected)) + 1
                window.consume(step)
                offset += step
                #expect(window.offset == offset)
            }
            #expect(!window.need(1))
            #expect(window.endProblem == nil)
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: spool.path))) == plain, "\(compressor), chunk \(chunkSize): the spool")
        }
    }

    @Test("a capture several buffers long: the same packets compressed as plain", arguments: ["gzip -c", "zstd -q -c", "lz4 -q -c"])
    func largeCapture(_ compressor: String) throws {
        // 12,000 records of 60 to 1,514 bytes: about 9 MB, many records across 1 MiB buffers.
        var random = Bytes(state: 42)
        var file: [UInt8] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        for index in 0..<12_000 {
            let length = 60 + Int(random.next() % 1455)
            file += le32(index) + le32(0) + le32(length) + le32(length)
            file += (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ index) }
        }
        let plainPath = try scratchFile(file, name: "large.pcap")
        defer { unlink(plainPath) }
        let compressedPath = try scratchFile(try Self.filter(compressor, file), name: "large.pcap.z")
        defer { unlink(compressedPath) }
        var expected: [[UInt8]] = []
        _ = try CaptureFile.open(path: plainPath).forEachPacket { expected.append(Array($0.bytes)) }
        var got: [[UInt8]] = []
        let stream = try CaptureStream.open(path: compressedPath, copy: .never)
        let warnings = try stream.forEachPacket { got.append(Array($0.bytes)) }
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(got.count == 12_000)
        #expect(got == expected)
    }
}
