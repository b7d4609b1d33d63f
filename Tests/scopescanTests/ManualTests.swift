import Foundation
import Testing

/// The committed man pages (docs/man/) against what swift-argument-parser's generate-manual makes
/// of the current command definitions, and their rendering by man.
@Suite("man pages: current and clean")
struct ManualTests {
    /// SwiftPM's scratch directory this test bundle was built in (.build, or a --scratch-path).
    static let scratch: URL = scopescanBinary.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// generate-manual, built once into the scratch directory's `generate-manual` folder from the
    /// resolved swift-argument-parser checkout (Scripts/manual.sh builds the same), never into the
    /// package's own build directory, which the running `swift test` holds.
    static func generator() throws -> String {
        let checkout = scratch.appendingPathComponent("checkouts/swift-argument-parser").path
        let toolScratch = scratch.appendingPathComponent("generate-manual").path
        let swift = try #require(["/usr/bin/swift", "/opt/swift/usr/bin/swift"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? which("swift"))
        let binPath = try runTool(swift, ["build", "--package-path", checkout, "--scratch-path", toolScratch, "--show-bin-path"])
        let tool = binPath.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/generate-manual"
        if !FileManager.default.isExecutableFile(atPath: tool) {
            let build = try runTool(swift, ["build", "--package-path", checkout, "--scratch-path", toolScratch, "--product", "generate-manual"])
            #expect(build.status == 0, "building generate-manual: \(build.stderr.suffix(2000))")
        }
        return tool
    }

    static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var pages: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("docs/man").path)) ?? []).filter { $0.hasSuffix(".1") }.sorted()
    }

    @Test("docs/man is what Scripts/manual.sh generates now (run it after changing a command or its help)")
    func current() throws {
        let tool = try Self.generator()
        let check = try runTool("/bin/bash", [repositoryRoot.appendingPathComponent("Scripts/manual.sh").path, "--check"],
                                environment: ["GENERATE_MANUAL": tool, "SCOPESCAN": scopescanBinary.path])
        #expect(check.status == 0, "\(check.stderr.prefix(4000))")
        // One page for the whole command and one per subcommand.
        let help = try run(["--help"]).stdout
        for command in ["analyze", "capture", "decode", "interfaces", "probe", "rules"] {
            #expect(help.contains(command))
            #expect(Self.pages.contains("scopescan.\(command).1"), "no page for \(command): \(Self.pages)")
        }
        #expect(Self.pages.contains("scopescan.1"))
    }

    @Test("every page renders with man without a warning, and says what the help says")
    func renders() throws {
        let man = try #require(Self.which("man") ?? ["/usr/bin/man"].first { FileManager.default.isExecutableFile(atPath: $0) }, "man-db is not installed (Scripts/install-deps.sh --test)")
        #expect(Self.pages.count >= 7)
        for page in Self.pages {
            let path = repositoryRoot.appendingPathComponent("docs/man/\(page)").path
            let result = try runTool(man, ["--warnings", "-l", path], environment: ["MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MANPAGER": "cat", "PAGER": "cat"])
            #expect(result.status == 0, "\(page): \(result.stderr)")
            #expect(result.stderr.isEmpty, "\(page) warns: \(result.stderr)")
            #expect(result.stdout.count > 300, "\(page) rendered to almost nothing")
        }
        // ASCII rendering (C locale: no typographic quotes or hyphens), words joined across lines.
        let whole = try runTool(man, ["-l", repositoryRoot.appendingPathComponent("docs/man/scopescan.1").path], environment: ["MANWIDTH": "250", "LC_ALL": "C", "MANPAGER": "cat", "PAGER": "cat"]).stdout
        let plain = whole.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // Text a blank line or a leading quote would have made troff drop.
        #expect(plain.contains("'-' reads standard input"), "the analyze discussion lost its first sentence")
        #expect(plain.contains("-w - writes the pcapng to standard output"))
        #expect(plain.contains("--skip-rule"))
        #expect(plain.contains("--syn-retries"))
    }
}
