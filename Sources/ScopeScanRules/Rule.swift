import ScopeScanPackets
import ScopeScanWire

/// Cheap facts about one packet, computed once by the analyser so that it calls a rule only for
/// packets the rule could act on. Most packets of a capture are ordinary traffic that every rule
/// dismisses at its first `guard`; calling twelve rules to hear that costs more than the decode.
public struct PacketTraits: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Set on every packet: the interest of a rule that wants to see everything.
    public static let every = PacketTraits(rawValue: 1 << 0)
    /// Seen on a loopback interface (`PacketContext.isLoopback`).
    public static let onLoopback = PacketTraits(rawValue: 1 << 1)
    /// An ICMPv4 or ICMPv6 message (and so any quoted packet or Neighbor Discovery target).
    public static let icmp = PacketTraits(rawValue: 1 << 2)
    /// An IPv6 source or destination in fe80::/10 (embedded scope ids included).
    public static let linkLocalAddress = PacketTraits(rawValue: 1 << 3)
    /// A loopback (::1, 127/8) or IPv4-mapped (::ffff:0:0/96) source or destination.
    public static let specialAddress = PacketTraits(rawValue: 1 << 4)
    /// The capture has more than one interface, or PKTAP headers name them per packet.
    public static let multipleInterfaces = PacketTraits(rawValue: 1 << 5)

    @inline(__always) // passing a packet by value to a call copies it whole
    public init(_ packet: DecodedPacket, isLoopback: Bool, multipleInterfaces: Bool) {
        var traits: PacketTraits = .every
        if isLoopback { traits.insert(.onLoopback) }
        if packet.icmpv6 != nil || packet.icmpv4 != nil { traits.insert(.icmp) }
        if let ip = packet.ipv6 {
            // Most traffic is global unicast (2000::/3) both ways, which none of these can be: the
            // first byte of each address (header bytes 8 and 24) tells, without reading the rest.
            if ip.header.u8(8) & 0xe0 != 0x20 || ip.header.u8(24) & 0xe0 != 0x20 {
                let source = ip.source, destination = ip.destination
                if source.isLinkLocalUnicast || destination.isLinkLocalUnicast { traits.insert(.linkLocalAddress) }
                if source.isLoopback || destination.isLoopback || source.isIPv4Mapped || destination.isIPv4Mapped { traits.insert(.specialAddress) }
            }
        } else if let ip = packet.ipv4, ip.source.value >> 24 == 127 || ip.destination.value >> 24 == 127 {
            traits.insert(.specialAddress)
        }
        if multipleInterfaces { traits.insert(.multipleInterfaces) }
        self = traits
    }
}

/// One detector. Rules keep their own bounded state and record findings into the collector.
/// A rule sees packets (`PacketRule`), concluded connection attempts (`ConnectionObserver`), or both.
public protocol Rule: AnyObject {
    var descriptor: RuleDescriptor { get }
    /// Timers: called at least every 250 ms of capture time.
    func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector)
    /// The end of the input: conclude what is still open.
    func finish(interfaces: InterfaceTable, findings: inout FindingCollector)
    /// Entries the rule forgot because its table was full (the summary's "flows evicted").
    var evictedEntries: Int { get }
    /// This rule as a `PacketRule`, or nil; the same as a `ConnectionObserver`. The analyser
    /// sorts its rules with these when it starts: `as?` to a protocol is a dynamic cast that
    /// scans every conformance record of the binary once per class and protocol (3.9 M
    /// instructions for the catalogue, an eighth of a one-packet `analyze`). The defaults below
    /// answer for every rule; `RuleKindTests` checks them against the casts.
    var asPacketRule: PacketRule? { get }
    var asConnectionObserver: ConnectionObserver? { get }
}

extension Rule {
    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {}
    public func finish(interfaces: InterfaceTable, findings: inout FindingCollector) {}
    public var evictedEntries: Int { 0 }
    public var asPacketRule: PacketRule? { nil }
    public var asConnectionObserver: ConnectionObserver? { nil }
}

// The more specific defaults, which the conformances of packet rules and observers pick.
extension PacketRule {
    public var asPacketRule: PacketRule? { self }
}

extension Rule where Self: ConnectionObserver {
    public var asConnectionObserver: ConnectionObserver? { self }
}

/// A rule that looks at packets.
public protocol PacketRule: Rule {
    /// The packets `observe` can act on: it is called only for packets with at least one of these
    /// traits. It must cover every packet that gets past the rule's own guards (change both
    /// together; `RuleInterestTests` compares with offering every packet).
    var interest: PacketTraits { get }
    func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector)
}

/// The flow key of findings about a packet's flow: the same flow in either direction aggregates.
func symmetricFlow(_ flow: FlowDescription) -> FlowDescription {
    let forward = (flow.source, flow.sourcePort ?? 0)
    let backward = (flow.destination, flow.destinationPort ?? 0)
    if forward.0 < backward.0 || (forward.0 == backward.0 && forward.1 <= backward.1) { return flow }
    return FlowDescription(source: flow.destination, destination: flow.source, sourcePort: flow.destinationPort, destinationPort: flow.sourcePort, proto: flow.proto)
}

func formatSeconds(_ seconds: Double) -> String {
    let rounded = (seconds * 1000).rounded() / 1000
    return "\(rounded) s"
}

/// Seconds rounded to microseconds, as the JSON details carry them.
func microsecondRounded(_ seconds: Double) -> Double { (seconds * 1e6).rounded() / 1e6 }
