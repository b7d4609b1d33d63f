import Foundation
import Testing

/// The SVG and HTML reports as a person sees them: the SVG rendered by librsvg (rsvg-convert), the
/// HTML loaded in headless Chromium, each screenshot checked for ink and read back with tesseract.
/// Debian's librsvg2-bin, chromium and tesseract-ocr (Scripts/install-deps.sh --test).
@Suite("SVG and HTML reports rendered, screenshotted and read back by OCR", .serialized)
struct ReportViewTests {
    static func tool(_ name: String) throws -> String {
        let path = "/usr/bin/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ToolMissing(description: "\(name) is required: Scripts/install-deps.sh --test installs it")
        }
        return path
    }

    struct ToolMissing: Error, CustomStringConvertible { var description: String }

    /// Runs under timeout(1), so a browser that hangs fails the test instead of the whole run.
    static func bounded(_ seconds: Int, _ path: String, _ arguments: [String]) throws -> RunResult {
        try runTool("/usr/bin/timeout", ["--kill-after=10", "\(seconds)", path] + arguments)
    }

    /// Mean and standard deviation of the PNG's grey levels (python3's zlib reading the PNG; no
    /// imaging library needed): a blank page has a deviation near 0.
    static func inkStatistics(_ png: String) throws -> (mean: Double, deviation: Double, width: Int, height: Int) {
        let script = """
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        pos, idat, w, h, depth, ctype = 8, b'', 0, 0, 0, 0
        while pos < len(data):
            n, kind = struct.unpack('>I4s', data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + n]
            if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            if kind == b'IDAT': idat += body
            pos += 12 + n
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
        raw, stride = zlib.decompress(idat), w * bpp
        prev, rows, i = bytearray(stride), [], 0
        for _ in range(h):
            f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 2: line[x] = (line[x] + b) & 255
                elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(line); prev = line
        greys = [sum(r[x:x + 3]) / 3 for r in rows[::2] for x in range(0, stride, bpp * 2)]
        mean = sum(greys) / len(greys)
        print(mean, (sum((g - mean) ** 2 for g in greys) / len(greys)) ** 0.5, w, h)
        """
        let result = try runTool("/usr/bin/python3", ["-c", script, png])
        let fields = result.stdout.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard result.status == 0, fields.count == 4 else { throw ToolMissing(description: "cannot read \(png): \(result.stderr)") }
        return (Double(fields[0])!, Double(fields[1])!, Int(fields[2])!, Int(fields[3])!)
    }

    /// tesseract reads a monospace 0 as o about as often as not ("vetho"): compare with both as 0.
    static func zeroes(_ text: String) -> String {
        String(text.map { $0 == "o" || $0 == "O" ? "0" : $0 })
    }

    static func ocr(_ png: String) throws -> String {
        let result = try bounded(120, try tool("tesseract"), [png, "stdout", "--psm", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    static func analysed(_ fixtureName: String, _ options: [String], report: String) throws -> [String] {
        let result = try run(["analyze"] + options + [fixture(fixtureName), "--report", report, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        // The findings' rule ids from the JSON output: the oracle for what the page must hold.
        return try jsonLines(result.stdout).filter { $0["event_type"] as? String == "finding" }.map { $0["rule"] as! String }
    }

    @Test("the SVG renders with rsvg-convert to a PNG that is not blank and reads back the rule, frames and interfaces",
          arguments: [("macos-lo0-own-linklocal.pcap", ["--interface-name", "lo0"], ["lo0"]),
                      ("linux-reroute-both-sides.pcapng", [], ["%lo", "veth0"])])
    func svgRendered(fixtureName: String, options: [String], interfaces: [String]) throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let svg = directory.appendingPathComponent("r.svg").path, png = directory.appendingPathComponent("r.png").path
        let rules = try Self.analysed(fixtureName, options, report: svg)
        #expect(!rules.isEmpty)
        let render = try Self.bounded(120, try Self.tool("rsvg-convert"), ["--zoom", "2", "--background-color", "white", svg, "-o", png])
        #expect(render.status == 0, "\(render.stderr)")
        let ink = try Self.inkStatistics(png)
        #expect(ink.width == 2000 && ink.height > 600)
        #expect(ink.deviation > 20 && ink.mean > 150, "mean \(ink.mean), deviation \(ink.deviation): blank or black")
        let text = try Self.ocr(png)
        for rule in rules { #expect(text.contains(rule), "OCR lacks \(rule): \(text)") }
        for interface in interfaces { #expect(Self.zeroes(text).contains(Self.zeroes(interface)), "OCR lacks \(interface): \(text)") }
        #expect(text.contains("#1 +0.000000 s SYN"), "\(text)")
        #expect(text.contains("client") && text.contains("server"))
    }

    @Test("the HTML loads in headless Chromium: the DOM holds a section per finding, the screenshot is not blank and reads back")
    func htmlInChromium() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("r.html").path
        let rules = try Self.analysed("linux-reroute-both-sides.pcapng", [], report: html)
        let chromium = try Self.tool("chromium")
        // Root needs --no-sandbox; a fresh profile so no state leaks in; no network is needed. (The
        // page has no script at all, ReportFormatTests checks; headless Chromium needs its own
        // scripting on to dump the DOM, so it is not switched off here.)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--user-data-dir=\(directory.appendingPathComponent("profile").path)"]
        let dom = try Self.bounded(120, chromium, common + ["--dump-dom", "file://\(html)"])
        #expect(dom.status == 0, "\(dom.stderr)")
        let sections = dom.stdout.components(separatedBy: "<section class=\"finding\"").dropFirst()
        #expect(sections.count == rules.count)
        for (number, rule) in rules.enumerated() {
            #expect(dom.stdout.contains("id=\"\(number + 1)-\(rule)\" data-rule=\"\(rule)\""), "DOM lacks finding \(number + 1) \(rule)")
        }
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 == rules.count)
        let png = directory.appendingPathComponent("page.png").path
        let shot = try Self.bounded(120, chromium, common + ["--hide-scrollbars", "--window-size=1100,1500", "--screenshot=\(png)", "file://\(html)"])
        #expect(shot.status == 0, "\(shot.stderr)")
        let ink = try Self.inkStatistics(png)
        #expect(ink.width == 1100 && ink.height == 1500)
        #expect(ink.deviation > 15 && ink.mean > 150, "mean \(ink.mean), deviation \(ink.deviation)")
        let text = try Self.ocr(png)
        #expect(text.contains("scopescan report"), "\(text)")
        #expect(text.contains("Environment") && text.contains("Findings"))
        // OCR capitalises a word at the start of a line now and then ("Linklocal-on-loopback").
        for rule in rules { #expect(text.lowercased().contains(rule), "OCR lacks \(rule): \(text)") }
    }
}
