/// The public write-ups the probe's notes point to, for the behaviour each one describes.
enum ProbeSources {
    /// macOS: own link-local traffic routed to lo0 and never accepted; other /64 addresses bind.
    static let macOSLinkLocal = "the blog post \"IPv6 OSX Link-Local Strangeness\", 2024-12-22; Apple Feedback FB16143533"
    /// Linux: binds check the address list; AnyIP routes still need IP_FREEBIND.
    static let linuxNonlocalBinds = "the blog post \"Non-Local Address Binds in Linux\"; ip(7) IP_FREEBIND"
}

/// What the attempts of one interface say about the platform, in plain words.
public struct ProbeVerdict: Sendable {
    public var interface: String
    public var platform: String
    /// Stable id: rerouted-accepted, rerouted-not-accepted, sent-on-interface-accepted, …
    public var behaviour: String
    public var text: String
    public var captured: Bool
    public var notes: [String]

    /// `platform` is the system's name; `notes` (why there was no capture) follow the verdict's own.
    public init(interface: String, platform: String, loopback: String, attempts: [ProbeAttempt], captured: Bool, notes extra: [String]) {
        self.interface = interface
        self.platform = platform
        self.captured = captured
        let mine = attempts.filter { $0.interface == interface }
        if let own = mine.first(where: { $0.kind == .ownLinkLocal }) {
            (behaviour, text) = Self.judge(own, loopback: loopback, captured: captured)
            // The kernel's own word on where it sends the packet backs up what the capture showed.
            if let route = own.kernelRoute { text += " (\(route.text))" }
        } else {
            (behaviour, text) = ("no-verdict", "no own link-local attempt on \(interface)")
        }
        notes = Self.otherInPrefixNotes(mine, interface: interface, loopback: loopback) + Self.anyIPNotes(attempts) + extra
    }

    /// The verdict of the own link-local attempt: (behaviour id, text).
    public static func judge(_ own: ProbeAttempt, loopback: String, captured: Bool) -> (behaviour: String, text: String) {
        guard own.bound else {
            return ("no-verdict", "cannot bind the own link-local address \(own.scopedAddress) (\(own.bindText)): no verdict")
        }
        let accepted = own.connected
        let result = accepted ? "accepted" : "never accepted (\(own.connectText))"
        guard captured else {
            if accepted {
                return ("accepted-not-captured", "own link-local connect accepted in \(ProbeAttempt.milliseconds(own.connect?.milliseconds ?? 0)); without a capture the interface it took is unknown: not the macOS bug (Linux, or FreeBSD with a scope id)")
            }
            return ("not-accepted-not-captured", "own link-local connect \(result): consistent with the macOS bug; capture as root to see which interface carried it")
        }
        let seen = own.seenOn
        let onLoopback = seen.contains(loopback), onInterface = seen.contains(own.interface)
        switch (onLoopback, onInterface, accepted) {
        case (true, false, true):
            return ("rerouted-accepted", "own link-local traffic is rerouted via \(loopback) and accepted: Linux behaviour")
        case (true, false, false):
            return ("rerouted-not-accepted", "own link-local traffic is rerouted via \(loopback) and never accepted: the macOS bug")
        case (false, true, _):
            return (accepted ? "sent-on-interface-accepted" : "sent-on-interface-not-accepted",
                    "own link-local traffic is sent out \(own.interface), not looped back, and \(result): the FreeBSD-like choice of the physical interface")
        case (true, true, _):
            return (accepted ? "both-accepted" : "both-not-accepted", "own link-local traffic appears on both \(loopback) and \(own.interface), and is \(result)")
        case (false, false, _):
            return ("not-seen", "no packet of the own link-local connect was captured on \(own.interface) or \(loopback); the connect was \(accepted ? "accepted" : result)")
        }
    }

    /// Whether an unassigned address of the interface's prefix binds (plain, then with the free-bind
    /// option), and what connecting to it did.
    static func otherInPrefixNotes(_ mine: [ProbeAttempt], interface: String, loopback: String) -> [String] {
        let others = mine.filter { $0.kind == .otherInPrefix }
        guard let plain = others.first(where: { $0.nonlocalOption == nil }) else { return [] }
        var notes: [String] = []
        let freebound = others.first { $0.nonlocalOption != nil }
        let what = "\(plain.address), in \(interface)'s prefix but not assigned,"
        if plain.bound {
            notes.append("\(what) binds without any option: the prefix counts as local (what \(ProbeSources.macOSLinkLocal) reports on macOS)")
        } else if let freebound, freebound.bound, let option = freebound.nonlocalOption {
            notes.append("\(what) binds only with \(option) (\(plain.bindText) without): binds check the address list, not the prefix (\(ProbeSources.linuxNonlocalBinds))")
        } else {
            notes.append("\(what) does not bind (\(plain.bindText))")
        }
        if let reached = [plain, freebound].compactMap({ $0 }).first(where: { $0.bound }), let result = reached.connect {
            var line = "connecting to it: \(reached.connectText)"
            let seen = reached.seenOn
            if !seen.isEmpty { line += ", packets on \(seen.joined(separator: ", "))" }
            if reached.icmpErrors > 0 { line += ", \(reached.icmpErrors) ICMPv6 error\(reached.icmpErrors == 1 ? "" : "s") back" }
            if result.error != nil && seen.contains(interface) && !seen.contains(loopback) {
                line += ": a bound but unassigned address is not local, its Neighbor Solicitations go out \(interface) unanswered"
            }
            notes.append(line)
        }
        return notes
    }

    /// Per AnyIP route: whether its address binds plain or only with the free-bind option.
    static func anyIPNotes(_ attempts: [ProbeAttempt]) -> [String] {
        var notes: [String] = []
        for route in Set(attempts.filter { $0.kind == .anyIP }.compactMap(\.route)).sorted() {
            let pair = attempts.filter { $0.route == route }
            guard let plain = pair.first(where: { $0.nonlocalOption == nil }) else { continue }
            var line = "AnyIP route \(route): \(plain.address) "
            if plain.bound {
                line += "binds without any option"
            } else if let freebound = pair.first(where: { $0.nonlocalOption != nil }), freebound.bound, let option = freebound.nonlocalOption {
                line += "binds only with \(option) (\(plain.bindText) without): IPv6 binds do no FIB lookup (\(ProbeSources.linuxNonlocalBinds))"
                if freebound.connected { line += "; connects to it are accepted" + (freebound.seenOn.isEmpty ? "" : " via \(freebound.seenOn.joined(separator: ", "))") }
            } else {
                line += "does not bind (\(plain.bindText))"
            }
            notes.append(line)
        }
        return notes
    }
}
