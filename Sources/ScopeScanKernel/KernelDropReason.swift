/// A value of the kernel's `enum skb_drop_reason`, with its name as the running kernel's BTF spells
/// it, less the `SKB_DROP_REASON_` prefix ("NETFILTER_DROP"). The numbers are not UAPI and move
/// between kernels, so only the name is meaningful beyond this machine.
public struct KernelDropReason: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt32
    public var name: String

    public init(value: UInt32, name: String) {
        self.value = value
        self.name = name
    }

    /// A reason the BTF table does not hold: since 6.4 subsystems (mac80211, openvswitch) put their
    /// own reasons above bit 16, in enums of their own.
    public static func unnamed(_ value: UInt32) -> KernelDropReason {
        let subsystem = value >> 16
        let name = subsystem == 0 ? "UNKNOWN_\(value)" : "SUBSYSTEM_\(subsystem)_\(value & 0xffff)"
        return KernelDropReason(value: value, name: name)
    }

    /// One line for a person: what this reason usually means, for the common ones.
    public var explanation: String { Self.explanation(forName: name) }

    public var description: String { name }

    public static func explanation(forName name: String) -> String {
        if let text = explanations[name] { return text }
        if name.hasPrefix("TCP_") { return "TCP refused the segment: \(words(name.dropFirst(4)))" }
        if name.hasPrefix("SUBSYSTEM_") { return "dropped by a subsystem with reasons of its own" }
        return "dropped by the kernel: \(words(name[...]))"
    }

    /// "OLD_ACK" → "old ack".
    private static func words(_ name: Substring) -> String {
        String(name.lowercased().map { $0 == "_" ? " " : $0 })
    }

    static let explanations: [String: String] = [
        "NOT_SPECIFIED": "the code that dropped it gave no reason",
        "NO_SOCKET": "no socket listening: the port is closed",
        "NETFILTER_DROP": "a firewall rule",
        "IP_INHDR": "invalid IP header, e.g. a loopback source on a real link",
        "IP_INADDRERRORS": "destination not local and not forwarded",
        "IP_NOPROTO": "no handler for the next header",
        "IPV6DISABLED": "IPv6 disabled on the interface",
        "OTHERHOST": "frame for another host: destination MAC not ours",
        "IP_RPFILTER": "reverse-path filter: the source is not reachable back through this interface",
        "IP_CSUM": "bad IP checksum",
        "IP_OUTNOROUTES": "no route to send it",
        "IP_INNOROUTES": "no route for the received packet",
        "PKT_TOO_SMALL": "packet shorter than its headers",
        "PKT_TOO_BIG": "packet larger than the MTU",
        "UNICAST_IN_L2_MULTICAST": "unicast IP in a link-layer multicast frame",
        "XFRM_POLICY": "an IPsec policy",
        "SOCKET_FILTER": "a socket filter, BPF, on the receiving socket",
        "SOCKET_RCVBUFF": "the receiving socket's buffer is full",
        "SOCKET_BACKLOG": "the socket's backlog is full",
        "UDP_CSUM": "bad UDP checksum",
        "TCP_CSUM": "bad TCP checksum",
        "TCP_FLAGS": "TCP flags not valid in the connection's state",
        "TCP_ZEROWINDOW": "the receive window is zero",
        "TCP_OLD_DATA": "TCP data already received: a retransmission",
        "TCP_OVERWINDOW": "TCP data beyond the receive window",
        "TCP_OFOMERGE": "out-of-order data merged away",
        "TCP_RFC7323_PAWS": "old timestamp, PAWS",
        "TCP_INVALID_SEQUENCE": "TCP sequence number outside the window",
        "TCP_RESET": "the connection was reset",
        "TCP_INVALID_SYN": "a SYN in a synchronised connection",
        "TCP_CLOSE": "the connection is closed",
        "TCP_LISTEN_OVERFLOW": "the listen queue is full",
        "TCP_MD5NOTFOUND": "TCP MD5 signature expected but missing",
        "TCP_OLD_ACK": "an ACK for data already acknowledged",
        "TCP_TOO_OLD_ACK": "an ACK for data long acknowledged",
        "TCP_ACK_UNSENT_DATA": "an ACK for data never sent",
        "NEIGH_FAILED": "neighbour resolution, NDP or ARP, failed",
        "NEIGH_QUEUEFULL": "too many packets waiting for neighbour resolution",
        "NEIGH_DEAD": "the neighbour entry was removed",
        "QDISC_DROP": "the traffic-control queue dropped it",
        "DEV_READY": "the device is down or not ready",
        "FULL_RING": "the device's transmit ring is full",
        "IPV6_NDISC_FRAG": "a fragmented neighbour discovery message",
        "IPV6_NDISC_HOP_LIMIT": "a neighbour discovery message with hop limit not 255",
        "IPV6_NDISC_BAD_CODE": "a neighbour discovery message with a bad code",
        "IPV6_NDISC_BAD_OPTIONS": "a neighbour discovery message with bad options",
        "IPV6_NDISC_NS_OTHERHOST": "a neighbour solicitation for an address not ours",
        "IP_TUNNEL_ECN": "ECN error in a tunnel",
        "FRAG_REASM_TIMEOUT": "fragment reassembly timed out",
        "IPV6_BAD_EXTHDR": "bad IPv6 extension header",
        "ICMP_CSUM": "bad ICMP checksum",
        "INVALID_PROTO": "the link-layer protocol is not valid here",
        "SKB_CONSUMED": "not a drop: the packet was consumed normally",
    ]
}
