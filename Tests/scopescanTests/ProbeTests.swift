import Foundation
import Testing

/// A network namespace with lo up and veth0 (fe80::a:1/64, no DAD, no other link-local) whose peer
/// sits in a second namespace, plus an AnyIP route 2001:db8:123::/64 on lo: the setups of the blog
/// posts "IPv6 OSX Link-Local Strangeness" and "Non-Local Address Binds in Linux" in one place. Deleted by `remove()`.
struct ProbeNamespace {
    static let ipTool = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Namespaces need root and iproute2; nothing else skips these tests.
    static var available: Bool { getuid() == 0 && ipTool != nil }

    let name: String
    let peer: String

    init() throws {
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        name = "ssprobe-\(tag)"
        peer = "ssprobe-\(tag)-p"
        do {
            try setUp()
        } catch {
            remove()
            throw error
        }
    }

    private func setUp() throws {
        try ip(["netns", "add", name])
        try ip(["netns", "add", peer])
        for ns in [name, peer] {
            // No DAD, router solicitations or RAs: the addresses are usable at once and veth0 stays quiet.
            let settings = ["all", "default"].flatMap { scope in
                ["accept_dad=0", "router_solicitations=0", "accept_ra=0"].map { "echo \($0.split(separator: "=")[1]) > /proc/sys/net/ipv6/conf/\(scope)/\($0.split(separator: "=")[0])" }
            }
            try ip(["netns", "exec", ns, "/bin/sh", "-c", settings.joined(separator: "; ")])
            try ip(["-n", ns, "link", "set", "lo", "up"])
        }
        try ip(["link", "add", "veth0", "netns", name, "type", "veth", "peer", "name", "veth1", "netns", peer])
        // Only fe80::a:1 on veth0, so the probe's own link-local address is known.
        try ip(["-n", name, "link", "set", "veth0", "addrgenmode", "none"])
        try ip(["-n", name, "link", "set", "veth0", "up"])
        try ip(["-n", peer, "link", "set", "veth1", "up"])
        try ip(["-n", name, "-6", "addr", "add", "fe80::a:1/64", "dev", "veth0", "nodad"])
        try ip(["-n", name, "-6", "route", "add", "local", "2001:db8:123::/64", "dev", "lo"])
    }

    func remove() {
        _ = try? Self.tool(Self.ipTool ?? "ip", ["netns", "del", name])
        _ = try? Self.tool(Self.ipTool ?? "ip", ["netns", "del", peer])
    }

    func ip(_ arguments: [String]) throws {
        let result = try Self.tool(Self.ipTool ?? "ip", arguments)
        guard result.status == 0 else {
            throw NamespaceError(description: "ip \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
    }

    /// Runs scopescan inside the namespace, optionally through a prefix (setpriv to drop root).
    func scopescan(_ arguments: [String], prefix: [String] = []) throws -> RunResult {
        try Self.tool(Self.ipTool ?? "ip", ["netns", "exec", name] + prefix + [scopescanBinary.path] + arguments)
    }

    struct NamespaceError: Error, CustomStringConvertible { var description: String }

    static func tool(_ path: String, _ arguments: [String]) throws -> RunResult {
        try runTool(path, arguments)
    }
}

@Suite("probe: the own-link-local experiment in a network namespace")
struct ProbeTests {
    static let skipMessage = "needs root and iproute2 to create network namespaces"

    /// Attempts (by attempt kind and nonlocal option) and verdicts of a JSON run.
    struct Parsed {
        var attempts: [[String: Any]]
        var verdicts: [[String: Any]]

        init(_ stdout: String) throws {
            let lines = try jsonLines(stdout)
            attempts = lines.filter { $0["attempt"] != nil }
            verdicts = lines.compactMap { $0["verdict"] as? [String: Any] }
        }

        func attempt(_ kind: String, option: String? = nil) -> [String: Any]? {
            attempts.first { $0["attempt"] as? String == kind && $0["nonlocal_option"] as? String == option }
        }
    }

    @Test("as root: Linux verdict, packets on lo, EADDRNOTAVAIL without IP_FREEBIND and success with it (the link-local and non-local bind write-ups)",
          .enabled(if: ProbeNamespace.available, Comment(rawValue: skipMessage)))
    func linuxVerdict() throws {
        let namespace = try ProbeNamespace()
        defer { namespace.remove() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let evidence = directory.appendingPathComponent("e.pcapng").path
        let report = directory.appendingPathComponent("r.md").path

        let result = try namespace.scopescan(["probe", "--interface", "veth0", "--format", "json", "--timeout", "1", "--evidence", evidence, "--report", report])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try Parsed(result.stdout)

        let verdict = try #require(parsed.verdicts.first)
        #expect(verdict["interface"] as? String == "veth0")
        #expect(verdict["platform"] as? String == "Linux")
        #expect(verdict["behaviour"] as? String == "rerouted-accepted")
        #expect(verdict["text"] as? String == "own link-local traffic is rerouted via lo and accepted: Linux behaviour (the kernel routes fe80::a:1 with scope veth0 as local via lo, table local)")
        #expect(verdict["captured"] as? Bool == true)

        // "IPv6 OSX Link-Local Strangeness", on Linux: rerouted via lo, accepted there.
        let own = try #require(parsed.attempt("own-link-local"))
        #expect(own["address"] as? String == "fe80::a:1%veth0")
        #expect(own["port"] as? Int == 12981)
        #expect(own["bind"] as? String == "ok")
        #expect(own["connect"] as? String == "ok")
        #expect(own["accepted"] as? Bool == true)
        #expect(own["seen_on"] as? [String] == ["lo"])
        let packets = try #require(own["packets"] as? [String: Int])
        #expect(packets["veth0"] == 0)
        #expect((packets["lo"] ?? 0) >= 3, "SYN, SYN-ACK and ACK at least")
        #expect(own["syn_answered"] as? Bool == true)
        // The kernel's own route decision for it (netlink RTM_GETROUTE with the scope as oif).
        let route = try #require(own["route"] as? [String: Any])
        #expect(route["type"] as? String == "local" && route["dev"] as? String == "lo" && route["table"] as? String == "local", "\(route)")
        #expect(own["answer"] as? String == "SYN-ACK")
        #expect((own["findings"] as? [String] ?? []).contains("linklocal-on-loopback"))

        // "Non-Local Address Binds in Linux": a non-assigned address binds only with IP_FREEBIND (ip(7)).
        let other = try #require(parsed.attempt("other-in-prefix"))
        #expect(other["address"] as? String == "fe80::a:0%veth0")
        #expect(other["bind"] as? String == "EADDRNOTAVAIL")
        #expect(other["bind_errno"] as? Int == Int(EADDRNOTAVAIL))
        #expect(other["connect"] as? String == "not attempted")
        let freebound = try #require(parsed.attempt("other-in-prefix", option: "IP_FREEBIND"))
        #expect(freebound["bind"] as? String == "ok")
        #expect(freebound["connect"] as? String != "ok", "a free-bound, unassigned link-local address is not local")
        // ... even with an AnyIP route: IPv6 binds do no FIB lookup.
        let anyIP = try #require(parsed.attempt("anyip"))
        #expect(anyIP["anyip_route"] as? String == "2001:db8:123::/64 dev lo")
        #expect((anyIP["route"] as? [String: Any])?["type"] as? String == "local", "an AnyIP route is a local route")
        #expect(anyIP["bind"] as? String == "EADDRNOTAVAIL")
        let anyIPFreebind = try #require(parsed.attempt("anyip", option: "IP_FREEBIND"))
        #expect(anyIPFreebind["bind"] as? String == "ok")
        #expect(anyIPFreebind["connect"] as? String == "ok")
        #expect(anyIPFreebind["seen_on"] as? [String] == ["lo"])
        #expect((anyIPFreebind["findings"] as? [String] ?? []).contains("nonlocal-on-loopback"))

        // Every key is documented.
        let schema = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/json-schema.md"), encoding: .utf8)
        let probeSection = String(schema[(schema.range(of: "## probe")?.lowerBound ?? schema.endIndex)...])
        let keys = Set(parsed.attempts.flatMap(\.keys) + ["verdict"] + parsed.verdicts.flatMap(\.keys).map { "verdict.\($0)" })
        for key in keys.sorted() {
            #expect(probeSection.contains("`\(key)`"), "docs/json-schema.md (probe) does not document `\(key)`")
        }

        // The report and the evidence, as analyze writes them.
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(markdown.contains("## Findings"))
        #expect(markdown.contains("## Probe"))
        #expect(markdown.contains("rerouted via lo and accepted: Linux behaviour"))
        #expect(FileManager.default.fileExists(atPath: evidence))
        guard let fields = try EvidenceTests.tshark(["-r", evidence, "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name", "-e", "frame.comment"]) else {
            Issue.record("tshark is required to read the evidence (Scripts/install-deps.sh --test installs it)")
            return
        }
        let rows = fields.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let rerouted = rows.filter { $0.count == 2 && $0[1].contains("linklocal-on-loopback") }
        #expect(rerouted.count >= 3)
        #expect(rerouted.allSatisfy { $0[0] == "lo" })
    }

    @Test("unprivileged: bind and connect results only, with a note",
          .enabled(if: ProbeNamespace.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), Comment(rawValue: skipMessage + " and setpriv")))
    func unprivileged() throws {
        let namespace = try ProbeNamespace()
        defer { namespace.remove() }
        let drop = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
        let result = try namespace.scopescan(["probe", "--format", "json", "--timeout", "1", "--port", "20000"], prefix: drop)
        if result.status != 0 && result.stderr.contains("Permission denied") {
            Issue.record("nobody cannot execute \(scopescanBinary.path); build in a world-readable directory to run this test")
            return
        }
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try Parsed(result.stdout)
        let verdict = try #require(parsed.verdicts.first)
        #expect(verdict["captured"] as? Bool == false)
        #expect(verdict["behaviour"] as? String == "accepted-not-captured")
        #expect((verdict["notes"] as? [String] ?? []).contains { $0.hasPrefix("no capture (") && $0.contains("CAP_NET_RAW") })
        let own = try #require(parsed.attempt("own-link-local"))
        #expect(own["bind"] as? String == "ok")
        #expect(own["connect"] as? String == "ok")
        #expect(own["port"] as? Int == 20000)
        #expect(own["packets"] is NSNull)
        #expect(own["syn_answered"] is NSNull)
        #expect(parsed.attempt("other-in-prefix")?["bind"] as? String == "EADDRNOTAVAIL")
        #expect(parsed.attempt("other-in-prefix", option: "IP_FREEBIND")?["bind"] as? String == "ok")
    }

    @Test("bad interfaces are usage errors (exit 2, one line)")
    func badInterface() throws {
        let missing = try run(["probe", "--interface", "nosuch0", "--no-capture"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("scopescan: error: no interface named nosuch0"))
        let loopback = try run(["probe", "--interface", "lo", "--no-capture"])
        #expect(loopback.status == 2)
        #expect(loopback.stderr.contains("lo is the loopback interface"))
        let port = try run(["probe", "--port", "70000"])
        #expect(port.status == 2)
    }
}
