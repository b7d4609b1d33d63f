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
        var order: [String] = []
        var entries: [String: Entry] = [:]
        for current in SystemCalls.interfaceAddresses() {
            let name = current.name
            if entries[name] == nil {
                order.append(name)
                let flags = current.flags
                entries[name] = Entry(
                    interface: CaptureInterface(index: order.count - 1, name: name, linkType: .ethernet, systemIndex: SystemCalls.interfaceIndex(named: name)),
                    isUp: flags & UInt32(IFF_UP) != 0, isLoopback: flags & UInt32(IFF_LOOPBACK) != 0)
            }
            if let address = current.address { entries[name]?.interface.addresses.append(address) }
        }
        return order.compactMap { entries[$0] }
    }
}
