import Foundation
import Testing

/// A network namespace of the test's own (lo up, optional veths), deleted by `remove()` even when
/// the test fails.
final class SafetyNamespace {
    let name = "sssafe-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"

    init(veths: [String] = []) throws {
        do {
            try ip(["netns", "add", name])
            try ip(["-n", name, "link", "set", "lo", "up"])
            for veth in veths {
                try ip(["-n", name, "link", "add", veth, "type", "veth", "peer", "name", veth + "p"])
                try ip(["-n", name, "link", "set", veth, "up"])
                try ip(["-n", name, "link", "set", veth + "p", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    func remove() { _ = try? runTool("/usr/sbin/ip", ["netns", "del", name]) }

    func ip(_ arguments: [String]) throws {
        let result = try runTool("/usr/sbin/ip", arguments)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "ip \(arguments.joined(separator: " ")): \(result.stderr)"]) }
    }

    /// UDP datagrams to ::1 inside the namespace: traffic on its lo.
    func sendUDP(_ count: Int, port: Int = 9) throws {
        let script = "import socket\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\nfor i in range(\(count)): s.sendto(b'x',('::1',\(port)))"
        _ = try runTool("/usr/sbin/ip", ["netns", "exec", name, "/usr/bin/python3", "-c", script])
    }

    /// `scopescan ARGS` inside the namespace, in the background, stdout and stderr to files.
    func start(_ arguments: [String], directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        // ip netns exec execs the command itself: the process id is scopescan's.
        process.arguments = ["netns", "exec", name, scopescanBinary.path] + arguments
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        try process.run()
        return process
    }
}

func statusFields(_ pid: Int32) -> [String: String] {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
    }
    return fields
}

/// Waits until `condition` holds or `seconds` pass; whether it held.
func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

func waitExit(_ process: Process, _ seconds: Double) -> Bool {
    let done = waitFor(seconds) { !process.isRunning }
    if !done { process.interrupt(); usleep(200_000); if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    process.waitUntilExit()
    return done
}

@Suite("capture: signals, lost interfaces, privileges, killed mid-write", .serialized, .enabled(if: LiveEnvironment.available, LiveEnvironment.reason))
struct CaptureSafetyTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-capsafe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let tshark = ["/usr/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Packets tshark reads from `path`, or nil without tshark; a read error is a test failure.
    static func tsharkCount(_ path: String) throws -> Int? {
        guard let tshark else { return nil }
        let result = try runTool(tshark, ["-r", path, "-T", "fields", "-e", "frame.number"])
        #expect(result.status == 0, "tshark: \(result.stderr)")
        return result.stdout.split(separator: "\n").count
    }

    /// Started: the -w file holds its header and the process has given up root.
    static func ready(_ process: Process, _ file: String, dropped: Bool = true) -> Bool {
        waitFor(8) {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let uid = statusFields(process.processIdentifier)["Uid"] ?? ""
            return size > 0 && (!dropped || (!uid.isEmpty && !uid.hasPrefix("0")))
        }
    }

    @Test("SIGHUP ends capture like SIGINT: summary, complete pcapng, exit 0; while running: nobody, CapEff 0, NoNewPrivs 1")
    func hangupAndPrivileges() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let process = try namespace.start(["capture", "-i", "lo", "--format", "json", "-w", file], directory: directory)
        #expect(Self.ready(process, file), "capture did not start")
        let status = statusFields(process.processIdentifier)
        #expect(status["Uid"]?.split(separator: "\t").allSatisfy { $0 == "65534" } == true, "Uid \(status["Uid"] ?? "?")")
        #expect(status["Gid"]?.split(separator: "\t").allSatisfy { $0 == "65534" } == true, "Gid \(status["Gid"] ?? "?")")
        #expect(status["Groups"] == "", "supplementary groups \(status["Groups"] ?? "?")")
        #expect(status["CapEff"] == "0000000000000000" && status["CapPrm"] == "0000000000000000")
        #expect(status["CapBnd"] == "0000000000000000" && status["CapAmb"] == "0000000000000000")
        #expect(status["NoNewPrivs"] == "1")
        try namespace.sendUDP(3)
        usleep(300_000)
        kill(process.processIdentifier, SIGHUP)
        #expect(waitExit(process, 5))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let lines = try jsonLines(String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8))
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        // lo shows every datagram twice: sent and received.
        #expect(summary["packets"] as? Int == 6)
        if let count = try Self.tsharkCount(file) { #expect(count == 6) }
        #expect(try run(["analyze", file]).status == 0)
    }

    @Test("-Z root keeps uid 0")
    func keepRoot() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let process = try namespace.start(["capture", "-Z", "root", "-i", "lo", "-w", file], directory: directory)
        #expect(Self.ready(process, file, dropped: false))
        usleep(200_000)
        #expect(statusFields(process.processIdentifier)["Uid"]?.hasPrefix("0\t") == true)
        process.interrupt()
        #expect(waitExit(process, 5))
        #expect(process.terminationStatus == 0)
    }

    @Test("SIGKILL mid-capture: the -w file holds whole blocks up to the last flush; tshark and scopescan read it")
    func killed() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let process = try namespace.start(["capture", "-i", "lo", "-w", file], directory: directory)
        #expect(Self.ready(process, file))
        try namespace.sendUDP(5)
        usleep(1_200_000) // more than a flush interval
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if let count = try Self.tsharkCount(file) { #expect(count == 10) }
        let decoded = try run(["decode", file])
        #expect(decoded.status == 0 && decoded.stderr.isEmpty, "\(decoded.stderr)")
        #expect(decoded.stdout.split(separator: "\n").count == 10)
    }

    @Test("SIGPIPE: stdout piped into head -c1; capture stops quietly, exit 0, files flushed")
    func brokenPipe() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        try namespace.ip(["-n", namespace.name, "-6", "addr", "add", "2001:db8:5::1/128", "dev", "lo", "nodad"])
        try namespace.ip(["-n", namespace.name, "-6", "addr", "add", "2001:db8:5::2/128", "dev", "lo", "nodad"])
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let command = "set -o pipefail; ip netns exec \(namespace.name) '\(scopescanBinary.path)' capture -i lo --duration 8 --format json -w '\(file)' 2>'\(directory.path)/stderr' | head -c1 >/dev/null"
        process.arguments = ["-c", command]
        let started = Date()
        try process.run()
        #expect(waitFor(8) { ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) > 0 })
        usleep(300_000)
        // Each source address is a flow of its own, each a nonlocal-on-loopback finding: one line
        // for head, the next one into the closed pipe.
        for source in ["2001:db8:5::1", "2001:db8:5::2"] {
            let script = "import socket\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\ns.bind(('\(source)',0))\ns.sendto(b'x',('\(source)',9))"
            _ = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, "/usr/bin/python3", "-c", script])
            usleep(300_000)
        }
        #expect(waitExit(process, 10))
        let elapsed = Date().timeIntervalSince(started)
        #expect(process.terminationStatus == 0, "pipeline status (scopescan's under pipefail)")
        #expect(elapsed < 7, "stopped by SIGPIPE, not by --duration: \(elapsed) s")
        #expect(try String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8).isEmpty, "quiet")
        if let count = try Self.tsharkCount(file) { #expect(count >= 2) }
    }

    @Test("an interface deleted and one brought down are reported within a second; capture goes on on lo; the only interface deleted: exit 1")
    func lostInterfaces() throws {
        let namespace = try SafetyNamespace(veths: ["ssv0", "ssv2"])
        defer { namespace.remove() }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let process = try namespace.start(["capture", "-i", "lo", "-i", "ssv0", "-i", "ssv2", "--format", "json", "-w", file], directory: directory)
        #expect(Self.ready(process, file))
        let stdout = directory.appendingPathComponent("stdout")
        func lost() -> [[String: Any]] {
            ((try? jsonLines(String(contentsOf: stdout, encoding: .utf8))) ?? []).filter { $0["event_type"] as? String == "interface_lost" }
        }
        let deleted = Date()
        try namespace.ip(["-n", namespace.name, "link", "del", "ssv0"])
        #expect(waitFor(3) { lost().count == 1 })
        let reportedAfter = Date().timeIntervalSince(deleted)
        #expect(reportedAfter <= 1.0, "deletion reported after \(reportedAfter) s")
        let down = Date()
        try namespace.ip(["-n", namespace.name, "link", "set", "ssv2", "down"])
        #expect(waitFor(3) { lost().count == 2 })
        #expect(Date().timeIntervalSince(down) <= 1.0, "link down reported after \(Date().timeIntervalSince(down)) s")
        let events = lost()
        #expect(events.first?["interface"] as? String == "ssv0" && events.last?["interface"] as? String == "ssv2")
        #expect((events.last?["reason"] as? String)?.contains("down") == true)
        #expect(process.isRunning, "capture goes on with lo")
        try namespace.sendUDP(2)
        usleep(300_000)
        process.interrupt()
        #expect(waitExit(process, 5))
        #expect(process.terminationStatus == 0)
        let lines = try jsonLines(String(contentsOf: stdout, encoding: .utf8))
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        // Two datagrams, each seen leaving and arriving on lo (the veths may have carried their own
        // IPv6 chatter before they went).
        let perInterface = summary["interfaces"] as? [[String: Any]] ?? []
        #expect(perInterface.first { $0["name"] as? String == "lo" }?["packets"] as? Int == 4, "\(perInterface)")
        let stderr = try String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)
        #expect(stderr.contains("ssv0: stopped capturing") && stderr.contains("ssv2: stopped capturing"), "\(stderr)")

        // The only interface goes away: the capture ends by itself with status 1, as tcpdump's.
        try namespace.ip(["-n", namespace.name, "link", "add", "ssv4", "type", "veth", "peer", "name", "ssv4p"])
        try namespace.ip(["-n", namespace.name, "link", "set", "ssv4", "up"])
        let alone = try namespace.start(["capture", "-i", "ssv4", "-w", file, "--force"], directory: directory)
        #expect(Self.ready(alone, file))
        try namespace.ip(["-n", namespace.name, "link", "del", "ssv4"])
        #expect(waitExit(alone, 4), "capture did not end when its only interface went away")
        #expect(alone.terminationStatus == 1)
    }

    @Test("scratch files: created with O_EXCL in $TMPDIR and removed (strace); capture --report without -w")
    func exclusiveScratch() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { return }
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tmp = directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        chmod(tmp.path, 0o1777)
        let trace = directory.appendingPathComponent("trace").path
        let report = directory.appendingPathComponent("r.md").path
        let result = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, "/usr/bin/env", "TMPDIR=\(tmp.path)", "/usr/bin/strace", "-f", "-e", "trace=openat,open,unlink,unlinkat,rename", "-o", trace,
                                                  scopescanBinary.path, "capture", "-i", "lo", "--duration", "1", "--report", report])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOfFile: trace, encoding: .utf8)
        let opens = log.split(separator: "\n").filter { $0.contains("scopescan-capture-") && $0.contains("O_CREAT") }
        #expect(!opens.isEmpty && opens.allSatisfy { $0.contains(tmp.path + "/scopescan-capture-") && $0.contains("O_CREAT") && $0.contains("O_EXCL") }, "\(opens)")
        let reportOpens = log.split(separator: "\n").filter { $0.contains("/.r.md.") && $0.contains("O_CREAT") }
        #expect(!reportOpens.isEmpty && reportOpens.allSatisfy { $0.contains("O_EXCL") }, "\(reportOpens)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "scratch file removed")
        #expect(FileManager.default.fileExists(atPath: report))
    }

    @Test("probe --report: its scratch capture is made with O_EXCL in $TMPDIR, setuid to nobody comes before the attempts, nothing left behind",
          .enabled(if: ProbeNamespace.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")))
    func probeScratch() throws {
        let namespace = try ProbeNamespace()
        defer { namespace.remove() }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tmp = directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        chmod(tmp.path, 0o1777)
        let trace = directory.appendingPathComponent("trace").path
        let report = directory.appendingPathComponent("r.md").path
        let result = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, "/usr/bin/env", "TMPDIR=\(tmp.path)", "/usr/bin/strace", "-f", "-e", "trace=openat,setuid,bind", "-o", trace,
                                                  scopescanBinary.path, "probe", "-i", "veth0", "--timeout", "0.5", "--report", report])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let creates = lines.filter { $0.contains("scopescan-probe-") && $0.contains("O_CREAT") }
        #expect(creates.count == 1 && creates.allSatisfy { $0.contains(tmp.path + "/scopescan-probe-") && $0.contains("O_EXCL") }, "\(creates)")
        let setuid = try #require(lines.firstIndex { $0.contains("setuid(65534)") && $0.hasSuffix("= 0") }, "no setuid to nobody")
        let firstBind = try #require(lines.firstIndex { $0.contains("bind(") && $0.contains("AF_INET6") })
        #expect(setuid < firstBind, "root given up before the probe's sockets")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("# scopescan report"))
    }
}
