import Testing
@testable import ScopeScanWire

/// The link types of issue #16, from literal bytes laid out as each decoder's spec comment says,
/// carrying real packets (TestSupport's RealFrames) so the whole decode is checked.
@Suite("PPP, Cisco HDLC, Frame Relay, NFLOG, IPNET, IPoIB, 802.11 and radiotap")
struct LinkTypesTests {
    /// linux-tcp-refused.pcap #1 without its Ethernet header: IPv6 + TCP SYN, 80 bytes.
    static let ipv6SYN = Array(RealFrames.ethernetIPv6TCPSyn.dropFirst(14))
    /// linux-udp-port-unreachable-lo.pcap #3 without its Ethernet header: IPv4 + UDP, 41 bytes.
    static let ipv4UDP = Array(RealFrames.loopbackIPv4UDP.dropFirst(14))

    static let dot11Addresses: [UInt8] = [0x02, 0, 0, 0, 0x0a, 0x22, 0x02, 0, 0, 0, 0x0a, 0x11, 0x02, 0, 0, 0, 0x0a, 0x33]
    static let snapIPv6: [UInt8] = [0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd]
    /// 802.11 QoS data (subtype 8), To DS, then LLC/SNAP and the IPv6 SYN.
    static let dot11QoS: [UInt8] = [0x88, 0x01, 0x2c, 0x00] + dot11Addresses + [0x10, 0x00, 0x05, 0x00] + snapIPv6 + ipv6SYN

    /// One frame of each new link type, the link header's length, and the layer its errors name.
    static let frames: [(LinkType, [UInt8], Int, Layer)] = [
        (.ppp, [0xff, 0x03, 0x00, 0x57] + ipv6SYN, 4, .ppp),
        (.ppp, [0x00, 0x21] + ipv4UDP, 2, .ppp),
        (.ppp, [0x21] + ipv4UDP, 1, .ppp),
        (.pppHDLC, [0xff, 0x03, 0x02, 0x81, 0x03, 0xe8, 0x11, 0x40] + ipv6SYN, 8, .mpls),
        (.pppHDLC, [0x0f, 0x00, 0x86, 0xdd] + ipv6SYN, 4, .chdlc),
        (.pppEther, [0x11, 0x00, 0x12, 0x34, 0x00, 0x52, 0x00, 0x57] + ipv6SYN, 8, .pppoe),
        (.cHDLC, [0x8f, 0x00, 0x08, 0x00] + ipv4UDP, 4, .chdlc),
        (.cHDLC, [0x0f, 0x00, 0x88, 0x47, 0x00, 0x3e, 0x81, 0x40] + ipv6SYN, 8, .mpls),
        (.frameRelay, [0x18, 0x41, 0x03, 0x8e] + ipv6SYN, 4, .frameRelay),
        (.frameRelay, [0x18, 0x41, 0x03, 0x00, 0x80, 0, 0, 0, 0x08, 0x00] + ipv4UDP, 10, .frameRelay),
        (.frameRelay, [0x18, 0x41, 0x86, 0xdd] + ipv6SYN, 4, .frameRelay),
        (.ipnet, [1, 26, 0, 2, 0, 0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + ipv6SYN, 24, .ipnet),
        (.ipoib, [UInt8](repeating: 0, count: 40) + [0x08, 0x00, 0x00, 0x00] + ipv4UDP, 44, .ipoib),
        (.ieee80211, dot11QoS, 34, .ieee80211),
        // radiotap: version 0, length 12, present = Flags (bit 1), flags 0x20 (data pad), 3 bytes
        // pad; then a QoS data header padded from 26 to 28 bytes
        (.ieee80211Radiotap, [0, 0, 12, 0, 0x02, 0, 0, 0, 0x20, 0, 0, 0] + Array(dot11QoS.prefix(26)) + [0, 0] + snapIPv6 + ipv6SYN,
         12 + 28 + 8, .radiotap),
    ]

    static func decode(_ bytes: [UInt8], _ linkType: LinkType) throws -> LinkFacts {
        try withBytes(bytes) { raw throws(DecodeError) in LinkFacts(try LinkDecoder.decode(raw, linkType: linkType)) }
    }

    @Test("each link type: the link header's length and the IP packet and transport header behind it")
    func deconstruct() throws {
        for (linkType, frame, headerLength, _) in Self.frames {
            let link = try Self.decode(frame, linkType)
            #expect(link.headerLength == headerLength, "\(linkType)")
            #expect(linkType.isSupported)
            withDecoded(frame, linkType: linkType) { packet in
                #expect(packet.error == nil, "\(linkType): \(String(describing: packet.error))")
                if packet.ipv6 != nil {
                    #expect(packet.source == .v6(v6("2001:db8:1::1")))
                    #expect(packet.tcp?.destinationPort == 8081)
                } else {
                    #expect(packet.source == .v4(v4("127.0.0.1")), "\(linkType)")
                    #expect(packet.udp?.destinationPort == 9)
                }
            }
        }
    }

    @Test("a frame cut at every byte of its link header gives an error naming a link layer, never a trap")
    func truncatedEverywhere() throws {
        let linkLayers: Set<Layer> = [.ppp, .pppoe, .mpls, .chdlc, .frameRelay, .nflog, .ipnet, .ipoib, .ieee80211, .radiotap, .llc]
        for (linkType, frame, headerLength, _) in Self.frames {
            for length in 0..<headerLength {
                let error = decodeError(prefix: length, of: frame) { raw throws(DecodeError) in try LinkDecoder.decode(raw, linkType: linkType) }
                #expect(error.map { linkLayers.contains($0.layer) } == true, "\(linkType) cut at \(length): \(String(describing: error))")
            }
            // and beyond it, the whole decode stops at the IP or transport layer without a trap
            for length in headerLength...frame.count {
                withDecoded(Array(frame.prefix(length)), linkType: linkType) { packet in
                    #expect(present(packet.link) == true, "\(linkType) cut at \(length)")
                }
            }
        }
    }

    @Test("PPP: LCP is link-only, a bad control byte is an error; Cisco HDLC needs its address")
    func pppAndCiscoHDLCFields() throws {
        #expect(try Self.decode([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4], .ppp).networkProtocol == EtherType(rawValue: 0))
        let badControl = withBytes([0xff, 0x13, 0x00, 0x57]) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ppp) } }
        #expect(badControl == .badField(.ppp, "control", value: 0x13, at: 1))
        let badAddress = withBytes([0x0e, 0x00, 0x08, 0x00]) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .cHDLC) } }
        #expect(badAddress == .badField(.chdlc, "address", value: 0x0e, at: 0))
    }

    @Test("Frame Relay: the DLCI, a 5-byte address refused, a routed SNAP PID and a bridged one")
    func frameRelayFields() throws {
        try withBytes([0x18, 0x41, 0x03, 0xcc]) { raw in #expect(FrameRelay.dlci(raw) == 100) }
        let long = withBytes([0x18, 0x40, 0x40, 0x40, 0x41, 0x03, 0xcc]) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .frameRelay) } }
        #expect(long?.kind == .badField("address length"))
        let bridged = try Self.decode([0x18, 0x41, 0x03, 0x00, 0x80, 0x00, 0x80, 0xc2, 0x00, 0x07] + Self.ipv4UDP, .frameRelay)
        #expect(bridged.networkProtocol == EtherType(rawValue: 0))
    }

    /// An NFLOG frame as the kernel writes it (little-endian TLVs): packet header (hw protocol
    /// 0x86dd, hook 1), prefix "drop syn", input ifindex 2, then the payload.
    static func nflog(_ payload: [UInt8], prefix: [UInt8] = Array("drop syn".utf8) + [0]) -> [UInt8] {
        func tlv(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
            let length = UInt16(4 + value.count)
            let padded = value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
            return [UInt8(length & 0xff), UInt8(length >> 8), UInt8(type & 0xff), UInt8(type >> 8)] + padded
        }
        return [10, 0, 0x00, 0x10] + tlv(1, [0x86, 0xdd, 1, 0]) + tlv(10, prefix) + tlv(4, [0, 0, 0, 2]) + tlv(9, payload)
    }

    @Test("NFLOG: group, hook, prefix and interface from the TLVs; the payload TLV is the IP packet")
    func nflogFields() throws {
        let frame = Self.nflog(Self.ipv6SYN)
        let link = try Self.decode(frame, .nflog)
        #expect(link.networkProtocol == .ipv6)
        #expect(link.headerLength == 4 + 8 + 16 + 8 + 4)
        #expect(link.nflog?.resourceID == 16)
        #expect(link.nflog?.hook == 1)
        #expect(link.nflog?.inputInterface == 2)
        withDecoded(frame, linkType: .nflog) { packet in
            #expect(packet.link?.nflog?.prefixText == "drop syn")
            #expect(packet.tcp?.destinationPort == 8081)
        }
        for length in 0..<link.headerLength {
            let error = decodeError(prefix: length, of: frame) { raw throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .nflog) }
            // a cut between TLVs is not an error (the frame simply ends), a cut inside one is
            if let error { #expect(error.layer == .nflog) }
        }
    }

    @Test("NFLOG: big-endian TLVs (a capture from a big-endian host) decode the same")
    func nflogBigEndian() throws {
        var frame = Self.nflog(Self.ipv4UDP)
        frame[0] = 2
        var offset = 4
        while offset + 4 <= frame.count {
            let length = Int(frame[offset]) | Int(frame[offset + 1]) << 8
            frame.swapAt(offset, offset + 1)
            frame.swapAt(offset + 2, offset + 3)
            offset += (length + 3) & ~3
        }
        withDecoded(frame, linkType: .nflog) { packet in // the prefix is borrowed: read it while the frame lives
            #expect(packet.link?.networkProtocol == .ipv4)
            #expect(packet.link?.nflog?.hook == 1)
            #expect(packet.link?.nflog?.prefixText == "drop syn")
            #expect(packet.udp?.destinationPort == 9)
        }
    }

    @Test("NFLOG: a zero TLV length and an endless run of empty TLVs are errors, not loops")
    func nflogHostile() throws {
        let zero = withBytes([2, 0, 0, 1, 0, 0, 9, 0, 0x45]) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .nflog) } }
        #expect(zero?.kind == .badField("TLV length"))
        let many: [UInt8] = [2, 0, 0, 1] + (0..<4 * 200).map { $0 % 4 == 0 ? 4 : 0 }
        let error = withBytes(many) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .nflog) } }
        #expect(error?.kind == .badField("TLV count"))
    }

    @Test("802.11: protected, null-data, management frames and fragments are link-only; 4 addresses and +HTC lengthen the header")
    func ieee80211Frames() throws {
        var protected = Self.dot11QoS
        protected[1] |= 0x40
        #expect(try Self.decode(protected, .ieee80211).networkProtocol == EtherType(rawValue: 0))
        var nullData = Self.dot11QoS
        nullData[0] = 0xc8 // QoS null
        #expect(try Self.decode(nullData, .ieee80211).networkProtocol == EtherType(rawValue: 0))
        var beacon = Self.dot11QoS
        beacon[0] = 0x80
        #expect(try Self.decode(beacon, .ieee80211).networkProtocol == EtherType(rawValue: 0))
        var fragment = Self.dot11QoS
        fragment[1] |= 0x04
        #expect(try Self.decode(fragment, .ieee80211).networkProtocol == EtherType(rawValue: 0))
        let fourAddress: [UInt8] = [0x88, 0x03, 0, 0] + Self.dot11Addresses + [0x10, 0x00] + [2, 0, 0, 0, 0x0a, 0x44] + [5, 0] + Self.snapIPv6 + Self.ipv6SYN
        #expect(try Self.decode(fourAddress, .ieee80211).headerLength == 32 + 8)
        let htc: [UInt8] = [0x88, 0x81, 0, 0] + Self.dot11Addresses + [0x10, 0x00, 5, 0, 0, 0, 0, 0] + Self.snapIPv6 + Self.ipv6SYN
        #expect(try Self.decode(htc, .ieee80211).headerLength == 30 + 8)
    }

    @Test("radiotap: TSFT alignment before Flags, chained presence words, and hostile chains")
    func radiotapHeaders() throws {
        // present: TSFT + Flags + ext; second word: ext; third: 0. Header 4 + 12 = 16, TSFT at 16, Flags at 24.
        let chained: [UInt8] = [0, 0, 28, 0, 0x03, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0] + [UInt8](repeating: 7, count: 8) + [0x20, 0, 0, 0]
        let frame = chained + Array(Self.dot11QoS.prefix(26)) + [0, 0] + Self.snapIPv6 + Self.ipv6SYN
        #expect(try Self.decode(frame, .ieee80211Radiotap).headerLength == 28 + 28 + 8)
        // every presence word says another follows: stops at the header length
        let endless: [UInt8] = [0, 0, 16, 0] + [UInt8](repeating: 0xff, count: 12) + Self.dot11QoS
        let error = withBytes(endless) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ieee80211Radiotap) } }
        #expect(error?.layer == .radiotap)
        let long: [UInt8] = [0, 0, 0xff, 0x00] + [UInt8](repeating: 0xff, count: 251) + Self.dot11QoS
        let tooMany = withBytes(long) { raw in decodeError { () throws(DecodeError) in try LinkDecoder.decode(raw, linkType: .ieee80211Radiotap) } }
        #expect(tooMany?.kind == .badField("presence words"))
    }

    @Test("Ethernet: a vendor trailer after the datagram is not payload, and the checksum verdict is the trailer-free one")
    func ethernetTrailer() throws {
        // The real frames' checksums were left to the NIC (offload), so what matters is that the
        // trailer changes nothing: same payload, same anomalies, same checksum verdict.
        let trailer: [UInt8] = [0xa5, 0xa5, 0, 0, 0, 1, 0x5f, 0x5e, 0x0f, 0x0a, 0x0b, 0x0c]
        for frame in [RealFrames.loopbackIPv4UDP, RealFrames.ethernetIPv6TCPSyn] {
            let plain = withDecoded(frame, linkType: .ethernet) { ($0.udp?.payload.count ?? $0.tcp?.payload.count, $0.anomalies, ChecksumVerifier.transport($0)) }
            withDecoded(frame + trailer, linkType: .ethernet) { packet in
                #expect(packet.udp?.payload.count ?? packet.tcp?.payload.count == plain.0)
                #expect(packet.anomalies == plain.1)
                #expect(packet.anomalies.isEmpty)
                #expect(ChecksumVerifier.transport(packet) == plain.2)
                #expect(ChecksumVerifier.transport(packet) != .notChecked)
            }
        }
    }

    @Test("Ethernet 802.3 length field with LLC/SNAP carries IP; other LLC stays link-only")
    func ethernetLLCSNAP() throws {
        let macs = Array(RealFrames.ethernetIPv6TCPSyn.prefix(12))
        let frame = macs + [0x00, UInt8(8 + Self.ipv6SYN.count)] + Self.snapIPv6 + Self.ipv6SYN
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.link?.headerLength == 22)
            #expect(packet.tcp?.destinationPort == 8081)
        }
        let stp = macs + [0x00, 0x26, 0x42, 0x42, 0x03, 0, 0, 0, 0, 0]
        #expect(try Self.decode(stp, .ethernet).networkProtocol == EtherType(rawValue: 0x26))
    }
}
