/// An IPv4 address held as its 32-bit value (network order already applied).
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt32

    @inlinable public init(_ value: UInt32) { self.value = value }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("192.0.2.1").
    public init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            // Digits only: UInt8(_:) alone would also take a sign ("+1", "-0").
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let octet = UInt8(part) else { return nil }
            result = result << 8 | UInt32(octet)
        }
        value = result
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public var description: String {
        withUTF8Text { String(utf8Text: $0) }
    }

    /// Dotted-quad text as UTF-8 bytes.
    public func appendUTF8(to out: inout [UInt8]) {
        withUTF8Text { out.append(span: $0) }
    }

    /// The text in a buffer on the stack (see `IPv6Address.withUTF8Text`).
    public func withUTF8Text<R>(_ body: (Span<UInt8>) throws -> R) rethrows -> R {
        var storage = InlineArray<16, UInt8>(repeating: 0) // 16 ≥ 15 bytes
        let count = writeText(to: &storage, at: 0)
        return try body(storage.span.extracting(0..<count))
    }

    /// Writes the dotted quad (at most 15 bytes) into `out` from `start`; returns how many bytes.
    func writeText<let N: Int>(to out: inout InlineArray<N, UInt8>, at start: Int) -> Int {
        var count = start
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = Int(value >> UInt32(shift) & 0xff)
            if octet >= 100 { out[count] = UInt8(ascii: "0") + UInt8(octet / 100); count += 1 }
            if octet >= 10 { out[count] = UInt8(ascii: "0") + UInt8(octet / 10 % 10); count += 1 }
            out[count] = UInt8(ascii: "0") + UInt8(octet % 10)
            count += 1
            if shift > 0 { out[count] = UInt8(ascii: "."); count += 1 }
        }
        return count - start
    }

    public var kind: AddressKind {
        switch value {
        case 0x7f00_0000...0x7fff_ffff: return .loopback
        case 0x0000_0000...0x00ff_ffff: return value == 0 ? .unspecified : .reserved
        case 0xa9fe_0000...0xa9fe_ffff: return .linkLocal
        case 0x0a00_0000...0x0aff_ffff, 0xac10_0000...0xac1f_ffff, 0xc0a8_0000...0xc0a8_ffff: return .privateUse
        case 0xc000_0200...0xc000_02ff, 0xc633_6400...0xc633_64ff, 0xcb00_7100...0xcb00_71ff: return .documentation
        case 0xe000_0000...0xefff_ffff: return .multicast(value & 0xffff_ff00 == 0xe000_0000 ? .linkLocal : .global)
        case 0xffff_ffff: return .broadcast
        case 0xf000_0000...0xffff_fffe: return .reserved
        default: return .global
        }
    }
}

/// An IPv6 address as two big-endian 64-bit halves: cheap to copy, hash and compare.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Bits 0–63 (the routing prefix and subnet id for unicast).
    public var high: UInt64
    /// Bits 64–127 (the interface id for unicast).
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(groups g: [UInt16]) {
        precondition(g.count == 8)
        high = UInt64(g[0]) << 48 | UInt64(g[1]) << 32 | UInt64(g[2]) << 16 | UInt64(g[3])
        low = UInt64(g[4]) << 48 | UInt64(g[5]) << 32 | UInt64(g[6]) << 16 | UInt64(g[7])
    }

    public static let unspecified = IPv6Address(high: 0, low: 0)
    public static let loopback = IPv6Address(high: 0, low: 1)

    public static func < (a: IPv6Address, b: IPv6Address) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        (0..<8).map { i in
            let half = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: half >> UInt64(48 - 16 * (i % 4)))
        }
    }

    public var isLinkLocalUnicast: Bool { high >> 54 == 0b11_1111_1010 }
    public var isMulticast: Bool { high >> 56 == 0xff }
    public var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xffff }
    public var isLoopback: Bool { self == .loopback }

    /// RFC 4291 2.5.6: in a link-local address bits 10–63 are zero. KAME stacks store the interface
    /// index in bits 16–31 inside the kernel ("fe80:3::1"); non-zero bits here mean it leaked.
    public var hasNonZeroLinkLocalPadding: Bool {
        isLinkLocalUnicast && high & 0x003f_ffff_ffff_ffff != 0
    }

    /// A KAME embedded zone: the address is written fe80:N::/64 the way KAME writes it (first
    /// group exactly fe80, bits 32–63 zero) with a non-zero index N in bits 16–31. Other non-zero
    /// padding bits (fe81::, fe80:0:abcd::, fe80:0:0:1::) are no interface index.
    public var hasKAMEEmbeddedScope: Bool {
        high >> 48 == 0xfe80 && (high >> 32) & 0xffff != 0 && high & 0xffff_ffff == 0
    }

    /// The interface index a KAME stack embeds in the second group of a link-local address.
    public var embeddedScopeID: UInt16 { UInt16(truncatingIfNeeded: high >> 32) }

    /// The same address with the KAME-embedded zone cleared, as it should have been on the wire.
    public var withoutEmbeddedScope: IPv6Address {
        IPv6Address(high: high & 0xffc0_0000_0000_0000, low: low)
    }

    public var mappedIPv4: IPv4Address? {
        isIPv4Mapped ? IPv4Address(UInt32(truncatingIfNeeded: low)) : nil
    }

    /// Whether the address needs a zone (scope id) to be unambiguous (RFC 4007 section 6).
    public var isScoped: Bool {
        if isLinkLocalUnicast { return true }
        if isMulticast {
            let scope = UInt8(truncatingIfNeeded: high >> 48) & 0x0f
            return scope == 1 || scope == 2
        }
        return false
    }

    public var kind: AddressKind {
        if self == .unspecified { return .unspecified }
        if self == .loopback { return .loopback }
        if isIPv4Mapped { return .ipv4Mapped }
        if isMulticast { return .multicast(MulticastScope(rawValue: UInt8(truncatingIfNeeded: high >> 48) & 0x0f)) }
        if isLinkLocalUnicast { return .linkLocal }
        if high >> 54 == 0b11_1111_1011 { return .siteLocal }
        if high >> 57 == 0b111_1110 { return .uniqueLocal }
        if high >> 32 == 0x2001_0db8 || high >> 44 == 0x3fff0 { return .documentation }
        if high >> 61 == 0b001 { return .global }
        return .reserved
    }

    /// RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups
    /// (the first one on a tie) shortened to "::", and IPv4-mapped addresses with a dotted tail.
    public var description: String {
        withUTF8Text { String(utf8Text: $0) }
    }

    public func appendText(to out: inout String) {
        out += description
    }

    /// The same text as UTF-8 bytes.
    public func appendUTF8(to out: inout [UInt8]) {
        withUTF8Text { out.append(span: $0) }
    }

    /// The text in a buffer on the stack, for callers that copy it on: built a byte at a time, with
    /// no allocation, since `scopescan decode` writes two or four addresses per packet.
    public func withUTF8Text<R>(_ body: (Span<UInt8>) throws -> R) rethrows -> R {
        var out = InlineArray<48, UInt8>(repeating: 0) // 48 ≥ 45 bytes
        var count = 0
        do {
            @inline(__always) func put(_ byte: UInt8) { out[count] = byte; count += 1 }
            // The longest run of two or more zero groups (the first on a tie).
            var bestStart = -1, bestLength = 0, runStart = -1
            for i in 0...8 {
                if i < 8 && group(i) == 0 {
                    if runStart < 0 { runStart = i }
                } else if runStart >= 0 {
                    if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                    runStart = -1
                }
            }
            if bestLength < 2 { bestStart = -1 }
            let dottedTail = isIPv4Mapped
            let lastGroup = dottedTail ? 6 : 8
            let colon = UInt8(ascii: ":")
            var i = 0
            while i < lastGroup {
                if i == bestStart {
                    put(colon)
                    put(colon)
                    i += bestLength
                    continue
                }
                if i > 0 && out[count - 1] != colon { put(colon) }
                // Lower-case hex without leading zeros.
                let value = group(i)
                var shift: UInt16 = 12
                while shift > 0 && value >> shift == 0 { shift -= 4 }
                while true {
                    let digit = UInt8(truncatingIfNeeded: value >> shift & 0xf)
                    put(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit)
                    if shift == 0 { break }
                    shift -= 4
                }
                i += 1
            }
            if dottedTail {
                if out[count - 1] != colon { put(colon) }
                count += IPv4Address(UInt32(truncatingIfNeeded: low)).writeText(to: &out, at: count)
            }
        }
        return try body(out.span.extracting(0..<count))
    }

    /// Group `i` (0–7), most significant first.
    @inline(__always)
    private func group(_ i: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i % 4)))
    }


    /// Parses RFC 4291 text forms, including "::" and a dotted IPv4 tail. A "%zone" suffix is not accepted here.
    public init?(_ text: Substring) {
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawDoubleColon = false
        var halves: [Substring] = []
        var start = text.startIndex, index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":", next < text.endIndex, text[next] == ":" {
                halves.append(text[start..<index])
                index = text.index(after: next)
                start = index
                continue
            }
            index = next
        }
        halves.append(text[start...])
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ s: Substring, allowDotted: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var result: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if allowDotted && index == parts.count - 1 && part.contains(".") {
                    guard let v4 = IPv4Address(part) else { return nil }
                    result.append(UInt16(v4.value >> 16))
                    result.append(UInt16(v4.value & 0xffff))
                } else {
                    // Hex digits only: UInt16(_:radix:) alone would also take a sign ("+1").
                    guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        if halves.count == 2 {
            sawDoubleColon = true
            guard let h = parseGroups(halves[0], allowDotted: false), let t = parseGroups(halves[1], allowDotted: true) else { return nil }
            head = h
            tail = t
        } else {
            guard let h = parseGroups(halves[0], allowDotted: true) else { return nil }
            head = h
        }
        let total = head.count + tail.count
        if sawDoubleColon {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let groups = head + Array(repeating: 0, count: 8 - total) + tail
        self.init(groups: groups)
    }

    public init?(_ text: String) { self.init(Substring(text)) }
}

/// IPv6 multicast scope (RFC 7346 section 2).
public struct MulticastScope: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let interfaceLocal = MulticastScope(rawValue: 1)
    public static let linkLocal = MulticastScope(rawValue: 2)
    public static let realmLocal = MulticastScope(rawValue: 3)
    public static let adminLocal = MulticastScope(rawValue: 4)
    public static let siteLocal = MulticastScope(rawValue: 5)
    public static let organizationLocal = MulticastScope(rawValue: 8)
    public static let global = MulticastScope(rawValue: 0xe)

    public var description: String {
        switch rawValue {
        case 1: return "interface-local"
        case 2: return "link-local"
        case 3: return "realm-local"
        case 4: return "admin-local"
        case 5: return "site-local"
        case 8: return "organization-local"
        case 0xe: return "global"
        default: return "scope-\(rawValue)"
        }
    }
}

/// What kind of address this is, by its prefix.
public enum AddressKind: Hashable, Sendable, CustomStringConvertible {
    case unspecified, loopback, linkLocal, siteLocal, uniqueLocal, privateUse, ipv4Mapped
    case documentation, multicast(MulticastScope), broadcast, reserved, global

    public var description: String {
        switch self {
        case .unspecified: return "unspecified"
        case .loopback: return "loopback"
        case .linkLocal: return "link-local"
        case .siteLocal: return "site-local (deprecated)"
        case .uniqueLocal: return "unique-local"
        case .privateUse: return "private-use"
        case .ipv4Mapped: return "ipv4-mapped"
        case .documentation: return "documentation"
        case .multicast(let scope): return "multicast (\(scope))"
        case .broadcast: return "broadcast"
        case .reserved: return "reserved"
        case .global: return "global"
        }
    }
}

/// Either address family, as an owned value that outlives the packet.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }

    public var kind: AddressKind {
        switch self {
        case .v4(let a): return a.kind
        case .v6(let a): return a.kind
        }
    }

    public var isLoopback: Bool { kind == .loopback }

    /// Text with the zone appended where the address needs one and the interface is known: "fe80::1%lo0".
    public func scopedText(interface: String?) -> String {
        if case .v6(let a) = self, a.isScoped, let interface, !interface.isEmpty {
            return "\(a)%\(interface)"
        }
        return description
    }

    public init?(_ text: String) {
        if let v4 = IPv4Address(text) { self = .v4(v4) } else if let v6 = IPv6Address(text) { self = .v6(v6) } else { return nil }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let x), .v6(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}

extension String {
    /// The text of an address written by `withUTF8Text` (ASCII, so valid UTF-8).
    @inlinable
    public init(utf8Text bytes: Span<UInt8>) {
        var copy = [UInt8]()
        copy.reserveCapacity(bytes.count)
        copy.append(span: bytes)
        self.init(decoding: copy, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Appends a span's bytes.
    @inlinable
    public mutating func append(span bytes: Span<UInt8>) {
        for i in bytes.indices { append(bytes[i]) }
    }
}
