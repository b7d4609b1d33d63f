/// The attempt table and the verdicts, as terminal text and as a Markdown report section.
public enum ProbeTextOutput {
    static let headers = ["attempt", "address", "port", "bind", "connect", "packets on", "SYN answered", "findings"]

    static func row(_ a: ProbeAttempt) -> [String] {
        let packets = a.packets.map { list in
            let seen = list.filter { $0.1 > 0 }
            return seen.isEmpty ? "none" : seen.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        } ?? "?"
        let answered: String
        if a.packets == nil { answered = "?" } else if a.connect == nil { answered = "-" } else { answered = a.answer.map { $0 == "none" ? "no" : "yes (\($0))" } ?? "no SYN seen" }
        let findings = a.packets == nil ? "?" : (a.ruleIDs.isEmpty ? "-" : a.ruleIDs.joined(separator: ", "))
        return [a.name, a.scopedAddress, String(a.port), a.bindText, a.connectText, packets, answered, findings]
    }

    /// What `scopescan probe` prints: a header line, the table, each verdict with its notes, then
    /// the run's own notes (once, not under every verdict).
    public static func render(_ result: ProbeResult) -> String {
        var out = "probe on \(result.platform)"
        if let captureNames = result.captureInterfaceNames { out += ", capturing on \(captureNames.joined(separator: ", "))" } else { out += ", not capturing" }
        out += "\n\n"
        let rows = [headers] + result.attempts.map(row)
        var widths = Array(repeating: 0, count: headers.count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for r in rows {
            var line = ""
            for (i, cell) in r.enumerated() {
                line += i == r.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            out += line + "\n"
        }
        for verdict in result.verdicts {
            out += "\nverdict (\(verdict.interface)): \(verdict.text)\n"
            for note in verdict.notes where !result.notes.contains(note) { out += "  - \(note)\n" }
        }
        for note in result.notes { out += "\nnote: \(note)\n" }
        return out
    }

    /// The `## Probe` section of the Markdown report.
    public static func markdown(attempts: [ProbeAttempt], verdicts: [ProbeVerdict]) -> String {
        var out = "## Probe\n\n`scopescan probe`: listen on each address, connect to it, capture the interface and loopback.\n\n"
        out += "| " + headers.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: headers.count) + "\n"
        for attempt in attempts {
            out += "| " + row(attempt).map(escapingPipes).joined(separator: " | ") + " |\n"
        }
        for verdict in verdicts {
            out += "\n**Verdict (\(verdict.interface)):** \(verdict.text)\n"
            if !verdict.notes.isEmpty { out += "\n" + verdict.notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        }
        return out
    }

    /// Markdown table cells: `|` escaped.
    static func escapingPipes(_ cell: String) -> String {
        var out = ""
        for character in cell {
            if character == "|" { out += "\\" }
            out.append(character)
        }
        return out
    }
}
