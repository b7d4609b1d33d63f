import ArgumentParser
import ScopeScanReport
import ScopeScanAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ScopeScanRules

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum ColourChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// Whether to paint: always, or on a terminal unless NO_COLOR is set (no-color.org).
    func isOn(for sink: OutputSink) -> Bool {
        self == .always || (self == .auto && sink.isTerminal && getenv("NO_COLOR") == nil)
    }
}

extension Severity: ExpressibleByArgument {}

/// Thresholds and rule selection, shared by `analyze` and `capture`.
struct RuleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read these options from a file: one 'option = value' per line (e.g. 'syn-retries = 3', 'skip-rule = nonlocal-on-loopback'); the command line wins.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("rule"), help: ArgumentHelp("Run only this rule (repeatable). See 'scopescan rules'.", valueName: "id"))
    var rules: [String] = []

    @Option(name: .customLong("skip-rule"), help: ArgumentHelp("Do not run this rule (repeatable).", valueName: "id"))
    var skippedRules: [String] = []

    @Option(name: .customLong("min-severity"), help: "Drop findings below this severity (info, warning, error).")
    var minimumSeverity: Severity = .info

    @Option(name: .customLong("syn-retries"), help: "SYNs with the same ISN needed for syn-unanswered and slow-connect.")
    var synRetries: Int = 2

    @Option(name: .customLong("syn-timeout"), help: "Seconds after the last SYN before an attempt counts as unanswered while the capture goes on.")
    var synTimeout: Double = 60

    @Option(name: .customLong("slow-connect-threshold"), help: "Seconds from first SYN to SYN-ACK at or above which slow-connect fires.")
    var slowConnectThreshold: Double = 1.0

    @Option(name: .customLong("slow-connect-window"), help: "Seconds within which earlier unanswered attempts are joined to a later successful connect.")
    var slowConnectWindow: Double = 30

    @Option(name: .customLong("neighbor-timeout"), help: "Seconds a Neighbor Solicitation waits for its Advertisement.")
    var neighborTimeout: Double = 3

    @Option(name: .customLong("flow-idle-timeout"), help: "Seconds of capture time a tracked flow may stay idle before it is forgotten.")
    var flowIdleTimeout: Double = 300

    @Option(name: .customLong("max-flows"), help: "Most flows tracked at once; older ones are evicted (the summary says how many).")
    var maxFlows: Int = 100_000

    @Option(name: .customLong("max-findings"), help: "Most distinct findings kept; further ones are only counted.")
    var maxFindings: Int = 10_000

    func validate() throws {
        let known = Set(RuleCatalogue.all.map(\.id.rawValue))
        for id in rules + skippedRules where !known.contains(id) {
            throw ValidationError("unknown rule '\(id)'; known rules: \(known.sorted().joined(separator: ", "))")
        }
        guard synRetries >= 1 else { throw ValidationError("--syn-retries must be at least 1") }
        guard maxFlows >= 16 else { throw ValidationError("--max-flows must be at least 16") }
        guard maxFindings >= 1 else { throw ValidationError("--max-findings must be at least 1") }
        for (name, value) in [("--syn-timeout", synTimeout), ("--slow-connect-threshold", slowConnectThreshold), ("--slow-connect-window", slowConnectWindow), ("--neighbor-timeout", neighborTimeout), ("--flow-idle-timeout", flowIdleTimeout)] where !(value >= 0 && value.isFinite) {
            throw ValidationError("\(name) must be a non-negative number of seconds")
        }
    }

    var configuration: RuleConfiguration {
        var c = RuleConfiguration()
        c.synRetries = synRetries
        c.synTimeout = synTimeout
        c.slowConnectThreshold = slowConnectThreshold
        c.slowConnectWindow = slowConnectWindow
        c.neighborTimeout = neighborTimeout
        c.flowIdleTimeout = flowIdleTimeout
        c.maxFlows = maxFlows
        c.maxFindings = maxFindings
        c.minimumSeverity = minimumSeverity
        var enabled = rules.isEmpty ? Set(RuleCatalogue.all.map(\.id)) : Set(rules.map(RuleID.init(rawValue:)))
        enabled.subtract(skippedRules.map(RuleID.init(rawValue:)))
        c.enabledRules = enabled
        return c
    }

    /// The options that differ from the defaults, as they would be typed (for reports).
    var effectiveOptions: [String] {
        var list: [String] = []
        let defaults = RuleConfiguration()
        for id in rules { list.append("--rule \(id)") }
        for id in skippedRules { list.append("--skip-rule \(id)") }
        if minimumSeverity != .info { list.append("--min-severity \(minimumSeverity.rawValue)") }
        if synRetries != defaults.synRetries { list.append("--syn-retries \(synRetries)") }
        if synTimeout != defaults.synTimeout { list.append("--syn-timeout \(synTimeout)") }
        if slowConnectThreshold != defaults.slowConnectThreshold { list.append("--slow-connect-threshold \(slowConnectThreshold)") }
        if slowConnectWindow != defaults.slowConnectWindow { list.append("--slow-connect-window \(slowConnectWindow)") }
        if neighborTimeout != defaults.neighborTimeout { list.append("--neighbor-timeout \(neighborTimeout)") }
        if flowIdleTimeout != defaults.flowIdleTimeout { list.append("--flow-idle-timeout \(flowIdleTimeout)") }
        if maxFlows != defaults.maxFlows { list.append("--max-flows \(maxFlows)") }
        if maxFindings != defaults.maxFindings { list.append("--max-findings \(maxFindings)") }
        return list
    }
}
