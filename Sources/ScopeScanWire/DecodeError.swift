/// The layer a decoder was reading when it stopped or noticed something.
public enum Layer: String, Sendable, CustomStringConvertible {
    case link, ethernet, vlan, pppoe, mpls, pbb, null = "null/loopback", sll = "linux-sll", sll2 = "linux-sll2", pktap
    case ppp, chdlc = "cisco-hdlc", frameRelay = "frame-relay", nflog, ipnet, ipoib, ieee80211 = "802.11", radiotap, llc
    case ipv4, ipv6, ipv6Extension = "ipv6-extension"
    case tcp, udp, icmpv4, icmpv6
    case quotedIPv4 = "quoted-ipv4", quotedIPv6 = "quoted-ipv6"

    public var description: String { rawValue }
}

/// Why a layer could not be decoded. Carries numbers, not text, so building one allocates nothing.
///
/// It is trivially copyable (the field name is a `StaticString`, not a `String`), and so is the
/// `DecodedPacket` that holds it: copying a packet is a plain memory copy, with no reference
/// counting and no outlined value-witness call on the per-packet path.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The layer needs `needed` bytes from `offset` but only `available` were captured.
        case truncated
        /// A field holds a value the layer cannot accept (version, header length…); `value` holds it.
        case badField(StaticString)
        /// The link layer carries a protocol scopescan does not decode (`value` = its number).
        case unsupportedProtocol
        /// The capture's link type is not one scopescan decodes.
        case unsupportedLinkType

        // StaticString is not Equatable: field names compare by their text.
        public static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case (.truncated, .truncated), (.unsupportedProtocol, .unsupportedProtocol), (.unsupportedLinkType, .unsupportedLinkType):
                return true
            case (.badField(let x), .badField(let y)):
                return x.description == y.description
            default:
                return false
            }
        }
    }

    public var layer: Layer
    public var kind: Kind
    /// Byte offset of the layer's start within the captured frame.
    public var offset: Int
    public var needed: Int
    public var available: Int
    public var value: UInt32

    public init(layer: Layer, kind: Kind, offset: Int, needed: Int, available: Int, value: UInt32) {
        self.layer = layer
        self.kind = kind
        self.offset = offset
        self.needed = needed
        self.available = available
        self.value = value
    }

    public static func truncated(_ layer: Layer, at offset: Int, needed: Int, available: Int) -> DecodeError {
        DecodeError(layer: layer, kind: .truncated, offset: offset, needed: needed, available: available, value: 0)
    }

    public static func badField(_ layer: Layer, _ field: StaticString, value: UInt32, at offset: Int) -> DecodeError {
        DecodeError(layer: layer, kind: .badField(field), offset: offset, needed: 0, available: 0, value: value)
    }

    public var description: String {
        switch kind {
        case .truncated:
            return "\(layer) header at offset \(offset): needs \(needed) bytes, only \(available) captured"
        case .badField(let field):
            return "\(layer) header at offset \(offset): invalid \(field) \(value)"
        case .unsupportedProtocol:
            return "\(layer) at offset \(offset): protocol 0x\(String(value, radix: 16)) not decoded"
        case .unsupportedLinkType:
            return "link type \(value) not supported"
        }
    }
}

/// Irregularities that do not stop decoding, recorded on the packet (Zeek calls them "weirds").
public struct Anomalies: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let hopByHopNotFirst = Anomalies(rawValue: 1 << 0)
    public static let duplicateRoutingHeader = Anomalies(rawValue: 1 << 1)
    public static let icmpv6LengthMismatch = Anomalies(rawValue: 1 << 2)
    public static let ipLengthBeyondCapture = Anomalies(rawValue: 1 << 3)
    public static let ipLengthShorterThanHeader = Anomalies(rawValue: 1 << 4)
    public static let tooManyExtensionHeaders = Anomalies(rawValue: 1 << 5)
    public static let laterFragment = Anomalies(rawValue: 1 << 6)
    public static let jumboPayload = Anomalies(rawValue: 1 << 7)
    public static let jumboWithoutZeroLength = Anomalies(rawValue: 1 << 8)
    public static let badTCPOptions = Anomalies(rawValue: 1 << 9)
    public static let udpLengthMismatch = Anomalies(rawValue: 1 << 10)
    public static let duplicateFragmentHeader = Anomalies(rawValue: 1 << 11)
    public static let badChecksum = Anomalies(rawValue: 1 << 12)

    /// Stable names, used in JSON output and docs.
    public static let names: [(Anomalies, String)] = [
        (.hopByHopNotFirst, "hop-by-hop-not-first"),
        (.duplicateRoutingHeader, "duplicate-routing-header"),
        (.icmpv6LengthMismatch, "icmpv6-length-mismatch"),
        (.ipLengthBeyondCapture, "ip-length-beyond-capture"),
        (.ipLengthShorterThanHeader, "ip-length-shorter-than-header"),
        (.tooManyExtensionHeaders, "too-many-extension-headers"),
        (.laterFragment, "later-fragment"),
        (.jumboPayload, "jumbo-payload"),
        (.jumboWithoutZeroLength, "jumbo-without-zero-payload-length"),
        (.badTCPOptions, "bad-tcp-options"),
        (.udpLengthMismatch, "udp-length-mismatch"),
        (.duplicateFragmentHeader, "duplicate-fragment-header"),
        (.badChecksum, "bad-checksum"),
    ]

    public var names: [String] {
        Anomalies.names.compactMap { contains($0.0) ? $0.1 : nil }
    }
}
