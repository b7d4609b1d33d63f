import Foundation
import Testing
import ScopeScanRules

/// Fixtures/precision/expectations.json is the single source: every fixture there is analysed and
/// every expectation it lists is asserted (keys explained in the file's `about`).
@Suite("Precision fixtures (Fixtures/precision/expectations.json)")
struct PrecisionTests {
    struct Case: CustomStringConvertible, Sendable {
        var file: String
        var fixtureClass: String
        /// The fixture's object, re-serialised (JSON values are not Sendable).
        var json: Data
        var description: String { "\(file) (class \(fixtureClass))" }
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:] }
    }

    static let cases: [Case] = {
        let url = fixturesDirectory.appendingPathComponent("precision/expectations.json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let fixtures = root["fixtures"] as? [[String: Any]] else { return [] }
        return fixtures.compactMap { entry in
            guard let file = entry["file"] as? String, let json = try? JSONSerialization.data(withJSONObject: entry) else { return nil }
            return Case(file: file, fixtureClass: entry["class"] as? String ?? "?", json: json)
        }
    }()

    @Test("expectations.json lists the 30 fixtures of the directory")
    func everyFixtureListed() throws {
        let directory = fixturesDirectory.appendingPathComponent("precision")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        #expect(Set(files) == Set(Self.cases.map(\.file)))
        #expect(Self.cases.count >= 30)
    }

    static func matches(_ finding: Finding, _ spec: String) -> Bool {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard finding.rule.rawValue == parts[0] else { return false }
        return parts.count == 1 || finding.severity.rawValue == parts[1]
    }

    static func equal(_ value: DetailValue?, _ expected: Any) -> Bool {
        switch (value, expected) {
        case (.bool(let b)?, let e as Bool): return b == e
        case (.string(let s)?, let e as String): return s == e
        case (.int(let i)?, let e as Int): return i == e
        default: return false
        }
    }

    @Test("every expectation holds", arguments: cases)
    func expectations(_ fixture: Case) throws {
        let object = fixture.object
        let (findings, summary) = try analyse("precision/" + fixture.file)
        let seen = findings.map { "\($0.rule.rawValue):\($0.severity.rawValue) \($0.frames)" }
        for spec in object["expected_absent"] as? [String] ?? [] {
            #expect(!findings.contains { Self.matches($0, spec) }, "\(spec) must be absent; got \(seen)")
        }
        for spec in object["expected_present"] as? [String] ?? [] {
            #expect(findings.contains { Self.matches($0, spec) }, "\(spec) must be present; got \(seen)")
        }
        for (rule, values) in object["expected_details"] as? [String: [String: Any]] ?? [:] {
            let ofRule = findings.filter { $0.rule.rawValue == rule }
            #expect(!ofRule.isEmpty, "\(rule) expected with details \(values)")
            for (key, value) in values {
                #expect(ofRule.contains { Self.equal($0.detail(key), value) }, "\(rule).\(key) must be \(value); got \(ofRule.map { $0.detail(key).map { "\($0)" } ?? "nil" })")
            }
        }
        for (rule, keys) in object["expected_details_absent"] as? [String: [String]] ?? [:] {
            for finding in findings where finding.rule.rawValue == rule {
                for key in keys { #expect(finding.detail(key) == nil, "\(rule) must not carry \(key)") }
            }
        }
        for (rule, words) in object["expected_summary_excludes"] as? [String: [String]] ?? [:] {
            for finding in findings where finding.rule.rawValue == rule {
                for word in words { #expect(!finding.summary.contains(word), "\(rule) summary must not say \(word): \(finding.summary)") }
            }
        }
        for (rule, frames) in object["expected_absent_frames"] as? [String: [Int]] ?? [:] {
            for finding in findings where finding.rule.rawValue == rule {
                #expect(Set(finding.frames).isDisjoint(with: frames), "\(rule) must not cover frames \(frames): \(finding.frames)")
            }
        }
        for (rule, frames) in object["expected_present_frames"] as? [String: [Int]] ?? [:] {
            #expect(findings.contains { $0.rule.rawValue == rule && Set(frames).isSubset(of: $0.frames) }, "a \(rule) finding must cover \(frames); got \(seen)")
        }
        if let groups = object["expected_same_verdict_frames"] as? [[Int]] {
            // Flagged off loopback or not: the same for every group.
            let verdicts = groups.map { group in
                findings.contains { $0.rule == .loopbackAddressOffLoopback && !Set($0.frames).isDisjoint(with: group) }
            }
            #expect(Set(verdicts).count == 1, "groups \(groups) got different loopback verdicts: \(seen)")
        }
        if object["expected_summary_warning"] as? Bool == true {
            #expect(!summary.warnings.isEmpty, "the summary must carry a warning")
        }
    }

    @Test("every finding on the precision fixtures states the facts it rests on", arguments: cases)
    func facts(_ fixture: Case) throws {
        let (findings, _) = try analyse("precision/" + fixture.file)
        for finding in findings {
            #expect(!finding.facts.isEmpty, "\(finding.rule) on \(finding.frames) has no facts")
        }
    }
}
