import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// Findings as human text (one block each) or JSON Lines (one object per line, stable keys).
public struct FindingFormatter {
    public var colour: Bool
    /// `--explain`: list the facts each finding rests on (text: `facts:` lines; JSON: `explain`).
    public var explain: Bool

    public init(colour: Bool, explain: Bool = false) {
        self.colour = colour
        self.explain = explain
    }

    static func protoName(_ proto: IPProtocol) -> String {
        switch proto {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .icmp: return "icmp"
        case .icmpv6: return "icmpv6"
        default: return String(proto.rawValue)
        }
    }

    func paint(_ text: String, _ severity: Severity) -> String {
        guard colour else { return text }
        let code: String
        switch severity {
        case .error: code = "1;31"
        case .warning: code = "1;33"
        case .info: code = "1;36"
        }
        return "\u{1b}[\(code)m\(text)\u{1b}[0m"
    }

    static func frameList(_ finding: Finding) -> String {
        var text = finding.frames.map(String.init).joined(separator: ", ")
        if finding.count > finding.frames.count { text += " … (\(finding.count) packets in all)" }
        return text
    }

    public func text(_ finding: Finding) -> String {
        var lines: [String] = []
        // Interface names come from the capture: escaped wherever they appear (DisplayText).
        let interface = finding.interface ?? (finding.interfaceIndex.map { $0 >= 0 ? "interface #\($0) (unnamed)" : "several" } ?? "unknown")
        lines.append("\(paint(finding.rule.rawValue, finding.severity))  \(finding.severity.rawValue)  \(finding.firstTime.iso8601)  \(DisplayText.escaped(interface))")
        if let flow = finding.flow {
            lines.append("  flow:    \(DisplayText.escaped(flow.text(interface: finding.interface)))")
        }
        lines.append("  summary: \(DisplayText.escaped(finding.summary))")
        lines.append("  frames:  \(Self.frameList(finding))")
        if let route = finding.route { lines.append("  route:   \(route.text)") }
        for drop in finding.kernelDrops.prefix(8) {
            lines.append("  kernel:  \(Self.dropText(drop))")
        }
        if finding.kernelDrops.count > 8 { lines.append("  kernel:  … (\(finding.kernelDrops.count) drops in all)") }
        if !finding.related.isEmpty {
            lines.append("  see also: \(finding.related.map(\.rawValue).joined(separator: ", "))")
        }
        if explain && !finding.facts.isEmpty {
            lines.append("  facts:")
            for fact in finding.facts { lines.append("    - \(fact)") }
        }
        return lines.joined(separator: "\n")
    }

    /// "frame 3 (2026-…Z) NETFILTER_DROP in nft_do_chain on veth0: a firewall rule"
    public static func dropText(_ drop: KernelDropRecord) -> String {
        let frame = drop.frame.map { "frame \($0)" } ?? "a packet never captured"
        return "\(frame) (\(drop.time.iso8601)) \(drop.reasonText)\(drop.interface.map { " on \($0)" } ?? ""): \(drop.explanation)"
    }

    /// The `kernel_drops` list of a finding, as docs/json-schema.md describes it.
    public static func dropsJSON(_ drops: [KernelDropRecord]) -> String {
        "[" + drops.map { drop in
            var object = JSONObject()
            object.add("frame", drop.frame)
            object.add("time", drop.time.iso8601(fractionDigits: 9))
            object.add("reason", drop.reason)
            object.add("location", drop.location)
            object.add("interface", drop.interface)
            object.add("explanation", drop.explanation)
            if drop.frame == nil, let flow = drop.flow {
                object.add("flow", flowJSON(flow, interface: nil))
            }
            return object.closed
        }.joined(separator: ",") + "]"
    }

    /// The kernel's route decision as JSON: `type`, `dev`, `table`, `src`, `gateway`, or `error`;
    /// `naming` adds the `destination` and `scope` asked about (a finding's; a probe attempt's
    /// object sits beside its own address).
    public static func routeJSON(_ route: RouteNote, naming: Bool) -> JSONObject {
        var o = JSONObject()
        if let error = route.error {
            o.add("error", error)
        } else {
            o.add("type", route.type)
            o.add("dev", route.device)
            o.add("table", route.table)
            o.add("src", route.source)
            o.add("gateway", route.gateway)
        }
        if naming {
            o.add("destination", route.destination.description)
            o.add("scope", route.scope)
        }
        return o
    }

    public static func flowJSON(_ flow: FlowDescription, interface: String?) -> JSONObject {
        var object = JSONObject()
        object.add("src", flow.source.scopedText(interface: interface))
        object.add("dst", flow.destination.scopedText(interface: interface))
        object.add("sport", flow.sourcePort.map(Int.init))
        object.add("dport", flow.destinationPort.map(Int.init))
        object.add("proto", protoName(flow.proto))
        return object
    }

    /// An address with an optional port as text: "[2001:db8::1]:53670" for IPv6, "192.0.2.1:53"
    /// for IPv4, the bare address without a port.
    public static func hostPort(_ address: IPAddress, _ port: UInt16?) -> String {
        guard let port else { return "\(address)" }
        if case .v6 = address { return "[\(address)]:\(port)" }
        return "\(address):\(port)"
    }

    public static func json(_ finding: Finding, explain: Bool = false) -> String {
        var object = JSONObject()
        object.add("event_type", "finding")
        object.add("rule", finding.rule.rawValue)
        object.add("severity", finding.severity.rawValue)
        object.add("frames", ints: finding.frames)
        object.add("first_frame", finding.firstFrame)
        object.add("interface", finding.interface)
        if let flow = finding.flow {
            object.add("flow", flowJSON(flow, interface: finding.interface))
        } else {
            object.add("flow", raw: "null")
        }
        object.add("summary", finding.summary)
        var details = JSONObject()
        for (key, value) in finding.details.fields { details.add(key, raw: JSONText.value(value)) }
        object.add("details", details)
        object.add("time", finding.firstTime.iso8601(fractionDigits: 9))
        object.add("last_time", finding.lastTime.iso8601(fractionDigits: 9))
        object.add("count", finding.count)
        object.add("related", strings: finding.related.map(\.rawValue))
        if !finding.kernelDrops.isEmpty { object.add("kernel_drops", raw: dropsJSON(finding.kernelDrops)) }
        if let route = finding.route { object.add("route", Self.routeJSON(route, naming: true)) }
        if explain { object.add("explain", strings: finding.facts) }
        return object.closed
    }
}

/// The end-of-run summary, as text or as the final `{"summary":…}` JSON line.
public struct SummaryFormatter {
    public init() {}

    static func interfaceList(_ summary: AnalysisSummary, _ interfaces: InterfaceTable) -> [(String, Int)] {
        summary.packetsByInterface.sorted { $0.key < $1.key }.map { index, count in
            let name = interfaces.name(index) ?? "#\(index)"
            let link = index < interfaces.interfaces.count ? " (\(interfaces.interfaces[index].linkType))" : ""
            return (name + link, count)
        }
    }

    static let interfacesShown = 32

    public func text(_ summary: AnalysisSummary, interfaces: InterfaceTable, inputs: [String]) -> String {
        var lines: [String] = []
        let span = (summary.span * 1000).rounded() / 1000
        lines.append("summary: \(summary.packets) packets (\(summary.analysed) analysed, \(summary.ipv6) IPv6, \(summary.ipv4) IPv4, \(summary.decodeErrors) with decode errors) over \(span) s")
        // A file can describe tens of thousands of interfaces; the text names the busiest ones
        // (the JSON summary keeps them all).
        let all = Self.interfaceList(summary, interfaces)
        let shown = all.count <= Self.interfacesShown ? all : all.indices
            .sorted { all[$0].1 != all[$1].1 ? all[$0].1 > all[$1].1 : $0 < $1 }
            .prefix(Self.interfacesShown).sorted().map { all[$0] }
        var list = shown.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
        if all.count > shown.count { list += " and \(all.count - shown.count) more interfaces with \(all.map(\.1).reduce(0, +) - shown.map(\.1).reduce(0, +)) packets" }
        lines.append("  interfaces: \(list.isEmpty ? "none" : list)")
        lines.append("  tcp connection attempts: \(summary.connectionAttempts), flows evicted: \(summary.flowsEvicted)\(summary.flowsEvicted > 0 ? " (flow table full: raise --max-flows to keep more)" : "")")
        if summary.kernelDrops > 0 {
            lines.append("  kernel drops: \(summary.kernelDrops)\(summary.kernelDropsNotKept > 0 ? " (\(summary.kernelDropsNotKept) beyond the cap, counted only)" : "")")
        }
        let total = summary.findingsByRule.values.reduce(0, +)
        if total == 0 {
            lines.append("  findings: none")
        } else {
            let perRule = summary.findingsByRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  findings: \(total) (\(perRule))")
        }
        for (rule, count) in summary.suppressedByRule.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(count) further \(rule) findings not kept (--max-findings reached)")
        }
        for warning in summary.warnings { lines.append("  warning: \(warning)") }
        return lines.map { DisplayText.escaped($0) }.joined(separator: "\n")
    }

    public func json(_ summary: AnalysisSummary, interfaces: InterfaceTable, inputs: [String]) -> String {
        var body = JSONObject()
        body.add("inputs", strings: inputs)
        body.add("packets", summary.packets)
        body.add("analysed", summary.analysed)
        body.add("ipv6", summary.ipv6)
        body.add("ipv4", summary.ipv4)
        body.add("decode_errors", summary.decodeErrors)
        body.add("first_time", summary.firstTime?.iso8601(fractionDigits: 9))
        body.add("last_time", summary.lastTime?.iso8601(fractionDigits: 9))
        body.add("span_seconds", double: (summary.span * 1e6).rounded() / 1e6)
        if summary.kernelDrops > 0 { body.add("kernel_drops", summary.kernelDrops) }
        var interfaceObjects: [String] = []
        for (index, count) in summary.packetsByInterface.sorted(by: { $0.key < $1.key }) {
            var object = JSONObject()
            object.add("name", interfaces.name(index))
            object.add("index", index)
            object.add("linktype", index < interfaces.interfaces.count ? Int(interfaces.interfaces[index].linkType.rawValue) : nil)
            object.add("packets", count)
            interfaceObjects.append(object.closed)
        }
        body.add("interfaces", raw: "[" + interfaceObjects.joined(separator: ",") + "]")
        body.add("tcp_connection_attempts", summary.connectionAttempts)
        body.add("flows_evicted", summary.flowsEvicted)
        var byRule = JSONObject()
        for (rule, count) in summary.findingsByRule.sorted(by: { $0.key < $1.key }) { byRule.add(rule.rawValue, count) }
        body.add("findings_by_rule", byRule)
        body.add("findings", summary.findingsByRule.values.reduce(0, +))
        var suppressed = JSONObject()
        for (rule, count) in summary.suppressedByRule.sorted(by: { $0.key < $1.key }) { suppressed.add(rule.rawValue, count) }
        body.add("findings_suppressed", suppressed)
        body.add("warnings", strings: summary.warnings)
        var outer = JSONObject()
        outer.add("event_type", "summary")
        outer.add("summary", body)
        return outer.closed
    }
}
