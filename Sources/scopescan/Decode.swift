import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanWire

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every packet decoded, one line each (text or JSON Lines for jq).",
        discussion: "JSON keys are documented in docs/decode-json.md and kept stable."
    )

    @Argument(help: ArgumentHelp("A pcap or pcapng file.", valueName: "file"))
    var file: String

    @Option(help: "Output format: text (tcpdump-like) or json (one object per packet).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("BPF filter expression; frame numbers still count every packet.", valueName: "expression"))
    var filter: String?

    @Option(name: .customLong("interface-name"), help: ArgumentHelp("Name the single interface of a classic pcap file.", valueName: "name"))
    var interfaceName: String?

    @Flag(name: .customLong("verify-checksums"), help: "Verify IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums of complete packets and flag bad ones as the bad-checksum anomaly.")
    var verifyChecksums = false

    func run() throws {
        let filter = try InputFiles.filter(self.filter)
        let source = try InputFiles.open(file, interfaceName: interfaceName)
        let out = OutputSink(fd: 1)
        let warnings = try source.forEachPacket { packet in
            if let filter, !filter.matches(packet) { return }
            var decoded = PacketDecoder.decode(packet.bytes, linkType: packet.linkType)
            if verifyChecksums && (ChecksumVerifier.ipv4Header(decoded) == .invalid || ChecksumVerifier.transport(decoded) == .invalid) {
                decoded.anomalies.insert(.badChecksum)
            }
            let name = source.interfaces[packet.interfaceIndex].name
            switch format {
            case .text: out.writeLine(PacketFormatter.text(packet, decoded, interface: name))
            case .json: out.writeLine(PacketFormatter.json(packet, decoded, interface: name))
            }
        }
        out.flush()
        for warning in warnings {
            FileHandleWriter.standardError("scopescan: warning: \(warning)\n")
        }
    }
}
