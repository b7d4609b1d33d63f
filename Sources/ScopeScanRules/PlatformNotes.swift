import ScopeScanWire

/// Platform-specific explanations, chosen from what the capture says about its origin (the DLT_NULL
/// address family of a BSD loopback, or Linux's Ethernet-framed `lo`). Sources: the public write-ups each note cites.
enum PlatformNotes {
    static func linkLocalOnLoopback(platform: String?, answered: Bool) -> String? {
        switch platform {
        case "macOS":
            return "macOS routes packets for its own link-local address to lo0 despite the scope id and never accepts them there; expect ICMPv6 errors on lo0 (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533)"
        case "FreeBSD":
            return "FreeBSD loops them via lo0 keeping the original interface (origifp); before the M_LOOP fix, ip6_input's source validation drops them (FreeBSD review D35732, PR 265089, commit 50fa27e795ea)"
        case "OpenBSD/NetBSD":
            return "KAME stacks loop own link-local traffic via lo0 with the zone embedded in the kernel's copy of the address (blog post \"Link-local Addresses in struct sockaddr_in6 on Linux and OpenBSD\"; inet6(4))"
        case "Linux":
            return "Linux reroutes own link-local traffic via lo and accepts it"
        default:
            return answered ? "The stack accepted the rerouted packets (a SYN-ACK came back): Linux behaviour" : nil
        }
    }

    static func synUnanswered(platform: String?, linkLocal: Bool) -> String? {
        switch (platform, linkLocal) {
        case ("FreeBSD", true):
            return "FreeBSD link-local connects over loopback hang: ip6_input's source-address validation checks the interface type instead of M_LOOP and drops the looped SYNs (FreeBSD review D35732, PR 265089, commit 50fa27e795ea)"
        case ("macOS", true):
            return "macOS routes the SYN for its own link-local address to lo0 and never accepts it (blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533)"
        case ("FreeBSD", false):
            return "FreeBSD drops SYNs to its own global address while origifp is the NIC and the route is not yet cached in the inpcb (FreeBSD review D35732, PR 265089, commit 50fa27e795ea)"
        default:
            return nil
        }
    }

    /// The FreeBSD origifp story, only where the capture supports it: FreeBSD framing (DLT_NULL
    /// family 28, or an interface named lo0 of that framing) and the host's own address on both ends.
    static func slowConnect(platform: String?, ownAddress: Bool, lost: Double) -> String? {
        guard platform == "FreeBSD", ownAddress, lost >= 2.9 && lost < 3.5 else { return nil }
        return "A 3 s connect is FreeBSD's signature for its own global address: the first two SYNs leave with ifp=lo0, origifp=vtnet0 and are dropped by source-address validation; the third uses the cached route (origifp=lo0) and passes (FreeBSD review D35732, PR 265089, commit 50fa27e795ea)"
    }

    /// The evidence tag of a platform in words, for the note that rests on it.
    static func evidenceText(_ tag: String) -> String {
        if tag.hasPrefix("dlt-null-af"), let family = Int(tag.dropFirst("dlt-null-af".count)) {
            return "DLT_NULL address family \(family)"
        }
        switch tag {
        case "interface-name": return "the interface name"
        case "ethernet-zero-macs": return "Ethernet frames with zero MAC addresses on a loopback"
        case "sll-arphrd-772": return "ARPHRD_LOOPBACK (772) in the Linux cooked header"
        case "pktap": return "PKTAP headers"
        default: return tag
        }
    }

    /// `note` with the evidence it rests on named.
    static func withEvidence(_ note: String, _ tag: String?) -> String {
        guard let tag else { return note }
        return "\(note) [evidence: \(evidenceText(tag))]"
    }
}
