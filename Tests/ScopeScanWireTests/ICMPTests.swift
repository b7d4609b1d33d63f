import Testing
@testable import ScopeScanWire

private enum ICMPFrames {
    /// linux-icmp6-unreachable.pcap #2: the router 2001:db8:1::fe answers a SYN to 2001:db8:99::1
    /// with Destination Unreachable, code 0 (no route). 142 bytes: Ethernet, IPv6 (payload 88),
    /// ICMPv6 (8) and the quoted IPv6 + TCP SYN (80).
    static let unreachableQuotingSYN: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x86, 0xdd,
        // IPv6: flow 0xbdf44, payload length 88, next header 58, hop limit 64
        0x60, 0x0b, 0xdf, 0x44, 0x00, 0x58, 0x3a, 0x40,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        // 54: ICMPv6 type 1, code 0, checksum 0xe9a5, unused
        0x01, 0x00, 0xe9, 0xa5, 0x00, 0x00, 0x00, 0x00,
        // 62: quoted IPv6: flow 0x8fd32, payload length 40, TCP, 2001:db8:1::1 > 2001:db8:99::1
        0x60, 0x08, 0xfd, 0x32, 0x00, 0x28, 0x06, 0x40,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        // 102: quoted TCP: 53670 > 80, seq 0x8e307bae, SYN, options
        0xd1, 0xa6, 0x00, 0x50, 0x8e, 0x30, 0x7b, 0xae, 0x00, 0x00, 0x00, 0x00,
        0xa0, 0x02, 0xfd, 0x20, 0x5c, 0x3c, 0x00, 0x00,
        0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x5b, 0x0b, 0xb0, 0xa4,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
    ]

    /// linux-udp-port-unreachable-lo.pcap #2, the ICMPv6 message only: type 1 code 4 (port
    /// unreachable), checksum 0xa747, quoting ::1.52500 > ::1.9 UDP length 21.
    static let portUnreachableMessage: [UInt8] = [
        0x01, 0x04, 0xa7, 0x47, 0x00, 0x00, 0x00, 0x00,
        0x60, 0x08, 0xfd, 0x66, 0x00, 0x15, 0x11, 0x40,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xcd, 0x14, 0x00, 0x09, 0x00, 0x15, 0x00, 0x28,
        0x61, 0x6e, 0x79, 0x6f, 0x6e, 0x65, 0x20, 0x6f, 0x6e, 0x20, 0x39, 0x3f, 0x0a,
    ]

    /// linux-neighbor-unresolved.pcap #1: fe80::ff:fe00:101 > ff02::1:ff00:dead, Neighbor
    /// Solicitation for fe80::dead with a source link-layer address option 02:00:00:00:01:01.
    static let neighborSolicitation: [UInt8] = [
        0x33, 0x33, 0xff, 0x00, 0xde, 0xad, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x86, 0xdd,
        0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
        0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x01, 0x01,
        0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0xde, 0xad,
        // 54: type 135, code 0, checksum 0xbc3f, reserved
        0x87, 0x00, 0xbc, 0x3f, 0x00, 0x00, 0x00, 0x00,
        // 62: target fe80::dead
        0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xde, 0xad,
        // 78: option 1 (source link-layer address), length 1 (8 bytes)
        0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
    ]

    /// ipv6-ext-headers.pcap #19, the ICMPv6 message only: Neighbor Advertisement, flags R S O
    /// (0xe0), target 2001:db8:a::fe, target link-layer address option 02:00:00:00:00:fe.
    static let neighborAdvertisement: [UInt8] = [
        0x88, 0x00, 0x07, 0x5f, 0xe0, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe,
        0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe,
    ]

    /// ipv6-ext-headers.pcap #11, the ICMPv6 message cut after 8 bytes of the quote's UDP header:
    /// Packet Too Big, MTU 1280, quoting 2001:db8:a::1.42001 > 2001:db8:b::1.47001.
    static let packetTooBig: [UInt8] = [
        0x02, 0x00, 0x2a, 0x99, 0x00, 0x00, 0x05, 0x00,
        0x60, 0x00, 0x00, 0x00, 0x00, 0x48, 0x11, 0x40,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xa4, 0x11, 0xb7, 0x99, 0x00, 0x48, 0x39, 0x1b,
    ]

    /// ipv6-ext-headers.pcap #17, the ICMPv6 message only: echo request, id 153, seq 1, "ping".
    static let echoRequest: [UInt8] = [0x80, 0x00, 0x44, 0xc5, 0x00, 0x99, 0x00, 0x01, 0x70, 0x69, 0x6e, 0x67]

    /// The Linux lo ICMP port unreachable of linux-udp-port-unreachable-lo.pcap #4, shortened to
    /// RFC 792's minimum quote (IP header + 8 bytes) with its lengths and checksums recomputed:
    /// 127.0.0.1 > 127.0.0.1 type 3 code 3, quoting 127.0.0.1.50922 > 127.0.0.1.9 UDP.
    static let icmpv4PortUnreachable: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
        // IPv4: tos 0xc0, total length 56, id 46701, ttl 64, ICMP, checksum 0xc595
        0x45, 0xc0, 0x00, 0x38, 0xb6, 0x6d, 0x00, 0x00, 0x40, 0x01, 0xc5, 0x95,
        0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
        // 34: ICMP type 3, code 3, checksum 0x37cb, unused
        0x03, 0x03, 0x37, 0xcb, 0x00, 0x00, 0x00, 0x00,
        // 42: quoted IPv4 header (total length 41, DF, UDP)
        0x45, 0x00, 0x00, 0x29, 0x71, 0xe8, 0x40, 0x00, 0x40, 0x11, 0xca, 0xd9,
        0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
        // 62: the first 8 bytes of the quoted UDP datagram
        0xc6, 0xea, 0x00, 0x09, 0x00, 0x15, 0xfe, 0x28,
    ]

    /// ipv4-options-icmp.pcap #5, the ICMP message only: host unreachable (code 1) quoting
    /// 192.0.2.1.40101 > 198.51.100.2.443 with exactly 8 bytes of TCP (ports and sequence 200).
    static let icmpv4HostUnreachable: [UInt8] = [
        0x03, 0x01, 0x5d, 0xd6, 0x00, 0x00, 0x00, 0x00,
        0x45, 0x00, 0x00, 0x3c, 0x00, 0x04, 0x00, 0x00, 0x40, 0x06, 0x8e, 0x81,
        0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,
        0x9c, 0xa5, 0x01, 0xbb, 0x00, 0x00, 0x00, 0xc8,
    ]
}

@Suite("ICMPv6")
struct ICMPv6Tests {
    @Test("destination unreachable quoting an IPv6 + TCP SYN")
    func unreachableQuotingSYN() throws {
        try withDecoded(ICMPFrames.unreachableQuotingSYN, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.anomalies.isEmpty)
            #expect(packet.source == .v6(v6("2001:db8:1::fe")))
            #expect(packet.upperLayer == .icmpv6)
            let icmp = try required(packet.icmpv6)
            #expect(icmp.type == .destinationUnreachable)
            #expect(icmp.type.isError)
            #expect(icmp.code == 0)
            #expect(ICMPv6UnreachableCode.name(icmp.code) == "no route to destination")
            #expect(icmp.checksum == 0xe9a5)
            #expect(icmp.word == 0)
            #expect(icmp.quotedBytes?.count == 80)
            #expect(icmp.targetAddress == nil)

            let quoted = try required(packet.quoted)
            #expect(quoted.source == .v6(v6("2001:db8:1::1")))
            #expect(quoted.destination == .v6(v6("2001:db8:99::1")))
            #expect(quoted.upperLayer == .tcp)
            #expect(quoted.transport.count == 40)
            #expect(quoted.sourcePort == 53670)
            #expect(quoted.destinationPort == 80)
            #expect(quoted.tcpSequenceNumber == 2_385_542_062)
            #expect(quoted.tcpFlags == .syn)
            guard case .v6(let header) = quoted.ip else { Issue.record("quoted header is not IPv6"); return }
            #expect(header.flowLabel == 0x8fd32)
            #expect(header.hopLimit == 64)
        }
    }

    @Test("a quote cut inside TCP gives what the cut leaves", arguments: [
        // (TCP bytes quoted, ports?, sequence?, flags?)
        (0, false, false, false), (3, false, false, false), (4, true, false, false), (7, true, false, false),
        (8, true, true, false), (13, true, true, false), (14, true, true, true), (40, true, true, true),
    ])
    func quoteCut(_ tcpBytes: Int, _ ports: Bool, _ sequence: Bool, _ flags: Bool) throws {
        let frame = Array(ICMPFrames.unreachableQuotingSYN.prefix(102 + tcpBytes))
        try withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.anomalies == (tcpBytes == 40 ? Anomalies() : Anomalies.ipLengthBeyondCapture))
            let quoted = try required(packet.quoted)
            #expect(quoted.destination == .v6(v6("2001:db8:99::1")))
            #expect(quoted.upperLayer == .tcp)
            #expect(quoted.transport.count == tcpBytes)
            #expect(quoted.sourcePort == (ports ? UInt16(53670) : nil))
            #expect(quoted.destinationPort == (ports ? UInt16(80) : nil))
            #expect(quoted.tcpSequenceNumber == (sequence ? UInt32(2_385_542_062) : nil))
            #expect(quoted.tcpFlags == (flags ? TCPFlags.syn : nil))
        }
    }

    @Test("a quote cut after 4 bytes of TCP, read directly")
    func quoteAfterFourBytes() throws {
        let quote = Array(ICMPFrames.unreachableQuotingSYN[62..<106])
        try withBytes(quote) { raw in
            let quoted = try QuotedPacket(checking: raw, version: 6, offset: 62)
            #expect(quoted.source == .v6(v6("2001:db8:1::1")))
            #expect(quoted.destination == .v6(v6("2001:db8:99::1")))
            #expect(quoted.sourcePort == 53670)
            #expect(quoted.destinationPort == 80)
            #expect(quoted.tcpSequenceNumber == nil)
        }
    }

    @Test("a quote shorter than an IPv6 header keeps the ICMPv6 message and reports the quote")
    func quoteTooShort() {
        for quoteLength in 1..<40 {
            withDecoded(Array(ICMPFrames.unreachableQuotingSYN.prefix(62 + quoteLength)), linkType: .ethernet) { packet in
                #expect(packet.icmpv6?.type == .destinationUnreachable, "quote \(quoteLength)")
                #expect(present(packet.quoted) == false, "quote \(quoteLength)")
                #expect(packet.error == .truncated(.quotedIPv6, at: 62, needed: 40, available: quoteLength), "quote \(quoteLength)")
            }
        }
        // An error message with nothing quoted at all is not an error.
        withDecoded(Array(ICMPFrames.unreachableQuotingSYN.prefix(62)), linkType: .ethernet) { packet in
            #expect(present(packet.icmpv6) == true)
            #expect(present(packet.quoted) == false)
            #expect(packet.error == nil)
        }
    }

    @Test("port unreachable quoting UDP: ports, no TCP sequence")
    func portUnreachable() throws {
        try withBytes(ICMPFrames.portUnreachableMessage) { raw in
            let icmp = try ICMPv6View(checking: raw)
            #expect(icmp.type == .destinationUnreachable)
            #expect(icmp.code == 4)
            #expect(ICMPv6UnreachableCode.name(icmp.code) == "port unreachable")
            let quote = try required(icmp.quotedBytes)
            let quoted = try QuotedPacket(checking: quote, version: 6, offset: 62)
            #expect(quoted.source == .v6(.loopback))
            #expect(quoted.upperLayer == .udp)
            #expect(quoted.sourcePort == 52500)
            #expect(quoted.destinationPort == 9)
            #expect(quoted.tcpSequenceNumber == nil)
            #expect(quoted.tcpFlags == nil)
        }
    }

    @Test("the quote's extension headers are walked to find the ports")
    func quoteWithExtensionHeader() throws {
        // The UDP quote above with a Destination Options header (next header 17) inserted.
        var quote = Array(ICMPFrames.portUnreachableMessage.dropFirst(8))
        quote[5] = 21 + 8
        quote[6] = 60
        quote.insert(contentsOf: [0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00], at: 40)
        try withBytes(quote) { raw in
            let quoted = try QuotedPacket(checking: raw, version: 6, offset: 62)
            #expect(quoted.upperLayer == .udp)
            #expect(quoted.sourcePort == 52500)
            #expect(quoted.destinationPort == 9)
        }
        // A quoted later fragment carries no ports.
        var fragment = Array(ICMPFrames.portUnreachableMessage.dropFirst(8))
        fragment[6] = 44
        fragment.insert(contentsOf: [0x11, 0x00, 0x00, 0xb8, 0x00, 0x00, 0x00, 0x01], at: 40)
        try withBytes(fragment) { raw in
            let quoted = try QuotedPacket(checking: raw, version: 6, offset: 62)
            #expect(quoted.transport.count == 0)
            #expect(quoted.sourcePort == nil)
        }
    }

    @Test("packet too big carries the MTU in its second word")
    func packetTooBig() throws {
        try withBytes(ICMPFrames.packetTooBig) { raw in
            let icmp = try ICMPv6View(checking: raw)
            #expect(icmp.type == .packetTooBig)
            #expect(icmp.word == 1280)
            let quoted = try QuotedPacket(checking: try required(icmp.quotedBytes), version: 6, offset: 62)
            #expect(quoted.destination == .v6(v6("2001:db8:b::1")))
            #expect(quoted.sourcePort == 42001)
            #expect(quoted.destinationPort == 47001)
        }
    }

    @Test("neighbor solicitation: target address")
    func neighborSolicitation() throws {
        try withDecoded(ICMPFrames.neighborSolicitation, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            // RFC 4291 2.7.1: the solicited-node group is ff02::1:ff00:0/104 + the target's low 24 bits.
            #expect(packet.destination == .v6(v6("ff02::1:ff00:dead")))
            #expect(packet.hopLimit == 255)
            let icmp = try required(packet.icmpv6)
            #expect(icmp.type == .neighborSolicitation)
            #expect(icmp.type.isError == false)
            #expect(icmp.checksum == 0xbc3f)
            #expect(icmp.targetAddress == v6("fe80::dead"))
            #expect(icmp.advertisementFlags == nil)
            #expect(present(icmp.quotedBytes) == false)
            #expect(present(packet.quoted) == false)
        }
    }

    @Test("neighbor advertisement: target address and R/S/O flags")
    func neighborAdvertisement() throws {
        try withBytes(ICMPFrames.neighborAdvertisement) { raw in
            let icmp = try ICMPv6View(checking: raw)
            #expect(icmp.type == .neighborAdvertisement)
            #expect(icmp.targetAddress == v6("2001:db8:a::fe"))
            let advertisementFlags = icmp.advertisementFlags
            let flags = try #require(advertisementFlags)
            #expect(flags.router && flags.solicited && flags.override)
        }
        var unsolicited = ICMPFrames.neighborAdvertisement
        unsolicited[4] = 0x20 // override only, as in an unsolicited announcement
        try withBytes(unsolicited) { raw in
            let flags = try #require(try ICMPv6View(checking: raw).advertisementFlags)
            #expect(flags.router == false)
            #expect(flags.solicited == false)
            #expect(flags.override)
        }
    }

    @Test("redirect carries a target address too; other types and short messages do not")
    func targetAddressPresence() throws {
        // Redirect (137): target fe80::1, destination 2001:db8::1.
        let redirect: [UInt8] = [0x89, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                                 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]
        try withBytes(redirect) { raw throws in
            #expect(try ICMPv6View(checking: raw).targetAddress == v6("fe80::1"))
        }
        // A solicitation cut one byte short of its target.
        try withBytes(Array(ICMPFrames.neighborSolicitation[54..<77])) { raw in
            let icmp = try ICMPv6View(checking: raw)
            #expect(icmp.type == .neighborSolicitation)
            #expect(icmp.targetAddress == nil)
        }
        try withBytes(ICMPFrames.echoRequest) { raw throws in
            #expect(try ICMPv6View(checking: raw).targetAddress == nil)
        }
    }

    @Test("echo request: identifier and sequence, nothing quoted")
    func echoRequest() throws {
        try withBytes(ICMPFrames.echoRequest) { raw in
            let icmp = try ICMPv6View(checking: raw)
            #expect(icmp.type == .echoRequest)
            #expect(icmp.type.isError == false)
            #expect(icmp.word == UInt32(153) << 16 | 1) // id 153, sequence 1
            #expect(present(icmp.quotedBytes) == false)
        }
    }

    @Test("every prefix shorter than type, code and checksum is truncated")
    func truncated() throws {
        for length in 0..<4 {
            let error = decodeError(prefix: length, of: ICMPFrames.echoRequest) { raw throws(DecodeError) in try ICMPv6View(checking: raw, offset: 54) }
            #expect(error == .truncated(.icmpv6, at: 54, needed: 4, available: length), "prefix \(length)")
        }
        // From 4 bytes on the message decodes; the second word only once it is all there.
        for length in 4..<8 {
            try withBytes(Array(ICMPFrames.echoRequest.prefix(length))) { raw in
                let icmp = try ICMPv6View(checking: raw)
                #expect(icmp.type == .echoRequest)
                #expect(icmp.word == nil, "prefix \(length)")
            }
        }
    }
}

@Suite("ICMPv4")
struct ICMPv4Tests {
    @Test("destination unreachable quoting IPv4 + 8 bytes of UDP")
    func portUnreachable() throws {
        try withDecoded(ICMPFrames.icmpv4PortUnreachable, linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.anomalies.isEmpty)
            #expect(packet.ipv4?.isChecksumValid == true)
            let icmp = try required(packet.icmpv4)
            #expect(icmp.type == 3)
            #expect(icmp.code == 3)
            #expect(ICMPv4UnreachableCode.name(icmp.code) == "port unreachable")
            #expect(icmp.isError == true)
            #expect(icmp.checksum == 0x37cb)
            #expect(icmp.word == 0)
            #expect(icmp.quotedBytes?.count == 28)

            let quoted = try required(packet.quoted)
            #expect(quoted.source == .v4(v4("127.0.0.1")))
            #expect(quoted.destination == .v4(v4("127.0.0.1")))
            #expect(quoted.upperLayer == .udp)
            #expect(quoted.transport.count == 8)
            #expect(quoted.sourcePort == 50922)
            #expect(quoted.destinationPort == 9)
            #expect(quoted.tcpSequenceNumber == nil)
            guard case .v4(let header) = quoted.ip else { Issue.record("quoted header is not IPv4"); return }
            #expect(header.totalLength == 41)
            #expect(header.isTruncatedByCapture == true)
            #expect(header.isChecksumValid == true)
        }
    }

    @Test("RFC 792's 8 quoted bytes of TCP hold the ports and the sequence number")
    func hostUnreachableQuotingTCP() throws {
        try withBytes(ICMPFrames.icmpv4HostUnreachable) { raw in
            let icmp = try ICMPv4View(checking: raw)
            #expect(icmp.type == 3)
            #expect(icmp.code == 1)
            let quoted = try QuotedPacket(checking: try required(icmp.quotedBytes), version: 4, offset: 42)
            #expect(quoted.source == .v4(v4("192.0.2.1")))
            #expect(quoted.destination == .v4(v4("198.51.100.2")))
            #expect(quoted.sourcePort == 40101)
            #expect(quoted.destinationPort == 443)
            #expect(quoted.tcpSequenceNumber == 200)
            #expect(quoted.tcpFlags == nil)
        }
    }

    @Test("the quoted transport header starts after the quoted IP options")
    func quoteWithIPOptions() throws {
        // ipv4-options-icmp.pcap #8, the ICMP message only: type 3 code 13 (communication
        // administratively prohibited) quoting a 72-byte SYN whose IPv4 header has IHL 8 (a Record
        // Route option): 192.0.2.1.40103 > 198.51.100.4.25, seq 300.
        let message: [UInt8] = [
            0x03, 0x0d, 0xe9, 0x5a, 0x00, 0x00, 0x00, 0x00,
            0x48, 0x00, 0x00, 0x48, 0x00, 0x08, 0x00, 0x00, 0x40, 0x06, 0x80, 0x63,
            0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x04,
            0x07, 0x0b, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x9c, 0xa7, 0x00, 0x19, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0x20, 0x00,
            0x8d, 0x48, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x10, 0x92,
            0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
        ]
        try withBytes(message) { raw in
            let icmp = try ICMPv4View(checking: raw)
            #expect(ICMPv4UnreachableCode.name(icmp.code) == "communication administratively prohibited")
            let quoted = try QuotedPacket(checking: try required(icmp.quotedBytes), version: 4, offset: 42)
            guard case .v4(let header) = quoted.ip else { Issue.record("quoted header is not IPv4"); return }
            #expect(header.headerLength == 32)
            #expect(header.isChecksumValid == true)
            #expect(quoted.transport.count == 40)
            #expect(quoted.sourcePort == 40103)
            #expect(quoted.destinationPort == 25)
            #expect(quoted.tcpSequenceNumber == 300)
            #expect(quoted.tcpFlags == .syn)
        }
    }

    @Test("a quoted later fragment carries no ports")
    func quotedLaterFragment() throws {
        var message = ICMPFrames.icmpv4HostUnreachable
        message[8 + 6] = 0x00
        message[8 + 7] = 0xb9 // fragment offset 1480
        try withBytes(message) { raw in
            let quoted = try QuotedPacket(checking: try required(try ICMPv4View(checking: raw).quotedBytes), version: 4, offset: 42)
            #expect(quoted.upperLayer == .tcp)
            #expect(quoted.transport.count == 0)
            #expect(quoted.sourcePort == nil)
        }
    }

    @Test("a quote shorter than an IPv4 header is reported at the quoted layer")
    func quoteTooShort() {
        let frame = Array(ICMPFrames.icmpv4PortUnreachable.prefix(42 + 12))
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(present(packet.icmpv4) == true)
            #expect(present(packet.quoted) == false)
            #expect(packet.error == .truncated(.quotedIPv4, at: 42, needed: 20, available: 12))
        }
    }

    @Test("echo request (ipv4-options-icmp.pcap #9): identifier and sequence, nothing quoted")
    func echo() throws {
        let message: [UInt8] = [0x08, 0x00, 0x18, 0xb7, 0x00, 0x77, 0x00, 0x01, 0x70, 0x69, 0x6e, 0x67]
        try withBytes(message) { raw in
            let icmp = try ICMPv4View(checking: raw)
            #expect(icmp.type == 8)
            #expect(icmp.isError == false)
            #expect(icmp.word == UInt32(119) << 16 | 1) // id 119, sequence 1
            #expect(present(icmp.quotedBytes) == false)
        }
    }

    @Test("error types quote the invoking packet (RFC 792, RFC 1122 3.2.2)", arguments: [
        (UInt8(0), false), (3, true), (4, true), (5, true), (8, false), (11, true), (12, true), (13, false), (14, false),
    ])
    func errorTypes(_ type: UInt8, _ isError: Bool) throws {
        var message = ICMPFrames.icmpv4HostUnreachable
        message[0] = type
        try withBytes(message) { raw in
            let icmp = try ICMPv4View(checking: raw)
            #expect(icmp.isError == isError)
            #expect((icmp.quotedBytes != nil) == isError)
        }
    }

    @Test("every prefix shorter than type, code and checksum is truncated")
    func truncated() {
        for length in 0..<4 {
            let error = decodeError(prefix: length, of: ICMPFrames.icmpv4HostUnreachable) { raw throws(DecodeError) in try ICMPv4View(checking: raw, offset: 34) }
            #expect(error == .truncated(.icmpv4, at: 34, needed: 4, available: length), "prefix \(length)")
        }
    }
}
