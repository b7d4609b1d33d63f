import Foundation
import Testing

/// Runs `script` with /bin/sh in `directory`, `$S` naming the scopescan binary and `$F` the
/// Fixtures directory: pipelines made with the real tools (tcpdump, mergecap, gzip, zstd, lz4).
func shell(_ script: String, in directory: URL) throws -> RunResult {
    try runTool("/bin/sh", ["-c", "cd '\(directory.path)' && \(script)"], environment: ["S": scopescanBinary.path, "F": repositoryRoot.appendingPathComponent("Fixtures").path])
}

func scratchDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-streams-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// The JSON Lines output without the input's name, which differs between a file and a pipe.
func findingsOnly(_ output: String) -> String {
    output.replacingOccurrences(of: #""inputs":\["[^"]*"\]"#, with: "", options: .regularExpression)
}

@Suite("pipes, FIFOs and compressed captures")
struct StreamInputTests {
    static let captures = ["macos-lo0-own-linklocal.pcap", "linux-two-interfaces.pcapng", "freebsd-lo0-slow-connect.pcap", "pcapng-bigendian.pcapng", "linux-tcp-refused.pcap"]

    @Test("tcpdump -w - | scopescan analyze - finds what the file gives", arguments: ["macos-lo0-own-linklocal.pcap", "linux-icmp6-unreachable.pcap", "freebsd-lo0-slow-connect.pcap"])
    func tcpdumpPipe(_ name: String) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try run(["analyze", "--format", "json", fixture(name)])
        let pipe = try shell("tcpdump -r \"$F/\(name)\" -w - 2>/dev/null | \"$S\" analyze --format json -", in: directory)
        #expect(pipe.status == 0, "\(pipe.stderr)")
        #expect(findingsOnly(pipe.stdout) == findingsOnly(file.stdout))
        let stdin = try shell("tcpdump -U -r \"$F/\(name)\" -w - 2>/dev/null | \"$S\" analyze --format json /dev/stdin", in: directory)
        #expect(findingsOnly(stdin.stdout) == findingsOnly(file.stdout))
    }

    @Test("cat x.pcapng | analyze -, and decode -", arguments: ["linux-two-interfaces.pcapng", "pcapng-bigendian.pcapng", "linux-own-linklocal-lo.pcapng", "mergecap-null-ethernet.pcapng"])
    func pcapngPipe(_ name: String) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try run(["analyze", "--format", "json", fixture(name)])
        let pipe = try shell("cat \"$F/\(name)\" | \"$S\" analyze --format json -", in: directory)
        #expect(pipe.status == 0, "\(pipe.stderr)")
        #expect(findingsOnly(pipe.stdout) == findingsOnly(file.stdout))
        let decoded = try shell("cat \"$F/\(name)\" | \"$S\" decode --format json -", in: directory)
        #expect(decoded.stdout == (try run(["decode", "--format", "json", fixture(name)])).stdout)
    }

    @Test("a mergecap-made pcapng of two interfaces through a pipe")
    func mergecapPipe() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let merged = try shell("mergecap -F pcapng -w merged.pcapng \"$F/macos-lo0-own-linklocal.pcap\" \"$F/linux-two-interfaces.pcapng\" && \"$S\" analyze --format json merged.pcapng > file.json && mergecap -F pcapng -w - \"$F/macos-lo0-own-linklocal.pcap\" \"$F/linux-two-interfaces.pcapng\" | \"$S\" analyze --format json - > pipe.json", in: directory)
        #expect(merged.status == 0, "\(merged.stderr)")
        let file = try String(contentsOf: directory.appendingPathComponent("file.json"), encoding: .utf8)
        let pipe = try String(contentsOf: directory.appendingPathComponent("pipe.json"), encoding: .utf8)
        #expect(findingsOnly(pipe) == findingsOnly(file))
        let summary = try #require(try jsonLines(pipe).last?["summary"] as? [String: Any])
        #expect((summary["interfaces"] as? [Any])?.count ?? 0 >= 2)
    }

    @Test("a FIFO made with mkfifo")
    func fifo() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["macos-lo0-own-linklocal.pcap", "linux-two-interfaces.pcapng"] {
            let result = try shell("rm -f fifo && mkfifo fifo && (cat \"$F/\(name)\" > fifo &) && \"$S\" analyze --format json fifo", in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(findingsOnly(result.stdout) == findingsOnly(try run(["analyze", "--format", "json", fixture(name)]).stdout))
        }
    }

    @Test("gzip, zstd and lz4 compressed captures, from files and pipes, give the plain file's findings", arguments: ["gzip -c", "zstd -q -c", "lz4 -q -c"])
    func compressed(_ compressor: String) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in Self.captures {
            let plain = findingsOnly(try run(["analyze", "--format", "json", fixture(name)]).stdout)
            let made = try shell("\(compressor) \"$F/\(name)\" > packed", in: directory)
            #expect(made.status == 0, "\(made.stderr)")
            let fromFile = try run(["analyze", "--format", "json", directory.appendingPathComponent("packed").path])
            #expect(fromFile.status == 0, "\(compressor) \(name): \(fromFile.stderr)")
            #expect(findingsOnly(fromFile.stdout) == plain, "\(compressor) \(name)")
            let fromPipe = try shell("\(compressor) \"$F/\(name)\" | \"$S\" analyze --format json -", in: directory)
            #expect(findingsOnly(fromPipe.stdout) == plain, "\(compressor) \(name) piped")
        }
    }

    @Test("concatenated gzip members and zstd frames read as one stream", arguments: ["gzip -c", "zstd -q -c", "lz4 -q -c"])
    func concatenated(_ compressor: String) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Two pcapng files one after the other are one capture of two sections.
        let result = try shell("cat \"$F/linux-two-interfaces.pcapng\" \"$F/pcapng-bigendian.pcapng\" > both.pcapng && (\(compressor) \"$F/linux-two-interfaces.pcapng\"; \(compressor) \"$F/pcapng-bigendian.pcapng\") > both.packed && \"$S\" analyze --format json both.pcapng > plain.json && \"$S\" analyze --format json both.packed > packed.json", in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let plain = try String(contentsOf: directory.appendingPathComponent("plain.json"), encoding: .utf8)
        let packed = try String(contentsOf: directory.appendingPathComponent("packed.json"), encoding: .utf8)
        #expect(findingsOnly(packed) == findingsOnly(plain))
        #expect((try jsonLines(plain).last?["summary"] as? [String: Any])?["packets"] as? Int == 24)
    }

    @Test("a truncated compressed capture: findings before the damage, a warning naming file, offset and format, exit 0", arguments: ["gzip -c", "zstd -q -c", "lz4 -q -B4 -c"])
    func truncatedCompressed(_ compressor: String) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A capture with findings, then 3000 records of random bytes, so the compressed stream
        // has many blocks and is cut inside the filler.
        let filler = "import os, struct, sys; d = open(sys.argv[1], 'rb').read(); e = '<' if d[:4] == bytes([0xd4, 0xc3, 0xb2, 0xa1]) else '>'; "
            + "open('big.pcap', 'wb').write(d + b''.join(struct.pack(e + 'IIII', 1714557610 + i, 0, 300, 300) + os.urandom(300) for i in range(3000)))"
        let made = try shell("/usr/bin/python3 -c \"\(filler)\" \"$F/macos-lo0-own-linklocal.pcap\" && \(compressor) big.pcap > big.packed && head -c $(( $(wc -c < big.packed) * 6 / 10 )) big.packed > cut.packed", in: directory)
        #expect(made.status == 0, "\(made.stderr)")
        let format = compressor.split(separator: " ")[0]
        for (label, arguments) in [("file", "cut.packed"), ("pipe", "- < cut.packed")] {
            let result = try shell("\"$S\" analyze --format json \(arguments)", in: directory)
            #expect(result.status == 0, "\(label): \(result.stderr)")
            let warning = result.stderr.split(separator: "\n").filter { $0.contains("scopescan: warning:") }
            #expect(warning.count == 1, "\(label): \(result.stderr)")
            #expect(warning.first?.contains("at byte offset ") == true && warning.first?.contains("\(format) stream truncated") == true, "\(result.stderr)")
            #expect(warning.first?.contains(label == "file" ? "cut.packed" : "-:") == true)
            let lines = try jsonLines(result.stdout)
            let summary = try #require(lines.last?["summary"] as? [String: Any])
            let packets = summary["packets"] as? Int ?? 0
            #expect(packets > 17 && packets < 3017, "\(label): \(packets) packets")
            #expect(lines.count > 1, "findings before the damage")
        }
    }

    @Test("-c on a stream that stays open ends at the count, without waiting for the writer", arguments: ["cat", "gzip -c", "zstd -q -c"])
    func countOnOpenStream(_ producer: String) throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("p").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // The writer sends a capture, then keeps the FIFO open for 20 s more.
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "(\(producer) \"$0\"; sleep 20) > \"$1\"", fixture("macos-lo0-own-linklocal.pcap"), fifo]
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        defer { writer.terminate() }
        let start = Date()
        let result = try run(["analyze", "--format", "json", "-c", "2", fifo])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
        let summary = try #require(try jsonLines(result.stdout).last?["summary"] as? [String: Any])
        #expect(summary["analysed"] as? Int == 2)
    }

    @Test("a pcapng block over 16 MiB in a stream is damage: a warning, exit 0")
    func hugeBlockInStream() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A little-endian section header (28 bytes), then a block claiming 20 MiB.
        var bytes: [UInt8] = [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0]
        bytes += [6, 0, 0, 0, 0, 0, 0x40, 0x01] + [UInt8](repeating: 0, count: 64)
        try Data(bytes).write(to: directory.appendingPathComponent("huge.pcapng"))
        let result = try shell("cat huge.pcapng | \"$S\" analyze -", in: directory)
        #expect(result.status == 0)
        #expect(result.stderr.contains("-: at byte offset 28: pcapng block of type 0x6: total length 20971520 is more than the 16 MiB"), "\(result.stderr)")
    }

    @Test("--report and --evidence from a pipe equal those from the file, apart from the input's name and size")
    func evidenceFromPipe() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, producer) in [("macos-lo0-own-linklocal.pcap", "tcpdump -r \"$F/macos-lo0-own-linklocal.pcap\" -w - 2>/dev/null"), ("linux-two-interfaces.pcapng", "gzip -c \"$F/linux-two-interfaces.pcapng\"")] {
            // The second round overwrites the first round's evidence, a capture: --force says so.
            let result = try shell("mkdir -p spool && export TMPDIR=\"$PWD/spool\" && \"$S\" analyze --force --interface-name lo0 \"$F/\(name)\" --report file.md --evidence file.pcapng >/dev/null && \(producer) | \"$S\" analyze --force --interface-name lo0 - --report pipe.md --evidence pipe.pcapng > /dev/null && \"$S\" decode file.pcapng > file.txt && \"$S\" decode pipe.pcapng > pipe.txt", in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            func read(_ file: String) throws -> [String] {
                try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
            let fileReport = try read("file.md"), pipeReport = try read("pipe.md")
            #expect(fileReport.count == pipeReport.count)
            let differing = zip(fileReport, pipeReport).filter { $0 != $1 }
            for (a, b) in differing {
                let isNameLine = a.hasPrefix("# scopescan report:") || a.hasPrefix("| input |") || a.hasPrefix("| evidence |") || a.contains("sha256")
                #expect(isNameLine, "differs: \(a) / \(b)")
            }
            #expect(!differing.isEmpty && differing.count <= 4)
            let fileEvidence = try read("file.txt").map { $0.replacingOccurrences(of: " of \(name):", with: " of INPUT:") }
            let pipeEvidence = try read("pipe.txt").map { $0.replacingOccurrences(of: " of -:", with: " of INPUT:") }
            #expect(fileEvidence == pipeEvidence)
            #expect(fileEvidence.count > 2)
        }
        // The private copy (made in $TMPDIR) is gone once the run ends.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("spool").path)
        #expect(left.isEmpty, "\(left)")
    }
}
