import ScopeScanWire

import ScopeScanSystem

/// The host's interfaces and addresses (getifaddrs), so findings can say which interface owns a
/// link-local address and with which scope id.
public enum HostInterfaces {
    public struct Entry: Sendable {
        public var interface: CaptureInterface
        public var isUp: Bool
        public var isLoopback: Bool

        public init(interface: CaptureInterface, isUp: Bool, isLoopback: Bool) {
            self.interface = interface
            self.isUp = isUp
            self.isLoopback = isLoopback
        }
    }

    public static func list() -> [Entry] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var order: [String] = []
        var entries: [String: Entry] = [:]
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let current = cursor {
            defer { cursor = current.pointee.ifa_next }
            let name = String(cString: current.pointee.ifa_name)
            if entries[name] == nil {
                order.append(name)
                let flags = current.pointee.ifa_flags
                entries[name] = Entry(
                    interface: CaptureInterface(index: order.count - 1, name: name, linkType: .ethernet, systemIndex: if_nametoindex(name)),
                    isUp: flags & UInt32(IFF_UP) != 0, isLoopback: flags & UInt32(IFF_LOOPBACK) != 0)
            }
            guard let address = current.pointee.ifa_addr else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET6:
                let v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                let prefix = current.pointee.ifa_netmask.map { mask in
                    mask.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { m in
                        withUnsafeBytes(of: m.pointee.sin6_addr) { $0.reduce(0) { $0 + $1.nonzeroBitCount } }
                    }
                } ?? 128
                let parsed = withUnsafeBytes(of: v6) { IPv6Address(high: $0.be64(0), low: $0.be64(8)) }
                entries[name]?.interface.addresses.append(InterfaceAddress(address: .v6(parsed), prefixLength: prefix))
            case AF_INET:
                let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                let prefix = current.pointee.ifa_netmask.map { mask in
                    mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr).nonzeroBitCount }
                } ?? 32
                entries[name]?.interface.addresses.append(InterfaceAddress(address: .v4(IPv4Address(UInt32(bigEndian: v4))), prefixLength: prefix))
            default:
                break
            }
        }
        return order.compactMap { entries[$0] }
    }
}
