import ScopeScanPackets
import ScopeScanWire

/// Aggregates findings: one per rule and key (a flow, an address), counting repeats and collecting
/// frames, with a hard cap on how many distinct findings are kept.
public struct FindingCollector {
    public struct Key: Hashable {
        public var rule: RuleID
        public var interface: Int
        public var flow: FlowDescription?
        public var discriminator: UInt64

        public init(rule: RuleID, interface: Int, flow: FlowDescription?, discriminator: UInt64 = 0) {
            self.rule = rule
            self.interface = interface
            self.flow = flow
            self.discriminator = discriminator
        }
    }

    let configuration: RuleConfiguration
    private let maxFindings: Int
    private(set) var findings: [Finding] = []
    private var index: [Key: Int] = [:]
    /// Findings not stored because the cap was reached, per rule.
    public private(set) var suppressed: [RuleID: Int] = [:]
    /// Called with each finding as it is first recorded (streaming output).
    var onNewFinding: ((Finding) -> Void)?

    init(configuration: RuleConfiguration) {
        self.configuration = configuration
        maxFindings = configuration.maxFindings
    }

    func accepts(_ rule: RuleID, _ severity: Severity) -> Bool {
        configuration.isEnabled(rule) && severity >= configuration.minimumSeverity
    }

    /// Adds a frame to the finding under `key`, or creates it with `make` on first sight (unless
    /// it would be dropped: `make` builds text, and past the cap every packet of a hostile capture
    /// can be a new key).
    mutating func record(_ key: Key, severity: Severity, frame: Int, time: Timestamp, make: () -> Finding) {
        if !touch(key, frame: frame, time: time) && !declines(key.rule, severity) { add(key, make()) }
    }

    /// Whether a new finding of `rule` is dropped: the rule is off or below `--min-severity`, or
    /// the cap is reached (then it is counted as suppressed). `add` asks it too; rules ask first to
    /// skip building a finding that would be thrown away.
    mutating func declines(_ rule: RuleID, _ severity: Severity) -> Bool {
        guard accepts(rule, severity) else { return true }
        guard findings.count < maxFindings else {
            suppressed[rule, default: 0] += 1
            return true
        }
        return false
    }

    /// Counts another frame for an existing finding; false when there is none under `key`.
    @discardableResult
    mutating func touch(_ key: Key, frame: Int, time: Timestamp) -> Bool {
        guard let position = index[key] else { return false }
        findings[position].count += 1
        findings[position].lastTime = max(findings[position].lastTime, time)
        if findings[position].frames.count < Finding.maximumFrames { findings[position].frames.append(frame) }
        return true
    }

    /// Adds a finding that is complete as it is (a concluded connection attempt).
    mutating func add(_ key: Key?, _ finding: Finding) {
        guard !declines(finding.rule, finding.severity) else { return }
        if let key { index[key] = findings.count }
        findings.append(finding)
        onNewFinding?(finding)
    }

    /// Changes a finding already recorded (e.g. to link an ICMP error to the scope violation it shows).
    mutating func update(_ key: Key, _ change: (inout Finding) -> Void) {
        guard let position = index[key] else { return }
        change(&findings[position])
    }

    /// Ties each drop to the findings whose frames include its frame and adds the kernel's word to
    /// them; returns the drops no finding took.
    mutating func attach(_ drops: [KernelDropRecord]) -> [KernelDropRecord] {
        var byFrame: [Int: [Int]] = [:]
        for (position, finding) in findings.enumerated() {
            for frame in finding.frames { byFrame[frame, default: []].append(position) }
        }
        var perFinding: [Int: [KernelDropRecord]] = [:]
        var unexplained: [KernelDropRecord] = []
        for drop in drops {
            guard let frame = drop.frame, let positions = byFrame[frame] else { unexplained.append(drop); continue }
            for position in positions { perFinding[position, default: []].append(drop) }
        }
        for (position, list) in perFinding { findings[position].attachKernelDrops(list) }
        return unexplained
    }

    /// Findings ordered by the time of their first frame, then by frame.
    public func sorted() -> [Finding] {
        findings.enumerated().sorted { a, b in
            if a.element.firstTime != b.element.firstTime { return a.element.firstTime < b.element.firstTime }
            let fa = a.element.firstFrame ?? 0, fb = b.element.firstFrame ?? 0
            if fa != fb { return fa < fb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
