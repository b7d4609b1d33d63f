import Foundation
import Testing

/// libcrypto (the SHA-256 of --report, --evidence and --bundle) is loaded only when a digest is
/// wanted: every other command starts without it. Shown by hiding it in a mount namespace (root):
/// /dev/null is bound over the library file, so the dynamic loader finds an empty file.
@Suite("libcrypto only when a digest is wanted", .serialized, .enabled(if: HiddenLibcrypto.available, HiddenLibcrypto.reason))
struct LibraryLoadingTests {
    @Test("without libcrypto, analyze and decode run as before, and --report says in one line what is missing before writing anything")
    func withoutLibcrypto() throws {
        let capture = fixture("macos-lo0-own-linklocal.pcap")
        let expected = try run(["analyze", capture])
        #expect(expected.status == 1 || expected.status == 0, "\(expected.stderr)")
        let hidden = try HiddenLibcrypto.run(["analyze", capture])
        #expect(hidden.status == expected.status, "\(hidden.stderr)")
        #expect(hidden.stdout == expected.stdout)
        #expect(hidden.stdout.contains("linklocal-on-loopback"))
        let decode = try HiddenLibcrypto.run(["decode", "--format", "json", capture])
        #expect(decode.status == 0, "\(decode.stderr)")
        #expect(decode.stdout == (try run(["decode", "--format", "json", capture])).stdout)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-nocrypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("r.md").path
        let evidence = directory.appendingPathComponent("e.pcapng").path
        let refused = try HiddenLibcrypto.run(["analyze", capture, "--report", report, "--evidence", evidence])
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty, "nothing analysed: \(refused.stdout)")
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("scopescan: error: the SHA-256 of --report, --evidence and --bundle needs OpenSSL's libcrypto, which cannot be loaded ("), "\(refused.stderr)")
        #expect(refused.stderr.contains("libssl-dev"))
        #expect(!FileManager.default.fileExists(atPath: report))
        #expect(!FileManager.default.fileExists(atPath: evidence))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "no temporary file left")

        // The same command with libcrypto there: the digest is the file's.
        let written = try run(["analyze", capture, "--report", report])
        #expect(written.status == expected.status, "\(written.stderr)")
        let text = try String(contentsOfFile: report, encoding: .utf8)
        #expect(text.contains("85dd0ddd3131b0e4db882146f051b172b4e9682e42a67e3e6df6638011f06bda"))
    }
}

enum HiddenLibcrypto {
    /// Every file the loader could take for libcrypto (its soname and the development link), resolved.
    static let files: [String] = {
        guard let listing = try? runTool("/sbin/ldconfig", ["-p"]) else { return [] }
        let paths = listing.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("libcrypto.so"), let arrow = line.range(of: "=> ") else { return nil }
            return URL(fileURLWithPath: String(line[arrow.upperBound...])).resolvingSymlinksInPath().path
        }
        return Array(Set(paths)).sorted()
    }()

    static let available = isLinux && getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") && !files.isEmpty
    static let reason: Comment = "needs Linux, root, unshare(1) and a libcrypto that ldconfig knows"

    /// scopescan `arguments` in a mount namespace where each libcrypto file reads as empty.
    static func run(_ arguments: [String]) throws -> RunResult {
        let script = "for f in \(files.joined(separator: " ")); do mount --bind /dev/null \"$f\" || exit 97; done; exec \"$@\""
        return try runTool("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script, "sh", scopescanBinary.path] + arguments)
    }
}
