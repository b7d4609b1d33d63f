import Testing
@testable import ScopeScanRules
import ScopeScanPackets
import ScopeScanWire

/// Kernel drops (as ScopeScanKernel hands them over, already tied to frames) on the findings.
@Suite("Kernel drops on findings and the kernel-drop rule")
struct KernelDropTests {
    let client = IPv6Address(high: 0x2001_0db8_0001_0000, low: 1)
    let server = IPv6Address(high: 0x2001_0db8_0001_0000, low: 2)
    let start: Int64 = 1_700_000_000 * 1_000_000_000

    func drop(frame: Int?, at seconds: Double, reason: String = "NETFILTER_DROP", location: String? = "nft_do_chain", flags: TCPFlags = .syn, destination: IPv6Address? = nil) -> KernelDropRecord {
        let flow = FlowDescription(source: .v6(client), destination: .v6(destination ?? server), sourcePort: 5000, destinationPort: 8080, proto: .tcp)
        return KernelDropRecord(frame: frame, time: Timestamp(nanoseconds: start + Int64(seconds * 1e9) + 20_000), reason: reason, location: location,
                                interface: "veth0", explanation: reason == "NETFILTER_DROP" ? "a firewall rule" : "no socket listening", flow: flow, tcpFlags: flags)
    }

    /// Three SYNs 1 s and 2 s apart, none answered: a syn-unanswered of frames 1, 2, 3.
    func unansweredSYNs(_ analyzer: Analyzer) {
        let syn = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 8080, seq: 77, flags: .syn)
        for (frame, seconds) in [(1, 0.0), (2, 1.0), (3, 3.0)] {
            PacketBuilder.deliver(syn, to: analyzer, frame: frame, nanoseconds: start + Int64(seconds * 1e9))
        }
    }

    @Test("every SYN of a syn-unanswered dropped: the finding carries the drops and says so")
    func dropsExplainSynUnanswered() throws {
        let analyzer = Analyzer()
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: "veth0", linkType: .ethernet)])
        unansweredSYNs(analyzer)
        analyzer.noteKernelDrops([drop(frame: 1, at: 0), drop(frame: 2, at: 1), drop(frame: 3, at: 3)])
        let findings = analyzer.finish()
        let finding = try #require(findings.first { $0.rule == .synUnanswered })
        #expect(finding.kernelDrops.map(\.frame) == [1, 2, 3])
        #expect(finding.summary.hasSuffix("all 3 SYNs were dropped by the kernel: NETFILTER_DROP in nft_do_chain (a firewall rule)"))
        #expect(!findings.contains { $0.rule == .kernelDrop }, "drops a finding explains are not reported again")
        #expect(analyzer.summary.kernelDrops == 3)
    }

    @Test("a drop no finding explains, and one never captured, become kernel-drop findings per flow and reason")
    func unexplainedDrops() throws {
        let analyzer = Analyzer()
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: "veth0", linkType: .ethernet)])
        unansweredSYNs(analyzer)
        let rst = drop(frame: nil, at: 0.5, reason: "NETFILTER_DROP", flags: .rst)
        analyzer.noteKernelDrops([drop(frame: 1, at: 0), rst, drop(frame: nil, at: 0.7, reason: "NO_SOCKET", location: "tcp_v6_rcv")])
        let findings = analyzer.finish()
        let syn = try #require(findings.first { $0.rule == .synUnanswered })
        #expect(syn.summary.contains("1 of its 3 frames was dropped by the kernel"))
        let kernel = findings.filter { $0.rule == .kernelDrop }
        #expect(kernel.count == 2)
        let firewall = try #require(kernel.first { $0.detail("reason") == .string("NETFILTER_DROP") })
        #expect(firewall.frames.isEmpty)
        #expect(firewall.kernelDrops.first?.frame == nil)
        #expect(firewall.detail("uncaptured") == .int(1))
        #expect(firewall.summary.contains("1 RST dropped by the kernel: NETFILTER_DROP in nft_do_chain"))
        #expect(firewall.severity == .warning)
    }

    @Test("multicast NOT_SPECIFIED drops are summed up as background, not listed")
    func backgroundDrops() throws {
        let analyzer = Analyzer()
        let group = IPv6Address(high: 0xff02_0000_0000_0000, low: 0xfb)
        let drops = (0..<50).map { drop(frame: nil, at: Double($0), reason: "NOT_SPECIFIED", location: "ip6_mc_input", flags: [], destination: group) }
        analyzer.noteKernelDrops(drops)
        let findings = analyzer.finish().filter { $0.rule == .kernelDrop }
        #expect(findings.count == 1)
        #expect(findings[0].severity == .info)
        #expect(findings[0].count == 50)
        #expect(findings[0].kernelDrops.isEmpty)
        #expect(findings[0].summary.hasPrefix("50 multicast packets dropped by the kernel as NOT_SPECIFIED in ip6_mc_input"))
    }

    @Test("kernel drops beyond the cap are counted with a warning")
    func boundedDrops() {
        let analyzer = Analyzer()
        let many = (0..<(Analyzer.maximumKernelDrops + 10)).map { drop(frame: nil, at: Double($0) / 1e6) }
        analyzer.noteKernelDrops(many)
        #expect(analyzer.summary.kernelDrops == Analyzer.maximumKernelDrops + 10)
        #expect(analyzer.summary.kernelDropsNotKept == 10)
        #expect(analyzer.summary.warnings.contains { $0.contains("kernel drops") })
        // Drops a source already counted beyond its own cap add to the count, one warning in all.
        analyzer.noteKernelDrops([], alreadyDropped: 5)
        #expect(analyzer.summary.kernelDrops == Analyzer.maximumKernelDrops + 15)
        #expect(analyzer.summary.kernelDropsNotKept == 15)
        #expect(analyzer.summary.warnings.filter { $0.contains("kernel drops") }.count == 1)
    }
}
