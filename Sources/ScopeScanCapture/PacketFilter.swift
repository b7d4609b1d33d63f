import CPcap
import ScopeScanWire

/// A BPF filter compiled by libpcap, applied to packets read by any reader. Compiled once per link
/// type, since a pcapng file may mix them and BPF offsets depend on the link header.
public final class PacketFilter {
    public let expression: String
    private var programs: [LinkType: UnsafeMutablePointer<bpf_program>] = [:]

    /// Checks that the expression compiles (for Ethernet, the common case) so a typo fails at once.
    public init(expression: String) throws(CaptureError) {
        self.expression = expression
        _ = try program(for: .ethernet)
    }

    deinit {
        for program in programs.values {
            pcap_freecode(program)
            program.deallocate()
        }
    }

    func program(for linkType: LinkType) throws(CaptureError) -> UnsafeMutablePointer<bpf_program> {
        if let existing = programs[linkType] { return existing }
        guard let dead = pcap_open_dead_with_tstamp_precision(Int32(bitPattern: linkType.rawValue), 262_144, UInt32(PCAP_TSTAMP_PRECISION_NANO)) else {
            throw CaptureError(path: "--filter", message: "libpcap cannot compile filters for link type \(linkType)")
        }
        defer { pcap_close(dead) }
        let program = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
        guard pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            let message = String(cString: pcap_geterr(dead))
            program.deallocate()
            throw CaptureError(path: "--filter", message: "bad filter expression '\(expression)': \(message)")
        }
        programs[linkType] = program
        return program
    }

    /// Whether `packet` passes the filter. A link type the expression cannot be compiled for (e.g.
    /// `ether host` on DLT_NULL) matches nothing.
    public func matches(_ packet: CapturedPacket) -> Bool {
        guard let program = try? program(for: packet.linkType) else { return false }
        var header = pcap_pkthdr()
        header.caplen = UInt32(packet.capturedLength)
        header.len = UInt32(packet.originalLength)
        guard let base = packet.bytes.baseAddress else { return pcap_offline_filter(program, &header, [0]) != 0 }
        return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
