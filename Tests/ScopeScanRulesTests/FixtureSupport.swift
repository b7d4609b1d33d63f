import Foundation
import ScopeScanCapture
import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanWire

/// The repository's Fixtures/ directory, found from this file's path.
let fixturesDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

func fixture(_ name: String) -> String { fixturesDirectory.appendingPathComponent(name).path }

/// Runs the whole rule set over a fixture, as `scopescan analyze` does.
func analyse(_ name: String, configuration: RuleConfiguration = RuleConfiguration(), interfaceName: String? = nil) throws -> (findings: [Finding], summary: AnalysisSummary) {
    let source = try CaptureFile.open(path: fixture(name), interfaceName: interfaceName)
    let analysis = try CaptureAnalysis.run(source, filter: nil, makeAnalyzer: { Analyzer(configuration: configuration) })
    return (analysis.findings, analysis.analyzer.summary)
}

/// What a test expects of one finding.
struct Expected: CustomStringConvertible, Sendable {
    var rule: String
    var frames: [Int]
    var src: String? = nil
    var dst: String? = nil
    var sport: UInt16? = nil
    var dport: UInt16? = nil
    var interface: String? = nil

    var description: String { "\(rule) frames \(frames)" }

    func matches(_ finding: Finding) -> Bool {
        guard finding.rule.rawValue == rule, finding.frames == frames else { return false }
        if let src, finding.flow?.source.description != src { return false }
        if let dst, finding.flow?.destination.description != dst { return false }
        if let sport, finding.flow?.sourcePort != sport { return false }
        if let dport, finding.flow?.destinationPort != dport { return false }
        if let interface, finding.interface != interface { return false }
        return true
    }
}
