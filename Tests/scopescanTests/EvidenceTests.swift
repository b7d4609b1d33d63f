import Foundation
import Testing

@Suite("Evidence for bug reports: --report and --evidence")
struct EvidenceTests {
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-evidence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func tshark(_ arguments: [String]) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the evidence pcapng holds exactly the proving packets, commented, and tshark reads it")
    func evidenceFile() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let evidence = directory.appendingPathComponent("evidence.pcapng").path
        let result = try run(["analyze", fixture("linux-two-interfaces.pcapng"), "--evidence", evidence])
        #expect(result.status == 0)
        guard let fields = try Self.tshark(["-r", evidence, "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name", "-e", "frame.comment"]) else {
            Issue.record("tshark is required (Scripts/install-deps.sh --test installs it)")
            return
        }
        let rows = fields.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        // syn-unanswered on veth0 (frames 3, 14, 15) and linklocal-on-loopback on lo (4…13).
        #expect(rows.count == 13)
        #expect(rows.map { $0[0] } == ["veth0"] + Array(repeating: "lo", count: 10) + ["veth0", "veth0"])
        #expect(rows[0][1] == "scopescan: frame 3 of linux-two-interfaces.pcapng: syn-unanswered")
        #expect(rows[1][1] == "scopescan: frame 4 of linux-two-interfaces.pcapng: linklocal-on-loopback")
        #expect(rows[12][1].contains("last SYN: no SYN-ACK or RST followed until end of capture"))
        let section = try #require(try Self.tshark(["-r", evidence, "-q", "-z", "io,stat,0"]))
        #expect(!section.isEmpty)
    }

    @Test("the section header records the tool version and the input's SHA-256")
    func sectionComment() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let evidence = directory.appendingPathComponent("e.pcapng").path
        _ = try run(["analyze", fixture("linux-syn-dropped.pcap"), "--evidence", evidence])
        let data = try Data(contentsOf: URL(fileURLWithPath: evidence))
        let text = String(decoding: data, as: UTF8.self)
        let digest = try SHA256Oracle.hex(of: fixture("linux-syn-dropped.pcap"))
        #expect(text.contains("scopescan 0.1.0 evidence from linux-syn-dropped.pcap (sha256 \(digest))"))
        if let count = try Self.tshark(["-r", evidence, "-T", "fields", "-e", "frame.number"]) {
            #expect(count.split(separator: "\n").count == 3)
        }
    }

    /// What the report and the evidence name the input by: sha256sum of the file as given when it
    /// is a regular uncompressed file; for a pipe or a compressed input, of the capture it carried
    /// (the private copy the second pass reads: the plain pcap or pcapng bytes).
    @Test("the digest in the report and the evidence is sha256sum's: files as given, pipes and compressed inputs as the capture they carry",
          arguments: ["file", "pipe", "zstd file", "gzip pipe", "pcapng file", "pcapng pipe"])
    func digestOfEachInput(_ kind: String) throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = kind.hasPrefix("pcapng") ? "linux-two-interfaces.pcapng" : "linux-syn-dropped.pcap"
        let plain = fixture(name)
        let outputs = "--report '\(directory.path)/r.md' --evidence '\(directory.path)/e.pcapng' > /dev/null"
        let command: String
        switch kind {
        case "file", "pcapng file": command = "\"$S\" analyze '\(plain)' \(outputs)"
        case "pipe", "pcapng pipe": command = "cat '\(plain)' | \"$S\" analyze - \(outputs)"
        case "zstd file": command = "zstd -q -c '\(plain)' > in.pcap.zst && \"$S\" analyze in.pcap.zst \(outputs)"
        default: command = "gzip -c '\(plain)' | \"$S\" analyze - \(outputs)"
        }
        let result = try shell(command, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let digest = try SHA256Oracle.hex(of: plain)
        #expect(digest.count == 64)
        let report = try String(contentsOfFile: directory.appendingPathComponent("r.md").path, encoding: .utf8)
        #expect(report.contains(digest), "\(kind): the report does not name \(digest)")
        let evidence = String(decoding: try Data(contentsOf: directory.appendingPathComponent("e.pcapng")), as: UTF8.self)
        #expect(evidence.contains("(sha256 \(digest)): "), "\(kind): the evidence's section comment does not name \(digest)")
        if let comment = try Self.tshark(["-r", directory.appendingPathComponent("e.pcapng").path, "-q", "-z", "io,stat,0"]) {
            #expect(!comment.isEmpty, "tshark reads the patched section header")
        }
    }

    @Test("the Markdown report matches the golden file and is byte-identical run to run")
    func markdownGolden() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        var reports: [String] = []
        for round in 0..<2 {
            let report = directory.appendingPathComponent("report.md").path
            let evidence = directory.appendingPathComponent("evidence.pcapng").path
            // The second round replaces the first round's evidence capture: --force.
            let result = try run(["analyze", "--interface-name", "lo0", fixture("macos-lo0-own-linklocal.pcap"), "--report", report, "--evidence", evidence] + (round > 0 ? ["--force"] : []))
            #expect(result.status == 0)
            reports.append(try String(contentsOfFile: report, encoding: .utf8))
        }
        #expect(reports[0] == reports[1])
        let golden = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/scopescanTests/Golden/macos-lo0-own-linklocal.md"), encoding: .utf8)
        #expect(reports[0] == golden, "regenerate: scopescan analyze --interface-name lo0 Fixtures/macos-lo0-own-linklocal.pcap --report Tests/scopescanTests/Golden/macos-lo0-own-linklocal.md --evidence /tmp/evidence.pcapng")
        #expect(golden.contains("```mermaid\nsequenceDiagram"))
        #expect(golden.contains("SYN retry 1 (frame 3, +1.000000 s)"))
    }

    @Test("--report with several inputs is a usage error")
    func reportNeedsOneInput() throws {
        let result = try run(["analyze", fixture("linux-clean.pcap"), fixture("linux-clean-lo.pcap"), "--report", "/tmp/never.md"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("exactly one input file"))
    }
}

/// sha256sum as the oracle for the report's digest.
enum SHA256Oracle {
    static func hex(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
