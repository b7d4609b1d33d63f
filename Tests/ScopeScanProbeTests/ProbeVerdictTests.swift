import ScopeScanProbe
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("ProbeVerdict: every judgement and note, from hand-made attempts")
struct ProbeVerdictTests {
    static func behaviour(_ own: ProbeAttempt, captured: Bool = true) -> String {
        ProbeVerdict.judge(own, loopback: "lo", captured: captured).behaviour
    }

    @Test("an own address that does not bind gives no verdict")
    func notBound() {
        let judged = ProbeVerdict.judge(Probe.attempt(bindErrno: EADDRNOTAVAIL, seenOn: nil), loopback: "lo", captured: false)
        #expect(judged.behaviour == "no-verdict")
        #expect(judged.text == "cannot bind the own link-local address fe80::a:1%eth0 (EADDRNOTAVAIL): no verdict")
    }

    @Test("without a capture: accepted or not, the interface is unknown")
    func notCaptured() {
        let accepted = ProbeVerdict.judge(Probe.attempt(seenOn: nil), loopback: "lo", captured: false)
        #expect(accepted.behaviour == "accepted-not-captured")
        #expect(accepted.text.hasPrefix("own link-local connect accepted in 0.25 ms;"))
        let refused = ProbeVerdict.judge(Probe.attempt(connect: .refused, seenOn: nil), loopback: "lo", captured: false)
        #expect(refused.behaviour == "not-accepted-not-captured")
        #expect(refused.text == "own link-local connect never accepted (ECONNREFUSED 0.5 ms): consistent with the macOS bug; capture as root to see which interface carried it")
    }

    @Test("captured: where the packets went and whether they were accepted",
          arguments: [
              (["lo"], Probe.Connect.ok, "rerouted-accepted"),
              (["lo"], .timedOut, "rerouted-not-accepted"),
              (["lo"], .refused, "rerouted-not-accepted"),
              (["eth0"], .ok, "sent-on-interface-accepted"),
              (["eth0"], .timedOut, "sent-on-interface-not-accepted"),
              (["lo", "eth0"], .ok, "both-accepted"),
              (["lo", "eth0"], .refused, "both-not-accepted"),
              ([], .ok, "not-seen"),
              ([], .timedOut, "not-seen"),
          ] as [([String], Probe.Connect, String)])
    func captured(seenOn: [String], connect: Probe.Connect, expected: String) {
        #expect(Self.behaviour(Probe.attempt(connect: connect, seenOn: seenOn)) == expected)
    }

    @Test("the texts name the loopback, the interface and the result")
    func texts() {
        #expect(ProbeVerdict.judge(Probe.attempt(seenOn: ["lo"]), loopback: "lo", captured: true).text
                == "own link-local traffic is rerouted via lo and accepted: Linux behaviour")
        #expect(ProbeVerdict.judge(Probe.attempt(connect: .timedOut, seenOn: ["lo"]), loopback: "lo", captured: true).text
                == "own link-local traffic is rerouted via lo and never accepted: the macOS bug")
        #expect(ProbeVerdict.judge(Probe.attempt(connect: .timedOut, seenOn: ["eth0"]), loopback: "lo", captured: true).text
                == "own link-local traffic is sent out eth0, not looped back, and never accepted (timeout 1000 ms): the FreeBSD-like choice of the physical interface")
        #expect(ProbeVerdict.judge(Probe.attempt(seenOn: []), loopback: "lo", captured: true).text
                == "no packet of the own link-local connect was captured on eth0 or lo; the connect was accepted")
    }

    @Test("an interface without an own attempt gets no verdict, and the run's notes come last")
    func noOwnAttempt() {
        let verdict = ProbeVerdict(interface: "eth1", platform: "Linux", loopback: "lo", attempts: [Probe.attempt()], captured: true, notes: ["capture off"])
        #expect(verdict.behaviour == "no-verdict")
        #expect(verdict.text == "no own link-local attempt on eth1")
        #expect(verdict.notes == ["capture off"])
    }

    @Test("other in prefix: binds only with IP_FREEBIND; connecting sends Neighbor Solicitations out the interface")
    func freeBind() throws {
        let attempts = [
            Probe.attempt(seenOn: ["lo"]),
            Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12982, bindErrno: EADDRNOTAVAIL, seenOn: []),
            Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12983, option: "IP_FREEBIND", connect: .timedOut, seenOn: ["eth0"], icmpErrors: 1),
        ]
        let verdict = ProbeVerdict(interface: "eth0", platform: "Linux", loopback: "lo", attempts: attempts, captured: true, notes: [])
        #expect(verdict.behaviour == "rerouted-accepted")
        #expect(verdict.platform == "Linux")
        try #require(verdict.notes.count == 2)
        #expect(verdict.notes[0] == "fe80::a:3, in eth0's prefix but not assigned, binds only with IP_FREEBIND (EADDRNOTAVAIL without): binds check the address list, not the prefix (the blog post \"Non-Local Address Binds in Linux\"; ip(7) IP_FREEBIND)")
        #expect(verdict.notes[1] == "connecting to it: timeout 1000 ms, packets on eth0, 1 ICMPv6 error back: a bound but unassigned address is not local, its Neighbor Solicitations go out eth0 unanswered")
    }

    @Test("other in prefix: binds without an option (the prefix counts as local), or not at all")
    func otherInPrefixPlain() {
        let binds = ProbeVerdict(interface: "eth0", platform: "macOS", loopback: "lo0", attempts: [
            Probe.attempt(), Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12982, connect: .refused, seenOn: nil),
        ], captured: false, notes: [])
        #expect(binds.notes == [
            "fe80::a:3, in eth0's prefix but not assigned, binds without any option: the prefix counts as local (what the blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533 reports on macOS)",
            "connecting to it: ECONNREFUSED 0.5 ms",
        ])
        let neither = ProbeVerdict(interface: "eth0", platform: "Linux", loopback: "lo", attempts: [
            Probe.attempt(),
            Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12982, bindErrno: EADDRNOTAVAIL),
            Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12983, option: "IP_FREEBIND", bindErrno: EPERM),
        ], captured: true, notes: [])
        #expect(neither.notes == ["fe80::a:3, in eth0's prefix but not assigned, does not bind (EADDRNOTAVAIL)"])
    }

    @Test("AnyIP: binds only with IP_FREEBIND and is accepted via lo; binds plain; does not bind")
    func anyIP() {
        let route = "2001:db8:123::/64 dev lo"
        func verdict(_ plain: ProbeAttempt, _ freebound: ProbeAttempt?) -> [String] {
            ProbeVerdict(interface: "eth0", platform: "Linux", loopback: "lo", attempts: [Probe.attempt(), plain] + (freebound.map { [$0] } ?? []), captured: true, notes: []).notes
        }
        func anyIP(option: String? = nil, bindErrno: Int32? = nil, seenOn: [String] = []) -> ProbeAttempt {
            Probe.attempt(.anyIP, interface: "lo", address: "2001:db8:123::1", scopeID: 0, option: option, route: route, bindErrno: bindErrno, seenOn: seenOn)
        }
        #expect(verdict(anyIP(bindErrno: EADDRNOTAVAIL), anyIP(option: "IP_FREEBIND", seenOn: ["lo"])) == [
            "AnyIP route 2001:db8:123::/64 dev lo: 2001:db8:123::1 binds only with IP_FREEBIND (EADDRNOTAVAIL without): IPv6 binds do no FIB lookup (the blog post \"Non-Local Address Binds in Linux\"; ip(7) IP_FREEBIND); connects to it are accepted via lo",
        ])
        #expect(verdict(anyIP(), nil) == ["AnyIP route 2001:db8:123::/64 dev lo: 2001:db8:123::1 binds without any option"])
        #expect(verdict(anyIP(bindErrno: EADDRNOTAVAIL), anyIP(option: "IP_FREEBIND", bindErrno: EPERM)) == ["AnyIP route 2001:db8:123::/64 dev lo: 2001:db8:123::1 does not bind (EADDRNOTAVAIL)"])
    }

    @Test("the outputs cite public sources, not internal labels")
    func sources() {
        let attempts = [
            Probe.attempt(seenOn: ["lo"]),
            Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12982, seenOn: []),
            Probe.attempt(.anyIP, interface: "lo", address: "2001:db8:123::1", scopeID: 0, port: 12983, route: "2001:db8:123::/64 dev lo", bindErrno: EADDRNOTAVAIL),
            Probe.attempt(.anyIP, interface: "lo", address: "2001:db8:123::1", scopeID: 0, port: 12984, option: "IP_FREEBIND", route: "2001:db8:123::/64 dev lo"),
        ]
        let verdict = ProbeVerdict(interface: "eth0", platform: "Linux", loopback: "lo", attempts: attempts, captured: true, notes: [])
        let result = ProbeResult(platform: "Linux", attempts: attempts, verdicts: [verdict], findings: [], notes: [], captureInterfaceNames: ["eth0", "lo"], capturePath: nil)
        let everything = ProbeTextOutput.render(result) + ProbeTextOutput.markdown(attempts: attempts, verdicts: [verdict]) + ProbeJSON.lines(result).joined()
        // The internal label for the write-ups, assembled so that the sources do not contain it either.
        let internalLabel = ["s", "e", "e", "d"].joined()
        #expect(!everything.lowercased().contains(internalLabel))
    }
}
