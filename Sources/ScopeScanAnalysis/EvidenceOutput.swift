import ScopeScanCapture
import ScopeScanReport
import ScopeScanRules

import ScopeScanSystem

/// The second pass shared by analyze, capture and probe: re-read the capture, write the evidence
/// pcapng and the Markdown report. Each is written to a temporary file beside its target and
/// renamed into place once complete (`OutputFile`), so an interrupted run leaves no half file.
public struct EvidenceOutput {
    public var report: String?
    public var evidence: String?
    /// Names a classic pcap's single interface (analyze --interface-name).
    public var interfaceName: String?
    /// Options that changed the analysis, shown in the report's environment table.
    public var options: [String]
    /// Markdown appended to the report (the probe's table and verdict).
    public var reportAppendix: String?
    /// The report's format; nil: by the report's extension, Markdown for any other.
    public var reportFormat: ReportFormat?
    /// `--bundle`: a directory or .tar.gz with the evidence and the report in every format.
    public var bundle: String?
    private var files: PreparedFiles?

    /// The temporary files, created by `prepare` (before a privilege drop) or by `write`.
    final class PreparedFiles {
        let report: OutputFile?
        let evidence: OutputFile?
        init(report: OutputFile?, evidence: OutputFile?) {
            self.report = report
            self.evidence = evidence
        }
    }

    public init(report: String?, evidence: String?, interfaceName: String? = nil, options: [String]) {
        self.report = report
        self.evidence = evidence
        self.interfaceName = interfaceName
        self.options = options
    }

    /// `--explain`: the report lists each finding's facts.
    public var explain = false
    public var isRequested: Bool { report != nil || evidence != nil || bundle != nil }

    /// Creates the temporary files now, so they exist before the process gives up root (whose
    /// user it becomes: `owner`), and their rename at the end is left to a `RenameHelper` that
    /// keeps root for that alone (docs/architecture.md, "Privileges").
    public mutating func prepare(owner: FileOwner? = nil) throws(ScopeScanError) {
        guard files == nil, isRequested else { return }
        // Report, evidence and bundle name the input by its SHA-256: without libcrypto, say so
        // before anything is captured or written.
        if let problem = SHA256.unavailable { throw ScopeScanError(problem) }
        do {
            let reportFile = try report.map { path throws(SystemError) in try OutputFile(path: path) }
            let evidenceFile = try evidence.map { path throws(SystemError) in try OutputFile(path: path) }
            files = PreparedFiles(report: reportFile, evidence: evidenceFile)
            if owner != nil { try RenameHelper.start(for: [reportFile, evidenceFile].compactMap { $0 }.filter(\.isRenamed)) }
        } catch {
            throw ScopeScanError(error.description)
        }
    }

    /// Removes the temporary files without touching the targets.
    public func discard() {
        files?.report?.discard()
        files?.evidence?.discard()
    }

    /// `capturePath` is read again; `displayName` is what the report and comments call the input
    /// (the file's name for analyze, "live capture on lo, eth0" for capture and probe).
    /// `progress` hears of every packet of the pass and of the hash while it is waited for.
    /// `digest`: the hash of `capturePath`, when the caller started it earlier (during the
    /// analysis); otherwise it starts here, beside this pass.
    public func write(capturePath: String, displayName: String? = nil, findings: [Finding], analyzer: Analyzer, progress: EvidenceProgress? = nil, digest started: FileDigest? = nil) throws {
        precondition(started.map { $0.path == capturePath } ?? true, "the digest started is of another file")
        var prepared = self
        try prepared.prepare()
        guard let files = prepared.files else { return }
        defer { discard(); prepared.discard() }
        let name = displayName ?? String(capturePath.split(separator: "/").last ?? Substring(capturePath))
        // The digest is computed on another thread while this pass reads the same file. The
        // evidence's section header, written first, holds a placeholder of the digest's length,
        // overwritten once the digest is known (the file is renamed into place only after that).
        let hashing = started ?? FileDigest(path: capturePath)
        let plan = EvidencePlan(findings: findings)
        let perRule = analyzer.summary.findingsByRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let commentHead = "scopescan \(ScopeScanVersion.current) evidence from \(name) (sha256 "
        let commentTail = "): \(findings.count) finding\(findings.count == 1 ? "" : "s")\(perRule.isEmpty ? "" : " (\(perRule))")"
        let placeholder = String(repeating: "0", count: Self.digestLength)
        // Without --evidence, the bundle's pcapng is written to a scratch OutputFile that is read
        // back and discarded, never committed: its target name is never created.
        let scratch = bundle != nil && files.evidence == nil ? try Self.scratchEvidence() : nil
        defer { scratch?.discard() }
        let sketches: [Int: PacketSketch]
        do {
            sketches = try EvidenceWriter.collect(source: try InputFiles.open(capturePath, interfaceName: interfaceName), plan: plan, inputName: name, evidence: files.evidence ?? scratch,
                                                 sectionComment: commentHead + placeholder + commentTail,
                                                 uncapturedDrops: Array(Set(findings.flatMap { $0.kernelDrops.filter { $0.frame == nil } })),
                                                 eachPacket: progress?.eachPacket ?? { _ in })
        } catch let error as CaptureError {
            throw ScopeScanError(error.description)
        }
        let digest = hashing.result(waiting: progress?.hashing) ?? "unreadable"
        if let evidenceFile = files.evidence ?? scratch {
            try Self.patch(evidenceFile, at: PcapngWriter.sectionCommentOffset + commentHead.utf8.count, with: digest)
        }
        let size = (try? CaptureFile.size(path: capturePath)) ?? 0
        let format = (try? CaptureFile.detectFormat(path: capturePath).rawValue) ?? "capture"
        func model(evidenceName: String?) -> ReportModel {
            ReportModel(input: .init(name: name, format: format, size: size, sha256: digest, options: options),
                        version: ScopeScanVersion.current, findings: findings, summary: analyzer.summary, interfaces: analyzer.interfaces,
                        sketches: sketches, evidenceName: evidenceName, explain: explain)
        }
        if let reportFile = files.report {
            let chosen = reportFormat ?? report.flatMap { ReportFormat(path: $0) } ?? .md
            try Self.write(chosen.render(model(evidenceName: evidence.map { String($0.split(separator: "/").last ?? Substring($0)) }), appendix: reportAppendix), to: reportFile)
        }
        if let bundle, let pcapng = files.evidence ?? scratch {
            guard let bytes = System.contents(ofFile: pcapng.temporaryPath) else { throw ScopeScanError("\(bundle): cannot read back the evidence written for it") }
            try EvidenceBundle(path: bundle).write(model: model(evidenceName: EvidenceBundle.evidenceName), evidence: bytes, appendix: reportAppendix)
        }
        try Self.commit(files.evidence)
        try Self.commit(files.report)
    }

    static func scratchEvidence() throws(ScopeScanError) -> OutputFile {
        do { return try OutputFile(path: TemporaryFiles.directory + "/scopescan-bundle-evidence.pcapng") } catch { throw ScopeScanError(error.description) }
    }

    /// Hex characters of a SHA-256.
    static let digestLength = 64

    /// Writes `digest` over the placeholder; one that could not be computed ("unreadable") is
    /// padded with spaces to the placeholder's length, since the block's length is already written.
    static func patch(_ file: OutputFile, at offset: Int, with digest: String) throws(ScopeScanError) {
        var bytes = Array(digest.utf8.prefix(digestLength))
        bytes += [UInt8](repeating: 0x20, count: digestLength - bytes.count)
        do { try file.write(bytes, at: offset) } catch { throw ScopeScanError("\(file.path): cannot write the input's digest: \(System.errorText(errno))") }
    }

    /// The report alone (the probe without a capture).
    public func writeReport(_ text: String) throws {
        var prepared = self
        try prepared.prepare()
        defer { discard(); prepared.discard() }
        guard let file = prepared.files?.report else { return }
        try Self.write(text, to: file)
        try Self.commit(file)
    }

    static func write(_ text: String, to file: OutputFile) throws(ScopeScanError) {
        do { try file.write(text) } catch { throw ScopeScanError(error.description) }
    }

    static func commit(_ file: OutputFile?) throws(ScopeScanError) {
        do { try file?.commit() } catch { throw ScopeScanError(error.description) }
    }
}

/// What the progress line hears from the evidence pass: each packet read, and the digest's
/// progress while the pass waits for it.
public struct EvidenceProgress {
    public var eachPacket: (CapturedPacket) -> Void
    public var hashing: (_ hashed: Int, _ size: Int) -> Void

    public init(eachPacket: @escaping (CapturedPacket) -> Void, hashing: @escaping (_ hashed: Int, _ size: Int) -> Void) {
        self.eachPacket = eachPacket
        self.hashing = hashing
    }
}
