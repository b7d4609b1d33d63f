// TCP header (RFC 9293 section 3.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Source Port          |       Destination Port        |   0
// |                        Sequence Number                        |   4
// |                    Acknowledgment Number                      |   8
// |  Data |       |C|E|U|A|P|R|S|F|                               |
// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |  12
// |           Checksum            |         Urgent Pointer        |  16
// |                           [Options]                           |  20
public struct TCPFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ae = TCPFlags(rawValue: 0x100)

    /// tcpdump's notation: "S", "S.", "R.", "P.", "F.".
    public var description: String {
        var text = ""
        if contains(.syn) { text += "S" }
        if contains(.fin) { text += "F" }
        if contains(.rst) { text += "R" }
        if contains(.psh) { text += "P" }
        if contains(.urg) { text += "U" }
        if contains(.ece) { text += "E" }
        if contains(.cwr) { text += "W" }
        if contains(.ack) { text += "." }
        return text.isEmpty ? "none" : text
    }
}

public struct TCPHeaderView: ~Escapable {
    public static let minimumHeaderLength = 20

    public let header: RawSpan
    public let payload: RawSpan
    /// Bytes 0–7 (ports, sequence number) and 8–15 (acknowledgment number, data offset, flags,
    /// window), big-endian, read once here where the length check makes them free of further
    /// checks; the getters below cut the fields out by shifts, so they inline in any caller
    /// without a length check of their own.
    @usableFromInline let firstWord: UInt64
    @usableFromInline let secondWord: UInt64

    @inline(__always) // decoded once per packet: a call costs as much as the checks
    @_lifetime(copy bytes)
    public init(checking bytes: RawSpan, offset: Int = 0) throws(DecodeError) {
        guard bytes.count >= Self.minimumHeaderLength else {
            throw .truncated(.tcp, at: offset, needed: Self.minimumHeaderLength, available: bytes.count)
        }
        let headerLength = Int(bytes.u8(12) >> 4) * 4
        guard headerLength >= Self.minimumHeaderLength else {
            throw .badField(.tcp, "data offset", value: UInt32(headerLength / 4), at: offset + 12)
        }
        guard bytes.count >= headerLength else {
            throw .truncated(.tcp, at: offset, needed: headerLength, available: bytes.count)
        }
        header = bytes.head(headerLength)
        payload = bytes.tail(from: headerLength)
        firstWord = bytes.be64(0)
        secondWord = bytes.be64(8)
    }

    @inlinable public var sourcePort: UInt16 { UInt16(truncatingIfNeeded: firstWord >> 48) }
    @inlinable public var destinationPort: UInt16 { UInt16(truncatingIfNeeded: firstWord >> 32) }
    @inlinable public var sequenceNumber: UInt32 { UInt32(truncatingIfNeeded: firstWord) }
    @inlinable public var acknowledgmentNumber: UInt32 { UInt32(truncatingIfNeeded: secondWord >> 32) }
    @inlinable public var headerLength: Int { header.count }
    @inlinable public var flags: TCPFlags { TCPFlags(rawValue: UInt16(truncatingIfNeeded: secondWord >> 16) & 0x01ff) }
    @inlinable public var window: UInt16 { UInt16(truncatingIfNeeded: secondWord) }
    @inlinable public var checksum: UInt16 { header.be16(16) }
    @inlinable public var urgentPointer: UInt16 { header.be16(18) }
    public var optionBytes: RawSpan {
        @inline(__always) @_lifetime(copy self) get { header.tail(from: 20) }
    }
    public var options: TCPOptions {
        @inline(__always) @_lifetime(copy self) get { TCPOptions(bytes: optionBytes) }
    }
}

/// One TCP option (RFC 9293 3.2, RFC 7323, RFC 2018).
public enum TCPOption: Sendable, Equatable {
    case maximumSegmentSize(UInt16)
    case windowScale(UInt8)
    case sackPermitted
    /// Number of SACK blocks and the first block's edges.
    case sack(blocks: Int, firstLeft: UInt32, firstRight: UInt32)
    case timestamps(value: UInt32, echo: UInt32)
    case noOperation
    case other(kind: UInt8, length: Int)
}

/// Walks the options without allocating. Stops at End-of-Option-List or at a malformed length
/// (then `isMalformed` is set on the iterator). A borrowed view is not a `Sequence` (whose
/// iterators may escape): walk it with `makeIterator()` and `next()`, or take `list`.
public struct TCPOptions: ~Escapable {
    public let bytes: RawSpan

    @_lifetime(copy bytes)
    public init(bytes: RawSpan) { self.bytes = bytes }

    public struct Iterator: ~Escapable {
        let bytes: RawSpan
        var offset: Int
        public private(set) var isMalformed: Bool

        @_lifetime(copy bytes)
        init(bytes: RawSpan) {
            self.bytes = bytes
            offset = 0
            isMalformed = false
        }

        @_lifetime(self: copy self)
        public mutating func next() -> TCPOption? {
            guard offset < bytes.count else { return nil }
            let kind = bytes.u8(offset)
            switch kind {
            case 0: offset = bytes.count; return nil
            case 1: offset += 1; return .noOperation
            default:
                guard offset + 1 < bytes.count else { isMalformed = true; offset = bytes.count; return nil }
                let length = Int(bytes.u8(offset + 1))
                guard length >= 2, offset + length <= bytes.count else { isMalformed = true; offset = bytes.count; return nil }
                let start = offset
                offset += length
                switch (kind, length) {
                case (2, 4): return .maximumSegmentSize(bytes.be16(start + 2))
                case (3, 3): return .windowScale(bytes.u8(start + 2))
                case (4, 2): return .sackPermitted
                case (5, _) where length >= 10 && (length - 2) % 8 == 0:
                    return .sack(blocks: (length - 2) / 8, firstLeft: bytes.be32(start + 2), firstRight: bytes.be32(start + 6))
                case (8, 10): return .timestamps(value: bytes.be32(start + 2), echo: bytes.be32(start + 6))
                default: return .other(kind: kind, length: length)
                }
            }
        }
    }

    @_lifetime(copy self)
    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    /// The options in order (an array: for output, not the per-packet path).
    public var list: [TCPOption] {
        var options: [TCPOption] = []
        var iterator = makeIterator()
        while let option = iterator.next() { options.append(option) }
        return options
    }

    /// Whether every option is well formed: the iterator's `isMalformed` test (a length byte present,
    /// at least 2 and inside the header; End of Option List ends the walk) without building an
    /// option per step, since the decoder asks this of every TCP segment.
    ///
    /// The two layouts nearly every segment carries are recognised whole first, with the verdict
    /// the walk gives them: NOP, NOP, Timestamps (12 bytes: Linux and the BSDs on every segment
    /// after the handshake) and MSS, SACK-permitted, Timestamps, NOP, Window scale (20 bytes:
    /// Linux's SYN and SYN-ACK). Each option there has its standard length and together they fill
    /// the option bytes exactly, so the walk would end at the last byte and say well formed.
    @inline(__always)
    public var isWellFormed: Bool {
        switch bytes.count {
        case 0: return true
        case 12 where bytes.be32(0) == 0x0101_080a: return true
        case 20 where bytes.be16(0) == 0x0204 && bytes.be32(4) == 0x0402_080a && bytes.be32(16) >> 8 == 0x01_0303: return true
        default: return isWellFormedByWalking
        }
    }

    /// The walk behind `isWellFormed`, for any layout.
    var isWellFormedByWalking: Bool {
        var offset = 0
        while offset < bytes.count {
            switch bytes.u8(offset) {
            case 0: return true
            case 1: offset += 1
            default:
                guard offset + 1 < bytes.count else { return false }
                let length = Int(bytes.u8(offset + 1))
                guard length >= 2, offset + length <= bytes.count else { return false }
                offset += length
            }
        }
        return true
    }
}
