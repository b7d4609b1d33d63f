import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// The Markdown report attached to a bug report: environment, a summary table, and per finding its
/// explanation, the packets that prove it and a Mermaid sequence diagram. Deterministic: it holds
/// only the capture's own times, so two runs over the same input are byte-identical.
public struct MarkdownReport {
    public struct Input {
        public var name: String
        public var format: String
        public var size: Int
        public var sha256: String
        public var options: [String]

        public init(name: String, format: String, size: Int, sha256: String, options: [String]) {
            self.name = name
            self.format = format
            self.size = size
            self.sha256 = sha256
            self.options = options
        }
    }

    public var input: Input
    public var version: String
    public var findings: [Finding]
    public var summary: AnalysisSummary
    public var interfaces: InterfaceTable
    public var sketches: [Int: PacketSketch]
    public var evidenceName: String?
    /// `--explain`: a "Facts it rests on" list in each finding's section.
    public var explain = false

    public init(input: Input, version: String, findings: [Finding], summary: AnalysisSummary, interfaces: InterfaceTable, sketches: [Int: PacketSketch], evidenceName: String?) {
        self.input = input
        self.version = version
        self.findings = findings
        self.summary = summary
        self.interfaces = interfaces
        self.sketches = sketches
        self.evidenceName = evidenceName
    }

    /// Escapes text for a Markdown table cell (controls first, DisplayText, so no cell breaks a row).
    static func cell(_ text: String) -> String {
        DisplayText.escaped(text).replacingAll("|", with: "\\|")
    }

    /// Text from the capture in running Markdown: controls escaped.
    static func safe(_ text: String) -> String { DisplayText.escaped(text) }

    public func render() -> String {
        var out = "# scopescan report: \(Self.safe(input.name))\n\n"
        out += environment()
        out += summaryTable()
        for (number, finding) in findings.enumerated() {
            out += section(number + 1, finding)
        }
        if !summary.warnings.isEmpty {
            out += "\n## Warnings\n\n"
            for warning in summary.warnings { out += "- \(Self.safe(warning))\n" }
        }
        return out
    }

    func environment() -> String {
        var out = "## Environment\n\n| | |\n|---|---|\n"
        out += "| input | `\(Self.cell(input.name))` (\(input.format), \(input.size) bytes) |\n"
        out += "| SHA-256 | `\(input.sha256)` |\n"
        if let first = summary.firstTime, let last = summary.lastTime {
            out += "| capture span | \(first.iso8601(fractionDigits: 6)) to \(last.iso8601(fractionDigits: 6)) (\(formatSpan(last.seconds(since: first)))) |\n"
        }
        out += "| packets | \(summary.packets) (\(summary.analysed) analysed, \(summary.ipv6) IPv6, \(summary.ipv4) IPv4, \(summary.decodeErrors) with decode errors) |\n"
        out += "| tcp connection attempts | \(summary.connectionAttempts) |\n"
        if summary.flowsEvicted > 0 { out += "| flows evicted | \(summary.flowsEvicted) (flow table cap reached) |\n" }
        out += "| analysed by | scopescan \(version)\(input.options.isEmpty ? ", default rules and thresholds" : ": " + Self.cell(input.options.joined(separator: " "))) |\n"
        if let evidenceName { out += "| evidence | `\(Self.cell(evidenceName))`: the packets below, each commented with its findings and original frame number |\n" }
        out += "\n### Interfaces\n\n| # | name | link type | addresses | packets |\n|---|---|---|---|---|\n"
        for (index, count) in summary.packetsByInterface.sorted(by: { $0.key < $1.key }) {
            let known = index < interfaces.interfaces.count ? interfaces.interfaces[index] : nil
            let name = interfaces.name(index) ?? "(unnamed)"
            let link = known.map { "\($0.linkType.name) (\($0.linkType.rawValue))" } ?? "PKTAP"
            let addresses = known?.addresses.map { "`\(Self.cell("\($0)"))`" }.joined(separator: ", ") ?? ""
            out += "| \(index) | \(Self.cell(name)) | \(link) | \(addresses.isEmpty ? "not recorded" : addresses) | \(count) |\n"
        }
        return out + "\n"
    }

    func summaryTable() -> String {
        var out = "## Findings\n\n"
        if findings.isEmpty { return out + "No findings.\n" }
        out += "| # | rule | severity | interface | flow | first frame |\n|---|---|---|---|---|---|\n"
        for (number, finding) in findings.enumerated() {
            let flow = finding.flow.map { "`\(Self.safe($0.text(interface: finding.interface)))`" } ?? ""
            out += "| [\(number + 1)](#\(number + 1)-\(finding.rule.rawValue)) | `\(finding.rule)` | \(finding.severity.rawValue) | \(Self.cell(finding.interface ?? "unnamed")) | \(Self.cell(flow)) | \(finding.firstFrame.map(String.init) ?? "") |\n"
        }
        var byRule: [(RuleID, Severity, Int)] = []
        for (rule, count) in summary.findingsByRule.sorted(by: { $0.key < $1.key }) {
            byRule.append((rule, RuleCatalogue.descriptor(rule)?.severity ?? .info, count))
        }
        out += "\n| rule | severity | count |\n|---|---|---|\n"
        for (rule, severity, count) in byRule.sorted(by: { ($0.1, $1.0) > ($1.1, $0.0) }) {
            out += "| `\(rule)` | \(severity.rawValue) | \(count) |\n"
        }
        for (rule, count) in summary.suppressedByRule.sorted(by: { $0.key < $1.key }) {
            out += "\n\(count) further `\(rule)` findings were counted but not kept (`--max-findings`).\n"
        }
        return out + "\n"
    }

    func section(_ number: Int, _ finding: Finding) -> String {
        let descriptor = RuleCatalogue.descriptor(finding.rule)
        var out = "## \(number). \(finding.rule)\n\n"
        out += "**\(descriptor?.title ?? finding.rule.rawValue)**, severity \(finding.severity.rawValue), on \(Self.safe(finding.interface ?? "an unnamed interface")), at \(finding.firstTime.iso8601(fractionDigits: 6))\n\n"
        out += "\(Self.safe(finding.summary))\n\n"
        if let flow = finding.flow { out += "- Flow: `\(Self.safe(flow.text(interface: finding.interface)))`\n" }
        out += "- Frames: \(finding.frames.map(String.init).joined(separator: ", "))"
        if finding.count > finding.frames.count { out += " (\(finding.count) packets in all)" }
        out += "\n"
        if let route = finding.route { out += "- Route: \(Self.cell(route.text))\n" }
        if !finding.related.isEmpty { out += "- Related: \(finding.related.map { "`\($0)`" }.joined(separator: ", "))\n" }
        if let descriptor {
            out += "- Why it matters: \(descriptor.explanation)\n"
            out += "- Platform context: \(descriptor.platformContext)\n"
            out += "- References: \(descriptor.references.joined(separator: "; "))\n"
        }
        if explain && !finding.facts.isEmpty {
            out += "\n**Facts it rests on**\n\n"
            for fact in finding.facts { out += "- \(Self.cell(fact))\n" }
        }
        let packets = finding.frames.compactMap { sketches[$0] }.sorted { $0.frame < $1.frame }
        // The kernel column appears only where the kernel was asked (`--kernel-drops`).
        let drops = Dictionary(grouping: finding.kernelDrops.filter { $0.frame != nil }, by: { $0.frame! })
        let kernelColumn = !finding.kernelDrops.isEmpty
        if !packets.isEmpty {
            let start = packets[0].time
            out += "\n| frame | time | interface | source → destination | what |\(kernelColumn ? " kernel |" : "")\n|---|---|---|---|---|\(kernelColumn ? "---|" : "")\n"
            for packet in packets {
                out += "| \(packet.frame) | +\(formatOffset(packet.time.seconds(since: start))) | \(Self.cell(packet.interface ?? "")) | \(Self.cell("\(packet.endpoint(packet.source, packet.sourcePort)) → \(packet.endpoint(packet.destination, packet.destinationPort))")) | \(Self.cell(packet.what)) |"
                if kernelColumn { out += " \(Self.cell(drops[packet.frame]?.map { "dropped: \($0.reasonText)" }.joined(separator: ", ") ?? "")) |" }
                out += "\n"
            }
            if let diagram = sequenceDiagram(finding, packets) { out += "\n" + diagram }
        }
        let uncaptured = finding.kernelDrops.filter { $0.frame == nil }
        if !uncaptured.isEmpty {
            out += "\nDropped by the kernel before the capture saw them:\n\n"
            for drop in uncaptured {
                out += "- \(drop.time.iso8601(fractionDigits: 6)) \(drop.flow.map { "`\($0.text(interface: nil))` " } ?? "")\(drop.kind): \(drop.reasonText) (\(drop.explanation))\n"
            }
        }
        return out + "\n"
    }

    /// A Mermaid sequence diagram of the flow: client, server and any third party (a router).
    func sequenceDiagram(_ finding: Finding, _ packets: [PacketSketch]) -> String? {
        guard let flow = finding.flow else { return nil }
        func label(_ address: IPAddress, _ port: UInt16?) -> String {
            let text = Self.mermaidSafe(address.scopedText(interface: finding.interface))
            return port.map { "\(text) port \($0)" } ?? text
        }
        var out = "```mermaid\nsequenceDiagram\n"
        out += "    participant C as \(label(flow.source, flow.sourcePort))\n"
        let sameHost = flow.source == flow.destination
        out += "    participant S as \(label(flow.destination, flow.destinationPort))\n"
        var others: [IPAddress: String] = [:]
        let start = packets[0].time
        var lines: [String] = []
        var synsSeen = 0
        for packet in packets {
            guard let source = packet.source else { continue }
            let from: String, to: String
            if source == flow.source && (!sameHost || packet.sourcePort == flow.sourcePort || packet.sourcePort == nil) {
                (from, to) = ("C", "S")
            } else if source == flow.destination {
                (from, to) = ("S", "C")
            } else {
                let name = others[source] ?? "R\(others.count + 1)"
                if others[source] == nil {
                    others[source] = name
                    out += "    participant \(name) as \(label(source, nil))\n"
                }
                (from, to) = (name, packet.destination == flow.destination ? "S" : "C")
            }
            let arrow = from == "C" ? "->>" : "-->>"
            var label = packet.label
            if label == "SYN" && from == "C" {
                if synsSeen > 0 { label = "SYN retry \(synsSeen)" }
                synsSeen += 1
            }
            lines.append("    \(from)\(arrow)\(to): \(Self.mermaidSafe(label)) (frame \(packet.frame), +\(formatOffset(packet.time.seconds(since: start))))")
            for drop in finding.kernelDrops where drop.frame == packet.frame {
                lines.append("    Note over \(to): dropped by the kernel: \(Self.mermaidSafe(drop.reasonText))")
            }
        }
        out += lines.joined(separator: "\n") + "\n"
        switch finding.rule {
        case .synUnanswered:
            out += "    Note over C,S: no SYN-ACK or RST until the end of the capture\n"
        case .neighborUnresolved:
            out += "    Note over C,S: no Neighbor Advertisement\n"
        default:
            break
        }
        return out + "```\n"
    }

    /// Mermaid treats ';' and '#' specially in message text.
    static func mermaidSafe(_ text: String) -> String {
        DisplayText.escaped(text).replacingAll(";", with: ",").replacingAll("#", with: "no. ")
    }

    func formatOffset(_ seconds: Double) -> String {
        let micro = Int64((seconds * 1e6).rounded())
        let whole = micro / 1_000_000
        let fraction = String(micro % 1_000_000)
        return "\(whole).\(String(repeating: "0", count: 6 - fraction.count))\(fraction) s"
    }

    func formatSpan(_ seconds: Double) -> String { formatOffset(seconds) }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
