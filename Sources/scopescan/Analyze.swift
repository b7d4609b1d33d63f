import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanWire

import ScopeScanSystem

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: otherwise ArgumentParser derives it from the type name at every start (docs/performance.md).
        commandName: "analyze",
        abstract: "Analyse capture files and report misrouting findings.",
        discussion: """
        Each file is analysed on its own; frame numbers count from 1 per file, as Wireshark's do.
        '-' reads standard input (ssh host tcpdump -U -w - | scopescan analyze -); pipes, FIFOs \
        and gzip, zstd or lz4 compressed captures are read as streams. tcpdump's way works too: \
        scopescan analyze -r capture.pcap ip6 and tcp (after -r the words form a BPF filter). \
        An unreadable file gets one line on stderr, the others are analysed, and the exit status \
        is then 2.
        Exit status: 0 analysed; 1 a finding at or above --fail-on; 2 bad usage or unreadable input.
        """ + "\n\n" + ThresholdArguments.help,
        aliases: ["analyse"]
    )

    @Argument(help: ArgumentHelp("pcap or pcapng files, plain or compressed, '-' for standard input; after -r, a BPF filter expression.", valueName: "file"), completion: .captureFiles)
    var words: [String] = []

    @Option(name: .customShort("r"), help: ArgumentHelp("Read this capture (repeatable); the words after the options then form a BPF filter, as with tcpdump -r.", valueName: "file"), completion: .captureFiles)
    var readFiles: [String] = []

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets (of each file) that pass the filter.", valueName: "count"))
    var packetLimit: Int?

    @Flag(name: .customShort("n"), help: "Accepted for tcpdump habits; scopescan never resolves names.")
    var numeric = false

    @Option(help: ArgumentHelp("BPF filter expression, compiled by libpcap (e.g. 'ip6 and tcp'). Frame numbers still count every packet.", valueName: "expression"))
    var filter: String?

    @Option(help: "Output format: text (blocks per finding) or json (JSON Lines, one finding per line, then a summary line).")
    var format: OutputFormat = .text

    @Option(name: .customLong("interface-name"), help: ArgumentHelp("Name the single interface of a classic pcap file (it records none), e.g. lo0.", valueName: "name"))
    var interfaceName: String?

    @Option(name: .customLong("fail-on"), help: "Exit with status 1 when a finding at or above this severity is reported (warning or error).")
    var failOn: Severity?

    @Option(help: "Colour the text output: auto (when standard output is a terminal and NO_COLOR is unset), always, never.")
    var color: ColourChoice = .auto

    @Option(help: ArgumentHelp("Write a report (environment, findings, packets, sequence diagrams) for a bug report; the format follows the extension: .md, .txt (72-column text for mail), .html (one self-contained page), .svg (the diagrams).", valueName: "report.md"))
    var report: String?

    @Option(name: .customLong("report-format"), help: ArgumentHelp("The --report format whatever its extension: md, txt, html or svg.", valueName: "format"))
    var reportFormat: ReportFormat?

    @Option(help: ArgumentHelp("Write a new directory, or a .tar.gz, with the evidence pcapng, the report as md, txt and html, the SVG diagrams and a README.txt. It must not exist yet.", valueName: "dir"))
    var bundle: String?

    @Option(help: ArgumentHelp("Write a pcapng holding only the packets that prove the findings, each commented with its findings and original frame number.", valueName: "evidence.pcapng"))
    var evidence: String?

    @Flag(help: "List, per finding, the facts it rests on: link type, why the interface was judged loopback, hop limits seen, who answered what (text: facts lines; json: an \"explain\" array; --report: a facts list per finding).")
    var explain = false

    @OptionGroup(title: "Rules and thresholds")
    var ruleOptions: RuleOptions

    @Flag(help: "Allow --report and --evidence to replace an existing capture file (pcap, pcapng, or gzip/zstd/lz4). An input is never overwritten.")
    var force = false

    var inputs: CaptureInputs { CaptureInputs(words: words, readFiles: readFiles, filter: filter, packetLimit: packetLimit) }
    var files: [String] { inputs.files }

    func validate() throws {
        if files.isEmpty {
            throw ValidationError("give a capture file ('-' reads standard input)")
        }
        try inputs.validate()
        if (report != nil || evidence != nil || bundle != nil) && files.count != 1 {
            throw ValidationError("--report, --evidence and --bundle describe one capture: give exactly one input file")
        }
        if reportFormat != nil && report == nil {
            throw ValidationError("--report-format needs --report")
        }
    }

    func run() throws {
        // Before anything is read or written: no output may be an input or, without --force, a capture.
        try SafetyOptions.checkOutputs([("--report", report), ("--evidence", evidence)], inputs: files.filter { $0 != "-" }, force: force)
        // After the safety check, so an output naming an input is reported as that.
        if let report, reportFormat == nil, ReportFormat(path: report) == nil {
            throw ScopeScanError("--report \(report): unknown extension; use .md, .txt, .html, .htm or .svg, or give --report-format md|txt|html|svg")
        }
        if let bundle, FileIdentity(path: bundle) != nil {
            throw ScopeScanError("\(bundle): --bundle would write over something that exists; the bundle is always new, choose another name")
        }
        let filter = try InputFiles.filter(inputs.filterExpression)
        let out = OutputSink(fd: 1)
        let formatter = FindingFormatter(colour: color.isOn(for: out), explain: explain)
        var worst: Severity?
        var unreadable = false
        let wantsEvidence = report != nil || evidence != nil || bundle != nil
        // The report and evidence name the input by its SHA-256 (libcrypto, loaded when first
        // needed): a missing libcrypto is said before the analysis, not after it.
        if wantsEvidence, let problem = SHA256.unavailable { throw ScopeScanError(problem) }
        for (position, path) in files.enumerated() {
            let source: PacketSource
            do {
                source = try InputFiles.open(path, interfaceName: interfaceName, copy: wantsEvidence ? .always : .whenNeeded)
            } catch {
                // One unreadable file among many: say so, analyse the others, exit 2 at the end.
                FileHandleWriter.standardError("scopescan: error: \(error.description)\n")
                unreadable = true
                continue
            }
            // A file read in place is hashed for the report and the evidence while it is analysed,
            // on the other core (the hash of 139 MB takes longer than its analysis); a stream's
            // private copy is complete only after the analysis, and is hashed then.
            let digest = wantsEvidence && source.copyPath == nil ? FileDigest(path: source.name) : nil
            let (analyzer, findings) = try Self.analyse(source, configuration: ruleOptions.configuration, filter: filter, limit: packetLimit, progress: ProgressLine(path: source.name))
            if wantsEvidence {
                // A stream is read again from its private copy; the report names the input as given.
                let displayName = source.copyPath.map { _ in String(path.split(separator: "/").last ?? Substring(path)) }
                let capturePath = source.copyPath ?? source.name
                let progress = ProgressLine(evidenceFrom: capturePath, path: source.name)
                defer { progress?.finish() }
                try evidenceOutput.write(capturePath: capturePath, displayName: displayName, findings: findings, analyzer: analyzer, progress: progress?.evidenceProgress, digest: digest)
            }
            for finding in findings {
                worst = max(worst ?? finding.severity, finding.severity)
            }
            switch format {
            case .text:
                if files.count > 1 { out.writeLine("\(position > 0 ? "\n" : "")== \(source.name)") }
                for finding in findings {
                    out.writeLine(formatter.text(finding))
                    out.writeLine("")
                }
                out.writeLine(SummaryFormatter().text(analyzer.summary, interfaces: analyzer.interfaces, inputs: [source.name]))
            case .json:
                for finding in findings {
                    var line = FindingFormatter.json(finding, explain: explain)
                    if files.count > 1 {
                        // After "event_type", which stays the first key.
                        let head = "{\"event_type\":\"finding\","
                        line = head + "\"file\":\(JSONText.string(source.name))," + line.dropFirst(head.count)
                    }
                    out.writeLine(line)
                }
                out.writeLine(SummaryFormatter().json(analyzer.summary, interfaces: analyzer.interfaces, inputs: [source.name]))
            }
            out.flush()
        }
        out.flush()
        if unreadable { throw ExitCode(ExitStatus.badInput) }
        if let failOn, let worst, worst >= failOn {
            throw ExitCode(ExitStatus.findingsAtThreshold)
        }
    }

    var evidenceOutput: EvidenceOutput {
        var options: [String] = []
        if let filter = inputs.filterExpression { options.append("--filter '\(filter)'") }
        if let packetLimit { options.append("-c \(packetLimit)") }
        if let interfaceName { options.append("--interface-name \(interfaceName)") }
        if explain { options.append("--explain") }
        var output = EvidenceOutput(report: report, evidence: evidence, interfaceName: interfaceName, options: options + ruleOptions.effectiveOptions)
        output.explain = explain
        output.reportFormat = reportFormat
        output.bundle = bundle
        return output
    }


    /// Reads every packet of `source` into an analyser; damage becomes a warning on stderr and in the summary.
    static func analyse(_ source: PacketSource, configuration: RuleConfiguration, filter: PacketFilter?, limit: Int? = nil, progress: ProgressLine? = nil) throws -> (Analyzer, [Finding]) {
        defer { progress?.finish() }
        let analysis = try CaptureAnalysis.run(
            source, filter: filter, limit: limit,
            makeAnalyzer: { Analyzer(configuration: configuration) },
            willReadAgain: { progress?.startOver() },
            eachPacket: progress.map { line in { line.advance(bytes: $0.capturedLength + 16) } })
        // Damage to the file, and what the analyser found wrong (undecodable interfaces, a capture
        // none of whose packets decode): the summary carries both.
        for warning in analysis.analyzer.summary.warnings {
            FileHandleWriter.standardError("scopescan: warning: \(warning)\n")
        }
        return (analysis.analyzer, analysis.findings)
    }
}

extension ReportFormat: ExpressibleByArgument {}
