import Foundation
import Testing

@Suite("tcpdump habits, many files, JSON event types, config files")
struct HabitsTests {
    @Test("-r FILE with a trailing BPF expression filters as --filter does; -n is accepted")
    func readOptionWithExpression() throws {
        let name = fixture("linux-two-interfaces.pcapng")
        let tcpdumpWay = try run(["analyze", "--format", "json", "-n", "-r", name, "ip6", "and", "tcp"])
        let filterWay = try run(["analyze", "--format", "json", "--filter", "ip6 and tcp", name])
        #expect(tcpdumpWay.status == 0, "\(tcpdumpWay.stderr)")
        #expect(tcpdumpWay.stdout == filterWay.stdout)
        let summary = try #require(try jsonLines(tcpdumpWay.stdout).last?["summary"] as? [String: Any])
        #expect((summary["analysed"] as? Int ?? 0) < (summary["packets"] as? Int ?? 0))
        let decoded = try run(["decode", "-r", name, "-n", "icmp6"])
        #expect(decoded.status == 0)
        #expect(decoded.stdout.split(separator: "\n").allSatisfy { $0.contains("icmp6") })
        #expect(!decoded.stdout.isEmpty)
    }

    @Test("-c N stops after N packets, for analyze and decode")
    func count() throws {
        let result = try run(["analyze", "--format", "json", "-c", "2", fixture("macos-lo0-own-linklocal.pcap")])
        let summary = try #require(try jsonLines(result.stdout).last?["summary"] as? [String: Any])
        #expect(summary["analysed"] as? Int == 2)
        #expect(summary["packets"] as? Int == 2)
        let decoded = try run(["decode", "-c", "2", fixture("macos-lo0-own-linklocal.pcap")])
        #expect(decoded.stdout.split(separator: "\n").count == 2)
        let piped = try shell("cat \"$F/linux-two-interfaces.pcapng\" | \"$S\" decode -c 3 -", in: FileManager.default.temporaryDirectory)
        #expect(piped.stdout.split(separator: "\n").count == 3)
    }

    @Test("analyse is analyze")
    func alias() throws {
        let british = try run(["analyse", "--format", "json", fixture("macos-lo0-own-linklocal.pcap")])
        #expect(british.status == 0)
        #expect(british.stdout == (try run(["analyze", "--format", "json", fixture("macos-lo0-own-linklocal.pcap")])).stdout)
        #expect(try run(["analyse", "--syn-retries", "3", fixture("macos-lo0-own-linklocal.pcap")]).status == 0)
    }

    @Test("help with an unknown command is an error: exit 2, one line")
    func helpUnknown() throws {
        let result = try run(["help", "nosuch"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("unknown command 'nosuch'"))
        #expect(try run(["help", "analyze"]).status == 0)
        #expect(try run(["help", "analyse"]).status == 0)
    }

    @Test("many files, one missing: a line for it, the others analysed, exit 2")
    func manyFilesOneMissing() throws {
        let result = try run(["analyze", "--format", "json", fixture("macos-lo0-own-linklocal.pcap"), "/nonexistent/x.pcap", fixture("linux-two-interfaces.pcapng")])
        #expect(result.status == 2)
        #expect(result.stderr == "scopescan: error: /nonexist" + "ent/x.pcap: cannot open: No such file or directory\n")
        let lines = try jsonLines(result.stdout)
        #expect(lines.filter { $0["event_type"] as? String == "summary" }.count == 2)
        let text = try run(["analyze", fixture("macos-lo0-own-linklocal.pcap"), "/nonexistent/x.pcap", fixture("not-a-capture.pcap"), fixture("linux-two-interfaces.pcapng")])
        #expect(text.status == 2)
        #expect(text.stderr.split(separator: "\n").count == 2)
        #expect(text.stdout.split(separator: "\n").filter { $0.hasPrefix("summary: ") }.count == 2)
    }

    @Test("every JSON line starts with event_type; several files put file after it")
    func eventTypes() throws {
        let result = try run(["analyze", "--format", "json", fixture("macos-lo0-own-linklocal.pcap"), fixture("linux-two-interfaces.pcapng")])
        let raw = result.stdout.split(separator: "\n")
        #expect(raw.count > 2)
        for line in raw {
            #expect(line.hasPrefix("{\"event_type\":\"finding\",\"file\":") || line.hasPrefix("{\"event_type\":\"summary\",\"summary\":"), "\(line)")
        }
        for object in try jsonLines(try run(["analyze", "--format", "json", fixture("freebsd-lo0-slow-connect.pcap")]).stdout) {
            let type = object["event_type"] as? String
            #expect(type == (object["rule"] != nil ? "finding" : "summary"))
        }
    }

    @Test("decode JSON carries interface_id, tshark's frame.interface_id; 0 for classic pcap")
    func interfaceID() throws {
        let name = fixture("linux-two-interfaces.pcapng")
        let ids = try jsonLines(try run(["decode", "--format", "json", name]).stdout).map { $0["interface_id"] as? Int ?? -1 }
        #expect(Set(ids) == [0, 1])
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark") {
            let tshark = try runTool("/usr/bin/tshark", ["-r", name, "-T", "fields", "-e", "frame.interface_id"])
            #expect(tshark.stdout.split(separator: "\n").map { Int($0) ?? -1 } == ids)
        }
        let pcap = try jsonLines(try run(["decode", "--format", "json", fixture("macos-lo0-own-linklocal.pcap")]).stdout)
        #expect(pcap.allSatisfy { $0["interface_id"] as? Int == 0 })
    }

    @Test("ICMP quotes print IPv6 endpoints with ports in brackets")
    func bracketedQuotes() throws {
        let text = try run(["decode", fixture("macos-lo0-own-linklocal.pcap")]).stdout
        #expect(text.contains("quoting [fe80::8f1:f892:9152:9106]:50001 > [fe80::8f1:f892:9152:9105]:12981 tcp"))
    }

    func config(_ text: String, _ directory: URL, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func rules(_ arguments: [String]) throws -> Set<String> {
        let result = try run(["analyze", "--format", "json"] + arguments + [fixture("macos-lo0-own-linklocal.pcap")])
        #expect(result.status == 0, "\(result.stderr)")
        return Set(try jsonLines(result.stdout).compactMap { $0["rule"] as? String })
    }

    @Test("config files: quoted values, lists, repeated --config (later wins, the command line over all)")
    func configFiles() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let all: Set<String> = ["linklocal-on-loopback", "syn-unanswered", "icmp-unreachable"]
        #expect(try rules([]) == all)
        let quoted = try config("skip-rule = \"linklocal-on-loopback\"  # a comment\n", directory, "quoted.conf")
        #expect(try rules(["--config", quoted]) == ["syn-unanswered", "icmp-unreachable"])
        let single = try config("skip-rule = 'syn-unanswered'\n", directory, "single.conf")
        #expect(try rules(["--config", single]) == ["linklocal-on-loopback", "icmp-unreachable"])
        let bracketed = try config("rule = [\"syn-unanswered\", 'icmp-unreachable']\n", directory, "list.conf")
        #expect(try rules(["--config", bracketed]) == ["syn-unanswered", "icmp-unreachable"])
        let commas = try config("rule = syn-unanswered, linklocal-on-loopback\n", directory, "commas.conf")
        #expect(try rules(["--config", commas]) == ["syn-unanswered", "linklocal-on-loopback"])
        let errors = try config("min-severity = \"error\"\n", directory, "errors.conf")
        let warnings = try config("min-severity = warning\n", directory, "warnings.conf")
        #expect(try rules(["--config", errors]) == ["syn-unanswered", "icmp-unreachable"])
        #expect(try rules(["--config", errors, "--config", warnings]) == all)
        #expect(try rules(["--config", warnings, "--config", errors]) == ["syn-unanswered", "icmp-unreachable"])
        #expect(try rules(["--config", errors, "--min-severity", "warning"]) == all)
        #expect(try rules(["--config", bracketed, "--config", commas]) == ["syn-unanswered", "linklocal-on-loopback"])
        let bad = try config("syn-retries = [3, 4]\n", directory, "bad.conf")
        let refused = try run(["analyze", "--config", bad, fixture("macos-lo0-own-linklocal.pcap")])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.conf:1: 'syn-retries': takes one value"), "\(refused.stderr)")
    }

    @Test("decode --config ignores the analysis-only keys")
    func decodeConfig() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lab = try config("skip-rule = \"tcp-refused\"\nsyn-retries = 3\nmin-severity = warning\nfail-on = error\n", directory, "lab.conf")
        let result = try run(["decode", "--config", lab, fixture("macos-lo0-own-linklocal.pcap")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try run(["decode", fixture("macos-lo0-own-linklocal.pcap")])).stdout)
        let unknown = try config("no-such-key = 1\n", directory, "unknown.conf")
        #expect(try run(["decode", "--config", unknown, fixture("macos-lo0-own-linklocal.pcap")]).status == 2)
    }
}
