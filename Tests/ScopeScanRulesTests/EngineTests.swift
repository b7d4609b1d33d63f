import Testing
import ScopeScanCapture
import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanWire

@Suite("Rule engine: thresholds, selection, bounded memory")
struct EngineTests {
    let client = IPv6Address("2001:db8:1::1")!
    let server = IPv6Address("2001:db8:1::2")!

    @Test("--syn-retries above the SYN count keeps syn-unanswered silent")
    func synRetriesThreshold() throws {
        var configuration = RuleConfiguration()
        configuration.synRetries = 4
        let (findings, _) = try analyse("linux-syn-dropped.pcap", configuration: configuration)
        #expect(findings.isEmpty)
        configuration.synRetries = 3
        #expect(try analyse("linux-syn-dropped.pcap", configuration: configuration).findings.map(\.rule) == [.synUnanswered])
    }

    @Test("syn-unanswered reports count, gaps and total wait")
    func synUnansweredDetails() throws {
        let finding = try #require(try analyse("linux-syn-dropped.pcap").findings.first)
        #expect(finding.detail("syn_count") == .int(3))
        guard case .doubles(let gaps) = try #require(finding.detail("gaps_seconds")) else { Issue.record("gaps not doubles"); return }
        #expect(gaps.count == 2)
        // Linux backs off 1 s then 2 s (initial RTO 1 s, doubled).
        #expect(abs(gaps[0] - 1) < 0.1 && abs(gaps[1] - 2) < 0.2)
        guard case .double(let wait) = try #require(finding.detail("total_wait_seconds")) else { Issue.record("wait"); return }
        #expect(abs(wait - (gaps[0] + gaps[1])) < 1e-5)
    }

    @Test("--slow-connect-threshold above the time lost keeps slow-connect silent")
    func slowConnectThreshold() throws {
        var configuration = RuleConfiguration()
        configuration.slowConnectThreshold = 10
        #expect(try analyse("linux-syn-dropped-then-answered.pcap", configuration: configuration).findings.isEmpty)
    }

    @Test("--rule and --skip-rule select rules; --min-severity drops lower ones")
    func selection() throws {
        var configuration = RuleConfiguration()
        configuration.enabledRules = [.icmpUnreachable]
        #expect(try analyse("macos-lo0-own-linklocal.pcap", configuration: configuration).findings.map(\.rule) == [.icmpUnreachable])
        configuration.enabledRules = Set(RuleCatalogue.all.map(\.id)).subtracting([.icmpUnreachable, .linkLocalOnLoopback])
        #expect(try analyse("macos-lo0-own-linklocal.pcap", configuration: configuration).findings.map(\.rule) == [.synUnanswered])
        configuration = RuleConfiguration()
        configuration.minimumSeverity = .error
        let rules = try analyse("freebsd-lo0-slow-connect.pcap", configuration: configuration).findings.map(\.rule)
        #expect(rules == [.synUnanswered])
    }

    @Test("platform-specific explanations for macOS (AF 30) and FreeBSD (AF 28) loopback captures")
    func platformContext() throws {
        let mac = try analyse("macos-lo0-own-linklocal.pcap").findings
        #expect(mac.allSatisfy { $0.rule == .icmpUnreachable || $0.detail("platform") == .string("macOS") })
        #expect(mac.first { $0.rule == .linkLocalOnLoopback }?.summary.contains("never accepts") == true)
        let freebsd = try analyse("freebsd-lo0-slow-connect.pcap").findings
        #expect(freebsd.first { $0.rule == .slowConnect }?.summary.contains("origifp") == true)
        #expect(freebsd.first { $0.rule == .synUnanswered }?.summary.contains("source-address validation") == true)
    }

    @Test("an interface described after packets is known to them: the file is read again")
    func lateInterfaceDescription() throws {
        // pcapng-bigendian.pcapng describes en0 (fe80::1:2) in its second section, after lo0's
        // packets to fe80::1:2. One pass alone cannot name en0 as the owner of that address.
        let path = fixture("pcapng-bigendian.pcapng")
        let onePass = Analyzer(configuration: RuleConfiguration())
        let reader = try PcapngReader(path: path)
        _ = try reader.forEachPacket { packet in
            onePass.updateInterfaces(reader.interfaces)
            onePass.analyse(packet)
        }
        #expect(reader.describedInterfacesLate)
        #expect(onePass.finish().first { $0.rule == .linkLocalOnLoopback }?.detail("owner_interface") == nil)

        var passes = 1
        let analysis = try CaptureAnalysis.run(try PcapngReader(path: path), filter: nil, makeAnalyzer: { Analyzer(configuration: RuleConfiguration()) }, willReadAgain: { passes += 1 })
        #expect(passes == 2)
        let finding = try #require(analysis.findings.first { $0.rule == .linkLocalOnLoopback })
        #expect(finding.detail("owner_interface") == .string("en0"))
        #expect(finding.frames == [1, 2, 3])
        #expect(analysis.analyzer.summary.packets == 7, "the second pass starts from a fresh analyser")

        // Files that describe every interface before their first packet are read once.
        for name in ["linux-two-interfaces.pcapng", "mergecap-null-ethernet.pcapng", "linux-own-linklocal-lo.pcapng"] {
            var again = false
            _ = try CaptureAnalysis.run(try CaptureFile.open(path: fixture(name)), filter: nil, makeAnalyzer: { Analyzer(configuration: RuleConfiguration()) }, willReadAgain: { again = true })
            #expect(!again, "\(name)")
        }
    }

    @Test("capture times anywhere in 64 bits and thresholds of any size: no overflow trap")
    func extremeTimes() {
        // A pcapng timestamp is any 64-bit count (the reader fuzzer found a trap on one); the
        // analyser subtracts times for timers, gaps and windows.
        let times: [Int64] = [.max, .min, 0, -1, .max - 1, .min + 1, 1_700_000_000_000_000_000, .min, .max]
        let a = IPv6Address("fe80::1")!, b = IPv6Address("fe80::2")!
        for thresholds in [1e300, 0, 1] {
            var configuration = RuleConfiguration()
            configuration.synTimeout = thresholds
            configuration.slowConnectThreshold = thresholds
            configuration.slowConnectWindow = thresholds
            configuration.neighborTimeout = thresholds
            configuration.flowIdleTimeout = thresholds
            let analyzer = Analyzer(configuration: configuration)
            analyzer.updateInterfaces([CaptureInterface(index: 0, name: "lo", linkType: .ethernet), CaptureInterface(index: 1, name: "eth0", linkType: .ethernet)])
            let frames = [
                PacketBuilder.tcp6(source: a, destination: b, sourcePort: 40000, destinationPort: 80, seq: 1, flags: .syn, zeroMACs: true),
                PacketBuilder.tcp6(source: b, destination: a, sourcePort: 80, destinationPort: 40000, seq: 9, ack: 2, flags: [.syn, .ack], zeroMACs: true),
                PacketBuilder.tcp6(source: a, destination: b, sourcePort: 40001, destinationPort: 80, seq: 5, flags: .syn),
                PacketBuilder.tcp6(source: b, destination: a, sourcePort: 80, destinationPort: 40001, seq: 0, ack: 6, flags: [.rst, .ack]),
            ]
            var frameNumber = 0
            for time in times {
                for (index, frame) in frames.enumerated() {
                    frameNumber += 1
                    PacketBuilder.deliver(frame, to: analyzer, frame: frameNumber, nanoseconds: time, interface: index % 2)
                }
                analyzer.advance(to: Timestamp(nanoseconds: time))
            }
            let findings = analyzer.finish()
            #expect(analyzer.summary.packets == times.count * frames.count)
            #expect(findings.contains { $0.rule == .linkLocalOnLoopback })
            #expect(analyzer.summary.span.isFinite)
        }
    }

    @Test("every packet at the earliest 64-bit time: timers run once, an answered solicitation is not reported")
    func earliestTime() {
        let analyzer = Analyzer(configuration: RuleConfiguration())
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: "lo", linkType: .ethernet), CaptureInterface(index: 1, name: "eth0", linkType: .ethernet)])
        let a = IPv6Address("fe80::1")!, b = IPv6Address("fe80::2")!, group = IPv6Address("ff02::1:ff00:2")!
        func icmpv6(_ source: IPv6Address, _ destination: IPv6Address, type: UInt8, target: IPv6Address) -> [UInt8] {
            [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 24, 58, 255]
                + PacketBuilder.bytes(source) + PacketBuilder.bytes(destination)
                + [type, 0, 0, 0, 0, 0, 0, 0] + PacketBuilder.bytes(target)
        }
        var frames = [icmpv6(a, group, type: 135, target: b), icmpv6(b, a, type: 136, target: b)]
        // A new flow on eth0 in every further packet: with "never swept" meaning the earliest time,
        // every packet swept every table (quadratic: 40,000 packets took 20 s).
        for port in 0..<40_000 {
            frames.append(PacketBuilder.tcp6(source: IPv6Address("2001:db8::1")!, destination: IPv6Address("2001:db8::2")!, sourcePort: UInt16(1024 + port % 60_000), destinationPort: 80, seq: UInt32(port), flags: .syn))
        }
        let start = Timestamp.now()
        for (index, frame) in frames.enumerated() {
            PacketBuilder.deliver(frame, to: analyzer, frame: index + 1, nanoseconds: .min, interface: 1)
        }
        let findings = analyzer.finish()
        #expect(Timestamp.now().seconds(since: start) < 10, "a hang guard, not a speed claim")
        #expect(!findings.contains { $0.rule == .neighborUnresolved }, "the solicitation was answered")
        #expect(analyzer.summary.packets == frames.count)
    }

    @Test("100,000 interfaces described one by one, a packet on each: linear, as a pcapng reader hands them over")
    func manyInterfacesOneByOne() {
        // Rebuilding the whole interface table for each new interface, and holding the source's
        // array (so that each of its appends copied it), made this minutes long.
        let analyzer = Analyzer(configuration: RuleConfiguration())
        let frame = PacketBuilder.tcp6(source: IPv6Address("2001:db8::1")!, destination: IPv6Address("2001:db8::2")!, sourcePort: 40000, destinationPort: 80, seq: 1, flags: .ack)
        var described: [CaptureInterface] = []
        let start = Timestamp.now()
        for index in 0..<100_000 {
            described.append(CaptureInterface(index: index, name: "if\(index)", linkType: .ethernet, addresses: [InterfaceAddress(address: .v6(IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(index))), prefixLength: 64)]))
            analyzer.updateInterfaces(described)
            PacketBuilder.deliver(frame, to: analyzer, frame: index + 1, nanoseconds: Int64(index), interface: index)
        }
        _ = analyzer.finish()
        #expect(Timestamp.now().seconds(since: start) < 20, "a hang guard, not a speed claim")
        #expect(analyzer.interfaces.interfaces.count == 100_000)
        #expect(analyzer.interfaces.fileInterface(owning: .v6(IPv6Address(high: 0x2001_0db8_0000_0000, low: 99_999)))?.name == "if99999")
        #expect(analyzer.summary.packetsByInterface.count == 100_000)
    }

    @Test("one client's 40,000 unanswered connects to one server: linear, and a later connect joins the 8 most recent")
    func manyAttemptsOnePeer() throws {
        // A port scan, or a client retrying a server that drops its SYNs: every attempt between
        // the same two hosts. slow-connect kept all of them in one list, copied for each (8.6 s for
        // 40,000 in a release build); it keeps the 8 most recent, as documented.
        var configuration = RuleConfiguration()
        configuration.synTimeout = 1
        let analyzer = Analyzer(configuration: configuration)
        let client = IPv6Address("2001:db8::1")!, server = IPv6Address("2001:db8::2")!
        var frames: [(Int64, [UInt8])] = []
        for port in 0..<40_000 {
            frames.append((Int64(port) * 250_000, PacketBuilder.tcp6(source: client, destination: server, sourcePort: UInt16(1024 + port), destinationPort: 80, seq: UInt32(port), flags: .syn)))
        }
        frames.append((12_000_000_000, PacketBuilder.tcp6(source: client, destination: server, sourcePort: 50_000, destinationPort: 80, seq: 7, flags: .syn)))
        frames.append((13_500_000_000, PacketBuilder.tcp6(source: server, destination: client, sourcePort: 80, destinationPort: 50_000, seq: 9, ack: 8, flags: [.syn, .ack])))
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: "eth0", linkType: .ethernet)])
        let start = Timestamp.now()
        for (index, (time, frame)) in frames.enumerated() {
            PacketBuilder.deliver(frame, to: analyzer, frame: index + 1, nanoseconds: 1_700_000_000_000_000_000 + time)
        }
        let findings = analyzer.finish()
        #expect(Timestamp.now().seconds(since: start) < 20, "a hang guard, not a speed claim")
        let slow = try #require(findings.first { $0.rule == .slowConnect })
        guard case .ints(let ports)? = slow.detail("earlier_client_ports") else { Issue.record("no earlier ports"); return }
        #expect(ports == Array(41_016..<41_024).map { $0 })
    }

    @Test("past --max-findings, new findings are counted, not built: per rule, for recorded and added findings")
    func findingsCapCounts() {
        var configuration = RuleConfiguration()
        configuration.maxFindings = 5
        let analyzer = Analyzer(configuration: configuration)
        // 1,000 distinct KAME addresses (recorded findings) and 1,000 link-local flows on a zero-MAC
        // loopback (added findings), interleaved.
        var frames: [[UInt8]] = []
        for index in 0..<1_000 {
            let kame = IPv6Address(high: 0xfe80_0000_0000_0000 | UInt64(index + 1) << 32, low: 1)
            frames.append(PacketBuilder.tcp6(source: kame, destination: IPv6Address("fe80::2")!, sourcePort: 40000, destinationPort: 80, seq: 1, flags: .syn, zeroMACs: true))
            frames.append(PacketBuilder.tcp6(source: IPv6Address("fe80::1")!, destination: IPv6Address("fe80::2")!, sourcePort: UInt16(1024 + index), destinationPort: 80, seq: 1, flags: .ack, zeroMACs: true))
        }
        PacketBuilder.feed(frames, to: analyzer, interfaceName: nil)
        let findings = analyzer.finish()
        let summary = analyzer.summary
        #expect(findings.count == 5)
        let kept = Dictionary(grouping: findings, by: \.rule).mapValues(\.count)
        #expect(summary.suppressedByRule[.embeddedScopeID, default: 0] + kept[.embeddedScopeID, default: 0] == 1_000)
        // The KAME frames are link-local on the zero-MAC loopback too (one interface, one verdict).
        #expect(summary.suppressedByRule[.linkLocalOnLoopback, default: 0] + kept[.linkLocalOnLoopback, default: 0] == 2_000)
    }

    @Test("PKTAP interface names are bounded: past 65,536 distinct names they share one entry, said in the summary")
    func pktapNamesBounded() throws {
        // The first packet of a real PKTAP capture, renamed "if0", "if1", … in every packet.
        var frame: [UInt8] = []
        _ = try CaptureFile.open(path: fixture("linktype-pktap.pcap")).forEachPacket { packet in
            if frame.isEmpty { frame = Array(packet.bytes) }
        }
        let analyzer = Analyzer(configuration: RuleConfiguration())
        analyzer.updateInterfaces([CaptureInterface(index: 0, name: nil, linkType: .pktap)])
        let count = 70_000
        for number in 0..<count {
            let name = Array("if\(number)".utf8)
            for offset in 0..<24 { frame[12 + offset] = offset < name.count ? name[offset] : 0 }
            PacketBuilder.deliver(frame, to: analyzer, frame: number + 1, nanoseconds: Int64(number) * 1000, linkType: .pktap)
        }
        _ = analyzer.finish()
        let summary = analyzer.summary
        #expect(summary.packetsByInterface.count == 65_537)
        #expect(summary.packetsByInterface.values.reduce(0, +) == count)
        #expect(summary.packetsByInterface.values.max() == count - 65_536)
        #expect(summary.warnings == ["more than 65536 interface names in PKTAP headers; packets of further ones are counted as (further PKTAP interfaces)"])
    }

    @Test("the ICMPv6 error names the SYN it killed")
    func icmpTiedToSYN() throws {
        let finding = try #require(try analyse("linux-icmp6-unreachable.pcap").findings.first { $0.rule == .icmpUnreachable })
        #expect(finding.detail("code_name") == .string("no route to destination"))
        #expect(finding.detail("quoted_syn_frames") == .ints([1, 3]), "the SYN and its retry, each answered by an ICMPv6 error")
        #expect(finding.summary.contains("SYN is frame 1"))
    }

    @Test("beyond-scope ICMPv6 errors link icmp-unreachable and scope-violation")
    func beyondScopeLinked() throws {
        let findings = try analyse("scope-violation.pcap").findings
        #expect(findings.first { $0.rule == .icmpUnreachable }?.related == [.scopeViolation])
        #expect(findings.first { $0.rule == .scopeViolation }?.related == [.icmpUnreachable])
    }

    @Test("a flood of a million-style distinct SYNs stays within the flow cap and says it evicted")
    func synFloodIsBounded() {
        var configuration = RuleConfiguration()
        configuration.maxFlows = 1000
        let analyzer = Analyzer(configuration: configuration)
        let frames = (0..<50_000).map { i in
            PacketBuilder.tcp6(source: IPv6Address(high: client.high, low: UInt64(i)), destination: server, sourcePort: UInt16(truncatingIfNeeded: 1024 + i), destinationPort: 80, seq: UInt32(i), flags: .syn)
        }
        PacketBuilder.feed(frames, to: analyzer, spacing: 0.0001)
        let findings = analyzer.finish()
        #expect(findings.isEmpty)
        #expect(analyzer.summary.connectionAttempts == 50_000)
        #expect(analyzer.summary.peakFlowsTracked <= 1000)
        #expect(analyzer.summary.flowsEvicted >= 49_000 - 1000)
    }

    @Test("an evicted attempt that was already retried is still reported")
    func evictionConcludesRetriedAttempts() {
        var configuration = RuleConfiguration()
        configuration.maxFlows = 16
        let analyzer = Analyzer(configuration: configuration)
        var frames = [PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 80, seq: 7, flags: .syn)]
        frames.append(frames[0])
        frames += (0..<64).map { i in PacketBuilder.tcp6(source: client, destination: server, sourcePort: UInt16(6000 + i), destinationPort: 80, seq: UInt32(i), flags: .syn) }
        // 250 ms apart: a same-ISN SYN sooner than 200 ms after the last is a copy, not a retry.
        PacketBuilder.feed(frames, to: analyzer, spacing: 0.25)
        let findings = analyzer.finish()
        let retried = findings.filter { $0.rule == .synUnanswered }
        #expect(retried.count == 1)
        #expect(retried.first?.frames == [1, 2])
        #expect(retried.first?.detail("concluded_by") == .string("evicted from the flow table"))
    }

    @Test("a million identical link-local packets make one finding, counted")
    func aggregation() {
        let analyzer = Analyzer()
        let ll = IPv6Address("fe80::1:2")!
        let frames = (0..<2000).map { i in PacketBuilder.tcp6(source: ll, destination: ll, sourcePort: 4000, destinationPort: 80, seq: UInt32(i), flags: .ack, zeroMACs: true) }
        PacketBuilder.feed(frames, to: analyzer, interfaceName: "lo")
        let findings = analyzer.finish()
        #expect(findings.count == 1)
        #expect(findings.first?.count == 2000)
        #expect(findings.first?.frames.count == Finding.maximumFrames)
    }

    @Test("findings beyond --max-findings are counted, not kept")
    func findingCap() {
        var configuration = RuleConfiguration()
        configuration.maxFindings = 10
        let analyzer = Analyzer(configuration: configuration)
        let frames = (0..<100).map { i in
            PacketBuilder.tcp6(source: IPv6Address(high: 0xfe80_0000_0000_0000, low: UInt64(i + 2)), destination: IPv6Address("fe80::1:2")!, sourcePort: 4000, destinationPort: 80, seq: 1, flags: .ack, zeroMACs: true)
        }
        PacketBuilder.feed(frames, to: analyzer, interfaceName: "lo")
        #expect(analyzer.finish().count == 10)
        #expect(analyzer.summary.suppressedByRule[.linkLocalOnLoopback] == 90)
    }

    @Test("a SYN retried and answered is slow-connect; the same answered at once is silent")
    func slowConnectVersusClean() {
        let analyzer = Analyzer()
        let syn = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 22, seq: 100, flags: .syn)
        let synAck = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 22, destinationPort: 5000, seq: 900, ack: 101, flags: [.syn, .ack])
        PacketBuilder.feed([syn, syn, syn, synAck], to: analyzer, spacing: 1.0)
        #expect(analyzer.finish().map(\.rule) == [.slowConnect])
        let clean = Analyzer()
        PacketBuilder.feed([syn, synAck], to: clean, spacing: 0.001)
        #expect(clean.finish().isEmpty)
    }

    @Test("unanswered attempts from other client ports join a later successful connect")
    func slowConnectJoinsEarlierAttempts() {
        let analyzer = Analyzer()
        let first = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 22, seq: 100, flags: .syn)
        let second = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5001, destinationPort: 22, seq: 200, flags: .syn)
        let synAck = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 22, destinationPort: 5001, seq: 900, ack: 201, flags: [.syn, .ack])
        // Port 5000 retried (lost SYNs) and is still open when 5001 is answered.
        PacketBuilder.feed([first, first, second, synAck], to: analyzer, spacing: 1.0)
        let findings = analyzer.finish()
        let slow = findings.first { $0.rule == .slowConnect }
        #expect(slow?.frames == [1, 2, 3, 4])
        #expect(slow?.detail("earlier_client_ports") == .ints([5000]))
    }

    @Test("an earlier attempt of one SYN still open is not joined: it may yet be answered")
    func slowConnectSkipsOpenSingleSYN() {
        let analyzer = Analyzer()
        let first = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 22, seq: 100, flags: .syn)
        let second = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5001, destinationPort: 22, seq: 200, flags: .syn)
        let synAck = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 22, destinationPort: 5001, seq: 900, ack: 201, flags: [.syn, .ack])
        PacketBuilder.feed([first, second, synAck], to: analyzer, spacing: 1.5)
        #expect(analyzer.finish().filter { $0.rule == .slowConnect }.isEmpty)
    }

    @Test("a same-ISN SYN within 200 ms is a copy; a client ACK of ISN+1 shows the handshake went on")
    func duplicatesAndContinuations() {
        let analyzer = Analyzer()
        let syn = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 22, seq: 100, flags: .syn)
        let ack = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 22, seq: 101, ack: 901, flags: .ack)
        PacketBuilder.feed([syn, syn, syn], to: analyzer, spacing: 0.01)
        #expect(analyzer.finish().isEmpty)
        let oneSided = Analyzer()
        PacketBuilder.feed([syn, syn, syn, ack], to: oneSided, spacing: 1.0)
        #expect(oneSided.finish().filter { $0.rule == .synUnanswered }.isEmpty)
    }

    @Test("an RST not acknowledging ISN+1 leaves the attempt open; the later SYN-ACK answers it")
    func unacceptableReset() {
        let analyzer = Analyzer()
        let syn = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 443, seq: 100, flags: .syn)
        let reset = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 443, destinationPort: 5000, seq: 0, ack: 100, flags: [.rst, .ack])
        let synAck = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 443, destinationPort: 5000, seq: 900, ack: 101, flags: [.syn, .ack])
        PacketBuilder.feed([syn, reset, synAck], to: analyzer, spacing: 0.01)
        #expect(analyzer.finish().isEmpty)
    }

    @Test("a valid RST followed by the real SYN-ACK was injected: no tcp-refused; a valid RST alone is a refusal")
    func injectedValidReset() {
        let syn = PacketBuilder.tcp6(source: client, destination: server, sourcePort: 5000, destinationPort: 443, seq: 100, flags: .syn)
        let reset = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 443, destinationPort: 5000, seq: 0, ack: 101, flags: [.rst, .ack])
        let synAck = PacketBuilder.tcp6(source: server, destination: client, sourcePort: 443, destinationPort: 5000, seq: 900, ack: 101, flags: [.syn, .ack])
        let injected = Analyzer()
        PacketBuilder.feed([syn, reset, synAck], to: injected, spacing: 0.02)
        #expect(injected.finish().isEmpty)
        let refused = Analyzer()
        PacketBuilder.feed([syn, reset], to: refused, spacing: 0.02)
        let findings = refused.finish()
        #expect(findings.map(\.rule) == [.tcpRefused])
        #expect(findings.first?.frames == [1, 2])
    }
}
