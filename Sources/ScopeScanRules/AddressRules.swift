import ScopeScanPackets
import ScopeScanWire

/// `embedded-scope-id`: fe80:N:: addresses (KAME's in-kernel form) in any header or ND target.
public final class EmbeddedScopeIDRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .embeddedScopeID, severity: .error,
        title: "KAME embedded scope id leaked to the wire",
        condition: "A link-local address written the way KAME embeds a zone, fe80:N::/64 with a non-zero index N in bits 16–31 and the rest of bits 10–63 zero, in a header, a quoted packet or a Neighbor Discovery target (never from bytes past the IPv6 payload length).",
        explanation: "RFC 4291 requires the 54 bits after fe80::/10 to be zero. KAME-derived kernels (OpenBSD, NetBSD, macOS, older FreeBSD) store the interface index in bits 16–31 of link-local addresses inside the kernel ('fe80:3::1' for interface 3); if such an address reaches the wire, a code path forgot to clear it.",
        platformContext: "OpenBSD returns fe80:3::1 with sin6_scope_id 0 to user space (blog post \"Link-local Addresses in struct sockaddr_in6 on Linux and OpenBSD\"); inet6(4) (KAME, macOS 12): 'users should never use the embedded form'.",
        references: ["RFC 4291 section 2.5.6", "inet6(4) (KAME scoped addresses)", "KAME IMPLEMENTATION, section 1.3.3"],
        details: EmbeddedScopeIDDetails.schema,
        evidence: [
            EvidenceRequirement(.error, "An fe80::/10 address written exactly as KAME embeds a zone: first group fe80, a non-zero index in bits 16–31, bits 32–63 zero, read within the IPv6 payload length (never from Ethernet padding)."),
            EvidenceRequirement(.error, "Partial evidence is not reported: other non-zero padding (fe80:0:abcd::, fe81::, fe80:3:0:1::) and index 0 are no interface index."),
        ]),
        make: { _ in EmbeddedScopeIDRule() })
    public let descriptor = declaration.descriptor
    /// fe80:N:: is link-local; ND targets and quoted headers come with ICMPv6.
    public var interest: PacketTraits { [.linkLocalAddress, .icmp] }

    public init() {}

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard let ip = context.packet.ipv6 else { return }
        check(ip.source, "source", context, &findings)
        check(ip.destination, "destination", context, &findings)
        if let target = context.packet.icmpv6?.targetAddress { check(target, "neighbor discovery target", context, &findings) }
        if let quoted = context.packet.quoted, case .v6(let inner) = quoted.ip {
            check(inner.source, "quoted source", context, &findings)
            check(inner.destination, "quoted destination", context, &findings)
        }
    }

    private func check(_ address: IPv6Address, _ role: String, _ context: PacketContext, _ findings: inout FindingCollector) {
        guard address.hasKAMEEmbeddedScope else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: nil, discriminator: address.high ^ address.low)
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            let index = address.embeddedScopeID
            let summary = "\(role) \(address) carries a non-zero index in bits 16–31 of fe80::/64: KAME embedded interface index \(index) leaked to the wire (should be \(address.withoutEmbeddedScope)%<interface \(index)>)"
            return Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: context.flow, summary: summary,
                           details: EmbeddedScopeIDDetails(address: address, role: role, embeddedIndex: Int(index)),
                           frames: [context.frame])
        }
    }
}

/// `ipv4-mapped-on-wire`: ::ffff:a.b.c.d in an IPv6 header.
public final class IPv4MappedOnWireRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .ipv4MappedOnWire, severity: .error,
        title: "IPv4-mapped address on the wire",
        condition: "An IPv6 packet with a ::ffff:0:0/96 source or destination.",
        explanation: "IPv4-mapped addresses represent IPv4 peers inside the socket API only; they must never appear in IPv6 headers. On the wire they can bypass access control that checks IPv4 and IPv6 rules separately.",
        platformContext: "inet6(4) (KAME, macOS 12) warns that IPv4 traffic routed to AF_INET6 sockets as ::ffff:a.b.c.d lets malicious parties bypass access control.",
        references: ["RFC 4291 section 2.5.5.2", "RFC 4942 section 2.2 (transition mechanism threats)", "draft-itojun-v6ops-v4mapped-harmful", "RFC 4038"],
        details: AddressListDetails.schema,
        evidence: [
            EvidenceRequirement(.error, "A ::ffff:0:0/96 source or destination in a decoded IPv6 header."),
        ]),
        make: { _ in IPv4MappedOnWireRule() })
    public let descriptor = declaration.descriptor
    public var interest: PacketTraits { .specialAddress }

    public init() {}

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard let ip = context.packet.ipv6, ip.source.isIPv4Mapped || ip.destination.isIPv4Mapped else { return }
        let mapped = [ip.source, ip.destination].filter(\.isIPv4Mapped)
        guard let first = mapped.first, let flow = context.flow else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: symmetricFlow(flow))
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow,
                    summary: "IPv4-mapped address \(first) (IPv4 \(first.mappedIPv4!)) in an IPv6 header: mapped addresses belong to the socket API, never the wire",
                    details: AddressListDetails(addresses: mapped), frames: [context.frame])
        }
    }
}

/// `loopback-address-off-loopback`: ::1 or 127/8 on a real link.
public final class LoopbackAddressOffLoopbackRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .loopbackAddressOffLoopback, severity: .error,
        title: "Loopback address outside the loopback interface",
        condition: "::1 or 127.0.0.0/8 as source or destination on a non-loopback interface.",
        explanation: "Loopback addresses must never be sent on a real link nor accepted from one ('martians'). A packet with one on a NIC means a misrouting in the sender or a spoofing attempt.",
        platformContext: "macOS answers only 127.0.0.1/32, not the whole 127/8 (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22), so tools that alias other 127.x addresses may see them routed oddly.",
        references: ["RFC 4291 section 2.5.3", "RFC 1122 section 3.2.1.3 (g)", "RFC 1812 section 5.3.7"],
        details: RoleAddressDetails.schema,
        evidence: [
            EvidenceRequirement(.error, "::1 or 127/8 on an interface whose verdict is not loopback: a non-loopback name, an SLL frame of another ARPHRD type, Ethernet with real MAC addresses, or a provisional loopback (unnamed DLT_NULL, zero MACs) revoked by hop limits that crossed routers. The same verdict holds for ::1 and 127.0.0.1 in one file."),
            EvidenceRequirement(.error, "Nothing when the link type tells nothing (raw IP without a name)."),
        ]),
        make: { _ in LoopbackAddressOffLoopbackRule() })
    public let descriptor = declaration.descriptor
    public var interest: PacketTraits { .specialAddress }

    public init() {}

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        // On a provisional loopback (unnamed DLT_NULL, zero-MAC Ethernet) the finding is kept only
        // if the interface turns out not to be one: one verdict for ::1 and 127.0.0.1 alike.
        guard context.loopbackKnown, !context.isLoopback || context.loopbackProvisional, let source = context.packet.source, let destination = context.packet.destination,
              source.isLoopback || destination.isLoopback else { return }
        let loopbacks = [source, destination].filter(\.isLoopback)
        guard let first = loopbacks.first, let flow = context.flow else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: symmetricFlow(flow))
        let conditional = context.isLoopback
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            let role = first == source ? "source" : "destination"
            var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow,
                           summary: "loopback \(role) \(first) on non-loopback interface \(context.interfaceName ?? "(unnamed)"): a martian that must never leave or enter through a real link",
                           details: RoleAddressDetails(address: first, role: role), frames: [context.frame])
            if conditional { finding.requiresLoopback = false }
            finding.facts.append("frame \(context.frame): \(first) with hop limit \(context.packet.hopLimit.map(String.init) ?? "?")" + (conditional ? " (its frame looked like loopback; the interface as a whole does not)" : ""))
            return finding
        }
        if !conditional { findings.update(key) { $0.requiresLoopback = nil } }
    }
}

/// `nonlocal-on-loopback`: the host's non-loopback addresses (or AnyIP prefixes) on loopback.
public final class NonlocalOnLoopbackRule: PacketRule {
    public static let declaration = RuleDeclaration(RuleDescriptor(
        id: .nonlocalOnLoopback, severity: .info,
        title: "Non-loopback addresses on a loopback interface",
        condition: "Global, unique-local, documentation or private addresses (neither loopback nor link-local) as source or destination on a loopback interface.",
        explanation: "Traffic between the host and its own non-loopback addresses (or AnyIP 'local' routes) is short-cut through the loopback interface. That is normal, but it is where stacks differ: which interface the packet is attributed to decides filtering and source validation.",
        platformContext: "Linux AnyIP ('ip -6 route add local 2001:db8:123::/64 dev lo') still needs IP_FREEBIND to bind (blog post \"Non-Local Address Binds in Linux\"). FreeBSD routes own global addresses via lo0 with origifp set to the NIC (FreeBSD review D35732, PR 265089).",
        references: ["ip-route(8) (local routes)", "ip(7) IP_FREEBIND", "RFC 6724"],
        details: NonlocalOnLoopbackDetails.schema,
        evidence: [
            EvidenceRequirement(.info, "The interface's loopback verdict (one per interface, see the confidence model above): its name (lo, lo0, Loopback…, \\Device\\NPF_Loopback), or per frame ARPHRD 772 in Linux cooked captures, or, for unnamed DLT_NULL/DLT_LOOP and zero-MAC Ethernet, traffic with initial hop limits only (no real MAC address), and a global, ULA, documentation or private address on it. Withdrawn when the link turns out to be a tunnel (replies with lowered hop limits)."),
        ]),
        make: { _ in NonlocalOnLoopbackRule() })
    public let descriptor = declaration.descriptor
    /// Only loopback packets get past the first guard.
    public var interest: PacketTraits { .onLoopback }

    public init() {}

    static func isNonlocal(_ address: IPAddress) -> Bool {
        switch address.kind {
        case .global, .uniqueLocal, .documentation, .privateUse, .siteLocal, .reserved: return true
        default: return false
        }
    }

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard context.isLoopback, let source = context.packet.source, let destination = context.packet.destination else { return }
        guard Self.isNonlocal(source) || Self.isNonlocal(destination), let flow = context.flow else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: symmetricFlow(flow))
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            let address = Self.isNonlocal(destination) ? destination : source
            let owner = interfaces.fileInterface(owning: address)?.name
            var summary = "\(address.kind) address \(address) on loopback\(context.interfaceName.map { " " + $0 } ?? "")"
            summary += owner.map { ": it belongs to \($0), short-cut through loopback" } ?? ": own address or AnyIP local route short-cut through loopback"
            let details = NonlocalOnLoopbackDetails(address: address, ownerInterface: owner)
            var finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow, summary: summary, details: details, frames: [context.frame])
            if context.loopbackProvisional { finding.requiresLoopback = true }
            finding.facts.append("frame \(context.frame): \(source) → \(destination), hop limit \(context.packet.hopLimit.map(String.init) ?? "?")")
            return finding
        }
    }
}

extension RuleID {
    public static let embeddedScopeID = RuleID(rawValue: "embedded-scope-id")
    public static let ipv4MappedOnWire = RuleID(rawValue: "ipv4-mapped-on-wire")
    public static let loopbackAddressOffLoopback = RuleID(rawValue: "loopback-address-off-loopback")
    public static let nonlocalOnLoopback = RuleID(rawValue: "nonlocal-on-loopback")
}

public struct EmbeddedScopeIDDetails: FindingDetails {
    public var address: IPv6Address
    /// Where in the packet: "source", "quoted destination", "neighbor discovery target"…
    public var role: String
    public var embeddedIndex: Int

    static let schema = [
        DetailField("address", .string, "the address as on the wire"),
        DetailField("role", .string, "where in the packet it is"),
        DetailField("embedded_index", .int, "the interface index in bits 16–31"),
        DetailField("cleared_address", .string, "the address with the index cleared"),
    ]

    public var fields: [(String, DetailValue)] {
        [("address", .string(address.description)), ("role", .string(role)), ("embedded_index", .int(embeddedIndex)),
         ("cleared_address", .string(address.withoutEmbeddedScope.description))]
    }
}

public struct AddressListDetails: FindingDetails {
    public var addresses: [IPv6Address]

    static let schema = [DetailField("addresses", .strings, "the offending addresses of the packet")]

    public var fields: [(String, DetailValue)] { [("addresses", .strings(addresses.map(\.description)))] }
}

public struct RoleAddressDetails: FindingDetails {
    public var address: IPAddress
    /// "source" or "destination".
    public var role: String

    static let schema = [
        DetailField("address", .string, "the offending address"),
        DetailField("role", .string, "source or destination"),
    ]

    public var fields: [(String, DetailValue)] { [("address", .string(address.description)), ("role", .string(role))] }
}

public struct NonlocalOnLoopbackDetails: FindingDetails {
    public var address: IPAddress
    public var ownerInterface: String?

    static let schema = [
        DetailField("address", .string, "the non-loopback address"),
        DetailField("kind", .string, "its kind (global, unique-local…)"),
        DetailField("owner_interface", .string, "the capture's interface that owns it, when recorded"),
    ]

    public var fields: [(String, DetailValue)] {
        var f = DetailFields()
        f.add("address", address.description)
        f.add("kind", address.kind.description)
        f.add("owner_interface", ownerInterface)
        return f.fields
    }
}
