import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanWire

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: otherwise ArgumentParser derives it from the type name at every start (docs/performance.md).
        commandName: "decode",
        abstract: "Print every packet decoded, one line each (text or JSON Lines for jq).",
        discussion: "JSON keys are documented in docs/decode-json.md and kept stable."
    )

    @Argument(help: ArgumentHelp("A pcap or pcapng file, plain or compressed, '-' for standard input; after -r, a BPF filter expression.", valueName: "file"), completion: .captureFiles)
    var words: [String] = []

    @Option(name: .customShort("r"), help: ArgumentHelp("Read this capture (repeatable); the words after the options then form a BPF filter, as with tcpdump -r.", valueName: "file"), completion: .captureFiles)
    var readFiles: [String] = []

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets (of each file) that pass the filter.", valueName: "count"))
    var packetLimit: Int?

    @Flag(name: .customShort("n"), help: "Accepted for tcpdump habits; scopescan never resolves names.")
    var numeric = false

    @Option(help: "Output format: text (tcpdump-like) or json (one object per packet).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("BPF filter expression; frame numbers still count every packet.", valueName: "expression"))
    var filter: String?

    @Option(name: .customLong("interface-name"), help: ArgumentHelp("Name the single interface of a classic pcap file.", valueName: "name"))
    var interfaceName: String?

    @Flag(name: .customLong("verify-checksums"), help: "Verify IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums of complete packets and flag bad ones as the bad-checksum anomaly.")
    var verifyChecksums = false

    var inputs: CaptureInputs { CaptureInputs(words: words, readFiles: readFiles, filter: filter, packetLimit: packetLimit) }
    var files: [String] { inputs.files }

    func validate() throws {
        if readFiles.isEmpty && words.count != 1 {
            throw ValidationError(words.isEmpty ? "give a capture file ('-' reads standard input)" : "decode reads one file; for a filter use --filter EXPRESSION or -r FILE EXPRESSION")
        }
        try inputs.validate()
    }

    /// Thrown from the packet callback once -c packets were printed.
    private struct LimitReached: Error {}

    func run() throws {
        let filter = try InputFiles.filter(inputs.filterExpression)
        let out = OutputSink(fd: 1)
        var unreadable = false
        for file in files {
            let source: PacketSource
            do {
                source = try InputFiles.open(file, interfaceName: interfaceName, copy: .never)
            } catch {
                FileHandleWriter.standardError("scopescan: error: \(error.description)\n")
                unreadable = true
                continue
            }
            try decode(source, filter: filter, out: out)
        }
        out.flush()
        if unreadable { throw ExitCode(ExitStatus.badInput) }
    }

    private func decode(_ source: PacketSource, filter: PacketFilter?, out: OutputSink) throws {
        var printed = 0
        var warnings: [CaptureWarning] = []
        do {
            warnings = try source.forEachPacket { packet in
                if let filter, !filter.matches(packet) { return }
                var decoded = PacketDecoder.decode(packet.span, linkType: packet.linkType)
                if verifyChecksums && (ChecksumVerifier.ipv4Header(decoded) == .invalid || ChecksumVerifier.transport(decoded) == .invalid) {
                    decoded.anomalies.insert(.badChecksum)
                }
                let name = source.interfaces[packet.interfaceIndex].name
                switch format {
                case .text: out.writeLine(PacketFormatter.text(packet, decoded, interface: name))
                case .json: out.writeLine(PacketFormatter.json(packet, decoded, interface: name))
                }
                printed += 1
                if let packetLimit, printed >= packetLimit { throw LimitReached() }
            }
        } catch is LimitReached {}
        out.flush()
        for warning in warnings {
            FileHandleWriter.standardError("scopescan: warning: \(warning)\n")
        }
    }
}
