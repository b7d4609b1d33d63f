// The owned values flow tables are keyed by, and how their keys are hashed.
import ScopeScanPackets
import ScopeScanWire

/// An address and port, owned.
public struct Endpoint: Hashable, Sendable {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }
}

/// One SYN seen: frame number and time.
public struct FrameTime: Hashable, Sendable {
    public var frame: Int
    public var time: Timestamp

    public init(frame: Int, time: Timestamp) {
        self.frame = frame
        self.time = time
    }
}

extension Hasher {
    /// Feeds the fields of a flow key in as few words as carry them all: the interface index, both
    /// ports and both address families in one word, then one word per IPv4 and two per IPv6
    /// address. The synthesised `hash(into:)` of the same fields takes nine words for two IPv6
    /// endpoints (an enum's case number and a port each on their own), and each word is a SipHash
    /// round; flow tables are looked up several times per handshake packet. The first word says
    /// how many follow, so distinct keys still feed distinct words (an index beyond 29 bits,
    /// which no capture reaches, gets a word of its own, marked in bit 63).
    @inline(__always)
    mutating func combineFlow(interfaceIndex: Int, client: IPAddress, clientPort: UInt16, server: IPAddress, serverPort: UInt16) {
        var first = UInt64(clientPort) << 18 | UInt64(serverPort) << 2
        if case .v6 = client { first |= 2 }
        if case .v6 = server { first |= 1 }
        let indexFits = interfaceIndex >= 0 && interfaceIndex < 1 << 29
        first |= indexFits ? UInt64(interfaceIndex) << 34 : 1 << 63
        combine(first)
        if !indexFits { combine(interfaceIndex) }
        combineAddress(client)
        combineAddress(server)
    }

    @inline(__always)
    mutating func combineAddress(_ address: IPAddress) {
        switch address {
        case .v4(let a): combine(a.value)
        case .v6(let a):
            combine(a.high)
            combine(a.low)
        }
    }
}
