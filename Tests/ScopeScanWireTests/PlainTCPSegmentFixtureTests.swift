import Foundation
import Testing
import ScopeScanCapture
import ScopeScanPackets
@testable import ScopeScanWire

/// `PlainTCPSegment.recognise` against the decoder on every frame of every capture in Fixtures/
/// (pcap and pcapng, every link type there). In this target because ScopeScanWireTests cannot read
/// capture files; `Tests/ScopeScanWireTests/PlainTCPSegmentTests.swift` checks the same contract
/// on generated and mutated frames, with the same check written out there.
/// Whether an optional view is present (as `present` in ScopeScanWireTests' TestSupport).
private func present<T: ~Escapable>(_ value: T?) -> Bool {
    switch value {
    case .some: return true
    case .none: return false
    }
}

@Suite("PlainTCPSegment.recognise on every fixture frame")
struct PlainTCPSegmentTestsOnFixtures {
    /// The contract (recognise's doc comment): where it returns a segment, the decode of the same
    /// frame agrees with it. Returns the fields that differ; `plain` says whether the decoder found
    /// the shape recognise is for (completeness: recognise should then return a segment).
    static func check(_ frame: RawSpan, linkType: LinkType) -> (segment: PlainTCPSegment?, plain: Bool, violations: [String]) {
        let segment = PlainTCPSegment.recognise(frame, linkType: linkType)
        let packet = PacketDecoder.decode(frame, linkType: linkType)
        var plain = false
        if linkType == .ethernet, packet.link?.linkType == .ethernet, packet.link?.headerLength == 14, packet.error == nil, present(packet.tcp) {
            if let ip = packet.ipv6 {
                plain = packet.upperLayer == .tcp && ip.nextHeader == .tcp && packet.extensions?.upperLayerOffset == 0
            } else if let ip = packet.ipv4 {
                plain = ip.fragmentOffset == 0 && ip.proto == .tcp
            }
        }
        guard let segment else { return (nil, plain, []) }
        var violations: [String] = []
        if let link = packet.link {
            if link.linkType != .ethernet { violations.append("link.linkType \(link.linkType.rawValue)") }
            if link.networkProtocol != (segment.ipVersion == 6 ? .ipv6 : .ipv4) { violations.append("link.networkProtocol \(link.networkProtocol.rawValue)") }
            if link.headerLength != 14 { violations.append("link.headerLength \(link.headerLength)") }
            if link.outerVLAN != 0 || link.innerVLAN != 0 { violations.append("link VLANs \(link.outerVLAN)/\(link.innerVLAN)") }
            if present(link.pktap) { violations.append("link.pktap present") }
            if link.nullFamily != 0 { violations.append("link.nullFamily \(link.nullFamily)") }
            if link.hasZeroMACs != segment.hasZeroMACs { violations.append("link.hasZeroMACs \(link.hasZeroMACs), segment \(segment.hasZeroMACs)") }
        } else {
            violations.append("link nil")
        }
        if let error = packet.error { violations.append("error \(error)") }
        if let tcp = packet.tcp {
            if tcp.flags != segment.flags { violations.append("tcp.flags \(tcp.flags.rawValue), segment \(segment.flags.rawValue)") }
            if tcp.sequenceNumber != segment.sequenceNumber { violations.append("tcp.sequenceNumber \(tcp.sequenceNumber), segment \(segment.sequenceNumber)") }
        } else {
            violations.append("tcp nil")
        }
        if present(packet.udp) || present(packet.icmpv4) || present(packet.icmpv6) || present(packet.quoted) { violations.append("udp, icmp or quoted present") }
        if packet.upperLayer != .tcp { violations.append("upperLayer \(packet.upperLayer.map { "\($0.rawValue)" } ?? "nil")") }
        if segment.ipVersion == 6 {
            if present(packet.ipv4) { violations.append("ipv4 present for ipVersion 6") }
            if let ip = packet.ipv6 {
                if ip.hopLimit != segment.hopLimit { violations.append("ipv6.hopLimit \(ip.hopLimit), segment \(segment.hopLimit)") }
                if ip.header.u8(8) != segment.sourceFirstByte || ip.header.u8(24) != segment.destinationFirstByte { violations.append("ipv6 address first bytes") }
                if ip.nextHeader != .tcp || packet.extensions?.upperLayerOffset != 0 { violations.append("ipv6 extension headers") }
            } else {
                violations.append("ipv6 nil")
            }
        } else if segment.ipVersion == 4 {
            if present(packet.ipv6) { violations.append("ipv6 present for ipVersion 4") }
            if let ip = packet.ipv4 {
                if ip.ttl != segment.hopLimit { violations.append("ipv4.ttl \(ip.ttl), segment \(segment.hopLimit)") }
                if ip.header.u8(12) != segment.sourceFirstByte || ip.header.u8(16) != segment.destinationFirstByte { violations.append("ipv4 address first bytes") }
                if ip.fragmentOffset != 0 || ip.proto != .tcp { violations.append("ipv4 fragment or protocol") }
            } else {
                violations.append("ipv4 nil")
            }
        } else {
            violations.append("ipVersion \(segment.ipVersion)")
        }
        return (segment, plain, violations)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    @Test("the contract and completeness on every frame of every fixture")
    func everyFixtureFrame() throws {
        var files = 0, frames = 0, recognised = 0, plain = 0
        var linkTypes: Set<UInt32> = []
        var violations: [String] = []
        var misses: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path).sorted() where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
            // Files no reader opens (not-a-capture.pcap, an unsupported header) have no frames.
            guard let source = try? CaptureFile.open(path: fixture(name)) else { continue }
            files += 1
            // A damaged file ends with a warning or an error after its last good frame: the frames
            // read before count.
            _ = try? source.forEachPacket { packet in
                frames += 1
                linkTypes.insert(UInt32(packet.linkType.rawValue))
                let result = Self.check(packet.span, linkType: packet.linkType)
                if result.segment != nil { recognised += 1 }
                if result.plain { plain += 1 }
                if !result.violations.isEmpty {
                    violations.append("\(name) #\(packet.frameNumber): \(result.violations.joined(separator: "; ")) frame \(Self.hex(packet.bytes))")
                }
                if result.plain && result.segment == nil {
                    misses.append("\(name) #\(packet.frameNumber): frame \(Self.hex(packet.bytes))")
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
