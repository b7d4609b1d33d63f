import Testing
@testable import ScopeScanWire

@Suite("PacketDecoder")
struct PacketDecoderTests {
    static let frame = RealFrames.ethernetIPv6TCPSyn

    @Test("a whole Ethernet + IPv6 + TCP SYN")
    func wholeFrame() throws {
        #expect(Self.frame.count == 94)
        try withDecoded(Self.frame, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.anomalies.isEmpty)
            let link = try required(packet.link)
            #expect(link.linkType == .ethernet)
            #expect(link.headerLength == 14)
            #expect(present(packet.ipv4) == false)
            #expect(packet.ipVersion == 6)
            #expect(packet.source == .v6(v6("2001:db8:1::1")))
            #expect(packet.destination == .v6(v6("2001:db8:1::2")))
            #expect(packet.hopLimit == 64)
            #expect(packet.extensions?.headers.count == 0)
            #expect(packet.upperLayer == .tcp)
            #expect(packet.sourcePort == 44776)
            #expect(packet.destinationPort == 8081)
            #expect(packet.tcp?.flags == .syn)
            #expect(packet.tcp?.options.isWellFormed == true)
            #expect(packet.udp == nil && packet.icmpv4 == nil && packet.icmpv6 == nil && packet.quoted == nil)
        }
    }

    @Test("the same frame cut at every length keeps every layer before the cut", arguments: 0..<94)
    func truncatedAt(_ length: Int) {
        withDecoded(Array(Self.frame.prefix(length)), linkType: .ethernet) { packet in
            switch length {
            case 0..<14:
                #expect(present(packet.link) == false)
                #expect(present(packet.ipv6) == false)
                #expect(packet.error == .truncated(.ethernet, at: 0, needed: 14, available: length))
            case 14..<54:
                #expect(packet.link?.networkProtocol == .ipv6)
                #expect(present(packet.ipv6) == false)
                #expect(present(packet.tcp) == false)
                #expect(packet.error == .truncated(.ipv6, at: 14, needed: 40, available: length - 14))
            default:
                // The IPv6 header is whole; its payload length (40) says more than was captured.
                #expect(packet.ipv6?.source == v6("2001:db8:1::1"))
                #expect(packet.anomalies == .ipLengthBeyondCapture)
                #expect(packet.upperLayer == .tcp)
                #expect(present(packet.tcp) == false)
                #expect(packet.error?.layer == .tcp)
                // A TCP header is 20 bytes at least, and this one says 40 once its data offset is in.
                let needed = length - 54 < 20 ? 20 : 40
                #expect(packet.error == .truncated(.tcp, at: 54, needed: needed, available: length - 54))
            }
            #expect(packet.sourcePort == nil)
        }
    }

    @Test("an ARP frame is a link-layer-only packet, not an error")
    func arp() {
        // Ethernet broadcast, ARP request who-has 192.0.2.2 tell 192.0.2.1.
        let frame: [UInt8] = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
            0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02,
        ]
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.link?.networkProtocol == .arp)
            #expect(packet.ipVersion == nil)
            #expect(packet.source == nil)
            #expect(packet.hopLimit == nil)
            #expect(packet.error == nil)
        }
    }

    @Test("the IPv4 loopback UDP frame: addresses, ports, TTL")
    func ipv4Frame() {
        withDecoded(RealFrames.loopbackIPv4UDP, linkType: .ethernet) { packet in
            #expect(packet.link?.hasZeroMACs == true)
            #expect(packet.ipVersion == 4)
            #expect(packet.source == .v4(v4("127.0.0.1")))
            #expect(packet.hopLimit == 64)
            #expect(packet.upperLayer == .udp)
            #expect(packet.sourcePort == 50922)
            #expect(packet.destinationPort == 9)
            #expect(packet.error == nil)
        }
    }

    @Test("every prefix of every sample frame, under every supported link type, decodes without trapping")
    func everyPrefixEveryLinkType() {
        let frames = [RealFrames.ethernetIPv6TCPSyn, RealFrames.ethernetIPv6TCPRstAck, RealFrames.loopbackIPv4UDP]
        for frame in frames {
            for length in 0...frame.count {
                let prefix = Array(frame.prefix(length))
                for linkType in LinkType.supported {
                    withDecoded(prefix, linkType: linkType) { packet in
                        checkInvariants(packet, frameLength: length)
                    }
                }
            }
        }
    }

    @Test("mutated frames decode without trapping (deterministic)")
    func mutatedFrames() {
        var random = SplitMix64(seed: 0x5c09e5ca)
        let frames = [RealFrames.ethernetIPv6TCPSyn, RealFrames.ethernetIPv6TCPRstAck, RealFrames.loopbackIPv4UDP]
        for round in 0..<3000 {
            var frame = frames[round % frames.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(frame.count))
                frame[index] = UInt8(truncatingIfNeeded: random.next())
            }
            let length = Int(random.next() % UInt64(frame.count + 1))
            frame = Array(frame.prefix(length))
            for linkType in [LinkType.ethernet, .raw, .null, .linuxSLL2, .pktap] {
                withDecoded(frame, linkType: linkType) { packet in
                    checkInvariants(packet, frameLength: frame.count)
                }
            }
        }
    }

    /// What must hold for any decode: layers come in order, views lie inside the frame, and a
    /// packet either decoded everything it could or says why it stopped.
    private func checkInvariants(_ packet: DecodedPacket, frameLength: Int) {
        if packet.link == nil { #expect(packet.error != nil) }
        if packet.ipv4 != nil || packet.ipv6 != nil { #expect(present(packet.link) == true) }
        #expect(!(packet.ipv4 != nil && packet.ipv6 != nil))
        if packet.tcp != nil || packet.udp != nil || packet.icmpv4 != nil || packet.icmpv6 != nil {
            #expect(packet.ipVersion != nil)
        }
        if packet.icmpv4 != nil { #expect(packet.ipVersion == 4) }
        if packet.icmpv6 != nil { #expect(packet.ipVersion == 6) }
        if packet.quoted != nil { #expect(packet.icmpv4 != nil || packet.icmpv6 != nil) }
        if let link = packet.link { #expect(link.headerLength <= frameLength) }
        if let ip = packet.ipv6 { #expect(ip.header.count + ip.payload.count <= frameLength) }
        if let ip = packet.ipv4 { #expect(ip.header.count + ip.payload.count <= frameLength) }
        if let tcp = packet.tcp { #expect(tcp.header.count + tcp.payload.count <= frameLength) }
        if let error = packet.error, error.kind == .truncated {
            #expect(error.available < error.needed)
            #expect(error.offset + error.available <= frameLength)
        }
    }
}

/// A small deterministic generator (Steele, Lea, Flood: SplittableRandom's mixer).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
