import ScopeScanWire
import ScopeScanSystem

/// What the kernel's FIB answers for one IPv6 destination, as `ip -6 route get` prints it:
/// "local fe80::a dev lo table local". It is not the whole story: the FIB can say `local` for a
/// packet that ip6_rcv_core then drops as IP_INHDR, so show it beside the drop reason, not instead.
public struct RouteDecision: Hashable, Sendable, CustomStringConvertible {
    /// "unicast", "local", "unreachable", "prohibit", "blackhole", … (rtm_type).
    public var type: String
    public var deviceIndex: UInt32?
    /// The output device's name, looked up in the caller's namespace.
    public var device: String?
    /// "local", "main", "default" or the table's number.
    public var table: String
    /// The preferred source address (RTA_PREFSRC).
    public var source: IPv6Address?
    public var gateway: IPv6Address?

    public init(type: String, deviceIndex: UInt32?, device: String?, table: String, source: IPv6Address?, gateway: IPv6Address?) {
        self.type = type
        self.deviceIndex = deviceIndex
        self.device = device
        self.table = table
        self.source = source
        self.gateway = gateway
    }

    public var description: String {
        var text = type
        if let gateway { text += " via \(gateway)" }
        if let device { text += " dev \(device)" } else if let deviceIndex { text += " dev if\(deviceIndex)" }
        if let source { text += " src \(source)" }
        return text + " table \(table)"
    }
}

/// The kernel refused the lookup: ENETUNREACH for a link-local destination with the wrong scope
/// (fe80::a with oif lo), EHOSTUNREACH, EACCES for a prohibit route…
public struct RouteLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    public var errno: Int32
    public var description: String { "route lookup failed: \(errnoText(errno))" }
}

/// Netlink RTM_GETROUTE for IPv6, the question `ip -6 route get DST [from SRC] [oif DEV]` asks.
public enum RouteLookup {
    /// Asks the FIB of the calling thread's network namespace. `outputInterface` is the scope id
    /// of a link-local destination (RTA_OIF).
    public static func lookup(destination: IPv6Address, source: IPv6Address? = nil, outputInterface: UInt32? = nil) throws(RouteLookupError) -> RouteDecision {
        #if os(Linux)
        let request = Netlink.getRouteRequest(destination: destination, source: source, outputInterface: outputInterface)
        let reply = try Netlink.exchange(request)
        return try Netlink.parseRouteReply(reply)
        #else
        throw RouteLookupError(errno: ENOSYS)
        #endif
    }
}

#if os(Linux)
/// The few netlink layouts RTM_GETROUTE needs (linux/netlink.h, linux/rtnetlink.h), written out:
/// all fields are host order and the layout is stable UAPI.
enum Netlink {
    static let headerLength = 16, routeMessageLength = 12
    static let RTM_NEWROUTE: UInt16 = 24, RTM_GETROUTE: UInt16 = 26, NLMSG_ERROR: UInt16 = 2
    static let NLM_F_REQUEST: UInt16 = 1, NETLINK_ROUTE: Int32 = 0
    static let RTA_DST: UInt16 = 1, RTA_SRC: UInt16 = 2, RTA_OIF: UInt16 = 4, RTA_GATEWAY: UInt16 = 5, RTA_PREFSRC: UInt16 = 7, RTA_TABLE: UInt16 = 15
    static let routeTypes = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"]

    static func getRouteRequest(destination: IPv6Address, source: IPv6Address?, outputInterface: UInt32?) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: headerLength + routeMessageLength)
        message[headerLength] = UInt8(AF_INET6)
        message[headerLength + 1] = 128 // rtm_dst_len
        if source != nil { message[headerLength + 2] = 128 }
        appendAttribute(RTA_DST, bytes(of: destination), to: &message)
        if let source { appendAttribute(RTA_SRC, bytes(of: source), to: &message) }
        if let outputInterface {
            var payload = [UInt8](repeating: 0, count: 4)
            store(outputInterface, at: 0, in: &payload)
            appendAttribute(RTA_OIF, payload, to: &message)
        }
        store(UInt32(message.count), at: 0, in: &message)
        store(RTM_GETROUTE, at: 4, in: &message)
        store(NLM_F_REQUEST, at: 6, in: &message)
        store(UInt32(1), at: 8, in: &message) // sequence number
        return message
    }

    static func exchange(_ request: [UInt8]) throws(RouteLookupError) -> [UInt8] {
        let socketDescriptor = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard socketDescriptor >= 0 else { throw RouteLookupError(errno: errno) }
        defer { close(socketDescriptor) }
        let sent = System.sendMessage(socketDescriptor, request)
        guard sent == request.count else { throw RouteLookupError(errno: sent < 0 ? errno : EIO) }
        guard let reply = System.receiveMessage(socketDescriptor, capacity: 16_384) else { throw RouteLookupError(errno: errno) }
        guard reply.count >= headerLength else { throw RouteLookupError(errno: EIO) }
        return reply
    }

    static func parseRouteReply(_ reply: [UInt8]) throws(RouteLookupError) -> RouteDecision {
        let length = min(Int(load(UInt32.self, at: 0, in: reply)), reply.count)
        let type = load(UInt16.self, at: 4, in: reply)
        if type == NLMSG_ERROR {
            let error = length >= headerLength + 4 ? load(Int32.self, at: headerLength, in: reply) : -EIO
            throw RouteLookupError(errno: error == 0 ? EIO : -error)
        }
        guard type == RTM_NEWROUTE, length >= headerLength + routeMessageLength else { throw RouteLookupError(errno: EPROTO) }
        let routeType = Int(reply[headerLength + 7])
        var decision = RouteDecision(type: routeType < routeTypes.count ? routeTypes[routeType] : "type\(routeType)", deviceIndex: nil, device: nil,
                                     table: tableName(UInt32(reply[headerLength + 4])), source: nil, gateway: nil)
        var offset = headerLength + routeMessageLength
        while offset + 4 <= length {
            let attributeLength = Int(load(UInt16.self, at: offset, in: reply))
            guard attributeLength >= 4, offset + attributeLength <= length else { break }
            let payload = Array(reply[offset + 4..<offset + attributeLength])
            switch load(UInt16.self, at: offset + 2, in: reply) {
            case RTA_OIF where payload.count == 4:
                let index = load(UInt32.self, at: 0, in: payload)
                decision.deviceIndex = index
                decision.device = interfaceName(index)
            case RTA_TABLE where payload.count == 4: decision.table = tableName(load(UInt32.self, at: 0, in: payload))
            case RTA_PREFSRC where payload.count == 16: decision.source = address(payload)
            case RTA_GATEWAY where payload.count == 16: decision.gateway = address(payload)
            default: break
            }
            offset += (attributeLength + 3) & ~3
        }
        return decision
    }

    static func tableName(_ table: UInt32) -> String {
        switch table {
        case 255: return "local"
        case 254: return "main"
        case 253: return "default"
        default: return String(table)
        }
    }

    private static func appendAttribute(_ type: UInt16, _ payload: [UInt8], to message: inout [UInt8]) {
        var header = [UInt8](repeating: 0, count: 4)
        store(UInt16(4 + payload.count), at: 0, in: &header)
        store(type, at: 2, in: &header)
        message += header + payload
        while message.count % 4 != 0 { message.append(0) }
    }

    private static func bytes(of address: IPv6Address) -> [UInt8] {
        (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? address.high : address.low) >> UInt64(56 - 8 * (i % 8))) }
    }

    private static func address(_ bytes: [UInt8]) -> IPv6Address {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        return IPv6Address(high: high, low: low)
    }

    /// Netlink fields are in host order: written little-end first, then swapped where the host is big-endian.
    private static func store<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        let little = value.littleEndian
        for i in 0..<MemoryLayout<T>.size { bytes[offset + i] = UInt8(truncatingIfNeeded: little >> (8 * i)) }
    }

    private static func load<T: FixedWidthInteger>(_: T.Type, at offset: Int, in bytes: [UInt8]) -> T {
        var little: T = 0
        for i in 0..<MemoryLayout<T>.size { little |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        return T(littleEndian: little)
    }

    private static func interfaceName(_ index: UInt32) -> String? { System.interfaceName(index: index) }
}
#endif
