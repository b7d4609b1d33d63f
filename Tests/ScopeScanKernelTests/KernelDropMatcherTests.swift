import Testing
import ScopeScanPackets
import ScopeScanWire
@testable import ScopeScanKernel

@Suite("KernelDropMatcher: drops tied to captured frames by headers, then time")
struct KernelDropMatcherTests {
    static let client = IPAddress.v6(IPv6Address(high: 0xfd00_0001_0000_0000, low: 1))
    static let server = IPAddress.v6(IPv6Address(high: 0xfd00_0001_0000_0000, low: 2))
    static let syn = PacketHeaderKey(source: client, destination: server, nextHeader: .tcp, sourcePort: 40001,
                                     destinationPort: 8080, tcpSequence: 1_000_001, tcpFlags: .syn)
    static let second: Int64 = 1_000_000_000
    static let start: Int64 = 1_764_585_600 * second

    static func frame(_ number: Int, at nanoseconds: Int64, _ headers: PacketHeaderKey = syn) -> CapturedFrameKey {
        CapturedFrameKey(frameNumber: number, timestamp: Timestamp(nanoseconds: nanoseconds), headers: headers)
    }

    static func drop(at nanoseconds: Int64, _ headers: PacketHeaderKey = syn) -> KernelDrop {
        KernelDrop(time: Timestamp(nanoseconds: nanoseconds), reason: KernelDropReason(value: 1, name: "NETFILTER_DROP"), headers: headers)
    }

    @Test("three SYNs 1 s apart with identical headers, each dropped ~20 µs later → frames 1, 2, 3 in order")
    func retriesToldApartByTime() {
        let frames = (0..<3).map { Self.frame($0 + 1, at: Self.start + Int64($0) * Self.second) }
        let drops = (0..<3).map { Self.drop(at: Self.start + Int64($0) * Self.second + 20_000) }
        let matched = KernelDropMatcher().match(drops: drops, frames: frames)
        #expect(matched.map(\.frame?.frameNumber) == [1, 2, 3])
        // The same result whatever order the drops come in: they are taken in time order.
        let reversed = KernelDropMatcher().match(drops: drops.reversed(), frames: frames.reversed())
        #expect(reversed.map(\.frame?.frameNumber) == [3, 2, 1])
    }

    @Test("a drop with no captured frame keeps its headers, frame nil")
    func unmatchedDrop() {
        let other = PacketHeaderKey(source: Self.client, destination: Self.server, nextHeader: .udp, sourcePort: 5353, destinationPort: 5353)
        let matched = KernelDropMatcher().match(drops: [Self.drop(at: Self.start, other)], frames: [Self.frame(1, at: Self.start - 10_000)])
        #expect(matched.count == 1)
        #expect(matched[0].frame == nil)
        #expect(matched[0].drop.headers == other)
    }

    @Test("a frame is claimed once: two drops for one frame leave the second unmatched")
    func frameClaimedOnce() {
        let matched = KernelDropMatcher().match(drops: [Self.drop(at: Self.start + 20_000), Self.drop(at: Self.start + 30_000)],
                                                frames: [Self.frame(7, at: Self.start)])
        #expect(matched.map(\.frame?.frameNumber) == [7, nil])
    }

    @Test("clock offset: a frame stamped slightly after the drop matches within the tolerance, not beyond")
    func clockOffset() {
        let matcher = KernelDropMatcher(windowNanoseconds: 5_000_000, clockToleranceNanoseconds: 500_000)
        #expect(matcher.match(drops: [Self.drop(at: Self.start)], frames: [Self.frame(1, at: Self.start + 300_000)])[0].frame?.frameNumber == 1)
        #expect(matcher.match(drops: [Self.drop(at: Self.start)], frames: [Self.frame(1, at: Self.start + 700_000)])[0].frame == nil)
        // Older than the window: not this drop's packet.
        #expect(matcher.match(drops: [Self.drop(at: Self.start)], frames: [Self.frame(1, at: Self.start - 6_000_000)])[0].frame == nil)
        let wide = KernelDropMatcher(windowNanoseconds: 10_000_000)
        #expect(wide.match(drops: [Self.drop(at: Self.start)], frames: [Self.frame(1, at: Self.start - 6_000_000)])[0].frame?.frameNumber == 1)
    }

    @Test("the nearest frame before the drop wins over an older identical one")
    func nearestBefore() {
        let frames = [Self.frame(1, at: Self.start), Self.frame(2, at: Self.start + 2_000_000)]
        #expect(KernelDropMatcher().match(drops: [Self.drop(at: Self.start + 2_020_000)], frames: frames)[0].frame?.frameNumber == 2)
    }

    @Test("a different sequence number or flag does not match", arguments: [
        PacketHeaderKey(source: client, destination: server, nextHeader: .tcp, sourcePort: 40001, destinationPort: 8080, tcpSequence: 1_000_002, tcpFlags: .syn),
        PacketHeaderKey(source: client, destination: server, nextHeader: .tcp, sourcePort: 40001, destinationPort: 8080, tcpSequence: 1_000_001, tcpFlags: [.syn, .ack]),
        PacketHeaderKey(source: client, destination: server, nextHeader: .tcp, sourcePort: 40002, destinationPort: 8080, tcpSequence: 1_000_001, tcpFlags: .syn),
    ])
    func nonMatchingHeaders(captured: PacketHeaderKey) {
        let matched = KernelDropMatcher().match(drops: [Self.drop(at: Self.start + 20_000)], frames: [Self.frame(1, at: Self.start, captured)])
        #expect(matched[0].frame == nil)
    }

    @Test("a drop's headers come from its copied bytes, as a captured frame's from its decode")
    func headersFromBytes() {
        // IPv6 fd00:1::1 → fd00:1::2, TCP 40001 → 8080 SYN seq 1000001.
        var bytes: [UInt8] = [0x60, 0, 0, 0, 0, 20, 6, 64]
        bytes += [0xfd, 0, 0, 1] + [UInt8](repeating: 0, count: 11) + [1]
        bytes += [0xfd, 0, 0, 1] + [UInt8](repeating: 0, count: 11) + [2]
        bytes += [0x9c, 0x41, 0x1f, 0x90, 0x00, 0x0f, 0x42, 0x41, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]
        let drop = KernelDrop(time: Timestamp(nanoseconds: 0), reason: .unnamed(2), function: "nft_do_chain", location: 0,
                              interfaceIndex: 2, interfaceName: "vb", length: 60, bytes: bytes)
        #expect(drop.headers == Self.syn)
        #expect(drop.ipVersion == 6 && drop.hopLimit == 64)
        #expect(PacketHeaderKey(ipPacket: bytes) == Self.syn)
        #expect(drop.description == "UNKNOWN_2 at nft_do_chain on vb: tcp [fd00:1::1]:40001 → [fd00:1::2]:8080 S seq 1000001")
    }
}
