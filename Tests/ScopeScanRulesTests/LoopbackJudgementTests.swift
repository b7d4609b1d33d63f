import Testing
import ScopeScanPackets
@testable import ScopeScanRules
import ScopeScanWire

@Suite("Loopback judgement: names, ARPHRD, initial hop limits")
struct LoopbackJudgementTests {
    @Test("names that decide, and names that leave it to the frames or the traffic", arguments: [
        ("lo", LinkType.ethernet, true as Bool?),
        ("lo0", .null, true),
        ("Loopback Pseudo-Interface 1", .null, true),
        ("\\Device\\NPF_Loopback", .null, true),
        ("utun3", .null, false),
        ("eth0", .ethernet, false),
        ("any", .linuxSLL2, nil), // ARPHRD 772 decides per frame
        ("", .null, nil), // unnamed DLT_NULL: the traffic decides
    ])
    func names(_ name: String, _ linkType: LinkType, _ expected: Bool?) {
        #expect(CaptureInterface(index: 0, name: name, linkType: linkType).isLoopbackByName == expected)
    }

    @Test("hop limits a host sends with are initial; others crossed a router", arguments: [
        (64, true), (128, true), (255, true), (1, true), (32, true), (60, true),
        (63, false), (52, false), (117, false), (254, false), (49, false),
    ])
    func initialHopLimits(_ value: Int, _ initial: Bool) {
        #expect(LoopbackJudgement.isInitialHopLimit(UInt8(value)) == initial)
    }

    @Test("Npcap's loopback: platform Windows from the interface name, not OpenBSD from AF 24")
    func npcapPlatform() throws {
        let analyzer = Analyzer()
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: "\\Device\\NPF_Loopback", linkType: .null)])
        // DLT_NULL, family 24 little-endian, an IPv6 header from ::1 to ::1 (hop limit 64).
        var frame: [UInt8] = [24, 0, 0, 0, 0x60, 0, 0, 0, 0, 0, 59, 64]
        frame += Array(repeating: 0, count: 15) + [1] + Array(repeating: 0, count: 15) + [1]
        frame.withUnsafeBytes { raw in
            analyzer.analyse(CapturedPacket(frameNumber: 1, timestamp: Timestamp(nanoseconds: 1_000_000_000), originalLength: raw.count, interfaceIndex: 0, linkType: .null, bytes: raw))
        }
        _ = analyzer.finish()
        #expect(analyzer.interfaces.platforms[0] == "Windows")
        #expect(analyzer.interfaces.platformEvidence[0] == "interface-name")
        #expect(analyzer.interfaces.loopbackVerdicts[0]?.isLoopback == true)
    }
}

@Suite("Loopback judgement: tunnels on DLT_NULL")
struct TunnelJudgementTests {
    /// DLT_NULL family 30 (macOS framing) before the IPv6 header of a PacketBuilder frame.
    static func null30(_ ethernet: [UInt8], hopLimit: UInt8 = 64) -> [UInt8] {
        var frame: [UInt8] = [30, 0, 0, 0] + ethernet.dropFirst(14)
        frame[4 + 7] = hopLimit
        return frame
    }

    @Test("a utun-like link (replies with hop limit 52): no loopback findings, no macOS story on syn-unanswered")
    func tunnel() {
        let analyzer = Analyzer()
        analyzer.updateInterfaces([CaptureInterface(index: 0, linkType: .null)])
        let host = IPv6Address("2001:db8:100::5")!, remote = IPv6Address("2001:db8:5::1")!
        let linkLocal = IPv6Address("fe80::1c:5")!, peer = IPv6Address("fe80::1c:9")!
        let frames = [
            Self.null30(PacketBuilder.tcp6(source: linkLocal, destination: peer, sourcePort: 5000, destinationPort: 22, seq: 7, flags: .syn)),
            Self.null30(PacketBuilder.tcp6(source: linkLocal, destination: peer, sourcePort: 5000, destinationPort: 22, seq: 7, flags: .syn)),
            Self.null30(PacketBuilder.tcp6(source: linkLocal, destination: peer, sourcePort: 5000, destinationPort: 22, seq: 7, flags: .syn)),
            Self.null30(PacketBuilder.tcp6(source: host, destination: remote, sourcePort: 5001, destinationPort: 443, seq: 9, flags: .syn)),
            Self.null30(PacketBuilder.tcp6(source: remote, destination: host, sourcePort: 443, destinationPort: 5001, seq: 90, ack: 10, flags: [.syn, .ack]), hopLimit: 52),
        ]
        for (i, frame) in frames.enumerated() {
            PacketBuilder.deliver(frame, to: analyzer, frame: i + 1, nanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 2_000_000_000, linkType: .null)
        }
        let findings = analyzer.finish()
        #expect(!findings.contains { $0.rule == .linkLocalOnLoopback || $0.rule == .nonlocalOnLoopback })
        let unanswered = findings.first { $0.rule == .synUnanswered }
        #expect(unanswered != nil)
        #expect(unanswered?.detail("platform_note") == nil)
        #expect(unanswered?.summary.contains("macOS") == false)
        #expect(analyzer.interfaces.loopbackVerdicts[0]?.isLoopback == false)
    }
}
