import CPcap
import ScopeScanWire

/// A BPF filter compiled by libpcap, applied to packets read by any reader. Compiled once per link
/// type, since a pcapng file may mix them and BPF offsets depend on the link header.
public final class PacketFilter {
    public let expression: String
    private var programs: [LinkType: LibpcapFilter] = [:]

    /// Checks that the expression compiles (for Ethernet, the common case) so a typo fails at once.
    public init(expression: String) throws(CaptureError) {
        self.expression = expression
        _ = try program(for: .ethernet)
    }

    func program(for linkType: LinkType) throws(CaptureError) -> LibpcapFilter {
        if let existing = programs[linkType] { return existing }
        // pcap_open_dead takes a DLT, which differs from the file's LINKTYPE for raw IP.
        let dlt: Int32 = [LinkType.raw, .rawBSD12, .rawBSD14].contains(linkType) ? DLT_RAW : Int32(bitPattern: linkType.rawValue)
        guard let dead = LibpcapHandle.openDead(dlt: dlt, snapshot: 262_144) else {
            throw CaptureError(path: "--filter", message: "libpcap cannot compile filters for link type \(linkType)")
        }
        switch dead.compile(expression) {
        case .success(let program):
            programs[linkType] = program
            return program
        case .failure(let error):
            throw CaptureError(path: "--filter", message: "bad filter expression '\(expression)': \(error.message)")
        }
    }

    /// The link type and offset to run BPF on. libpcap compiles DLT_NULL filters for this host's
    /// own AF_INET6 (10 on Linux) unless it reads the file itself, so BSD loopback frames (AF 24/28/30)
    /// are filtered as raw IP after their 4-byte family; PKTAP frames by their inner link type.
    static func filterTarget(_ linkType: LinkType, _ bytes: RawSpan) -> (LinkType, Int)? {
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
        let frame = packet.span
        guard let (target, offset) = Self.filterTarget(packet.linkType, frame),
              let program = try? program(for: target) else { return false }
        return program.matches(frame.tail(from: offset), originalLength: packet.originalLength - offset)
    }
}
