import ScopeScanPackets
import ScopeScanWire

/// What a rule sees of one packet: the decode plus where and when it was seen. It borrows the
/// frame like the decode does (`~Escapable`): a rule keeps owned values (`flow`, addresses), never
/// the context.
public struct PacketContext: ~Escapable {
    public var frame: Int
    public var timestamp: Timestamp
    public var interfaceIndex: Int
    /// The interface's name, when the capture recorded one.
    public var interfaceName: String?
    /// Judged from the interface name, link type, or (unnamed Ethernet) zero MAC addresses.
    public var isLoopback: Bool
    /// False when nothing tells whether the link is a loopback (raw IP link types without a name).
    public var loopbackKnown: Bool
    /// The verdict is the traffic's so far (unnamed DLT_NULL, or Ethernet with zero MACs) and may be
    /// withdrawn for the whole interface: findings that depend on it say so (`Finding.requiresLoopback`).
    public var loopbackProvisional: Bool
    public var packet: DecodedPacket

    @_lifetime(copy packet)
    public init(frame: Int, timestamp: Timestamp, interfaceIndex: Int, interfaceName: String?, isLoopback: Bool, loopbackKnown: Bool, loopbackProvisional: Bool = false, packet: DecodedPacket) {
        self.frame = frame
        self.timestamp = timestamp
        self.interfaceIndex = interfaceIndex
        self.interfaceName = interfaceName
        self.isLoopback = isLoopback
        self.loopbackKnown = loopbackKnown
        self.loopbackProvisional = loopbackProvisional
        self.packet = packet
    }

    /// The packet's IP endpoints and ports as an owned flow description.
    public var flow: FlowDescription? {
        guard let source = packet.source, let destination = packet.destination, let proto = packet.upperLayer else { return nil }
        return FlowDescription(source: source, destination: destination, sourcePort: packet.sourcePort, destinationPort: packet.destinationPort, proto: proto)
    }
}

/// What the analyser knows about each interface, resolved once rather than per packet.
public struct InterfaceTable {
    public private(set) var interfaces: [CaptureInterface] = []
    /// For link-local addresses recorded on any interface: which interface owns them.
    public private(set) var owners: [IPv6Address: CaptureInterface] = [:]
    /// For every address of the capture's own interfaces: the first interface not named as a
    /// loopback that lists it (an index into `interfaces`).
    private var fileOwners: [IPAddress: Int] = [:]
    /// Host interfaces (live capture): named addresses even when the capture file has none.
    public var hostInterfaces: [CaptureInterface] = [] {
        didSet { rebuildOwners() }
    }

    public init() {}

    /// Takes the interfaces `current` adds to those known. Sources only ever add interfaces, and
    /// taking only the new ones keeps a file that describes many of them linear: re-reading every
    /// interface each time one is added was quadratic (a hostile pcapng of 100,000 interface
    /// blocks took minutes), and keeping a reference to the source's array made each of its
    /// appends copy it.
    public mutating func update(_ current: [CaptureInterface]) {
        guard current.count >= interfaces.count else {
            interfaces = []
            fileOwners.removeAll()
            for interface in current { addFileInterface(interface) }
            rebuildOwners()
            return
        }
        for interface in current[interfaces.count...] {
            addFileInterface(interface)
            addOwnedAddresses(of: interface)
        }
    }

    private mutating func addFileInterface(_ interface: CaptureInterface) {
        if interface.isLoopbackByName != true {
            for address in interface.addresses where fileOwners[address.address] == nil {
                fileOwners[address.address] = interfaces.count
            }
        }
        interfaces.append(interface)
    }

    private mutating func rebuildOwners() {
        owners.removeAll()
        for interface in hostInterfaces + interfaces { addOwnedAddresses(of: interface) }
    }

    /// A non-loopback interface's claim on an address wins over a loopback's (macOS gives lo0 an
    /// fe80::1 of its own); among the others the last one described keeps it.
    private mutating func addOwnedAddresses(of interface: CaptureInterface) {
        for address in interface.addresses {
            if case .v6(let v6) = address.address, owners[v6] == nil || !(interface.isLoopbackByName ?? false) {
                owners[v6] = interface
            }
        }
    }

    /// The first of the capture's interfaces not named as a loopback that lists `address`.
    public func fileInterface(owning address: IPAddress) -> CaptureInterface? {
        fileOwners[address].map { interfaces[$0] }
    }

    /// The non-loopback interface that owns `address`, if any recorded one does.
    public func owner(of address: IPv6Address) -> CaptureInterface? {
        guard let owner = owners[address], owner.isLoopbackByName != true else { return nil }
        return owner
    }

    /// The capturing OS guessed from a loopback's DLT_NULL address family (30 macOS, 28 FreeBSD…)
    /// or its name (Npcap), and which evidence (`platformEvidence`: "dlt-null-af30", "interface-name").
    public var platforms: [Int: String] = [:]
    public var platformEvidence: [Int: String] = [:]

    mutating func setPlatform(_ index: Int, _ platform: (String, String)) {
        platforms[index] = platform.0
        platformEvidence[index] = platform.1
    }

    /// Each interface's final loopback verdict and why, set when the analyser finishes.
    public var loopbackVerdicts: [Int: LoopbackVerdict] = [:]

    /// The time of the capture's last packet, set when the analyser finishes.
    public var captureEnd: Timestamp?

    /// Interfaces named by PKTAP headers (macOS), by the synthetic index the analyser gave them.
    public var pktapNames: [Int: String] = [:]

    public func name(_ index: Int) -> String? {
        if index >= 0 && index < interfaces.count { return interfaces[index].name }
        return pktapNames[index]
    }
}

extension QuotedPacket {
    /// The quoted packet's endpoints as an owned flow description.
    var flow: FlowDescription {
        FlowDescription(source: source, destination: destination, sourcePort: sourcePort, destinationPort: destinationPort, proto: upperLayer)
    }
}
