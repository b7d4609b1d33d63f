/// A tunable number of a rule (or of the engine), declared once beside the code that reads it.
/// The command-line option (`--NAME`), the `--config` key (`NAME = value`), the help text, the
/// catalogue's "Thresholds" line and the report's "analysed by" line are all derived from it.
public struct ThresholdDeclaration: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A whole number (SYNs, flows, findings).
        case count
        /// Seconds, fractional allowed.
        case seconds
    }

    /// The long option without dashes and the config-file key: "syn-retries".
    public var name: String
    public var kind: Kind
    public var defaultValue: Double
    /// The smallest accepted value.
    public var minimum: Double
    /// What the number counts, for help and the catalogue: "SYNs", "seconds", "flows".
    public var unit: String
    public var help: String

    public var option: String { "--\(name)" }
    public var valueName: String { kind == .count ? "N" : "SECONDS" }

    /// The value as a user would type it: "2", "60", "2.5".
    public func text(_ value: Double) -> String {
        if kind == .count || (value == value.rounded() && abs(value) < 1e15) { return String(Int(value)) }
        return "\(value)"
    }

    /// "--syn-retries N (default 2 SYNs)"
    public var catalogueText: String { "\(option) \(valueName) (default \(text(defaultValue)) \(unit))" }

    /// Parses a value typed for this threshold; the error is one line naming the option.
    public func parse(_ text: String) -> Result<Double, ThresholdError> {
        let value: Double?
        switch kind {
        case .count: value = Int(text).map(Double.init)
        case .seconds: value = Double(text).flatMap { $0.isFinite ? $0 : nil }
        }
        guard let value else {
            return .failure(ThresholdError(description: "\(option) expects \(kind == .count ? "a whole number" : "a number of seconds"), got '\(text)'"))
        }
        guard value >= minimum else {
            let what = kind == .count ? "at least \(self.text(minimum))" : (minimum == 0 ? "a non-negative number of seconds" : "at least \(self.text(minimum)) seconds")
            return .failure(ThresholdError(description: "\(option) must be \(what)"))
        }
        return .success(value)
    }
}

public struct ThresholdError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The number types a threshold can hold.
public protocol ThresholdNumber: Sendable {
    static var thresholdKind: ThresholdDeclaration.Kind { get }
    init(thresholdValue: Double)
    var thresholdValue: Double { get }
}

extension Int: ThresholdNumber {
    public static var thresholdKind: ThresholdDeclaration.Kind { .count }
    public init(thresholdValue: Double) { self = Int(thresholdValue) }
    public var thresholdValue: Double { Double(self) }
}

extension Double: ThresholdNumber {
    public static var thresholdKind: ThresholdDeclaration.Kind { .seconds }
    public init(thresholdValue: Double) { self = thresholdValue }
    public var thresholdValue: Double { self }
}

/// A typed handle on a declared threshold: `configuration[SynUnansweredRule.retries]` is an Int.
public struct Threshold<Value: ThresholdNumber>: Sendable {
    public let declaration: ThresholdDeclaration

    public init(_ name: String, default defaultValue: Value, minimum: Value, unit: String, help: String) {
        declaration = ThresholdDeclaration(name: name, kind: Value.thresholdKind, defaultValue: defaultValue.thresholdValue,
                                           minimum: minimum.thresholdValue, unit: unit, help: help)
    }

    public var defaultValue: Value { Value(thresholdValue: declaration.defaultValue) }
}

/// Thresholds and switches for the rule set. Each threshold holds its declared default until set.
public struct RuleConfiguration: Sendable {
    private var values: [String: Double] = [:]
    /// Rules to run (`--rule`, `--skip-rule`); nil runs all.
    public var enabledRules: Set<RuleID>?
    /// Findings below this severity are dropped (`--min-severity`).
    public var minimumSeverity: Severity = .info

    public init() {}

    public func isEnabled(_ rule: RuleID) -> Bool { enabledRules?.contains(rule) ?? true }

    public subscript<Value>(_ threshold: Threshold<Value>) -> Value {
        get { values[threshold.declaration.name].map(Value.init(thresholdValue:)) ?? threshold.defaultValue }
        set { values[threshold.declaration.name] = newValue.thresholdValue }
    }

    /// The value of a declared threshold, by declaration (the CLI and config files set them so).
    public func value(of declaration: ThresholdDeclaration) -> Double { values[declaration.name] ?? declaration.defaultValue }

    public mutating func set(_ declaration: ThresholdDeclaration, to value: Double) { values[declaration.name] = value }
}

/// Thresholds of the engine rather than of one rule: the bounds on its tables.
public enum EngineThresholds {
    public static let flowIdleTimeout = Threshold<Double>("flow-idle-timeout", default: 300, minimum: 0, unit: "seconds",
        help: "Seconds of capture time a tracked flow may stay idle before it is forgotten.")
    public static let maxFlows = Threshold<Int>("max-flows", default: 100_000, minimum: 16, unit: "flows",
        help: "Most flows tracked at once; older ones are evicted (the summary says how many).")
    public static let maxFindings = Threshold<Int>("max-findings", default: 10_000, minimum: 1, unit: "findings",
        help: "Most distinct findings kept; further ones are only counted.")

    public static let all = [flowIdleTimeout.declaration, maxFlows.declaration, maxFindings.declaration]
}

extension RuleConfiguration {
    /// `--flow-idle-timeout`
    public var flowIdleTimeout: Double {
        get { self[EngineThresholds.flowIdleTimeout] }
        set { self[EngineThresholds.flowIdleTimeout] = newValue }
    }
    /// `--max-flows`
    public var maxFlows: Int {
        get { self[EngineThresholds.maxFlows] }
        set { self[EngineThresholds.maxFlows] = newValue }
    }
    /// `--max-findings`
    public var maxFindings: Int {
        get { self[EngineThresholds.maxFindings] }
        set { self[EngineThresholds.maxFindings] = newValue }
    }
}
