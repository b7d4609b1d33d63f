import ScopeScanPackets
import ScopeScanWire

/// Counts for the end-of-run summary.
public struct AnalysisSummary: Sendable {
    public var packets = 0
    /// Packets that passed the filter and were analysed.
    public var analysed = 0
    public var ipv4 = 0
    public var ipv6 = 0
    public var decodeErrors = 0
    public var connectionAttempts = 0
    public var flowsEvicted = 0
    public var peakFlowsTracked = 0
    public var firstTime: Timestamp?
    public var lastTime: Timestamp?
    public var findingsByRule: [RuleID: Int] = [:]
    public var suppressedByRule: [RuleID: Int] = [:]
    /// Per interface index: packets seen.
    public var packetsByInterface: [Int: Int] = [:]
    public var warnings: [String] = []
    /// Drops the kernel reported (`--kernel-drops`), and those beyond the cap.
    public var kernelDrops = 0
    public var kernelDropsNotKept = 0

    public init() {}

    public var span: Double { (lastTime.map { l in firstTime.map { l.seconds(since: $0) } ?? 0 }) ?? 0 }
}

/// What the analyser updates for every packet. Only plain integers and timestamps: every access
/// to a stored property of a class is checked for exclusive access, by a runtime call unless the
/// compiler can prove the access calls nothing that could reach the property (an array or
/// dictionary update may reallocate, a plain store cannot), so these counters are updated with a
/// few stores and no call. The per-interface packet count follows the same idea: it counts the
/// current run of packets of one interface here and adds the run to an array when the interface
/// changes, which in most captures is never or rarely.
struct PacketPath {
    var packets = 0
    var analysed = 0
    var ipv4 = 0
    var ipv6 = 0
    var decodeErrors = 0
    var firstTime: Timestamp?
    var lastTime: Timestamp?
    /// How many interfaces the source describes now.
    var interfaceCount = 0
    /// The interface of the current run of packets, and the run's length so far.
    var runInterface = 0
    var runLength = 0
    /// Capture time of the last timer pass (`Analyzer.advance`), run every 250 ms of capture time.
    var lastAdvance: Int64?

    /// Counts `packet`. Returns the finished run when the packet starts a run on another interface
    /// (the caller adds it to its array), whether the capture has several interfaces, whether
    /// `interfaceIndex` is beyond the known interfaces, and whether timers are due. Everything the
    /// packet path needs from here comes out of this one access: the compiler checks exclusive
    /// access statically only if no access to this property anywhere spans a call.
    @inline(__always)
    mutating func admit(time: Timestamp, packet: borrowing DecodedPacket, interfaceIndex: Int, countingPacket: Bool, countsInterface: Bool)
        -> (finishedRun: (interface: Int, packets: Int)?, multipleInterfaces: Bool, unknownInterface: Bool, advance: Bool) {
        // `case .some` rather than `!= nil`, which here resolves to DecodeError's `==`: a call.
        var hasError = false, ipVersion = 0
        if case .some = packet.error { hasError = true }
        if case .some = packet.ipv6 { ipVersion = 6 } else if case .some = packet.ipv4 { ipVersion = 4 }
        return admit(time: time, hasDecodeError: hasError, ipVersion: ipVersion, interfaceIndex: interfaceIndex,
                     countingPacket: countingPacket, countsInterface: countsInterface)
    }

    /// The same for a packet known by its facts: whether decoding stopped with an error, and its
    /// IP version (6 or 4 for a packet with that header, anything else for none). The plain TCP
    /// segment path (`Analyzer.analysePlain`) counts with this.
    @inline(__always)
    mutating func admit(time: Timestamp, hasDecodeError: Bool, ipVersion: Int, interfaceIndex: Int, countingPacket: Bool, countsInterface: Bool)
        -> (finishedRun: (interface: Int, packets: Int)?, multipleInterfaces: Bool, unknownInterface: Bool, advance: Bool) {
        // Wrapping additions: a count of packets cannot reach 2^63, and a trap check per counter
        // is a compare and a branch each.
        if countingPacket { packets &+= 1 }
        analysed &+= 1
        if let first = firstTime, first <= time {} else { firstTime = time }
        if let last = lastTime, last >= time {} else { lastTime = time }
        if hasDecodeError { decodeErrors &+= 1 }
        if ipVersion == 6 { ipv6 &+= 1 } else if ipVersion == 4 { ipv4 &+= 1 }
        var finishedRun: (interface: Int, packets: Int)?
        if countsInterface {
            if interfaceIndex == runInterface {
                runLength &+= 1
            } else {
                finishedRun = (runInterface, runLength)
                runInterface = interfaceIndex
                runLength = 1
            }
        }
        let advance = lastAdvance.map { time.nanoseconds.saturatingMinus($0) >= 250_000_000 } ?? true
        if advance { lastAdvance = time.nanoseconds }
        return (finishedRun, interfaceCount > 1, countingPacket && interfaceIndex >= interfaceCount, advance)
    }
}

/// What the hot path needs of each file interface, resolved when the interfaces change: copying a
/// `CaptureInterface` per packet retains its strings and arrays, and `isLoopbackByName` parses the
/// name.
struct InterfaceFacts {
    var name: String?
    var loopbackByName: Bool?
    /// Npcap's loopback adapter: its DLT_NULL family 24 says nothing about OpenBSD.
    var npcapLoopback = false
    /// Neither the name nor the link type decides (unnamed DLT_NULL/DLT_LOOP or Ethernet): the
    /// traffic does (`Analyzer.revocations` says what showed it is no loopback).
    var judgedByTraffic = false
}
