import Foundation
import Testing

/// The layout docs/architecture.md promises: a rule declared in one place reaches every output,
/// OS calls stay behind the platform layer, files stay small, user-facing text cites public sources.
@Suite("Architecture: declarations, platform layer, file sizes, citations")
struct ArchitectureTests {
    static func sources(under folder: String) throws -> [(path: String, text: String)] {
        let root = repositoryRoot.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var files: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            files.append((url.path.replacingOccurrences(of: repositoryRoot.path + "/", with: ""), try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    static func catalogue() throws -> [[String: Any]] {
        try jsonLines(try run(["rules", "--format", "json"]).stdout)
    }

    @Test("every rule declared in Sources/ScopeScanRules is in the catalogue, the docs and the options")
    func declaredRulesReachEveryOutput() throws {
        var declaredIDs: [String] = []
        var declarations = 0
        let idPattern = try Regex(#"public static let \w+ = RuleID\(rawValue: "([a-z0-9-]+)"\)"#)
        for (_, text) in try Self.sources(under: "Sources/ScopeScanRules") {
            declarations += text.components(separatedBy: "static let declaration = RuleDeclaration(").count - 1
            for match in text.matches(of: idPattern) { declaredIDs.append(String(match.output[1].substring!)) }
        }
        let catalogue = try Self.catalogue()
        let listed = catalogue.compactMap { $0["id"] as? String }
        #expect(declarations == listed.count, "a rule declares itself but RuleCatalogue.declarations does not list it")
        #expect(Set(declaredIDs) == Set(listed), "rule ids declared: \(declaredIDs.sorted()); listed: \(listed.sorted())")

        let docs = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let help = try run(["analyze", "--help"]).stdout
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-arch-\(getpid()).conf")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for rule in catalogue {
            let id = try #require(rule["id"] as? String)
            #expect(docs.contains("\n## \(id)\n"), "docs/rules.md has no section for \(id)")
            #expect(try run(["analyze", "--rule", id, fixture("linux-clean.pcap")]).status == 0, "--rule \(id) refused")
            for threshold in rule["thresholds"] as? [String] ?? [] {
                let option = String(threshold.split(separator: " ")[0])
                #expect(help.contains(option), "analyze --help does not list \(option) of \(id)")
                // The config key is the option without dashes; its default must be accepted.
                let value = threshold.split(separator: "(default ")[1].split(separator: " ")[0]
                try "\(option.dropFirst(2)) = \(value)\n".write(to: scratch, atomically: true, encoding: .utf8)
                #expect(try run(["analyze", "--config", scratch.path, fixture("linux-clean.pcap")]).status == 0, "config key for \(option) refused")
                #expect(try run(["analyze", option, String(value), fixture("linux-clean.pcap")]).status == 0, "\(option) \(value) refused")
            }
            #expect(!(rule["details"] as? [String: Any] ?? [:]).isEmpty, "\(id) declares no details schema")
        }
    }

    @Test("every details key a finding prints is in its rule's declared schema")
    func detailKeysDeclared() throws {
        var schema: [String: Set<String>] = [:]
        for rule in try Self.catalogue() {
            schema[rule["id"] as! String] = Set((rule["details"] as? [String: Any] ?? [:]).keys)
        }
        let captures = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Fixtures").path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        var checked = 0
        for name in captures {
            let result = try run(["analyze", "--format", "json", fixture(name)])
            guard result.status == 0 else { continue }
            for line in try jsonLines(result.stdout) {
                guard let rule = line["rule"] as? String, let details = line["details"] as? [String: Any] else { continue }
                for key in details.keys {
                    #expect(schema[rule]?.contains(key) == true, "\(name): \(rule) prints details.\(key), which its declaration does not list")
                }
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    @Test("OS calls go through ScopeScanSystem; Linux-only facilities sit behind #if os(Linux)")
    func platformLayer() throws {
        let linuxOnly = ["IP_FREEBIND", "AF_NETLINK", "NETLINK_ROUTE", "RTM_GETROUTE", "SO_BINDTODEVICE", "PR_SET_NO_NEW_PRIVS",
                         "PR_SET_KEEPCAPS", "prctl(", "setns(", "CLONE_NEWNET", "epoll_", "inotify_", "\"/proc/", "\"/sys/"]
        var problems: [String] = []
        for (path, text) in try Self.sources(under: "Sources") {
            var branches: [String] = []
            var inMultilineString = false
            for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                // Help texts and other multi-line strings mention these names; they are not uses.
                if line.components(separatedBy: "\"\"\"").count % 2 == 0 { inMultilineString.toggle(); continue }
                if inMultilineString { continue }
                if line.hasPrefix("#if ") { branches.append(line); continue }
                if line.hasPrefix("#elseif ") { if !branches.isEmpty { branches[branches.count - 1] = line }; continue }
                if line == "#else" { if !branches.isEmpty { branches[branches.count - 1] = "#else !" + branches[branches.count - 1] }; continue }
                if line.hasPrefix("#endif") { _ = branches.popLast(); continue }
                if line.hasPrefix("//") || line.hasPrefix("///") { continue }
                let code = line.components(separatedBy: " //").first ?? line
                let inLinux = branches.contains { $0.contains("os(Linux)") && !$0.hasPrefix("#else !") }
                let inGlibc = branches.contains { $0.contains("canImport(Glibc)") && !$0.hasPrefix("#else !") }
                let place = "\(path):\(number + 1)"
                if (code.hasPrefix("import Glibc") || code.hasPrefix("import Darwin") || code.hasPrefix("import Musl") || code.contains("@_exported import Glibc"))
                    && !path.hasPrefix("Sources/ScopeScanSystem/") {
                    problems.append("\(place): imports the C library directly; import ScopeScanSystem")
                }
                if code.contains("Glibc.") && !inGlibc { problems.append("\(place): Glibc.-qualified call outside #if canImport(Glibc)") }
                for name in linuxOnly where code.contains(name) && !inLinux {
                    // Mentions in user-facing text are fine; uses are not.
                    let outsideStrings = code.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
                    if name.hasPrefix("\"") ? code.contains(name) : outsideStrings.contains(name) {
                        problems.append("\(place): Linux-only \(name) outside #if os(Linux)")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("no source file exceeds 450 lines; the CLI's probe is a thin shell")
    func fileSizes() throws {
        for (path, text) in try Self.sources(under: "Sources") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            #expect(lines <= 450, "\(path) has \(lines) lines")
            if path == "Sources/scopescan/Probe.swift" { #expect(lines <= 150, "the probe command has \(lines) lines") }
        }
    }

    @Test("user-facing text cites public sources, never the word 'seed'")
    func noSeedReferences() throws {
        var texts = try Self.sources(under: "Sources")
        for doc in ["README.md", "docs/architecture.md", "docs/rules.md", "docs/platforms.md", "docs/performance.md", "docs/json-schema.md", "docs/decode-json.md", "Fixtures/README.md", "Fixtures/craft.py", "Fixtures/make-fixtures.sh"] {
            texts.append((doc, try String(contentsOf: repositoryRoot.appendingPathComponent(doc), encoding: .utf8)))
        }
        // "seed 000", "seeds 001, 004", "the seed's experiment": references to the private write-ups
        // (a random seed or a fuzzing seed is another word).
        let pattern = try Regex(#"(?i)\bseeds?[ -]0\d\d|shared/seeds|\bthe seed\b|\bseed's"#)
        for (path, text) in texts {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(pattern) {
                Issue.record("\(path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        // Outputs: the rule catalogue and a report's findings.
        #expect(!(try run(["rules"]).stdout.contains(pattern)))
        #expect(!(try run(["analyze", "--interface-name", "lo0", fixture("macos-lo0-own-linklocal.pcap")]).stdout.contains(pattern)))
        #expect(!(try run(["analyze", fixture("freebsd-lo0-slow-connect.pcap")]).stdout.contains(pattern)))
    }
}
