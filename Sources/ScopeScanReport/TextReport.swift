/// The report as plain text for a mail body or a bug tracker that takes only text (Apple Feedback
/// Assistant, FreeBSD Bugzilla, netdev@, bugs@): the Markdown's content, ASCII only, no tabs,
/// wrapped at 72 columns, with aligned frame tables and each sequence as an ASCII ladder
/// (`TextLadder`). Capture strings are escaped as everywhere else (DisplayText), then made ASCII.
public struct TextReport {
    public var model: ReportModel
    /// Text appended at the end (the probe's table and verdict), each line made ASCII and wrapped.
    public var appendix: String?

    public init(model: ReportModel, appendix: String? = nil) {
        self.model = model
        self.appendix = appendix
    }

    public func render() -> String {
        var out: [String] = []
        out += heading("scopescan report: \(model.input.name)", "=")
        out += environment()
        out += findingsSummary()
        for finding in model.findings { out += section(finding) }
        if !model.warnings.isEmpty {
            out += heading("Warnings", "-")
            for warning in model.warnings { out += PlainText.wrap(warning, first: "- ", rest: "  ") }
            out.append("")
        }
        if let appendix {
            for line in appendix.split(separator: "\n", omittingEmptySubsequences: false) {
                out += line.isEmpty ? [""] : PlainText.wrap(String(line), rest: "  ")
            }
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }

    func heading(_ text: String, _ underline: Character) -> [String] {
        let lines = PlainText.wrap(text)
        return lines + [String(repeating: underline, count: lines.map(\.count).max() ?? 0), ""]
    }

    /// "key: value" with the values aligned; a value whose first word does not fit beside its key
    /// (a SHA-256) starts on the next line, so it is never cut.
    func fields(_ pairs: [(String, String)]) -> [String] {
        let keyWidth = 15
        var out: [String] = []
        for (key, value) in pairs {
            let head = PlainText.padded("  \(key):", keyWidth + 1) + " "
            let firstWord = PlainText.ascii(value).split(separator: " ").first?.count ?? 0
            if head.count + firstWord > PlainText.width {
                out.append("  \(key):")
                out += PlainText.wrap(value, first: "    ", rest: "    ")
            } else {
                out += PlainText.wrap(value, first: head, rest: String(repeating: " ", count: head.count))
            }
        }
        return out
    }

    func environment() -> [String] {
        let input = model.input
        var pairs = [("input", "\(input.name) (\(input.format), \(input.size) bytes)"), ("SHA-256", input.sha256)]
        if let span = model.span { pairs.append(("capture span", "\(span.first) to \(span.last) (\(span.length))")) }
        pairs.append(("packets", model.packets))
        pairs.append(("tcp connection attempts", "\(model.connectionAttempts)"))
        if model.flowsEvicted > 0 { pairs.append(("flows evicted", "\(model.flowsEvicted) (flow table cap reached)")) }
        pairs.append(("analysed by", model.analysedBy))
        if let evidence = model.evidenceName {
            pairs.append(("evidence", "\(evidence): the packets below, each commented with its findings and original frame number"))
        }
        var out = heading("Environment", "-") + fields(pairs) + [""]
        out += heading("Interfaces", "-")
        var table = TextTable([.init(header: "#", rightAligned: true, maxWidth: 6), .init(header: "name", maxWidth: 16),
                               .init(header: "link type", maxWidth: 20), .init(header: "packets", rightAligned: true, maxWidth: 10),
                               .init(header: "addresses")])
        for row in model.interfaces {
            table.add([["\(row.index)"], [row.name], [row.linkType], ["\(row.packets)"], row.addresses.isEmpty ? ["not recorded"] : row.addresses])
        }
        return out + table.render() + [""]
    }

    func findingsSummary() -> [String] {
        var out = heading("Findings", "-")
        if model.findings.isEmpty { return out + ["No findings.", ""] }
        var table = TextTable([.init(header: "#", rightAligned: true, maxWidth: 4), .init(header: "severity", maxWidth: 8),
                               .init(header: "interface", maxWidth: 12), .init(header: "first frame", rightAligned: true, maxWidth: 11),
                               .init(header: "rule")])
        for finding in model.findings {
            table.add([["\(finding.number)"], [finding.severity], [finding.interface ?? "unnamed"], [finding.firstFrame.map(String.init) ?? ""], [finding.rule]],
                      note: finding.flow.map { "flow: \($0)" })
        }
        out += table.render() + [""]
        var counts = TextTable([.init(header: "rule", maxWidth: 32), .init(header: "severity", maxWidth: 8), .init(header: "count")])
        for count in model.byRule { counts.add([count.rule, count.severity, "\(count.count)"]) }
        out += counts.render() + [""]
        for (rule, count) in model.suppressed {
            out += PlainText.wrap("\(count) further \(rule) findings were counted but not kept (--max-findings).") + [""]
        }
        return out
    }

    func section(_ finding: ReportModel.FindingEntry) -> [String] {
        var out = heading("\(finding.number). \(finding.rule)", "-")
        out += PlainText.wrap("\(finding.title), severity \(finding.severity), on \(finding.interface ?? "an unnamed interface"), at \(finding.time)") + [""]
        out += PlainText.wrap(finding.summary) + [""]
        func item(_ key: String, _ value: String) { out += PlainText.wrap("\(key): \(value)", first: "- ", rest: "  ") }
        if let flow = finding.flow { item("Flow", flow) }
        item("Frames", finding.frames.map(String.init).joined(separator: ", ") + (finding.count > finding.frames.count ? " (\(finding.count) packets in all)" : ""))
        if let route = finding.route { item("Route", route) }
        if !finding.related.isEmpty { item("Related", finding.related.joined(separator: ", ")) }
        if let explanation = finding.explanation, let context = finding.platformContext {
            item("Why it matters", explanation)
            item("Platform context", context)
            out.append("- References:")
            for reference in finding.references { out += PlainText.wrap(reference, first: "  * ", rest: "    ") }
        }
        if !finding.facts.isEmpty {
            out += ["", "Facts it rests on:", ""]
            for fact in finding.facts { out += PlainText.wrap(fact, first: "- ", rest: "  ") }
        }
        if !finding.packets.isEmpty {
            out += ["", "Frames:", ""]
            var table = TextTable([.init(header: "frame", rightAligned: true, maxWidth: 8), .init(header: "time", maxWidth: 12),
                                   .init(header: "iface", maxWidth: 12), .init(header: "packet")])
            for packet in finding.packets {
                var what = [packet.what, "from \(packet.source)", "to   \(packet.destination)"]
                if finding.kernelColumn && !packet.kernel.isEmpty { what.append("kernel: \(packet.kernel.joined(separator: ", "))") }
                table.add([["\(packet.frame)"], [packet.offset], [packet.interface], what])
            }
            out += table.render()
            if let sequence = finding.sequence {
                out += ["", "Sequence:", ""] + TextLadder.render(sequence)
            }
        }
        if !finding.uncapturedDrops.isEmpty {
            out += ["", "Dropped by the kernel before the capture saw them:", ""]
            for drop in finding.uncapturedDrops {
                out += PlainText.wrap("\(drop.time) \(drop.flow.map { "\($0) " } ?? "")\(drop.kind): \(drop.reason) (\(drop.explanation))", first: "- ", rest: "  ")
            }
        }
        return out + [""]
    }
}
