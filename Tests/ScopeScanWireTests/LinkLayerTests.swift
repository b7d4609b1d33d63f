import Testing
@testable import ScopeScanWire

/// The IPv6 + TCP SYN of linux-tcp-refused.pcap #1 without its Ethernet header (80 bytes).
private let ipv6SYN = Array(RealFrames.ethernetIPv6TCPSyn.dropFirst(14))

private func link(_ bytes: [UInt8], _ linkType: LinkType) -> Result<LinkFacts, DecodeError> {
    // LinkLayer borrows the bytes, so only its plain fields leave `withBytes`.
    withBytes(bytes) { raw in Result { () throws(DecodeError) in LinkFacts(try LinkDecoder.decode(raw, linkType: linkType)) } }
}

private func linkError(_ bytes: [UInt8], _ linkType: LinkType) -> DecodeError? {
    if case .failure(let error) = link(bytes, linkType) { return error }
    return nil
}

// MARK: - DLT_NULL / DLT_LOOP

struct NullCase: Sendable, CustomTestStringConvertible {
    var header: [UInt8]
    var family: UInt32
    var networkProtocol: EtherType
    var swapped: Bool
    var testDescription: String { "family \(family) \(swapped ? "big" : "little")-endian" }
}

@Suite("BSD loopback (DLT_NULL, DLT_LOOP)")
struct NullLoopbackTests {
    static let cases: [NullCase] = [
        // AF_INET is 2 everywhere; AF_INET6 is 24 (OpenBSD/NetBSD), 28 (FreeBSD), 30 (macOS).
        NullCase(header: [0x02, 0x00, 0x00, 0x00], family: 2, networkProtocol: .ipv4, swapped: false),
        NullCase(header: [0x18, 0x00, 0x00, 0x00], family: 24, networkProtocol: .ipv6, swapped: false),
        NullCase(header: [0x1c, 0x00, 0x00, 0x00], family: 28, networkProtocol: .ipv6, swapped: false),
        NullCase(header: [0x1e, 0x00, 0x00, 0x00], family: 30, networkProtocol: .ipv6, swapped: false),
        // A capture written on a big-endian host (linktype-null-be.pcap) read on this little-endian one.
        NullCase(header: [0x00, 0x00, 0x00, 0x02], family: 2, networkProtocol: .ipv4, swapped: true),
        NullCase(header: [0x00, 0x00, 0x00, 0x18], family: 24, networkProtocol: .ipv6, swapped: true),
        NullCase(header: [0x00, 0x00, 0x00, 0x1c], family: 28, networkProtocol: .ipv6, swapped: true),
        NullCase(header: [0x00, 0x00, 0x00, 0x1e], family: 30, networkProtocol: .ipv6, swapped: true),
    ]

    @Test("DLT_NULL family in either byte order", arguments: cases)
    func nullFamily(_ c: NullCase) throws {
        let decoded = try link(c.header + ipv6SYN, .null).get()
        #expect(decoded.linkType == .null)
        #expect(decoded.nullFamily == c.family)
        #expect(decoded.networkProtocol == c.networkProtocol)
        #expect(decoded.byteSwappedFamily == c.swapped)
        #expect(decoded.headerLength == 4)
        #expect(decoded.hasZeroMACs == false)
    }

    @Test("a byte-swapped family still decodes the packet, and says it was swapped")
    func swappedFrame() {
        withDecoded([0x00, 0x00, 0x00, 0x1e] + ipv6SYN, linkType: .null) { packet in
            #expect(packet.link?.byteSwappedFamily == true)
            #expect(packet.link?.nullFamily == 30)
            #expect(packet.error == nil)
            #expect(packet.ipv6?.source == v6("2001:db8:1::1"))
            #expect(packet.tcp?.destinationPort == 8081)
        }
        withDecoded([0x1e, 0x00, 0x00, 0x00] + ipv6SYN, linkType: .null) { packet in
            #expect(packet.link?.byteSwappedFamily == false)
            #expect(present(packet.tcp) == true)
        }
    }

    @Test("DLT_LOOP is always big-endian")
    func loopBigEndian() throws {
        // linktype-loop.pcap #1: 00 00 00 18, AF_INET6 on OpenBSD.
        let decoded = try link([0x00, 0x00, 0x00, 0x18] + ipv6SYN, .loop).get()
        #expect(decoded.linkType == .loop)
        #expect(decoded.nullFamily == 24)
        #expect(decoded.networkProtocol == .ipv6)
        #expect(decoded.byteSwappedFamily == false)
        #expect(decoded.headerLength == 4)

        // Read as big-endian, a little-endian 24 is 0x18000000: no family at all.
        let error = try #require(linkError([0x18, 0x00, 0x00, 0x00] + ipv6SYN, .loop))
        #expect(error.layer == .null)
        #expect(error.kind == .unsupportedProtocol)
        #expect(error.value == 0x1800_0000)
    }

    @Test("an unknown family is an unsupported protocol, reported by its number", arguments: [
        [UInt8]([0x07, 0x00, 0x00, 0x00]), [0x00, 0x00, 0x00, 0x07],
    ])
    func unknownFamily(_ header: [UInt8]) throws {
        let error = try #require(linkError(header + ipv6SYN, .null))
        #expect(error.layer == .null)
        #expect(error.kind == .unsupportedProtocol)
        #expect(error.offset == 0)
        #expect(error.value == 7)
    }

    @Test("family 0 is not a protocol")
    func zeroFamily() {
        #expect(linkError([0, 0, 0, 0] + ipv6SYN, .null)?.kind == .unsupportedProtocol)
    }

    @Test("every prefix of the 4-byte family is truncated")
    func truncated() {
        for linkType in [LinkType.null, .loop] {
            for length in 0..<4 {
                #expect(linkError(Array([0x00, 0x00, 0x00, 0x18].prefix(length)), linkType) == .truncated(.null, at: 0, needed: 4, available: length),
                        "\(linkType) prefix \(length)")
            }
        }
    }
}

// MARK: - Raw IP

@Suite("Raw IP link types")
struct RawIPTests {
    @Test("the first nibble picks the IP version", arguments: [LinkType.raw, .rawBSD12, .rawBSD14])
    func version(_ linkType: LinkType) throws {
        let six = try link(ipv6SYN, linkType).get()
        #expect(six.networkProtocol == .ipv6)
        #expect(six.headerLength == 0)
        #expect(six.linkType == linkType)

        let ipv4 = Array(RealFrames.loopbackIPv4UDP.dropFirst(14))
        let four = try link(ipv4, linkType).get()
        #expect(four.networkProtocol == .ipv4)
        #expect(four.headerLength == 0)
    }

    @Test("a first nibble other than 4 or 6 is rejected", arguments: [UInt8(0x00), 0x10, 0x50, 0x70, 0xf0])
    func badNibble(_ first: UInt8) throws {
        var bytes = ipv6SYN
        bytes[0] = first
        let error = try #require(linkError(bytes, .raw))
        #expect(error.layer == .link)
        #expect(error.kind == .badField("IP version"))
        #expect(error.value == UInt32(first >> 4))
    }

    @Test("an empty raw frame is truncated")
    func empty() {
        #expect(linkError([], .raw) == .truncated(.link, at: 0, needed: 1, available: 0))
    }

    @Test("LINKTYPE_IPV4 and LINKTYPE_IPV6 name the protocol without looking at the bytes")
    func fixedVersion() throws {
        #expect(try link(ipv6SYN, .ipv6).get().networkProtocol == .ipv6)
        #expect(try link([], .ipv4).get().networkProtocol == .ipv4)
        withDecoded(ipv6SYN, linkType: .ipv4) { packet in
            // An IPv6 header under LINKTYPE_IPV4 fails at the IPv4 version check.
            #expect(packet.error?.layer == .ipv4)
            #expect(packet.error?.kind == .badField("version"))
            #expect(packet.error?.value == 6)
        }
    }

    @Test("decodeIP decodes from the IP header")
    func decodeIP() {
        withBytes(ipv6SYN) { raw in
            let packet = PacketDecoder.decodeIP(raw)
            #expect(packet.error == nil)
            #expect(packet.link?.headerLength == 0)
            #expect(packet.source == .v6(v6("2001:db8:1::1")))
            #expect(packet.sourcePort == 44776)
        }
    }
}

// MARK: - Linux cooked captures

@Suite("Linux cooked captures (SLL, SLL2)")
struct LinuxSLLTests {
    /// linktype-sll.pcap #1: packet type 4 (outgoing), ARPHRD 1 (Ethernet), address length 6,
    /// address 02:00:00:00:00:0a + 2 bytes padding, protocol 0x86dd.
    static let sll: [UInt8] = [
        0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x86, 0xdd,
    ]

    /// `tcpdump -i any` on Linux lo: packet type 0 (to us), ARPHRD 772 (ARPHRD_LOOPBACK), address
    /// length 6, all-zero address, protocol 0x0800.
    static let sllLoopback: [UInt8] = [
        0x00, 0x00, 0x03, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
    ]

    /// linktype-sll2.pcap #1: protocol 0x86dd, reserved, interface index 1, ARPHRD 1,
    /// packet type 4 (outgoing), address length 6, address 02:00:00:00:00:0a + padding.
    static let sll2: [UInt8] = [
        0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x04, 0x06,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
    ]

    /// SLL2 on lo with a large interface index (0x01020304) to pin the byte order: protocol 0x0800,
    /// ARPHRD 772, packet type 0, address length 6.
    static let sll2Loopback: [UInt8] = [
        0x08, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x03, 0x04, 0x00, 0x06,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    @Test("SLL header from a real frame")
    func sllHeader() throws {
        let decoded = try link(Self.sll + ipv6SYN, .linuxSLL).get()
        #expect(decoded.linkType == .linuxSLL)
        #expect(decoded.networkProtocol == .ipv6)
        #expect(decoded.headerLength == 16)
        #expect(decoded.hasZeroMACs == false)
        #expect(decoded.arphrdLoopback == false)
        #expect(decoded.interfaceIndex == 0)
    }

    @Test("SLL with ARPHRD_LOOPBACK is named as such, not as zero MACs")
    func sllLoopbackHeader() throws {
        let decoded = try link(Self.sllLoopback, .linuxSLL).get()
        #expect(decoded.networkProtocol == .ipv4)
        #expect(decoded.arphrd == 772)
        #expect(decoded.arphrdLoopback)
        #expect(decoded.hasZeroMACs == false)
    }

    @Test("SLL2 header from a real frame")
    func sll2Header() throws {
        let decoded = try link(Self.sll2 + ipv6SYN, .linuxSLL2).get()
        #expect(decoded.linkType == .linuxSLL2)
        #expect(decoded.networkProtocol == .ipv6)
        #expect(decoded.headerLength == 20)
        #expect(decoded.interfaceIndex == 1)
        #expect(decoded.hasZeroMACs == false)
        #expect(decoded.arphrdLoopback == false)
    }

    @Test("SLL2 interface index is big-endian and ARPHRD_LOOPBACK is named as such")
    func sll2Loopback() throws {
        let decoded = try link(Self.sll2Loopback, .linuxSLL2).get()
        #expect(decoded.interfaceIndex == 0x0102_0304)
        #expect(decoded.networkProtocol == .ipv4)
        #expect(decoded.arphrd == 772)
        #expect(decoded.arphrdLoopback)
        #expect(decoded.hasZeroMACs == false)
    }

    @Test("a whole SLL2 frame decodes down to TCP")
    func sll2Frame() {
        withDecoded(Self.sll2 + ipv6SYN, linkType: .linuxSLL2) { packet in
            #expect(packet.error == nil)
            #expect(packet.link?.interfaceIndex == 1)
            #expect(packet.tcp?.sourcePort == 44776)
        }
    }

    @Test("every prefix of an SLL or SLL2 header is truncated")
    func truncated() {
        for length in 0..<16 {
            #expect(linkError(Array(Self.sll.prefix(length)), .linuxSLL) == .truncated(.sll, at: 0, needed: 16, available: length), "SLL prefix \(length)")
        }
        for length in 0..<20 {
            #expect(linkError(Array(Self.sll2.prefix(length)), .linuxSLL2) == .truncated(.sll2, at: 0, needed: 20, available: length), "SLL2 prefix \(length)")
        }
    }
}

// MARK: - PKTAP

@Suite("Apple PKTAP")
struct PKTAPTests {
    /// linktype-pktap.pcap #1 (the layout of macOS `tcpdump -i pktap,lo0`): a 156-byte
    /// little-endian PKTAP header, then a DLT_NULL frame: family 30, IPv6 + TCP SYN
    /// ::1.50010 > ::1.8080.
    static let frame: [UInt8] = [
        // 0: pth_length 156
        0x9c, 0x00, 0x00, 0x00,
        // 4: pth_type_next 1
        0x01, 0x00, 0x00, 0x00,
        // 8: pth_dlt 0 (DLT_NULL)
        0x00, 0x00, 0x00, 0x00,
        // 12: pth_ifname "lo0"
        0x6c, 0x6f, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        // 36: pth_flags 2 (PTH_FLAG_DIR_OUT)
        0x02, 0x00, 0x00, 0x00,
        // 40: pth_protocol_family 30 (AF_INET6)
        0x1e, 0x00, 0x00, 0x00,
        // 44: pth_frame_pre_length 4
        0x04, 0x00, 0x00, 0x00,
        // 48: pth_frame_post_length 0
        0x00, 0x00, 0x00, 0x00,
        // 52: pth_pid 4242
        0x92, 0x10, 0x00, 0x00,
        // 56: pth_comm "nc"
        0x6e, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00,
        // 73: padding
        0x00, 0x00, 0x00,
        // 76: pth_svc 0
        0x00, 0x00, 0x00, 0x00,
        // 80: pth_iftype 24 (IFT_LOOP)
        0x18, 0x00,
        // 82: pth_ifunit 0
        0x00, 0x00,
        // 84: pth_epid 4242
        0x92, 0x10, 0x00, 0x00,
        // 88: pth_ecomm "nc"
        0x6e, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00,
        // 105: padding
        0x00, 0x00, 0x00,
        // 108: pth_flowid
        0x01, 0x01, 0x00, 0x00,
        // 112: pth_ipproto 6
        0x06, 0x00, 0x00, 0x00,
        // 116: pth_tstamp
        0x2a, 0x4d, 0x3b, 0x66, 0x00, 0x00, 0x00, 0x00,
        // 124: pth_uuid
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
        // 140: pth_euuid
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
        // 156: DLT_NULL family 30 (AF_INET6 on macOS), little-endian
        0x1e, 0x00, 0x00, 0x00,
        // 160: IPv6, payload length 40, TCP, hop limit 64, ::1 > ::1
        0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        // 200: TCP 50010 > 8080, seq 2056257537, SYN, options
        0xc3, 0x5a, 0x1f, 0x90, 0x7a, 0x90, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfd, 0x20, 0xe9, 0x8a, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0,
        0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
    ]

    @Test("header fields, and the inner DLT_NULL frame", arguments: [LinkType.pktap, .user2])
    func deconstruct(_ linkType: LinkType) throws {
        #expect(Self.frame.count == 240)
        try withBytes(Self.frame) { raw in
            let decoded = try LinkDecoder.decode(raw, linkType: linkType)
            #expect(decoded.linkType == linkType)
            #expect(decoded.headerLength == 160)
            #expect(decoded.networkProtocol == .ipv6)
            #expect(decoded.nullFamily == 30)
            #expect(decoded.byteSwappedFamily == false)
            let header = try required(decoded.pktap)
            #expect(header.length == 156)
            #expect(header.header.count == 156)
            #expect(header.innerLinkType == .null)
            #expect(header.interfaceName == "lo0")
            #expect(header.interfaceNameBytes.array == Array("lo0".utf8))
            #expect(header.processName == "nc")
            #expect(header.processID == 4242)
        }
    }

    @Test("a PKTAP frame decodes down to TCP with the right offsets")
    func fullDecode() {
        withDecoded(Self.frame, linkType: .pktap) { packet in
            #expect(packet.error == nil)
            #expect(packet.link?.pktap?.interfaceName == "lo0")
            #expect(packet.source == .v6(.loopback))
            #expect(packet.destination == .v6(.loopback))
            #expect(packet.tcp?.sourcePort == 50010)
            #expect(packet.tcp?.destinationPort == 8080)
            #expect(packet.tcp?.sequenceNumber == 2_056_257_537)
            #expect(packet.tcp?.flags == .syn)
        }
    }

    @Test("a 16-character process name fills pth_comm up to its terminating NUL")
    func longProcessName() throws {
        var bytes = Self.frame
        let name = Array("mDNSResponderHel".utf8) // MAXCOMLEN = 16
        bytes.replaceSubrange(56..<72, with: name)
        bytes.replaceSubrange(12..<36, with: Array("utun3".utf8) + [UInt8](repeating: 0, count: 19)) // pth_ifname
        bytes[52] = 0xff; bytes[53] = 0xff; bytes[54] = 0xff; bytes[55] = 0xff // pid -1 (unknown)
        try withBytes(bytes) { raw in
            let header = try required(try LinkDecoder.decode(raw, linkType: .pktap).pktap)
            #expect(header.processName == "mDNSResponderHel")
            #expect(header.interfaceName == "utun3")
            #expect(header.processID == -1)
        }
    }

    @Test("a header length below the fields scopescan reads is rejected", arguments: [0, 8, 72])
    func headerTooShort(_ length: Int) throws {
        var bytes = Self.frame
        bytes[0] = UInt8(length)
        let error = try #require(linkError(bytes, .pktap))
        #expect(error.layer == .pktap)
        #expect(error.kind == .badField("header length"))
        #expect(error.value == UInt32(length))
    }

    @Test("a PKTAP header may not wrap another PKTAP header", arguments: [UInt8(149), 0x02])
    func nestedPKTAP(_ dlt: UInt8) throws {
        var bytes = Self.frame
        bytes[8] = dlt
        if dlt == 0x02 { bytes[9] = 0x01 } // 258, LINKTYPE_PKTAP
        let error = try #require(linkError(bytes, .pktap))
        #expect(error.layer == .pktap)
        #expect(error.kind == .badField("inner link type"))
    }

    @Test("an inner link type that is not decoded is reported as such")
    func unsupportedInner() throws {
        var bytes = Self.frame
        bytes[8] = 147 // DLT_USER0
        let error = try #require(linkError(bytes, .pktap))
        #expect(error.kind == .unsupportedLinkType)
        #expect(error.value == 147)
        #expect(error.offset == 156)
    }

    @Test("every prefix of the PKTAP header and inner NULL header is truncated")
    func truncated() {
        for length in 0..<8 {
            #expect(linkError(Array(Self.frame.prefix(length)), .pktap) == .truncated(.pktap, at: 0, needed: 8, available: length), "prefix \(length)")
        }
        for length in 8..<156 {
            #expect(linkError(Array(Self.frame.prefix(length)), .pktap) == .truncated(.pktap, at: 0, needed: 156, available: length), "prefix \(length)")
        }
        // Cut inside the DLT_NULL family: the error is the inner layer's, at its offset in the frame.
        for length in 156..<160 {
            #expect(linkError(Array(Self.frame.prefix(length)), .pktap) == .truncated(.null, at: 156, needed: 4, available: length - 156), "prefix \(length)")
        }
    }
}

// MARK: - Unsupported link types

@Suite("Unsupported link types")
struct UnsupportedLinkTypeTests {
    @Test("a link type scopescan does not decode is an error, not a guess", arguments: [UInt32(6), 10, 147, 192])
    func unsupported(_ raw: UInt32) throws {
        let linkType = LinkType(raw)
        #expect(linkType.isSupported == false)
        let error = try #require(linkError(ipv6SYN, linkType))
        #expect(error.layer == .link)
        #expect(error.kind == .unsupportedLinkType)
        #expect(error.value == raw)
        withDecoded(ipv6SYN, linkType: linkType) { packet in
            #expect(present(packet.link) == false)
            #expect(present(packet.ipv6) == false)
            #expect(packet.error?.kind == .unsupportedLinkType)
        }
    }
}
