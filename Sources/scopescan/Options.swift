import ArgumentParser
import ScopeScanReport
import ScopeScanAnalysis

import ScopeScanSystem
import ScopeScanRules

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum ColourChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// Whether to paint: always, or on a terminal unless NO_COLOR is set (no-color.org).
    func isOn(for sink: OutputSink) -> Bool {
        self == .always || (self == .auto && sink.isTerminal && System.environment("NO_COLOR") == nil)
    }
}

extension Severity: ExpressibleByArgument {}

/// Rule selection and thresholds, shared by `analyze`, `capture` and `probe`. The thresholds are
/// not declared here: each rule declares its own (`RuleCatalogue.thresholds`), and
/// `ThresholdArguments` turns `--syn-retries 3` into `--threshold syn-retries=3` before parsing.
struct RuleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read these options from a file: one 'option = value' per line (e.g. 'syn-retries = 3', 'skip-rule = [\"tcp-refused\", \"nonlocal-on-loopback\"]'); repeatable, later files win, the command line over all.", valueName: "file"), completion: .file())
    var config: String?

    @Option(name: .customLong("rule"), help: ArgumentHelp("Run only this rule (repeatable). See 'scopescan rules'.", valueName: "id"), completion: .ruleIDs)
    var rules: [String] = []

    @Option(name: .customLong("skip-rule"), help: ArgumentHelp("Do not run this rule (repeatable).", valueName: "id"), completion: .ruleIDs)
    var skippedRules: [String] = []

    @Option(name: .customLong("min-severity"), help: "Drop findings below this severity (info, warning, error).")
    var minimumSeverity: Severity = .info

    /// Every `--NAME VALUE` of a declared threshold, rewritten; the last of a name wins.
    @Option(name: .customLong("threshold"), help: .hidden)
    var thresholds: [String] = []

    func validate() throws {
        let known = Set(RuleCatalogue.all.map(\.id.rawValue))
        for id in rules + skippedRules where !known.contains(id) {
            throw ValidationError("unknown rule '\(id)'; known rules: \(known.sorted().joined(separator: ", "))")
        }
        _ = try thresholdValues()
    }

    /// The thresholds set, parsed and checked against their declarations, in the order given.
    func thresholdValues() throws -> [(ThresholdDeclaration, Double)] {
        try thresholds.map { assignment in
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let declaration = RuleCatalogue.thresholds.first(where: { $0.name == parts[0] }) else {
                throw ValidationError("unknown threshold '\(assignment)'")
            }
            switch declaration.parse(parts[1]) {
            case .success(let value): return (declaration, value)
            case .failure(let error): throw ValidationError(error.description)
            }
        }
    }

    var configuration: RuleConfiguration {
        var c = RuleConfiguration()
        for (declaration, value) in (try? thresholdValues()) ?? [] { c.set(declaration, to: value) }
        c.minimumSeverity = minimumSeverity
        var enabled = rules.isEmpty ? Set(RuleCatalogue.all.map(\.id)) : Set(rules.map(RuleID.init(rawValue:)))
        enabled.subtract(skippedRules.map(RuleID.init(rawValue:)))
        c.enabledRules = enabled
        return c
    }

    /// The options that differ from the defaults, as they would be typed (for reports).
    var effectiveOptions: [String] {
        var list: [String] = []
        for id in rules { list.append("--rule \(id)") }
        for id in skippedRules { list.append("--skip-rule \(id)") }
        if minimumSeverity != .info { list.append("--min-severity \(minimumSeverity.rawValue)") }
        let configuration = self.configuration
        for declaration in RuleCatalogue.thresholds {
            let value = configuration.value(of: declaration)
            if value != declaration.defaultValue { list.append("\(declaration.option) \(declaration.text(value))") }
        }
        return list
    }
}

/// The declared thresholds on the command line: `--syn-retries 3` or `--syn-retries=3` after a
/// subcommand that analyses becomes `--threshold syn-retries=3`, which `RuleOptions` parses.
enum ThresholdArguments {
    /// The subcommands that take `RuleOptions`.
    static let analysingCommands: Set<String> = ["analyze", "analyse", "capture", "probe"]

    static func rewrite(_ arguments: [String]) throws(ScopeScanError) -> [String] {
        guard let command = arguments.first, analysingCommands.contains(command) else { return arguments }
        var out = [command]
        var index = 1
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                out += arguments[(index - 1)...]
                break
            }
            guard word.hasPrefix("--") else { out.append(word); continue }
            let body = word.dropFirst(2)
            let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            guard RuleCatalogue.thresholds.contains(where: { $0.name == name }) else { out.append(word); continue }
            if body.contains("=") {
                out += ["--threshold", String(body)]
            } else {
                guard index < arguments.count else { throw ScopeScanError("--\(name) needs a value") }
                out += ["--threshold", "\(name)=\(arguments[index])"]
                index += 1
            }
        }
        return out
    }

    /// The help section listing every declared threshold, for the analysing commands' help,
    /// wrapped here: the help printer re-wraps only lines wider than the terminal. Built once:
    /// three commands' configurations use it, and each is built at every start.
    static let help: String = {
        let indent = 32, width = 79
        var lines = ["Rule thresholds (declared by the rules; also 'NAME = value' in --config files):"]
        for declaration in RuleCatalogue.thresholds {
            let head = "  \(declaration.option) <\(declaration.valueName.lowercased())>"
            var line = head.count < indent ? head + String(repeating: " ", count: indent - head.count) : head
            if head.count >= indent { lines.append(line); line = String(repeating: " ", count: indent) }
            for word in "\(declaration.help) (default: \(declaration.text(declaration.defaultValue)))".split(separator: " ") {
                if line.count + word.count + 1 > width && line.count > indent {
                    lines.append(line)
                    line = String(repeating: " ", count: indent)
                }
                line += (line.count > indent ? " " : "") + word
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }()
}
