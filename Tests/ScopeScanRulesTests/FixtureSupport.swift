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

/// An analysis as comparable text: every finding (with its facts), the summary, the warnings and
/// the loopback verdicts. Two analysers that agree on these print the same (details are tuples,
/// so findings are not Equatable). The differential tests compare analysers with it.
func analysisOutcome(_ analyzer: Analyzer, findings: [Finding]? = nil) -> [String] {
    let findings = (findings ?? analyzer.finish()).map { f in
        "\(f.rule) \(f.severity) \(f.firstTime.nanoseconds)-\(f.lastTime.nanoseconds) \(f.interfaceIndex ?? -1) \(f.interface ?? "-") \(f.flow.map { "\($0)" } ?? "-") | \(f.summary) | \(f.details) | \(f.facts) | \(f.frames) \(f.count) \(f.related)"
    }
    let s = analyzer.summary
    let summary = "\(s.packets) \(s.analysed) \(s.ipv4) \(s.ipv6) \(s.decodeErrors) \(s.connectionAttempts) \(s.flowsEvicted) \(s.peakFlowsTracked) \(String(describing: s.firstTime)) \(String(describing: s.lastTime)) \(s.findingsByRule.sorted { $0.key < $1.key }) \(s.suppressedByRule.sorted { $0.key < $1.key }) \(s.packetsByInterface.sorted { $0.key < $1.key })"
    let verdicts = analyzer.interfaces.loopbackVerdicts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    return findings + [summary] + s.warnings + verdicts
}

/// SplitMix64: the same random packets on every run.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }
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
