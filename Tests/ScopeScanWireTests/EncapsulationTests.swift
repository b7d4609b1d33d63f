import Testing
@testable import ScopeScanWire

/// PPPoE sessions, MPLS label stacks and PBB I-tags inside Ethernet, from literal bytes.
@Suite("PPPoE, MPLS and PBB over Ethernet")
struct EncapsulationTests {
    static let macs: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a]
    /// The first bytes of an IPv6 header (version 6), enough for the link decoder.
    static let ipv6Start: [UInt8] = [0x60, 0x00, 0x00, 0x00]

    static func link(_ bytes: [UInt8]) throws -> LinkFacts {
        try withBytes(bytes) { raw throws(DecodeError) in LinkFacts(try LinkDecoder.decode(raw, linkType: .ethernet)) }
    }

    static func error(_ bytes: [UInt8]) -> DecodeError? {
        withBytes(bytes) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ethernet) } }
    }

    /// EtherType 0x8864, ver/type 0x11, code 0, session 0x1234, length 0x0100, PPP 0x0057 (IPv6).
    static let pppoe: [UInt8] = macs + [0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x01, 0x00, 0x00, 0x57] + ipv6Start

    @Test("deconstruct a PPPoE session frame carrying IPv6")
    func pppoeIPv6() throws {
        let link = try Self.link(Self.pppoe)
        #expect(link.networkProtocol == .ipv6)
        #expect(link.headerLength == 22)
    }

    @Test("PPP 0x0021 is IPv4; LCP (0xc021) is a link-only frame")
    func pppoeOtherProtocols() throws {
        var bytes = Self.pppoe
        bytes[21] = 0x21
        #expect(try Self.link(bytes).networkProtocol == .ipv4)
        bytes[20] = 0xc0
        #expect(try Self.link(bytes).networkProtocol == EtherType(rawValue: 0))
    }

    @Test("a PPPoE header of another version is rejected, a cut one truncated")
    func pppoeBad() throws {
        var bytes = Self.pppoe
        bytes[14] = 0x21
        #expect(Self.error(bytes)?.kind == .badField("version/type"))
        #expect(Self.error(Array(Self.pppoe.prefix(20))) == .truncated(.pppoe, at: 14, needed: 7, available: 6))
        #expect(Self.error(Array(Self.pppoe.prefix(21))) == .truncated(.pppoe, at: 14, needed: 8, available: 7))
    }

    @Test("a compressed one-byte PPP protocol field (RFC 1661 section 6.5), as in pppoe-session-ipv6.pcap")
    func pppoeCompressedProtocol() throws {
        let bytes = Self.macs + [0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00, 0x51, 0x57] + Self.ipv6Start
        let link = try Self.link(bytes)
        #expect(link.networkProtocol == .ipv6)
        #expect(link.headerLength == 21)
    }

    /// EtherType 0x8847, label 1001 (S=0, TTL 64), label 2002 (S=1, TTL 64), then IPv6.
    static let mpls: [UInt8] = macs + [0x88, 0x47, 0x00, 0x3e, 0x90, 0x40, 0x00, 0x7d, 0x21, 0x40] + ipv6Start

    @Test("deconstruct a two-label MPLS stack carrying IPv6")
    func mplsTwoLabels() throws {
        let link = try Self.link(Self.mpls)
        #expect(link.networkProtocol == .ipv6)
        #expect(link.headerLength == 22)
        withBytes(Self.mpls) { raw in
            #expect(MPLSStack.entry(raw, at: 14) == (label: 1001, bottom: false))
            #expect(MPLSStack.entry(raw, at: 18) == (label: 2002, bottom: true))
        }
    }

    @Test("an MPLS stack without bottom of stack is cut or too deep")
    func mplsBad() {
        #expect(Self.error(Array(Self.mpls.prefix(20))) == .truncated(.mpls, at: 18, needed: 4, available: 2))
        let deep = Self.macs + [0x88, 0x47] + Array(repeating: [0x00, 0x3e, 0x80, 0x40], count: 9).flatMap { $0 }
        #expect(Self.error(deep)?.kind == .badField("label stack depth"))
    }

    /// B-tag 0x88a8 VID 500, I-tag 0x88e7 I-SID 0x010203, customer MACs, EtherType 0x86dd.
    static let pbb: [UInt8] = macs + [0x88, 0xa8, 0x01, 0xf4, 0x88, 0xe7, 0x00, 0x01, 0x02, 0x03]
        + [0x02, 0x00, 0x00, 0x00, 0x00, 0x05, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x86, 0xdd] + ipv6Start

    @Test("deconstruct a PBB frame: B-tag, I-tag, customer Ethernet, IPv6")
    func pbb() throws {
        let link = try Self.link(Self.pbb)
        #expect(link.networkProtocol == .ipv6)
        #expect(link.headerLength == 36)
        #expect(link.outerVLAN == 500)
        withBytes(Self.pbb) { raw in #expect(PBBITag.serviceID(raw, at: 18) == 0x010203) }
        #expect(Self.error(Array(Self.pbb.prefix(30))) == .truncated(.pbb, at: 18, needed: 18, available: 12))
    }
}
