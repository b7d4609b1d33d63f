import Testing
@testable import ScopeScanWire

/// Payloads (the bytes after the 40-byte IPv6 header) of ipv6-ext-headers.pcap, whose frames are
/// 2001:db8:a::1 > 2001:db8:b::1 (2001:db8:c::1 for the routed ones) over Ethernet.
private enum Payloads {
    /// #1 Hop-by-Hop: next header 6, length 0 (8 bytes), Router Alert (type 5, len 2, value 0),
    /// PadN (type 1, len 0); then TCP 41001 > 80 [P.] and "hbh\n".
    static let hopByHop: [UInt8] = [
        0x06, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
        0xa0, 0x29, 0x00, 0x50, 0x00, 0x00, 0xa4, 0x11, 0x00, 0x00, 0x13, 0x88, 0x50, 0x18, 0x20, 0x00,
        0x0b, 0xc0, 0x00, 0x00,
        0x68, 0x62, 0x68, 0x0a,
    ]

    /// #2 Destination Options (next header 43, length 0, PadN 4), then a type 0 Routing header
    /// (next header 6, length 2 = 24 bytes, segments left 1, address 2001:db8:b::1);
    /// then TCP 41002 > 80 and "dst+rh0\n".
    static let destinationThenRouting: [UInt8] = [
        0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x06, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xa0, 0x2a, 0x00, 0x50, 0x00, 0x00, 0xa4, 0x12, 0x00, 0x00, 0x13, 0x88, 0x50, 0x18, 0x20, 0x00,
        0x61, 0x15, 0x00, 0x00,
        0x64, 0x73, 0x74, 0x2b, 0x72, 0x68, 0x30, 0x0a,
    ]

    /// #3 Segment Routing Header (RFC 8754): next header 6, length 4 (40 bytes), type 4,
    /// segments left 1, last entry 1, two segments; then TCP 41003 > 80 and "srh\n".
    static let segmentRouting: [UInt8] = [
        0x06, 0x04, 0x04, 0x01, 0x01, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xa0, 0x2b, 0x00, 0x50, 0x00, 0x00, 0xa4, 0x13, 0x00, 0x00, 0x13, 0x88, 0x50, 0x18, 0x20, 0x00,
        0x00, 0xac, 0x00, 0x00,
        0x73, 0x72, 0x68, 0x0a,
    ]

    /// #4 first fragment: Fragment header next header 6, offset 0, M=1, identification 0xf4a9;
    /// then TCP 41004 > 80 seq 42004 and 28 bytes of "F".
    static let firstFragment: [UInt8] = [
        0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0xf4, 0xa9,
        0xa0, 0x2c, 0x00, 0x50, 0x00, 0x00, 0xa4, 0x14, 0x00, 0x00, 0x13, 0x88, 0x50, 0x18, 0x20, 0x00,
        0x13, 0x22, 0x00, 0x00,
    ] + [UInt8](repeating: 0x46, count: 28)

    /// #5 later fragment: offset field 0x0030 = 6 eight-octet units (48 bytes), M=0, same id;
    /// then 36 bytes continuing the TCP payload.
    static let laterFragment: [UInt8] = [
        0x06, 0x00, 0x00, 0x30, 0x00, 0x00, 0xf4, 0xa9,
    ] + [UInt8](repeating: 0x46, count: 36)

    /// #6 AH (RFC 4302): next header 6, payload length 4 → (4 + 2) × 4 = 24 bytes, SPI 0x1001,
    /// sequence 1, 12-byte ICV; then TCP 41006 > 80 and "ah\n".
    static let authentication: [UInt8] = [
        0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xa0, 0x2e, 0x00, 0x50, 0x00, 0x00, 0xa4, 0x16, 0x00, 0x00, 0x13, 0x88, 0x50, 0x18, 0x20, 0x00,
        0x00, 0x00, 0x00, 0x00,
        0x61, 0x68, 0x0a,
    ]

    /// #7 ESP: SPI 0x2002, sequence 1, then ciphertext.
    static let esp: [UInt8] = [
        0x00, 0x00, 0x20, 0x02, 0x00, 0x00, 0x00, 0x01,
        0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
        0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
    ]

    /// #10 a jumbogram captured short: IPv6 payload length 0, Hop-by-Hop with the Jumbo Payload
    /// option (type 0xC2, length 4, value 70000 = 0x00011170); then TCP 41010 > 80 and "jumbo\n".
    static let jumbo: [UInt8] = [
        0x06, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x11, 0x70,
        0xa0, 0x32, 0x00, 0x50, 0x00, 0x00, 0xa4, 0x1a, 0x00, 0x00, 0x13, 0x88, 0x50, 0x18, 0x20, 0x00,
        0x00, 0x00, 0x00, 0x00,
        0x6a, 0x75, 0x6d, 0x62, 0x6f, 0x0a,
    ]

    /// Ethernet + IPv6 header of the same frames (payload length and next header filled in).
    static func frame(first: IPProtocol, payloadLength: UInt16? = nil, _ payload: [UInt8]) -> [UInt8] {
        let length = payloadLength ?? UInt16(payload.count)
        return [
            0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x86, 0xdd,
            0x60, 0x00, 0x00, 0x00, UInt8(length >> 8), UInt8(length & 0xff), first.rawValue, 0x40,
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ] + payload
    }

    /// An 8-byte generic extension header (Hop-by-Hop, Routing or Destination Options layout)
    /// with `next` as its Next Header and a PadN option filling it.
    static func padded(next: IPProtocol) -> [UInt8] {
        [next.rawValue, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00]
    }

    /// A Fragment header (RFC 8200 4.5).
    static func fragment(next: IPProtocol, offsetUnits: UInt16, more: Bool, id: UInt32) -> [UInt8] {
        let field = offsetUnits << 3 | (more ? 1 : 0)
        return [next.rawValue, 0x00, UInt8(field >> 8), UInt8(field & 0xff),
                UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)]
    }
}

private func walk(_ payload: [UInt8], first: IPProtocol, baseOffset: Int = 54, layer: Layer = .ipv6Extension) -> Result<IPv6ExtensionWalk, DecodeError> {
    withBytes(payload) { raw in
        Result { () throws(DecodeError) in try IPv6ExtensionWalk.walk(raw, first: first, baseOffset: baseOffset, layer: layer) }
    }
}

@Suite("IPv6 extension headers")
struct ExtensionHeaderTests {
    @Test("Hop-by-Hop options header")
    func hopByHop() throws {
        let result = try walk(Payloads.hopByHop, first: .hopByHop).get()
        #expect(Array(result.headers) == [.hopByHop])
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 8)
        #expect(result.jumboLength == nil)
        #expect(result.fragmentOffset == nil)
        #expect(result.anomalies.isEmpty)

        withDecoded(Payloads.frame(first: .hopByHop, Payloads.hopByHop), linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.upperLayer == .tcp)
            #expect(packet.tcp?.sourcePort == 41001)
            #expect(packet.tcp?.sequenceNumber == 42001)
            #expect(packet.tcp?.payload.utf8String() == "hbh\n")
        }
    }

    @Test("Destination Options then a Routing header")
    func destinationThenRouting() throws {
        let result = try walk(Payloads.destinationThenRouting, first: .destinationOptions).get()
        #expect(Array(result.headers) == [.destinationOptions, .ipv6Routing])
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 8 + 24)
        #expect(result.anomalies.isEmpty)

        withDecoded(Payloads.frame(first: .destinationOptions, Payloads.destinationThenRouting), linkType: .ethernet) { packet in
            #expect(packet.tcp?.sourcePort == 41002)
            #expect(packet.tcp?.payload.count == 8)
        }
    }

    @Test("a Segment Routing header is walked by its length field")
    func segmentRouting() throws {
        let result = try walk(Payloads.segmentRouting, first: .ipv6Routing).get()
        #expect(Array(result.headers) == [.ipv6Routing])
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 40)
    }

    @Test("first fragment: offset 0 with M set, the transport header follows")
    func firstFragment() throws {
        let result = try walk(Payloads.firstFragment, first: .ipv6Fragment).get()
        #expect(Array(result.headers) == [.ipv6Fragment])
        #expect(result.fragmentOffset == 0)
        #expect(result.moreFragments)
        #expect(result.fragmentIdentification == 0xf4a9)
        #expect(result.isLaterFragment == false)
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 8)
        #expect(result.anomalies.isEmpty)

        withDecoded(Payloads.frame(first: .ipv6Fragment, Payloads.firstFragment), linkType: .ethernet) { packet in
            #expect(packet.error == nil)
            #expect(packet.tcp?.sourcePort == 41004)
            #expect(packet.tcp?.sequenceNumber == 42004)
        }
    }

    @Test("later fragment: offset in bytes, no transport header")
    func laterFragment() throws {
        let result = try walk(Payloads.laterFragment, first: .ipv6Fragment).get()
        #expect(result.fragmentOffset == 48)
        #expect(result.moreFragments == false)
        #expect(result.fragmentIdentification == 0xf4a9)
        #expect(result.isLaterFragment)
        #expect(result.anomalies == .laterFragment)
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 8)

        withDecoded(Payloads.frame(first: .ipv6Fragment, Payloads.laterFragment), linkType: .ethernet) { packet in
            #expect(present(packet.ipv6) == true)
            #expect(packet.extensions?.isLaterFragment == true)
            #expect(packet.upperLayer == .tcp)
            // 0x4646… would read as ports 17990 > 17990 if it were taken for a header.
            #expect(present(packet.tcp) == false)
            #expect(packet.error == nil)
            #expect(packet.anomalies.contains(.laterFragment))
        }
    }

    @Test("the walk stops at a later fragment even when its next header is an extension header")
    func laterFragmentStopsWalk() throws {
        let payload = Payloads.fragment(next: .hopByHop, offsetUnits: 185, more: true, id: 7) + [0x06, 0xff, 0, 0, 0, 0, 0, 0]
        let result = try walk(payload, first: .ipv6Fragment).get()
        #expect(result.fragmentOffset == 1480)
        #expect(result.moreFragments)
        #expect(result.isLaterFragment)
        #expect(result.headers.count == 1)
        #expect(result.upperLayer == .hopByHop)
        #expect(result.upperLayerOffset == 8)
    }

    @Test("AH length is in 4-octet units plus 2")
    func authenticationHeader() throws {
        let result = try walk(Payloads.authentication, first: .ah).get()
        #expect(Array(result.headers) == [.ah])
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 24)

        withDecoded(Payloads.frame(first: .ah, Payloads.authentication), linkType: .ethernet) { packet in
            #expect(packet.tcp?.sourcePort == 41006)
            #expect(packet.tcp?.sequenceNumber == 42006)
        }
    }

    @Test("ESP ends the walk: what follows is encrypted")
    func esp() throws {
        let result = try walk(Payloads.esp, first: .esp).get()
        #expect(result.headers.count == 0)
        #expect(result.upperLayer == .esp)
        #expect(result.upperLayerOffset == 0)

        let afterHopByHop = try walk(Payloads.padded(next: .esp) + Payloads.esp, first: .hopByHop).get()
        #expect(Array(afterHopByHop.headers) == [.hopByHop])
        #expect(afterHopByHop.upperLayer == .esp)
        #expect(afterHopByHop.upperLayerOffset == 8)

        withDecoded(Payloads.frame(first: .esp, Payloads.esp), linkType: .ethernet) { packet in
            #expect(packet.upperLayer == .esp)
            #expect(packet.tcp == nil && packet.udp == nil)
            #expect(packet.error == nil)
        }
    }

    @Test("No Next Header ends the walk, whatever bytes follow")
    func noNextHeader() throws {
        let empty = try walk([], first: .noNextHeader).get()
        #expect(empty.upperLayer == .noNextHeader)
        #expect(empty.headers.count == 0)

        let afterDestination = try walk(Payloads.padded(next: .noNextHeader) + [0x06, 0x00, 0x00, 0x00], first: .destinationOptions).get()
        #expect(afterDestination.upperLayer == .noNextHeader)
        #expect(afterDestination.upperLayerOffset == 8)

        withDecoded(Payloads.frame(first: .noNextHeader, []), linkType: .ethernet) { packet in
            #expect(present(packet.ipv6) == true)
            #expect(packet.upperLayer == .noNextHeader)
            #expect(packet.error == nil)
        }
    }

    @Test("Mobility, HIP and Shim6 headers share the generic layout", arguments: [IPProtocol.mobility, .hip, .shim6])
    func genericLayout(_ proto: IPProtocol) throws {
        // Next header 59, Hdr Ext Len 1 → 16 bytes.
        let header: [UInt8] = [59, 0x01] + [UInt8](repeating: 0, count: 14)
        let result = try walk(header + [0xff], first: proto).get()
        #expect(Array(result.headers) == [proto])
        #expect(result.upperLayer == .noNextHeader)
        #expect(result.upperLayerOffset == 16)
    }

    @Test("Hop-by-Hop anywhere but first is an anomaly (RFC 8200 4.3)")
    func hopByHopNotFirst() throws {
        let result = try walk(Payloads.padded(next: .hopByHop) + Payloads.padded(next: .tcp), first: .destinationOptions).get()
        #expect(Array(result.headers) == [.destinationOptions, .hopByHop])
        #expect(result.anomalies == .hopByHopNotFirst)
        #expect(result.upperLayer == .tcp)
        #expect(result.upperLayerOffset == 16)

        let first = try walk(Payloads.padded(next: .destinationOptions) + Payloads.padded(next: .tcp), first: .hopByHop).get()
        #expect(first.anomalies.isEmpty)
    }

    @Test("two Routing headers are an anomaly")
    func duplicateRouting() throws {
        let result = try walk(Payloads.padded(next: .ipv6Routing) + Payloads.padded(next: .tcp), first: .ipv6Routing).get()
        #expect(Array(result.headers) == [.ipv6Routing, .ipv6Routing])
        #expect(result.anomalies == .duplicateRoutingHeader)

        withDecoded(Payloads.frame(first: .ipv6Routing, Payloads.padded(next: .ipv6Routing) + Payloads.padded(next: .tcp) + Array(Payloads.hopByHop.dropFirst(8))), linkType: .ethernet) { packet in
            #expect(packet.anomalies.contains(.duplicateRoutingHeader))
            #expect(packet.tcp?.sourcePort == 41001)
        }
    }

    @Test("two Fragment headers are an anomaly")
    func duplicateFragment() throws {
        let payload = Payloads.fragment(next: .ipv6Fragment, offsetUnits: 0, more: true, id: 1) + Payloads.fragment(next: .tcp, offsetUnits: 0, more: true, id: 2)
        let result = try walk(payload, first: .ipv6Fragment).get()
        #expect(result.anomalies == .duplicateFragmentHeader)
        #expect(result.fragmentIdentification == 2)
        #expect(result.upperLayerOffset == 16)
    }

    @Test("eight extension headers are walked; a ninth stops the walk")
    func tooManyHeaders() throws {
        let eight = (0..<7).flatMap { _ in Payloads.padded(next: .destinationOptions) } + Payloads.padded(next: .tcp)
        let walked = try walk(eight, first: .destinationOptions).get()
        #expect(walked.headers.count == 8)
        #expect(walked.upperLayer == .tcp)
        #expect(walked.upperLayerOffset == 64)
        #expect(walked.anomalies.isEmpty)

        let nine = (0..<8).flatMap { _ in Payloads.padded(next: .destinationOptions) } + Payloads.padded(next: .tcp)
        let stopped = try walk(nine, first: .destinationOptions).get()
        #expect(stopped.headers.count == 8)
        #expect(stopped.anomalies == .tooManyExtensionHeaders)
        #expect(stopped.upperLayer == .destinationOptions)
        #expect(stopped.upperLayerOffset == 64)
    }

    @Test("the Jumbo Payload option (RFC 2675) sets the payload length")
    func jumbo() throws {
        let result = try walk(Payloads.jumbo, first: .hopByHop).get()
        #expect(result.jumboLength == 70000)
        #expect(result.upperLayer == .tcp)

        withDecoded(Payloads.frame(first: .hopByHop, payloadLength: 0, Payloads.jumbo), linkType: .ethernet) { packet in
            // 70000 bytes announced, a few dozen captured: the capture cut the jumbogram.
            #expect(packet.anomalies == [.jumboPayload, .ipLengthBeyondCapture])
            #expect(packet.tcp?.sourcePort == 41010)
            #expect(packet.tcp?.payload.count == 6)
            #expect(packet.error == nil)
        }
    }

    @Test("a jumbo option with a non-zero IPv6 payload length is an anomaly")
    func jumboWithPayloadLength() {
        var payload = Payloads.jumbo
        payload.replaceSubrange(4..<8, with: [0x00, 0x00, 0x00, 0x22]) // jumbo length 34 = the whole payload
        withDecoded(Payloads.frame(first: .hopByHop, payload), linkType: .ethernet) { packet in
            #expect(packet.extensions?.jumboLength == 34)
            #expect(packet.anomalies.contains(.jumboPayload))
            #expect(packet.anomalies.contains(.jumboWithoutZeroLength))
        }
    }

    @Test("the jumbo length cuts the payload like a payload length")
    func jumboLengthCuts() {
        var payload = Payloads.jumbo
        payload.replaceSubrange(4..<8, with: [0x00, 0x00, 0x00, 0x1c]) // 28: HBH + TCP header, no data
        withDecoded(Payloads.frame(first: .hopByHop, payloadLength: 0, payload), linkType: .ethernet) { packet in
            #expect(packet.extensions?.jumboLength == 28)
            #expect(packet.tcp?.payload.count == 0)
        }
    }

    @Test("the jumbo option is found after Pad1 and PadN options")
    func jumboAfterPadding() throws {
        // Hdr Ext Len 1 (16 bytes): Pad1, Pad1, Jumbo 0x00011170, PadN with 4 bytes of padding.
        let header: [UInt8] = [0x06, 0x01, 0x00, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x11, 0x70, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00]
        let result = try walk(header, first: .hopByHop).get()
        #expect(result.jumboLength == 70000)
        #expect(result.upperLayerOffset == 16)
    }

    @Test("0xC2 with a length other than 4, or outside Hop-by-Hop, is not a jumbo option")
    func notJumbo() throws {
        let wrongLength: [UInt8] = [0x06, 0x00, 0xc2, 0x02, 0x00, 0x01, 0x01, 0x00]
        #expect(try walk(wrongLength, first: .hopByHop).get().jumboLength == nil)
        #expect(try walk(Payloads.jumbo, first: .destinationOptions).get().jumboLength == nil)
        // A jumbo option cut by the end of its header is not read from the bytes after the header.
        let overrun: [UInt8] = [0x06, 0x00, 0x01, 0x02, 0x00, 0x00, 0xc2, 0x04]
        #expect(try walk(overrun + [0x00, 0x01, 0x11, 0x70], first: .hopByHop).get().jumboLength == nil)
    }

    @Test("every prefix of a generic header is truncated: first at 2 bytes, then at its length")
    func truncatedGeneric() {
        for length in 0..<2 {
            #expect(walk(Array(Payloads.hopByHop.prefix(length)), first: .hopByHop).failure == .truncated(.ipv6Extension, at: 54, needed: 2, available: length), "prefix \(length)")
        }
        for length in 2..<8 {
            #expect(walk(Array(Payloads.hopByHop.prefix(length)), first: .hopByHop).failure == .truncated(.ipv6Extension, at: 54, needed: 8, available: length), "prefix \(length)")
        }
        // The second header of #2 starts 8 bytes in and is 24 bytes long.
        for length in 8..<10 {
            #expect(walk(Array(Payloads.destinationThenRouting.prefix(length)), first: .destinationOptions).failure == .truncated(.ipv6Extension, at: 62, needed: 2, available: length - 8), "prefix \(length)")
        }
        for length in 10..<32 {
            #expect(walk(Array(Payloads.destinationThenRouting.prefix(length)), first: .destinationOptions).failure == .truncated(.ipv6Extension, at: 62, needed: 24, available: length - 8), "prefix \(length)")
        }
        // Once the extension headers are complete the walk succeeds, however little of TCP is there.
        #expect(walk(Array(Payloads.destinationThenRouting.prefix(32)), first: .destinationOptions).failure == nil)
    }

    @Test("every prefix of a Fragment header is truncated at 8 bytes")
    func truncatedFragment() {
        for length in 0..<8 {
            #expect(walk(Array(Payloads.laterFragment.prefix(length)), first: .ipv6Fragment).failure == .truncated(.ipv6Extension, at: 54, needed: 8, available: length), "prefix \(length)")
        }
    }

    @Test("every prefix of an AH header is truncated: first at 2 bytes, then at its length")
    func truncatedAH() {
        for length in 0..<2 {
            #expect(walk(Array(Payloads.authentication.prefix(length)), first: .ah).failure == .truncated(.ipv6Extension, at: 54, needed: 2, available: length), "prefix \(length)")
        }
        for length in 2..<24 {
            #expect(walk(Array(Payloads.authentication.prefix(length)), first: .ah).failure == .truncated(.ipv6Extension, at: 54, needed: 24, available: length), "prefix \(length)")
        }
    }

    @Test("a walk inside an ICMPv6 quote reports the quote's layer")
    func quotedLayer() {
        #expect(walk([0x06], first: .hopByHop, baseOffset: 102, layer: .quotedIPv6).failure == .truncated(.quotedIPv6, at: 102, needed: 2, available: 1))
    }

    /// The decoder skips the walk for a next header `isExtensionHeader` says no to, and stores
    /// what the walk would return for it: the two must agree on every number.
    @Test("isExtensionHeader is true exactly for the numbers the walk reads a header of")
    func extensionHeaderNumbers() throws {
        // One 8-byte header of any kind (length field 0: 8 bytes in the generic and the AH
        // layouts; a fragment at offset 0) whose Next Header, 59 (No Next Header), ends the walk.
        let payload: [UInt8] = [59] + Array(repeating: 0, count: 7)
        for number in 0...255 {
            let proto = IPProtocol(UInt8(number))
            let result = try walk(payload, first: proto).get()
            #expect(IPv6ExtensionWalk.isExtensionHeader(proto) == (result.headers.count > 0), "next header \(number)")
            if !IPv6ExtensionWalk.isExtensionHeader(proto) {
                #expect(result == IPv6ExtensionWalk(upperLayer: proto, upperLayerOffset: 0), "next header \(number)")
            }
        }
    }

    @Test("a packet without extension headers decodes as if walked: an empty walk at offset 0")
    func noExtensionHeaders() {
        let frame = Payloads.frame(first: .udp, [0x12, 0x34, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00])
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.extensions == IPv6ExtensionWalk(upperLayer: .udp, upperLayerOffset: 0))
            #expect(packet.upperLayer == .udp)
            #expect(packet.udp?.destinationPort == 53)
            #expect(packet.anomalies.isEmpty)
            #expect(packet.error == nil)
        }
    }

    @Test("a truncated extension header keeps the IPv6 header and stops before transport")
    func truncatedInFrame() {
        let frame = Array(Payloads.frame(first: .destinationOptions, Payloads.destinationThenRouting).prefix(54 + 20))
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(present(packet.ipv6) == true)
            #expect(packet.extensions == nil)
            #expect(present(packet.tcp) == false)
            #expect(packet.error == .truncated(.ipv6Extension, at: 62, needed: 24, available: 12))
            #expect(packet.anomalies.contains(.ipLengthBeyondCapture))
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
