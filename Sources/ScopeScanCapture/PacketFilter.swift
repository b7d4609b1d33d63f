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
        // pcap_open_dead takes a DLT, which differs from the file's LINKTYPE for raw IP.
        let dlt: Int32 = [LinkType.raw, .rawBSD12, .rawBSD14].contains(linkType) ? DLT_RAW : Int32(bitPattern: linkType.rawValue)
        guard let dead = pcap_open_dead_with_tstamp_precision(dlt, 262_144, UInt32(PCAP_TSTAMP_PRECISION_NANO)) else {
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

    /// The link type and offset to run BPF on. libpcap compiles DLT_NULL filters for this host's
    /// own AF_INET6 (10 on Linux) unless it reads the file itself, so BSD loopback frames (AF 24/28/30)
    /// are filtered as raw IP after their 4-byte family; PKTAP frames by their inner link type.
    static func filterTarget(_ linkType: LinkType, _ bytes: UnsafeRawBufferPointer) -> (LinkType, Int)? {
        switch linkType {
        case .null, .loop:
            return (.raw, NullHeader.headerLength)
        case .pktap, .user2:
            guard bytes.count >= 12 else { return nil }
            let length = Int(bytes.le32(0))
            guard length >= PKTAPHeaderView.minimumLength, length <= bytes.count else { return nil }
            let inner = LinkType(bytes.le32(8))
            guard inner != .pktap, inner != .user2, let (target, offset) = filterTarget(inner, bytes.tail(from: length)) else { return nil }
            return (target, length + offset)
        default:
            return (linkType, 0)
        }
    }

    /// Whether `packet` passes the filter. A link type the expression cannot be compiled for (e.g.
    /// `ether host` on DLT_NULL) matches nothing.
    public func matches(_ packet: CapturedPacket) -> Bool {
        guard let (target, offset) = Self.filterTarget(packet.linkType, packet.bytes),
              let program = try? program(for: target) else { return false }
        let bytes = packet.bytes.tail(from: offset)
        var header = pcap_pkthdr()
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(max(bytes.count, packet.originalLength - offset))
        guard let base = bytes.baseAddress else { return pcap_offline_filter(program, &header, [0]) != 0 }
        return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
