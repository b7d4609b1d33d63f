// IPv6 fixed header (RFC 8200 section 3).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version| Traffic Class |           Flow Label                  |   0
// |         Payload Length        |  Next Header  |   Hop Limit   |   4
// |                         Source Address (16)                   |   8
// |                      Destination Address (16)                 |  24
public struct IPv6HeaderView: ~Escapable {
    public static let headerLength = 40

    public let header: RawSpan
    /// The bytes after the fixed header, cut to the payload length where the capture holds that much
    /// (a jumbogram's length is applied by the extension-header walk).
    public let payload: RawSpan
    /// The addresses, and the first eight bytes (version to hop limit), read once here where the
    /// length check above makes the reads free of further checks: the analyser asks for both
    /// addresses of every packet, and a getter reading `header` would check its length again in
    /// every caller (and is too big to inline there: it was a call per address).
    public let source: IPv6Address
    public let destination: IPv6Address
    @usableFromInline let firstWord: UInt64
    // Last: a Bool between the words would leave padding that every copy of the view moves too.
    public let isTruncatedByCapture: Bool

    @inline(__always) // decoded once per packet: a call costs as much as the checks
    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, layer: Layer = .ipv6, offset: Int = 0) throws(DecodeError) {
        guard bytes.count >= Self.headerLength else {
            throw .truncated(layer, at: offset, needed: Self.headerLength, available: bytes.count)
        }
        // The version is the first word's top four bits. (The optimiser still reads the eight
        // bytes one by one: it narrows the version test to byte 0 and moves the other loads below
        // its branch, where they are no longer combined into one load.)
        firstWord = bytes.be64(0)
        let version = UInt8(truncatingIfNeeded: firstWord >> 60)
        guard version == 6 else { throw .badField(layer, "version", value: UInt32(version), at: offset) }
        header = bytes.head(Self.headerLength)
        source = IPv6Address(high: bytes.be64(8), low: bytes.be64(16))
        destination = IPv6Address(high: bytes.be64(24), low: bytes.be64(32))
        let payloadLength = Int(UInt16(truncatingIfNeeded: firstWord >> 16))
        let rest = bytes.tail(from: Self.headerLength)
        if payloadLength == 0 {
            // Jumbogram (RFC 2675) or a TSO capture: everything captured is payload for now.
            payload = rest
            isTruncatedByCapture = false
        } else {
            payload = rest.head(payloadLength)
            isTruncatedByCapture = payloadLength > rest.count
        }
    }

    // Fields of the first eight bytes, cut out of `firstWord` (bytes 0–7, big-endian) by shifts.
    @inlinable public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: firstWord >> 52) }
    @inlinable public var flowLabel: UInt32 { UInt32(truncatingIfNeeded: firstWord >> 32) & 0x000f_ffff }
    @inlinable public var payloadLength: UInt16 { UInt16(truncatingIfNeeded: firstWord >> 16) }
    @inlinable public var nextHeader: IPProtocol { IPProtocol(UInt8(truncatingIfNeeded: firstWord >> 8)) }
    @inlinable public var hopLimit: UInt8 { UInt8(truncatingIfNeeded: firstWord) }
}
