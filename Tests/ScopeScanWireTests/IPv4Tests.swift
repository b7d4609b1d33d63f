import Testing
@testable import ScopeScanWire

@Suite("IPv4 header")
struct IPv4Tests {
    /// linux-udp-port-unreachable-lo.pcap #3 (Linux kernel): 127.0.0.1 > 127.0.0.1, UDP, 41 bytes,
    /// followed by the 21-byte UDP datagram.
    static let udpPacket: [UInt8] = Array(RealFrames.loopbackIPv4UDP.dropFirst(14))

    /// linux-udp-port-unreachable-lo.pcap #4, the kernel's ICMP answer: tos 0xc0 (DSCP CS6),
    /// total length 69, id 46701, no flags, ttl 64, proto 1, checksum 0xc588.
    static let icmpHeader: [UInt8] = [
        0x45, 0xc0, 0x00, 0x45, 0xb6, 0x6d, 0x00, 0x00, 0x40, 0x01, 0xc5, 0x88,
        0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
    ]

    /// ipv4-options-icmp.pcap #1: IHL 8 (32 bytes) with a Record Route option (type 7, length 11,
    /// pointer 4, two empty slots) and a NOP; total length 72, id 1, TCP, 192.0.2.1 > 198.51.100.1.
    static let withOptions: [UInt8] = [
        0x48, 0x00, 0x00, 0x48, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x80, 0x6d,
        0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x01,
        0x07, 0x0b, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    ]

    @Test("deconstruct a real header")
    func deconstruct() throws {
        try withBytes(Self.udpPacket) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.headerLength == 20)
            #expect(ip.dscp == 0)
            #expect(ip.totalLength == 41)
            #expect(ip.identification == 29160)
            #expect(ip.dontFragment == true)
            #expect(ip.moreFragments == false)
            #expect(ip.fragmentOffset == 0)
            #expect(ip.ttl == 64)
            #expect(ip.proto == .udp)
            #expect(ip.checksum == 0xcad9)
            #expect(ip.isChecksumValid == true)
            #expect(ip.source == IPv4Address(127, 0, 0, 1))
            #expect(ip.destination == IPv4Address(127, 0, 0, 1))
            #expect(ip.options.count == 0)
            #expect(ip.payload.count == 21)
            #expect(ip.payload.u8(0) == 0xc6) // the UDP source port's first byte
            #expect(ip.isTruncatedByCapture == false)
        }
    }

    @Test("DSCP is the top six bits of the TOS byte")
    func dscp() throws {
        try withBytes(Self.icmpHeader) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.dscp == 48) // CS6, as Linux marks its ICMP errors
            #expect(ip.dontFragment == false)
            #expect(ip.identification == 46701)
            #expect(ip.proto == .icmp)
            #expect(ip.isChecksumValid == true)
            // Only the header was captured of a 69-byte packet.
            #expect(ip.isTruncatedByCapture == true)
            #expect(ip.payload.count == 0)
        }
    }

    @Test("options are the bytes between 20 and IHL × 4")
    func options() throws {
        try withBytes(Self.withOptions) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.headerLength == 32)
            #expect(ip.options.array == [0x07, 0x0b, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01])
            #expect(ip.source == v4("192.0.2.1"))
            #expect(ip.destination == v4("198.51.100.1"))
            #expect(ip.isChecksumValid == true)
            #expect(ip.payload.count == 0)
        }
    }

    @Test("a changed byte breaks the header checksum")
    func checksumMismatch() throws {
        var bytes = Self.icmpHeader
        bytes[8] = 63 // ttl decremented without updating the checksum
        try withBytes(bytes) { raw throws in
            #expect(try IPv4HeaderView(checking: raw).isChecksumValid == false)
        }
    }

    @Test("flags and fragment offset", arguments: [
        // (byte 6, byte 7) -> (DF, MF, offset in bytes)
        (UInt8(0x20), UInt8(0xb9), false, true, 1480), // first-after-first fragment of a 1500-MTU split
        (0x00, 0xb9, false, false, 1480), // last fragment
        (0x40, 0x00, true, false, 0),
        (0x1f, 0xff, false, false, 65528), // largest offset
        (0x80, 0x01, false, false, 8), // the reserved (evil) bit is neither DF nor MF
    ])
    func fragments(_ b6: UInt8, _ b7: UInt8, _ df: Bool, _ mf: Bool, _ offset: Int) throws {
        var bytes = Self.udpPacket
        bytes[6] = b6
        bytes[7] = b7
        try withBytes(bytes) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.dontFragment == df)
            #expect(ip.moreFragments == mf)
            #expect(ip.fragmentOffset == offset)
        }
    }

    @Test("a later fragment is not decoded as a transport header")
    func laterFragmentNotDecoded() {
        var frame = RealFrames.loopbackIPv4UDP
        frame[14 + 6] = 0x00
        frame[14 + 7] = 0xb9
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(present(packet.ipv4) == true)
            #expect(packet.upperLayer == .udp)
            #expect(present(packet.udp) == false)
            #expect(packet.anomalies.contains(.laterFragment))
            #expect(packet.error == nil)
        }
    }

    @Test("the payload stops at the total length, not at Ethernet padding")
    func ethernetPadding() throws {
        let padded = Self.udpPacket + [UInt8](repeating: 0, count: 19) // padded to a 60-byte frame
        try withBytes(padded) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.payload.count == 21)
            #expect(ip.isTruncatedByCapture == false)
        }
    }

    @Test("a total length beyond the capture keeps what was captured")
    func snapped() throws {
        try withBytes(Array(Self.udpPacket.prefix(30))) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.isTruncatedByCapture == true)
            #expect(ip.payload.count == 10)
        }
    }

    @Test("total length 0 (TSO/GSO capture) takes every captured byte")
    func zeroTotalLength() throws {
        var bytes = Self.udpPacket
        bytes[2] = 0
        bytes[3] = 0
        try withBytes(bytes) { raw in
            let ip = try IPv4HeaderView(checking: raw)
            #expect(ip.payload.count == 21)
            #expect(ip.isTruncatedByCapture == false)
        }
    }

    @Test("a total length shorter than the header leaves no payload and is an anomaly")
    func totalShorterThanHeader() throws {
        var frame = RealFrames.loopbackIPv4UDP
        frame[14 + 3] = 12
        try withBytes(Array(frame.dropFirst(14))) { raw throws in
            #expect(try IPv4HeaderView(checking: raw).payload.count == 0)
        }
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.anomalies.contains(.ipLengthShorterThanHeader))
            #expect(present(packet.udp) == false)
            #expect(packet.error?.layer == .udp)
        }
    }

    @Test("IHL below 5 is rejected", arguments: 0..<5)
    func shortIHL(_ ihl: Int) {
        var bytes = Self.udpPacket
        bytes[0] = 0x40 | UInt8(ihl)
        let error = withBytes(bytes) { raw in decodeError { () throws(DecodeError) in try IPv4HeaderView(checking: raw, offset: 14) } }
        #expect(error == .badField(.ipv4, "header length", value: UInt32(ihl * 4), at: 14))
    }

    @Test("a version other than 4 is rejected", arguments: [UInt8]([0x65, 0x05, 0xf5]))
    func versionMismatch(_ first: UInt8) {
        var bytes = Self.udpPacket
        bytes[0] = first
        let error = withBytes(bytes) { raw in decodeError { () throws(DecodeError) in try IPv4HeaderView(checking: raw) } }
        #expect(error == .badField(.ipv4, "version", value: UInt32(first >> 4), at: 0))
    }

    @Test("every prefix shorter than 20 bytes is truncated")
    func truncatedFixedHeader() {
        for length in 0..<20 {
            let error = decodeError(prefix: length, of: Self.udpPacket) { raw throws(DecodeError) in try IPv4HeaderView(checking: raw, offset: 14) }
            #expect(error == .truncated(.ipv4, at: 14, needed: 20, available: length), "prefix \(length)")
        }
    }

    @Test("every prefix cutting the options is truncated at IHL × 4")
    func truncatedOptions() {
        for length in 20..<32 {
            let error = decodeError(prefix: length, of: Self.withOptions) { raw throws(DecodeError) in try IPv4HeaderView(checking: raw) }
            #expect(error == .truncated(.ipv4, at: 0, needed: 32, available: length), "prefix \(length)")
        }
        let whole = decodeError(prefix: 32, of: Self.withOptions) { raw throws(DecodeError) in _ = try IPv4HeaderView(checking: raw) }
        #expect(whole == nil)
    }

    @Test("a quoted header reports errors at its own layer")
    func quotedLayer() {
        let error = decodeError(prefix: 10, of: Self.udpPacket) { raw throws(DecodeError) in try IPv4HeaderView(checking: raw, layer: .quotedIPv4, offset: 42) }
        #expect(error == .truncated(.quotedIPv4, at: 42, needed: 20, available: 10))
    }

    @Test("an IPv4 frame with options decodes its TCP header after the options (ipv4-options-icmp.pcap #1)")
    func frameWithOptions() {
        // 192.0.2.1.40100 > 198.51.100.1.443: Flags [S], seq 100, win 8192,
        // options [mss 1460,sackOK,TS val 4242 ecr 0,nop,wscale 7]
        let tcp: [UInt8] = [
            0x9c, 0xa4, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0x20, 0x00,
            0x8c, 0x74, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x10, 0x92,
            0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
        ]
        let ethernet: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x00]
        withDecoded(ethernet + Self.withOptions + tcp, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.ipVersion == 4)
            #expect(packet.hopLimit == 64)
            #expect(packet.upperLayer == .tcp)
            #expect(packet.tcp?.sourcePort == 40100)
            #expect(packet.tcp?.destinationPort == 443)
            #expect(packet.tcp?.sequenceNumber == 100)
            #expect(packet.anomalies.isEmpty)
        }
    }
}
