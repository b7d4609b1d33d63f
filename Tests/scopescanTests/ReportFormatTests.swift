import Foundation
import Testing

/// The report formats (md, txt, html, svg) and the evidence bundle, through the CLI.
@Suite("Reports in every format: golden files, 72 columns, determinism, the bundle")
struct ReportFormatTests {
    static let macOS = (fixture: "macos-lo0-own-linklocal.pcap", options: ["--interface-name", "lo0"])
    static let reroute = (fixture: "linux-reroute-both-sides.pcapng", options: [String]())

    /// Writes `--report` in `format` (and evidence.pcapng beside it, as the goldens were made) and
    /// returns its text.
    static func report(_ fixtureName: String, _ options: [String], format: String, in directory: URL, extra: [String] = []) throws -> String {
        let report = directory.appendingPathComponent("report-\(UUID().uuidString).\(format)").path
        let evidence = directory.appendingPathComponent("evidence.pcapng").path
        try? FileManager.default.removeItem(atPath: evidence)
        let result = try run(["analyze"] + options + [fixture(fixtureName), "--report", report, "--evidence", evidence] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try String(contentsOfFile: report, encoding: .utf8)
    }

    static func golden(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/scopescanTests/Golden/\(name)"), encoding: .utf8)
    }

    @Test("txt and html match their golden files, for the macOS fixture and a pcapng with several interfaces",
          arguments: ["txt", "html"])
    func goldens(format: String) throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, options) in [Self.macOS, Self.reroute] {
            let text = try Self.report(name, options, format: format, in: directory)
            let stem = name.split(separator: ".").first!
            #expect(text == (try Self.golden("\(stem).\(format)")),
                    "regenerate: scopescan analyze \(options.joined(separator: " ")) Fixtures/\(name) --report Tests/scopescanTests/Golden/\(stem).\(format) --evidence /tmp/evidence.pcapng (from a directory where that name is evidence.pcapng)")
        }
    }

    @Test("every format is byte-identical run to run", arguments: ["md", "txt", "html", "svg"])
    func deterministic(format: String) throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.report(Self.reroute.fixture, [], format: format, in: directory)
        let second = try Self.report(Self.reroute.fixture, [], format: format, in: directory)
        #expect(!first.isEmpty)
        #expect(first == second)
    }

    @Test("the txt report of every fixture: no line over 72 columns, ASCII only, no tabs, the ladder drawn")
    func plainTextEveryFixture() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Fixtures").path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        #expect(fixtures.count > 30)
        var ladders = 0
        for name in fixtures {
            let report = directory.appendingPathComponent("\(name).txt").path
            let result = try run(["analyze"] + (name.hasSuffix(".pcap") ? ["--interface-name", "lo0"] : []) + [fixture(name), "--report", report, "--explain"])
            // not-a-capture.pcap and unsupported-linktype.pcap are unreadable by design: no report.
            guard result.status != 2 else { continue }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: report))
            let text = String(decoding: bytes, as: UTF8.self)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                #expect(line.utf8.count <= 72, "\(name) line \(number + 1) has \(line.utf8.count) columns: \(line)")
            }
            let stray = bytes.filter { $0 != 0x0a && ($0 < 0x20 || $0 > 0x7e) }
            #expect(stray.isEmpty, "\(name): \(stray.count) bytes that are not printable ASCII")
            if text.contains("Sequence:") {
                ladders += 1
                #expect(text.contains("C = client"), "\(name)")
                #expect(text.contains(">|") || text.contains("|<"), "\(name): no arrow")
            }
        }
        #expect(ladders >= 10)
    }

    @Test("a capture's hostile strings stay escaped in txt, html and svg")
    func hostileStrings() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        for format in ["txt", "html", "svg"] {
            let text = try Self.report("hostile-strings.pcapng", [], format: format, in: directory)
            #expect(!text.unicodeScalars.contains { ($0.value < 0x20 && $0.value != 0x0a) || (0x7f...0x9f).contains($0.value) || $0.value == 0x2028 }, "\(format)")
            #expect(text.contains("\\x1b"), "\(format): the ESC is shown as an escape")
        }
    }

    @Test("the format follows the extension; --report-format overrides it; an unknown extension is a one-line error")
    func formatChoice() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = fixture(Self.macOS.fixture)
        for (name, start) in [("r.md", "# scopescan report"), ("r.txt", "scopescan report:"), ("r.HTM", "<!DOCTYPE html>"), ("r.svg", "<?xml version=\"1.0\"")] {
            let path = directory.appendingPathComponent(name).path
            #expect(try run(["analyze", "--interface-name", "lo0", input, "--report", path]).status == 0)
            #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix(start), "\(name)")
        }
        let forced = directory.appendingPathComponent("report.out").path
        #expect(try run(["analyze", "--interface-name", "lo0", input, "--report", forced, "--report-format", "txt"]).status == 0)
        #expect(try String(contentsOfFile: forced, encoding: .utf8).hasPrefix("scopescan report:"))
        let unknown = try run(["analyze", input, "--report", directory.appendingPathComponent("r.doc").path])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown extension"))
        #expect(unknown.stderr.split(separator: "\n").filter { $0.contains("error") }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.doc").path))
        let alone = try run(["analyze", input, "--report-format", "txt"])
        #expect(alone.status == 2)
        #expect(alone.stderr.contains("--report-format needs --report"))
    }

    @Test("html: one self-contained page, no script, nothing fetched, a section per finding; svg: SVG 1.1, generic fonts, no script")
    func selfContained() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = try Self.report(Self.reroute.fixture, [], format: "html", in: directory)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains(" src="))
        // url() only for the SVG arrow markers, which are in the page itself.
        #expect(!html.contains("@import") && html.components(separatedBy: "url(").dropFirst().allSatisfy { $0.hasPrefix("#") })
        #expect(!html.contains("<link"))
        // The only URLs are the links to the public references.
        for match in html.components(separatedBy: "http").dropFirst() {
            #expect(match.hasPrefix("s://www.rfc-editor.org/") || match.hasPrefix("s://reviews.freebsd.org/") || match.hasPrefix("s://bugs.freebsd.org/") || match.hasPrefix("://www.w3.org/2000/svg\""), "\(match.prefix(60))")
        }
        #expect(html.contains("<section class=\"finding\" id=\"1-linklocal-on-loopback\" data-rule=\"linklocal-on-loopback\""))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""))
        let svg = try Self.report(Self.reroute.fixture, [], format: "svg", in: directory)
        #expect(!svg.lowercased().contains("<script") && !svg.contains("onload") && !svg.contains("href"))
        let families = Set(svg.components(separatedBy: "font-family=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) })
        #expect(families == ["sans-serif", "monospace"])
        let path = directory.appendingPathComponent("diagram.svg").path
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
        // A real XML parser as the oracle for well-formedness.
        let parsed = try runTool("/usr/bin/python3", ["-c", "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag, r.get('version'), len(r.findall('{http://www.w3.org/2000/svg}svg')))", path])
        #expect(parsed.stdout == "{http://www.w3.org/2000/svg}svg 1.1 2\n", "\(parsed.stderr)")
    }

    @Test("--bundle DIR: evidence, report in md, txt, html and svg, README; the same evidence --evidence writes")
    func bundleDirectory() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bundle = directory.appendingPathComponent("bug").path
        let evidence = directory.appendingPathComponent("alone.pcapng").path
        let result = try run(["analyze", fixture(Self.reroute.fixture), "--bundle", bundle, "--evidence", evidence])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: bundle).sorted()
        #expect(names == ["README.txt", "evidence.pcapng", "report.html", "report.md", "report.svg", "report.txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(bundle)/evidence.pcapng")) == Data(contentsOf: URL(fileURLWithPath: evidence)))
        let readme = try String(contentsOfFile: "\(bundle)/README.txt", encoding: .utf8)
        #expect(readme.contains("wireshark evidence.pcapng"))
        for name in names where name != "README.txt" { #expect(readme.contains(name), "README names \(name)") }
        #expect(readme.split(separator: "\n").allSatisfy { $0.count <= 72 })
        #expect(try String(contentsOfFile: "\(bundle)/report.md", encoding: .utf8).contains("| evidence | `evidence.pcapng`"))
        // The comments name the findings, as the README says (tshark as the oracle).
        let comments = try #require(try EvidenceTests.tshark(["-r", "\(bundle)/evidence.pcapng", "-T", "fields", "-e", "frame.comment"]), "tshark is required")
        #expect(comments.contains("linklocal-on-loopback") && comments.contains("same-flow-multiple-interfaces"))
        // Never over an existing directory: refused before anything is read, contents untouched.
        try "mine".write(toFile: "\(bundle)/report.md", atomically: true, encoding: .utf8)
        let again = try run(["analyze", fixture(Self.reroute.fixture), "--bundle", bundle])
        #expect(again.status == 2)
        #expect(again.stderr.contains("--bundle would write over something that exists"))
        #expect(try String(contentsOfFile: "\(bundle)/report.md", encoding: .utf8) == "mine")
        let empty = directory.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        #expect(try run(["analyze", fixture(Self.reroute.fixture), "--bundle", empty]).status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
        // No temporary directory or file left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["alone.pcapng", "bug", "empty"])
    }

    @Test("--bundle X.tar.gz: a gzip ustar archive tar reads, sorted, root-owned, the capture's mtime, byte-identical run to run")
    func bundleTarball() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        var archives: [Data] = []
        for round in 0..<2 {
            let path = directory.appendingPathComponent("bug\(round).tar.gz").path
            let result = try run(["analyze", "--interface-name", "lo0", fixture(Self.macOS.fixture), "--bundle", path])
            #expect(result.status == 0, "\(result.stderr)")
            archives.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(archives.allSatisfy { $0.count > 1000 && $0.starts(with: [0x1f, 0x8b]) })
        let path = directory.appendingPathComponent("bug0.tar.gz").path
        #expect(try runTool("/usr/bin/gzip", ["-t", path]).status == 0)
        let listing = try runTool("/usr/bin/tar", ["--list", "--verbose", "--numeric-owner", "--full-time", "-z", "-f", path])
        #expect(listing.status == 0, "\(listing.stderr)")
        let lines = listing.stdout.split(separator: "\n")
        #expect(lines.map { String($0.split(separator: " ").last!) } == ["bug0/", "bug0/README.txt", "bug0/evidence.pcapng", "bug0/report.html", "bug0/report.md", "bug0/report.svg", "bug0/report.txt"])
        #expect(lines.allSatisfy { $0.contains(" 0/0 ") && $0.contains("2024-05-01 10:00:00") }, "\(listing.stdout)")
        let unpacked = directory.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: false)
        #expect(try runTool("/usr/bin/tar", ["-x", "-z", "-f", path, "-C", unpacked.path]).status == 0)
        let txt = try String(contentsOf: unpacked.appendingPathComponent("bug0/report.txt"), encoding: .utf8)
        #expect(txt == (try Self.golden("macos-lo0-own-linklocal.txt")))
        // The same run twice into the same name gives the same bytes.
        let again = directory.appendingPathComponent("again")
        try FileManager.default.createDirectory(at: again, withIntermediateDirectories: false)
        let copy = again.appendingPathComponent("bug0.tar.gz").path
        #expect(try run(["analyze", "--interface-name", "lo0", fixture(Self.macOS.fixture), "--bundle", copy]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == archives[0])
        // An existing archive is never replaced.
        let refused = try run(["analyze", "--interface-name", "lo0", fixture(Self.macOS.fixture), "--bundle", copy])
        #expect(refused.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == archives[0])
    }
}
