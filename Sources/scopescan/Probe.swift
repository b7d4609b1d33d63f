import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `scopescan probe`: the seed 000 experiment run by the tool itself. Listen on the interface's own
/// link-local address with its scope id, connect to it, capture the interface and loopback, and
/// say which interface carried the packets and whether the stack accepted them.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect to this host's own link-local address while capturing, and say what the OS does with it.",
        discussion: """
        For each up interface with a link-local address (or the one given with -i): listen on that \
        address with its scope id and connect to it, while capturing on the interface and on \
        loopback. Then try a second, unassigned address in the same /64 with and without the \
        platform's free-bind option (Linux IP_FREEBIND), and an address of each AnyIP route \
        (ip -6 route add local PREFIX dev lo). Prints per attempt the bind result, the connect \
        result and time, the interfaces the packets appeared on, whether the SYN was answered and \
        the findings; then a verdict. Capturing needs root or CAP_NET_RAW; without it bind and \
        connect results are still reported, with a note.
        Exit status: 0 probed; 2 bad usage or nothing to probe.
        """
    )

    @Option(name: [.customShort("i"), .customLong("interface")], help: ArgumentHelp("Probe only this interface (default: every up interface with a link-local address).", valueName: "name"))
    var interface: String?

    @Option(help: "Server port of the first attempt; each further attempt uses the next port.")
    var port: Int = 12981

    @Option(help: "Seconds each connect may take before the probe gives up.")
    var timeout: Double = 2

    @Option(help: "Output format: text (a table and the verdict) or json (JSON Lines: one object per attempt, then one verdict per interface).")
    var format: OutputFormat = .text

    @Option(name: .customShort("w"), help: ArgumentHelp("Also keep every captured packet in this pcapng.", valueName: "out.pcapng"))
    var write: String?

    @Option(help: ArgumentHelp("Write the Markdown report (as analyze does, plus the probe's table and verdict).", valueName: "report.md"))
    var report: String?

    @Option(help: ArgumentHelp("Write the evidence pcapng (the packets that prove the findings).", valueName: "evidence.pcapng"))
    var evidence: String?

    @Flag(name: .customLong("no-capture"), help: "Only bind and connect; do not capture (what an unprivileged run does anyway).")
    var noCapture = false

    @OptionGroup(title: "Rules and thresholds")
    var ruleOptions: RuleOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
        guard timeout > 0 && timeout <= 60 else { throw ValidationError("--timeout must be more than 0 and at most 60 seconds") }
    }

    func run() throws {
        let platform = ProbePlatform.current
        let host = HostInterfaces.list()
        let loopback = host.first { $0.isLoopback && $0.isUp }?.interface.name ?? platform.loopbackName
        let targets = try selectTargets(host)
        var attempts = try plan(targets: targets, host: host, platform: platform)
        var notes: [String] = []

        // Capture first: libpcap buffers from activation on, so no packet of the attempts is missed.
        var session: ProbeCaptureSession?
        var scratch: String?
        defer { if let scratch { unlink(scratch) } }
        var recordPath = write
        if noCapture {
            notes.append("capture off (--no-capture): bind and connect results only")
        } else {
            var options = LiveCapture.Options(interfaces: targets.map(\.name) + [loopback])
            options.filter = "ip6"
            options.duration = Double(attempts.count) * (timeout + 1) + 10
            do {
                let capture = try LiveCapture(options: options)
                if recordPath == nil && (report != nil || evidence != nil) {
                    scratch = "/tmp/scopescan-probe-\(getpid()).pcapng"
                    recordPath = scratch
                }
                let recorder = try recordPath.map { try Capture.makeRecorder(path: $0, interfaces: capture.interfaces, names: options.interfaces) }
                let analyzer = Analyzer(configuration: ruleOptions.configuration)
                analyzer.setHostInterfaces(host.map(\.interface))
                analyzer.updateInterfaces(capture.interfaces)
                session = ProbeCaptureSession(capture: capture, analyzer: analyzer, recorder: recorder)
            } catch let error as CaptureError {
                notes.append("no capture (\(error.message)): bind and connect results only, the interfaces that carried the packets are unknown")
                recordPath = nil
            }
        }
        if let running = session {
            LiveCapture.installStopHandlers()
            if !running.start() {
                notes.append("no capture (cannot start the capture thread): bind and connect results only")
                session = nil
                recordPath = nil
            }
        }
        if let write, recordPath == nil {
            FileHandleWriter.standardError("scopescan: warning: nothing captured, \(write) not written\n")
        }

        for index in attempts.indices {
            attempts[index].run(platform: platform, timeout: timeout)
        }

        var findings: [Finding] = []
        if let session {
            usleep(300_000)
            LiveCapture.requestStop()
            session.join()
            if let failure = session.failure { throw ScopeScanError(failure) }
            for warning in session.warnings {
                FileHandleWriter.standardError("scopescan: warning: \(warning)\n")
                session.analyzer.addWarning(warning.description)
            }
            try session.recorder?.flush()
            findings = session.analyzer.finish()
            let names = session.capture.interfaces.map { $0.name ?? "#\($0.index)" }
            for index in attempts.indices {
                // Port-less packets (Neighbor Discovery) aimed at the address belong to the last attempt on it.
                let address = attempts[index].address
                attempts[index].windowEnd = attempts[(index + 1)...].first { $0.address == address }?.start ?? Timestamp(nanoseconds: .max)
                attempts[index].attribute(packets: session.packets, interfaceNames: names, findings: findings)
            }
        }

        let verdicts = targets.map { target in
            ProbeVerdict(interface: target.name, platform: platform, loopback: loopback, attempts: attempts, captured: session != nil, notes: notes)
        }
        let out = OutputSink(fd: 1)
        switch format {
        case .text:
            out.write(ProbeText.render(attempts: attempts, verdicts: verdicts, platform: platform, captureNames: session.map { $0.capture.interfaces.compactMap(\.name) }, notes: notes))
        case .json:
            for attempt in attempts { out.writeLine(attempt.json()) }
            for verdict in verdicts { out.writeLine(verdict.json()) }
        }
        out.flush()

        if report != nil || evidence != nil {
            if let session, let recordPath {
                let output = EvidenceOutput(report: report, evidence: evidence, options: ruleOptions.effectiveOptions)
                let names = session.capture.interfaces.compactMap(\.name).joined(separator: ", ")
                try output.write(capturePath: recordPath, displayName: "scopescan probe capture on \(names)", findings: findings, analyzer: session.analyzer)
                if let report { try append(ProbeText.markdown(attempts: attempts, verdicts: verdicts), to: report) }
            } else {
                if let report {
                    do {
                        try TextFile.write("# scopescan probe\n\n" + ProbeText.markdown(attempts: attempts, verdicts: verdicts), to: report)
                    } catch {
                        throw ScopeScanError("\(report): cannot write: \(error)")
                    }
                }
                if let evidence { FileHandleWriter.standardError("scopescan: warning: nothing captured, \(evidence) not written\n") }
            }
        }
    }

    struct Target {
        var name: String
        var scopeID: UInt32
        var linkLocal: IPv6Address
        var prefixLength: Int
    }

    func selectTargets(_ host: [HostInterfaces.Entry]) throws -> [Target] {
        func target(_ entry: HostInterfaces.Entry) -> Target? {
            guard let name = entry.interface.name, let index = entry.interface.systemIndex, index != 0 else { return nil }
            for address in entry.interface.addresses {
                if case .v6(let v6) = address.address, v6.isLinkLocalUnicast {
                    return Target(name: name, scopeID: index, linkLocal: v6, prefixLength: address.prefixLength)
                }
            }
            return nil
        }
        if let interface {
            guard let entry = host.first(where: { $0.interface.name == interface }) else {
                let names = host.compactMap(\.interface.name)
                throw ScopeScanError("no interface named \(interface)" + (names.isEmpty ? "" : "; interfaces: \(names.joined(separator: ", "))"))
            }
            if entry.isLoopback { throw ScopeScanError("\(interface) is the loopback interface: name the interface that owns the link-local address (see 'scopescan interfaces')") }
            guard entry.isUp else { throw ScopeScanError("interface \(interface) is down (bring it up: ip link set \(interface) up)") }
            guard let found = target(entry) else { throw ScopeScanError("\(interface) has no link-local (fe80::/10) address to probe") }
            return [found]
        }
        let found = host.filter { $0.isUp && !$0.isLoopback }.compactMap(target)
        guard !found.isEmpty else { throw ScopeScanError("no up interface with a link-local address to probe (see 'scopescan interfaces')") }
        return found
    }

    func plan(targets: [Target], host: [HostInterfaces.Entry], platform: ProbePlatform) throws -> [ProbeAttempt] {
        let assigned = Set(host.flatMap { $0.interface.addresses }.compactMap { address -> IPv6Address? in
            if case .v6(let v6) = address.address { return v6 }
            return nil
        })
        var attempts: [ProbeAttempt] = []
        var nextPort = port
        func add(_ kind: ProbeAttempt.Kind, _ interface: String, _ address: IPv6Address, scope: UInt32, nonlocal: Bool) {
            attempts.append(ProbeAttempt(kind: kind, interface: interface, address: address, scopeID: scope, port: UInt16(clamping: nextPort),
                                         nonlocalOption: nonlocal ? platform.nonlocalBind?.name : nil))
            nextPort += 1
        }
        for target in targets {
            add(.ownLinkLocal, target.name, target.linkLocal, scope: target.scopeID, nonlocal: false)
            // "Binding to other IPs in the /64" (seed 000): the link-local with low bits flipped.
            if let other = (1...255).lazy.map({ IPv6Address(high: target.linkLocal.high, low: target.linkLocal.low ^ UInt64($0)) }).first(where: { !assigned.contains($0) }) {
                add(.otherInPrefix, target.name, other, scope: target.scopeID, nonlocal: false)
                if platform.nonlocalBind != nil { add(.otherInPrefix, target.name, other, scope: target.scopeID, nonlocal: true) }
            }
        }
        for route in platform.localRoutes().prefix(4) where !route.prefix.isLinkLocalUnicast {
            let hostBits = 128 - route.length
            let limit: UInt64 = hostBits >= 64 ? .max : (UInt64(1) << UInt64(hostBits)) - 1
            guard limit >= 1, let address = (UInt64(1)...min(limit, 255)).lazy.map({ IPv6Address(high: route.prefix.high, low: route.prefix.low | $0) }).first(where: { !assigned.contains($0) }) else { continue }
            var attempt = ProbeAttempt(kind: .anyIP, interface: route.device, address: address, scopeID: 0, port: 0, nonlocalOption: nil)
            attempt.route = "\(route.prefix)/\(route.length) dev \(route.device)"
            attempt.port = UInt16(clamping: nextPort)
            attempts.append(attempt)
            nextPort += 1
            if let option = platform.nonlocalBind {
                attempt.port = UInt16(clamping: nextPort)
                attempt.nonlocalOption = option.name
                attempts.append(attempt)
                nextPort += 1
            }
        }
        guard nextPort - 1 <= 65535 else { throw ValidationError("--port \(port) leaves no room for \(attempts.count) attempts (each uses its own port)") }
        return attempts
    }

    func append(_ text: String, to path: String) throws {
        guard let file = fopen(path, "a") else { throw ScopeScanError("\(path): cannot write: \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        _ = fputs("\n" + text, file)
    }
}

/// One bind-listen-connect experiment and what was seen of it.
struct ProbeAttempt {
    enum Kind: String {
        case ownLinkLocal = "own-link-local"
        case otherInPrefix = "other-in-prefix"
        case anyIP = "anyip"
    }

    var kind: Kind
    /// The interface whose scope id is used (AnyIP: the route's device).
    var interface: String
    var address: IPv6Address
    var scopeID: UInt32
    var port: UInt16
    /// The free-bind option set for this attempt (IP_FREEBIND), nil when none.
    var nonlocalOption: String?
    /// AnyIP: the route the address was taken from.
    var route: String?

    var bindError: ProbeSocketError?
    var connect: ProbeConnectResult?
    var start = Timestamp(nanoseconds: 0)
    var end = Timestamp(nanoseconds: 0)
    /// Port-less packets (Neighbor Discovery) aimed at the address up to here are this attempt's:
    /// until the next attempt on the same address starts.
    var windowEnd = Timestamp(nanoseconds: 0)

    /// From the capture: packets per interface name (capture order), nil without a capture.
    var packets: [(String, Int)]?
    /// "SYN-ACK" or "RST" from the server port, "none" when the SYN went unanswered; nil: no SYN captured.
    var answer: String?
    var icmpErrors = 0
    var findings: [Finding] = []

    init(kind: Kind, interface: String, address: IPv6Address, scopeID: UInt32, port: UInt16, nonlocalOption: String?) {
        self.kind = kind
        self.interface = interface
        self.address = address
        self.scopeID = scopeID
        self.port = port
        self.nonlocalOption = nonlocalOption
    }

    var name: String { kind.rawValue + (nonlocalOption.map { " +\($0)" } ?? "") }
    var scopedAddress: String { scopeID == 0 ? address.description : "\(address)%\(interface)" }
    var bound: Bool { bindError == nil }
    var connected: Bool { connect.map { $0.error == nil } ?? false }
    var seenOn: [String] { (packets ?? []).filter { $0.1 > 0 }.map(\.0) }
    var synAnswered: Bool? { answer.map { $0 != "none" } }

    var bindText: String { bindError.map { $0.step == "bind" ? $0.name : "\($0.step) \($0.name)" } ?? "ok" }
    var connectText: String {
        guard let connect else { return "not attempted" }
        let time = Self.milliseconds(connect.milliseconds)
        if connect.timedOut { return "timeout \(time)" }
        return (connect.error?.name ?? "ok") + " " + time
    }

    static func milliseconds(_ value: Double) -> String {
        value >= 100 ? "\(Int(value.rounded())) ms" : value >= 10 ? "\((value * 10).rounded() / 10) ms" : "\((value * 100).rounded() / 100) ms"
    }

    mutating func run(platform: ProbePlatform, timeout: Double) {
        start = Timestamp.now()
        defer { end = Timestamp.now() }
        switch platform.openListener(address: address, scopeID: scopeID, port: port, nonlocal: nonlocalOption != nil) {
        case .failure(let error):
            bindError = error
        case .success(let listener):
            connect = platform.connectAndAccept(address: address, scopeID: scopeID, port: port, timeout: timeout, listener: listener)
        }
    }

    /// A packet belongs to this attempt when it carries the server port and the address (TCP, or
    /// the flow an ICMP error quotes), or, without ports (Neighbor Discovery), is aimed at the
    /// address within the attempt's time.
    func owns(_ packet: ProbeSeenPacket) -> Bool {
        if let ports = packet.ports { return (ports.0 == port || ports.1 == port) && packet.addresses.contains(address) }
        return packet.targets.contains(address) && packet.time >= start && packet.time <= windowEnd
    }

    func owns(_ finding: Finding) -> Bool {
        guard let flow = finding.flow else { return false }
        if flow.sourcePort != nil || flow.destinationPort != nil {
            return (flow.sourcePort == port || flow.destinationPort == port) && (flow.source == .v6(address) || flow.destination == .v6(address))
        }
        return flow.destination == .v6(address) && finding.firstTime >= start && finding.firstTime <= windowEnd
    }

    mutating func attribute(packets seen: [ProbeSeenPacket], interfaceNames: [String], findings all: [Finding]) {
        var counts = Array(repeating: 0, count: interfaceNames.count)
        var sawSYN = false
        for packet in seen where owns(packet) {
            if packet.interfaceIndex < counts.count { counts[packet.interfaceIndex] += 1 }
            if packet.icmpError { icmpErrors += 1 }
            guard let flags = packet.tcpFlags, let ports = packet.ports else { continue }
            if flags.contains(.syn) && !flags.contains(.ack) && ports.1 == port { sawSYN = true }
            if ports.0 == port && flags.contains(.syn) && flags.contains(.ack) { answer = "SYN-ACK" }
            if ports.0 == port && flags.contains(.rst) && answer == nil { answer = "RST" }
        }
        if answer == nil && sawSYN { answer = "none" }
        packets = zip(interfaceNames, counts).map { ($0, $1) }
        findings = all.filter(owns)
    }

    func json() -> String {
        var o = JSONObject()
        o.add("attempt", kind.rawValue)
        o.add("interface", interface)
        o.add("address", scopedAddress)
        o.add("scope_id", Int(scopeID))
        o.add("port", Int(port))
        o.add("nonlocal_option", nonlocalOption)
        o.add("route", route)
        o.add("bind", bindError == nil ? "ok" : bindError!.name)
        o.add("bind_step", bindError?.step)
        o.add("bind_errno", bindError.map { Int($0.code) })
        o.add("bind_error", bindError?.message)
        o.add("connect", connect.map { $0.timedOut ? "timeout" : ($0.error?.name ?? "ok") } ?? "not attempted")
        o.add("connect_errno", connect?.error.map { Int($0.code) })
        o.add("connect_ms", raw: connect.map { JSONText.number(($0.milliseconds * 1000).rounded() / 1000) } ?? "null")
        o.add("accepted", connect?.accepted ?? false)
        if let packets {
            var counts = JSONObject()
            for (name, count) in packets { counts.add(name, count) }
            o.add("packets", counts)
        } else {
            o.add("packets", raw: "null")
        }
        o.add("seen_on", strings: seenOn)
        o.add("syn_answered", raw: synAnswered.map { $0 ? "true" : "false" } ?? "null")
        o.add("answer", answer)
        o.add("icmp_errors", icmpErrors)
        o.add("findings", strings: ruleIDs)
        o.add("finding_frames", raw: "[" + findings.map { "[" + $0.frames.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]")
        return o.closed
    }

    var ruleIDs: [String] {
        var ids: [String] = []
        for finding in findings where !ids.contains(finding.rule.rawValue) { ids.append(finding.rule.rawValue) }
        return ids
    }
}

/// What one captured packet says about ports, addresses and answers: owned values, kept past the callback.
struct ProbeSeenPacket {
    var interfaceIndex: Int
    var time: Timestamp
    /// (source, destination) of TCP/UDP, or of the flow an ICMP error quotes.
    var ports: (UInt16, UInt16)?
    var tcpFlags: TCPFlags?
    var icmpError: Bool
    /// Every address in the packet (and in the packet an ICMP error quotes).
    var addresses: [IPv6Address]
    /// What a port-less packet is aimed at: the target of a Neighbor Solicitation/Advertisement,
    /// otherwise the destination.
    var targets: [IPv6Address]

    init(_ captured: CapturedPacket) {
        interfaceIndex = captured.interfaceIndex
        time = captured.timestamp
        let packet = PacketDecoder.decode(captured.bytes, linkType: captured.linkType)
        var addresses: [IPv6Address] = []
        if let ip = packet.ipv6 { addresses += [ip.source, ip.destination] }
        if let target = packet.icmpv6?.targetAddress {
            addresses.append(target)
            targets = [target]
        } else {
            targets = packet.ipv6.map { [$0.destination] } ?? []
        }
        icmpError = packet.icmpv6?.type.isError ?? false
        if let quoted = packet.quoted {
            if case .v6(let s) = quoted.source { addresses.append(s) }
            if case .v6(let d) = quoted.destination { addresses.append(d) }
            if let s = quoted.sourcePort, let d = quoted.destinationPort { ports = (s, d) }
        } else if let tcp = packet.tcp {
            ports = (tcp.sourcePort, tcp.destinationPort)
            tcpFlags = tcp.flags
        } else if let s = packet.sourcePort, let d = packet.destinationPort {
            ports = (s, d)
        }
        self.addresses = addresses
    }
}

/// The live capture running on its own thread while the attempts run on the main one.
final class ProbeCaptureSession: @unchecked Sendable {
    let capture: LiveCapture
    let analyzer: Analyzer
    let recorder: PcapngWriter?
    /// Written by the capture thread only until `join` returns.
    private(set) var packets: [ProbeSeenPacket] = []
    private(set) var warnings: [CaptureWarning] = []
    private(set) var failure: String?
    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif

    init(capture: LiveCapture, analyzer: Analyzer, recorder: PcapngWriter?) {
        self.capture = capture
        self.analyzer = analyzer
        self.recorder = recorder
    }

    private func loop() {
        do {
            warnings = try capture.forEachPacket { packet in
                if packet.interfaceIndex >= analyzer.interfaces.interfaces.count { analyzer.updateInterfaces(capture.interfaces) }
                try recorder?.writePacket(interfaceID: packet.interfaceIndex, timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.bytes, direction: packet.direction)
                packets.append(ProbeSeenPacket(packet))
                analyzer.analyse(packet)
            }
        } catch {
            failure = "capture: \(error)"
        }
    }

    /// Starts the capture loop on its own thread; false if no thread could be made.
    func start() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { raw in
            #if canImport(Glibc)
            let session = Unmanaged<ProbeCaptureSession>.fromOpaque(raw!).takeRetainedValue()
            #else
            let session = Unmanaged<ProbeCaptureSession>.fromOpaque(raw).takeRetainedValue()
            #endif
            session.loop()
            return nil
        }, context)
        if status != 0 { Unmanaged<ProbeCaptureSession>.fromOpaque(context).release() }
        return status == 0
    }

    func join() {
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
    }
}

/// What the attempts of one interface say about the platform, in plain words.
struct ProbeVerdict {
    var interface: String
    var platform: String
    /// Stable id: rerouted-accepted, rerouted-not-accepted, sent-on-interface-accepted, …
    var behaviour: String
    var text: String
    var captured: Bool
    var notes: [String]

    init(interface: String, platform: ProbePlatform, loopback: String, attempts: [ProbeAttempt], captured: Bool, notes extra: [String]) {
        self.interface = interface
        self.platform = platform.name
        self.captured = captured
        let mine = attempts.filter { $0.interface == interface }
        var notes: [String] = []
        if let own = mine.first(where: { $0.kind == .ownLinkLocal }) {
            (behaviour, text) = Self.judge(own, loopback: loopback, captured: captured)
        } else {
            (behaviour, text) = ("no-verdict", "no own link-local attempt on \(interface)")
        }
        let others = mine.filter { $0.kind == .otherInPrefix }
        if let plain = others.first(where: { $0.nonlocalOption == nil }) {
            let freebound = others.first { $0.nonlocalOption != nil }
            let what = "\(plain.address), in \(interface)'s prefix but not assigned,"
            if plain.bound {
                notes.append("\(what) binds without any option: the prefix counts as local (what the seed 000 author saw on macOS)")
            } else if let freebound, freebound.bound, let option = freebound.nonlocalOption {
                notes.append("\(what) binds only with \(option) (\(plain.bindText) without): binds check the address list, not the prefix (seed 002)")
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
        }
        for route in Set(attempts.filter { $0.kind == .anyIP }.compactMap(\.route)).sorted() {
            let pair = attempts.filter { $0.route == route }
            guard let plain = pair.first(where: { $0.nonlocalOption == nil }) else { continue }
            var line = "AnyIP route \(route): \(plain.address) "
            if plain.bound {
                line += "binds without any option"
            } else if let freebound = pair.first(where: { $0.nonlocalOption != nil }), freebound.bound, let option = freebound.nonlocalOption {
                line += "binds only with \(option) (\(plain.bindText) without): IPv6 binds do no FIB lookup (seed 002)"
                if freebound.connected { line += "; connects to it are accepted" + (freebound.seenOn.isEmpty ? "" : " via \(freebound.seenOn.joined(separator: ", "))") }
            } else {
                line += "does not bind (\(plain.bindText))"
            }
            notes.append(line)
        }
        self.notes = notes + extra
    }

    static func judge(_ own: ProbeAttempt, loopback: String, captured: Bool) -> (String, String) {
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

    func json() -> String {
        var o = JSONObject()
        o.add("interface", interface)
        o.add("platform", platform)
        o.add("behaviour", behaviour)
        o.add("text", text)
        o.add("captured", captured)
        o.add("notes", strings: notes)
        var outer = JSONObject()
        outer.add("verdict", o)
        return outer.closed
    }
}

/// The table, as text and as Markdown.
enum ProbeText {
    static let headers = ["attempt", "address", "port", "bind", "connect", "packets on", "SYN answered", "findings"]

    static func row(_ a: ProbeAttempt) -> [String] {
        let packets = a.packets.map { list in
            let seen = list.filter { $0.1 > 0 }
            return seen.isEmpty ? "none" : seen.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        } ?? "?"
        let answered: String
        if a.packets == nil { answered = "?" } else if a.connect == nil { answered = "-" } else { answered = a.answer.map { $0 == "none" ? "no" : "yes (\($0))" } ?? "no SYN seen" }
        let findings = a.packets == nil ? "?" : (a.ruleIDs.isEmpty ? "-" : a.ruleIDs.joined(separator: ", "))
        return [a.name, a.scopedAddress, String(a.port), a.bindText, a.connectText, packets, answered, findings]
    }

    static func render(attempts: [ProbeAttempt], verdicts: [ProbeVerdict], platform: ProbePlatform, captureNames: [String]?, notes: [String]) -> String {
        var out = "probe on \(platform.name)"
        if let captureNames { out += ", capturing on \(captureNames.joined(separator: ", "))" } else { out += ", not capturing" }
        out += "\n\n"
        let rows = [headers] + attempts.map(row)
        var widths = Array(repeating: 0, count: headers.count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for r in rows {
            var line = ""
            for (i, cell) in r.enumerated() {
                line += i == r.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            out += line + "\n"
        }
        for verdict in verdicts {
            out += "\nverdict (\(verdict.interface)): \(verdict.text)\n"
            for note in verdict.notes where !notes.contains(note) { out += "  - \(note)\n" }
        }
        for note in notes { out += "\nnote: \(note)\n" }
        return out
    }

    static func markdown(attempts: [ProbeAttempt], verdicts: [ProbeVerdict]) -> String {
        var out = "## Probe\n\n`scopescan probe`: listen on each address, connect to it, capture the interface and loopback.\n\n"
        out += "| " + headers.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: headers.count) + "\n"
        for attempt in attempts {
            out += "| " + row(attempt).map(escapingPipes).joined(separator: " | ") + " |\n"
        }
        for verdict in verdicts {
            out += "\n**Verdict (\(verdict.interface)):** \(verdict.text)\n"
            if !verdict.notes.isEmpty { out += "\n" + verdict.notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        }
        return out
    }
}

/// Markdown table cells: `|` escaped.
private func escapingPipes(_ cell: String) -> String {
    var out = ""
    for character in cell {
        if character == "|" { out += "\\" }
        out.append(character)
    }
    return out
}
