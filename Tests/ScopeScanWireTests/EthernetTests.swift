import Testing
@testable import ScopeScanWire

@Suite("Ethernet II and 802.1Q/802.1ad")
struct EthernetTests {
    /// linux-tcp-refused.pcap #1: dst 02:00:00:00:01:02, src 02:00:00:00:01:01, EtherType 0x86dd.
    static let untagged: [UInt8] = Array(RealFrames.ethernetIPv6TCPSyn.prefix(14))

    /// linktype-vlan.pcap #1: dst 02:00:00:00:00:0b, src 02:00:00:00:00:0a,
    /// TPID 0x8100, TCI 0x0064 (PCP 0, DEI 0, VID 100), EtherType 0x86dd.
    static let singleTag: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
        0x81, 0x00, 0x00, 0x64,
        0x86, 0xdd,
    ]

    /// 802.1ad QinQ: S-tag TPID 0x88a8 TCI 0x20c8 (PCP 1, VID 200), C-tag TPID 0x8100
    /// TCI 0xb064 (PCP 5, DEI 1, VID 100), EtherType 0x0800.
    static let qinq: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
        0x88, 0xa8, 0x20, 0xc8,
        0x81, 0x00, 0xb0, 0x64,
        0x08, 0x00,
    ]

    static func link(_ bytes: [UInt8]) throws -> (protocol: EtherType, headerLength: Int, outer: UInt16, inner: UInt16, zeroMACs: Bool) {
        try withBytes(bytes) { raw throws(DecodeError) in
            let link = try LinkDecoder.decode(raw, linkType: .ethernet)
            #expect(link.linkType == .ethernet)
            #expect(link.interfaceIndex == 0)
            #expect(present(link.pktap) == false)
            #expect(link.byteSwappedFamily == false)
            #expect(link.nullFamily == 0)
            return (link.networkProtocol, link.headerLength, link.outerVLAN, link.innerVLAN, link.hasZeroMACs)
        }
    }

    @Test("deconstruct an untagged header from a real frame")
    func deconstructUntagged() throws {
        let link = try Self.link(Self.untagged)
        #expect(link.protocol == .ipv6)
        #expect(link.headerLength == 14)
        #expect(link.outer == 0)
        #expect(link.inner == 0)
        #expect(link.zeroMACs == false)
    }

    @Test("Linux lo frames carry all-zero MAC addresses")
    func zeroMACs() throws {
        let link = try Self.link(Array(RealFrames.loopbackIPv4UDP.prefix(14)))
        #expect(link.zeroMACs)
        #expect(link.protocol == .ipv4)
        #expect(link.headerLength == 14)
    }

    @Test("a single non-zero byte in either MAC address means the MACs are not zero", arguments: 0..<12)
    func oneNonZeroMACByte(position: Int) throws {
        var bytes = [UInt8](repeating: 0, count: 12) + [0x86, 0xdd]
        bytes[position] = 0x01
        #expect(try Self.link(bytes).zeroMACs == false)
    }

    @Test("802.1Q tag: VLAN id 100 from a real frame")
    func singleVLANTag() throws {
        let link = try Self.link(Self.singleTag)
        #expect(link.protocol == .ipv6)
        #expect(link.headerLength == 18)
        #expect(link.outer == 100)
        #expect(link.inner == 0)
    }

    @Test("priority and DEI bits are not part of the VLAN id")
    func priorityBitsMasked() throws {
        var bytes = Self.singleTag
        bytes[14] = 0xff // PCP 7, DEI 1, VID high nibble 0xf
        bytes[15] = 0xff
        #expect(try Self.link(bytes).outer == 0x0fff)
        bytes[14] = 0xe0 // PCP 7, VID 100
        bytes[15] = 0x64
        #expect(try Self.link(bytes).outer == 100)
    }

    @Test("802.1ad QinQ: outer (S-tag) and inner (C-tag) VLAN ids")
    func qinqTags() throws {
        let link = try Self.link(Self.qinq)
        #expect(link.protocol == .ipv4)
        #expect(link.headerLength == 22)
        #expect(link.outer == 200)
        #expect(link.inner == 100)
    }

    @Test("the pre-standard 0x9100 TPID is an outer tag too")
    func legacyQinQ() throws {
        var bytes = Self.qinq
        bytes[12] = 0x91
        bytes[13] = 0x00
        let link = try Self.link(bytes)
        #expect(link.outer == 200)
        #expect(link.inner == 100)
        #expect(link.headerLength == 22)
    }

    @Test("a triple VLAN stack decodes; the first two ids are kept")
    func threeTags() throws {
        let bytes: [UInt8] = Array(Self.qinq.prefix(16)) + [0x81, 0x00, 0x00, 0x64, 0x81, 0x00, 0x00, 0x65, 0x86, 0xdd]
        let link = try Self.link(bytes)
        #expect(link.protocol == .ipv6)
        #expect(link.headerLength == 26)
        #expect(link.outer == 200)
        #expect(link.inner == 100)
    }

    @Test("a fifth VLAN tag is rejected")
    func fiveTagsRejected() throws {
        let tag: [UInt8] = [0x81, 0x00, 0x00, 0x64]
        let bytes: [UInt8] = Array(Self.qinq.prefix(16)) + tag + tag + tag + tag + [0x86, 0xdd]
        let error = withBytes(bytes) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ethernet) } }
        let thrown = try #require(error)
        #expect(thrown.layer == .vlan)
        #expect(thrown.kind == .badField("tag count"))
        #expect(thrown.value == 5)
        // The fifth tag's TPID sits at 12 + 4 * 4.
        #expect(thrown.offset == 28)
    }

    @Test("ARP and other EtherTypes are passed through as the network protocol")
    func arp() throws {
        var bytes = Self.untagged
        bytes[12] = 0x08
        bytes[13] = 0x06
        let link = try Self.link(bytes)
        #expect(link.protocol == .arp)
        #expect(link.headerLength == 14)
    }

    @Test("every prefix of the 14-byte header is truncated at the ethernet layer")
    func truncatedHeader() {
        for length in 0..<14 {
            let error = decodeError(prefix: length, of: Self.untagged) { raw throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ethernet) }
            #expect(error == .truncated(.ethernet, at: 0, needed: 14, available: length), "prefix \(length)")
        }
    }

    @Test("every prefix cutting a VLAN tag is truncated at the vlan layer")
    func truncatedTags() {
        for length in 14..<18 {
            let error = decodeError(prefix: length, of: Self.singleTag) { raw throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ethernet) }
            #expect(error == .truncated(.vlan, at: 14, needed: 4, available: length - 14), "prefix \(length)")
        }
        for length in 18..<22 {
            let error = decodeError(prefix: length, of: Self.qinq) { raw throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ethernet) }
            #expect(error == .truncated(.vlan, at: 18, needed: 4, available: length - 18), "prefix \(length)")
        }
    }

    @Test("an IPv4 frame inside an 802.1Q tag decodes through the tag (linktype-vlan.pcap #4)")
    func taggedIPv4Frame() {
        // 192.0.2.1.40004 > 192.0.2.2.80: Flags [S], seq 537722884; VLAN 100.
        let frame: [UInt8] = [
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64,
            0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa4, 0x84, 0xc0, 0x00,
            0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x9c, 0x44, 0x00, 0x50, 0x20, 0x0d, 0x00, 0x04, 0x00, 0x00,
            0x00, 0x00, 0xa0, 0x02, 0xfd, 0x20, 0x06, 0x5f, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0, 0x04, 0x02,
            0x08, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
        ]
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.link?.outerVLAN == 100)
            #expect(packet.source == .v4(v4("192.0.2.1")))
            #expect(packet.destination == .v4(v4("192.0.2.2")))
            #expect(packet.tcp?.sequenceNumber == 537_722_884)
            #expect(packet.tcp?.flags == .syn)
        }
    }
}
