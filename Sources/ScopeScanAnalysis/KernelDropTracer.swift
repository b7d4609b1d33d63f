import ScopeScanKernel
import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

/// The kernel's word beside a live capture (`capture --kernel-drops`, `probe` as root): it keeps the
/// header keys of recent frames, collects the drops the kernel reports for this network namespace
/// and ties each to the frame it killed (`KernelDropMatcher`), producing owned `KernelDropRecord`s
/// for the analyser. Bounded: frames more than two seconds older than the newest are forgotten
/// (a drop comes within microseconds of its packet), and at most 200,000 are kept.
public final class KernelDropTracer {
    private let monitor: KernelDropMonitor
    private let matcher = KernelDropMatcher()
    private var frames: [CapturedFrameKey] = []
    private var pending: [KernelDrop] = []
    private var records: [KernelDropRecord] = []
    private var newestFrame: Int64 = .min
    /// A drop is matched once this much wall-clock time has passed since it, so that its frame,
    /// which libpcap may hand over after the tracer's ring buffer, is there.
    static let settleNanoseconds: Int64 = 50_000_000
    static let keepNanoseconds: Int64 = 2_000_000_000
    static let maximumFrames = 200_000
    /// Drops kept for the findings; beyond, they are only counted (`notKept`), as the analyser
    /// counts beyond its own cap: an endless stream of drops must not grow memory without bound.
    static let maximumRecords = 100_000
    public private(set) var notKept = 0

    /// Opens the tracer for the calling thread's namespace; do it while privileged.
    public init() throws(KernelDropsUnavailable) {
        monitor = try KernelDropMonitor()
    }

    /// Drops the tracer had no ring-buffer room for (the list is partial when non-zero).
    public var lost: UInt64 { monitor.lostCount }

    /// Remembers a captured frame's headers (IP frames only), from the caller's decode of it.
    public func observe(_ packet: CapturedPacket, decoded: DecodedPacket) {
        guard let headers = PacketHeaderKey(decoded: decoded) else { return }
        frames.append(CapturedFrameKey(frameNumber: packet.frameNumber, timestamp: packet.timestamp, headers: headers))
        newestFrame = max(newestFrame, packet.timestamp.nanoseconds)
        if frames.count > Self.maximumFrames { prune(force: true) }
    }

    /// Every drop tied so far (`finish` returns them all).
    public var matched: [KernelDropRecord] { records }

    /// Takes what the kernel reported so far and ties the drops settled by `now` to frames. Call
    /// it from the capture loop (`LiveCapture.onIdle`, at most 100 ms apart).
    public func poll(now: Timestamp) {
        pending += (try? monitor.drain()) ?? []
        let settled = now.nanoseconds.saturatingMinus(Self.settleNanoseconds)
        match(pending.filter { $0.time.nanoseconds <= settled })
        pending.removeAll { $0.time.nanoseconds <= settled }
        prune(force: false)
    }

    /// Everything, after the capture stopped: the last drops are drained and matched.
    public func finish() -> [KernelDropRecord] {
        pending += (try? monitor.drain()) ?? []
        match(pending)
        pending = []
        monitor.close()
        return records
    }

    private func match(_ drops: [KernelDrop]) {
        guard !drops.isEmpty else { return }
        var claimed = Set<Int>()
        for result in matcher.match(drops: drops, frames: frames) {
            if let frame = result.frame { claimed.insert(frame.frameNumber) }
            if records.count < Self.maximumRecords { records.append(Self.record(result)) } else { notKept += 1 }
        }
        // A frame is claimed once: a later drop with the same headers is a later retry.
        if !claimed.isEmpty { frames.removeAll { claimed.contains($0.frameNumber) } }
    }

    private func prune(force: Bool) {
        let oldestPending = pending.map(\.time.nanoseconds).min() ?? .max
        let cutoff = min(newestFrame.saturatingMinus(Self.keepNanoseconds), oldestPending.saturatingMinus(matcher.windowNanoseconds))
        if let first = frames.first, first.timestamp.nanoseconds < cutoff {
            frames.removeAll { $0.timestamp.nanoseconds < cutoff }
        }
        if force && frames.count > Self.maximumFrames { frames.removeFirst(frames.count - Self.maximumFrames / 2) }
    }

    static func record(_ matched: MatchedDrop) -> KernelDropRecord {
        let drop = matched.drop
        let flow = drop.headers.map {
            FlowDescription(source: $0.source, destination: $0.destination, sourcePort: $0.sourcePort, destinationPort: $0.destinationPort, proto: $0.nextHeader)
        }
        return KernelDropRecord(frame: matched.frame?.frameNumber, time: drop.time, reason: drop.reason.name, location: drop.function,
                                interface: drop.interfaceName, explanation: drop.reason.explanation, flow: flow,
                                tcpFlags: drop.headers?.tcpFlags, bytes: drop.bytes)
    }
}
