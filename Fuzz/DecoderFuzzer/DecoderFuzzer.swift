// libFuzzer harness for the ScopeScanWire packet decoder.
//
// Input layout: 2 bytes (big-endian) selecting a link type from `LinkType.supported` (modulo its
// count), then the frame. The frame is decoded with `PacketDecoder.decode`, and every accessor of
// every layer that came out is read, so the fuzzer reaches each field read the views make. On top of
// AddressSanitizer (reads outside the input) and the spans' bounds checks (reads outside a view's
// bytes, in every build: `RawSpan` and `Span` check in -O too), the harness checks invariants the
// decoder promises:
//   * every view it hands out lies inside the frame;
//   * address text round-trips through the parsers (RFC 5952 output is valid RFC 4291 input);
//   * decoding in place (`decode(_:linkType:into:)`) gives what `decode(_:linkType:)` returns;
//   * `PlainTCPSegment.recognise` keeps its contract with the decoder: where it returns a segment
//     (of every input, read as Ethernet whatever the selector), the decode agrees field by field;
//     it returns one for every frame the decoder finds of its shape; and none for another link type.
//
// Compiled together with Sources/ScopeScanWire/*.swift as a single module (see Fuzz/build.sh), so
// it names the decoder's types directly and needs no import.

/// Everything read is folded into this, so the optimizer cannot drop a read as unused.
nonisolated(unsafe) var sink: UInt64 = 0

@inline(__always) func use<T: BinaryInteger>(_ value: T) { sink = sink &* 31 &+ UInt64(truncatingIfNeeded: value) }
@inline(__always) func use(_ value: Bool) { use(value ? 1 : 0) }
@inline(__always) func use(_ text: String) { use(text.utf8.count); if let first = text.utf8.first { use(first) } }
@inline(__always) func use(_ bytes: RawSpan) {
    use(bytes.count)
    if !bytes.isEmpty {
        use(bytes.u8(0))
        use(bytes.u8(bytes.count - 1))
    }
}

/// The view must be a part of the frame. The spans' own bounds checks already keep every read
/// inside the view; this checks that the decoder cut each view out of this frame and not another.
func checkInside(_ view: RawSpan, _ frame: RawSpan, _ what: StaticString) {
    use(view)
    guard view.count > 0 else { return }
    guard let range = frame.byteOffsets(of: view) else {
        fatalError("\(what): view of \(view.count) bytes not inside the frame of \(frame.count)")
    }
    precondition(range.lowerBound >= 0 && range.upperBound <= frame.count, "\(what): view \(range) outside frame of \(frame.count)")
}

func touch(_ address: IPv4Address) {
    use(address.value)
    let text = address.description
    use(text)
    use(address.kind.description)
    precondition(IPv4Address(text) == address, "IPv4 text \(text) does not parse back")
}

func touch(_ address: IPv6Address) {
    use(address.high)
    use(address.low)
    let text = address.description
    use(text)
    for group in address.groups { use(group) }
    use(address.isLinkLocalUnicast)
    use(address.isMulticast)
    use(address.isIPv4Mapped)
    use(address.isLoopback)
    use(address.hasNonZeroLinkLocalPadding)
    use(address.embeddedScopeID)
    use(address.withoutEmbeddedScope.low)
    if let mapped = address.mappedIPv4 { touch(mapped) }
    use(address.isScoped)
    use(address.kind.description)
    precondition(IPv6Address(text) == address, "IPv6 text \(text) does not parse back")
}

func touch(_ address: IPAddress) {
    switch address {
    case .v4(let a): touch(a)
    case .v6(let a): touch(a)
    }
    use(address.description)
    use(address.isLoopback)
    use(address.scopedText(interface: "fz0"))
    use(address.scopedText(interface: nil))
    precondition(IPAddress(address.description) == address, "address text does not parse back")
}

func touch(_ options: TCPOptions) {
    var iterator = options.makeIterator()
    var count = 0
    while let option = iterator.next() {
        count += 1
        precondition(count <= 40, "more TCP options than option bytes")
        switch option {
        case .maximumSegmentSize(let mss): use(mss)
        case .windowScale(let shift): use(shift)
        case .sackPermitted: use(1)
        case .sack(let blocks, let left, let right): use(blocks); use(left); use(right)
        case .timestamps(let value, let echo): use(value); use(echo)
        case .noOperation: use(2)
        case .other(let kind, let length): use(kind); use(length)
        }
    }
    use(iterator.isMalformed)
    precondition(options.isWellFormed == !iterator.isMalformed, "isWellFormed disagrees with the iterator")
    precondition(options.isWellFormed == options.isWellFormedByWalking, "isWellFormed's shortcut disagrees with the walk")
}

func touch(_ header: IPv4HeaderView, _ frame: RawSpan) {
    checkInside(header.header, frame, "ipv4 header")
    checkInside(header.payload, frame, "ipv4 payload")
    checkInside(header.options, frame, "ipv4 options")
    use(header.isTruncatedByCapture)
    use(header.headerLength)
    use(header.dscp)
    use(header.totalLength)
    use(header.identification)
    use(header.dontFragment)
    use(header.moreFragments)
    use(header.fragmentOffset)
    use(header.ttl)
    use(header.proto.rawValue)
    use(header.proto.description)
    use(header.checksum)
    touch(header.source)
    touch(header.destination)
    use(header.isChecksumValid)
}

func touch(_ header: IPv6HeaderView, _ frame: RawSpan) {
    checkInside(header.header, frame, "ipv6 header")
    checkInside(header.payload, frame, "ipv6 payload")
    use(header.isTruncatedByCapture)
    use(header.trafficClass)
    use(header.flowLabel)
    use(header.payloadLength)
    use(header.nextHeader.rawValue)
    use(header.hopLimit)
    touch(header.source)
    touch(header.destination)
    // Fields read once at validation (addresses, the first word) must be the header's bytes.
    precondition(header.source == IPv6Address(high: header.header.be64(8), low: header.header.be64(16)), "ipv6 source differs from the header")
    precondition(header.destination == IPv6Address(high: header.header.be64(24), low: header.header.be64(32)), "ipv6 destination differs from the header")
    precondition(header.payloadLength == header.header.be16(4) && header.nextHeader.rawValue == header.header.u8(6) && header.hopLimit == header.header.u8(7), "ipv6 lengths or hop limit differ from the header")
    precondition(header.flowLabel == header.header.be32(0) & 0x000f_ffff && header.trafficClass == UInt8(truncatingIfNeeded: header.header.be16(0) >> 4), "ipv6 flow label or traffic class differs from the header")
}

func touch(_ walk: IPv6ExtensionWalk) {
    use(walk.upperLayer.rawValue)
    use(walk.upperLayer.description)
    use(walk.upperLayerOffset)
    precondition(walk.headers.count <= ExtensionHeaderList.capacity, "extension list over capacity")
    for header in walk.headers {
        use(header.rawValue)
        precondition(walk.headers.contains(header), "extension list misses its own element")
    }
    for index in 0..<walk.headers.count { use(walk.headers[index].rawValue) }
    if let offset = walk.fragmentOffset { use(offset) }
    use(walk.moreFragments)
    use(walk.fragmentIdentification)
    if let jumbo = walk.jumboLength { use(jumbo) }
    if let offset = walk.routingHeaderOffset { use(offset) }
    use(walk.anomalies.rawValue)
    use(walk.isLaterFragment)
}

func touch(_ quoted: QuotedPacket, _ frame: RawSpan) {
    switch quoted.ip {
    case .v4(let header): touch(header, frame)
    case .v6(let header): touch(header, frame)
    }
    use(quoted.upperLayer.rawValue)
    checkInside(quoted.transport, frame, "quoted transport")
    touch(quoted.source)
    touch(quoted.destination)
    if let port = quoted.sourcePort { use(port) }
    if let port = quoted.destinationPort { use(port) }
    if let seq = quoted.tcpSequenceNumber { use(seq) }
    if let flags = quoted.tcpFlags { use(flags.rawValue); use(flags.description) }
}

func touch(_ link: LinkLayer, _ frame: RawSpan) {
    use(link.linkType.rawValue)
    use(link.linkType.name)
    use(link.linkType.isSupported)
    use(link.linkType.isLoopbackType)
    use(link.networkProtocol.rawValue)
    precondition(link.headerLength >= 0 && link.headerLength <= frame.count, "link header length \(link.headerLength) outside frame of \(frame.count)")
    use(link.outerVLAN)
    use(link.innerVLAN)
    use(link.hasZeroMACs)
    use(link.interfaceIndex)
    use(link.byteSwappedFamily)
    use(link.nullFamily)
    if let name = NullHeader.platform(family: link.nullFamily) { use(name) }
    if let family = NullHeader.networkProtocol(family: link.nullFamily) { use(family.rawValue) }
    if let pktap = link.pktap {
        checkInside(pktap.header, frame, "pktap header")
        use(pktap.length)
        use(pktap.innerLinkType.rawValue)
        use(pktap.processID)
        checkInside(pktap.interfaceNameBytes, frame, "pktap interface name")
        checkInside(pktap.processNameBytes, frame, "pktap process name")
        use(pktap.interfaceName)
        use(pktap.processName)
    }
}

func touch(_ packet: DecodedPacket, _ frame: RawSpan) {
    if let link = packet.link { touch(link, frame) }
    if let ip = packet.ipv4 { touch(ip, frame) }
    if let ip = packet.ipv6 { touch(ip, frame) }
    if let walk = packet.extensions { touch(walk) }
    if let ip = packet.ipv6, let walk = packet.extensions, !IPv6ExtensionWalk.isExtensionHeader(ip.nextHeader) {
        // The decoder did not walk: what it stored must be what the walk returns.
        let walked = try? IPv6ExtensionWalk.walk(ip.payload, first: ip.nextHeader, baseOffset: 0)
        precondition(walked == walk, "the walk's shortcut differs from the walk")
    }
    if let upper = packet.upperLayer { use(upper.rawValue); use(upper.description) }
    if let tcp = packet.tcp {
        checkInside(tcp.header, frame, "tcp header")
        checkInside(tcp.payload, frame, "tcp payload")
        checkInside(tcp.optionBytes, frame, "tcp options")
        use(tcp.sourcePort)
        use(tcp.destinationPort)
        use(tcp.sequenceNumber)
        use(tcp.acknowledgmentNumber)
        use(tcp.headerLength)
        use(tcp.flags.rawValue)
        use(tcp.flags.description)
        use(tcp.window)
        use(tcp.checksum)
        use(tcp.urgentPointer)
        touch(tcp.options)
        // The fixed fields come from words read once at validation: they must be the header's bytes.
        precondition(tcp.sourcePort == tcp.header.be16(0) && tcp.destinationPort == tcp.header.be16(2), "tcp ports differ from the header")
        precondition(tcp.sequenceNumber == tcp.header.be32(4) && tcp.acknowledgmentNumber == tcp.header.be32(8), "tcp sequence numbers differ from the header")
        precondition(tcp.flags.rawValue == tcp.header.be16(12) & 0x01ff && tcp.window == tcp.header.be16(14), "tcp flags or window differ from the header")
    }
    if let udp = packet.udp {
        checkInside(udp.header, frame, "udp header")
        checkInside(udp.payload, frame, "udp payload")
        use(udp.sourcePort)
        use(udp.destinationPort)
        use(udp.length)
        use(udp.checksum)
    }
    if let icmp = packet.icmpv6 {
        checkInside(icmp.message, frame, "icmpv6 message")
        use(icmp.type.rawValue)
        use(icmp.type.isError)
        use(icmp.code)
        use(ICMPv6UnreachableCode.name(icmp.code))
        use(icmp.checksum)
        if let word = icmp.word { use(word) }
        if let quoted = icmp.quotedBytes { checkInside(quoted, frame, "icmpv6 quote") }
        if let target = icmp.targetAddress { touch(target) }
        if let flags = icmp.advertisementFlags { use(flags.router); use(flags.solicited); use(flags.override) }
    }
    if let icmp = packet.icmpv4 {
        checkInside(icmp.message, frame, "icmpv4 message")
        use(icmp.type)
        use(icmp.code)
        use(ICMPv4UnreachableCode.name(icmp.code))
        use(icmp.checksum)
        if let word = icmp.word { use(word) }
        use(icmp.isError)
        if let quoted = icmp.quotedBytes { checkInside(quoted, frame, "icmpv4 quote") }
    }
    if let quoted = packet.quoted { touch(quoted, frame) }
    if let error = packet.error {
        use(error.description)
        use(error.layer.description)
        use(error.offset)
        use(error.needed)
        use(error.available)
        use(error.value)
    }
    for name in packet.anomalies.names { use(name) }
    if let source = packet.source { touch(source) }
    if let destination = packet.destination { touch(destination) }
    if let version = packet.ipVersion { use(version) }
    if let hlim = packet.hopLimit { use(hlim) }
    if let port = packet.sourcePort { use(port) }
    if let port = packet.destinationPort { use(port) }
    // The checksum verifier re-reads the transport bytes and follows routing headers.
    use(checksumCode(ChecksumVerifier.ipv4Header(packet)))
    use(checksumCode(ChecksumVerifier.transport(packet)))
}

func checksumCode(_ result: ChecksumVerifier.Result) -> Int {
    switch result {
    case .valid: return 1
    case .invalid: return 2
    case .notChecked: return 3
    case .absent: return 4
    }
}

/// What must come out the same when a frame is decoded twice.
func summary(_ packet: DecodedPacket) -> [UInt64] {
    [
        UInt64(truncatingIfNeeded: packet.link?.headerLength ?? -1),
        UInt64(packet.upperLayer?.rawValue ?? 0xff),
        UInt64(packet.anomalies.rawValue),
        UInt64(truncatingIfNeeded: packet.error?.offset ?? -1),
        UInt64(packet.tcp?.header.count ?? 0) << 32 | UInt64(packet.udp?.header.count ?? 0),
        UInt64(packet.extensions?.headers.count ?? 0),
    ]
}

/// Whether an optional view is present, as a plain `Bool` (as the tests' helper of the same name).
func present<T: ~Escapable>(_ value: T?) -> Bool {
    switch value {
    case .some: return true
    case .none: return false
    }
}

/// `PlainTCPSegment.recognise`'s contract (its doc comment; `PlainTCPSegmentTests` checks the same
/// on generated frames and fixtures): when it returns a segment, the full decode of the frame as
/// Ethernet has an untagged 14-byte Ethernet link, no PKTAP or DLT_NULL, no error, TCP with the
/// segment's flags and sequence number, no UDP, ICMP or quote, and IPv6 (version 6) or IPv4
/// (version 4) alone with the segment's hop limit and first address bytes. And the converse: every
/// frame the decoder finds of that shape (IPv6 with TCP right after the fixed header, or IPv4 TCP
/// at fragment offset 0, with a TCP view and no error) is recognised.
func checkPlainSegment(_ segment: PlainTCPSegment?, _ packet: DecodedPacket) {
    var plain = false
    if packet.link?.linkType == .ethernet, packet.link?.headerLength == 14, packet.error == nil, present(packet.tcp) {
        if let ip = packet.ipv6 {
            plain = packet.upperLayer == .tcp && ip.nextHeader == .tcp && packet.extensions?.upperLayerOffset == 0
        } else if let ip = packet.ipv4 {
            plain = ip.fragmentOffset == 0 && ip.proto == .tcp
        }
    }
    guard let segment else {
        precondition(!plain, "plain: recognise refused a frame the decoder finds plain (completeness)")
        return
    }
    use(segment.sequenceNumber)
    guard let link = packet.link else { fatalError("plain: segment recognised, decode has no link") }
    precondition(link.linkType == .ethernet && link.headerLength == 14 && link.outerVLAN == 0 && link.innerVLAN == 0,
                 "plain: link type \(link.linkType.rawValue), header length \(link.headerLength), VLANs \(link.outerVLAN)/\(link.innerVLAN)")
    precondition(!present(link.pktap) && link.nullFamily == 0, "plain: PKTAP header or DLT_NULL family")
    precondition(link.hasZeroMACs == segment.hasZeroMACs, "plain: hasZeroMACs \(link.hasZeroMACs), segment \(segment.hasZeroMACs)")
    precondition(link.networkProtocol == (segment.ipVersion == 6 ? .ipv6 : .ipv4), "plain: network protocol \(link.networkProtocol.rawValue) for version \(segment.ipVersion)")
    if let error = packet.error { fatalError("plain: segment recognised, decode stopped: \(error)") }
    guard let tcp = packet.tcp else { fatalError("plain: segment recognised, decode has no TCP") }
    precondition(tcp.flags == segment.flags && tcp.sequenceNumber == segment.sequenceNumber,
                 "plain: TCP flags \(tcp.flags.rawValue)/seq \(tcp.sequenceNumber), segment \(segment.flags.rawValue)/\(segment.sequenceNumber)")
    precondition(!present(packet.udp) && !present(packet.icmpv4) && !present(packet.icmpv6) && !present(packet.quoted), "plain: UDP, ICMP or a quote beside TCP")
    precondition(packet.upperLayer == .tcp, "plain: upper layer \(packet.upperLayer?.rawValue ?? 0xff)")
    switch segment.ipVersion {
    case 6:
        guard let ip = packet.ipv6, !present(packet.ipv4) else { fatalError("plain: version 6, but decode has no IPv6 alone") }
        precondition(ip.hopLimit == segment.hopLimit && ip.header.u8(8) == segment.sourceFirstByte && ip.header.u8(24) == segment.destinationFirstByte,
                     "plain: IPv6 hop limit or first address bytes differ")
        precondition(ip.nextHeader == .tcp && packet.extensions?.upperLayerOffset == 0, "plain: IPv6 with extension headers")
    case 4:
        guard let ip = packet.ipv4, !present(packet.ipv6) else { fatalError("plain: version 4, but decode has no IPv4 alone") }
        precondition(ip.ttl == segment.hopLimit && ip.header.u8(12) == segment.sourceFirstByte && ip.header.u8(16) == segment.destinationFirstByte,
                     "plain: IPv4 TTL or first address bytes differ")
        precondition(ip.fragmentOffset == 0 && ip.proto == .tcp, "plain: IPv4 later fragment or not TCP")
    default:
        fatalError("plain: IP version \(segment.ipVersion)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let selector = Int(data[0]) << 8 | Int(data[1])
    let linkType = LinkType.supported[selector % LinkType.supported.count]
    let frame = RawSpan(_unsafeStart: UnsafeRawPointer(data + 2), byteCount: size - 2)

    let packet = PacketDecoder.decode(frame, linkType: linkType)
    touch(packet, frame)
    var inPlace = DecodedPacket()
    PacketDecoder.decode(frame, linkType: linkType, into: &inPlace)
    precondition(summary(inPlace) == summary(packet), "decode(into:) differs from decode()")

    // The plain segment's contract: of the frame as Ethernet whatever the selector (the decode
    // above when it chose Ethernet), and no segment under any other link type.
    let segment = PlainTCPSegment.recognise(frame, linkType: .ethernet)
    if linkType == .ethernet {
        checkPlainSegment(segment, packet)
    } else {
        precondition(PlainTCPSegment.recognise(frame, linkType: linkType) == nil, "plain: recognised under link type \(linkType.rawValue)")
        checkPlainSegment(segment, PacketDecoder.decode(frame, linkType: .ethernet))
    }

    // The same bytes read as a bare IP packet (LINKTYPE_RAW), the path decodeIP offers callers.
    let ip = PacketDecoder.decodeIP(frame)
    touch(ip, frame)
    use(InternetChecksum.sum(frame))
    return 0
}
