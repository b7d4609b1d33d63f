import ArgumentParser
import ScopeScanReport
import ScopeScanRules

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the rules with their ids, severities, thresholds and references.")

    @Option(help: "Output format: text or json (one object per rule).")
    var format: OutputFormat = .text

    func run() throws {
        let out = OutputSink(fd: 1)
        for rule in RuleCatalogue.all {
            switch format {
            case .text:
                out.writeLine("\(rule.id)  (\(rule.severity))  \(rule.title)")
                out.writeLine("  looks for: \(rule.condition)")
                out.writeLine("  why:       \(rule.explanation)")
                out.writeLine("  platforms: \(rule.platformContext)")
                if !rule.thresholds.isEmpty { out.writeLine("  tune:      \(rule.thresholds.joined(separator: "; "))") }
                out.writeLine("  see:       \(rule.references.joined(separator: "; "))")
                out.writeLine("")
            case .json:
                var object = JSONObject()
                object.add("id", rule.id.rawValue)
                object.add("severity", rule.severity.rawValue)
                object.add("title", rule.title)
                object.add("condition", rule.condition)
                object.add("explanation", rule.explanation)
                object.add("platform_context", rule.platformContext)
                object.add("thresholds", strings: rule.thresholds)
                object.add("references", strings: rule.references)
                out.writeLine(object.closed)
            }
        }
        out.flush()
    }
}
