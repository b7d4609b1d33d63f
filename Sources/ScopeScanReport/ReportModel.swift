import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// The facts of a report, decided once, in the order every format shows them: the environment,
/// the interfaces, the findings (with explanation, public references, platform notes, frames,
/// kernel drops and routes) and the warnings. The Markdown, text, SVG and HTML renderers only lay
/// these out and escape them for their medium, so no format can show a fact another lacks.
/// Strings are held raw (as the capture gave them); each renderer escapes them (DisplayText first).
/// Only the capture's own times appear, so two runs over one input give identical reports.
public struct ReportModel {
    public struct Input: Sendable {
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

    public struct Span: Sendable {
        public var first: String
        public var last: String
        public var length: String
    }

    public struct InterfaceRow: Sendable {
        public var index: Int
        /// "(unnamed)" when the capture names none.
        public var name: String
        /// "NULL (0)"; "PKTAP" for an interface only a PKTAP header names.
        public var linkType: String
        public var addresses: [String]
        public var packets: Int
    }

    public struct RuleCount: Sendable {
        public var rule: String
        public var severity: String
        public var count: Int
    }

    public struct PacketRow: Sendable {
        public var frame: Int
        /// "+0.000085 s" since the finding's first packet.
        public var offset: String
        public var interface: String
        public var source: String
        public var destination: String
        public var what: String
        /// "dropped: NETFILTER_DROP", one per kernel drop of this frame.
        public var kernel: [String]
    }

    /// A packet the kernel dropped before the capture saw it.
    public struct UncapturedDrop: Sendable {
        public var time: String
        public var flow: String?
        public var kind: String
        public var reason: String
        public var explanation: String
    }

    public struct FindingEntry: Sendable {
        /// Counts from 1, as the summary table and the headings do.
        public var number: Int
        public var rule: String
        /// "1-linklocal-on-loopback": the Markdown heading's anchor, the HTML element's id.
        public var anchor: String { "\(number)-\(rule)" }
        public var title: String
        public var severity: String
        public var interface: String?
        public var time: String
        public var summary: String
        public var flow: String?
        public var frames: [Int]
        /// Packets in all; more than `frames.count` when only the first ones were kept.
        public var count: Int
        public var firstFrame: Int?
        public var route: String?
        public var related: [String]
        public var explanation: String?
        public var platformContext: String?
        public var references: [String]
        /// `--explain` only; empty otherwise.
        public var facts: [String]
        public var packets: [PacketRow]
        /// Whether the kernel was asked (`--kernel-drops`): then the frame table has a kernel column.
        public var kernelColumn: Bool
        public var sequence: SequenceModel?
        public var uncapturedDrops: [UncapturedDrop]
    }

    public var input: Input
    public var version: String
    public var span: Span?
    /// "17 (17 analysed, 17 IPv6, 0 IPv4, 0 with decode errors)"
    public var packets: String
    public var connectionAttempts: Int
    public var flowsEvicted: Int
    public var evidenceName: String?
    public var interfaces: [InterfaceRow]
    public var findings: [FindingEntry]
    /// Worst severity first, then by rule id.
    public var byRule: [RuleCount]
    /// Rules with findings counted beyond `--max-findings`, by rule id.
    public var suppressed: [(rule: String, count: Int)]
    public var warnings: [String]
    /// The capture's first packet time in whole seconds (the bundle's tar mtime); 0 without packets.
    public var firstSecond: Int64

    /// "scopescan 0.1.0, default rules and thresholds" or "scopescan 0.1.0: --interface-name lo0".
    public var analysedBy: String {
        "scopescan \(version)\(input.options.isEmpty ? ", default rules and thresholds" : ": " + input.options.joined(separator: " "))"
    }

    public init(input: Input, version: String, findings: [Finding], summary: AnalysisSummary, interfaces: InterfaceTable,
                sketches: [Int: PacketSketch], evidenceName: String?, explain: Bool) {
        self.input = input
        self.version = version
        if let first = summary.firstTime, let last = summary.lastTime {
            span = Span(first: first.iso8601(fractionDigits: 6), last: last.iso8601(fractionDigits: 6), length: Self.seconds(last.seconds(since: first)))
        }
        firstSecond = max(0, summary.firstTime?.seconds ?? 0)
        packets = "\(summary.packets) (\(summary.analysed) analysed, \(summary.ipv6) IPv6, \(summary.ipv4) IPv4, \(summary.decodeErrors) with decode errors)"
        connectionAttempts = summary.connectionAttempts
        flowsEvicted = summary.flowsEvicted
        self.evidenceName = evidenceName
        self.interfaces = summary.packetsByInterface.sorted(by: { $0.key < $1.key }).map { index, count in
            let known = index < interfaces.interfaces.count ? interfaces.interfaces[index] : nil
            return InterfaceRow(index: index, name: interfaces.name(index) ?? "(unnamed)",
                                linkType: known.map { "\($0.linkType.name) (\($0.linkType.rawValue))" } ?? "PKTAP",
                                addresses: known?.addresses.map { "\($0)" } ?? [], packets: count)
        }
        self.findings = findings.enumerated().map { Self.entry($0.offset + 1, $0.element, sketches: sketches, explain: explain) }
        byRule = summary.findingsByRule.map { rule, count in
            (rule, RuleCatalogue.descriptor(rule)?.severity ?? .info, count)
        }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.map { RuleCount(rule: $0.0.rawValue, severity: $0.1.rawValue, count: $0.2) }
        suppressed = summary.suppressedByRule.sorted(by: { $0.key < $1.key }).map { ($0.key.rawValue, $0.value) }
        warnings = summary.warnings
    }

    static func entry(_ number: Int, _ finding: Finding, sketches: [Int: PacketSketch], explain: Bool) -> FindingEntry {
        let descriptor = RuleCatalogue.descriptor(finding.rule)
        let sketched = finding.frames.compactMap { sketches[$0] }.sorted { $0.frame < $1.frame }
        let drops = Dictionary(grouping: finding.kernelDrops.filter { $0.frame != nil }, by: { $0.frame! })
        let start = sketched.first?.time
        let rows = sketched.map { packet in
            PacketRow(frame: packet.frame, offset: "+" + seconds(packet.time.seconds(since: start!)), interface: packet.interface ?? "",
                      source: packet.endpoint(packet.source, packet.sourcePort), destination: packet.endpoint(packet.destination, packet.destinationPort),
                      what: packet.what, kernel: drops[packet.frame]?.map { "dropped: \($0.reasonText)" } ?? [])
        }
        return FindingEntry(
            number: number, rule: finding.rule.rawValue, title: descriptor?.title ?? finding.rule.rawValue,
            severity: finding.severity.rawValue, interface: finding.interface, time: finding.firstTime.iso8601(fractionDigits: 6),
            summary: finding.summary, flow: finding.flow.map { $0.text(interface: finding.interface) },
            frames: finding.frames, count: finding.count, firstFrame: finding.firstFrame, route: finding.route?.text,
            related: finding.related.map(\.rawValue), explanation: descriptor?.explanation, platformContext: descriptor?.platformContext,
            references: descriptor?.references ?? [], facts: explain ? finding.facts : [], packets: rows,
            kernelColumn: !finding.kernelDrops.isEmpty,
            sequence: sketched.isEmpty ? nil : SequenceModel(finding, sketched),
            uncapturedDrops: finding.kernelDrops.filter { $0.frame == nil }.map {
                UncapturedDrop(time: $0.time.iso8601(fractionDigits: 6), flow: $0.flow.map { $0.text(interface: nil) },
                               kind: $0.kind, reason: $0.reasonText, explanation: $0.explanation)
            })
    }

    /// "1.000085 s": microseconds, always six digits.
    static func seconds(_ value: Double) -> String {
        let micro = Int64((value * 1e6).rounded())
        let whole = micro / 1_000_000
        let fraction = String(micro % 1_000_000)
        return "\(whole).\(String(repeating: "0", count: 6 - fraction.count))\(fraction) s"
    }
}
