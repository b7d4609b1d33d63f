import ScopeScanWire

import ScopeScanSystem

/// A `local` route (RTF_LOCAL) covering more than one address: Linux AnyIP.
public struct ProbeLocalRoute: Sendable, Equatable {
    public var prefix: IPv6Address
    public var length: Int
    public var device: String

    public init(prefix: IPv6Address, length: Int, device: String) {
        self.prefix = prefix
        self.length = length
        self.device = device
    }
}

/// The routes the probe takes AnyIP addresses from. The parser is a pure function over the text of
/// the route table, so it is tested on any system; only reading the table is Linux's.
public enum ProbeRouteTable {
    static let rtfLocal: UInt32 = 0x8000_0000

    /// From the text of Linux's /proc/net/ipv6_route (every table, the `local` one included): the
    /// routes of `ip -6 route add local 2001:db8:123::/64 dev lo`, RTF_LOCAL and shorter than /128
    /// (an address's own local route is a /128), each once, in table order.
    public static func anyIPRoutes(linuxIPv6RouteText text: String) -> [ProbeLocalRoute] {
        var routes: [ProbeLocalRoute] = []
        for line in text.split(separator: "\n") {
            // destination, its length, source, its length, next hop, metric, refcount, use, flags, device
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10, fields[0].count == 32,
                  let high = UInt64(fields[0].prefix(16), radix: 16), let low = UInt64(fields[0].suffix(16), radix: 16),
                  let length = Int(fields[1], radix: 16), let flags = UInt32(fields[8], radix: 16) else { continue }
            let prefix = IPv6Address(high: high, low: low)
            guard flags & rtfLocal != 0, length > 0, length < 128, !prefix.isMulticast else { continue }
            let route = ProbeLocalRoute(prefix: prefix, length: length, device: String(fields[9]))
            if !routes.contains(route) { routes.append(route) }
        }
        return routes
    }

    #if os(Linux)
    /// The AnyIP routes of this host; empty when /proc/net/ipv6_route cannot be read.
    static func linuxAnyIPRoutes() -> [ProbeLocalRoute] {
        guard let text = readFile("/proc/net/ipv6_route") else { return [] }
        return anyIPRoutes(linuxIPv6RouteText: text)
    }

    static func readFile(_ path: String) -> String? {
        System.contents(ofFile: path).map { String(decoding: $0, as: UTF8.self) }
    }
    #endif
}
