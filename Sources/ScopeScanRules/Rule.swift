import ScopeScanCapture
import ScopeScanWire

/// What `scopescan rules` and docs/rules.md say about a rule.
public struct RuleDescriptor: Sendable {
    public var id: RuleID
    public var severity: Severity
    public var title: String
    /// What the rule looks for, in one sentence.
    public var condition: String
    /// Why it matters, in plain words.
    public var explanation: String
    /// The operating-system behaviour behind it (from the seed write-ups).
    public var platformContext: String
    public var references: [String]
    /// Command-line flags that tune it.
    public var thresholds: [String]
}

/// One detector. Rules keep their own bounded state and record findings into the collector.
public protocol Rule: AnyObject {
    var descriptor: RuleDescriptor { get }
    func observe(_ context: PacketContext, interfaces: InterfaceTable, findings: inout FindingCollector)
    func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector)
    func finish(interfaces: InterfaceTable, findings: inout FindingCollector)
}

extension Rule {
    public func advance(to now: Timestamp, interfaces: InterfaceTable, findings: inout FindingCollector) {}
    public func finish(interfaces: InterfaceTable, findings: inout FindingCollector) {}
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
