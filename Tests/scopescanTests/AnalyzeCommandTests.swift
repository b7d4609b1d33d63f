import Foundation
import Testing

@Suite("scopescan analyze: outputs and exit statuses")
struct AnalyzeCommandTests {
    @Test("text output names rule, severity, interface, flow, summary and frames")
    func textOutput() throws {
        let result = try run(["analyze", fixture("linux-own-linklocal-lo.pcapng")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("linklocal-on-loopback  warning"))
        #expect(result.stdout.contains("  lo\n"))
        #expect(result.stdout.contains("flow:    tcp [fe80::a:1%lo]:"))
        #expect(result.stdout.contains("frames:  1, 2, 3, 4, 5, 6, 7, 8, 9, 10"))
        #expect(result.stdout.contains("findings: 1 (linklocal-on-loopback 1)"))
        #expect(!result.stdout.contains("\u{1b}["), "no colour when piped")
    }

    @Test("JSON Lines: one object per finding with the stable keys, then a summary object")
    func jsonOutput() throws {
        let result = try run(["analyze", "--format", "json", fixture("macos-lo0-own-linklocal.pcap"), "--interface-name", "lo0"])
        #expect(result.status == 0)
        let lines = try jsonLines(result.stdout)
        #expect(lines.count == 4)
        for finding in lines.dropLast() {
            for key in ["rule", "severity", "frames", "first_frame", "interface", "flow", "summary", "details"] {
                #expect(finding[key] != nil, "missing \(key)")
            }
            let flow = try #require(finding["flow"] as? [String: Any])
            #expect(Set(flow.keys).isSuperset(of: ["src", "dst", "sport", "dport", "proto"]))
            #expect(finding["interface"] as? String == "lo0")
            #expect((flow["src"] as? String)?.hasSuffix("%lo0") == true, "scoped addresses")
        }
        #expect(lines[0]["rule"] as? String == "linklocal-on-loopback")
        #expect(lines[0]["first_frame"] as? Int == 1)
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        #expect(summary["packets"] as? Int == 17)
        #expect(summary["findings"] as? Int == 3)
    }

    @Test("--explain lists each finding's facts: text facts lines, a JSON explain array, a report list")
    func explain() throws {
        let plain = try run(["analyze", "--interface-name", "lo0", fixture("macos-lo0-own-linklocal.pcap")])
        #expect(!plain.stdout.contains("  facts:"))
        let text = try run(["analyze", "--explain", "--interface-name", "lo0", fixture("macos-lo0-own-linklocal.pcap")])
        #expect(text.status == 0)
        #expect(text.stdout.contains("  facts:\n    - interface: lo0, link type 0 (NULL)\n    - loopback: the interface is named lo0\n    - platform: macOS, from dlt-null-af30"))
        #expect(text.stdout.contains("    - SYNs in frames 1, 3, 5 with ISN 974859341"))
        let json = try jsonLines(try run(["analyze", "--format", "json", "--explain", fixture("precision/freebsd-lo0-own-global-slow.pcap")]).stdout)
        let slow = try #require(json.first { $0["rule"] as? String == "slow-connect" })
        let facts = try #require(slow["explain"] as? [String])
        #expect(facts.contains("client and server are the same address 2001:db8:f::8: the host's own address"))
        #expect((slow["details"] as? [String: Any])?["platform_evidence"] as? String == "dlt-null-af28")
        let unexplained = try jsonLines(try run(["analyze", "--format", "json", fixture("precision/freebsd-lo0-own-global-slow.pcap")]).stdout)
        #expect(unexplained.allSatisfy { $0["explain"] == nil })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-explain-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report.md").path
        #expect(try run(["analyze", "--explain", "--interface-name", "lo0", fixture("macos-lo0-own-linklocal.pcap"), "--report", report]).status == 0)
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(markdown.contains("**Facts it rests on**\n\n- interface: lo0, link type 0 (NULL)\n"))
    }

    @Test("a capture none of whose packets decode, and an interface of an unsupported link type, are warned about")
    func undecodableWarning() throws {
        let result = try run(["analyze", fixture("precision/undecodable-user0.pcapng")])
        #expect(result.status == 0)
        #expect(result.stderr.contains("interface usb-sniffer0 has link type 147"))
        #expect(result.stderr.contains("none of the 5 packets analysed could be decoded"))
        #expect(result.stdout.contains("  warning: none of the 5 packets analysed could be decoded"))
    }

    @Test("a two-interface pcapng attributes each finding to its interface, in text and JSON")
    func twoInterfaces() throws {
        let text = try run(["analyze", fixture("linux-two-interfaces.pcapng")]).stdout
        #expect(text.contains("  veth0\n  flow:    tcp [2001:db8:1::1]:"), "syn-unanswered attributed to veth0")
        #expect(text.contains("  lo\n  flow:    tcp [fe80::a:1%lo]:"), "linklocal-on-loopback attributed to lo")
        #expect(text.contains("interfaces: lo (EN10MB): 10, veth0 (EN10MB): 7"))
        let json = try jsonLines(try run(["analyze", "--format", "json", fixture("linux-two-interfaces.pcapng")]).stdout)
        #expect(json.compactMap { $0["rule"] == nil ? nil : "\($0["rule"]!)@\($0["interface"]!)" } == ["syn-unanswered@veth0", "linklocal-on-loopback@lo"])
    }

    @Test("clean traffic: no findings, exit 0")
    func clean() throws {
        let result = try run(["analyze", fixture("linux-clean.pcap"), fixture("linux-clean-lo.pcap")])
        #expect(result.status == 0)
        #expect(result.stdout.components(separatedBy: "findings: none").count == 3)
    }

    @Test("bad input: one line naming the file and the problem, exit 2", arguments: [
        (["analyze", "/nonexistent/capture.pcap"], "/nonexistent/capture.pcap: cannot open: No such file or directory"),
        (["analyze", "Fixtures/not-a-capture.pcap"], "not a pcap or pcapng capture"),
        (["analyze", "Fixtures/unsupported-linktype.pcap"], "link type 147"),
        (["analyze", "--filter", "ip6 and and", "Fixtures/linux-syn-dropped.pcap"], "bad filter expression 'ip6 and and'"),
        (["analyze", "--rule", "no-such-rule", "Fixtures/linux-syn-dropped.pcap"], "unknown rule 'no-such-rule'"),
        (["analyze", "--format", "xml", "Fixtures/linux-syn-dropped.pcap"], "xml"),
        (["analyze"], "give a capture file"),
    ])
    func badInput(_ arguments: [String], _ message: String) throws {
        let resolved = arguments.map { $0.hasPrefix("Fixtures/") ? fixture(String($0.dropFirst(9))) : $0 }
        let result = try run(resolved)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("scopescan: error: ") || result.stderr.contains("Error:"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Backtrace") && !result.stderr.contains("Fatal error"))
    }

    @Test("a capture cut mid-packet: findings from before the cut, a warning, exit 0")
    func truncated() throws {
        let result = try run(["analyze", "--format", "json", fixture("truncated.pcap")])
        #expect(result.status == 0)
        #expect(result.stderr.contains("scopescan: warning:"))
        #expect(result.stderr.contains("truncated.pcap"))
        let lines = try jsonLines(result.stdout)
        #expect(lines.first?["rule"] as? String == "syn-unanswered")
        #expect(lines.first?["frames"] as? [Int] == [1, 2])
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        #expect((summary["warnings"] as? [String])?.count == 1)
    }

    @Test("--filter keeps Wireshark frame numbers")
    func filterKeepsFrameNumbers() throws {
        let result = try run(["analyze", "--format", "json", "--filter", "icmp6", fixture("macos-lo0-own-linklocal.pcap")])
        let lines = try jsonLines(result.stdout)
        let icmp = try #require(lines.first { $0["rule"] as? String == "icmp-unreachable" })
        #expect(icmp["frames"] as? [Int] == [2, 4])
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        #expect(summary["packets"] as? Int == 17)
        #expect(summary["analysed"] as? Int == 4)
    }

    @Test("--fail-on gates on severity: 1 at or above, 0 below")
    func failOn() throws {
        #expect(try run(["analyze", "--fail-on", "error", fixture("linux-syn-dropped.pcap")]).status == 1)
        #expect(try run(["analyze", "--fail-on", "error", fixture("linux-own-linklocal-lo.pcap")]).status == 0)
        #expect(try run(["analyze", "--fail-on", "warning", fixture("linux-own-linklocal-lo.pcap")]).status == 1)
        #expect(try run(["analyze", "--fail-on", "warning", fixture("linux-clean.pcap")]).status == 0)
    }

    @Test("--color always paints rule ids; NO_COLOR is respected in auto mode")
    func colour() throws {
        let painted = try run(["analyze", "--color", "always", fixture("linux-syn-dropped.pcap")])
        #expect(painted.stdout.contains("\u{1b}[1;31msyn-unanswered\u{1b}[0m"))
        let plain = try run(["analyze", fixture("linux-syn-dropped.pcap")], environment: ["NO_COLOR": "1"])
        #expect(!plain.stdout.contains("\u{1b}["))
    }

    // util-linux script(1): `-e` and `-c` are not in the BSD one.
    @Test("a progress line on a terminal for big files, cleared at the end; none when stderr is not a terminal",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script") && isLinux))
    func progressLine() throws {
        // 70,000 Ethernet/IPv6/TCP records of 144 bytes: 10 MB, past the 8 MiB threshold.
        let frame = [UInt8](repeating: 0, count: 12) + [0x86, 0xdd, 0x60, 0, 0, 0, 0, 20, 6, 64]
            + [UInt8](repeating: 0, count: 15) + [1] + [UInt8](repeating: 0, count: 15) + [1]
            + [0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0]
        var file = Data([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])
        // Record header (little-endian): seconds, microseconds, captured 128, original 128; then
        // the frame padded with zeros to 128 bytes.
        var record = Data([0, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 128, 0, 0, 0])
        record.append(contentsOf: frame + [UInt8](repeating: 0, count: 128 - frame.count))
        for second in 0..<70_000 {
            record[0] = UInt8(truncatingIfNeeded: second); record[1] = UInt8(truncatingIfNeeded: second >> 8); record[2] = UInt8(truncatingIfNeeded: second >> 16)
            file.append(record)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-progress-\(getpid()).pcap").path
        try file.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        // script(1) runs the command on a pseudo-terminal: stdout and stderr both go to it.
        let onTerminal = try runTool("/usr/bin/script", ["-q", "-e", "-c", "'\(scopescanBinary.path)' analyze '\(path)'", "/dev/null"])
        #expect(onTerminal.status == 0, "\(onTerminal.stderr)")
        #expect(onTerminal.stdout.contains("\rscopescan: reading \(path): "), "no progress line")
        #expect(onTerminal.stdout.contains("% (16384 packets)"))
        #expect(onTerminal.stdout.contains("\r\u{1b}[K"), "the line is cleared before the summary")
        #expect(onTerminal.stdout.contains("summary: 70000 packets"))

        let piped = try run(["analyze", path])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "no progress when stderr is a pipe: \(piped.stderr)")

        // --report and --evidence read the file again: the line goes on through that pass (and
        // through the hash, when it is the slower), and is cleared before the summary.
        let report = path + ".md", evidence = path + ".evidence.pcapng"
        defer { try? FileManager.default.removeItem(atPath: report); try? FileManager.default.removeItem(atPath: evidence) }
        let withEvidence = try runTool("/usr/bin/script", ["-q", "-e", "-c", "'\(scopescanBinary.path)' analyze '\(path)' --report '\(report)' --evidence '\(evidence)'", "/dev/null"])
        #expect(withEvidence.status == 0, "\(withEvidence.stderr)")
        #expect(withEvidence.stdout.contains("\rscopescan: reading \(path): "), "no progress line for the analysis")
        #expect(withEvidence.stdout.contains("\rscopescan: reading \(path) again for the report and evidence: "), "no progress line for the evidence pass")
        let last = try #require(withEvidence.stdout.range(of: "summary: 70000 packets"))
        #expect(withEvidence.stdout[..<last.lowerBound].hasSuffix("\r\u{1b}[K") || withEvidence.stdout[..<last.lowerBound].contains("\r\u{1b}[K"), "cleared before the summary")
    }

    @Test("rules lists every rule id, in text and JSON")
    func rules() throws {
        let text = try run(["rules"])
        let ids = ["linklocal-on-loopback", "syn-unanswered", "slow-connect", "icmp-unreachable", "scope-violation", "embedded-scope-id", "ipv4-mapped-on-wire", "loopback-address-off-loopback", "nonlocal-on-loopback", "same-flow-multiple-interfaces", "tcp-refused", "neighbor-unresolved", "kernel-drop"]
        for id in ids { #expect(text.stdout.contains(id)) }
        let json = try jsonLines(try run(["rules", "--format", "json"]).stdout)
        #expect(json.compactMap { $0["id"] as? String } == ids)
        #expect(json.allSatisfy { ($0["references"] as? [String])?.isEmpty == false })
    }
}

@Suite("JSON Lines follow docs/json-schema.md")
struct JSONSchemaTests {
    /// The documented type of every top-level finding key.
    nonisolated(unsafe) static let findingTypes: [String: (Any) -> Bool] = [
        "rule": { $0 is String }, "severity": { ["info", "warning", "error"].contains($0 as? String ?? "") },
        "frames": { ($0 as? [Int])?.isEmpty == false }, "first_frame": { $0 is Int },
        "interface": { $0 is String || $0 is NSNull }, "flow": { $0 is [String: Any] || $0 is NSNull },
        "summary": { ($0 as? String)?.isEmpty == false }, "details": { $0 is [String: Any] },
        "time": { ($0 as? String)?.hasSuffix("Z") == true }, "last_time": { $0 is String },
        "count": { ($0 as? Int ?? 0) >= 1 }, "related": { $0 is [String] },
        "event_type": { $0 as? String == "finding" },
    ]

    @Test("every finding of every fixture has exactly the documented keys and types", arguments: [
        "macos-lo0-own-linklocal.pcap", "freebsd-lo0-slow-connect.pcap", "linux-icmp6-unreachable.pcap", "linux-two-interfaces.pcapng",
        "scope-violation.pcap", "openbsd-embedded-scope.pcap", "linux-neighbor-unresolved.pcap", "linux-tcp-refused.pcap",
    ])
    func schema(_ name: String) throws {
        let lines = try jsonLines(try run(["analyze", "--format", "json", fixture(name)]).stdout)
        let findings = lines.dropLast()
        #expect(!findings.isEmpty)
        for finding in findings {
            #expect(Set(finding.keys) == Set(Self.findingTypes.keys))
            for (key, check) in Self.findingTypes {
                #expect(check(finding[key] as Any), "\(name): \(key) = \(String(describing: finding[key]))")
            }
            if let flow = finding["flow"] as? [String: Any] {
                #expect(flow["src"] is String && flow["dst"] is String && flow["proto"] is String)
                #expect((flow["sport"] is Int || flow["sport"] is NSNull) && (flow["dport"] is Int || flow["dport"] is NSNull))
            }
            let frames = finding["frames"] as? [Int] ?? []
            #expect(finding["first_frame"] as? Int == frames.min())
        }
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        for key in ["packets", "analysed", "ipv6", "ipv4", "decode_errors", "tcp_connection_attempts", "flows_evicted", "findings"] {
            #expect(summary[key] is Int, "summary.\(key)")
        }
        #expect(summary["findings"] as? Int == findings.count)
    }
}

@Suite("--config files")
struct ConfigFileTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-\(UUID().uuidString).conf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("options from the file apply; the command line wins")
    func fileThenCommandLine() throws {
        let path = try write("# lab thresholds\nsyn-retries = 4\nskip-rule = nonlocal-on-loopback, tcp-refused\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try run(["analyze", "--config", path, fixture("linux-syn-dropped.pcap")]).stdout.contains("findings: none"))
        #expect(try run(["analyze", "--config", path, "--syn-retries", "2", fixture("linux-syn-dropped.pcap")]).stdout.contains("findings: 1 (syn-unanswered 1)"))
        #expect(try run(["analyze", "--config", path, fixture("linux-tcp-refused.pcap")]).stdout.contains("findings: none"))
    }

    @Test("an unknown option or a malformed line names the file and line, exit 2")
    func errors() throws {
        let unknown = try write("syn-retries = 3\nbogus = 1\n")
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        let result = try run(["analyze", "--config", unknown, fixture("linux-syn-dropped.pcap")])
        #expect(result.status == 2 && result.stderr.contains("\(unknown):2: unknown option 'bogus'"))
        let malformed = try write("syn-retries 3\n")
        defer { try? FileManager.default.removeItem(atPath: malformed) }
        #expect(try run(["analyze", "--config", malformed, fixture("linux-syn-dropped.pcap")]).stderr.contains(":1: expected 'option = value'"))
        #expect(try run(["analyze", "--config", "/nonexistent.conf", fixture("linux-syn-dropped.pcap")]).status == 2)
    }
}
