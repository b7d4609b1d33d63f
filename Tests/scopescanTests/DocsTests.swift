import Foundation
import Testing

@Suite("docs/ stays true to the code")
struct DocsTests {
    @Test("docs/rules.md is exactly `scopescan rules --format markdown`")
    func ruleCatalogue() throws {
        let generated = try run(["rules", "--format", "markdown"]).stdout
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(generated == committed, "regenerate with: swift run scopescan rules --format markdown > docs/rules.md")
    }

    @Test("every decode JSON key the program prints is documented in docs/decode-json.md")
    func decodeKeysDocumented() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/decode-json.md"), encoding: .utf8)
        var keys = Set<String>()
        for name in ["ipv6-ext-headers.pcap", "ipv4-options-icmp.pcap", "linktype-pktap.pcap", "linux-neighbor-unresolved.pcap"] {
            for object in try jsonLines(try run(["decode", "--format", "json", fixture(name)]).stdout) {
                collectKeys(object, prefix: "", into: &keys)
            }
        }
        for key in keys.sorted() {
            #expect(doc.contains("`\(key)`"), "docs/decode-json.md does not document `\(key)`")
        }
    }

    @Test("every finding JSON key is documented in docs/json-schema.md")
    func findingKeysDocumented() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/json-schema.md"), encoding: .utf8)
        var keys = Set<String>()
        for name in ["macos-lo0-own-linklocal.pcap", "freebsd-lo0-slow-connect.pcap", "linux-icmp6-unreachable.pcap", "scope-violation.pcap"] {
            for object in try jsonLines(try run(["analyze", "--format", "json", fixture(name)]).stdout) {
                for (key, value) in object where key != "details" {
                    keys.insert(key)
                    if let nested = value as? [String: Any], key != "findings_by_rule" && key != "findings_suppressed" {
                        for inner in nested.keys { keys.insert("\(key).\(inner)") }
                    }
                }
            }
        }
        for key in keys.sorted() {
            #expect(doc.contains("`\(key)`"), "docs/json-schema.md does not document `\(key)`")
        }
    }

    func collectKeys(_ object: [String: Any], prefix: String, into keys: inout Set<String>) {
        for (key, value) in object {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            keys.insert(path)
            if let nested = value as? [String: Any] { collectKeys(nested, prefix: path, into: &keys) }
            if let list = value as? [[String: Any]] { for item in list { collectKeys(item, prefix: path, into: &keys) } }
        }
    }
}
