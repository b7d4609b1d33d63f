/// Thresholds and switches for the rule set; every one has a command-line flag.
public struct RuleConfiguration: Sendable {
    /// SYNs with the same ISN needed before an unanswered or slow connect is reported (`--syn-retries`).
    public var synRetries = 2
    /// Seconds after the last SYN before an unanswered attempt is concluded while streaming (`--syn-timeout`).
    public var synTimeout = 60.0
    /// Connect time (first SYN to SYN-ACK) at or above which `slow-connect` fires (`--slow-connect-threshold`).
    public var slowConnectThreshold = 1.0
    /// Earlier unanswered attempts this close before a successful connect are joined to it (`--slow-connect-window`).
    public var slowConnectWindow = 30.0
    /// Seconds a Neighbor Solicitation may wait for its Advertisement (`--neighbor-timeout`).
    public var neighborTimeout = 3.0
    /// Seconds of capture time a tracked flow may stay idle before it is expired (`--flow-idle-timeout`).
    public var flowIdleTimeout = 300.0
    /// Most flows tracked at once; the oldest are evicted beyond it and the summary says so (`--max-flows`).
    public var maxFlows = 100_000
    /// Most distinct findings kept; further ones are counted per rule, not stored (`--max-findings`).
    public var maxFindings = 10_000
    /// Rules to run (`--rule`, `--skip-rule`); nil runs all.
    public var enabledRules: Set<RuleID>?
    /// Findings below this severity are dropped (`--min-severity`).
    public var minimumSeverity: Severity = .info

    public init() {}

    public func isEnabled(_ rule: RuleID) -> Bool { enabledRules?.contains(rule) ?? true }
}
