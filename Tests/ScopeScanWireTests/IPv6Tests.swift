import Testing
@testable import ScopeScanWire

@Suite("IPv6 fixed header")
struct IPv6Tests {
    /// linux-tcp-refused.pcap #1 from the IPv6 header on: 40-byte header + 40-byte TCP SYN.
    static let packet: [UInt8] = Array(RealFrames.ethernetIPv6TCPSyn.dropFirst(14))

    @Test("deconstruct a real header")
    func deconstruct() throws {
        try withBytes(Self.packet) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.header.count == 40)
            #expect(ip.trafficClass == 0)
            #expect(ip.flowLabel == 0x14ba4)
            #expect(ip.payloadLength == 40)
            #expect(ip.nextHeader == .tcp)
            #expect(ip.hopLimit == 64)
            #expect(ip.source == IPv6Address(groups: [0x2001, 0xdb8, 1, 0, 0, 0, 0, 1]))
            #expect(ip.destination == IPv6Address(groups: [0x2001, 0xdb8, 1, 0, 0, 0, 0, 2]))
            #expect(ip.payload.count == 40)
            #expect(ip.payload.u8(0) == 0xae) // TCP source port 44776 = 0xaee8
            #expect(ip.isTruncatedByCapture == false)
        }
    }

    @Test("traffic class and flow label straddle the nibble boundaries")
    func trafficClassAndFlowLabel() throws {
        var bytes = Self.packet
        // version 6, traffic class 0xb8 (DSCP 46 EF, ECN 0), flow label 0x12345
        bytes.replaceSubrange(0..<4, with: [0x6b, 0x81, 0x23, 0x45])
        try withBytes(bytes) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.trafficClass == 0xb8)
            #expect(ip.flowLabel == 0x12345)
        }
        // All ones in both fields.
        bytes.replaceSubrange(0..<4, with: [0x6f, 0xff, 0xff, 0xff])
        try withBytes(bytes) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.trafficClass == 0xff)
            #expect(ip.flowLabel == 0xfffff)
        }
    }

    @Test("the payload stops at the payload length")
    func trailingBytesIgnored() throws {
        try withBytes(Self.packet + [0xde, 0xad, 0xbe, 0xef]) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.payload.count == 40)
            #expect(ip.isTruncatedByCapture == false)
        }
    }

    @Test("a payload length beyond the capture keeps what was captured")
    func snapped() throws {
        try withBytes(Array(Self.packet.prefix(60))) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.payload.count == 20)
            #expect(ip.isTruncatedByCapture == true)
        }
    }

    @Test("payload length 0 (jumbogram or TSO) takes everything captured")
    func zeroPayloadLength() throws {
        var bytes = Self.packet
        bytes[4] = 0
        bytes[5] = 0
        try withBytes(bytes) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.payloadLength == 0)
            #expect(ip.payload.count == 40)
            #expect(ip.isTruncatedByCapture == false)
        }
    }

    @Test("a version other than 6 is rejected", arguments: [UInt8(0x40), 0x00, 0x70, 0xf0])
    func versionMismatch(_ first: UInt8) {
        var bytes = Self.packet
        bytes[0] = first
        let error = withBytes(bytes) { raw in decodeError { () throws(DecodeError) in try IPv6HeaderView(checking: raw, offset: 14) } }
        #expect(error == .badField(.ipv6, "version", value: UInt32(first >> 4), at: 14))
    }

    @Test("every prefix shorter than 40 bytes is truncated")
    func truncated() {
        for length in 0..<40 {
            let error = decodeError(prefix: length, of: Self.packet) { raw throws(DecodeError) in try IPv6HeaderView(checking: raw, offset: 14) }
            #expect(error == .truncated(.ipv6, at: 14, needed: 40, available: length), "prefix \(length)")
            let quoted = decodeError(prefix: length, of: Self.packet) { raw throws(DecodeError) in try IPv6HeaderView(checking: raw, layer: .quotedIPv6, offset: 62) }
            #expect(quoted == .truncated(.quotedIPv6, at: 62, needed: 40, available: length), "quoted prefix \(length)")
        }
        let whole = decodeError(prefix: 40, of: Self.packet) { raw throws(DecodeError) in _ = try IPv6HeaderView(checking: raw) }
        #expect(whole == nil)
    }

    @Test("an IPv4 header behind EtherType 0x86dd fails the version check at the IPv6 layer")
    func wrongVersionInFrame() {
        let frame = Array(RealFrames.ethernetIPv6TCPSyn.prefix(14)) + Array(RealFrames.loopbackIPv4UDP.dropFirst(14)) + [UInt8](repeating: 0, count: 20)
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.link?.networkProtocol == .ipv6)
            #expect(present(packet.ipv6) == false)
            #expect(present(packet.ipv4) == false)
            #expect(packet.error == .badField(.ipv6, "version", value: 4, at: 14))
        }
    }
}
