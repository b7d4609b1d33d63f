import Foundation
import Testing
import ScopeScanAnalysis
import ScopeScanCapture
@testable import ScopeScanRules
import ScopeScanWire

/// The analyser calls a rule only for packets with a trait the rule declares interest in
/// (`Rule.interest`). These tests run the same packets through an analyser that offers every
/// packet to every rule, as before, and expect the very same findings, summary, warnings and
/// loopback verdicts (`analysisOutcome`).
@Suite("Rules are offered every packet they can act on")
struct RuleInterestTests {
    func analyse(_ path: String, offeringEveryPacket: Bool) throws -> [String] {
        let source = try CaptureFile.open(path: path)
        let analysis = try CaptureAnalysis.run(source, filter: nil, makeAnalyzer: { Analyzer(configuration: RuleConfiguration(), offeringEveryPacket: offeringEveryPacket) })
        return analysisOutcome(analysis.analyzer, findings: analysis.findings)
    }

    @Test("every fixture")
    func fixtures() throws {
        var checked = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path) where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
            guard (try? CaptureFile.open(path: fixture(name))) != nil else { continue }
            let offered = try analyse(fixture(name), offeringEveryPacket: true)
            let filtered = try analyse(fixture(name), offeringEveryPacket: false)
            #expect(filtered == offered, "\(name)")
            checked += 1
        }
        #expect(checked >= 20)
    }

    static let v6Addresses: [IPv6Address] = [
        "::1", "::", "fe80::1", "fe80::a:1", "fe80::a:2", "fe80:3::5", "::ffff:192.0.2.7", "2001:db8::1", "2001:db8::2",
        "fd00::7", "ff02::1", "ff02::1:ff00:2", "ff05::2", "fec0::1", "2001:db8:9::1",
    ].map { IPv6Address($0)! }
    static let v4Addresses: [IPv4Address] = ["127.0.0.1", "192.0.2.1", "10.0.0.1", "169.254.1.1", "224.0.0.1"].map { IPv4Address($0)! }

    func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    func be32(_ v: UInt32) -> [UInt8] { be16(Int(v >> 16)) + be16(Int(v & 0xffff)) }
    func bytes(_ a: IPv6Address) -> [UInt8] { PacketBuilder.be64(a.high) + PacketBuilder.be64(a.low) }

    func tcp(_ r: inout SplitMix64, sport: Int, dport: Int) -> [UInt8] {
        let flags = r.pick([0x02, 0x02, 0x12, 0x04, 0x14, 0x10, 0x18, 0x11])
        return be16(sport) + be16(dport) + be32(UInt32(r.below(4))) + be32(0) + [0x50, UInt8(flags), 0xff, 0xff, 0, 0, 0, 0]
    }

    func ipv6(_ source: IPv6Address, _ destination: IPv6Address, _ next: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(payload.count) + [next, 64] + bytes(source) + bytes(destination) + payload
    }

    /// A random Ethernet frame: TCP, UDP, ICMPv6 errors quoting TCP, Neighbor Discovery, echo, or IPv4.
    func randomFrame(_ r: inout SplitMix64) -> [UInt8] {
        let zeroMACs = r.below(4) == 0
        var frame: [UInt8] = zeroMACs ? Array(repeating: 0, count: 12) : [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]
        let source = r.pick(Self.v6Addresses), destination = r.pick(Self.v6Addresses)
        let sport = r.pick([40000, 40001, 80]), dport = r.pick([80, 443, 40000])
        switch r.below(8) {
        case 0, 1, 2:
            frame += [0x86, 0xdd] + ipv6(source, destination, 6, tcp(&r, sport: sport, dport: dport))
        case 3:
            frame += [0x86, 0xdd] + ipv6(source, destination, 17, be16(sport) + be16(dport) + be16(8) + [0, 0])
        case 4:
            let quoted = ipv6(destination, source, 6, tcp(&r, sport: dport, dport: sport))
            frame += [0x86, 0xdd] + ipv6(source, destination, 58, [1, UInt8(r.below(8)), 0, 0, 0, 0, 0, 0] + quoted)
        case 5:
            let target = r.pick(Self.v6Addresses)
            frame += [0x86, 0xdd] + ipv6(source, destination, 58, [UInt8(r.pick([135, 136, 137])), 0, 0, 0, 0, 0, 0, 0] + bytes(target))
        case 6:
            frame += [0x86, 0xdd] + ipv6(source, destination, 58, [UInt8(r.pick([128, 129, 2, 3])), 0, 0, 0, 0, 0, 0, 0])
        default:
            let s = r.pick(Self.v4Addresses), d = r.pick(Self.v4Addresses)
            let payload = r.below(2) == 0 ? tcp(&r, sport: sport, dport: dport) : [3, UInt8(r.below(4)), 0, 0, 0, 0, 0, 0]
            let proto: UInt8 = payload.count == 20 ? 6 : 1
            frame += [0x08, 0x00, 0x45, 0] + be16(20 + payload.count) + [0, 0, 0, 0, 64, proto, 0, 0] + be32(s.value) + be32(d.value) + payload
        }
        return frame
    }

    /// The same random packets through both analysers, over `interfaces` (picked per packet).
    func compareRandom(seed: UInt64, count: Int, interfaces: [CaptureInterface]) {
        var random = SplitMix64(state: seed)
        let analyzers = [Analyzer(configuration: RuleConfiguration(), offeringEveryPacket: true), Analyzer(configuration: RuleConfiguration(), offeringEveryPacket: false)]
        for analyzer in analyzers { analyzer.updateInterfaces(interfaces) }
        var time: Int64 = 1_700_000_000_000_000_000
        for frameNumber in 1...count {
            let frame = randomFrame(&random)
            time += Int64(random.below(1_500_000_000))
            let index = random.below(interfaces.count)
            frame.withUnsafeBytes { raw in
                let packet = CapturedPacket(frameNumber: frameNumber, timestamp: Timestamp(nanoseconds: time), originalLength: raw.count, interfaceIndex: index, linkType: .ethernet, bytes: raw)
                for analyzer in analyzers { analyzer.analyse(packet) }
            }
        }
        let offered = analysisOutcome(analyzers[0]), filtered = analysisOutcome(analyzers[1])
        #expect(offered.count > 1)
        #expect(filtered == offered)
    }

    @Test("random packets of every kind on a loopback and an Ethernet interface")
    func randomTwoInterfaces() {
        let lo = CaptureInterface(index: 0, name: "lo", linkType: .ethernet, addresses: [InterfaceAddress(address: .v6(.loopback), prefixLength: 128)])
        let eth = CaptureInterface(index: 1, name: "eth0", linkType: .ethernet, addresses: [InterfaceAddress(address: .v6(IPv6Address("fe80::a:1")!), prefixLength: 64)])
        compareRandom(seed: 1, count: 20_000, interfaces: [lo, eth])
    }

    @Test("random packets on one unnamed link, where zero MACs mark loopback")
    func randomUnnamed() {
        compareRandom(seed: 2, count: 20_000, interfaces: [CaptureInterface(index: 0, linkType: .ethernet)])
    }
}
