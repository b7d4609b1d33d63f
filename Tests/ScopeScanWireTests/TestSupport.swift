import Testing
@testable import ScopeScanWire

/// Runs `body` over a private copy of `bytes` that is exactly `bytes.count` long and starts at an
/// odd address: a view that reads one byte past its input, or that relies on aligned loads, trips
/// the span's bounds checks (and AddressSanitizer) instead of silently reading a neighbour's bytes.
func withBytes<T, E: Error>(_ bytes: [UInt8], _ body: (RawSpan) throws(E) -> T) throws(E) -> T {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 8)
    defer { storage.deallocate() }
    let slot = UnsafeMutableRawBufferPointer(rebasing: storage[1...])
    for (index, byte) in bytes.enumerated() { slot[index] = byte }
    return try body(RawSpan(_unsafeBytes: UnsafeRawBufferPointer(slot)))
}

/// The `DecodeError` thrown by `body`, or nil when it returned normally.
func decodeError(_ body: () throws(DecodeError) -> Void) -> DecodeError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// The error a view initialiser throws on the first `length` bytes of `bytes`.
func decodeError(prefix length: Int, of bytes: [UInt8], _ make: (RawSpan) throws(DecodeError) -> Void) -> DecodeError? {
    withBytes(Array(bytes.prefix(length))) { raw in decodeError { () throws(DecodeError) in try make(raw) } }
}

/// Decodes `frame` with `PacketDecoder` and hands the result to `body` while the bytes are alive.
func withDecoded<T>(_ frame: [UInt8], linkType: LinkType, _ body: (DecodedPacket) throws -> T) rethrows -> T {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count + 1, alignment: 8)
    defer { storage.deallocate() }
    let slot = UnsafeMutableRawBufferPointer(rebasing: storage[1...])
    for (index, byte) in frame.enumerated() { slot[index] = byte }
    return try body(PacketDecoder.decode(RawSpan(_unsafeBytes: UnsafeRawBufferPointer(slot)), linkType: linkType))
}

func v6(_ text: String) -> IPv6Address {
    guard let address = IPv6Address(text) else { preconditionFailure("bad IPv6 literal \(text) in a test") }
    return address
}

func v4(_ text: String) -> IPv4Address {
    guard let address = IPv4Address(text) else { preconditionFailure("bad IPv4 literal \(text) in a test") }
    return address
}

/// Frames captured by the fixture scripts (Fixtures/make-fixtures.sh, Linux network namespaces),
/// copied byte for byte from `tcpdump -xx`.
enum RealFrames {
    /// linux-tcp-refused.pcap #1: Ethernet + IPv6 + TCP SYN with options, 94 bytes.
    /// 2001:db8:1::1.44776 > 2001:db8:1::2.8081: Flags [S], seq 411504856, win 64800,
    /// options [mss 1440,sackOK,TS val 1101427904 ecr 0,nop,wscale 10]
    static let ethernetIPv6TCPSyn: [UInt8] = [
        // Ethernet: dst 02:00:00:00:01:02, src 02:00:00:00:01:01, type 0x86dd
        0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x86, 0xdd,
        // IPv6: version 6, tc 0, flow 0x14ba4, payload length 40, next header 6 (TCP), hop limit 64
        0x60, 0x01, 0x4b, 0xa4, 0x00, 0x28, 0x06, 0x40,
        // source 2001:db8:1::1
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        // destination 2001:db8:1::2
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        // TCP: ports 44776 > 8081, seq 0x188710d8, ack 0, data offset 10, SYN, window 64800,
        // checksum 0x5ba5 (offloaded), urgent 0
        0xae, 0xe8, 0x1f, 0x91, 0x18, 0x87, 0x10, 0xd8, 0x00, 0x00, 0x00, 0x00,
        0xa0, 0x02, 0xfd, 0x20, 0x5b, 0xa5, 0x00, 0x00,
        // options: MSS 1440, SACK permitted, timestamps 0x41a674c0/0, NOP, window scale 10
        0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x41, 0xa6, 0x74, 0xc0,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
    ]

    /// linux-tcp-refused.pcap #2: the RST/ACK answering the SYN above (Ethernet + IPv6 + TCP, 74 bytes).
    static let ethernetIPv6TCPRstAck: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x86, 0xdd,
        // IPv6: flow 0x53d98, payload length 20, TCP, hop limit 64, 2001:db8:1::2 > 2001:db8:1::1
        0x60, 0x05, 0x3d, 0x98, 0x00, 0x14, 0x06, 0x40,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        // TCP: 8081 > 44776, seq 0, ack 0x188710d9, data offset 5, RST|ACK, window 0, checksum 0x5b91
        0x1f, 0x91, 0xae, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x18, 0x87, 0x10, 0xd9,
        0x50, 0x14, 0x00, 0x00, 0x5b, 0x91, 0x00, 0x00,
    ]

    /// linux-udp-port-unreachable-lo.pcap #3: Linux `lo` (all-zero MACs) + IPv4 + UDP, 55 bytes.
    /// 127.0.0.1.50922 > 127.0.0.1.9: UDP, length 13 ("anyone on 9?\n")
    static let loopbackIPv4UDP: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
        // IPv4: IHL 5, tos 0, total length 41, id 29160, DF, ttl 64, proto 17, checksum 0xcad9
        0x45, 0x00, 0x00, 0x29, 0x71, 0xe8, 0x40, 0x00, 0x40, 0x11, 0xca, 0xd9,
        0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
        // UDP: 50922 > 9, length 21, checksum 0xfe28
        0xc6, 0xea, 0x00, 0x09, 0x00, 0x15, 0xfe, 0x28,
        // "anyone on 9?\n"
        0x61, 0x6e, 0x79, 0x6f, 0x6e, 0x65, 0x20, 0x6f, 0x6e, 0x20, 0x39, 0x3f, 0x0a,
    ]
}

/// `#require` for an optional view: the macro's helpers take escapable values only.
struct MissingValue: Error {}

@_lifetime(copy value)
func required<T: ~Escapable>(_ value: T?, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    guard let value else {
        Issue.record("expected a value, found nil", sourceLocation: sourceLocation)
        throw MissingValue()
    }
    return value
}

/// Whether an optional view is present, as a plain `Bool` for `#expect`.
func present<T: ~Escapable>(_ value: T?) -> Bool {
    switch value {
    case .some: return true
    case .none: return false
    }
}

/// The plain fields of a `LinkLayer`, which (borrowing the frame) cannot leave `withBytes`.
struct LinkFacts {
    var linkType: LinkType
    var networkProtocol: EtherType
    var headerLength: Int
    var outerVLAN: UInt16
    var innerVLAN: UInt16
    var hasZeroMACs: Bool
    var arphrd: UInt16
    var arphrdLoopback: Bool
    var interfaceIndex: UInt32
    var byteSwappedFamily: Bool
    var nullFamily: UInt32
    var pktapInterfaceName: String?
    var pktapProcessName: String?
    var nflog: NFLOGFacts?

    /// The plain fields of `NFLOGFields`, the prefix as text.
    struct NFLOGFacts {
        var family: UInt8
        var resourceID: UInt16
        var hook: UInt8?
        var prefixText: String?
        var inputInterface: UInt32?
        var outputInterface: UInt32?
        var payloadLength: Int
    }

    init(_ link: borrowing LinkLayer) {
        linkType = link.linkType
        networkProtocol = link.networkProtocol
        headerLength = link.headerLength
        outerVLAN = link.outerVLAN
        innerVLAN = link.innerVLAN
        hasZeroMACs = link.hasZeroMACs
        arphrd = link.arphrd
        arphrdLoopback = link.arphrdLoopback
        interfaceIndex = link.interfaceIndex
        byteSwappedFamily = link.byteSwappedFamily
        nullFamily = link.nullFamily
        pktapInterfaceName = link.pktap?.interfaceName
        pktapProcessName = link.pktap?.processName
        if let fields = link.nflog {
            nflog = NFLOGFacts(family: fields.family, resourceID: fields.resourceID, hook: fields.hook, prefixText: fields.prefixText,
                               inputInterface: fields.inputInterface, outputInterface: fields.outputInterface, payloadLength: fields.payloadLength)
        }
    }
}
