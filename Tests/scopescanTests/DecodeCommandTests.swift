import Foundation
import Testing

@Suite("scopescan decode")
struct DecodeCommandTests {
    func badChecksumFrames(_ name: String) throws -> [Int] {
        let result = try run(["decode", "--verify-checksums", "--format", "json", fixture(name)])
        #expect(result.status == 0)
        return try jsonLines(result.stdout).filter { ($0["anomalies"] as? [String])?.contains("bad-checksum") == true }.compactMap { $0["frame"] as? Int }
    }

    /// Expected frames are tshark 4.0's verdicts on the outer headers
    /// (`-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -Y '…checksum.status==0'`, minus the
    /// frames it flags only for a quoted packet inside an ICMP error).
    @Test("--verify-checksums agrees with tshark", arguments: [
        // Locally sent segments carry partial checksums (offload): every SYN the client sent.
        ("linux-icmp6-unreachable.pcap", [1, 3, 5, 7]),
        ("linux-udp-port-unreachable-lo.pcap", [1, 3]),
        // Routing headers: the pseudo-header uses the final destination; AH (frame 6) is bad in both.
        ("ipv6-ext-headers.pcap", [6]),
        ("ipv4-options-icmp.pcap", []),
        ("macos-lo0-own-linklocal.pcap", []),
    ])
    func checksums(_ name: String, _ expected: [Int]) throws {
        #expect(try badChecksumFrames(name) == expected)
    }

    @Test("text lines carry frame, interface, scoped addresses and ports")
    func textLine() throws {
        let result = try run(["decode", fixture("linux-own-linklocal-lo.pcapng")])
        let first = try #require(result.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix("1 "))
        #expect(first.contains(" lo IP6 [fe80::a:1%lo]:"))
        #expect(first.contains("> [fe80::a:1%lo]:12981: hlim 64 tcp S seq"))
    }

    @Test("a frame cut inside a layer keeps the layers before it and names the cut")
    func decodeErrorsAreReported() throws {
        let result = try run(["decode", "--format", "json", fixture("ipv6-ext-headers.pcap")])
        #expect(result.status == 0)
        for object in try jsonLines(result.stdout) {
            if let error = object["error"] as? String {
                #expect(error.contains("at offset") && (error.contains("needs") || error.contains("invalid")))
            }
        }
    }
}
