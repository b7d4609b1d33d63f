import Foundation
import Testing

/// `capture -w -`, `capture --filter` and `capture -i N` with real traffic in network namespaces
/// of the tests' own: the pcapng stream piped live into tshark and into `scopescan analyze -`,
/// and tcpdump -D as the oracle for the interface numbers.
@Suite("capture: -w - to a pipe, --filter, -i by tcpdump -D number", .serialized, .enabled(if: LiveEnvironment.available, LiveEnvironment.reason))
struct CaptureStdoutTests {
    static let tshark = "/usr/bin/tshark"
    static let tcpdump = "/usr/bin/tcpdump"

    /// `scopescan ARGS` in the namespace with its standard output a pipe, read by `reader`
    /// (started first), whose standard output and each standard error go to files.
    final class Pipeline {
        let capture = Process()
        let reader = Process()
        let directory: URL

        init(namespace: SafetyNamespace, capture arguments: [String], reader readerPath: String, _ readerArguments: [String]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-stdout-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for name in ["out", "capture-err", "reader-err"] {
                _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil)
            }
            let pipe = Pipe()
            reader.executableURL = URL(fileURLWithPath: readerPath)
            reader.arguments = readerArguments
            reader.standardInput = pipe
            reader.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("out"))
            reader.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("reader-err"))
            capture.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            capture.arguments = ["netns", "exec", namespace.name, scopescanBinary.path] + arguments
            capture.standardOutput = pipe
            capture.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("capture-err"))
            capture.standardInput = FileHandle.nullDevice
            try reader.run()
            try capture.run()
            // Only the two processes hold the pipe: the reader sees end of file when capture exits.
            try pipe.fileHandleForReading.close()
            try pipe.fileHandleForWriting.close()
        }

        func text(_ name: String) -> String { (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        var outputLines: [Substring] { text("out").split(separator: "\n") }

        func finish() {
            if capture.isRunning { kill(capture.processIdentifier, SIGINT) }
            _ = waitExit(capture, 10)
            _ = waitExit(reader, 10)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// The capture has opened its handles (it gave up root), so traffic sent now is seen.
    func started(_ process: Process) -> Bool {
        waitFor(8) {
            let uid = statusFields(process.processIdentifier)["Uid"] ?? ""
            return !uid.isEmpty && !uid.hasPrefix("0")
        }
    }

    @Test("-w - | tshark -r -: tshark prints each packet while the capture is still running; the findings and summary go to stderr")
    func pipeIntoTshark() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let pipeline = try Pipeline(namespace: namespace, capture: ["capture", "-i", "lo", "-w", "-", "udp"],
                                    reader: Self.tshark, ["-l", "-r", "-", "-T", "fields", "-e", "frame.number", "-e", "ipv6.dst", "-e", "udp.dstport"])
        defer { pipeline.remove() }
        #expect(started(pipeline.capture), "capture did not start: \(pipeline.text("capture-err"))")
        try namespace.sendUDP(3, port: 7777)
        // Live: every datagram reaches tshark before the capture stops (the ICMPv6 port
        // unreachables they draw are filtered out).
        let live = waitFor(8) { pipeline.outputLines.count >= 3 }
        #expect(live, "tshark saw \(pipeline.outputLines.count) packets while the capture ran; stderr: \(pipeline.reader.isRunning ? "" : pipeline.text("reader-err"))")
        #expect(pipeline.capture.isRunning)
        pipeline.finish()
        #expect(pipeline.capture.terminationStatus == 0, "\(pipeline.text("capture-err"))")
        #expect(pipeline.reader.terminationStatus == 0, "tshark: \(pipeline.text("reader-err"))")
        let rows = pipeline.outputLines.map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 3)
        #expect(rows.enumerated().allSatisfy { index, row in row == ["\(index + 1)", "::1", "7777"] }, "\(rows)")
        // stdout carried only pcapng (tshark read it whole); the text went to stderr.
        let stderr = pipeline.text("capture-err")
        #expect(stderr.contains("summary: 3 packets"), "\(stderr)")
        #expect(stderr.contains("capture lo: 3 packets seen"), "\(stderr)")
    }

    @Test("-w - | scopescan analyze -: the stream read from the pipe gives the capture's own findings")
    func pipeIntoAnalyze() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let pipeline = try Pipeline(namespace: namespace, capture: ["capture", "-i", "lo", "-w", "-", "--format", "json", "--filter", "tcp"],
                                    reader: scopescanBinary.path, ["analyze", "--format", "json", "-"])
        defer { pipeline.remove() }
        #expect(started(pipeline.capture), "capture did not start: \(pipeline.text("capture-err"))")
        // A connect to a closed port on ::1: SYN and RST on lo, a tcp-refused finding; the UDP is filtered out.
        try namespace.sendUDP(2)
        let connect = "import socket\ns=socket.socket(socket.AF_INET6)\ntry: s.connect(('::1',8111))\nexcept OSError: pass"
        _ = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, "/usr/bin/python3", "-c", connect])
        usleep(500_000)
        pipeline.finish()
        #expect(pipeline.text("capture-err").contains("\"rule\":\"tcp-refused\""), "the capture's own finding: \(pipeline.text("capture-err"))")
        #expect(pipeline.capture.terminationStatus == 0, "\(pipeline.text("capture-err"))")
        #expect(pipeline.reader.terminationStatus == 0, "analyze: \(pipeline.text("reader-err"))")
        let lines = try jsonLines(pipeline.text("out"))
        let refused = lines.filter { $0["rule"] as? String == "tcp-refused" }
        #expect(refused.count == 1, "\(lines)")
        #expect((refused.first?["flow"] as? [String: Any])?["dport"] as? Int == 8111)
        #expect(refused.first?["interface"] as? String == "lo")
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        // The capture's JSON went to stderr, its summary with the same count: every packet
        // captured reached analyze, and only TCP did (the SYN and the RST, as lo shows them).
        let captureLines = try jsonLines(pipeline.text("capture-err").split(separator: "\n").filter { $0.hasPrefix("{") }.joined(separator: "\n"))
        let captured = try #require((captureLines.last?["summary"] as? [String: Any])?["packets"] as? Int)
        #expect(captured >= 2)
        #expect(summary["packets"] as? Int == captured, "\(summary)")
        #expect(summary["ipv6"] as? Int == captured)
    }

    @Test("-w - | head -c: the reader leaving stops the capture quietly, exit 0")
    func readerLeaves() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let pipeline = try Pipeline(namespace: namespace, capture: ["capture", "-i", "lo", "-w", "-"], reader: "/usr/bin/head", ["-c", "100"])
        defer { pipeline.remove() }
        #expect(started(pipeline.capture))
        for _ in 0..<20 where pipeline.capture.isRunning {
            try namespace.sendUDP(20)
            usleep(100_000)
        }
        #expect(waitExit(pipeline.capture, 5), "capture kept running after its reader left")
        pipeline.finish()
        #expect(pipeline.capture.terminationReason == .exit && pipeline.capture.terminationStatus == 0, "\(pipeline.text("capture-err"))")
        #expect(!pipeline.text("capture-err").contains("scopescan: error"), "\(pipeline.text("capture-err"))")
    }

    @Test("-w - refuses a terminal before capturing: one line, exit 2")
    func refusesTerminal() throws {
        let script = """
        import os, subprocess, sys
        master, slave = os.openpty()
        r = subprocess.run([sys.argv[1], "capture", "-i", "lo", "-w", "-"], stdout=slave, stderr=subprocess.PIPE)
        sys.stdout.write("%d %s" % (r.returncode, r.stderr.decode()))
        """
        let result = try runTool("/usr/bin/python3", ["-c", script, scopescanBinary.path])
        #expect(result.stdout.hasPrefix("2 scopescan: error: -w -: standard output is a terminal"), "\(result.stdout)")
    }

    @Test("--filter as the trailing expression does; both given, or a bad one: one line naming it, exit 2")
    func filterOption() throws {
        let namespace = try SafetyNamespace()
        defer { namespace.remove() }
        let directory = try CaptureSafetyTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("f.pcapng").path
        let process = try namespace.start(["capture", "-i", "lo", "--format", "json", "--filter", "udp port 7001", "-c", "2", "-w", file], directory: directory)
        #expect(started(process))
        try namespace.sendUDP(3, port: 7002)
        try namespace.sendUDP(2, port: 7001)
        #expect(waitExit(process, 8))
        #expect(process.terminationStatus == 0)
        let lines = try jsonLines(String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8))
        let stats = try #require((lines.last?["summary"] as? [String: Any])?["capture"] as? [[String: Any]])
        // Only port 7001 passed, and -c 2 stopped there.
        #expect(stats.first?["seen"] as? Int == 2)
        // tshark reads back only port 7001: the datagrams to 7002 were filtered out.
        let ports = try runTool(Self.tshark, ["-r", file, "-T", "fields", "-e", "udp.dstport"])
        #expect(ports.status == 0)
        #expect(ports.stdout.split(separator: "\n") == ["7001", "7001"], "\(ports.stdout)")

        let both = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, scopescanBinary.path, "capture", "-i", "lo", "--filter", "udp", "tcp"])
        #expect(both.status == 2)
        #expect(both.stderr.hasPrefix("scopescan: error: give the filter once: as --filter or as the trailing expression"), "\(both.stderr)")
        let bad = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, scopescanBinary.path, "capture", "-i", "lo", "--filter", "ip6 and port"])
        #expect(bad.status == 2)
        #expect(bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        #expect(bad.stderr.contains("bad filter expression 'ip6 and port': ") && bad.stderr.contains("syntax error"), "\(bad.stderr)")
    }

    /// `interfaces` beside `tcpdump -D` in a namespace; both as they print.
    func listings(_ namespace: SafetyNamespace) throws -> (ours: [String], tcpdump: [String], brief: [String]) {
        let ours = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, scopescanBinary.path, "interfaces"])
        let brief = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, scopescanBinary.path, "interfaces", "--brief"])
        let theirs = try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, Self.tcpdump, "-D"])
        #expect(ours.status == 0 && brief.status == 0 && theirs.status == 0)
        func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }
        return (lines(ours.stdout), lines(theirs.stdout), lines(brief.stdout))
    }

    @Test("interfaces numbers as tcpdump -D does, on this host and in a namespace with veths (up, down, peer)")
    func numberingMatchesTcpdump() throws {
        // The host's list can change under a parallel test (a veth made, then moved into its
        // namespace): the two listings must agree in one of three tries.
        var host = "", hostTcpdump = ""
        for _ in 0..<3 {
            host = try runTool(scopescanBinary.path, ["interfaces", "--brief"]).stdout
            hostTcpdump = try runTool(Self.tcpdump, ["-D"]).stdout
            if host == hostTcpdump { break }
            usleep(200_000)
        }
        #expect(host == hostTcpdump)
        #expect(host.split(separator: "\n").contains { $0.hasSuffix(".lo [Up, Running, Loopback]") })
        let namespace = try SafetyNamespace(veths: ["ssva", "ssvb"])
        defer { namespace.remove() }
        try namespace.ip(["-n", namespace.name, "link", "set", "ssvbp", "down"])
        try namespace.ip(["-n", namespace.name, "address", "add", "fd00:99::1/64", "dev", "ssva"])
        let (ours, tcpdump, brief) = try listings(namespace)
        #expect(brief == tcpdump)
        // The full listing: the same numbered lines, each followed by its indented details.
        #expect(ours.filter { !$0.hasPrefix(" ") } == tcpdump)
        #expect(tcpdump.contains { $0.contains(".ssva [Up") } && tcpdump.contains { $0.contains(".ssvbp [") })
        let ssva = try #require(ours.firstIndex { $0.contains(".ssva ") })
        #expect(ours[(ssva + 1)...].prefix(4).contains("    fd00:99::1/64"), "\(ours)")
        let json = try jsonLines(try runTool("/usr/sbin/ip", ["netns", "exec", namespace.name, scopescanBinary.path, "interfaces", "--format", "json"]).stdout)
        #expect(json.compactMap { $0["number"] as? Int } == Array(1...tcpdump.count))
        #expect(json.compactMap { $0["name"] as? String }.prefix(tcpdump.count).elementsEqual(tcpdump.map { String($0.split(separator: ".", maxSplits: 1)[1].split(separator: " ")[0]) }))
    }

    /// The interface name `capture -i WORD` opened, from its JSON summary (-c 1 after one datagram).
    func captured(_ namespace: SafetyNamespace, _ word: String) throws -> (status: Int32, interface: String?, stderr: String) {
        let directory = try CaptureSafetyTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try namespace.start(["capture", "-i", word, "--format", "json", "--duration", "1.5"], directory: directory)
        _ = waitExit(process, 8)
        let stderr = (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        let lines = (try? jsonLines(String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8))) ?? []
        let stats = (lines.last?["summary"] as? [String: Any])?["capture"] as? [[String: Any]]
        return (process.terminationStatus, stats?.first?["interface"] as? String, stderr)
    }

    @Test("capture -i N opens tcpdump -D's interface N; a name that is all digits is a name first; out of range: one line, exit 2")
    func captureByNumber() throws {
        let namespace = try SafetyNamespace(veths: ["ssvc"])
        defer { namespace.remove() }
        let tcpdump = try listings(namespace).tcpdump
        func number(of name: String) throws -> Int {
            let line = try #require(tcpdump.first { $0.split(separator: " ")[0].split(separator: ".", maxSplits: 1).last == Substring(name) })
            return Int(line.split(separator: ".")[0])!
        }
        for name in ["lo", "ssvc"] {
            let word = String(try number(of: name))
            let outcome = try captured(namespace, word)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.interface == name, "-i \(word) should be \(name): \(outcome.stderr)")
        }
        // An interface named "1": tcpdump opens it by name, and so does scopescan.
        try namespace.ip(["-n", namespace.name, "link", "add", "1", "type", "veth", "peer", "name", "onep"])
        try namespace.ip(["-n", namespace.name, "link", "set", "1", "up"])
        try namespace.ip(["-n", namespace.name, "link", "set", "onep", "up"])
        let named = try captured(namespace, "1")
        #expect(named.status == 0 && named.interface == "1", "\(named.stderr)")
        let count = try listings(namespace).tcpdump.count
        let beyond = try captured(namespace, String(count + 1))
        #expect(beyond.status == 2)
        #expect(beyond.stderr == "scopescan: error: -i \(count + 1): no such interface, and no such interface number: there are \(count) interfaces (see 'scopescan interfaces')\n")
        let zero = try captured(namespace, "0")
        #expect(zero.status == 2 && zero.stderr.contains("numbers them from 1"), "\(zero.stderr)")
        let unknown = try captured(namespace, "nosuch0")
        #expect(unknown.status == 2 && unknown.stderr.contains("no interface named nosuch0"), "\(unknown.stderr)")
    }
}
