import ScopeScanPackets
import ScopeScanWire

/// `embedded-scope-id`: fe80:N:: addresses (KAME's in-kernel form) in any header or ND target.
public final class EmbeddedScopeIDRule: Rule {
    public let descriptor = RuleCatalogue.embeddedScopeID
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
        guard address.hasNonZeroLinkLocalPadding else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: nil, discriminator: address.high ^ address.low)
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            let index = address.embeddedScopeID
            let summary = "\(role) \(address) has non-zero bits 10–63: KAME embedded interface index \(index) leaked to the wire (should be \(address.withoutEmbeddedScope)%<interface \(index)>)"
            return Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: context.flow, summary: summary,
                           details: [("address", .string(address.description)), ("role", .string(role)), ("embedded_index", .int(Int(index))), ("cleared_address", .string(address.withoutEmbeddedScope.description))],
                           frames: [context.frame])
        }
    }
}

/// `ipv4-mapped-on-wire`: ::ffff:a.b.c.d in an IPv6 header.
public final class IPv4MappedOnWireRule: Rule {
    public let descriptor = RuleCatalogue.ipv4MappedOnWire
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
                    details: [("addresses", .strings(mapped.map(\.description)))], frames: [context.frame])
        }
    }
}

/// `loopback-address-off-loopback`: ::1 or 127/8 on a real link.
public final class LoopbackAddressOffLoopbackRule: Rule {
    public let descriptor = RuleCatalogue.loopbackAddressOffLoopback
    public var interest: PacketTraits { .specialAddress }

    public init() {}

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard context.loopbackKnown, !context.isLoopback, let source = context.packet.source, let destination = context.packet.destination,
              source.isLoopback || destination.isLoopback else { return }
        let loopbacks = [source, destination].filter(\.isLoopback)
        guard let first = loopbacks.first, let flow = context.flow else { return }
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: symmetricFlow(flow))
        findings.record(key, severity: descriptor.severity, frame: context.frame, time: context.timestamp) {
            let role = first == source ? "source" : "destination"
            return Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow,
                           summary: "loopback \(role) \(first) on non-loopback interface \(context.interfaceName ?? "(unnamed)"): a martian that must never leave or enter through a real link",
                           details: [("address", .string(first.description)), ("role", .string(role))], frames: [context.frame])
        }
    }
}

/// `nonlocal-on-loopback`: the host's non-loopback addresses (or AnyIP prefixes) on loopback.
public final class NonlocalOnLoopbackRule: Rule {
    public let descriptor = RuleCatalogue.nonlocalOnLoopback
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
            var details: [(String, DetailValue)] = [("address", .string(address.description)), ("kind", .string(address.kind.description))]
            if let owner { details.append(("owner_interface", .string(owner))) }
            return Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow, summary: summary, details: details, frames: [context.frame])
        }
    }
}
