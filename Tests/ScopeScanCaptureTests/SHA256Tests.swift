import Foundation
import Testing
import ScopeScanCapture

/// The digest the report and evidence files name their input by: the FIPS 180-4 example vectors
/// (NIST's "SHA-256 examples", also RFC 6234 section 8.5) and sha256sum on a real capture.
@Suite("SHA-256: FIPS 180-4 vectors and sha256sum")
struct SHA256Tests {
    static func digest(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return SHA256.hex(hasher.finalize())
    }

    @Test("one-block message 'abc'")
    func abc() {
        #expect(Self.digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("empty message")
    func empty() {
        #expect(Self.digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("two-block message of 448 bits")
    func twoBlocks() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.digest(message) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("one million 'a', fed in uneven pieces")
    func millionA() {
        var hasher = SHA256()
        var left = 1_000_000, piece = 1
        while left > 0 {
            let count = min(piece, left)
            hasher.update([UInt8](repeating: 0x61, count: count))
            left -= count
            piece = piece * 7 % 1021 + 1
        }
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("a capture file's digest is what sha256sum prints")
    func fileMatchesSha256sum() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/linux-two-interfaces.pcapng").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = try #require(output.split(separator: " ").first.map(String.init))
        #expect(SHA256.hexDigest(ofFile: path) == expected)
    }
}
