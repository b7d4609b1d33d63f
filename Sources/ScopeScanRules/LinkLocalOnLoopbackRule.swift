import ScopeScanPackets
import ScopeScanWire

/// `linklocal-on-loopback`: fe80::/10 traffic on a loopback interface — the host sending to its own
/// link-local address has routed it through lo/lo0 instead of the interface the scope id names.
public final class LinkLocalOnLoopbackRule: Rule {
    public let descriptor = RuleCatalogue.linkLocalOnLoopback
    /// Only loopback packets get past the first guard.
    public var interest: PacketTraits { .onLoopback }
    public init() {}

    /// macOS gives lo0 the address fe80::1 itself; traffic of that address is normal there.
    static let macOSLoopbackAddress = IPv6Address(high: 0xfe80_0000_0000_0000, low: 1)

    public func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector) {
        guard context.isLoopback, let ip = context.packet.ipv6 else { return }
        let source = ip.source, destination = ip.destination
        let sourceHit = source.isLinkLocalUnicast && source != Self.macOSLoopbackAddress
        let destinationHit = destination.isLinkLocalUnicast && destination != Self.macOSLoopbackAddress
        guard sourceHit || destinationHit, let packetFlow = context.flow else { return }
        // An ICMP error belongs with the flow it quotes, so the reroute is one finding per connection.
        let flow = context.packet.quoted.map {
            FlowDescription(source: $0.source, destination: $0.destination, sourcePort: $0.sourcePort, destinationPort: $0.destinationPort, proto: $0.upperLayer)
        } ?? packetFlow
        let key = FindingCollector.Key(rule: descriptor.id, interface: context.interfaceIndex, flow: symmetricFlow(flow))
        let isAnswer = context.packet.tcp.map { $0.flags.contains(.syn) && $0.flags.contains(.ack) } ?? false
        if findings.touch(key, frame: context.frame, time: context.timestamp) {
            // A SYN-ACK back means the stack accepted the rerouted packet (Linux); none, macOS.
            if isAnswer {
                findings.update(key) { $0.setDetail("answered", .bool(true)) }
            }
            if context.packet.icmpv6?.type.isError == true {
                findings.update(key) { $0.setDetail("icmp_errors", .bool(true)) }
            }
            return
        }
        if findings.declines(descriptor.id, descriptor.severity) { return }
        let linkLocal = destinationHit ? destination : source
        let owner = interfaces.owner(of: linkLocal)
        let here = context.interfaceName ?? "a loopback interface"
        var summary = "link-local \(linkLocal)"
        var details: [(String, DetailValue)] = [("link_local_address", .string(linkLocal.description))]
        if let owner, let ownerName = owner.name {
            let scope = owner.systemIndex.map { " (scope id \($0))" } ?? ""
            summary += " belongs to \(ownerName)\(scope) but was seen on \(here)"
            details.append(("owner_interface", .string(ownerName)))
            if let index = owner.systemIndex { details.append(("owner_scope_id", .int(Int(index)))) }
        } else {
            summary += " seen on \(here): own link-local traffic rerouted to loopback, its scope id ignored"
        }
        details.append(("answered", .bool(isAnswer)))
        let platform = interfaces.platforms[context.interfaceIndex] ?? (context.packet.link?.hasZeroMACs == true ? "Linux" : nil)
        if let platform { details.append(("platform", .string(platform))) }
        if let note = PlatformNotes.linkLocalOnLoopback(platform: platform, answered: isAnswer) {
            summary += ". \(note)"
            details.append(("platform_note", .string(note)))
        }
        let finding = Finding(rule: descriptor.id, severity: descriptor.severity, time: context.timestamp, interfaceIndex: context.interfaceIndex, interface: context.interfaceName, flow: flow, summary: summary, details: details, frames: [context.frame])
        findings.add(key, finding)
    }
}
