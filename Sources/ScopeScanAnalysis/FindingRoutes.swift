import ScopeScanKernel
import ScopeScanRules
import ScopeScanSystem
import ScopeScanWire

/// Asks the kernel how it routes each live finding's destination with the scope the finding names
/// (netlink RTM_GETROUTE, Linux): the link-local address's owner, else the interface it was seen
/// on. The capture shows where packets went; the route says where the kernel means to send them,
/// and the two can differ (a packet rerouted to lo, or one the FIB calls local that dies anyway).
/// One query per destination and scope.
public final class FindingRoutes {
    private var cache: [String: RouteNote] = [:]

    public init() {}

    public func annotate(_ finding: inout Finding) {
        #if os(Linux)
        guard finding.route == nil, let destination = finding.flow?.destination, case .v6(let address) = destination else { return }
        let linkLocal = address.isLinkLocalUnicast
        let scope = linkLocal ? (finding.details(as: LinkLocalOnLoopbackDetails.self)?.ownerInterface ?? finding.interface) : nil
        let key = "\(address)%\(scope ?? "")"
        if let known = cache[key] {
            finding.route = known
            return
        }
        let index = scope.map { System.interfaceIndex(name: $0) } ?? 0
        let note = Self.lookUp(address, scope: scope, outputInterface: index == 0 ? nil : index)
        if cache.count < 4096 { cache[key] = note }
        finding.route = note
        #endif
    }

    /// The kernel's answer for `address` sent out `outputInterface` (its scope, named `scope`).
    public static func lookUp(_ address: IPv6Address, scope: String?, outputInterface: UInt32?) -> RouteNote {
        do {
            let decision = try RouteLookup.lookup(destination: address, outputInterface: outputInterface)
            return RouteNote(destination: .v6(address), scope: scope, type: decision.type, device: decision.device, table: decision.table,
                             source: decision.source?.description, gateway: decision.gateway?.description, error: nil)
        } catch {
            return RouteNote(destination: .v6(address), scope: scope, type: nil, device: nil, table: nil, source: nil, gateway: nil,
                             error: System.errnoName(error.errno))
        }
    }
}
