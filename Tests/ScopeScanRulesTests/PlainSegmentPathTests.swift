import Foundation
import Testing
import ScopeScanAnalysis
import ScopeScanCapture
import ScopeScanPackets
@testable import ScopeScanRules
import ScopeScanWire

/// The plain segment path (`Analyzer.analysePlain`) counts ordinary TCP segments from a
/// `PlainTCPSegment` without decoding them. These tests run the same packets through an analyser
/// with the path and one without (`plainSegmentPath: false`, every packet decoded in full) and
/// expect the very same findings, summary, warnings and loopback verdicts.
///
/// What proves the two paths equal is that comparison. The analyser has no counter of the packets
/// the plain path took, so each test also counts the packets `PlainTCPSegment.recognise` accepts
/// (and of those, the ones with global addresses and neither SYN nor RST, see `Offered`), and
/// requires a good number: only a test whose input offers the plain path many packets can show it
/// counts them as the full path does. Those counts are an upper bound of what the path took, not a
/// measure of it: which of them it takes depends on the interface and the configuration.
@Suite("The plain segment path counts what the full decode counts")
struct PlainSegmentPathTests {
    static func makeAnalyzer(_ configuration: RuleConfiguration, plain: Bool) -> Analyzer {
        Analyzer(configuration: configuration, offeringEveryPacket: false, plainSegmentPath: plain)
    }

    // MARK: Configurations

    static func enabling(_ rules: Set<RuleID>) -> RuleConfiguration {
        var configuration = RuleConfiguration()
        configuration.enabledRules = rules
        return configuration
    }

    static var allRules: Set<RuleID> { Set(RuleCatalogue.all.map(\.id)) }

    /// The configurations the comparisons run under: the fast path's conditions depend on which
    /// rules are interested in which traits and on whether the connection tracker runs.
    static var configurations: [(name: String, configuration: RuleConfiguration)] {
        var shortTimeouts = RuleConfiguration()
        shortTimeouts[SynUnansweredRule.timeout] = 4
        shortTimeouts.flowIdleTimeout = 20
        shortTimeouts.maxFlows = 16
        return [
            ("default", RuleConfiguration()),
            // No rule looks at loopback or multi-interface traffic: lo, zero MACs and a second
            // interface no longer keep packets off the plain path.
            ("without loopback and multi-interface rules", enabling(allRules.subtracting([.nonlocalOnLoopback, .linkLocalOnLoopback, .sameFlowMultipleInterfaces]))),
            // No connection observer and no icmp-unreachable: the tracker does not run, so SYNs,
            // RSTs and continuations take the plain path too.
            ("without the connection tracker", enabling(allRules.subtracting([.synUnanswered, .slowConnect, .tcpRefused, .icmpUnreachable]))),
            ("only syn-unanswered", enabling([.synUnanswered])),
            ("only the address rules", enabling([.loopbackAddressOffLoopback, .ipv4MappedOnWire, .embeddedScopeID])),
            ("no rule", enabling([])),
            ("short timeouts, 16 flows", shortTimeouts),
        ]
    }

    // MARK: Fixtures

    static func analyse(_ path: String, interfaceName: String?, configuration: RuleConfiguration, plain: Bool) throws -> [String] {
        let source = try CaptureFile.open(path: path, interfaceName: interfaceName)
        let analysis = try CaptureAnalysis.run(source, filter: nil, makeAnalyzer: { makeAnalyzer(configuration, plain: plain) })
        return analysisOutcome(analysis.analyzer, findings: analysis.findings)
    }

    /// The frames of a capture `PlainTCPSegment.recognise` accepts.
    static func recognisedFrames(_ path: String) throws -> Int {
        var count = 0
        _ = try? CaptureFile.open(path: path).forEachPacket { packet in
            if PlainTCPSegment.recognise(packet.span, linkType: packet.linkType) != nil { count += 1 }
        }
        return count
    }

    @Test("every fixture, unnamed and named eth0 and lo, under every configuration")
    func fixtures() throws {
        var files = 0, comparisons = 0, recognised = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path).sorted() where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
            guard (try? CaptureFile.open(path: fixture(name))) != nil else { continue }
            files += 1
            recognised += try Self.recognisedFrames(fixture(name))
            // A pcap names no interface; named, its packets are judged by the name rather than by
            // the traffic (a pcapng's own names win over this).
            for interfaceName in [nil, "eth0", "lo"] as [String?] {
                for (configurationName, configuration) in Self.configurations {
                    let full = try Self.analyse(fixture(name), interfaceName: interfaceName, configuration: configuration, plain: false)
                    let plain = try Self.analyse(fixture(name), interfaceName: interfaceName, configuration: configuration, plain: true)
                    #expect(plain == full, "\(name), interface \(interfaceName ?? "unnamed"), \(configurationName)")
                    comparisons += 1
                }
            }
        }
        #expect(files >= 40)
        // The fixtures are small: a few hundred TCP segments between them.
        #expect(recognised >= 100)
        print("PlainSegmentPathTests.fixtures: \(files) files, \(comparisons) comparisons, \(recognised) frames recognised as plain segments (per pass)")
    }

    // MARK: Random traffic

    enum Address {
        case v6([UInt8])
        case v4([UInt8])
    }

    static func v6(_ text: String) -> Address {
        let a = IPv6Address(text)!
        return .v6(PacketBuilder.be64(a.high) + PacketBuilder.be64(a.low))
    }

    static func v4(_ text: String) -> Address {
        let a = IPv4Address(text)!
        return .v4(PacketBuilder.be32(a.value))
    }

    /// Global unicast endpoints (the plain path's traffic) and the ones that keep a packet off it
    /// (link-local, loopback, IPv4-mapped, ULA, multicast; 127/8 for IPv4).
    static let globalV6 = ["2001:db8::1", "2001:db8::2", "2001:db8:9::1", "2400:cb00::5", "3fff::7"].map(v6)
    static let otherV6 = ["fe80::1", "fe80::a:2", "::1", "::ffff:192.0.2.7", "fd00::7", "ff02::1", "fe80:3::5"].map(v6)
    static let ordinaryV4 = ["192.0.2.1", "198.51.100.7", "10.0.0.1", "203.0.113.9"].map(v4)
    static let otherV4 = ["127.0.0.1", "127.5.5.5", "169.254.1.1", "224.0.0.1"].map(v4)

    /// One TCP conversation: the endpoints, the interface it is seen on, both ISNs, how far each
    /// side has sent.
    struct Connection {
        var client: Address
        var server: Address
        var clientPort: UInt16
        var serverPort: UInt16
        var interface: Int
        var zeroMACs: Bool
        var clientISN: UInt32
        var serverISN: UInt32
        var clientSent: UInt32 = 0
        var serverSent: UInt32 = 0
    }

    static func frame(from source: Address, to destination: Address, zeroMACs: Bool, hopLimit: UInt8, proto: UInt8, _ payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = zeroMACs ? Array(repeating: 0, count: 12) : [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]
        switch (source, destination) {
        case let (.v6(s), .v6(d)):
            frame += [0x86, 0xdd, 0x60, 0, 0, 0] + PacketBuilder.be16(UInt16(payload.count)) + [proto, hopLimit] + s + d + payload
        case let (.v4(s), .v4(d)):
            frame += [0x08, 0x00, 0x45, 0] + PacketBuilder.be16(UInt16(20 + payload.count)) + [0, 1, 0x40, 0, hopLimit, proto, 0, 0] + s + d + payload
        default:
            preconditionFailure("mixed address families")
        }
        return frame
    }

    static func tcp(sourcePort: UInt16, destinationPort: UInt16, seq: UInt32, ack: UInt32, flags: TCPFlags, payload: Int = 0) -> [UInt8] {
        PacketBuilder.be16(sourcePort) + PacketBuilder.be16(destinationPort) + PacketBuilder.be32(seq) + PacketBuilder.be32(ack)
            + [0x50, UInt8(truncatingIfNeeded: flags.rawValue), 0xff, 0xff, 0, 0, 0, 0] + [UInt8](repeating: 0x61, count: payload)
    }

    /// Random traffic for the plain path: mostly data segments of established conversations between
    /// global unicast IPv6 and ordinary IPv4 endpoints, with handshakes (SYN, retried SYNs,
    /// SYN-ACK, RST), continuations (a segment with an open attempt's ISN+1), special addresses,
    /// zero and real MACs, initial and crossed-router hop limits, and now and then a frame the
    /// plain path must leave to the decoder (VLAN tag, hop-by-hop header, later fragment, cut TCP
    /// header, UDP, an ICMPv6 error quoting an open SYN). Time advances by random gaps, some of
    /// seconds and minutes, so timers, timeouts and idle expiry fire between packets.
    struct Traffic {
        var random: SplitMix64
        let interfaces: Int
        /// Percent of conversations with zero MACs (Linux lo as Ethernet).
        let zeroMACPercent: Int
        /// Zero MACs and hop limit 64 only: nothing ever shows the link is no loopback.
        let loopbackLike: Bool
        var connections: [Connection] = []
        /// SYNs sent and not yet answered, by index into `connections`.
        var pending: [Int] = []
        var time: Int64 = 1_700_000_000_000_000_000

        init(seed: UInt64, interfaces: Int, zeroMACPercent: Int, loopbackLike: Bool = false) {
            random = SplitMix64(state: seed)
            self.interfaces = interfaces
            self.zeroMACPercent = loopbackLike ? 100 : zeroMACPercent
            self.loopbackLike = loopbackLike
        }

        mutating func hopLimit() -> UInt8 {
            random.chance(85) || loopbackLike ? 64 : random.pick([57, 57, 128, 255, 1])
        }

        mutating func newConnection() -> Int {
            let v6 = random.chance(65)
            let special = random.chance(12)
            let client: Address, server: Address
            if v6 {
                client = special ? random.pick(otherV6) : random.pick(globalV6)
                server = random.chance(50) && special ? random.pick(otherV6) : random.pick(globalV6)
            } else {
                client = special ? random.pick(otherV4) : random.pick(ordinaryV4)
                server = random.chance(50) && special ? random.pick(otherV4) : random.pick(ordinaryV4)
            }
            // ISNs from a small range now and then, so that continuation-filter slots collide.
            let isn = random.chance(20) ? UInt32(random.below(64)) : UInt32(truncatingIfNeeded: random.next())
            let connection = Connection(client: client, server: server, clientPort: UInt16(40_000 + random.below(20_000)), serverPort: random.pick([80, 443, 8080, 22]),
                                        interface: random.below(interfaces), zeroMACs: random.below(100) < zeroMACPercent,
                                        clientISN: isn, serverISN: UInt32(truncatingIfNeeded: random.next()))
            if connections.count >= 64 { connections.removeFirst(); pending = pending.compactMap { $0 > 0 ? $0 - 1 : nil } }
            connections.append(connection)
            return connections.count - 1
        }

        /// The next packet: its frame and the interface it is seen on.
        mutating func next() -> (frame: [UInt8], interface: Int) {
            // Time: mostly milliseconds, sometimes a quarter second or seconds, rarely minutes.
            switch random.below(1000) {
            case 0..<850: time += Int64(random.below(3_000_000))
            case 850..<960: time += Int64(random.below(400_000_000))
            case 960..<997: time += Int64(random.below(5_000_000_000))
            default: time += Int64(random.below(400_000_000_000))
            }
            if connections.isEmpty { _ = newConnection() }
            let roll = random.below(1000)
            switch roll {
            case 0..<80:
                // A SYN: a new attempt, or a retry of a pending one (same ISN).
                let index = !pending.isEmpty && random.chance(30) ? random.pick(pending) : newConnection()
                if !pending.contains(index) { pending.append(index) }
                let c = connections[index]
                return (frame(from: c.client, to: c.server, zeroMACs: c.zeroMACs, hopLimit: hopLimit(), proto: 6,
                              tcp(sourcePort: c.clientPort, destinationPort: c.serverPort, seq: c.clientISN, ack: 0, flags: .syn)), c.interface)
            case 80..<130 where !pending.isEmpty:
                // The answer: a SYN-ACK mostly, a RST/ACK (refused) sometimes.
                let slot = random.below(pending.count)
                let index = pending.remove(at: slot)
                let c = connections[index]
                let flags: TCPFlags = random.chance(75) ? [.syn, .ack] : [.rst, .ack]
                return (frame(from: c.server, to: c.client, zeroMACs: c.zeroMACs, hopLimit: hopLimit(), proto: 6,
                              tcp(sourcePort: c.serverPort, destinationPort: c.clientPort, seq: flags.contains(.syn) ? c.serverISN : 0, ack: c.clientISN &+ 1, flags: flags)), c.interface)
            case 130..<200 where !pending.isEmpty:
                // A continuation: the client's first data segment (ISN+1, ACK) with the SYN-ACK
                // missing from the capture, or a segment that only shares the ISN's filter slot.
                let index = random.pick(pending)
                let c = connections[index]
                let seq = random.chance(70) ? c.clientISN &+ 1 : (c.clientISN &+ 1) &+ (UInt32(1 + random.below(3)) << 14)
                if seq == c.clientISN &+ 1, random.chance(80) { pending.removeAll { $0 == index } }
                return (frame(from: c.client, to: c.server, zeroMACs: c.zeroMACs, hopLimit: hopLimit(), proto: 6,
                              tcp(sourcePort: c.clientPort, destinationPort: c.serverPort, seq: seq, ack: c.serverISN &+ 1, flags: random.chance(85) ? .ack : [.psh, .ack], payload: random.below(40))), c.interface)
            case 200..<215:
                // A RST from either side of a known conversation.
                let c = random.pick(connections)
                let fromClient = random.chance(50)
                return (frame(from: fromClient ? c.client : c.server, to: fromClient ? c.server : c.client, zeroMACs: c.zeroMACs, hopLimit: hopLimit(), proto: 6,
                              tcp(sourcePort: fromClient ? c.clientPort : c.serverPort, destinationPort: fromClient ? c.serverPort : c.clientPort,
                                  seq: fromClient ? c.clientISN &+ 1 &+ c.clientSent : c.serverISN &+ 1 &+ c.serverSent, ack: 0, flags: random.chance(50) ? .rst : [.rst, .ack])), c.interface)
            case 215..<230:
                return oddFrame()
            default:
                // A data segment (or FIN, or bare ACK) of a conversation, now and then on another
                // interface than its own.
                let index = random.below(connections.count)
                let fromClient = random.chance(55)
                let length = random.pick([0, 0, 1, 100, 536, 1200])
                var c = connections[index]
                let seq = fromClient ? c.clientISN &+ 1 &+ c.clientSent : c.serverISN &+ 1 &+ c.serverSent
                if fromClient { c.clientSent &+= UInt32(length) } else { c.serverSent &+= UInt32(length) }
                connections[index] = c
                let flags: TCPFlags = random.chance(3) ? [.fin, .ack] : (length > 0 ? [.psh, .ack] : .ack)
                let interface = random.chance(3) ? random.below(interfaces) : c.interface
                let zeroMACs = random.chance(2) && !loopbackLike ? !c.zeroMACs : c.zeroMACs
                return (frame(from: fromClient ? c.client : c.server, to: fromClient ? c.server : c.client, zeroMACs: zeroMACs, hopLimit: hopLimit(), proto: 6,
                              tcp(sourcePort: fromClient ? c.clientPort : c.serverPort, destinationPort: fromClient ? c.serverPort : c.clientPort,
                                  seq: seq, ack: fromClient ? c.serverISN &+ 1 : c.clientISN &+ 1, flags: flags, payload: length)), interface)
            }
        }

        /// A frame of a shape the plain path leaves to the decoder, or one of its edge cases.
        mutating func oddFrame() -> (frame: [UInt8], interface: Int) {
            let c = random.pick(connections)
            let segment = tcp(sourcePort: c.clientPort, destinationPort: c.serverPort, seq: c.clientISN &+ 1, ack: 1, flags: .ack, payload: 8)
            var f = frame(from: c.client, to: c.server, zeroMACs: c.zeroMACs, hopLimit: hopLimit(), proto: 6, segment)
            let isV6 = f[12] == 0x86
            switch random.below(8) {
            case 0:
                // 802.1Q tag.
                f.insert(contentsOf: [0x81, 0x00, 0x00, 0x07], at: 12)
            case 1:
                // Cut inside the TCP header.
                f = Array(f.prefix(14 + (isV6 ? 40 : 20) + random.below(20)))
            case 2:
                if isV6 {
                    // Hop-by-hop header before TCP.
                    f[20] = 0
                    f.insert(contentsOf: [6, 0, 1, 4, 0, 0, 0, 0], at: 54)
                    let length = (Int(f[18]) << 8 | Int(f[19])) + 8
                    f[18] = UInt8(length >> 8); f[19] = UInt8(length & 0xff)
                } else {
                    // A later fragment.
                    f[20] = 0x00; f[21] = 0x10
                }
            case 3:
                // A length field of 0 (TSO): still a plain segment.
                f[isV6 ? 18 : 16] = 0; f[isV6 ? 19 : 17] = 0
            case 4:
                // Trailer bytes after the datagram.
                f += [0xde, 0xad, 0xbe, 0xef]
            case 5:
                // UDP.
                f = frame(from: c.client, to: c.server, zeroMACs: c.zeroMACs, hopLimit: hopLimit(), proto: 17,
                          PacketBuilder.be16(c.clientPort) + PacketBuilder.be16(53) + PacketBuilder.be16(12) + [0, 0, 1, 2, 3, 4])
            case 6 where isV6 && !pending.isEmpty:
                // An ICMPv6 unreachable quoting a pending SYN, from the server's side.
                let p = connections[random.pick(pending)]
                if case .v6 = p.client {
                    let quoted = frame(from: p.client, to: p.server, zeroMACs: false, hopLimit: 64, proto: 6,
                                       tcp(sourcePort: p.clientPort, destinationPort: p.serverPort, seq: p.clientISN, ack: 0, flags: .syn)).dropFirst(14)
                    f = frame(from: p.server, to: p.client, zeroMACs: p.zeroMACs, hopLimit: hopLimit(), proto: 58, [1, UInt8(random.below(7)), 0, 0, 0, 0, 0, 0] + quoted)
                    return (f, p.interface)
                }
            default:
                // A bad TCP data offset.
                f[14 + (isV6 ? 40 : 20) + 12] = UInt8(random.pick([0, 4, 15])) << 4
            }
            return (f, c.interface)
        }
    }

    /// Counts of the plain path's candidates in one run of random traffic.
    struct Offered {
        var packets = 0
        /// Packets `PlainTCPSegment.recognise` accepts.
        var recognised = 0
        /// Of those, the ones with global unicast IPv6 or non-127 IPv4 addresses and neither SYN
        /// nor RST: what the plain path can take when no rule is interested in the interface's
        /// traits (it may still leave some to the decoder: a continuation, an unrevoked link).
        var candidates = 0
        /// Findings per configuration (of the full path; the plain path's are the same).
        var findings: [String] = []
    }

    /// The same random packets through the analyser with the plain path and the one without, over
    /// `interfaces` (each conversation has one, with a few packets on another), for every
    /// configuration; returns what was offered.
    @discardableResult
    static func compareRandom(seed: UInt64, count: Int, interfaces: [CaptureInterface], zeroMACPercent: Int, loopbackLike: Bool = false,
                              configurations: [(name: String, configuration: RuleConfiguration)] = configurations,
                              sourceLocation: SourceLocation = #_sourceLocation) -> Offered {
        var offered = Offered()
        for (configurationIndex, (name, configuration)) in configurations.enumerated() {
            var traffic = Traffic(seed: seed, interfaces: interfaces.count, zeroMACPercent: zeroMACPercent, loopbackLike: loopbackLike)
            let analyzers = [makeAnalyzer(configuration, plain: false), makeAnalyzer(configuration, plain: true)]
            for analyzer in analyzers { analyzer.updateInterfaces(interfaces) }
            for frameNumber in 1...count {
                let (frame, interface) = traffic.next()
                frame.withUnsafeBytes { raw in
                    let packet = CapturedPacket(frameNumber: frameNumber, timestamp: Timestamp(nanoseconds: traffic.time), originalLength: raw.count, interfaceIndex: interface, linkType: .ethernet, bytes: raw)
                    if configurationIndex == 0 {
                        offered.packets += 1
                        if let segment = PlainTCPSegment.recognise(packet.span, linkType: packet.linkType) {
                            offered.recognised += 1
                            let global = segment.ipVersion == 6
                                ? segment.sourceFirstByte & 0xe0 == 0x20 && segment.destinationFirstByte & 0xe0 == 0x20
                                : segment.sourceFirstByte != 127 && segment.destinationFirstByte != 127
                            if global && segment.flags.isDisjoint(with: [.syn, .rst]) { offered.candidates += 1 }
                        }
                    }
                    for analyzer in analyzers { analyzer.analyse(packet) }
                }
            }
            let full = analysisOutcome(analyzers[0]), plain = analysisOutcome(analyzers[1])
            // Findings to compare: every configuration with a rule finds something in this traffic.
            let findings = analyzers[0].summary.findingsByRule.values.reduce(0, +)
            if configuration.enabledRules?.isEmpty != true {
                #expect(findings > 0, "\(name)", sourceLocation: sourceLocation)
            }
            offered.findings.append("\(name): \(findings)")
            #expect(plain == full, "\(name): \(firstDifference(full, plain))", sourceLocation: sourceLocation)
        }
        return offered
    }

    static func firstDifference(_ full: [String], _ plain: [String]) -> String {
        for (index, (a, b)) in zip(full, plain).enumerated() where a != b {
            return "line \(index): full path\n  \(a)\nplain path\n  \(b)"
        }
        return "\(full.count) lines against \(plain.count)"
    }

    static let packetsPerRun = 12_000

    @Test("random traffic on one unnamed Ethernet interface, judged by its traffic")
    func randomUnnamed() {
        let offered = Self.compareRandom(seed: 11, count: Self.packetsPerRun, interfaces: [CaptureInterface(index: 0, linkType: .ethernet)], zeroMACPercent: 30)
        // The plain path runs on an unnamed interface once a real MAC or a crossed router revoked
        // its provisional loopback verdict, which the first few packets do here.
        #expect(offered.recognised >= Self.packetsPerRun / 2)
        #expect(offered.candidates >= Self.packetsPerRun * 4 / 10)
        print("PlainSegmentPathTests.randomUnnamed: \(offered)")
    }

    @Test("random traffic on one unnamed Ethernet interface with zero MACs and initial hop limits only, never revoked")
    func randomUnnamedLoopback() {
        // Zero MACs and hop limit 64 only: the interface stays provisionally loopback to the end,
        // so the plain path must leave every packet to the full path (which judges the traffic).
        let offered = Self.compareRandom(seed: 12, count: Self.packetsPerRun / 2, interfaces: [CaptureInterface(index: 0, linkType: .ethernet)], zeroMACPercent: 100, loopbackLike: true)
        #expect(offered.recognised >= Self.packetsPerRun / 4)
        print("PlainSegmentPathTests.randomUnnamedLoopback: \(offered)")
    }

    @Test("random traffic on named lo and eth0 interfaces")
    func randomLoAndEth0() {
        let lo = CaptureInterface(index: 0, name: "lo", linkType: .ethernet, addresses: [InterfaceAddress(address: .v6(.loopback), prefixLength: 128)])
        let eth = CaptureInterface(index: 1, name: "eth0", linkType: .ethernet, addresses: [InterfaceAddress(address: .v6(IPv6Address("2001:db8::1")!), prefixLength: 64)])
        // With two interfaces every packet has the multipleInterfaces trait, which
        // same-flow-multiple-interfaces is interested in, and every packet on lo is onLoopback: the
        // plain path runs here only under the configurations without those rules ("without
        // loopback and multi-interface rules", "only syn-unanswered", "only the address rules",
        // "no rule"); under the others this checks that it stays out of the way.
        let offered = Self.compareRandom(seed: 13, count: Self.packetsPerRun, interfaces: [lo, eth], zeroMACPercent: 40)
        #expect(offered.recognised >= Self.packetsPerRun / 2)
        #expect(offered.candidates >= Self.packetsPerRun * 4 / 10)
        print("PlainSegmentPathTests.randomLoAndEth0: \(offered)")
    }

    @Test("random traffic on a single named eth0")
    func randomEth0() {
        let eth = CaptureInterface(index: 0, name: "eth0", linkType: .ethernet, addresses: [InterfaceAddress(address: .v4(IPv4Address("192.0.2.1")!), prefixLength: 24)])
        let offered = Self.compareRandom(seed: 14, count: Self.packetsPerRun, interfaces: [eth], zeroMACPercent: 10)
        #expect(offered.recognised >= Self.packetsPerRun / 2)
        #expect(offered.candidates >= Self.packetsPerRun * 4 / 10)
        print("PlainSegmentPathTests.randomEth0: \(offered)")
    }

    @Test("random traffic on a single named lo")
    func randomLo() {
        let lo = CaptureInterface(index: 0, name: "lo", linkType: .ethernet)
        let offered = Self.compareRandom(seed: 15, count: Self.packetsPerRun / 2, interfaces: [lo], zeroMACPercent: 90)
        #expect(offered.recognised >= Self.packetsPerRun / 4)
        print("PlainSegmentPathTests.randomLo: \(offered)")
    }

    @Test("the random traffic holds every kind of packet it is meant to")
    func trafficShape() {
        var traffic = Traffic(seed: 14, interfaces: 1, zeroMACPercent: 10)
        var syn = 0, synAck = 0, rst = 0, data = 0, continuations = 0, notRecognised = 0, v4 = 0, v6 = 0, zero = 0, initial = 0, crossed = 0, longGaps = 0
        var openISNs: Set<UInt32> = []
        var last = traffic.time
        for _ in 0..<Self.packetsPerRun {
            let (frame, _) = traffic.next()
            if traffic.time - last >= 250_000_000 { longGaps += 1 }
            last = traffic.time
            frame.withUnsafeBytes { raw in
                let span = RawSpan(_unsafeBytes: raw)
                guard let s = PlainTCPSegment.recognise(span, linkType: .ethernet) else { notRecognised += 1; return }
                if s.ipVersion == 6 { v6 += 1 } else { v4 += 1 }
                if s.hasZeroMACs { zero += 1 }
                if s.hopLimit == 64 { initial += 1 } else { crossed += 1 }
                if s.flags == .syn { syn += 1; openISNs.insert(s.sequenceNumber) }
                else if s.flags == [.syn, .ack] { synAck += 1 }
                else if s.flags.contains(.rst) { rst += 1 }
                else if openISNs.contains(s.sequenceNumber &- 1) { continuations += 1 }
                else { data += 1 }
            }
        }
        #expect(syn >= 300 && synAck >= 100 && rst >= 100 && continuations >= 100 && data >= 5_000)
        #expect(notRecognised >= 100 && v4 >= 2_000 && v6 >= 4_000 && zero >= 500 && crossed >= 500 && initial >= 5_000 && longGaps >= 500)
        print("PlainSegmentPathTests.trafficShape: syn \(syn) syn-ack \(synAck) rst \(rst) continuations \(continuations) data \(data) not recognised \(notRecognised) v4 \(v4) v6 \(v6) zero MACs \(zero) hop limit 64 \(initial) other \(crossed) gaps >= 250 ms \(longGaps)")
    }
}
