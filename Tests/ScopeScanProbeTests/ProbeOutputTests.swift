import ScopeScanProbe
import ScopeScanRules
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Probe outputs: JSON keys and the text table, from hand-made attempts")
struct ProbeOutputTests {
    static let attemptKeys = ["attempt", "interface", "address", "scope_id", "port", "nonlocal_option", "route", "anyip_route", "bind", "bind_step", "bind_errno",
                              "bind_error", "connect", "connect_errno", "connect_ms", "accepted", "packets", "seen_on", "syn_answered", "answer",
                              "icmp_errors", "findings", "finding_frames"]

    /// The top-level keys of a flat-enough JSON object, in order (nested objects skipped).
    static func keys(_ json: String) -> [String] {
        var keys: [String] = [], depth = 0, inString = false, current = "", afterKey = false
        var previous: Character = " "
        for character in json {
            if inString {
                if character == "\"" && previous != "\\" { inString = false; afterKey = depth == 1 } else { current.append(character) }
            } else if character == "\"" {
                inString = true
                current = ""
            } else if character == ":" && afterKey {
                keys.append(current)
                afterKey = false
            } else {
                if character == "{" || character == "[" { depth += 1 }
                if character == "}" || character == "]" { depth -= 1 }
                afterKey = false
            }
            previous = character
        }
        return keys
    }

    @Test("an attempt object has every documented key, in order, with or without a capture")
    func attemptKeys() {
        #expect(Self.keys(ProbeJSON.attempt(Probe.attempt(seenOn: ["lo"]))) == Self.attemptKeys)
        #expect(Self.keys(ProbeJSON.attempt(Probe.attempt(bindErrno: EADDRNOTAVAIL, seenOn: nil))) == Self.attemptKeys)
        let unbound = ProbeJSON.attempt(Probe.attempt(.otherInPrefix, address: "fe80::a:3", bindErrno: EADDRNOTAVAIL, seenOn: nil))
        #expect(unbound.contains("\"bind\":\"EADDRNOTAVAIL\""))
        #expect(unbound.contains("\"connect\":\"not attempted\""))
        #expect(unbound.contains("\"packets\":null"))
        #expect(unbound.contains("\"syn_answered\":null"))
        #expect(unbound.contains("\"route\":null"), "no route asked: null")
        var refused = Probe.attempt(seenOn: ["lo"])
        refused.kernelRoute = RouteNote(destination: .v6(refused.address), scope: refused.interface, type: nil, device: nil, table: nil, source: nil, gateway: nil, error: "ENETUNREACH")
        #expect(ProbeJSON.attempt(refused).contains("\"route\":{\"error\":\"ENETUNREACH\"}"))
        #expect(refused.kernelRoute?.text == "the kernel has no route for \(refused.address) with scope \(refused.interface): ENETUNREACH")
    }

    @Test("a verdict is wrapped in {\"verdict\": …}")
    func verdictKeys() {
        let verdict = ProbeVerdict(interface: "eth0", platform: "Linux", loopback: "lo", attempts: [Probe.attempt(seenOn: ["lo"])], captured: true, notes: [])
        let json = ProbeJSON.verdict(verdict)
        #expect(json.hasPrefix("{\"verdict\":{\"interface\":\"eth0\",\"platform\":\"Linux\",\"behaviour\":\"rerouted-accepted\","))
        #expect(json.hasSuffix("\"captured\":true,\"notes\":[]}}"))
    }

    @Test("the text table: header, one row per attempt, the verdict, the run's notes once")
    func table() {
        let attempts = [Probe.attempt(seenOn: nil), Probe.attempt(.otherInPrefix, address: "fe80::a:3", port: 12982, bindErrno: EADDRNOTAVAIL, seenOn: nil)]
        let note = "capture off (--no-capture): bind and connect results only"
        let verdict = ProbeVerdict(interface: "eth0", platform: "Linux", loopback: "lo", attempts: attempts, captured: false, notes: [note])
        let text = ProbeTextOutput.render(ProbeResult(platform: "Linux", attempts: attempts, verdicts: [verdict], findings: [], notes: [note], captureInterfaceNames: nil, capturePath: nil))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "probe on Linux, not capturing")
        #expect(lines[2].hasPrefix("attempt          address         port   bind           connect"))
        #expect(lines[3].hasPrefix("own-link-local   fe80::a:1%eth0  12981  ok             ok 0.25 ms"))
        #expect(lines[4].hasPrefix("other-in-prefix  fe80::a:3%eth0  12982  EADDRNOTAVAIL  not attempted"))
        #expect(lines.filter { $0.contains(note) }.count == 1, "the run's note is printed once")
        #expect(text.hasSuffix("\nnote: \(note)\n"))
        let markdown = ProbeTextOutput.markdown(attempts: attempts, verdicts: [verdict])
        #expect(markdown.hasPrefix("## Probe\n"))
        #expect(markdown.contains("| own-link-local | fe80::a:1%eth0 | 12981 | ok | ok 0.25 ms | ? | ? | ? |"))
    }
}
