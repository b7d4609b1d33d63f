import ScopeScanAnalysis
import ScopeScanCapture
import ScopeScanProbe
import Testing

@Suite("ProbePlan: the attempts chosen from a hand-made interface list")
struct ProbePlanTests {
    static let anyIPPlatform = ProbePlatform(name: "Linux", nonlocalBind: (0, 15, "IP_FREEBIND"), loopbackName: "lo", localRoutes: {
        [ProbeLocalRoute(prefix: Probe.address("2001:db8:123::"), length: 64, device: "lo"),
         ProbeLocalRoute(prefix: Probe.address("fe80::"), length: 64, device: "lo")]
    })

    @Test("own link-local, an unassigned other-in-prefix address plain and free-bound, then AnyIP; ports increase")
    func linuxPlan() throws {
        let plan = try ProbePlan(host: Probe.host, interface: nil, firstPort: 12981, platform: Self.anyIPPlatform)
        #expect(plan.loopback == "lo")
        #expect(plan.targets.map(\.name) == ["eth0"])
        #expect(plan.targets.first?.scopeID == 2)
        #expect(plan.attempts.map(\.name) == ["own-link-local", "other-in-prefix", "other-in-prefix +IP_FREEBIND", "anyip", "anyip +IP_FREEBIND"])
        #expect(plan.attempts.map(\.port) == [12981, 12982, 12983, 12984, 12985])
        let own = plan.attempts[0]
        #expect(own.scopedAddress == "fe80::a:1%eth0")
        #expect(own.nonlocalOption == nil)
        // fe80::a:0 (the last bit flipped) is assigned too, so the next flip is taken.
        let assigned = Set(Probe.host.flatMap(\.interface.addresses).map(\.address))
        let other = plan.attempts[1]
        #expect(other.address == Probe.address("fe80::a:3"))
        #expect(!assigned.contains(.v6(other.address)))
        #expect(plan.attempts[2].address == other.address)
        #expect(plan.attempts[2].nonlocalOption == "IP_FREEBIND")
        // The link-local "local" route is not an AnyIP one.
        let anyIP = plan.attempts[3...]
        #expect(anyIP.allSatisfy { $0.route == "2001:db8:123::/64 dev lo" && $0.interface == "lo" && $0.scopeID == 0 })
        #expect(anyIP.allSatisfy { $0.scopedAddress == "2001:db8:123::1" })
    }

    @Test("no free-bind option, no AnyIP routes: two attempts")
    func withoutFreeBind() throws {
        let macOS = ProbePlatform(name: "macOS", nonlocalBind: nil, loopbackName: "lo0", localRoutes: { [] })
        let plan = try ProbePlan(host: Probe.host, interface: "eth0", firstPort: 20000, platform: macOS)
        #expect(plan.attempts.map(\.name) == ["own-link-local", "other-in-prefix"])
        #expect(plan.attempts.map(\.port) == [20000, 20001])
        // getifaddrs named a loopback: that name wins over the platform's default.
        #expect(plan.loopback == "lo")
    }

    @Test("too few ports for the attempts is an error naming the port and the count")
    func portRange() throws {
        #expect(throws: ProbePortRangeError.self) {
            try ProbePlan(host: Probe.host, interface: nil, firstPort: 65533, platform: Self.anyIPPlatform)
        }
        do {
            _ = try ProbePlan(host: Probe.host, interface: nil, firstPort: 65533, platform: Self.anyIPPlatform)
        } catch let error as ProbePortRangeError {
            #expect(error.description == "--port 65533 leaves no room for 5 attempts (each uses its own port)")
        }
        let last = try ProbePlan(host: Probe.host, interface: nil, firstPort: 65531, platform: Self.anyIPPlatform)
        #expect(last.attempts.last?.port == 65535)
    }

    @Test("interface errors say what is wrong", arguments: [
        ("nosuch0", "no interface named nosuch0; interfaces: lo, eth0, eth1, eth2"),
        ("lo", "lo is the loopback interface: name the interface that owns the link-local address (see 'scopescan interfaces')"),
        ("eth1", "interface eth1 is down (bring it up: ip link set eth1 up)"),
        ("eth2", "eth2 has no link-local (fe80::/10) address to probe"),
    ])
    func interfaceErrors(interface: String, message: String) {
        let host = Probe.host + [
            Probe.entry("eth1", index: 3, up: false, addresses: ["fe80::b:1/64"]),
            Probe.entry("eth2", index: 4, addresses: ["2001:db8:2::1/64"]),
        ]
        do {
            _ = try ProbePlan(host: host, interface: interface, firstPort: 12981, platform: Probe.linux)
            Issue.record("\(interface) was accepted")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test("every up interface with a link-local address, or an error when there is none")
    func allInterfaces() throws {
        let host = Probe.host + [Probe.entry("eth1", index: 3, up: false, addresses: ["fe80::b:1/64"]), Probe.entry("eth3", index: 5, addresses: ["fe80::c:1/64"])]
        let plan = try ProbePlan(host: host, interface: nil, firstPort: 12981, platform: Probe.linux)
        #expect(plan.targets.map(\.name) == ["eth0", "eth3"])
        #expect(plan.attempts.map(\.interface) == ["eth0", "eth0", "eth0", "eth3", "eth3", "eth3"])
        #expect(throws: ScopeScanError.self) {
            try ProbePlan(host: [Probe.host[0]], interface: nil, firstPort: 12981, platform: Probe.linux)
        }
    }
}

@Suite("ProbeRouteTable: AnyIP routes from the text of /proc/net/ipv6_route")
struct ProbeRouteTableTests {
    /// From a Linux host with `ip -6 route add local 2001:db8:123::/64 dev lo` (the route is in the
    /// local table and, to check the dedup, repeated), its own addresses' /128 local routes, a
    /// link-local route, and the multicast local route.
    static let sample = """
    20010db8012300000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 80200001       lo
    fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
    00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001       lo
    fe80000000000000000000000000000a 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0
    20010db8012300000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 80200001       lo
    ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 80000001     eth0
    20010db8abcd00000000000000000000 30 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 80200001    dummy0
    not a route line
    """

    @Test("RTF_LOCAL routes shorter than /128, each once; not multicast, not /128, not plain routes")
    func parse() {
        let routes = ProbeRouteTable.anyIPRoutes(linuxIPv6RouteText: Self.sample)
        #expect(routes == [
            ProbeLocalRoute(prefix: Probe.address("2001:db8:123::"), length: 64, device: "lo"),
            ProbeLocalRoute(prefix: Probe.address("2001:db8:abcd::"), length: 48, device: "dummy0"),
        ])
    }

    @Test("empty or foreign text gives no routes")
    func nothing() {
        #expect(ProbeRouteTable.anyIPRoutes(linuxIPv6RouteText: "").isEmpty)
        #expect(ProbeRouteTable.anyIPRoutes(linuxIPv6RouteText: "Iface\tDestination\tGateway\n").isEmpty)
    }
}
