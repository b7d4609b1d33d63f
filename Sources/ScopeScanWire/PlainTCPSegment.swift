/// The owned facts of the commonest frame of all, a TCP segment in an untagged Ethernet II frame
/// over IPv6 without extension headers or over unfragmented IPv4, for a caller that wants to know
/// quickly whether a packet is ordinary traffic before it pays for a full `DecodedPacket`.
///
/// `recognise` validates the frame with the same header views the decoder uses
/// (`IPv6HeaderView`, `IPv4HeaderView`, `TCPHeaderView`), on the same bytes, and returns nil for
/// every other frame. Its contract, which `PlainTCPSegmentTests` and the decoder fuzzer check on
/// every input: when it returns a segment, `PacketDecoder.decode` of the same frame gives an
/// Ethernet link without tags, no PKTAP header, no DLT_NULL family, `error == nil`, a `tcp` view,
/// no ICMP and no quoted packet, `ipv6` (version 6) or `ipv4` alone (version 4), and the values
/// below equal the packet's. Anomalies (a length beyond the capture, odd TCP options) are not
/// looked at: they are for the packet's printout, and a caller that prints decodes in full.
///
/// It is an owned value of 16 bytes, where a `DecodedPacket` is 624 bytes of
/// borrowed views: filling that costs more than everything this reads (docs/performance.md).
public struct PlainTCPSegment: Sendable, Equatable {
    /// 4 or 6.
    public var ipVersion: UInt8
    /// Both MAC addresses are zero (Linux `lo` captured as Ethernet).
    public var hasZeroMACs: Bool
    /// IPv6 hop limit or IPv4 TTL.
    public var hopLimit: UInt8
    /// The first byte of the source and of the destination address: enough to tell global unicast
    /// (2000::/3) or 127/8 from the rest.
    public var sourceFirstByte: UInt8
    public var destinationFirstByte: UInt8
    public var flags: TCPFlags
    public var sequenceNumber: UInt32

    @inlinable
    public init(ipVersion: UInt8, hasZeroMACs: Bool, hopLimit: UInt8, sourceFirstByte: UInt8, destinationFirstByte: UInt8, flags: TCPFlags, sequenceNumber: UInt32) {
        self.ipVersion = ipVersion
        self.hasZeroMACs = hasZeroMACs
        self.hopLimit = hopLimit
        self.sourceFirstByte = sourceFirstByte
        self.destinationFirstByte = destinationFirstByte
        self.flags = flags
        self.sequenceNumber = sequenceNumber
    }

    /// The segment `frame` carries, if it is one of the shape above; nil for anything else
    /// (including every frame the decoder would stop in with an error).
    ///
    /// The checks are the header views' own, on the same bytes, written out: a view built here
    /// is materialised on the stack with all its stored fields and destroyed through an outlined
    /// call (a `~Escapable` value is non-trivial to Swift 6.3's lowering), which cost 155
    /// instructions per packet where these reads cost about 40. Inlinable, and always inlined:
    /// as a call from the analyser's module it cost a call, a prologue and packing the result
    /// into two registers and out again. The header lengths are literals (14, 40, 20) because a
    /// `static let` of this module read from another is an accessor call.
    @inlinable @inline(__always)
    public static func recognise(_ frame: RawSpan, linkType: LinkType) -> PlainTCPSegment? {
        // Raw values: a static let of `LinkType` read here is a load through an accessor.
        // EN10MB with an EtherType right after the MACs (`EthernetHeader.decode` with no tag or
        // encapsulation: it stops at once for 0x86dd and 0x0800, with a 14-byte header).
        guard linkType.rawValue == 1, frame.count >= 14 + 20 else { return nil }
        let ethernet = frame.extracting(first: 14 + 20)
        let etherType = ethernet.be16(12)
        let hasZeroMACs = ethernet.be64(0) == 0 && ethernet.be32(8) == 0
        let network = frame.extracting(droppingFirst: 14)
        let transport: RawSpan
        var segment = PlainTCPSegment(ipVersion: 0, hasZeroMACs: hasZeroMACs, hopLimit: 0,
                                      sourceFirstByte: 0, destinationFirstByte: 0, flags: [], sequenceNumber: 0)
        if etherType == 0x86dd {
            // `IPv6HeaderView(checking:)`: 40 bytes, version 6; its payload is what follows,
            // cut to the payload length unless that is 0 (a jumbogram or a TSO capture). Then
            // `PacketDecoder.decodeIPv6`: TCP (6, no extension header) is decoded from it.
            guard network.count >= 40 else { return nil }
            let header = network.extracting(first: 40)
            guard header.u8(0) >> 4 == 6, header.u8(6) == 6 else { return nil }
            let payloadLength = Int(header.be16(4))
            let rest = network.extracting(droppingFirst: 40)
            transport = payloadLength == 0 ? rest : rest.extracting(first: min(payloadLength, rest.count))
            segment.ipVersion = 6
            segment.hopLimit = header.u8(7)
            segment.sourceFirstByte = header.u8(8)
            segment.destinationFirstByte = header.u8(24)
        } else if etherType == 0x0800 {
            // `IPv4HeaderView(checking:)`: version 4, a header length of at least 20 that was
            // captured; the payload runs from the header to the total length (at least the
            // header's, at most what was captured; everything captured when it is 0). Then
            // `PacketDecoder.decodeIPv4`: a later fragment has no transport header.
            let header = network.extracting(first: 20) // 20 bytes: checked with the frame's
            let first = header.u8(0)
            let headerLength = Int(first & 0x0f) * 4
            guard first >> 4 == 4, headerLength >= 20, network.count >= headerLength,
                  header.u8(9) == 6, header.be16(6) & 0x1fff == 0 else { return nil }
            let totalLength = Int(header.be16(2))
            let end = totalLength == 0 ? network.count : min(max(totalLength, headerLength), network.count)
            transport = network.extracting(headerLength ..< end)
            segment.ipVersion = 4
            segment.hopLimit = header.u8(8)
            segment.sourceFirstByte = header.u8(12)
            segment.destinationFirstByte = header.u8(16)
        } else {
            return nil
        }
        // `TCPHeaderView(checking:)`: 20 bytes, a data offset of at least 5 words, all captured.
        guard transport.count >= 20 else { return nil }
        let tcp = transport.extracting(first: 20)
        let dataOffset = Int(tcp.u8(12) >> 4) * 4
        guard dataOffset >= 20, transport.count >= dataOffset else { return nil }
        segment.flags = TCPFlags(rawValue: tcp.be16(12) & 0x01ff)
        segment.sequenceNumber = tcp.be32(4)
        return segment
    }
}
