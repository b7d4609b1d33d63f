import Testing
@testable import ScopeScanWire

@Suite("UDP header")
struct UDPTests {
    /// linux-udp-port-unreachable-lo.pcap #3: 50922 > 9, length 21, checksum 0xfe28, "anyone on 9?\n".
    static let datagram: [UInt8] = Array(RealFrames.loopbackIPv4UDP.dropFirst(34))

    @Test("deconstruct a real header")
    func deconstruct() throws {
        try withBytes(Self.datagram) { raw in
            let udp = try UDPHeaderView(checking: raw)
            #expect(udp.sourcePort == 50922)
            #expect(udp.destinationPort == 9)
            #expect(udp.length == 21)
            #expect(udp.checksum == 0xfe28)
            #expect(udp.payload.utf8String() == "anyone on 9?\n")
        }
    }

    @Test("a length below 8 leaves no payload")
    func shortLength() throws {
        var bytes = Self.datagram
        bytes[5] = 4
        try withBytes(bytes) { raw throws in
            #expect(try UDPHeaderView(checking: raw).payload.count == 0)
        }
    }

    @Test("every prefix shorter than 8 bytes is truncated")
    func truncated() {
        for length in 0..<8 {
            let error = decodeError(prefix: length, of: Self.datagram) { raw throws(DecodeError) in try UDPHeaderView(checking: raw, offset: 34) }
            #expect(error == .truncated(.udp, at: 34, needed: 8, available: length), "prefix \(length)")
        }
    }

    @Test("a UDP length that disagrees with the IP length is an anomaly")
    func lengthMismatch() {
        withDecoded(RealFrames.loopbackIPv4UDP, linkType: .ethernet) { packet in
            #expect(packet.anomalies.isEmpty)
            #expect(packet.sourcePort == 50922)
            #expect(packet.destinationPort == 9)
        }
        var frame = RealFrames.loopbackIPv4UDP
        frame[14 + 20 + 5] = 20
        withDecoded(frame, linkType: .ethernet) { packet in
            #expect(packet.anomalies == .udpLengthMismatch)
        }
        // A short capture is not a mismatch: the IP length already says more than was captured.
        withDecoded(Array(RealFrames.loopbackIPv4UDP.prefix(45)), linkType: .ethernet) { packet in
            #expect(packet.anomalies == .ipLengthBeyondCapture)
            #expect(packet.udp?.length == 21)
        }
    }
}
