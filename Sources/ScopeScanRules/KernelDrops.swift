import ScopeScanPackets
import ScopeScanWire

/// A packet the kernel freed with a drop reason (Linux `skb:kfree_skb`), as the rules and reports
/// see it: owned values only, tied to the captured frame it killed when the capture has it.
/// ScopeScanKernel produces these; nothing here knows about BPF.
public struct KernelDropRecord: Sendable, Hashable {
    /// The captured frame of the dropped packet; nil when it never reached the capture (dropped on
    /// output before the tap, e.g. a RST dropped by an output rule).
    public var frame: Int?
    /// When the kernel dropped it (wall clock, the capture's time base).
    public var time: Timestamp
    /// `enum skb_drop_reason` without its prefix: "NETFILTER_DROP", "NO_SOCKET", …
    public var reason: String
    /// The kernel function that dropped it ("nft_do_chain"), when /proc/kallsyms could name it.
    public var location: String?
    /// The device the packet was on; nil on the output path (no device yet).
    public var interface: String?
    /// A short human explanation of the reason ("a firewall rule").
    public var explanation: String
    /// The dropped packet's addresses and ports, from its own headers.
    public var flow: FlowDescription?
    public var tcpFlags: TCPFlags?
    /// The copied network header and first transport bytes (raw IP), for the evidence file.
    public var bytes: [UInt8]

    public init(frame: Int?, time: Timestamp, reason: String, location: String?, interface: String?, explanation: String,
                flow: FlowDescription?, tcpFlags: TCPFlags? = nil, bytes: [UInt8] = []) {
        self.frame = frame
        self.time = time
        self.reason = reason
        self.location = location
        self.interface = interface
        self.explanation = explanation
        self.flow = flow
        self.tcpFlags = tcpFlags
        self.bytes = bytes
    }

    /// "NETFILTER_DROP in nft_do_chain"
    public var reasonText: String { location.map { "\(reason) in \($0)" } ?? reason }

    /// What the dropped packet was, for summaries: "SYN", "RST", "packet".
    public var kind: String {
        guard let flags = tcpFlags else { return "packet" }
        if flags.contains(.syn) && !flags.contains(.ack) { return "SYN" }
        if flags.contains(.syn) { return "SYN-ACK" }
        if flags.contains(.rst) { return "RST" }
        return "segment"
    }

    /// Multicast noise the kernel counts as NOT_SPECIFIED (ip6_mc_input): summarised, not listed.
    var isBackground: Bool {
        reason == "NOT_SPECIFIED" && (flow?.destination.isMulticast ?? false)
    }
}

extension IPAddress {
    var isMulticast: Bool {
        switch self {
        case .v6(let address): return address.isMulticast
        case .v4(let address): return address.value >> 28 == 0xe
        }
    }
}

extension Finding {
    /// Takes the drops of this finding's frames from `drops` and adds the kernel's word to its
    /// summary: "all 3 SYNs were dropped by the kernel: NETFILTER_DROP in nft_do_chain (a firewall
    /// rule)". Once: a finding that already carries drops is left as it is.
    public mutating func attachKernelDrops(_ drops: [KernelDropRecord]) {
        guard kernelDrops.isEmpty else { return }
        let mine = Set(frames)
        let taken = drops.filter { $0.frame.map(mine.contains) ?? false }
        guard !taken.isEmpty else { return }
        kernelDrops = taken.sorted { ($0.time, $0.frame ?? 0) < ($1.time, $1.frame ?? 0) }
        summary += "; " + Self.dropSentence(kernelDrops, framesInFinding: frames.count)
    }

    static func dropSentence(_ drops: [KernelDropRecord], framesInFinding: Int) -> String {
        let kinds = Set(drops.map(\.kind))
        let kind = kinds.count == 1 ? kinds.first! : "packet"
        let count = Set(drops.compactMap(\.frame)).count
        let what: String
        if count == framesInFinding {
            what = count == 1 ? "the \(kind) was" : "all \(count) \(kind)s were"
        } else {
            what = "\(count) of its \(framesInFinding) frames \(count == 1 ? "was" : "were")"
        }
        var reasons: [String] = []
        for drop in drops {
            let text = "\(drop.reasonText) (\(drop.explanation))"
            if !reasons.contains(text) { reasons.append(text) }
        }
        return "\(what) dropped by the kernel: \(reasons.joined(separator: "; "))"
    }
}

/// What the kernel answered when asked how it routes a finding's destination (Linux netlink
/// RTM_GETROUTE, live capture and probe): the decision, or the errno name of its refusal.
public struct RouteNote: Sendable, Hashable {
    public var destination: IPAddress
    /// The interface named as the destination's scope (output interface), if any.
    public var scope: String?
    public var type: String?
    public var device: String?
    public var table: String?
    public var source: String?
    public var gateway: String?
    /// "ENETUNREACH" when the kernel has no route with that scope.
    public var error: String?

    public init(destination: IPAddress, scope: String?, type: String?, device: String?, table: String?, source: String?, gateway: String?, error: String?) {
        self.destination = destination
        self.scope = scope
        self.type = type
        self.device = device
        self.table = table
        self.source = source
        self.gateway = gateway
        self.error = error
    }

    /// "the kernel routes fe80::a:1 with scope veth0 as local via lo, table local"
    public var text: String {
        let target = scope.map { "\(destination) with scope \($0)" } ?? "\(destination)"
        if let error { return "the kernel has no route for \(target): \(error)" }
        var text = "the kernel routes \(target) as \(type ?? "?")"
        if let gateway { text += " via \(gateway)" }
        if let device { text += " \(gateway == nil ? "via" : "on") \(device)" }
        return text + (table.map { ", table \($0)" } ?? "")
    }
}

extension Analyzer {
    /// Takes drops the kernel reported (live capture with `--kernel-drops`); at most 100,000 are
    /// kept, further ones are counted in a warning.
    /// `alreadyDropped`: drops the source counted but did not keep (its own cap).
    public func noteKernelDrops(_ drops: [KernelDropRecord], alreadyDropped: Int = 0) {
        let room = Self.maximumKernelDrops - kernelDrops.count
        if alreadyDropped > 0 {
            if counts.kernelDropsNotKept == 0 {
                counts.warnings.append("more than \(Self.maximumKernelDrops) kernel drops; further ones are counted, not tied to findings")
            }
            counts.kernelDropsNotKept += alreadyDropped
            counts.kernelDrops += alreadyDropped
        }
        if drops.count > room {
            if counts.kernelDropsNotKept == 0 {
                counts.warnings.append("more than \(Self.maximumKernelDrops) kernel drops; further ones are counted, not tied to findings")
            }
            counts.kernelDropsNotKept += drops.count - max(room, 0)
        }
        kernelDrops += drops.prefix(max(room, 0))
        counts.kernelDrops += drops.count
    }
}
