import Foundation
import Testing

/// Live capture end to end: the real binary captures inside network namespaces while real kernel
/// traffic flows (Tests/live/live-scenarios.sh), is stopped with SIGINT, and its streamed findings,
/// summary and -w file are checked; the -w file is analysed again and must give the same findings.
@Suite("scopescan capture in network namespaces", .serialized, .enabled(if: LiveEnvironment.available, LiveEnvironment.reason))
struct LiveCaptureTests {
    struct Outcome {
        var status: Int32
        var findings: [[String: Any]]
        var summary: [String: Any]
        var capturePath: String
        var directory: URL
    }

    func scenario(_ name: String) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-live-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repositoryRoot.appendingPathComponent("Tests/live/live-scenarios.sh").path, name, scopescanBinary.path, directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "scenario \(name) script failed")
        let status = Int32((try? String(contentsOf: directory.appendingPathComponent("status"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        let lines = try jsonLines(String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8))
        let summary = lines.last?["summary"] as? [String: Any] ?? [:]
        return Outcome(status: status, findings: lines.filter { $0["rule"] != nil }, summary: summary, capturePath: directory.appendingPathComponent("capture.pcapng").path, directory: directory)
    }

    /// The -w file analysed offline: same rules on the same flows.
    func reanalysed(_ outcome: Outcome) throws -> [[String: Any]] {
        let result = try run(["analyze", "--format", "json", outcome.capturePath])
        #expect(result.status == 0)
        return try jsonLines(result.stdout).filter { $0["rule"] != nil }
    }

    func key(_ finding: [String: Any]) -> String {
        let flow = finding["flow"] as? [String: Any] ?? [:]
        return "\(finding["rule"] ?? "") \(finding["interface"] ?? "") \(flow["src"] ?? "") \(flow["dst"] ?? "") \(flow["dport"] ?? "") first \(finding["first_frame"] ?? "")"
    }

    func captureStats(_ outcome: Outcome) -> [String: [String: Any]] {
        var byName: [String: [String: Any]] = [:]
        for entry in outcome.summary["capture"] as? [[String: Any]] ?? [] {
            if let name = entry["interface"] as? String { byName[name] = entry }
        }
        return byName
    }

    @Test("--kernel-drops: each finding's frames carry the kernel's reason; drops of another namespace never appear")
    func kernelDrops() throws {
        let outcome = try scenario("kernel-drops")
        defer { try? FileManager.default.removeItem(at: outcome.directory) }
        #expect(outcome.status == 0)
        let stderr = (try? String(contentsOf: outcome.directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        #expect(stderr.contains("kernel drop reasons: tracing skb:kfree_skb"), "\(stderr)")
        func drops(_ finding: [String: Any]) -> [(frame: Int?, reason: String, location: String?)] {
            (finding["kernel_drops"] as? [[String: Any]] ?? []).map { ($0["frame"] as? Int, $0["reason"] as? String ?? "", $0["location"] as? String) }
        }
        func finding(_ rule: String, dport: Int) throws -> [String: Any] {
            try #require(outcome.findings.first { $0["rule"] as? String == rule && ($0["flow"] as? [String: Any])?["dport"] as? Int == dport }, "no \(rule) for port \(dport)")
        }
        // An nftables input drop: every SYN of the syn-unanswered, frame by frame.
        let unanswered = try finding("syn-unanswered", dport: 8080)
        let synFrames = try #require(unanswered["frames"] as? [Int])
        #expect(synFrames.count == 3)
        #expect(drops(unanswered).map(\.frame) == synFrames.map { Optional($0) })
        #expect(drops(unanswered).allSatisfy { $0.reason == "NETFILTER_DROP" && $0.location == "nft_do_chain" })
        #expect((unanswered["summary"] as? String)?.contains("all 3 SYNs were dropped by the kernel: NETFILTER_DROP in nft_do_chain (a firewall rule)") == true)
        // A closed port: NO_SOCKET on the SYN, beside tcp-refused.
        let refused = try finding("tcp-refused", dport: 8081)
        #expect(drops(refused).map(\.reason) == ["NO_SOCKET"])
        #expect(drops(refused).first?.frame == (refused["frames"] as? [Int])?.first)
        #expect(drops(refused).first?.location == "tcp_v6_rcv")
        // A crafted ::1 source on the veth: IP_INHDR beside loopback-address-off-loopback.
        let martian = try finding("loopback-address-off-loopback", dport: 8082)
        #expect(drops(martian).map(\.reason) == ["IP_INHDR"])
        #expect(drops(martian).first?.frame == (martian["frames"] as? [Int])?.first)
        // A non-local destination with forwarding off, and IPv6 disabled on the link: nothing else
        // explains them, so kernel-drop does, tied to the frame of each SYN.
        let notLocal = try finding("kernel-drop", dport: 8083)
        #expect(drops(notLocal).map(\.reason) == ["IP_INADDRERRORS"])
        #expect(drops(notLocal).first?.location == "ip6_forward")
        #expect(drops(notLocal).first?.frame == (notLocal["frames"] as? [Int])?.first && drops(notLocal).first?.frame != nil)
        let disabled = try finding("kernel-drop", dport: 8084)
        #expect(drops(disabled).map(\.reason) == ["IPV6DISABLED"])
        #expect(drops(disabled).first?.frame == (disabled["frames"] as? [Int])?.first && drops(disabled).first?.frame != nil)
        // The third namespace dropped SYNs to [::1]:8080 all along: none of them is here.
        for found in outcome.findings {
            let flow = found["flow"] as? [String: Any] ?? [:]
            #expect(flow["dst"] as? String != "::1" && flow["src"] as? String != "::1" || found["rule"] as? String == "loopback-address-off-loopback")
        }
        #expect(outcome.summary["kernel_drops"] as? Int == 7)
        // The report shows the kernel's word: a kernel column and a note in the sequence diagram;
        // the evidence pcapng has the reason in the packet comments.
        let report = try String(contentsOf: outcome.directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("| what | kernel |"))
        #expect(report.contains("dropped: NETFILTER_DROP in nft_do_chain"))
        #expect(report.contains("Note over S: dropped by the kernel: NETFILTER_DROP in nft_do_chain"))
        let comments = try runTool("/usr/bin/tshark", ["-r", outcome.directory.appendingPathComponent("evidence.pcapng").path, "-T", "fields", "-e", "frame.comment"])
        #expect(comments.stdout.contains("dropped by the kernel: IP_INHDR in ip6_rcv_core"))
    }

    @Test("own link-local address through lo: rerouted, accepted, owner named; clean SIGINT stop")
    func ownLinkLocal() throws {
        let outcome = try scenario("own-linklocal")
        defer { try? FileManager.default.removeItem(at: outcome.directory) }
        #expect(outcome.status == 0)
        let finding = try #require(outcome.findings.first { $0["rule"] as? String == "linklocal-on-loopback" })
        #expect(finding["interface"] as? String == "lo")
        #expect((finding["summary"] as? String)?.contains("belongs to veth0 (scope id") == true)
        let flow = try #require(finding["flow"] as? [String: Any])
        #expect(flow["dst"] as? String == "fe80::a:1%lo" && flow["dport"] as? Int == 12981)
        // The kernel's own route for the address with its owner's scope: local, via lo.
        let route = try #require(finding["route"] as? [String: Any])
        #expect(route["type"] as? String == "local" && route["dev"] as? String == "lo" && route["table"] as? String == "local" && route["scope"] as? String == "veth0", "\(route)")
        let stats = captureStats(outcome)
        #expect(Set(stats.keys) == ["lo", "veth0"])
        #expect(stats.values.allSatisfy { $0["dropped"] as? Int == 0 })
        #expect((stats["lo"]?["seen"] as? Int ?? 0) >= 10, "the TCP exchange on lo")
        #expect(Set(try reanalysed(outcome).map(key)) == Set(outcome.findings.map(key)))
    }

    @Test("SYNs dropped by nftables: syn-unanswered streams out when --syn-timeout passes")
    func synDropped() throws {
        let outcome = try scenario("syn-dropped")
        defer { try? FileManager.default.removeItem(at: outcome.directory) }
        #expect(outcome.status == 0)
        let finding = try #require(outcome.findings.first { $0["rule"] as? String == "syn-unanswered" })
        #expect(finding["frames"] as? [Int] == [1, 2, 3])
        let details = try #require(finding["details"] as? [String: Any])
        #expect(details["concluded_by"] as? String == "timeout", "reported while capturing, not at exit")
        #expect(finding["interface"] as? String == "veth0")
        let offline = try reanalysed(outcome)
        #expect(offline.map { $0["rule"] as? String } == ["syn-unanswered"])
        #expect(offline.first?["frames"] as? [Int] == [1, 2, 3])
    }

    @Test("a router namespace's ICMPv6 no-route error is tied to the SYN it killed")
    func icmpFromRouter() throws {
        let outcome = try scenario("icmp6-unreachable")
        defer { try? FileManager.default.removeItem(at: outcome.directory) }
        #expect(outcome.status == 0)
        let finding = try #require(outcome.findings.first { $0["rule"] as? String == "icmp-unreachable" })
        let details = try #require(finding["details"] as? [String: Any])
        #expect(details["code"] as? Int == 0 && details["reported_by"] as? String == "2001:db8:1::fe")
        let flow = try #require(finding["flow"] as? [String: Any])
        #expect(flow["dst"] as? String == "2001:db8:99::1" && flow["dport"] as? Int == 80)
        #expect(details["quoted_syn_frames"] != nil)
        #expect(Set(try reanalysed(outcome).map { $0["rule"] as? String ?? "" }) == Set(outcome.findings.map { $0["rule"] as? String ?? "" }))
    }

    @Test("UDP to a closed port on ::1: ICMPv6 port unreachable on lo")
    func udpPortUnreachable() throws {
        let outcome = try scenario("udp-unreachable-lo")
        defer { try? FileManager.default.removeItem(at: outcome.directory) }
        #expect(outcome.status == 0)
        let finding = try #require(outcome.findings.first)
        #expect(finding["rule"] as? String == "icmp-unreachable" && finding["interface"] as? String == "lo")
        #expect((finding["details"] as? [String: Any])?["code_name"] as? String == "port unreachable")
        #expect(outcome.summary["packets"] as? Int == 2)
    }

    @Test("-i any: SLL2 tags each packet with its interface name")
    func anyInterface() throws {
        let outcome = try scenario("any")
        defer { try? FileManager.default.removeItem(at: outcome.directory) }
        #expect(outcome.status == 0)
        #expect(outcome.findings.first?["interface"] as? String == "lo")
        let interfaces = outcome.summary["interfaces"] as? [[String: Any]] ?? []
        #expect(interfaces.contains { $0["name"] as? String == "lo" && $0["linktype"] as? Int == 276 })
    }

    @Test("errors: unknown interface lists the valid ones; bad filter; no permission; exit 2")
    func errors() throws {
        let unknown = try run(["capture", "-i", "no-such-if0"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no interface named no-such-if0; capturable interfaces:") && unknown.stderr.contains("lo"))
        let filter = try run(["capture", "-i", "lo", "ip6", "and", "and"])
        #expect(filter.status == 2 && filter.stderr.contains("bad filter expression 'ip6 and and'"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", scopescanBinary.path, "capture", "-i", "lo", "-c", "1"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if !text.contains("Permission denied") || text.contains("needs root") {
                #expect(process.terminationStatus == 2)
                #expect(text.contains("needs root or CAP_NET_RAW; e.g. sudo setcap cap_net_raw,cap_net_admin+eip"), "stderr: \(text)")
            }
        }
    }
}

enum LiveEnvironment {
    /// Namespaces need root and iproute2; CI runs as root, so there these tests always run.
    static let available: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    static let reason: Comment = "live capture tests need root and iproute2 to create network namespaces"
}
