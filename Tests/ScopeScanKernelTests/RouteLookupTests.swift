#if os(Linux)
import Glibc
import Testing
import ScopeScanWire
@testable import ScopeScanKernel

@Suite("RouteLookup: RTM_GETROUTE as `ip -6 route get` asks it")
struct RouteLookupTests {
    static let ownLinkLocal = IPv6Address(high: 0xfe80_0000_0000_0000, low: 0xa)

    @Test("own fe80 with its interface → local dev lo table local; with oif lo → ENETUNREACH; a neighbour → unicast dev va table main",
          .enabled(if: getuid() == 0, "needs root: network namespaces"))
    func decisionsInANamespace() throws {
        let lab = try NamespaceLab()
        defer { lab.tearDown() }
        try shell("ip -n \(lab.a) addr add fe80::a/64 dev va nodad")
        try onThread(inNetworkNamespace: "/run/netns/\(lab.a)") {
            let va = if_nametoindex("va"), lo = if_nametoindex("lo")
            #expect(va != 0 && lo != 0)
            let own = try RouteLookup.lookup(destination: Self.ownLinkLocal, outputInterface: va)
            #expect(own.type == "local" && own.device == "lo" && own.table == "local", "\(own)")
            #expect(own.description.hasPrefix("local dev lo"), "\(own)")
            #expect(throws: RouteLookupError(errno: ENETUNREACH)) {
                _ = try RouteLookup.lookup(destination: Self.ownLinkLocal, outputInterface: lo)
            }
            let neighbour = try RouteLookup.lookup(destination: IPv6Address(high: 0xfd00_0001_0000_0000, low: 2))
            #expect(neighbour.type == "unicast" && neighbour.device == "va" && neighbour.table == "main", "\(neighbour)")
            #expect(neighbour.source == IPv6Address(high: 0xfd00_0001_0000_0000, low: 1), "\(neighbour)")
            let withSource = try RouteLookup.lookup(destination: IPv6Address(high: 0xfd00_0001_0000_0000, low: 2),
                                                    source: IPv6Address(high: 0xfd00_0001_0000_0000, low: 1))
            #expect(withSource.device == "va", "\(withSource)")
        }
    }

    @Test("a netlink error reply becomes its errno; an unknown table keeps its number")
    func parsing() {
        var reply = [UInt8](repeating: 0, count: 36)
        reply[0] = 36
        reply[4] = 2 // NLMSG_ERROR
        withUnsafeBytes(of: -ENETUNREACH) { for (i, byte) in $0.enumerated() { reply[16 + i] = byte } }
        #expect(throws: RouteLookupError(errno: ENETUNREACH)) { _ = try Netlink.parseRouteReply(reply) }
        #expect(Netlink.tableName(1000) == "1000" && Netlink.tableName(255) == "local")
        #expect(RouteLookupError(errno: ENETUNREACH).description == "route lookup failed: Network is unreachable")
    }
}
#endif
