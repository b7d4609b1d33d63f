import ArgumentParser
import ScopeScanProbe
import ScopeScanReport

/// `scopescan probe`: the experiment of the blog post "IPv6 OSX Link-Local Strangeness"
/// (2024-12-22) run by the tool itself. Listen on the interface's own link-local address with its
/// scope id, connect to it, capture the interface and loopback, and say which interface carried the
/// packets and whether the stack accepted them. The work is ScopeScanProbe's; this is the shell.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: otherwise ArgumentParser derives it from the type name at every start (docs/performance.md).
        commandName: "probe",
        abstract: "Connect to this host's own link-local address while capturing, and say what the OS does with it.",
        discussion: """
        For each up interface with a link-local address (or the one given with -i): listen on that \
        address with its scope id and connect to it, while capturing on the interface and on \
        loopback. Then try a second, unassigned address in the same /64 with and without the \
        platform's free-bind option (Linux IP_FREEBIND), and an address of each AnyIP route \
        (ip -6 route add local PREFIX dev lo). Prints per attempt the bind result, the connect \
        result and time, the interfaces the packets appeared on, whether the SYN was answered and \
        the findings; then a verdict. Capturing needs root or CAP_NET_RAW; without it bind and \
        connect results are still reported, with a note.
        Exit status: 0 probed; 2 bad usage or nothing to probe.
        """ + "\n\n" + ThresholdArguments.help
    )

    @Option(name: [.customShort("i"), .customLong("interface")], help: ArgumentHelp("Probe only this interface (default: every up interface with a link-local address).", valueName: "name"))
    var interface: String?

    @Option(help: "Server port of the first attempt; each further attempt uses the next port.")
    var port: Int = 12981

    @Option(help: "Seconds each connect may take before the probe gives up.")
    var timeout: Double = 2

    @Option(help: "Output format: text (a table and the verdict) or json (JSON Lines: one object per attempt, then one verdict per interface).")
    var format: OutputFormat = .text

    @Option(name: .customShort("w"), help: ArgumentHelp("Also keep every captured packet in this pcapng.", valueName: "out.pcapng"))
    var write: String?

    @Option(help: ArgumentHelp("Write the Markdown report (as analyze does, plus the probe's table and verdict).", valueName: "report.md"))
    var report: String?

    @Option(help: ArgumentHelp("Write the evidence pcapng (the packets that prove the findings).", valueName: "evidence.pcapng"))
    var evidence: String?

    @Flag(name: .customLong("no-capture"), help: "Only bind and connect; do not capture (what an unprivileged run does anyway).")
    var noCapture = false

    @OptionGroup(title: "Rules and thresholds")
    var ruleOptions: RuleOptions

    @OptionGroup(title: "Safety")
    var safety: SafetyOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
        guard timeout > 0 && timeout <= 60 else { throw ValidationError("--timeout must be more than 0 and at most 60 seconds") }
    }

    func run() throws {
        try safety.checkOutputs([("-w", write), ("--report", report), ("--evidence", evidence)], inputs: [])
        var options = ProbeOptions(interface: interface, firstPort: port, timeout: timeout)
        options.captures = !noCapture
        options.capturePath = write
        options.reportPath = report
        options.evidencePath = evidence
        options.rules = ruleOptions.configuration
        options.reportOptions = ruleOptions.effectiveOptions
        // Root is given up once the capture handles and files are open, before any packet is parsed.
        options.privileges = try safety.privilegePlan()
        let prober = Prober(options: options) { FileHandleWriter.standardError("scopescan: warning: \($0)\n") }
        do {
            try prober.run { result in
                let out = OutputSink(fd: 1)
                switch format {
                // Interface names are the host's: escaped like every name shown (DisplayText).
                case .text: out.write(ProbeTextOutput.render(result).split(separator: "\n", omittingEmptySubsequences: false).map { DisplayText.escaped(String($0)) }.joined(separator: "\n"))
                case .json: for line in ProbeJSON.lines(result) { out.writeLine(line) }
                }
                out.flush()
            }
        } catch let error as ProbePortRangeError {
            // Too few ports for the attempts is bad usage, reported as the option checks are.
            throw ValidationError(error.description)
        }
    }
}
