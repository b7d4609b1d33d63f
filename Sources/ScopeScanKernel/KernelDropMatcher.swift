import ScopeScanPackets

/// A captured frame as the matcher needs it: its number in the capture, its time and its headers.
/// The analyser fills one per decoded frame (`PacketHeaderKey(decoded:)`).
public struct CapturedFrameKey: Hashable, Sendable {
    public var frameNumber: Int
    public var timestamp: Timestamp
    public var headers: PacketHeaderKey

    public init(frameNumber: Int, timestamp: Timestamp, headers: PacketHeaderKey) {
        self.frameNumber = frameNumber
        self.timestamp = timestamp
        self.headers = headers
    }
}

/// A drop and the captured frame of the packet it killed, if the capture has it.
public struct MatchedDrop: Hashable, Sendable {
    public var drop: KernelDrop
    /// nil when no captured frame matches: the drop is still reported with its own headers.
    public var frame: CapturedFrameKey?
}

/// Ties kernel drops to captured frames. Pure: no I/O, no clock.
///
/// A drop matches a frame with the same headers (`PacketHeaderKey`: addresses, next header, ports,
/// TCP sequence number and flags) captured at most `window` before the drop (drops come 13–31 µs
/// after the capture here) or at most `clockTolerance` after it (the two clocks are sampled apart).
/// Retransmissions carry identical headers and are told apart by time: each drop, taken in time
/// order, claims the latest unclaimed matching frame before it, and a frame is claimed at most once.
public struct KernelDropMatcher: Sendable {
    public var windowNanoseconds: Int64
    public var clockToleranceNanoseconds: Int64

    public init(windowNanoseconds: Int64 = 5_000_000, clockToleranceNanoseconds: Int64 = 500_000) {
        self.windowNanoseconds = windowNanoseconds
        self.clockToleranceNanoseconds = clockToleranceNanoseconds
    }

    /// One result per drop, in the order of `drops`.
    public func match(drops: [KernelDrop], frames: [CapturedFrameKey]) -> [MatchedDrop] {
        // Frames by headers, each list in time order (stable, so equal times keep capture order).
        var candidates: [PacketHeaderKey: [Int]] = [:]
        for (index, frame) in frames.enumerated() { candidates[frame.headers, default: []].append(index) }
        for key in candidates.keys {
            candidates[key]!.sort { (frames[$0].timestamp, $0) < (frames[$1].timestamp, $1) }
        }
        var claimed = Set<Int>()
        var results = drops.map { MatchedDrop(drop: $0, frame: nil) }
        let order = drops.indices.sorted { (drops[$0].time, $0) < (drops[$1].time, $1) }
        for dropIndex in order {
            let drop = drops[dropIndex]
            guard let headers = drop.headers, let list = candidates[headers] else { continue }
            let latest = drop.time.nanoseconds.addingReportingOverflow(clockToleranceNanoseconds)
            let earliest = drop.time.nanoseconds.subtractingReportingOverflow(windowNanoseconds)
            let upper = latest.overflow ? Int64.max : latest.partialValue
            let lower = earliest.overflow ? Int64.min : earliest.partialValue
            // Walk back from the last frame not after `upper`.
            var position = partitionPoint(list) { frames[$0].timestamp.nanoseconds > upper } - 1
            while position >= 0 {
                let frameIndex = list[position]
                if frames[frameIndex].timestamp.nanoseconds < lower { break }
                if !claimed.contains(frameIndex) {
                    claimed.insert(frameIndex)
                    results[dropIndex].frame = frames[frameIndex]
                    break
                }
                position -= 1
            }
        }
        return results
    }

    /// The first index whose element satisfies `isAfter` (which is false then true along `list`).
    private func partitionPoint(_ list: [Int], _ isAfter: (Int) -> Bool) -> Int {
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if isAfter(list[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
