import ScopeScanWire

/// An address recorded for an interface (pcapng if_IPv4addr/if_IPv6addr, or read from the host).
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    public init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// Where packets were seen: one pcapng Interface Description Block, the single link of a classic
/// pcap file, or a live interface. An owned value, kept for the whole run.
public struct CaptureInterface: Hashable, Sendable {
    /// Position in the reader's interface list (pcapng interface ids, numbered across sections).
    public var index: Int
    public var name: String?
    public var interfaceDescription: String?
    public var linkType: LinkType
    public var snapLength: UInt32
    public var addresses: [InterfaceAddress]
    /// The operating system's interface index (scope id), where known (live capture, SLL2).
    public var systemIndex: UInt32?
    /// Units per second of the pcapng timestamps (informational).
    public var timestampResolution: UInt64

    public init(index: Int, name: String? = nil, interfaceDescription: String? = nil, linkType: LinkType, snapLength: UInt32 = 262_144, addresses: [InterfaceAddress] = [], systemIndex: UInt32? = nil, timestampResolution: UInt64 = 1_000_000) {
        self.index = index
        self.name = name
        self.interfaceDescription = interfaceDescription
        self.linkType = linkType
        self.snapLength = snapLength
        self.addresses = addresses
        self.systemIndex = systemIndex
        self.timestampResolution = timestampResolution
    }

    /// Whether the interface is a loopback judged by its name ("lo", "lo0", "lo1"…) or link type.
    /// `nil` when neither tells (an unnamed Ethernet link: then the frames' zero MACs decide).
    public var isLoopbackByName: Bool? {
        if let name, !name.isEmpty {
            let base = name.prefix { !$0.isNumber }
            return base == "lo" || base == "Loopback" || name.hasPrefix("Loopback")
        }
        if linkType.isLoopbackType { return true }
        return nil
    }

    /// A name to show: the recorded one, or "#index" for an unnamed interface of a multi-interface file.
    public var displayName: String? { name }
}
