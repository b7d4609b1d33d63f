import Testing
import ScopeScanCapture
import ScopeScanRules
import ScopeScanWire

/// Every fixture reports exactly the expected findings: rule id, the frames that prove it (as
/// Wireshark numbers them) and the flow. Expectations come from Fixtures/README.md, checked with tshark.
@Suite("Findings on the bundled captures")
struct FixtureFindingsTests {
    static let cases: [(String, [Expected])] = [
        // Real Linux kernel traffic (network namespaces).
        ("linux-own-linklocal-lo.pcapng", [
            Expected(rule: "linklocal-on-loopback", frames: Array(1...10), src: "fe80::a:1", dst: "fe80::a:1", dport: 12981, interface: "lo"),
        ]),
        ("linux-own-linklocal-lo.pcap", [
            Expected(rule: "linklocal-on-loopback", frames: Array(1...10), src: "fe80::a:1", dst: "fe80::a:1", dport: 12981),
        ]),
        ("linux-syn-dropped.pcap", [
            Expected(rule: "syn-unanswered", frames: [1, 2, 3], src: "2001:db8:1::1", dst: "2001:db8:1::2", dport: 8080),
        ]),
        ("linux-syn-dropped-then-answered.pcap", [
            Expected(rule: "slow-connect", frames: [1, 2, 3, 4], src: "2001:db8:1::1", dst: "2001:db8:1::2", dport: 8080),
        ]),
        ("linux-icmp6-unreachable.pcap", [
            Expected(rule: "syn-unanswered", frames: [1, 2, 3, 4], dst: "2001:db8:99::1", dport: 80),
            Expected(rule: "icmp-unreachable", frames: [1, 2, 3, 4], dst: "2001:db8:99::1", dport: 80),
            Expected(rule: "syn-unanswered", frames: [5, 6, 7, 8], dst: "2001:db8:98::1", dport: 80),
            Expected(rule: "icmp-unreachable", frames: [5, 6, 7, 8], dst: "2001:db8:98::1", dport: 80),
        ]),
        ("linux-udp-port-unreachable-lo.pcap", [
            Expected(rule: "icmp-unreachable", frames: [2], src: "::1", dst: "::1", dport: 9),
            Expected(rule: "icmp-unreachable", frames: [4], src: "127.0.0.1", dst: "127.0.0.1", dport: 9),
        ]),
        ("linux-tcp-refused.pcap", [
            Expected(rule: "tcp-refused", frames: [1, 2], src: "2001:db8:1::1", dst: "2001:db8:1::2", dport: 8081),
        ]),
        ("linux-anyip-freebind-lo.pcap", [
            Expected(rule: "nonlocal-on-loopback", frames: Array(1...10), dst: "2001:db8:123::1", dport: 8080),
        ]),
        ("linux-neighbor-unresolved.pcap", [
            Expected(rule: "neighbor-unresolved", frames: [1, 2, 3], dst: "fe80::dead"),
            Expected(rule: "neighbor-unresolved", frames: [4, 5, 6], dst: "2001:db8:1::99"),
        ]),
        ("linux-two-interfaces.pcapng", [
            Expected(rule: "syn-unanswered", frames: [3, 14, 15], dst: "2001:db8:1::2", dport: 8080, interface: "veth0"),
            Expected(rule: "linklocal-on-loopback", frames: Array(4...13), dst: "fe80::a:1", dport: 12981, interface: "lo"),
        ]),
        ("linux-reroute-both-sides.pcapng", [
            Expected(rule: "linklocal-on-loopback", frames: Array(1...10), dst: "fe80::a:1", dport: 12981, interface: "lo"),
            Expected(rule: "same-flow-multiple-interfaces", frames: [1] + Array(11...20), dst: "fe80::a:1", dport: 12981, interface: "lo"),
        ]),
        // One flow over two NICs is asymmetric routing, not the loopback reroute.
        ("linux-asymmetric-two-interfaces.pcapng", []),
        ("mergecap-null-ethernet.pcapng", [
            Expected(rule: "linklocal-on-loopback", frames: [1, 2, 3, 4, 5], dport: 12981),
            Expected(rule: "syn-unanswered", frames: [1, 2, 3, 4, 5], dport: 12981),
            Expected(rule: "icmp-unreachable", frames: [1, 2, 3, 4], dport: 12981),
            Expected(rule: "syn-unanswered", frames: [18, 19, 20], dst: "2001:db8:1::2", dport: 8080),
        ]),
        ("linux-clean.pcap", []),
        ("linux-clean-lo.pcap", []),
        // Crafted: what Linux cannot produce.
        ("macos-lo0-own-linklocal.pcap", [
            Expected(rule: "linklocal-on-loopback", frames: [1, 2, 3, 4, 5], src: "fe80::8f1:f892:9152:9106", dst: "fe80::8f1:f892:9152:9105", sport: 50001, dport: 12981),
            Expected(rule: "syn-unanswered", frames: [1, 2, 3, 4, 5], src: "fe80::8f1:f892:9152:9106", dport: 12981),
            Expected(rule: "icmp-unreachable", frames: [1, 2, 3, 4], src: "fe80::8f1:f892:9152:9106", dport: 12981),
        ]),
        ("freebsd-lo0-slow-connect.pcap", [
            Expected(rule: "nonlocal-on-loopback", frames: Array(1...12), dport: 22),
            Expected(rule: "slow-connect", frames: [1, 2, 3, 4], src: "2a01:4f8:13a:70c:ffff::8", dport: 22),
            Expected(rule: "linklocal-on-loopback", frames: [13, 14, 15, 16], dst: "fe80::5054:ff:fe42:fef", dport: 22),
            Expected(rule: "syn-unanswered", frames: [13, 14, 15, 16], dst: "fe80::5054:ff:fe42:fef", dport: 22),
        ]),
        ("openbsd-embedded-scope.pcap", [
            Expected(rule: "embedded-scope-id", frames: [1, 2, 5, 6, 7]),
        ]),
        ("ipv4-mapped-on-wire.pcap", [
            Expected(rule: "ipv4-mapped-on-wire", frames: [1, 2, 3], src: "::ffff:10.0.0.1", dst: "2001:db8::1"),
        ]),
        ("loopback-off-loopback.pcap", [
            Expected(rule: "loopback-address-off-loopback", frames: [1], src: "::1"),
            Expected(rule: "loopback-address-off-loopback", frames: [2], src: "127.0.0.1"),
            Expected(rule: "loopback-address-off-loopback", frames: [3], dst: "::1"),
            Expected(rule: "loopback-address-off-loopback", frames: [4], dst: "127.0.0.53"),
        ]),
        ("scope-violation.pcap", [
            Expected(rule: "scope-violation", frames: [1, 2], src: "fe80::1", dst: "2001:db8::2", dport: 80),
            Expected(rule: "icmp-unreachable", frames: [1, 2], src: "fe80::1", dst: "2001:db8::2", dport: 80),
        ]),
        ("pcapng-bigendian.pcapng", [
            Expected(rule: "linklocal-on-loopback", frames: [1, 2, 3], dst: "fe80::1:2", dport: 8080, interface: "lo0"),
        ]),
        ("linktype-pktap.pcap", [
            Expected(rule: "linklocal-on-loopback", frames: [4, 5], dport: 12981, interface: "lo0"),
            Expected(rule: "icmp-unreachable", frames: [4, 5], dport: 12981, interface: "lo0"),
        ]),
        ("ipv6-ext-headers.pcap", []),
        ("linktype-vlan.pcap", []),
    ]

    @Test("exactly the expected findings", arguments: cases)
    func expectedFindings(_ name: String, _ expected: [Expected]) throws {
        let (findings, _) = try analyse(name)
        #expect(findings.count == expected.count, "\(name): got \(findings.map { "\($0.rule) \($0.frames)" })")
        for (finding, expectation) in zip(findings, expected) {
            #expect(expectation.matches(finding), "\(name): expected \(expectation), got \(finding.rule) frames \(finding.frames) flow \(String(describing: finding.flow)) on \(finding.interface ?? "-")")
        }
    }
}
