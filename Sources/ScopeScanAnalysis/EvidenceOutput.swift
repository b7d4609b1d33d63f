import ScopeScanCapture
import ScopeScanReport
import ScopeScanRules

/// The second pass shared by analyze, capture and probe: re-read the capture, write the evidence
/// pcapng and the Markdown report.
public struct EvidenceOutput {
    public var report: String?
    public var evidence: String?
    /// Names a classic pcap's single interface (analyze --interface-name).
    public var interfaceName: String?
    /// Options that changed the analysis, shown in the report's environment table.
    public var options: [String]

    public init(report: String?, evidence: String?, interfaceName: String? = nil, options: [String]) {
        self.report = report
        self.evidence = evidence
        self.interfaceName = interfaceName
        self.options = options
    }

    /// `--explain`: the report lists each finding's facts.
    public var explain = false
    public var isRequested: Bool { report != nil || evidence != nil }

    /// `capturePath` is read again; `displayName` is what the report and comments call the input
    /// (the file's name for analyze, "live capture on lo, eth0" for capture and probe).
    public func write(capturePath: String, displayName: String? = nil, findings: [Finding], analyzer: Analyzer) throws {
        let name = displayName ?? String(capturePath.split(separator: "/").last ?? Substring(capturePath))
        let digest = SHA256.hexDigest(ofFile: capturePath) ?? "unreadable"
        let plan = EvidencePlan(findings: findings)
        let perRule = analyzer.summary.findingsByRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let sectionComment = "scopescan \(ScopeScanVersion.current) evidence from \(name) (sha256 \(digest)): \(findings.count) finding\(findings.count == 1 ? "" : "s")\(perRule.isEmpty ? "" : " (\(perRule))")"
        let sketches: [Int: PacketSketch]
        do {
            sketches = try EvidenceWriter.collect(source: try InputFiles.open(capturePath, interfaceName: interfaceName), plan: plan, inputName: name, evidencePath: evidence, sectionComment: sectionComment)
        } catch let error as CaptureError {
            throw ScopeScanError(error.description)
        }
        guard let report else { return }
        let size = (try? CaptureFile.size(path: capturePath)) ?? 0
        let format = (try? CaptureFile.detectFormat(path: capturePath).rawValue) ?? "capture"
        var markdown = MarkdownReport(
            input: .init(name: name, format: format, size: size, sha256: digest, options: options),
            version: ScopeScanVersion.current, findings: findings, summary: analyzer.summary, interfaces: analyzer.interfaces,
            sketches: sketches, evidenceName: evidence.map { String($0.split(separator: "/").last ?? Substring($0)) })
        markdown.explain = explain
        do {
            try TextFile.write(markdown.render(), to: report)
        } catch {
            throw ScopeScanError("\(report): cannot write: \(error)")
        }
    }
}
