/// The descriptors of every rule, in the order `scopescan rules` lists them.
public enum RuleCatalogue {
    public static let linkLocalOnLoopback = RuleDescriptor(
        id: .linkLocalOnLoopback, severity: .warning,
        title: "Link-local traffic on a loopback interface",
        condition: "An IPv6 packet with a link-local (fe80::/10) source or destination seen on a loopback interface (lo, lo0), other than macOS lo0's own fe80::1.",
        explanation: "A link-local address is only meaningful on its link, named by the scope id (fe80::1%en0). When a host talks to its own link-local address, the kernel short-cuts the packet through the loopback interface; whether the far end accepts it then depends on the stack keeping the original interface. Seeing it on loopback is the evidence of that reroute, and the owning interface (when the capture or host records it) says which scope was ignored.",
        platformContext: "macOS routes packets for the host's own fe80::…%en0 to lo0 ignoring sin6_scope_id and never accepts them: the client sees ICMPv6 errors on lo0 (seed 000, Apple Feedback FB16143533). Linux reroutes the same way but accepts the packets. FreeBSD keeps the original interface (origifp) but its source-address validation on loopback dropped them until the M_LOOP fix (seed 003).",
        references: ["RFC 4007 section 6 and 11 (zone indices)", "RFC 4291 section 2.5.6 (link-local addresses)", "inet6(4), ip6(4)", "FreeBSD review of IPv6 local traffic processing (seed 003): check M_LOOP instead of the interface type"],
        thresholds: [])

    public static let synUnanswered = RuleDescriptor(
        id: .synUnanswered, severity: .error,
        title: "TCP SYN retried without answer",
        condition: "A TCP SYN retransmitted (same flow, same initial sequence number) with no SYN-ACK or RST seen until the end of the capture or the timeout.",
        explanation: "A SYN that is sent again with the same ISN means the client never got an answer: the SYN or its answer was dropped, silently. The gaps between retries follow the kernel's back-off (1 s, 2 s, 4 s… on Linux and the BSDs); the total wait is what the user felt as a hang.",
        platformContext: "FreeBSD link-local connects over loopback hang because ip6_input's source-address validation drops the looped SYNs (seed 003). On Linux, nftables/ip6tables drops produce the same picture.",
        references: ["RFC 9293 section 3.8.1 (retransmission timeout)", "RFC 6298 (initial RTO of 1 s)", "tcp(7): tcp_syn_retries"],
        thresholds: ["--syn-retries N (default 2 SYNs)", "--syn-timeout SECONDS (default 60, streaming conclusion)"])

    public static let slowConnect = RuleDescriptor(
        id: .slowConnect, severity: .warning,
        title: "Connect answered only after SYN retries",
        condition: "A TCP SYN retried and then answered by a SYN-ACK, costing at least the threshold; also unanswered attempts from the same client to the same server port joined to a later successful connect within the window.",
        explanation: "The first SYNs were lost and a later one got through: the connection works, but each connect costs the retransmission timeouts. A constant 3 s (1 s + 2 s) delay is the signature of exactly two dropped SYNs.",
        platformContext: "FreeBSD connects to the host's own global address take 3 s: the first two SYNs leave with origifp=vtnet0 and are dropped by source-address validation; the third uses the route cached in the inpcb (ifp=origifp=lo0) and passes (seed 003).",
        references: ["RFC 6298 section 2 (RTO back-off)", "RFC 9293 section 3.5 (three-way handshake)"],
        thresholds: ["--slow-connect-threshold SECONDS (default 1.0)", "--slow-connect-window SECONDS (default 30)", "--syn-retries N"])

    public static let icmpUnreachable = RuleDescriptor(
        id: .icmpUnreachable, severity: .error,
        title: "ICMP/ICMPv6 destination unreachable",
        condition: "ICMPv6 type 1 (any code) or ICMPv4 type 3, with the quoted packet decoded and tied to the flow (and SYN) it killed.",
        explanation: "The error names why the packet could not be delivered: no route, administratively prohibited (a firewall), beyond scope of source address (a link-local source sent off-link), address unreachable (neighbor discovery failed), port unreachable, source address failed ingress/egress policy, reject route. The quoted packet says which connection it ended.",
        platformContext: "On macOS, the connect to the host's own link-local address gets ICMPv6 errors back on lo0 (seed 000). Linux 'unreachable'/'prohibit' routes answer with codes 0 and 1; nftables 'reject' with any code.",
        references: ["RFC 4443 section 3.1 (codes 0–6)", "RFC 792 and RFC 1812 section 5.2.7.1 (ICMPv4 codes)", "RFC 4007 section 9 (beyond scope)"],
        thresholds: [])

    public static let scopeViolation = RuleDescriptor(
        id: .scopeViolation, severity: .error,
        title: "Packet crosses its address scope",
        condition: "A link-local source sending to a destination outside link scope (global, unique-local, wider multicast), or a global/unique-local source sending to a link-local destination; ICMPv6 'beyond scope of source address' errors are linked here.",
        explanation: "A link-local address is valid only on its own link: a packet that carries one towards a wider scope can never be answered correctly and must not be forwarded (a router answers 'beyond scope of source address'). It usually means source address selection picked the wrong address, or a reroute changed the interface.",
        platformContext: "Seen when a stack loses the zone of a link-local address (seed 000, seed 003) or when an application binds fe80:: and connects to a global address.",
        references: ["RFC 4007 section 9 (forwarding across zones)", "RFC 6724 (source address selection)", "RFC 4443 section 3.1 code 2"],
        thresholds: [])

    public static let embeddedScopeID = RuleDescriptor(
        id: .embeddedScopeID, severity: .error,
        title: "KAME embedded scope id leaked to the wire",
        condition: "A link-local address with non-zero bits 10–63 (fe80:N::…), in a header, a quoted packet or a Neighbor Discovery target.",
        explanation: "RFC 4291 requires the 54 bits after fe80::/10 to be zero. KAME-derived kernels (OpenBSD, NetBSD, macOS, older FreeBSD) store the interface index in bits 16–31 of link-local addresses inside the kernel ('fe80:3::1' for interface 3); if such an address reaches the wire, a code path forgot to clear it.",
        platformContext: "OpenBSD returns fe80:3::1 with sin6_scope_id 0 to user space (seed 001); inet6(4): 'users should never use the embedded form' (seed 004).",
        references: ["RFC 4291 section 2.5.6", "inet6(4) (KAME scoped addresses)", "KAME IMPLEMENTATION, section 1.3.3"],
        thresholds: [])

    public static let ipv4MappedOnWire = RuleDescriptor(
        id: .ipv4MappedOnWire, severity: .error,
        title: "IPv4-mapped address on the wire",
        condition: "An IPv6 packet with a ::ffff:0:0/96 source or destination.",
        explanation: "IPv4-mapped addresses represent IPv4 peers inside the socket API only; they must never appear in IPv6 headers. On the wire they can bypass access control that checks IPv4 and IPv6 rules separately.",
        platformContext: "inet6(4) warns that IPv4 traffic routed to AF_INET6 sockets as ::ffff:a.b.c.d lets malicious parties bypass access control (seed 004).",
        references: ["RFC 4291 section 2.5.5.2", "RFC 4942 section 2.2 (transition mechanism threats)", "draft-itojun-v6ops-v4mapped-harmful"],
        thresholds: [])

    public static let loopbackAddressOffLoopback = RuleDescriptor(
        id: .loopbackAddressOffLoopback, severity: .error,
        title: "Loopback address outside the loopback interface",
        condition: "::1 or 127.0.0.0/8 as source or destination on a non-loopback interface.",
        explanation: "Loopback addresses must never be sent on a real link nor accepted from one ('martians'). A packet with one on a NIC means a misrouting in the sender or a spoofing attempt.",
        platformContext: "macOS answers only 127.0.0.1/32, not the whole 127/8 (seed 000), so tools that alias other 127.x addresses may see them routed oddly.",
        references: ["RFC 4291 section 2.5.3", "RFC 1122 section 3.2.1.3 (g)", "RFC 1812 section 5.3.7"],
        thresholds: [])

    public static let nonlocalOnLoopback = RuleDescriptor(
        id: .nonlocalOnLoopback, severity: .info,
        title: "Non-loopback addresses on a loopback interface",
        condition: "Global, unique-local, documentation or private addresses (neither loopback nor link-local) as source or destination on a loopback interface.",
        explanation: "Traffic between the host and its own non-loopback addresses (or AnyIP 'local' routes) is short-cut through the loopback interface. That is normal, but it is where stacks differ: which interface the packet is attributed to decides filtering and source validation.",
        platformContext: "Linux AnyIP ('ip -6 route add local 2001:db8:123::/64 dev lo') still needs IP_FREEBIND to bind (seed 002). FreeBSD routes own global addresses via lo0 with origifp set to the NIC (seed 003).",
        references: ["ip-route(8) (local routes)", "ip(7) IP_FREEBIND", "RFC 6724"],
        thresholds: [])

    public static let sameFlowMultipleInterfaces = RuleDescriptor(
        id: .sameFlowMultipleInterfaces, severity: .warning,
        title: "One flow seen on a loopback and a non-loopback interface",
        condition: "The same 5-tuple captured on a loopback interface and on a non-loopback interface of a multi-interface capture.",
        explanation: "A packet for the host's own address that shows up on both the NIC and loopback reveals the reroute from both sides; the second copy is not a retransmission.",
        platformContext: "Seen with Wireshark capturing en0 and lo0 together on macOS (seed 000).",
        references: ["pcapng Interface Description Block (draft-ietf-opsawg-pcapng section 4.2)"],
        thresholds: ["--flow-idle-timeout SECONDS (default 300)", "--max-flows N (default 100000)"])

    public static let tcpRefused = RuleDescriptor(
        id: .tcpRefused, severity: .info,
        title: "TCP connect refused",
        condition: "An RST answering a SYN.",
        explanation: "The peer's stack received the SYN and has no listener (or a firewall rejects with RST): the path works, the port is closed. This tells a refused connect apart from a silently dropped one (syn-unanswered).",
        platformContext: "A refused connect to the host's own link-local address shows the packet was delivered (Linux), while silence means it was dropped (FreeBSD before the fix).",
        references: ["RFC 9293 section 3.5.2 (reset generation)"],
        thresholds: [])

    public static let neighborUnresolved = RuleDescriptor(
        id: .neighborUnresolved, severity: .warning,
        title: "Neighbor Solicitation without Advertisement",
        condition: "Neighbor Solicitations for a target address with no Neighbor Advertisement for it within the timeout (duplicate address detection probes excluded).",
        explanation: "Nobody on the link answers for the target: the address is not there, or it is a link-local address of another zone sent out of the wrong interface. The sender will fail with 'address unreachable'.",
        platformContext: "A link-local target that belongs to the host itself but is resolved on another link, or a KAME-embedded address, is never answered.",
        references: ["RFC 4861 section 7.2 (address resolution)", "RFC 4443 section 3.1 code 3"],
        thresholds: ["--neighbor-timeout SECONDS (default 3)"])

    public static let all: [RuleDescriptor] = [
        linkLocalOnLoopback, synUnanswered, slowConnect, icmpUnreachable, scopeViolation, embeddedScopeID,
        ipv4MappedOnWire, loopbackAddressOffLoopback, nonlocalOnLoopback, sameFlowMultipleInterfaces, tcpRefused,
        neighborUnresolved,
    ]

    public static func descriptor(_ id: RuleID) -> RuleDescriptor? { all.first { $0.id == id } }
}
