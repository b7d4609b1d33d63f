import ScopeScanPackets
import ScopeScanWire

/// How much a finding matters; ordered, so `--min-severity` and `--fail-on` compare.
public enum Severity: String, Sendable, Comparable, CaseIterable, Codable {
    case info, warning, error

    var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A rule's stable identifier, as users see it in every output and pass to `--rule`.
public struct RuleID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static func < (a: RuleID, b: RuleID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}

/// The addresses and ports a finding is about, as owned values.
public struct FlowDescription: Hashable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    public var proto: IPProtocol

    public init(source: IPAddress, destination: IPAddress, sourcePort: UInt16?, destinationPort: UInt16?, proto: IPProtocol) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.proto = proto
    }

    /// "tcp [fe80::1%lo0]:50001 → [fe80::2%lo0]:12981"
    public func text(interface: String?) -> String {
        func endpoint(_ address: IPAddress, _ port: UInt16?) -> String {
            let text = address.scopedText(interface: interface)
            guard let port else { return text }
            if case .v6 = address { return "[\(text)]:\(port)" }
            return "\(text):\(port)"
        }
        return "\(proto) \(endpoint(source, sourcePort)) → \(endpoint(destination, destinationPort))"
    }
}

/// A value in a finding's details: what JSON and the reports print.
public enum DetailValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case strings([String])
    case ints([Int])
    case doubles([Double])
}

/// A rule's own values about a finding, typed; `fields` is what JSON and the reports print, in
/// order, and its keys are the rule's declared `details` schema (a test checks every output).
public protocol FindingDetails: Sendable {
    var fields: [(String, DetailValue)] { get }
}

/// Builds `fields` in order, leaving out the values a finding does not have.
public struct DetailFields {
    public private(set) var fields: [(String, DetailValue)] = []
    public init() {}
    public mutating func add(_ key: String, _ value: DetailValue) { fields.append((key, value)) }
    public mutating func add(_ key: String, _ value: String?) { if let value { fields.append((key, .string(value))) } }
    public mutating func add(_ key: String, _ value: Int?) { if let value { fields.append((key, .int(value))) } }
    public mutating func add(_ key: String, _ value: Double) { fields.append((key, .double(value))) }
    public mutating func add(_ key: String, _ value: Bool) { fields.append((key, .bool(value))) }
    public mutating func add(_ key: String, _ value: [Int]?) { if let value { fields.append((key, .ints(value))) } }
    public mutating func add(_ key: String, _ value: [Double]) { fields.append((key, .doubles(value))) }
    public mutating func add(_ key: String, _ value: [String]) { fields.append((key, .strings(value))) }
}

/// One conclusion of a rule, with the frames that prove it.
public struct Finding: Sendable {
    public var rule: RuleID
    public var severity: Severity
    public var firstTime: Timestamp
    public var lastTime: Timestamp
    public var interfaceIndex: Int?
    public var interface: String?
    public var flow: FlowDescription?
    public var summary: String
    /// The rule's typed values (`SynUnansweredDetails`, …); reports read them by type.
    public var details: any FindingDetails
    /// Frame numbers that prove the finding (1-based), capped at `Finding.maximumFrames`.
    public var frames: [Int]
    /// How many packets or events were aggregated into this finding (frames may hold fewer).
    public var count: Int
    /// Other rules this finding is linked to (icmp-unreachable code 2 → scope-violation).
    public var related: [RuleID]

    /// What the kernel said of the finding's frames (live capture with `--kernel-drops`).
    public var kernelDrops: [KernelDropRecord] = []
    /// How the kernel routes the finding's destination now (live capture on Linux).
    public var route: RouteNote?
    /// The facts the finding rests on, in words (link type, why the interface was judged loopback,
    /// hop limits, who answered what): `--explain`, the JSON `explain` key and the Markdown report
    /// print them. The analyser adds the interface's facts first when it finishes.
    public var facts: [String] = []
    /// Set on a finding that holds only if its interface's final loopback verdict is this (the
    /// packet was judged on a provisional verdict); the analyser drops it at `finish` otherwise.
    public var requiresLoopback: Bool?

    public static let maximumFrames = 64

    public init(rule: RuleID, severity: Severity, time: Timestamp, interfaceIndex: Int?, interface: String?, flow: FlowDescription?, summary: String, details: any FindingDetails, frames: [Int], count: Int = 1, related: [RuleID] = []) {
        self.rule = rule
        self.severity = severity
        firstTime = time
        lastTime = time
        self.interfaceIndex = interfaceIndex
        self.interface = interface
        self.flow = flow
        self.summary = summary
        self.details = details
        self.frames = frames
        self.count = count
        self.related = related
    }

    public var firstFrame: Int? { frames.min() }

    /// A detail by its JSON key (for tests and generic consumers; rules and reports use the types).
    public func detail(_ key: String) -> DetailValue? { details.fields.first { $0.0 == key }?.1 }

    /// The details as the rule's own type, if they are of it.
    public func details<D: FindingDetails>(as type: D.Type) -> D? { details as? D }

    /// Changes the details in place when they are of type `D`.
    mutating func updateDetails<D: FindingDetails>(as type: D.Type, _ change: (inout D) -> Void) {
        guard var typed = details as? D else { return }
        change(&typed)
        details = typed
    }
}
