/// One key of a rule's `details` object: the JSON detail schema, declared with the rule.
public struct DetailField: Sendable, Hashable {
    public enum ValueType: String, Sendable {
        case int, double, string, bool, ints, doubles, strings
    }

    public var key: String
    public var type: ValueType
    public var meaning: String

    public init(_ key: String, _ type: ValueType, _ meaning: String) {
        self.key = key
        self.type = type
        self.meaning = meaning
    }
}

/// What a rule needs to fire at one severity, and what it says when the evidence is partial.
public struct EvidenceRequirement: Sendable {
    public var severity: Severity
    public var requires: String

    public init(_ severity: Severity, _ requires: String) {
        self.severity = severity
        self.requires = requires
    }
}

/// Everything `scopescan rules`, docs/rules.md, the options and the reports say about a rule.
public struct RuleDescriptor: Sendable {
    public var id: RuleID
    public var severity: Severity
    public var title: String
    /// What the rule looks for, in one sentence.
    public var condition: String
    /// Why it matters, in plain words.
    public var explanation: String
    /// The operating-system behaviour behind it, citing the public write-ups.
    public var platformContext: String
    public var references: [String]
    /// The thresholds that tune it (some are shared: `syn-retries` tunes two rules).
    public var thresholds: [ThresholdDeclaration]
    /// The keys of its findings' `details`.
    public var details: [DetailField]
    /// The evidence it needs for each severity it reports at.
    public var evidence: [EvidenceRequirement]
    /// A real excerpt of its output, for docs/rules.md.
    public var example: String?

    public init(id: RuleID, severity: Severity, title: String, condition: String, explanation: String, platformContext: String,
                references: [String], thresholds: [ThresholdDeclaration] = [], details: [DetailField], evidence: [EvidenceRequirement] = [], example: String? = nil) {
        self.id = id
        self.severity = severity
        self.title = title
        self.condition = condition
        self.explanation = explanation
        self.platformContext = platformContext
        self.references = references
        self.thresholds = thresholds
        self.details = details
        self.evidence = evidence
        self.example = example
    }
}

/// What a rule is built from: the configuration and the connection tracker it may subscribe to.
public struct RuleEnvironment {
    public let configuration: RuleConfiguration
    let tracker: ConnectionTracker
}

/// A rule as it declares itself in its own file: the descriptor and how to build it.
public struct RuleDeclaration: Sendable {
    public let descriptor: RuleDescriptor
    let make: @Sendable (RuleEnvironment) -> Rule

    public init(_ descriptor: RuleDescriptor, make: @escaping @Sendable (RuleEnvironment) -> Rule) {
        self.descriptor = descriptor
        self.make = make
    }
}

/// The rule set. Adding a rule: write its file (declaration, details, logic), then add it here.
public enum RuleCatalogue {
    /// Every rule, in the order `scopescan rules` lists them.
    public static let declarations: [RuleDeclaration] = [
        LinkLocalOnLoopbackRule.declaration,
        SynUnansweredRule.declaration,
        SlowConnectRule.declaration,
        ICMPUnreachableRule.declaration,
        ScopeViolationRule.declaration,
        EmbeddedScopeIDRule.declaration,
        IPv4MappedOnWireRule.declaration,
        LoopbackAddressOffLoopbackRule.declaration,
        NonlocalOnLoopbackRule.declaration,
        SameFlowMultipleInterfacesRule.declaration,
        TCPRefusedRule.declaration,
        NeighborUnresolvedRule.declaration,
        KernelDropRule.declaration,
    ]

    public static let all: [RuleDescriptor] = declarations.map(\.descriptor)

    public static func descriptor(_ id: RuleID) -> RuleDescriptor? { all.first { $0.id == id } }

    /// Every threshold once: each rule's in catalogue order, then the engine's.
    public static let thresholds: [ThresholdDeclaration] = {
        var seen = Set<String>()
        return (all.flatMap(\.thresholds) + EngineThresholds.all).filter { seen.insert($0.name).inserted }
    }()
}
