import Testing
@testable import ScopeScanWire

/// What `PlainTCPSegment.recognise` and `PacketDecoder.decode` said about one frame.
struct PlainCheck {
    /// What `recognise` returned.
    var segment: PlainTCPSegment?
    /// The decoder found the shape `recognise` is for: an Ethernet link with a 14-byte header,
    /// IPv6 without extension headers (or unfragmented-at-offset-0 IPv4) carrying TCP, a TCP view
    /// and no error. `recognise` should accept every such frame (completeness).
    var plainByDecoder: Bool
    /// Where the decoder disagrees with the segment (the contract), one text per field.
    var violations: [String]

    var completenessMiss: Bool { plainByDecoder && segment == nil }
}

/// The contract of `PlainTCPSegment.recognise` (its doc comment), checked against the decoder on
/// the same bytes: when it returns a segment, the full decode must agree with it field by field.
func plainCheck(_ frame: RawSpan, linkType: LinkType) -> PlainCheck {
    let segment = PlainTCPSegment.recognise(frame, linkType: linkType)
    let packet = PacketDecoder.decode(frame, linkType: linkType)
    var plain = false
    if linkType == .ethernet, packet.link?.linkType == .ethernet, packet.link?.headerLength == 14, packet.error == nil, present(packet.tcp) {
        if let ip = packet.ipv6 {
            plain = packet.upperLayer == .tcp && ip.nextHeader == .tcp && packet.extensions?.upperLayerOffset == 0
        } else if let ip = packet.ipv4 {
            plain = ip.fragmentOffset == 0 && ip.proto == .tcp
        }
    }
    guard let segment else { return PlainCheck(segment: nil, plainByDecoder: plain, violations: []) }
    return PlainCheck(segment: segment, plainByDecoder: plain, violations: contractViolations(segment, frame, linkType: linkType))
}

/// Where the decode of `frame` disagrees with `segment`: empty when the contract holds.
func contractViolations(_ segment: PlainTCPSegment, _ frame: RawSpan, linkType: LinkType) -> [String] {
    let packet = PacketDecoder.decode(frame, linkType: linkType)
    var violations: [String] = []
    if let link = packet.link {
        if link.linkType != .ethernet { violations.append("link.linkType \(link.linkType.rawValue), not ethernet") }
        let expectedProtocol: EtherType = segment.ipVersion == 6 ? .ipv6 : .ipv4
        if link.networkProtocol != expectedProtocol { violations.append("link.networkProtocol 0x\(String(link.networkProtocol.rawValue, radix: 16)) for ipVersion \(segment.ipVersion)") }
        if link.headerLength != 14 { violations.append("link.headerLength \(link.headerLength), not 14") }
        if link.outerVLAN != 0 || link.innerVLAN != 0 { violations.append("link VLANs \(link.outerVLAN)/\(link.innerVLAN), not 0") }
        if present(link.pktap) { violations.append("link.pktap present") }
        if present(link.nflog) { violations.append("link.nflog present") }
        if link.nullFamily != 0 { violations.append("link.nullFamily \(link.nullFamily), not 0") }
        if link.hasZeroMACs != segment.hasZeroMACs { violations.append("link.hasZeroMACs \(link.hasZeroMACs), segment \(segment.hasZeroMACs)") }
    } else {
        violations.append("link nil")
    }
    if let error = packet.error { violations.append("error \(error)") }
    if let tcp = packet.tcp {
        if tcp.flags != segment.flags { violations.append("tcp.flags \(tcp.flags.rawValue), segment \(segment.flags.rawValue)") }
        if tcp.sequenceNumber != segment.sequenceNumber { violations.append("tcp.sequenceNumber \(tcp.sequenceNumber), segment \(segment.sequenceNumber)") }
    } else {
        violations.append("tcp nil")
    }
    if present(packet.udp) { violations.append("udp present") }
    if present(packet.icmpv4) { violations.append("icmpv4 present") }
    if present(packet.icmpv6) { violations.append("icmpv6 present") }
    if present(packet.quoted) { violations.append("quoted present") }
    if packet.upperLayer != .tcp { violations.append("upperLayer \(packet.upperLayer.map { "\($0.rawValue)" } ?? "nil"), not tcp") }
    switch segment.ipVersion {
    case 6:
        if present(packet.ipv4) { violations.append("ipv4 present for ipVersion 6") }
        if let ip = packet.ipv6 {
            if ip.hopLimit != segment.hopLimit { violations.append("ipv6.hopLimit \(ip.hopLimit), segment \(segment.hopLimit)") }
            if ip.header.u8(8) != segment.sourceFirstByte { violations.append("ipv6 header[8] \(ip.header.u8(8)), segment sourceFirstByte \(segment.sourceFirstByte)") }
            if ip.header.u8(24) != segment.destinationFirstByte { violations.append("ipv6 header[24] \(ip.header.u8(24)), segment destinationFirstByte \(segment.destinationFirstByte)") }
            if ip.nextHeader != .tcp { violations.append("ipv6.nextHeader \(ip.nextHeader.rawValue), not tcp") }
            if packet.extensions?.upperLayerOffset != 0 || packet.extensions?.headers.count != 0 { violations.append("ipv6 extension headers present") }
        } else {
            violations.append("ipv6 nil for ipVersion 6")
        }
    case 4:
        if present(packet.ipv6) { violations.append("ipv6 present for ipVersion 4") }
        if let ip = packet.ipv4 {
            if ip.ttl != segment.hopLimit { violations.append("ipv4.ttl \(ip.ttl), segment \(segment.hopLimit)") }
            if ip.header.u8(12) != segment.sourceFirstByte { violations.append("ipv4 header[12] \(ip.header.u8(12)), segment sourceFirstByte \(segment.sourceFirstByte)") }
            if ip.header.u8(16) != segment.destinationFirstByte { violations.append("ipv4 header[16] \(ip.header.u8(16)), segment destinationFirstByte \(segment.destinationFirstByte)") }
            if ip.fragmentOffset != 0 { violations.append("ipv4.fragmentOffset \(ip.fragmentOffset), not 0") }
            if ip.proto != .tcp { violations.append("ipv4.proto \(ip.proto.rawValue), not tcp") }
        } else {
            violations.append("ipv4 nil for ipVersion 4")
        }
    default:
        violations.append("ipVersion \(segment.ipVersion)")
    }
    return violations
}

/// The same on a private, exactly sized copy of `bytes` (see `withBytes`).
func plainCheck(_ bytes: [UInt8], linkType: LinkType = .ethernet) -> PlainCheck {
    withBytes(bytes) { raw in plainCheck(raw, linkType: linkType) }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
}

/// Frames for these tests, built field by field. Checksums are zero: neither side reads them.
enum PlainFrames {
    static let macs: [UInt8] = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]
    static let v6Source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    static let v6Destination: [UInt8] = [0x24, 0x00, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    static let v4Source: [UInt8] = [192, 0, 2, 1]
    static let v4Destination: [UInt8] = [198, 51, 100, 7]

    static func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(Int(v >> 16)) + be16(Int(v & 0xffff)) }

    /// A TCP header; `dataOffset` (in words) defaults to what the options fill.
    static func tcp(seq: UInt32 = 0x1234_5678, flags: UInt16 = 0x018, options: [UInt8] = [], dataOffset: Int? = nil, payload: [UInt8] = []) -> [UInt8] {
        let words = dataOffset ?? (20 + options.count) / 4
        let offsetAndFlags = (words & 0x0f) << 12 | Int(flags & 0x01ff)
        return be16(44_000) + be16(443) + be32(seq) + be32(0x0a0b_0c0d) + be16(offsetAndFlags) + be16(0xffff) + [0, 0, 0, 0] + options + payload
    }

    /// The TCP options of a SYN: MSS, SACK permitted, timestamps, NOP, window scale (20 bytes).
    static let synOptions: [UInt8] = [2, 4, 5, 0xa0, 4, 2, 8, 10, 0x41, 0xa6, 0x74, 0xc0, 0, 0, 0, 0, 1, 3, 3, 10]

    static func ipv6(next: UInt8 = 6, hopLimit: UInt8 = 64, source: [UInt8] = v6Source, destination: [UInt8] = v6Destination,
                     payloadLength: Int? = nil, version: UInt8 = 6, _ payload: [UInt8]) -> [UInt8] {
        [version << 4, 0, 0, 0] + be16(payloadLength ?? payload.count) + [next, hopLimit] + source + destination + payload
    }

    static func ipv4(proto: UInt8 = 6, ttl: UInt8 = 64, source: [UInt8] = v4Source, destination: [UInt8] = v4Destination, options: [UInt8] = [],
                     totalLength: Int? = nil, flagsAndFragment: Int = 0x4000, ihl: Int? = nil, version: UInt8 = 4, _ payload: [UInt8]) -> [UInt8] {
        let words = ihl ?? (20 + options.count) / 4
        return [version << 4 | UInt8(words & 0x0f), 0] + be16(totalLength ?? 20 + options.count + payload.count) + [0x12, 0x34] + be16(flagsAndFragment)
            + [ttl, proto, 0, 0] + source + destination + options + payload
    }

    static func ethernet(_ type: Int, zeroMACs: Bool = false, tags: [Int] = [], _ payload: [UInt8]) -> [UInt8] {
        var frame = zeroMACs ? [UInt8](repeating: 0, count: 12) : macs
        for tag in tags { frame += be16(tag) + [0x00, 0x07] } // the tag's TPID, then a TCI of VLAN 7
        return frame + be16(type) + payload
    }

    static func v6(_ payload: [UInt8], zeroMACs: Bool = false) -> [UInt8] { ethernet(0x86dd, zeroMACs: zeroMACs, payload) }
    static func v4(_ payload: [UInt8], zeroMACs: Bool = false) -> [UInt8] { ethernet(0x0800, zeroMACs: zeroMACs, payload) }

    /// The base frames of the mutation test: each shape `recognise` accepts, and each it must refuse
    /// next to one it accepts.
    static var bases: [(name: String, frame: [UInt8])] {
        let data = Array("GET / HTTP/1.1\r\n".utf8)
        var list: [(String, [UInt8])] = [
            ("ipv6 tcp", v6(ipv6(tcp(payload: data)))),
            ("ipv6 tcp syn with options", v6(ipv6(tcp(flags: 0x002, options: synOptions)))),
            ("ipv6 tcp zero MACs, hop limit 57", v6(ipv6(hopLimit: 57, tcp(flags: 0x010)), zeroMACs: true)),
            ("ipv6 payload length 0", v6(ipv6(payloadLength: 0, tcp(payload: data)))),
            ("ipv6 payload length shorter than captured", v6(ipv6(payloadLength: 24, tcp(payload: data)))),
            ("ipv6 payload length longer than captured", v6(ipv6(payloadLength: 200, tcp(payload: data)))),
            ("ipv6 payload length below the tcp header", v6(ipv6(payloadLength: 12, tcp()))),
            ("ipv6 with trailer", v6(ipv6(tcp())) + [0xde, 0xad, 0xbe, 0xef, 0, 0]),
            ("ipv6 hop-by-hop before tcp", v6(ipv6(next: 0, [6, 0, 1, 4, 0, 0, 0, 0] + tcp()))),
            ("ipv6 fragment header before tcp", v6(ipv6(next: 44, [6, 0, 0, 0, 0, 0, 0, 1] + tcp()))),
            ("ipv6 udp", v6(ipv6(next: 17, be16(5353) + be16(53) + be16(12) + [0, 0, 1, 2, 3, 4]))),
            ("ipv6 icmpv6 echo", v6(ipv6(next: 58, [128, 0, 0, 0, 0, 1, 0, 1]))),
            ("ipv6 icmpv6 unreachable quoting tcp", v6(ipv6(next: 58, [1, 4, 0, 0, 0, 0, 0, 0] + ipv6(tcp(flags: 0x002))))),
            ("vlan ipv6 tcp", ethernet(0x8100, tags: [0x86dd], ipv6(tcp()))),
            ("qinq ipv4 tcp", ethernet(0x88a8, tags: [0x8100, 0x0800], ipv4(tcp()))),
            ("ipv4 tcp", v4(ipv4(tcp(payload: data)))),
            ("ipv4 tcp zero MACs 127/8", v4(ipv4(ttl: 64, source: [127, 0, 0, 1], destination: [127, 0, 0, 2], tcp(flags: 0x011)), zeroMACs: true)),
            ("ipv4 tcp with ip options", v4(ipv4(options: [0x94, 0x04, 0, 0, 1, 1, 1, 0], tcp(payload: data)))),
            ("ipv4 tcp syn with tcp options", v4(ipv4(tcp(flags: 0x002, options: synOptions)))),
            ("ipv4 first fragment (MF)", v4(ipv4(flagsAndFragment: 0x2000, tcp(payload: data)))),
            ("ipv4 later fragment", v4(ipv4(flagsAndFragment: 0x0003, tcp(payload: data)))),
            ("ipv4 total length 0", v4(ipv4(totalLength: 0, tcp(payload: data)))),
            ("ipv4 total length below header length", v4(ipv4(totalLength: 12, tcp()))),
            ("ipv4 total length below tcp header", v4(ipv4(totalLength: 30, tcp()))),
            ("ipv4 total length longer than captured", v4(ipv4(totalLength: 1500, tcp(payload: data)))),
            ("ipv4 with padding to 60 bytes", v4(ipv4(tcp())) + [UInt8](repeating: 0, count: 6)),
            ("ipv4 udp", v4(ipv4(proto: 17, be16(5353) + be16(53) + be16(8) + [0, 0]))),
            ("ipv4 icmp unreachable quoting tcp", v4(ipv4(proto: 1, [3, 3, 0, 0, 0, 0, 0, 0] + ipv4(tcp(flags: 0x002))))),
            ("arp", ethernet(0x0806, [0, 1, 8, 0, 6, 4, 0, 1] + macs[6...] + v4Source + [UInt8](repeating: 0, count: 6) + v4Destination)),
        ]
        // TCP data offset 0...15, over 40 captured bytes of TCP (so 11...15 say more than was captured).
        for words in 0...15 {
            let options = [UInt8](repeating: 1, count: 20)
            list.append(("ipv6 tcp data offset \(words)", v6(ipv6(tcp(options: options, dataOffset: words)))))
            list.append(("ipv4 tcp data offset \(words)", v4(ipv4(tcp(options: options, dataOffset: words)))))
        }
        return list
    }

    /// Frames cut at every length from 0 to whole: a few shapes with every header in a different place.
    static var truncationSources: [(name: String, frame: [UInt8])] {
        [
            ("ipv6 tcp syn with options", v6(ipv6(tcp(flags: 0x002, options: synOptions)))),
            ("ipv4 tcp with ip and tcp options", v4(ipv4(options: [1, 1, 1, 0], tcp(options: [2, 4, 5, 0xb4])))),
            ("ipv6 tcp payload length 0", v6(ipv6(payloadLength: 0, tcp(options: [1, 1, 1, 0])))),
            ("ipv4 tcp total length 0", v4(ipv4(totalLength: 0, tcp()))),
        ]
    }

    /// The values each byte is set to in the mutation test: the brief's set (and the byte XOR 0x80,
    /// added per position) with a few more type and protocol values (IPv4 EtherType 0x0800,
    /// VLAN 0x8100, UDP 17, ICMPv6 58, fragment 44, version nibbles 0x05/0x65).
    static let mutationValues: [UInt8] = [0x00, 0x01, 0x06, 0x40, 0x45, 0x4f, 0x50, 0x60, 0x86, 0xdd, 0xff, 0x08, 0x81, 0x11, 0x3a, 0x2c, 0x05, 0x65]
}

@Suite("PlainTCPSegment.recognise keeps its contract with the decoder")
struct PlainTCPSegmentTests {
    /// Every frame of `bases`, of their truncations, and every single-byte change of their first 80
    /// bytes: the contract on each, and completeness.
    @Test("the contract and completeness on systematically mutated frames")
    func mutatedFrames() {
        var frames: [(String, [UInt8])] = PlainFrames.bases
        for (name, whole) in PlainFrames.truncationSources {
            for length in 0...whole.count { frames.append(("\(name) cut to \(length)", Array(whole.prefix(length)))) }
        }
        var checked = 0, recognised = 0, plain = 0
        var violations: [String] = []
        var misses: [String] = []
        // Each base frame is copied once into a buffer of exactly its length at an odd address
        // (as `withBytes`), and mutated there in place: copying every mutated frame anew cost
        // more than its checks in a debug build. The name is built only for a frame that fails.
        for (name, base) in frames {
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: base.count + 1, alignment: 8)
            defer { storage.deallocate() }
            let slot = UnsafeMutableRawBufferPointer(rebasing: storage[1...])
            for (index, byte) in base.enumerated() { slot[index] = byte }
            let span = RawSpan(_unsafeBytes: UnsafeRawBufferPointer(slot))
            func check(_ name: () -> String) {
                let result = plainCheck(span, linkType: .ethernet)
                checked += 1
                if result.segment != nil { recognised += 1 }
                if result.plainByDecoder { plain += 1 }
                if !result.violations.isEmpty, violations.count < 20 {
                    violations.append("\(name()): \(result.violations.joined(separator: "; ")) frame \(hex(Array(UnsafeRawBufferPointer(slot))))")
                }
                if result.completenessMiss, misses.count < 20 { misses.append("\(name()): frame \(hex(Array(UnsafeRawBufferPointer(slot))))") }
            }
            check { name }
            for position in 0..<min(80, base.count) {
                let original = base[position]
                for value in PlainFrames.mutationValues where value != original {
                    slot[position] = value
                    check { "\(name) [\(position)] = 0x\(String(value, radix: 16))" }
                }
                if !PlainFrames.mutationValues.contains(original ^ 0x80) {
                    slot[position] = original ^ 0x80
                    check { "\(name) [\(position)] ^= 0x80" }
                }
                slot[position] = original
            }
        }
        #expect(violations.isEmpty, "contract violations:\n\(violations.joined(separator: "\n"))")
        #expect(misses.isEmpty, "frames the decoder finds plain that recognise refuses:\n\(misses.joined(separator: "\n"))")
        // The mutations must reach both sides of every check: many frames recognised, many not.
        #expect(checked > 100_000)
        #expect(recognised > 20_000)
        #expect(checked - recognised > 20_000)
        print("PlainTCPSegmentTests.mutatedFrames: \(frames.count) base frames, \(checked) frames checked, \(recognised) recognised, \(plain) plain by the decoder")
    }

    /// Every base frame under every other supported link type: recognise is for EN10MB alone.
    @Test("no frame is recognised under another link type")
    func otherLinkTypes() {
        var checked = 0
        for (name, frame) in PlainFrames.bases + PlainFrames.truncationSources {
            for linkType in LinkType.supported + [LinkType(147), LinkType(0xffff)] where linkType != .ethernet {
                let result = plainCheck(frame, linkType: linkType)
                #expect(result.segment == nil, "\(name) as link type \(linkType.rawValue)")
                #expect(result.violations.isEmpty)
                checked += 1
            }
        }
        #expect(checked > 1_000)
    }

    @Test("a real IPv6 SYN with options and its RST/ACK are recognised with their values")
    func realFrames() throws {
        let syn = try #require(plainCheck(RealFrames.ethernetIPv6TCPSyn).segment)
        #expect(syn == PlainTCPSegment(ipVersion: 6, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 0x20, destinationFirstByte: 0x20,
                                       flags: .syn, sequenceNumber: 0x1887_10d8))
        let rst = try #require(plainCheck(RealFrames.ethernetIPv6TCPRstAck).segment)
        #expect(rst == PlainTCPSegment(ipVersion: 6, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 0x20, destinationFirstByte: 0x20,
                                       flags: [.rst, .ack], sequenceNumber: 0))
        #expect(plainCheck(RealFrames.ethernetIPv6TCPSyn).violations.isEmpty)
        #expect(plainCheck(RealFrames.ethernetIPv6TCPRstAck).violations.isEmpty)
        // Linux lo, IPv4/UDP: not TCP.
        #expect(plainCheck(RealFrames.loopbackIPv4UDP).segment == nil)
    }

    /// The check must see a wrong value: each field of a right segment changed in turn.
    @Test("the contract check notices a segment that differs from the decode in any field")
    func checkSeesWrongSegments() throws {
        for frame in [RealFrames.ethernetIPv6TCPSyn, PlainFrames.v4(PlainFrames.ipv4(PlainFrames.tcp()), zeroMACs: true)] {
            let right = try #require(plainCheck(frame).segment)
            var wrongs: [PlainTCPSegment] = []
            var s = right; s.ipVersion = right.ipVersion == 6 ? 4 : 6; wrongs.append(s)
            s = right; s.ipVersion = 5; wrongs.append(s)
            s = right; s.hasZeroMACs.toggle(); wrongs.append(s)
            s = right; s.hopLimit &+= 1; wrongs.append(s)
            s = right; s.sourceFirstByte ^= 1; wrongs.append(s)
            s = right; s.destinationFirstByte ^= 1; wrongs.append(s)
            s = right; s.flags = TCPFlags(rawValue: right.flags.rawValue ^ 0x100); wrongs.append(s)
            s = right; s.sequenceNumber &+= 1; wrongs.append(s)
            withBytes(frame) { raw in
                #expect(contractViolations(right, raw, linkType: .ethernet).isEmpty)
                for wrong in wrongs {
                    #expect(!contractViolations(wrong, raw, linkType: .ethernet).isEmpty, "\(wrong)")
                }
                // A right segment for a frame the decoder reads otherwise: as another link type.
                #expect(!contractViolations(right, raw, linkType: .raw).isEmpty)
            }
        }
        // And for frames the decoder stops in or reads as other shapes.
        let syn = try #require(plainCheck(RealFrames.ethernetIPv6TCPSyn).segment)
        for other in [Array(RealFrames.ethernetIPv6TCPSyn.prefix(60)), RealFrames.loopbackIPv4UDP,
                      PlainFrames.ethernet(0x8100, tags: [0x86dd], PlainFrames.ipv6(PlainFrames.tcp(flags: 0x002)))] {
            withBytes(other) { raw in #expect(!contractViolations(syn, raw, linkType: .ethernet).isEmpty) }
        }
    }

    @Test("typical frames are recognised with the right values")
    func typical() throws {
        typealias F = PlainFrames
        let data = Array("payload".utf8)
        let cases: [(String, [UInt8], PlainTCPSegment)] = [
            ("ipv6 data segment", F.v6(F.ipv6(F.tcp(seq: 0xdead_beef, flags: 0x018, payload: data))),
             PlainTCPSegment(ipVersion: 6, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 0x20, destinationFirstByte: 0x24, flags: [.psh, .ack], sequenceNumber: 0xdead_beef)),
            ("ipv6 zero MACs, link-local, hop limit 255, FIN", F.v6(F.ipv6(hopLimit: 255, source: [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1],
                                                                       destination: [0xff, 0x02] + [UInt8](repeating: 0, count: 13) + [1], F.tcp(seq: 1, flags: 0x011)), zeroMACs: true),
             PlainTCPSegment(ipVersion: 6, hasZeroMACs: true, hopLimit: 255, sourceFirstByte: 0xfe, destinationFirstByte: 0xff, flags: [.fin, .ack], sequenceNumber: 1)),
            ("ipv6 payload length 0 (TSO)", F.v6(F.ipv6(payloadLength: 0, F.tcp(seq: 7, flags: 0x010, payload: data))),
             PlainTCPSegment(ipVersion: 6, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 0x20, destinationFirstByte: 0x24, flags: .ack, sequenceNumber: 7)),
            ("ipv6 every flag bit, AE included", F.v6(F.ipv6(F.tcp(seq: 0, flags: 0x1ff))),
             PlainTCPSegment(ipVersion: 6, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 0x20, destinationFirstByte: 0x24, flags: TCPFlags(rawValue: 0x1ff), sequenceNumber: 0)),
            ("ipv4 data segment, ttl 57", F.v4(F.ipv4(ttl: 57, F.tcp(seq: 0x0102_0304, flags: 0x018, payload: data))),
             PlainTCPSegment(ipVersion: 4, hasZeroMACs: false, hopLimit: 57, sourceFirstByte: 192, destinationFirstByte: 198, flags: [.psh, .ack], sequenceNumber: 0x0102_0304)),
            ("ipv4 Linux lo, 127/8", F.v4(F.ipv4(source: [127, 0, 0, 1], destination: [127, 1, 2, 3], F.tcp(seq: 99, flags: 0x014)), zeroMACs: true),
             PlainTCPSegment(ipVersion: 4, hasZeroMACs: true, hopLimit: 64, sourceFirstByte: 127, destinationFirstByte: 127, flags: [.rst, .ack], sequenceNumber: 99)),
            ("ipv4 with ip options and tcp options", F.v4(F.ipv4(options: [1, 1, 1, 0, 0x94, 4, 0, 0], F.tcp(seq: 5, flags: 0x002, options: F.synOptions))),
             PlainTCPSegment(ipVersion: 4, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 192, destinationFirstByte: 198, flags: .syn, sequenceNumber: 5)),
            ("ipv4 total length 0 (TSO)", F.v4(F.ipv4(totalLength: 0, F.tcp(seq: 8, flags: 0x010, payload: data))),
             PlainTCPSegment(ipVersion: 4, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 192, destinationFirstByte: 198, flags: .ack, sequenceNumber: 8)),
            ("ipv4 first fragment (MF, offset 0)", F.v4(F.ipv4(flagsAndFragment: 0x2000, F.tcp(seq: 9, flags: 0x010, payload: data))),
             PlainTCPSegment(ipVersion: 4, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 192, destinationFirstByte: 198, flags: .ack, sequenceNumber: 9)),
            ("ipv4 padded to the Ethernet minimum", F.v4(F.ipv4(F.tcp(seq: 10, flags: 0x010))) + [0, 0, 0, 0, 0, 0],
             PlainTCPSegment(ipVersion: 4, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 192, destinationFirstByte: 198, flags: .ack, sequenceNumber: 10)),
            ("tcp data offset 15 with all 60 bytes captured", F.v6(F.ipv6(F.tcp(seq: 11, flags: 0x010, options: [UInt8](repeating: 1, count: 40)))),
             PlainTCPSegment(ipVersion: 6, hasZeroMACs: false, hopLimit: 64, sourceFirstByte: 0x20, destinationFirstByte: 0x24, flags: .ack, sequenceNumber: 11)),
        ]
        for (name, frame, expected) in cases {
            let result = plainCheck(frame)
            #expect(result.segment == expected, "\(name)")
            #expect(result.violations.isEmpty, "\(name): \(result.violations)")
        }
    }

    @Test("frames of other shapes fall back to the decoder")
    func fallBacks() {
        typealias F = PlainFrames
        let tcp = F.tcp()
        let ipv6TCP = F.ipv6(tcp), ipv4TCP = F.ipv4(tcp)
        let cases: [(String, [UInt8], LinkType)] = [
            ("802.1Q tag", F.ethernet(0x8100, tags: [0x86dd], ipv6TCP), .ethernet),
            ("802.1Q tag, IPv4", F.ethernet(0x8100, tags: [0x0800], ipv4TCP), .ethernet),
            ("802.1ad + 802.1Q", F.ethernet(0x88a8, tags: [0x8100, 0x86dd], ipv6TCP), .ethernet),
            ("LLC/SNAP", F.ethernet(8 + ipv4TCP.count, [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00] + ipv4TCP), .ethernet),
            ("PPPoE session", F.ethernet(0x8864, [0x11, 0, 0, 1] + F.be16(2 + ipv6TCP.count) + [0x00, 0x57] + ipv6TCP), .ethernet),
            ("MPLS", F.ethernet(0x8847, [0, 0x01, 0x01, 0x40] + ipv4TCP), .ethernet),
            ("hop-by-hop before TCP", F.v6(F.ipv6(next: 0, [6, 0, 1, 4, 0, 0, 0, 0] + tcp)), .ethernet),
            ("destination options before TCP", F.v6(F.ipv6(next: 60, [6, 0, 1, 4, 0, 0, 0, 0] + tcp)), .ethernet),
            ("IPv6 first fragment before TCP", F.v6(F.ipv6(next: 44, [6, 0, 0, 1, 0, 0, 0, 1] + tcp)), .ethernet),
            ("IPv4 later fragment", F.v4(F.ipv4(flagsAndFragment: 0x00b9, tcp)), .ethernet),
            ("IPv4 last fragment with DF", F.v4(F.ipv4(flagsAndFragment: 0x4001, tcp)), .ethernet),
            ("IPv6 UDP", F.v6(F.ipv6(next: 17, F.be16(1) + F.be16(2) + F.be16(8) + [0, 0])), .ethernet),
            ("IPv4 UDP", F.v4(F.ipv4(proto: 17, F.be16(1) + F.be16(2) + F.be16(8) + [0, 0])), .ethernet),
            ("ICMPv6 echo", F.v6(F.ipv6(next: 58, [128, 0, 0, 0, 0, 1, 0, 1])), .ethernet),
            ("ICMPv6 unreachable quoting TCP", F.v6(F.ipv6(next: 58, [1, 4, 0, 0, 0, 0, 0, 0] + ipv6TCP)), .ethernet),
            ("ICMPv4 unreachable quoting TCP", F.v4(F.ipv4(proto: 1, [3, 3, 0, 0, 0, 0, 0, 0] + ipv4TCP)), .ethernet),
            ("ARP", F.ethernet(0x0806, [UInt8](repeating: 0, count: 46)), .ethernet),
            ("IPv6 TCP as LINKTYPE_RAW", ipv6TCP, .raw),
            ("IPv4 TCP as LINKTYPE_RAW", ipv4TCP, .raw),
            ("IPv6 TCP as LINKTYPE_IPV6", ipv6TCP, .ipv6),
            ("Ethernet bytes as LINKTYPE_RAW", F.v6(ipv6TCP), .raw),
            ("Ethernet bytes as Linux SLL", F.v6(ipv6TCP), .linuxSLL),
            ("Linux SLL IPv6 TCP", [0, 0, 0x03, 0x04, 0, 6] + F.macs[0..<6] + [0, 0, 0x86, 0xdd] + ipv6TCP, .linuxSLL),
            ("DLT_NULL IPv6 TCP", [30, 0, 0, 0] + ipv6TCP, .null),
            ("Ethernet bytes as DLT_NULL", F.v6(ipv6TCP), .null),
            ("Ethernet bytes as PKTAP", F.v6(ipv6TCP), .pktap),
            ("Ethernet bytes as an unsupported link type", F.v6(ipv6TCP), LinkType(147)),
            ("TCP header cut at 19 bytes (IPv6)", Array(F.v6(ipv6TCP).prefix(14 + 40 + 19)), .ethernet),
            ("TCP header cut at 19 bytes (IPv4)", Array(F.v4(ipv4TCP).prefix(14 + 20 + 19)), .ethernet),
            ("TCP options cut (data offset 10, 30 bytes captured)", Array(F.v6(F.ipv6(F.tcp(options: F.synOptions))).prefix(14 + 40 + 30)), .ethernet),
            ("IPv6 header cut at 39 bytes", Array(F.v6(ipv6TCP).prefix(14 + 39)), .ethernet),
            ("IPv6 payload length 19 cuts the TCP header", F.v6(F.ipv6(payloadLength: 19, tcp)), .ethernet),
            ("IPv4 total length 39 cuts the TCP header", F.v4(F.ipv4(totalLength: 39, tcp)), .ethernet),
            ("IPv4 total length below the header length", F.v4(F.ipv4(totalLength: 12, tcp)), .ethernet),
            ("TCP data offset 4", F.v6(F.ipv6(F.tcp(dataOffset: 4))), .ethernet),
            ("TCP data offset 0", F.v4(F.ipv4(F.tcp(dataOffset: 0))), .ethernet),
            ("TCP data offset 15 with 20 bytes captured", F.v6(F.ipv6(F.tcp(dataOffset: 15))), .ethernet),
            ("IPv6 version 4 in an 0x86dd frame", F.v6(F.ipv6(version: 4, tcp)), .ethernet),
            ("IPv6 version 0 in an 0x86dd frame", F.v6(F.ipv6(version: 0, tcp)), .ethernet),
            ("IPv4 version 6 in an 0x0800 frame", F.v4(F.ipv4(version: 6, tcp)), .ethernet),
            ("IPv4 header length 16", F.v4(F.ipv4(ihl: 4, tcp)), .ethernet),
            ("IPv4 header length 60 with 20 bytes of it captured", Array(F.v4(F.ipv4(ihl: 15, tcp)).prefix(14 + 20 + 20)), .ethernet),
            ("no EtherType", Array(F.v6(ipv6TCP).prefix(13)), .ethernet),
            ("empty frame", [], .ethernet),
        ]
        for (name, frame, linkType) in cases {
            let result = plainCheck(frame, linkType: linkType)
            #expect(result.segment == nil, "\(name) was recognised: \(hex(frame))")
            #expect(result.plainByDecoder == false, "\(name): the decoder finds it plain")
        }
    }
}
