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

    /// Whether the interface is a loopback judged by its name ("lo", "lo0", "lo1", "Loopback…",
    /// Npcap's `\Device\NPF_Loopback`). `nil` when the name does not tell: unnamed interfaces,
    /// and Linux cooked captures (SLL/SLL2, `-i any`), whose frames name their device's ARPHRD
    /// type, which then decides per frame. Unnamed DLT_NULL/DLT_LOOP links are loopbacks or
    /// tunnels (utun, tun, OpenVPN): the analyser judges them from their traffic.
    public var isLoopbackByName: Bool? {
        guard let name, !name.isEmpty else { return nil }
        if Self.isLoopbackName(name) { return true }
        if linkType == .linuxSLL || linkType == .linuxSLL2 { return nil }
        return false
    }

    public static func isLoopbackName(_ name: String) -> Bool {
        let base = name.prefix { !$0.isNumber }
        return base == "lo" || base == "Loopback" || name.hasPrefix("Loopback") || isNpcapLoopbackName(name)
    }

    /// Npcap's loopback adapter (Npcap Users' Guide, "Loopback traffic capture").
    public static func isNpcapLoopbackName(_ name: String) -> Bool {
        name.hasSuffix("NPF_Loopback")
    }

    /// A name to show: the recorded one, or "#index" for an unnamed interface of a multi-interface file.
    public var displayName: String? { name }
}
