import Foundation
import Testing
import ScopeScanCapture
import ScopeScanPackets
@testable import ScopeScanWire

/// `PlainTCPSegment.recognise` against the decoder on every frame of every capture in Fixtures/
/// (pcap and pcapng, every link type there), with the check of `PlainTCPSegmentTests.swift`
/// (`plainCheck`), which holds it to the same contract on generated and mutated frames.
@Suite("PlainTCPSegment.recognise on every fixture frame")
struct PlainTCPSegmentTestsOnFixtures {
    /// The repository's Fixtures/ directory, found from this file's path.
    static let fixturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    @Test("the contract and completeness on every frame of every fixture")
    func everyFixtureFrame() throws {
        var files = 0, frames = 0, recognised = 0, plain = 0
        var linkTypes: Set<UInt32> = []
        var violations: [String] = []
        var misses: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixturesDirectory.path).sorted() where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
            // Files no reader opens (not-a-capture.pcap, an unsupported header) have no frames.
            guard let source = try? CaptureFile.open(path: Self.fixturesDirectory.appendingPathComponent(name).path) else { continue }
            files += 1
            // A damaged file ends with a warning or an error after its last good frame: the frames
            // read before count.
            _ = try? source.forEachPacket { packet in
                frames += 1
                linkTypes.insert(UInt32(packet.linkType.rawValue))
                let result = plainCheck(packet.span, linkType: packet.linkType)
                if result.segment != nil { recognised += 1 }
                if result.plainByDecoder { plain += 1 }
                if !result.violations.isEmpty {
                    violations.append("\(name) #\(packet.frameNumber): \(result.violations.joined(separator: "; ")) frame \(hex(Array(packet.bytes)))")
                }
                if result.completenessMiss {
                    misses.append("\(name) #\(packet.frameNumber): frame \(hex(Array(packet.bytes)))")
                }
            }
        }
        #expect(violations.isEmpty, "contract violations:\n\(violations.prefix(20).joined(separator: "\n"))")
        #expect(misses.isEmpty, "frames the decoder finds plain that recognise refuses:\n\(misses.prefix(20).joined(separator: "\n"))")
        #expect(files >= 40)
        #expect(recognised >= 100)
        #expect(linkTypes.count >= 15)
        print("PlainTCPSegmentTestsOnFixtures: \(files) files, \(frames) frames, \(linkTypes.count) link types, \(recognised) recognised, \(plain) plain by the decoder")
    }
}
