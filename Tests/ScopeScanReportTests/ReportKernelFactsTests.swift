import Testing
import ScopeScanPackets
@testable import ScopeScanReport
@testable import ScopeScanRules
import ScopeScanWire

/// Kernel drop reasons and routes exist only beside a live capture (`capture --kernel-drops`), so
/// no offline fixture holds them; the live test checks the Markdown. Here one finding carries both,
/// and every format must show the same facts.
@Suite("Every report format shows the kernel's drop reason and the route")
struct ReportKernelFactsTests {
    static func model() throws -> ReportModel {
        let client = try #require(IPAddress("2001:db8::1"))
        let server = try #require(IPAddress("2001:db8::2"))
        let flow = FlowDescription(source: client, destination: server, sourcePort: 40000, destinationPort: 8083, proto: .tcp)
        let time = Timestamp(seconds: 1_714_557_600, nanoseconds: 0)
        var finding = Finding(rule: .kernelDrop, severity: .warning, time: time, interfaceIndex: nil, interface: nil, flow: flow,
                              summary: "1 SYN dropped by the kernel: IP_INADDRERRORS in ip6_forward",
                              details: KernelDropDetails(reason: "IP_INADDRERRORS", location: "ip6_forward", drops: 1, uncaptured: 1),
                              frames: [])
        finding.kernelDrops = [KernelDropRecord(frame: nil, time: time, reason: "IP_INADDRERRORS", location: "ip6_forward", interface: "veth0",
                                                explanation: "a destination not local and forwarding off", flow: flow, tcpFlags: [.syn])]
        finding.route = RouteNote(destination: server, scope: nil, type: "unicast", device: "veth0", table: "main", source: nil, gateway: nil, error: nil)
        var summary = AnalysisSummary()
        summary.findingsByRule[.kernelDrop] = 1
        return ReportModel(input: .init(name: "live.pcapng", format: "pcapng", size: 1, sha256: String(repeating: "0", count: 64), options: []),
                           version: "test", findings: [finding], summary: summary, interfaces: InterfaceTable(), sketches: [:],
                           evidenceName: nil, explain: false)
    }

    // The SVG draws the sequences of captured frames only: a drop the capture never saw and the
    // route (a finding's fact, not a packet's) are in the three text formats.
    @Test("md, txt and html name the reason, the function and the route of a drop the capture never saw", arguments: [ReportFormat.md, .txt, .html])
    func kernelFacts(format: ReportFormat) throws {
        let text = format.render(try Self.model())
        #expect(text.contains("IP_INADDRERRORS in ip6_forward"), "\(format)")
        #expect(text.contains("the kernel routes 2001:db8::2 as unicast via veth0, table main"), "\(format)")
    }
}
