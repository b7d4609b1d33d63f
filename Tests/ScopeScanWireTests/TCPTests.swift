import Testing
@testable import ScopeScanWire

private func options(_ bytes: [UInt8]) -> (options: [TCPOption], wellFormed: Bool) {
    withBytes(bytes) { raw in
        let options = TCPOptions(bytes: raw)
        return (options.list, options.isWellFormed)
    }
}

@Suite("TCP header")
struct TCPTests {
    /// linux-tcp-refused.pcap #1: the 40-byte SYN header (offset 54 in its frame).
    static let syn: [UInt8] = Array(RealFrames.ethernetIPv6TCPSyn.dropFirst(54))
    /// linux-tcp-refused.pcap #2: the 20-byte RST/ACK header.
    static let rstAck: [UInt8] = Array(RealFrames.ethernetIPv6TCPRstAck.dropFirst(54))

    /// macos-lo0-own-linklocal.pcap #1, a macOS SYN: 50001 > 12981, seq 974859341, data offset 11,
    /// window 65535, checksum 0x4af1; options [mss 16324,nop,wscale 6,nop,nop,TS val 3000000000
    /// ecr 0,sackOK,eol] and one byte of EOL padding.
    static let macSyn: [UInt8] = [
        0xc3, 0x51, 0x32, 0xb5, 0x3a, 0x1b, 0x2c, 0x4d, 0x00, 0x00, 0x00, 0x00,
        0xb0, 0x02, 0xff, 0xff, 0x4a, 0xf1, 0x00, 0x00,
        0x02, 0x04, 0x3f, 0xc4, 0x01, 0x03, 0x03, 0x06, 0x01, 0x01, 0x08, 0x0a,
        0xb2, 0xd0, 0x5e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00,
    ]

    @Test("deconstruct a real SYN")
    func deconstructSyn() throws {
        try withBytes(Self.syn) { raw in
            let tcp = try TCPHeaderView(checking: raw)
            #expect(tcp.sourcePort == 44776)
            #expect(tcp.destinationPort == 8081)
            #expect(tcp.sequenceNumber == 411_504_856)
            #expect(tcp.acknowledgmentNumber == 0)
            #expect(tcp.headerLength == 40)
            #expect(tcp.flags == .syn)
            #expect(tcp.window == 64800)
            #expect(tcp.checksum == 0x5ba5)
            #expect(tcp.urgentPointer == 0)
            #expect(tcp.optionBytes.count == 20)
            #expect(tcp.payload.count == 0)
            #expect(tcp.options.list == [
                .maximumSegmentSize(1440), .sackPermitted, .timestamps(value: 1_101_427_904, echo: 0),
                .noOperation, .windowScale(10),
            ])
            #expect(tcp.options.isWellFormed == true)
        }
    }

    @Test("deconstruct the real RST/ACK that refused it")
    func deconstructRstAck() throws {
        try withBytes(Self.rstAck) { raw in
            let tcp = try TCPHeaderView(checking: raw)
            #expect(tcp.sourcePort == 8081)
            #expect(tcp.destinationPort == 44776)
            #expect(tcp.sequenceNumber == 0)
            // RFC 9293 3.10.7.1: a RST for a SYN acknowledges SEG.SEQ + SEG.LEN (the SYN counts 1).
            #expect(tcp.acknowledgmentNumber == 411_504_856 + 1)
            #expect(tcp.headerLength == 20)
            #expect(tcp.flags == [.rst, .ack])
            #expect(tcp.window == 0)
            #expect(tcp.checksum == 0x5b91)
            #expect(tcp.optionBytes.count == 0)
            #expect(tcp.options.list.isEmpty)
        }
    }

    @Test("deconstruct a macOS SYN: options end at EOL")
    func deconstructMacSyn() throws {
        try withBytes(Self.macSyn) { raw in
            let tcp = try TCPHeaderView(checking: raw)
            #expect(tcp.sourcePort == 50001)
            #expect(tcp.destinationPort == 12981)
            #expect(tcp.sequenceNumber == 974_859_341)
            #expect(tcp.headerLength == 44)
            #expect(tcp.window == 65535)
            #expect(tcp.options.list == [
                .maximumSegmentSize(16324), .noOperation, .windowScale(6), .noOperation, .noOperation,
                .timestamps(value: 3_000_000_000, echo: 0), .sackPermitted,
            ])
            #expect(tcp.options.isWellFormed == true)
        }
    }

    /// Option bytes of the two layouts `isWellFormed` recognises whole, and layouts that differ
    /// from them in one byte (a length, a kind, a trailing option), which must get the walk's
    /// verdict whatever it is.
    static let optionLayouts: [[UInt8]] = [
        [],
        [0x01, 0x01, 0x08, 0x0a, 0x5a, 0x1c, 0x2e, 0x01, 0x00, 0x00, 0x00, 0x07],
        [0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07],
        // Timestamps with a length one short or one long: left inside or running past the bytes.
        [0x01, 0x01, 0x08, 0x09, 0x5a, 0x1c, 0x2e, 0x01, 0x00, 0x00, 0x00, 0x07],
        [0x01, 0x01, 0x08, 0x0b, 0x5a, 0x1c, 0x2e, 0x01, 0x00, 0x00, 0x00, 0x07],
        // NOP, NOP and a kind other than Timestamps with the same length.
        [0x01, 0x01, 0x09, 0x0a, 0x5a, 0x1c, 0x2e, 0x01, 0x00, 0x00, 0x00, 0x07],
        // The 12-byte layout inside 16 bytes: another option follows, well formed or cut.
        [0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x01, 0x01, 0x00],
        [0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x01, 0x01, 0x1e],
        // The SYN layout with a window scale of length 2, 4, and with an MSS of length 5.
        [0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x02, 0x07],
        [0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x04, 0x07],
        [0x02, 0x05, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07],
        // SACK-permitted with length 3, and the NOP before the window scale an EOL.
        [0x02, 0x04, 0x05, 0xa0, 0x04, 0x03, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07],
        [0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x00, 0x03, 0x03, 0x07],
    ]

    @Test("isWellFormed, with its shortcut for the common layouts, agrees with the walk", arguments: optionLayouts)
    func wellFormedShortcut(_ bytes: [UInt8]) {
        withBytes(bytes) { raw in
            let options = TCPOptions(bytes: raw)
            var iterator = options.makeIterator()
            while iterator.next() != nil {}
            #expect(options.isWellFormed == options.isWellFormedByWalking)
            #expect(options.isWellFormed == !iterator.isMalformed)
        }
    }

    /// (byte 12, byte 13) -> flags; byte 12's low bit is AE (RFC 9768), byte 13 is CWR..FIN.
    static let flagBits: [(UInt8, UInt8, TCPFlags)] = [
        (0x50, 0x01, .fin),
        (0x50, 0x02, .syn),
        (0x50, 0x04, .rst),
        (0x50, 0x08, .psh),
        (0x50, 0x10, .ack),
        (0x50, 0x20, .urg),
        (0x50, 0x40, .ece),
        (0x50, 0x80, .cwr),
        (0x51, 0x00, .ae),
        (0x5f, 0xff, [.fin, .syn, .rst, .psh, .ack, .urg, .ece, .cwr, .ae]),
        (0x5e, 0x00, []), // the three reserved bits are not flags
    ]

    @Test("each flag bit", arguments: flagBits)
    func flags(_ b12: UInt8, _ b13: UInt8, _ expected: TCPFlags) throws {
        var bytes = Self.rstAck
        bytes[12] = b12
        bytes[13] = b13
        try withBytes(bytes) { raw in
            let tcp = try TCPHeaderView(checking: raw)
            #expect(tcp.flags == expected)
            #expect(tcp.headerLength == 20)
        }
    }

    static let flagTexts: [(TCPFlags, String)] = [
        (.syn, "S"), ([.syn, .ack], "S."), ([.rst, .ack], "R."), ([.psh, .ack], "P."),
        ([.fin, .ack], "F."), (.ack, "."), ([], "none"),
    ]

    @Test("flags print in tcpdump's notation", arguments: flagTexts)
    func flagText(_ flags: TCPFlags, _ text: String) {
        #expect(flags.description == text)
    }

    @Test("data offset below 5 is rejected", arguments: 0..<5)
    func shortDataOffset(_ words: Int) {
        var bytes = Self.rstAck
        bytes[12] = UInt8(words << 4)
        let error = withBytes(bytes) { raw in decodeError { () throws(DecodeError) in try TCPHeaderView(checking: raw, offset: 54) } }
        #expect(error == .badField(.tcp, "data offset", value: UInt32(words), at: 54 + 12))
    }

    @Test("a data offset beyond the captured bytes is truncated at the header length")
    func dataOffsetBeyondCapture() {
        var bytes = Self.rstAck
        bytes[12] = 0xa0 // claims 40 bytes, 20 captured
        let cut = withBytes(bytes) { raw in decodeError { () throws(DecodeError) in _ = try TCPHeaderView(checking: raw, offset: 54) } }
        #expect(cut == .truncated(.tcp, at: 54, needed: 40, available: 20))
        var syn = Self.syn
        syn[12] = 0xf2 // 60 bytes, 40 captured
        let cutSyn = withBytes(syn) { raw in decodeError { () throws(DecodeError) in _ = try TCPHeaderView(checking: raw) } }
        #expect(cutSyn == .truncated(.tcp, at: 0, needed: 60, available: 40))
    }

    @Test("every prefix of the SYN is truncated: first at 20 bytes, then at its data offset")
    func truncated() {
        for length in 0..<20 {
            let error = decodeError(prefix: length, of: Self.syn) { raw throws(DecodeError) in try TCPHeaderView(checking: raw, offset: 54) }
            #expect(error == .truncated(.tcp, at: 54, needed: 20, available: length), "prefix \(length)")
        }
        for length in 20..<40 {
            let error = decodeError(prefix: length, of: Self.syn) { raw throws(DecodeError) in try TCPHeaderView(checking: raw, offset: 54) }
            #expect(error == .truncated(.tcp, at: 54, needed: 40, available: length), "prefix \(length)")
        }
    }

    @Test("bytes after the header are the payload")
    func payload() throws {
        try withBytes(Self.rstAck + Array("hello".utf8)) { raw in
            let tcp = try TCPHeaderView(checking: raw)
            #expect(tcp.header.count == 20)
            #expect(tcp.payload.utf8String() == "hello")
        }
    }
}

@Suite("TCP options")
struct TCPOptionTests {
    @Test("MSS (kind 2, length 4)")
    func mss() {
        #expect(options([0x02, 0x04, 0x05, 0xb4]) == ([.maximumSegmentSize(1460)], true))
    }

    @Test("window scale (kind 3, length 3)")
    func windowScale() {
        #expect(options([0x01, 0x03, 0x03, 0x0e]) == ([.noOperation, .windowScale(14)], true))
    }

    @Test("SACK permitted (kind 4, length 2)")
    func sackPermitted() {
        #expect(options([0x04, 0x02]) == ([.sackPermitted], true))
    }

    @Test("timestamps (kind 8, length 10)")
    func timestamps() {
        #expect(options([0x01, 0x01, 0x08, 0x0a, 0xb2, 0xd0, 0x5e, 0x00, 0x00, 0x00, 0x10, 0x92])
                == ([.noOperation, .noOperation, .timestamps(value: 3_000_000_000, echo: 4242)], true))
    }

    @Test("SACK blocks (kind 5): count and first block's edges")
    func sackBlocks() {
        // A Linux duplicate ACK: NOP NOP TS, NOP NOP SACK with two blocks.
        let bytes: [UInt8] = [
            0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0,
            0x01, 0x01, 0x05, 0x12,
            0x00, 0x00, 0x27, 0x10, 0x00, 0x00, 0x2e, 0xe0, // 10000-12000
            0x00, 0x00, 0x36, 0xb0, 0x00, 0x00, 0x3a, 0x98, // 14000-15000
        ]
        #expect(options(bytes) == ([
            .noOperation, .noOperation, .timestamps(value: 1000, echo: 2000),
            .noOperation, .noOperation, .sack(blocks: 2, firstLeft: 10000, firstRight: 12000),
        ], true))
        // One block (length 10) and four blocks (length 34, the most that fits in 40 bytes of options).
        #expect(options([0x05, 0x0a, 0, 0, 0, 100, 0, 0, 0, 200]) == ([.sack(blocks: 1, firstLeft: 100, firstRight: 200)], true))
        let four: [UInt8] = [0x05, 0x22] + (0..<8).flatMap { i -> [UInt8] in [0, 0, 0, UInt8(i)] }
        #expect(options(four) == ([.sack(blocks: 4, firstLeft: 0, firstRight: 1)], true))
    }

    @Test("NOP is a single byte; EOL ends the list")
    func nopAndEOL() {
        #expect(options([0x01, 0x01, 0x01]) == ([.noOperation, .noOperation, .noOperation], true))
        // Whatever follows EOL is padding, even if it looks like an option.
        #expect(options([0x01, 0x00, 0x02, 0x04, 0x05, 0xb4]) == ([.noOperation], true))
        #expect(options([0x00]) == ([], true))
        #expect(options([]) == ([], true))
    }

    @Test("an unknown kind is skipped by its length", arguments: [
        // MPTCP MP_CAPABLE (kind 30, length 12), TCP Fast Open cookie (kind 34, length 10)
        [UInt8]([0x1e, 0x0c, 0x00, 0x81, 0, 0, 0, 0, 0, 0, 0, 0]),
        [0x22, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8],
    ])
    func unknownKind(_ option: [UInt8]) {
        #expect(options(option + [0x04, 0x02]) == ([.other(kind: option[0], length: option.count), .sackPermitted], true))
    }

    @Test("a known kind with the wrong length is not read as that option", arguments: [
        [UInt8]([0x02, 0x03, 0x05]), [0x03, 0x04, 0x07, 0x00], [0x04, 0x03, 0x00], [0x08, 0x06, 0, 0, 0, 1],
        [0x05, 0x02], [0x05, 0x06, 0, 0, 0, 1], [0x05, 0x0b, 0, 0, 0, 1, 0, 0, 0, 2, 0], // SACK needs at least one 8-byte block
    ])
    func wrongLength(_ option: [UInt8]) {
        #expect(options(option) == ([.other(kind: option[0], length: option.count)], true))
    }

    @Test("a malformed length stops the iterator and marks the list malformed", arguments: [
        [UInt8]([0x02]), // kind without a length byte
        [0x02, 0x00, 0x05, 0xb4], // length 0 (would loop forever)
        [0x02, 0x01, 0x05, 0xb4], // length 1 (shorter than kind + length)
        [0x08, 0x0a, 0x00, 0x00, 0x00, 0x01], // length past the end of the options
    ])
    func malformed(_ bytes: [UInt8]) {
        #expect(options(bytes) == ([], false))
        #expect(options([0x01, 0x02, 0x04, 0x05, 0xb4] + bytes) == ([.noOperation, .maximumSegmentSize(1460)], false))
    }

    @Test("malformed options are an anomaly on the packet, not an error")
    func malformedInPacket() {
        var frame = RealFrames.ethernetIPv6TCPSyn
        frame[54 + 20 + 1] = 0x2a // MSS option length 42: past the 20 option bytes
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(present(packet.tcp) == true)
            #expect(packet.error == nil)
            #expect(packet.anomalies == .badTCPOptions)
        }
    }
}
