import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanWire

import ScopeScanSystem

struct Capture: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: otherwise ArgumentParser derives it from the type name at every start (docs/performance.md).
        commandName: "capture",
        abstract: "Capture live on interfaces and report findings as they happen.",
        discussion: """
        Stops on Ctrl-C / SIGTERM / SIGHUP, after -c packets or after --duration seconds, then concludes \
        open connection attempts, prints the summary with packets received and dropped per interface, \
        and flushes every file; SIGPIPE (stdout closed) stops it quietly after flushing the files. \
        An interface deleted or brought down is reported within a second and the capture goes on \
        with the others. Needs root or CAP_NET_RAW; runs as nobody (-Z) once the handles and files \
        are open.
        -i takes a name or the number 'scopescan interfaces' (and tcpdump -D) gives it: a word that \
        names no interface but is all digits is such a number, as with tcpdump. The filter is the \
        trailing expression or --filter, not both. -w - writes the pcapng to standard output \
        (flushed after every batch of packets, so a reader sees them live) and every other line, \
        findings and summary included, to standard error.
        Exit status: 0 captured; 1 a finding at or above --fail-on, or every interface went away; \
        2 bad usage, unknown interface, missing permission, bad filter, or an output that would \
        overwrite an input or a capture (--force).
        """ + "\n\n" + ThresholdArguments.help
    )

    @Option(name: [.customShort("i"), .customLong("interface")], help: ArgumentHelp("Interface to capture on, by name or by its number in 'scopescan interfaces' (tcpdump -D's); repeatable; 'any' on Linux captures all, tagging each packet with its interface.", valueName: "name"), completion: .interfaceNames)
    var interfaces: [String] = []

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("BPF filter expression, as tcpdump takes it (e.g. ip6 and tcp).", valueName: "expression"))
    var filterWords: [String] = []

    @Option(help: ArgumentHelp("BPF filter expression, instead of the trailing one (e.g. --filter 'ip6 and tcp').", valueName: "expression"))
    var filter: String?

    @Option(help: "Output format: text or json (JSON Lines, flushed per line for piping).")
    var format: OutputFormat = .text

    @Option(name: .customShort("w"), help: ArgumentHelp("Also write every captured packet to this pcapng (one interface block per interface, with names and addresses); '-' writes it to standard output, and the findings and summary then go to standard error.", valueName: "out.pcapng"), completion: .captureFiles)
    var write: String?

    @Option(name: .customShort("c"), help: "Stop after this many packets.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: .customLong("snaplen"), help: "Bytes captured per packet: 8 KiB keeps every header and the payload of ordinary packets; raise it to keep whole 64 KiB loopback segments in -w files.")
    var snapLength: Int32 = 8192

    @Option(name: .customLong("buffer-size"), help: "Kernel capture buffer in MiB (raise it if the summary shows drops).")
    var bufferSize: Int = 32

    @Option(help: ArgumentHelp("Write the Markdown report when the capture stops.", valueName: "report.md"))
    var report: String?

    @Option(help: ArgumentHelp("Write the evidence pcapng when the capture stops.", valueName: "evidence.pcapng"))
    var evidence: String?

    @Option(name: .customLong("fail-on"), help: "Exit with status 1 when a finding at or above this severity was reported.")
    var failOn: Severity?

    @Option(help: "Colour the text output: auto, always, never.")
    var color: ColourChoice = .auto

    @Flag(name: .customLong("kernel-drops"), help: "Ask the kernel why packets die (Linux 5.17+, root or CAP_BPF and CAP_PERFMON): trace skb:kfree_skb in this network namespace and tie each drop's reason to the frame it killed.")
    var kernelDrops = false

    @OptionGroup(title: "Rules and thresholds")
    var ruleOptions: RuleOptions

    @OptionGroup(title: "Safety")
    var safety: SafetyOptions

    func validate() throws {
        // The pass-through filter words would otherwise swallow a help request.
        if let first = filterWords.first, first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
        guard !interfaces.isEmpty else { throw ValidationError("give at least one interface with -i (see 'scopescan interfaces')") }
        if let count, count < 1 { throw ValidationError("-c must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
        if bufferSize < 1 || bufferSize > 2048 { throw ValidationError("--buffer-size is in MiB, 1 to 2048") }
        if let dash = filterWords.first, dash.hasPrefix("-") { throw ValidationError("unknown option '\(dash)'") }
        // Before any handle is opened: binary on a terminal is only noise (tcpdump refuses it too).
        if writesToStandardOutput && isatty(1) == 1 {
            throw ValidationError("-w -: standard output is a terminal; pipe it (-w - | tshark -r -) or redirect it (-w - > out.pcapng)")
        }
        if filter != nil && !filterWords.isEmpty {
            throw ValidationError("give the filter once: as --filter or as the trailing expression (--filter '\(filter!)' and '\(filterWords.joined(separator: " "))')")
        }
    }

    /// `-w -`: the pcapng goes to standard output.
    var writesToStandardOutput: Bool { write == "-" }

    /// The BPF expression: --filter, or the trailing words joined as tcpdump joins them.
    var filterExpression: String? { filter ?? (filterWords.isEmpty ? nil : filterWords.joined(separator: " ")) }

    func run() throws {
        // Nothing is written before the outputs are known not to destroy data.
        try safety.checkOutputs([("-w", writesToStandardOutput ? nil : write), ("--report", report), ("--evidence", evidence)], inputs: [])
        let privileges = try safety.privilegePlan()
        let owner = privileges.fileOwner
        // The kernel's drop reasons, attached before the first packet is captured and while still
        // privileged (BPF needs CAP_BPF and CAP_PERFMON, kallsyms CAP_SYSLOG). Unavailable is one
        // line, and the capture goes on without them.
        var tracer: KernelDropTracer?
        if kernelDrops {
            do {
                tracer = try KernelDropTracer()
            } catch {
                FileHandleWriter.standardError("scopescan: \(error)\n")
            }
        }
        var options = LiveCapture.Options(interfaces: interfaces)
        options.filter = filterExpression
        options.snapLength = snapLength
        // Immediate mode gives the kernel ring one snap-length slot per packet: a 32 MiB buffer with
        // 8 KiB snaps holds ~4000 packets where libpcap's 2 MiB default held 8 at 256 KiB.
        options.bufferSize = Int32(bufferSize << 20)
        options.count = count
        options.duration = duration
        let capture: LiveCapture
        do {
            capture = try LiveCapture(options: options)
        } catch {
            throw ScopeScanError(error.description)
        }
        if tracer != nil {
            // Said once both the tracer and the capture handles are live (scripts wait for it).
            FileHandleWriter.standardError("scopescan: kernel drop reasons: tracing skb:kfree_skb in this network namespace\n")
        }

        // A number given to -i is known by its name from here on.
        let names = capture.openedNames
        // Packets go to -w (a file, or standard output for -w -), and to a scratch file (random
        // name, created exclusively in $TMPDIR) when --report/--evidence need them again and -w
        // names no file they could be read back from.
        var scratch: TemporaryFile?
        defer { scratch?.remove() }
        let comment = "scopescan \(ScopeScan.version) live capture on \(names.joined(separator: ", "))"
        var recorders: [PcapngWriter] = []
        var stream: PcapngWriter?
        if writesToStandardOutput {
            let writer = try LiveRecorder.make({ () throws(CaptureError) in try PcapngWriter(standardOutputWithComment: comment, application: "scopescan") }, interfaces: capture.interfaces)
            stream = writer
            recorders.append(writer)
        } else if let write {
            recorders.append(try LiveRecorder.make({ () throws(CaptureError) in try PcapngWriter(path: write, comment: comment, application: "scopescan", owner: owner) }, interfaces: capture.interfaces))
        }
        if (report != nil || evidence != nil) && (write == nil || writesToStandardOutput) {
            let file: TemporaryFile
            do { file = try TemporaryFile(prefix: "scopescan-capture-", suffix: ".pcapng", owner: owner) } catch { throw ScopeScanError(error.description) }
            scratch = file
            recorders.append(try LiveRecorder.make({ () throws(CaptureError) in try PcapngWriter(descriptor: file.descriptor, path: file.path, comment: comment, application: "scopescan") }, interfaces: capture.interfaces))
        }
        let recordPath = scratch?.path ?? write
        var output = EvidenceOutput(report: report, evidence: evidence, options: names.map { "-i \($0)" } + (filterExpression.map { [$0] } ?? []) + ruleOptions.effectiveOptions)
        try output.prepare(owner: owner)
        let hostInterfaces = HostInterfaces.list().map(\.interface)
        // Every handle and file is open: the packet parser runs without root from here on.
        try SafetyOptions.apply(privileges)

        // With -w - standard output carries the pcapng: every line goes to standard error.
        let out = OutputSink(fd: writesToStandardOutput ? 2 : 1)
        out.lineBuffered = true
        let formatter = FindingFormatter(colour: color.isOn(for: out))
        var worst: Severity?
        let analyzer = Analyzer(configuration: ruleOptions.configuration)
        analyzer.setHostInterfaces(hostInterfaces)
        analyzer.updateInterfaces(capture.interfaces)
        // Where the kernel means to send each finding's destination (Linux; asked once per address).
        let routes = FindingRoutes()
        func show(_ original: Finding) {
            var finding = original
            routes.annotate(&finding)
            worst = max(worst ?? finding.severity, finding.severity)
            switch format {
            case .text:
                out.writeLine(formatter.text(finding))
                out.writeLine("")
            case .json:
                out.writeLine(FindingFormatter.json(finding))
            }
        }
        // With the kernel asked, a finding is held a moment so that it carries the drops of its
        // frames, which the kernel reports microseconds after the packets (settled in 50 ms).
        var held: [(finding: Finding, due: Timestamp)] = []
        func release(before now: Timestamp?) {
            let records = tracer?.matched ?? []
            while let first = held.first, now.map({ first.due <= $0 }) ?? true {
                var finding = first.finding
                finding.attachKernelDrops(records)
                show(finding)
                held.removeFirst()
            }
        }
        analyzer.onNewFinding { finding in
            if tracer == nil { show(finding) } else { held.append((finding, Timestamp(nanoseconds: Timestamp.now().nanoseconds + 300_000_000))) }
        }
        // A new interface on -i any: an interface block in the file, a name for the analyser.
        var recorderError: Error?
        // -w -: the pipe's reader went away; nothing more is written to it.
        var readerGone = false
        capture.onNewInterface = { interface in
            do { for recorder in recorders where !(readerGone && recorder === stream) { try recorder.addInterface(interface) } } catch { recorderError = error }
            analyzer.updateInterfaces(capture.interfaces)
        }
        // The -w file is flushed (whole blocks) at least once a second, so a killed capture leaves
        // a readable file; -w - after every poll round (each batch of packets, as tcpdump -U
        // flushes), so whoever reads the pipe sees packets as they come.
        var lastFlush = Timestamp.now()
        capture.onIdle = { now in
            analyzer.advance(to: now)
            tracer?.poll(now: now)
            release(before: now)
            if let stream, !readerGone {
                do { try stream.flush() } catch {
                    // The pipe's reader left (| head -c): stop as a closed stdout stops, quietly.
                    if stream.readerGone { readerGone = true; LiveCapture.requestStop() } else { recorderError = error }
                }
            }
            if now.seconds(since: lastFlush) >= 0.5 {
                lastFlush = now
                do { for recorder in recorders where recorder !== stream { try recorder.flush() } } catch { recorderError = error }
            }
        }
        var reported = Set<String>()
        capture.onInterfaceLost = { lost in
            let warning = CaptureWarning(path: lost.name, offset: nil, message: "stopped capturing after \(lost.packetsSeen) packets: \(lost.reason)")
            reported.insert(warning.description)
            FileHandleWriter.standardError("scopescan: warning: \(warning)\(capture.activeInterfaceCount > 0 ? "; still capturing on \(capture.activeInterfaceCount) interface\(capture.activeInterfaceCount == 1 ? "" : "s")" : "; no interface left, stopping")\n")
            if format == .json { out.writeLine(Self.interfaceLostJSON(lost, remaining: capture.activeInterfaceCount)) }
        }
        if format == .text && isatty(2) == 1 {
            FileHandleWriter.standardError("scopescan: capturing on \(names.joined(separator: ", ")); Ctrl-C to stop\n")
        }

        LiveCapture.installStopHandlers()
        let warnings = try capture.forEachPacket { packet in
            if packet.interfaceIndex >= analyzer.interfaces.interfaces.count { analyzer.updateInterfaces(capture.interfaces) }
            for recorder in recorders where !(readerGone && recorder === stream) {
                do {
                    try recorder.writePacket(interfaceID: packet.interfaceIndex, timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.span, direction: packet.direction)
                } catch {
                    // The pipe's reader left: no more packets for it, and a quiet stop.
                    guard recorder.readerGone else { throw error }
                    readerGone = true
                    LiveCapture.requestStop()
                }
            }
            if let tracer {
                // One decode for both: the tracer keys the frame by its headers.
                var decoded = DecodedPacket()
                PacketDecoder.decode(packet.span, linkType: packet.linkType, into: &decoded)
                tracer.observe(packet, decoded: decoded)
                analyzer.analyse(packet, decoded: decoded, countingPacket: true)
            } else {
                analyzer.analyse(packet)
            }
        }
        if let tracer {
            analyzer.noteKernelDrops(tracer.finish(), alreadyDropped: tracer.notKept)
            if tracer.lost > 0 { analyzer.addWarning("the kernel traced \(tracer.lost) drops it had no buffer room for: the kernel drop list is partial") }
        }
        for recorder in recorders where !(readerGone && recorder === stream) {
            do { try recorder.flush() } catch {
                guard recorder.readerGone else { throw error }
                readerGone = true
            }
        }
        if let recorderError { throw ScopeScanError("\(recordPath ?? "-w"): \(recorderError)") }
        // SIGPIPE: whoever read stdout is gone; finish the files and leave without a word.
        // (With -w - the findings go to stderr, which is still there: they and the summary stay.)
        let quiet = LiveCapture.stopSignal == SIGPIPE && !writesToStandardOutput
        for warning in warnings {
            if !reported.contains(warning.description) && !quiet { FileHandleWriter.standardError("scopescan: warning: \(warning)\n") }
            analyzer.addWarning(warning.description)
        }
        var findings = analyzer.finish()
        for index in findings.indices { routes.annotate(&findings[index]) }
        release(before: nil)
        if !quiet { printSummary(analyzer, capture.statistics(), out, inputs: names) }
        out.flush()
        if let recordPath, output.isRequested {
            try output.write(capturePath: recordPath, displayName: "live capture on \(names.joined(separator: ", "))", findings: findings, analyzer: analyzer)
        }
        if !capture.lostInterfaces.isEmpty && capture.activeInterfaceCount == 0 {
            throw ExitCode(ExitStatus.findingsAtThreshold) // every interface went away: status 1, as tcpdump
        }
        if let failOn, let worst, worst >= failOn {
            throw ExitCode(ExitStatus.findingsAtThreshold)
        }
    }

    /// `{"event_type":"interface_lost",…}` (docs/json-schema.md).
    static func interfaceLostJSON(_ lost: LiveCapture.LostInterface, remaining: Int) -> String {
        var object = JSONObject()
        object.add("event_type", "interface_lost")
        object.add("interface", lost.name)
        object.add("reason", lost.reason)
        object.add("packets_seen", lost.packetsSeen)
        object.add("interfaces_left", remaining)
        object.add("time", Timestamp.now().iso8601(fractionDigits: 9))
        return object.closed
    }

    func printSummary(_ analyzer: Analyzer, _ statistics: [LiveCapture.Statistics], _ out: OutputSink, inputs: [String]) {
        switch format {
        case .text:
            out.writeLine(SummaryFormatter().text(analyzer.summary, interfaces: analyzer.interfaces, inputs: inputs))
            for stats in statistics {
                out.writeLine(DisplayText.escaped("  capture \(stats.interface): \(stats.seen) packets seen, \(stats.received) received by the filter, \(stats.dropped) dropped by the kernel, \(stats.droppedByInterface) dropped by the interface"))
            }
        case .json:
            var line = SummaryFormatter().json(analyzer.summary, interfaces: analyzer.interfaces, inputs: inputs)
            let capture = statistics.map { s -> String in
                var object = JSONObject()
                object.add("interface", s.interface)
                object.add("seen", s.seen)
                object.add("received", Int(s.received))
                object.add("dropped", Int(s.dropped))
                object.add("dropped_by_interface", Int(s.droppedByInterface))
                return object.closed
            }
            // Insert the capture statistics into the summary object.
            line.removeLast(2)
            line += ",\"capture\":[" + capture.joined(separator: ",") + "]}}"
            out.writeLine(line)
        }
    }
}
