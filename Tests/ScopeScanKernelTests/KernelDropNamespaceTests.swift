#if os(Linux)
import Foundation
import Glibc
import Testing
import ScopeScanCapture
import ScopeScanPackets
import ScopeScanWire
import ScopeScanKernel

/// Sends crafted and real packets from namespace A to B and checks that a monitor opened in B sees
/// each drop with the kernel's reason, place, interface and headers, ties it to the frame tcpdump
/// captured in B, and sees nothing of C, which drops packets of its own at the same time.
@Suite("KernelDropMonitor end to end in network namespaces", .serialized)
struct KernelDropNamespaceTests {
    static let crafter = """
        import socket, sys, time
        from scapy.all import Ether, IPv6, TCP, conf, sendp
        conf.verb = 0
        def syn(src, dst, sport, dport, seq):
            sendp(Ether(src="\(NamespaceLab.macA)", dst="\(NamespaceLab.macB)") / IPv6(src=src, dst=dst)
                  / TCP(sport=sport, dport=dport, flags="S", seq=seq), iface="va")
        if sys.argv[1] == "main":
            for _ in range(3):  # retries: identical headers, told apart by time
                syn("fd00:1::1", "fd00:1::2", 40001, 8080, 1000001)
                time.sleep(0.2)
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.bind(("fd00:1::1", 40100))
            s.settimeout(3)
            try:
                s.connect(("fd00:1::2", 9))
            except ConnectionRefusedError:
                pass
            syn("::1", "fd00:1::2", 40200, 8081, 2000001)          # loopback source on a real link
            syn("fd00:1::1", "fd00:1::99", 40300, 8081, 3000001)   # not local, forwarding off
        else:
            syn("fd00:1::1", "fd00:1::2", 40400, 8082, 4000001)    # after disable_ipv6=1
        """

    @Test("NETFILTER_DROP ×3, NO_SOCKET, IP_INHDR, IP_INADDRERRORS, IPV6DISABLED in B; nothing of C",
          .enabled(if: getuid() == 0, "needs root: network namespaces, nftables and BPF"),
          .timeLimit(.minutes(2)))
    func dropsInOneNamespace() throws {
        let lab = try NamespaceLab()
        defer { lab.tearDown() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sskd-\(lab.b)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let script = scratch.appendingPathComponent("craft.py").path
        let capture = scratch.appendingPathComponent("b.pcap").path
        try Self.crafter.write(toFile: script, atomically: true, encoding: .utf8)

        // C's own drops, on its loopback, for the whole run; and a monitor of C to show they happen.
        try lab.start("ip netns exec \(lab.c) /usr/bin/python3 -c 'import socket, time\nend = time.time() + 30\nwhile time.time() < end:\n s = socket.socket(socket.AF_INET6); s.settimeout(0.05)\n try: s.connect((\"::1\", 8080))\n except OSError: pass\n s.close()'")
        let witnessOfC = try KernelDropMonitor(networkNamespaceInode: NetworkNamespace.inode(path: "/run/netns/\(lab.c)"))
        defer { witnessOfC.close() }

        let tcpdump = try lab.start("ip netns exec \(lab.b) tcpdump -i vb -n -U -w \(capture) --time-stamp-precision=nano")
        let drops: [KernelDrop] = try onThread(inNetworkNamespace: "/run/netns/\(lab.b)") {
            let monitor = try KernelDropMonitor()
            defer { monitor.close() }
            #expect(monitor.networkNamespaceInode == (try NetworkNamespace.inode(path: "/run/netns/\(lab.b)")))
            usleep(1_000_000) // tcpdump's "listening"
            try shell("ip netns exec \(lab.a) /usr/bin/python3 \(script) main")
            try shell("ip netns exec \(lab.b) sysctl -qw net.ipv6.conf.vb.disable_ipv6=1")
            try shell("ip netns exec \(lab.a) /usr/bin/python3 \(script) disabled")
            usleep(200_000)
            var drops: [KernelDrop] = []
            for _ in 0..<5 { drops += try monitor.poll(timeoutMilliseconds: 50) }
            #expect(monitor.lostCount == 0)
            return drops
        }
        // tcpdump writes each packet as it reads it (-U) but is stopped with SIGKILL: give it time to
        // read the last ones first, on a loaded machine too.
        usleep(1_000_000)
        lab.stop(tcpdump)
        let dropsOfC = try witnessOfC.drain()

        let server = IPAddress.v6(IPv6Address(high: 0xfd00_0001_0000_0000, low: 2))
        func toPort(_ port: UInt16) -> [KernelDrop] { drops.filter { $0.headers?.destinationPort == port } }
        for drop in drops { print("drop in B: \(drop) — \(drop.reason.explanation)") }

        let filtered = toPort(8080).filter { $0.headers?.sourcePort == 40001 }
        #expect(filtered.count == 3)
        for drop in filtered {
            #expect(drop.reason.name == "NETFILTER_DROP" && drop.function == "nft_do_chain" && drop.interfaceName == "vb")
            #expect(drop.headers?.tcpSequence == 1_000_001 && drop.headers?.tcpFlags == .syn && drop.headers?.destination == server)
        }
        let refused = toPort(9)
        #expect(refused.map(\.reason.name) == ["NO_SOCKET"])
        #expect(refused.first?.function == "tcp_v6_rcv" && refused.first?.headers?.sourcePort == 40100)
        let loopbackSource = drops.filter { $0.headers?.source == .v6(.loopback) }
        #expect(loopbackSource.map(\.reason.name) == ["IP_INHDR"])
        #expect(loopbackSource.first?.function == "ip6_rcv_core")
        let notLocal = drops.filter { $0.headers?.destination == .v6(IPv6Address(high: 0xfd00_0001_0000_0000, low: 0x99)) }
        #expect(notLocal.map(\.reason.name) == ["IP_INADDRERRORS"])
        #expect(notLocal.first?.function == "ip6_forward")
        let disabled = toPort(8082)
        #expect(disabled.map(\.reason.name) == ["IPV6DISABLED"])
        #expect(disabled.first?.function == "ip6_rcv_core")

        // C dropped its own SYNs to [::1]:8080 meanwhile; none reached B's monitor.
        #expect(dropsOfC.contains { $0.reason.name == "NETFILTER_DROP" && $0.headers?.destination == .v6(.loopback) && $0.headers?.destinationPort == 8080 })
        #expect(!drops.contains { $0.headers?.destination == .v6(.loopback) })
        #expect(drops.allSatisfy { $0.interfaceIndex == 0 || $0.interfaceName == "vb" || $0.interfaceName == "lo" })

        // Each drop is tied to the frame tcpdump captured in B, the retries to three frames in order.
        var frames: [CapturedFrameKey] = []
        let source = try CaptureFile.open(path: capture)
        _ = try source.forEachPacket { packet in
            if let key = PacketHeaderKey(decoded: PacketDecoder.decode(packet.span, linkType: packet.linkType)) {
                frames.append(CapturedFrameKey(frameNumber: packet.frameNumber, timestamp: packet.timestamp, headers: key))
            }
        }
        let scenario: [KernelDrop] = filtered + refused + loopbackSource + notLocal + disabled
        let matched = KernelDropMatcher().match(drops: scenario, frames: frames)
        let numbers = matched.map(\.frame?.frameNumber)
        #expect(numbers.allSatisfy { $0 != nil }, "frames \(numbers), captured \(frames.count)")
        #expect(numbers.prefix(3).compactMap { $0 } == numbers.prefix(3).compactMap { $0 }.sorted())
        #expect(Set(numbers.prefix(3)).count == 3)
        for pair in matched {
            guard let frame = pair.frame else { continue }
            let delay = pair.drop.time.nanoseconds - frame.timestamp.nanoseconds
            print("frame \(frame.frameNumber) → \(pair.drop.reason) after \(delay / 1000) µs")
        }
    }
}
#endif
