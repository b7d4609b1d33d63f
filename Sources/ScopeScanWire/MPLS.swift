// MPLS label stack over Ethernet (RFC 3032 section 2.1), EtherType 0x8847 (unicast) and 0x8848.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                Label                  | TC  |S|       TTL     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Entries repeat until one has S (bottom of stack) set. The payload carries no type: like
// Wireshark without a configured pseudowire, the first nibble (4 or 6) tells IPv4 from IPv6.
public enum MPLSStack {
    public static let entryLength = 4
    /// Longer stacks are rejected (real ones hold a handful of labels).
    public static let maximumEntries = 8

    /// The label of the entry at `offset` and whether it is the bottom of the stack.
    @inline(__always)
    public static func entry(_ frame: RawSpan, at offset: Int) -> (label: UInt32, bottom: Bool) {
        let word = frame.be32(offset)
        return (word >> 12, word & 0x100 != 0)
    }

    /// Walks the stack at `offset`: the payload's network protocol (EtherType 0 when it is neither
    /// IPv4 nor IPv6) and where it starts.
    static func decode(_ frame: RawSpan, at start: Int) throws(DecodeError) -> (EtherType, Int) {
        var offset = start
        for _ in 0..<maximumEntries {
            guard frame.count - offset >= entryLength else {
                throw .truncated(.mpls, at: offset, needed: entryLength, available: max(0, frame.count - offset))
            }
            let bottom = entry(frame, at: offset).bottom
            offset += entryLength
            if bottom {
                guard frame.count > offset else { return (EtherType(rawValue: 0), offset) }
                switch frame.u8(offset) >> 4 {
                case 4: return (.ipv4, offset)
                case 6: return (.ipv6, offset)
                default: return (EtherType(rawValue: 0), offset)
                }
            }
        }
        throw .badField(.mpls, "label stack depth", value: UInt32(maximumEntries + 1), at: offset)
    }
}
