import ScopeScanPackets
import ScopeScanWire

/// An interface's final loopback verdict and the evidence it rests on.
public struct LoopbackVerdict: Sendable, Equatable {
    /// `nil`: no verdict for the interface as a whole (Linux cooked captures judge every frame by
    /// its ARPHRD type; raw IP links tell nothing).
    public var isLoopback: Bool?
    /// A short tag: "interface-name", "dlt-null", "zero-macs", "traffic", "arphrd-per-frame", "none".
    public var evidence: String
    /// The verdict in words, for `--explain`.
    public var reason: String
}

/// How the analyser judges whether a link is a loopback, and the facts it states about it.
enum LoopbackJudgement {
    /// Hop limits (TTLs) a host puts on packets it sends: 255 (ND, many BSD/Solaris stacks), 128
    /// (Windows), 64 (Linux, macOS, the BSDs), 60, 32 and 30 (older stacks), 1 (MLD, link-scoped
    /// multicast). A loopback never decrements them; any other value crossed a router.
    static func isInitialHopLimit(_ value: UInt8) -> Bool {
        switch value {
        case 1, 30, 32, 60, 64, 128, 255: return true
        default: return false
        }
    }

    /// What in this packet shows that its provisionally-loopback link is not one, if anything.
    static func revocation(frame: Int, packet: borrowing DecodedPacket) -> String? {
        if let link = packet.link, link.linkType == .ethernet, !link.hasZeroMACs {
            return "frame \(frame) carries real (non-zero) MAC addresses: an Ethernet link, not Linux lo"
        }
        if let hopLimit = packet.hopLimit, !isInitialHopLimit(hopLimit) {
            let field = packet.ipv6 != nil ? "hop limit" : "TTL"
            return "frame \(frame) arrived with \(field) \(hopLimit), below the initial 64/128/255: it crossed routers, so the link is no loopback (a tunnel, VPN or anonymised trace)"
        }
        return nil
    }

    static func verdict(_ interface: CaptureInterface, _ fact: InterfaceFacts, revocation: String?) -> LoopbackVerdict {
        let link = "\(interface.linkType.name)"
        if let byName = fact.loopbackByName, let name = interface.name {
            return byName
                ? LoopbackVerdict(isLoopback: true, evidence: "interface-name", reason: "loopback: the interface is named \(name)")
                : LoopbackVerdict(isLoopback: false, evidence: "interface-name", reason: "not loopback: the interface is named \(name), not a loopback name")
        }
        if fact.judgedByTraffic {
            if let revocation {
                return LoopbackVerdict(isLoopback: false, evidence: "traffic", reason: "not loopback: \(revocation)")
            }
            if interface.linkType == .ethernet {
                return LoopbackVerdict(isLoopback: true, evidence: "zero-macs", reason: "loopback: unnamed Ethernet whose frames all have zero MAC addresses (Linux lo) and initial hop limits only")
            }
            return LoopbackVerdict(isLoopback: true, evidence: "dlt-null", reason: "loopback: unnamed \(link) link (BSD loopback framing) whose packets all carry initial hop limits (a tunnel would show lower ones on replies)")
        }
        if interface.linkType == .linuxSLL || interface.linkType == .linuxSLL2 {
            return LoopbackVerdict(isLoopback: nil, evidence: "arphrd-per-frame", reason: "judged per frame: Linux cooked capture, ARPHRD 772 (loopback) or another device type in each frame")
        }
        // IPNET is how illumos captures its loopback, but it captures other interfaces the same way
        // and dl_ipnet names the interface by index only; NFLOG logs packets of any interface. Only
        // a name (pcapng if_name lo0) tells, so without one there is no verdict to rest findings on.
        if interface.linkType == .ipnet {
            return LoopbackVerdict(isLoopback: nil, evidence: "none", reason: "unknown: an unnamed IPNET link (illumos IP observability device): lo0's and a NIC's traffic look alike, and dl_ipnet names the interface only by index")
        }
        if interface.linkType == .nflog {
            return LoopbackVerdict(isLoopback: nil, evidence: "none", reason: "unknown: NFLOG holds netfilter log messages from any interface")
        }
        return LoopbackVerdict(isLoopback: nil, evidence: "none", reason: "unknown: a \(link) link without a name says nothing about loopback")
    }

    /// Removes a syn-unanswered platform note (and its platform) from a finding on an interface
    /// whose loopback verdict was revoked.
    static func withdrawPlatformNote(_ finding: inout Finding) {
        guard let note = finding.details(as: SynUnansweredDetails.self)?.platformNote else { return }
        finding.summary = finding.summary.replacing(". " + note, with: "")
        finding.updateDetails(as: SynUnansweredDetails.self) { details in
            details.platformNote = nil
            details.platform = nil
            details.platformEvidence = nil
        }
        finding.facts.append("no platform note: the link's traffic shows it is not a loopback")
    }

    /// The interface facts every finding of the interface rests on.
    static func facts(for finding: Finding, interfaces: InterfaceTable) -> [String] {
        guard let index = finding.interfaceIndex else { return [] }
        var facts: [String] = []
        if index >= 0 && index < interfaces.interfaces.count {
            let interface = interfaces.interfaces[index]
            facts.append("interface: \(interface.name ?? "#\(index) (unnamed)"), link type \(interface.linkType.rawValue) (\(interface.linkType.name))")
        } else if let name = interfaces.pktapNames[index] {
            facts.append("interface: \(name), named by the packets' PKTAP headers")
        }
        if let verdict = interfaces.loopbackVerdicts[index] { facts.append(verdict.reason) }
        if let platform = interfaces.platforms[index] {
            facts.append("platform: \(platform), from \(interfaces.platformEvidence[index] ?? "the framing")")
        }
        return facts
    }
}
