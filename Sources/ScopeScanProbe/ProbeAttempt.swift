import ScopeScanAnalysis
import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// One bind-listen-connect experiment and what was seen of it. The plan fills in what to try, `run`
/// the socket results, `attribute` what the capture saw; the verdict and the outputs only read it.
public struct ProbeAttempt: Sendable {
    public enum Kind: String, Sendable {
        case ownLinkLocal = "own-link-local"
        case otherInPrefix = "other-in-prefix"
        case anyIP = "anyip"
    }

    public var kind: Kind
    /// The interface whose scope id is used (AnyIP: the route's device).
    public var interface: String
    public var address: IPv6Address
    public var scopeID: UInt32
    public var port: UInt16
    /// The free-bind option set for this attempt (IP_FREEBIND), nil when none.
    public var nonlocalOption: String?
    /// AnyIP: the route the address was taken from (JSON `anyip_route`).
    public var route: String?
    /// What the kernel answered when asked how it routes the address with this scope (netlink
    /// RTM_GETROUTE on Linux): the decision, or the errno name of its refusal (ENETUNREACH for a
    /// wrong scope). nil where the platform cannot be asked.
    public var kernelRoute: RouteNote?

    public var bindError: ProbeSocketError?
    public var connect: ProbeConnectResult?
    public var start = Timestamp(nanoseconds: 0)
    public var end = Timestamp(nanoseconds: 0)
    /// Port-less packets (Neighbor Discovery) aimed at the address up to here are this attempt's:
    /// until the next attempt on the same address starts.
    public var windowEnd = Timestamp(nanoseconds: 0)

    /// From the capture: packets per interface name (capture order), nil without a capture.
    public var packets: [(String, Int)]?
    /// "SYN-ACK" or "RST" from the server port, "none" when the SYN went unanswered; nil: no SYN captured.
    public var answer: String?
    public var icmpErrors = 0
    public var findings: [Finding] = []

    public init(kind: Kind, interface: String, address: IPv6Address, scopeID: UInt32, port: UInt16, nonlocalOption: String?) {
        self.kind = kind
        self.interface = interface
        self.address = address
        self.scopeID = scopeID
        self.port = port
        self.nonlocalOption = nonlocalOption
    }

    public var name: String { kind.rawValue + (nonlocalOption.map { " +\($0)" } ?? "") }

    /// Asks the kernel how it routes `address` with this attempt's scope id (output interface).
    public mutating func lookUpRoute() {
        kernelRoute = FindingRoutes.lookUp(address, scope: scopeID == 0 ? nil : interface, outputInterface: scopeID == 0 ? nil : scopeID)
    }
    public var scopedAddress: String { scopeID == 0 ? address.description : "\(address)%\(interface)" }
    public var bound: Bool { bindError == nil }
    public var connected: Bool { connect.map { $0.error == nil } ?? false }
    public var seenOn: [String] { (packets ?? []).filter { $0.1 > 0 }.map(\.0) }
    public var synAnswered: Bool? { answer.map { $0 != "none" } }

    public var bindText: String { bindError.map { $0.step == "bind" ? $0.name : "\($0.step) \($0.name)" } ?? "ok" }
    public var connectText: String {
        guard let connect else { return "not attempted" }
        let time = Self.milliseconds(connect.milliseconds)
        if connect.timedOut { return "timeout \(time)" }
        return (connect.error?.name ?? "ok") + " " + time
    }

    /// The rule ids of its findings, each once, in finding order.
    public var ruleIDs: [String] {
        var ids: [String] = []
        for finding in findings where !ids.contains(finding.rule.rawValue) { ids.append(finding.rule.rawValue) }
        return ids
    }

    static func milliseconds(_ value: Double) -> String {
        value >= 100 ? "\(Int(value.rounded())) ms" : value >= 10 ? "\((value * 10).rounded() / 10) ms" : "\((value * 100).rounded() / 100) ms"
    }

    /// Binds, listens and connects, noting the times the capture's packets are matched against.
    mutating func run(platform: ProbePlatform, timeout: Double) {
        start = Timestamp.now()
        defer { end = Timestamp.now() }
        switch platform.openListener(address: address, scopeID: scopeID, port: port, nonlocal: nonlocalOption != nil) {
        case .failure(let error):
            bindError = error
        case .success(let listener):
            connect = platform.connectAndAccept(address: address, scopeID: scopeID, port: port, timeout: timeout, listener: listener)
        }
    }
}
