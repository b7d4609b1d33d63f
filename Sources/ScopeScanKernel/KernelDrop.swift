import ScopeScanPackets
import ScopeScanWire

/// One packet the kernel freed as dropped, in the monitored network namespace. Every field is owned:
/// a drop outlives the poll that produced it.
public struct KernelDrop: Hashable, Sendable, CustomStringConvertible {
    /// Wall-clock time of the drop (the tracer's monotonic time plus the realtime−monotonic offset),
    /// comparable with capture timestamps. The drop comes 13–31 µs after the capture of its packet.
    public var time: Timestamp
    public var reason: KernelDropReason
    /// The kernel function that dropped it ("nft_do_chain"), from /proc/kallsyms; nil when the table
    /// was unreadable (no CAP_SYSLOG) or the address is outside it.
    public var function: String?
    /// The return address kfree_skb was called with.
    public var location: UInt64
    /// skb->dev's index; 0 on the output path, where the skb has no device yet.
    public var interfaceIndex: UInt32
    public var interfaceName: String?
    /// skb->len at the drop: counts from skb->data, so at the transport layer it leaves out the IP header.
    public var length: UInt32
    /// The copied bytes, from the IP header on (at most 128).
    public var bytes: [UInt8]
    /// The decoded headers; nil when the copied bytes hold no readable IP header.
    public var headers: PacketHeaderKey?
    /// 4 or 6, from the copied header; nil when undecodable.
    public var ipVersion: Int?
    public var hopLimit: UInt8?

    public init(time: Timestamp, reason: KernelDropReason, function: String?, location: UInt64, interfaceIndex: UInt32,
                interfaceName: String?, length: UInt32, bytes: [UInt8]) {
        self.time = time
        self.reason = reason
        self.function = function
        self.location = location
        self.interfaceIndex = interfaceIndex
        self.interfaceName = interfaceName
        self.length = length
        self.bytes = bytes
        let packet = PacketDecoder.decode(bytes.rawSpan, linkType: .raw)
        (headers, ipVersion, hopLimit) = (PacketHeaderKey(decoded: packet), packet.ipVersion, packet.hopLimit)
    }

    /// A drop built from headers alone (tests, replays).
    public init(time: Timestamp, reason: KernelDropReason, headers: PacketHeaderKey?, function: String? = nil, interfaceIndex: UInt32 = 0) {
        self.time = time
        self.reason = reason
        self.function = function
        self.location = 0
        self.interfaceIndex = interfaceIndex
        self.interfaceName = nil
        self.length = 0
        self.bytes = []
        self.headers = headers
        self.ipVersion = headers.map { if case .v6 = $0.source { 6 } else { 4 } }
        self.hopLimit = nil
    }

    /// "NETFILTER_DROP at nft_do_chain on veth1: tcp [fd00::1]:40000 → [fd00::2]:8080 SYN seq 1".
    public var description: String {
        var text = reason.name
        text += " at " + (function ?? "0x" + String(location, radix: 16))
        if let interfaceName { text += " on \(interfaceName)" } else if interfaceIndex != 0 { text += " on if\(interfaceIndex)" }
        if let headers { text += ": \(headers)" }
        return text
    }
}
