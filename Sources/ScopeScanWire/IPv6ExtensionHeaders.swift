// IPv6 extension headers (RFC 8200 section 4), walked by a bounded loop on Next Header.
//
// Generic layout (hop-by-hop, routing, destination options; RFC 6564):
//   Next Header(1) Hdr Ext Len(1, in 8-octet units not counting the first 8) ...
// Fragment: Next Header(1) Reserved(1) Offset(13 bits) Res(2) M(1) Identification(4) = 8 bytes
// AH (RFC 4302): Next Header(1) Payload Len(1, in 4-octet units minus 2) ...

/// The extension header numbers seen, in order, without allocating (at most `capacity`).
public struct ExtensionHeaderList: Sendable, Sequence, Equatable {
    public static let capacity = 8
    private var packed: UInt64 = 0
    public private(set) var count = 0

    public init() {}

    mutating func append(_ proto: IPProtocol) {
        packed |= UInt64(proto.rawValue) << UInt64(8 * count)
        count += 1
    }

    public subscript(index: Int) -> IPProtocol {
        IPProtocol(UInt8(truncatingIfNeeded: packed >> UInt64(8 * index)))
    }

    public func contains(_ proto: IPProtocol) -> Bool {
        (0..<count).contains { self[$0] == proto }
    }

    public func makeIterator() -> AnyIterator<IPProtocol> {
        var index = 0
        let copy = self
        return AnyIterator {
            guard index < copy.count else { return nil }
            defer { index += 1 }
            return copy[index]
        }
    }
}

/// The result of walking the extension headers of one IPv6 packet.
public struct IPv6ExtensionWalk: Sendable, Equatable {
    /// The upper-layer protocol after the last extension header (or the header where the walk stopped).
    public var upperLayer: IPProtocol
    /// Offset of the upper-layer header within the IPv6 payload.
    public var upperLayerOffset: Int
    public var headers = ExtensionHeaderList()
    /// The fragment header's offset in bytes, and whether more fragments follow.
    public var fragmentOffset: Int?
    public var moreFragments = false
    public var fragmentIdentification: UInt32 = 0
    /// The length from a Jumbo Payload option (RFC 2675), where one was present.
    public var jumboLength: UInt32?
    /// Offset of the (first) routing header within the payload, for the checksum's final destination.
    public var routingHeaderOffset: Int?
    public var anomalies: Anomalies = []

    /// A non-first fragment: its bytes continue an upper-layer payload and are not a header.
    public var isLaterFragment: Bool { (fragmentOffset ?? 0) > 0 }

    /// Whether the walk reads a header numbered `proto` (and goes on after it); any other number
    /// ends the walk there (an upper layer, ESP, No Next Header). The cases of `walk`'s switch.
    @inlinable
    public static func isExtensionHeader(_ proto: IPProtocol) -> Bool {
        // Raw numbers (hop-by-hop 0, routing 43, fragment 44, AH 51, destination options 60,
        // mobility 135, HIP 139, shim6 140), which compile to a range test and a bit test.
        switch proto.rawValue {
        case 0, 43, 44, 51, 60, 135, 139, 140: return true
        default: return false
        }
    }

    /// Walks `payload` (the bytes after the fixed IPv6 header) starting at `first`.
    /// `baseOffset` is the payload's offset in the frame, for error messages.
    @inline(__always) // once per IPv6 packet, and most have no extension header: the loop ends at once
    public static func walk(_ payload: RawSpan, first: IPProtocol, baseOffset: Int, layer: Layer = .ipv6Extension) throws(DecodeError) -> IPv6ExtensionWalk {
        var result = IPv6ExtensionWalk(upperLayer: first, upperLayerOffset: 0)
        var next = first
        var offset = 0
        while true {
            let length: Int
            switch next {
            case .hopByHop, .ipv6Routing, .destinationOptions, .mobility, .hip, .shim6:
                guard payload.count - offset >= 2 else {
                    throw .truncated(layer, at: baseOffset + offset, needed: 2, available: payload.count - offset)
                }
                length = (Int(payload.u8(offset + 1)) + 1) * 8
            case .ipv6Fragment:
                length = 8
            case .ah:
                guard payload.count - offset >= 2 else {
                    throw .truncated(layer, at: baseOffset + offset, needed: 2, available: payload.count - offset)
                }
                length = (Int(payload.u8(offset + 1)) + 2) * 4
            default:
                // Upper layer, ESP or No Next Header: the walk ends here.
                result.upperLayer = next
                result.upperLayerOffset = offset
                return result
            }
            guard result.headers.count < ExtensionHeaderList.capacity else {
                result.anomalies.insert(.tooManyExtensionHeaders)
                result.upperLayer = next
                result.upperLayerOffset = offset
                return result
            }
            guard payload.count - offset >= length else {
                throw .truncated(layer, at: baseOffset + offset, needed: length, available: payload.count - offset)
            }
            if next == .hopByHop && result.headers.count > 0 { result.anomalies.insert(.hopByHopNotFirst) }
            if next == .ipv6Routing && result.headers.contains(.ipv6Routing) { result.anomalies.insert(.duplicateRoutingHeader) }
            if next == .ipv6Fragment {
                if result.fragmentOffset != nil { result.anomalies.insert(.duplicateFragmentHeader) }
                let field = payload.be16(offset + 2)
                result.fragmentOffset = Int(field & 0xfff8)
                result.moreFragments = field & 1 != 0
                result.fragmentIdentification = payload.be32(offset + 4)
            }
            if next == .hopByHop {
                result.jumboLength = jumboOption(in: payload, headerAt: offset, length: length)
            }
            if next == .ipv6Routing && result.routingHeaderOffset == nil { result.routingHeaderOffset = offset }
            result.headers.append(next)
            next = IPProtocol(payload.u8(offset))
            offset += length
            if result.isLaterFragment {
                // The rest is a continuation of the fragmented payload, never a header.
                result.anomalies.insert(.laterFragment)
                result.upperLayer = next
                result.upperLayerOffset = offset
                return result
            }
        }
    }

    /// Finds a Jumbo Payload option (type 0xC2, 4-byte length) in a hop-by-hop header.
    static func jumboOption(in payload: RawSpan, headerAt start: Int, length: Int) -> UInt32? {
        var i = start + 2
        let end = start + length
        while i < end {
            let type = payload.u8(i)
            if type == 0 { i += 1; continue } // Pad1
            guard i + 1 < end else { return nil }
            let optionLength = Int(payload.u8(i + 1))
            if type == 0xc2 && optionLength == 4 && i + 6 <= end { return payload.be32(i + 2) }
            i += 2 + optionLength
        }
        return nil
    }
}
