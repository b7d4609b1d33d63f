import ScopeScanAnalysis
import ScopeScanCapture
import ScopeScanWire

/// The port range ran out before the attempts did: a usage error (the CLI reports it as one).
public struct ProbePortRangeError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Which attempts to run, decided from the host's interfaces and routes before any socket opens.
/// Pure: the same interface list, port and platform give the same plan.
public struct ProbePlan: Sendable {
    /// A probed interface: its scope id and its own link-local address.
    public struct Target: Sendable, Equatable {
        public var name: String
        public var scopeID: UInt32
        public var linkLocal: IPv6Address
        public var prefixLength: Int
    }

    public var targets: [Target]
    /// Per target: its own link-local address; an unassigned address in the same prefix, plain
    /// and (where the platform has one) with the free-bind option. Then per AnyIP route (at most
    /// four): one of its addresses, plain and with the free-bind option. Each on its own port.
    public var attempts: [ProbeAttempt]
    /// The loopback the rerouted packets are looked for on.
    public var loopback: String

    /// `interface`: probe only it (errors name what is wrong with it); nil: every up, non-loopback
    /// interface with a link-local address. `firstPort` is the first attempt's port.
    public init(host: [HostInterfaces.Entry], interface: String?, firstPort: Int, platform: ProbePlatform) throws {
        loopback = host.first { $0.isLoopback && $0.isUp }?.interface.name ?? platform.loopbackName
        targets = try Self.targets(host, interface: interface)
        attempts = try Self.attempts(targets: targets, host: host, firstPort: firstPort, platform: platform)
    }

    static func targets(_ host: [HostInterfaces.Entry], interface: String?) throws -> [Target] {
        func target(_ entry: HostInterfaces.Entry) -> Target? {
            guard let name = entry.interface.name, let index = entry.interface.systemIndex, index != 0 else { return nil }
            for address in entry.interface.addresses {
                if case .v6(let v6) = address.address, v6.isLinkLocalUnicast {
                    return Target(name: name, scopeID: index, linkLocal: v6, prefixLength: address.prefixLength)
                }
            }
            return nil
        }
        if let interface {
            guard let entry = host.first(where: { $0.interface.name == interface }) else {
                let names = host.compactMap(\.interface.name)
                throw ScopeScanError("no interface named \(interface)" + (names.isEmpty ? "" : "; interfaces: \(names.joined(separator: ", "))"))
            }
            if entry.isLoopback { throw ScopeScanError("\(interface) is the loopback interface: name the interface that owns the link-local address (see 'scopescan interfaces')") }
            guard entry.isUp else { throw ScopeScanError("interface \(interface) is down (bring it up: ip link set \(interface) up)") }
            guard let found = target(entry) else { throw ScopeScanError("\(interface) has no link-local (fe80::/10) address to probe") }
            return [found]
        }
        let found = host.filter { $0.isUp && !$0.isLoopback }.compactMap(target)
        guard !found.isEmpty else { throw ScopeScanError("no up interface with a link-local address to probe (see 'scopescan interfaces')") }
        return found
    }

    static func attempts(targets: [Target], host: [HostInterfaces.Entry], firstPort: Int, platform: ProbePlatform) throws -> [ProbeAttempt] {
        let assigned = Set(host.flatMap { $0.interface.addresses }.compactMap { address -> IPv6Address? in
            if case .v6(let v6) = address.address { return v6 }
            return nil
        })
        var attempts: [ProbeAttempt] = []
        var nextPort = firstPort
        func add(_ kind: ProbeAttempt.Kind, _ interface: String, _ address: IPv6Address, scope: UInt32, nonlocal: Bool) {
            attempts.append(ProbeAttempt(kind: kind, interface: interface, address: address, scopeID: scope, port: UInt16(clamping: nextPort),
                                         nonlocalOption: nonlocal ? platform.nonlocalBind?.name : nil))
            nextPort += 1
        }
        for target in targets {
            add(.ownLinkLocal, target.name, target.linkLocal, scope: target.scopeID, nonlocal: false)
            // "Binding to other IPs in the /64" (the blog post "IPv6 OSX Link-Local Strangeness"):
            // the link-local with low bits flipped.
            if let other = (1...255).lazy.map({ IPv6Address(high: target.linkLocal.high, low: target.linkLocal.low ^ UInt64($0)) }).first(where: { !assigned.contains($0) }) {
                add(.otherInPrefix, target.name, other, scope: target.scopeID, nonlocal: false)
                if platform.nonlocalBind != nil { add(.otherInPrefix, target.name, other, scope: target.scopeID, nonlocal: true) }
            }
        }
        for route in platform.localRoutes().prefix(4) where !route.prefix.isLinkLocalUnicast {
            let hostBits = 128 - route.length
            let limit: UInt64 = hostBits >= 64 ? .max : (UInt64(1) << UInt64(hostBits)) - 1
            guard limit >= 1, let address = (UInt64(1)...min(limit, 255)).lazy.map({ IPv6Address(high: route.prefix.high, low: route.prefix.low | $0) }).first(where: { !assigned.contains($0) }) else { continue }
            var attempt = ProbeAttempt(kind: .anyIP, interface: route.device, address: address, scopeID: 0, port: 0, nonlocalOption: nil)
            attempt.route = "\(route.prefix)/\(route.length) dev \(route.device)"
            attempt.port = UInt16(clamping: nextPort)
            attempts.append(attempt)
            nextPort += 1
            if let option = platform.nonlocalBind {
                attempt.port = UInt16(clamping: nextPort)
                attempt.nonlocalOption = option.name
                attempts.append(attempt)
                nextPort += 1
            }
        }
        guard nextPort - 1 <= 65535 else { throw ProbePortRangeError(description: "--port \(firstPort) leaves no room for \(attempts.count) attempts (each uses its own port)") }
        return attempts
    }
}
