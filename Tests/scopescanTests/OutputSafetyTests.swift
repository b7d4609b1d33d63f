import Foundation
import Testing

/// Nothing lost: outputs that name an input or an existing capture are refused before anything is
/// written; nothing let in: strings from a capture never reach the terminal raw.
@Suite("Outputs never destroy data; capture strings are escaped")
struct OutputSafetyTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func digest(_ path: String) throws -> String { try SHA256Oracle.hex(of: path) }

    @Test("an output onto the input, directly, through a symlink or a hard link: exit 2, one line, file unchanged")
    func outputOntoInput() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let victim = directory.appendingPathComponent("victim.pcap").path
        try FileManager.default.copyItem(atPath: fixture("linux-clean.pcap"), toPath: victim)
        let soft = directory.appendingPathComponent("soft.pcap").path
        let hard = directory.appendingPathComponent("hard.pcap").path
        try FileManager.default.createSymbolicLink(atPath: soft, withDestinationPath: victim)
        try FileManager.default.linkItem(atPath: victim, toPath: hard)
        let before = try Self.digest(victim)
        for (option, output) in [("--report", victim), ("--evidence", victim), ("--report", soft), ("--evidence", hard)] {
            // --force never allows overwriting an input.
            for force in [[], ["--force"]] {
                let result = try run(["analyze", option, output, victim] + force)
                #expect(result.status == 2, "\(option) \(output) \(force)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("would overwrite the input"), "\(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
        }
        #expect(try Self.digest(victim) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["hard.pcap", "soft.pcap", "victim.pcap"], "no temporary file left")
    }

    @Test("an existing capture (pcap, pcapng, gzip, zstd, lz4) is not replaced without --force; with it, it is")
    func existingCapture() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = directory.appendingPathComponent("other.pcap").path
        try FileManager.default.copyItem(atPath: fixture("linux-syn-dropped.pcap"), toPath: other)
        let compressed = directory.appendingPathComponent("old.pcapng.zst").path
        try Data([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4]).write(to: URL(fileURLWithPath: compressed))
        let before = try Self.digest(other)
        for output in [other, compressed] {
            let result = try run(["analyze", "--report", output, fixture("linux-clean.pcap")])
            #expect(result.status == 2 && result.stderr.contains("would overwrite an existing") && result.stderr.contains("--force"), "\(result.stderr)")
        }
        #expect(try Self.digest(other) == before)
        let evidence = try run(["analyze", "--evidence", other, fixture("linux-syn-dropped.pcap")])
        #expect(evidence.status == 2)
        #expect(try Self.digest(other) == before)

        // A .pcap name says no report format: --report-format md names it.
        let forced = try run(["analyze", "--force", "--report", other, "--report-format", "md", fixture("linux-clean.pcap")])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: other, encoding: .utf8).hasPrefix("# scopescan report: linux-clean.pcap"))
        // A report over a plain text file needs no --force; two outputs naming one file are refused.
        let text = directory.appendingPathComponent("notes.md").path
        try "old notes".write(toFile: text, atomically: false, encoding: .utf8)
        #expect(try run(["analyze", "--report", text, fixture("linux-clean.pcap")]).status == 0)
        let same = try run(["analyze", "--report", text, "--evidence", text, fixture("linux-clean.pcap")])
        #expect(same.status == 2 && same.stderr.contains("name the same file"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["notes.md", "old.pcapng.zst", "other.pcap"])
    }

    @Test("capture -w onto an existing capture is refused before any handle is opened")
    func captureOutputRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("old.pcapng").path
        try FileManager.default.copyItem(atPath: fixture("linux-two-interfaces.pcapng"), toPath: old)
        let before = try Self.digest(old)
        let result = try run(["capture", "-i", "lo", "-c", "1", "-w", old])
        #expect(result.status == 2 && result.stderr.contains("-w would overwrite an existing pcapng capture"), "\(result.stderr)")
        #expect(try Self.digest(old) == before)
    }

    /// Raw controls a terminal acts on: C0 except the newline ending each line, DEL, C1, U+2028/2029.
    static func rawControls(_ text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value).filter { ($0 < 0x20 && $0 != 0x0a) || (0x7f...0x9f).contains($0) || $0 == 0x2028 || $0 == 0x2029 || (0x202a...0x202e).contains($0) }
    }

    @Test("hostile names and comments: decode, analyze, the report and JSON print no control raw; one line per packet")
    func hostileStrings() throws {
        let input = fixture("hostile-strings.pcapng")
        let decode = try run(["decode", input])
        #expect(decode.status == 0)
        #expect(Self.rawControls(decode.stdout).isEmpty)
        #expect(decode.stdout.split(separator: "\n").count == 3, "one line per packet")
        #expect(decode.stdout.contains("lo\\x1b]0;owned\\x07\\x1b[2J\\nFAKE finding\\u2028\\x85"))
        #expect(decode.stdout.contains("# comment\\x1b[2J\\x1b[H\\nsecond line\\u2028third\\x85\\x9b31m\\x7f"))

        let analyze = try run(["analyze", "--color", "never", input])
        #expect(analyze.status == 0)
        #expect(Self.rawControls(analyze.stdout + analyze.stderr).isEmpty)
        #expect(analyze.stdout.contains("syn-unanswered  error  2024-05-01T10:00:00.000000Z  lo\\x1b]0;owned"))
        #expect(!analyze.stdout.contains("\nFAKE finding"))

        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("r.md").path
        let withReport = try run(["analyze", input, "--report", report, "--evidence", directory.appendingPathComponent("e.pcapng").path])
        #expect(withReport.status == 0)
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(Self.rawControls(markdown).isEmpty)
        #expect(!markdown.contains("\nFAKE finding"))

        // JSON: valid, controls as \u escapes, the original string recovered by a JSON parser.
        for command in [["analyze", "--format", "json", input], ["decode", "--format", "json", input]] {
            let json = try run(command)
            #expect(json.status == 0)
            #expect(Self.rawControls(json.stdout).isEmpty)
            let lines = try jsonLines(json.stdout)
            #expect(lines.contains { ($0["interface"] as? String)?.hasPrefix("lo\u{1b}]0;owned\u{07}") == true })
        }
    }
}
