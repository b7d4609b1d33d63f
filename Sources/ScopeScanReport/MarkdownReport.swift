import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// The Markdown report attached to a bug report: environment, a summary table, and per finding its
/// explanation, the packets that prove it and a Mermaid sequence diagram (GitHub, GitLab and Gitea
/// render them). It lays out a `ReportModel`, as the text, SVG and HTML reports do.
public struct MarkdownReport {
    public typealias Input = ReportModel.Input

    public var model: ReportModel

    public init(model: ReportModel) { self.model = model }

    public init(input: Input, version: String, findings: [Finding], summary: AnalysisSummary, interfaces: InterfaceTable, sketches: [Int: PacketSketch], evidenceName: String?, explain: Bool = false) {
        model = ReportModel(input: input, version: version, findings: findings, summary: summary, interfaces: interfaces, sketches: sketches, evidenceName: evidenceName, explain: explain)
    }

    /// Escapes text for a Markdown table cell (controls first, DisplayText, so no cell breaks a row).
    static func cell(_ text: String) -> String {
        DisplayText.escaped(text).replacingAll("|", with: "\\|")
    }

    /// Text from the capture in running Markdown: controls escaped.
    static func safe(_ text: String) -> String { DisplayText.escaped(text) }

    public func render() -> String {
        var out = "# scopescan report: \(Self.safe(model.input.name))\n\n"
        out += environment()
        out += summaryTable()
        for finding in model.findings {
            out += section(finding)
        }
        if !model.warnings.isEmpty {
            out += "\n## Warnings\n\n"
            for warning in model.warnings { out += "- \(Self.safe(warning))\n" }
        }
        return out
    }

    func environment() -> String {
        let input = model.input
        var out = "## Environment\n\n| | |\n|---|---|\n"
        out += "| input | `\(Self.cell(input.name))` (\(input.format), \(input.size) bytes) |\n"
        out += "| SHA-256 | `\(input.sha256)` |\n"
        if let span = model.span {
            out += "| capture span | \(span.first) to \(span.last) (\(span.length)) |\n"
        }
        out += "| packets | \(model.packets) |\n"
        out += "| tcp connection attempts | \(model.connectionAttempts) |\n"
        if model.flowsEvicted > 0 { out += "| flows evicted | \(model.flowsEvicted) (flow table cap reached) |\n" }
        out += "| analysed by | \(Self.cell(model.analysedBy)) |\n"
        if let evidenceName = model.evidenceName { out += "| evidence | `\(Self.cell(evidenceName))`: the packets below, each commented with its findings and original frame number |\n" }
        out += "\n### Interfaces\n\n| # | name | link type | addresses | packets |\n|---|---|---|---|---|\n"
        for row in model.interfaces {
            let addresses = row.addresses.map { "`\(Self.cell($0))`" }.joined(separator: ", ")
            out += "| \(row.index) | \(Self.cell(row.name)) | \(row.linkType) | \(addresses.isEmpty ? "not recorded" : addresses) | \(row.packets) |\n"
        }
        return out + "\n"
    }

    func summaryTable() -> String {
        var out = "## Findings\n\n"
        if model.findings.isEmpty { return out + "No findings.\n" }
        out += "| # | rule | severity | interface | flow | first frame |\n|---|---|---|---|---|---|\n"
        for finding in model.findings {
            let flow = finding.flow.map { "`\(Self.safe($0))`" } ?? ""
            out += "| [\(finding.number)](#\(finding.anchor)) | `\(finding.rule)` | \(finding.severity) | \(Self.cell(finding.interface ?? "unnamed")) | \(Self.cell(flow)) | \(finding.firstFrame.map(String.init) ?? "") |\n"
        }
        out += "\n| rule | severity | count |\n|---|---|---|\n"
        for count in model.byRule {
            out += "| `\(count.rule)` | \(count.severity) | \(count.count) |\n"
        }
        for (rule, count) in model.suppressed {
            out += "\n\(count) further `\(rule)` findings were counted but not kept (`--max-findings`).\n"
        }
        return out + "\n"
    }

    func section(_ finding: ReportModel.FindingEntry) -> String {
        var out = "## \(finding.number). \(finding.rule)\n\n"
        out += "**\(finding.title)**, severity \(finding.severity), on \(Self.safe(finding.interface ?? "an unnamed interface")), at \(finding.time)\n\n"
        out += "\(Self.safe(finding.summary))\n\n"
        if let flow = finding.flow { out += "- Flow: `\(Self.safe(flow))`\n" }
        out += "- Frames: \(finding.frames.map(String.init).joined(separator: ", "))"
        if finding.count > finding.frames.count { out += " (\(finding.count) packets in all)" }
        out += "\n"
        if let route = finding.route { out += "- Route: \(Self.cell(route))\n" }
        if !finding.related.isEmpty { out += "- Related: \(finding.related.map { "`\($0)`" }.joined(separator: ", "))\n" }
        if let explanation = finding.explanation, let context = finding.platformContext {
            out += "- Why it matters: \(explanation)\n"
            out += "- Platform context: \(context)\n"
            out += "- References: \(finding.references.joined(separator: "; "))\n"
        }
        if !finding.facts.isEmpty {
            out += "\n**Facts it rests on**\n\n"
            for fact in finding.facts { out += "- \(Self.cell(fact))\n" }
        }
        // The kernel column appears only where the kernel was asked (`--kernel-drops`).
        let kernelColumn = finding.kernelColumn
        if !finding.packets.isEmpty {
            out += "\n| frame | time | interface | source → destination | what |\(kernelColumn ? " kernel |" : "")\n|---|---|---|---|---|\(kernelColumn ? "---|" : "")\n"
            for packet in finding.packets {
                out += "| \(packet.frame) | \(packet.offset) | \(Self.cell(packet.interface)) | \(Self.cell("\(packet.source) → \(packet.destination)")) | \(Self.cell(packet.what)) |"
                if kernelColumn { out += " \(Self.cell(packet.kernel.joined(separator: ", "))) |" }
                out += "\n"
            }
            if let sequence = finding.sequence { out += "\n" + Self.mermaid(sequence) }
        }
        if !finding.uncapturedDrops.isEmpty {
            out += "\nDropped by the kernel before the capture saw them:\n\n"
            for drop in finding.uncapturedDrops {
                out += "- \(drop.time) \(drop.flow.map { "`\($0)` " } ?? "")\(drop.kind): \(drop.reason) (\(drop.explanation))\n"
            }
        }
        return out + "\n"
    }

    /// A Mermaid sequence diagram of the flow: client, server and any third party (a router).
    static func mermaid(_ sequence: SequenceModel) -> String {
        var out = "```mermaid\nsequenceDiagram\n"
        for participant in sequence.participants {
            out += "    participant \(participant.id) as \(mermaidSafe(participant.address))\(participant.port.map { " port \($0)" } ?? "")\n"
        }
        for message in sequence.messages {
            let from = sequence.participants[message.from].id, to = sequence.participants[message.to].id
            out += "    \(from)\(message.from == 0 ? "->>" : "-->>")\(to): \(mermaidSafe(message.label)) (frame \(message.frame), \(message.offset))\n"
            for drop in message.drops {
                out += "    Note over \(to): dropped by the kernel: \(mermaidSafe(drop))\n"
            }
        }
        if let note = sequence.closingNote { out += "    Note over C,S: \(note)\n" }
        return out + "```\n"
    }

    /// Mermaid treats ';' and '#' specially in message text.
    static func mermaidSafe(_ text: String) -> String {
        DisplayText.escaped(text).replacingAll(";", with: ",").replacingAll("#", with: "no. ")
    }
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
