import Foundation
import Testing
@testable import ScopeScanCapture
import ScopeScanWire

/// `PcapFileReader` reads plain records itself and hands the rest to `pcap_next_ex`; these tests
/// read each file both ways and expect the same packets (numbers, times, lengths, bytes) and the
/// same warnings, byte offsets included.
@Suite("Classic pcap: the plain-record path reads what pcap_next_ex reads")
struct PlainRecordReaderTests {
    /// Each packet as one line (with an FNV-1a digest of its bytes), and the warnings.
    func read(_ path: String, plain: Bool) throws -> (packets: [String], warnings: [CaptureWarning]) {
        let reader = try PcapFileReader(path: path, interfaceName: nil, readsPlainRecords: plain)
        var packets: [String] = []
        let warnings = try reader.forEachPacket { packet in
            var digest: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in packet.bytes { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
            packets.append("\(packet.frameNumber) \(packet.timestamp.nanoseconds) \(packet.capturedLength) \(packet.originalLength) \(packet.linkType.rawValue) \(packet.interfaceIndex) \(digest)")
        }
        return (packets, warnings)
    }

    func expectSameBothWays(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let plain = try read(path, plain: true)
        let libpcap = try read(path, plain: false)
        #expect(plain.packets == libpcap.packets, "\(path)", sourceLocation: sourceLocation)
        #expect(plain.warnings == libpcap.warnings, "\(path)", sourceLocation: sourceLocation)
    }

    @Test("every classic pcap fixture")
    func fixtures() throws {
        let directories = [fixturesDirectory, fixturesDirectory.deletingLastPathComponent().appendingPathComponent("Tests/scopescanTests")]
        var checked = 0
        for directory in directories {
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".pcap") {
                let path = directory.appendingPathComponent(name).path
                guard (try? CaptureFile.detectFormat(path: path)) == .pcap, (try? PcapFileReader(path: path)) != nil else { continue }
                try expectSameBothWays(path)
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    /// A record of a crafted file: header fields as written, then `data`.
    struct Record {
        var seconds: UInt32 = 1_714_557_600
        var fraction: UInt32 = 0
        var capturedLength: UInt32?
        var originalLength: UInt32?
        var data: [UInt8]
    }

    /// Writes a classic pcap file and returns its path.
    func craft(bigEndian: Bool = false, nanosecond: Bool = false, version: (UInt16, UInt16) = (2, 4), snapLength: UInt32 = 262_144, linkType: UInt32 = 1, _ records: [Record], tail: [UInt8] = []) throws -> String {
        var bytes: [UInt8] = []
        func u16(_ v: UInt16) { bytes += bigEndian ? [UInt8(v >> 8), UInt8(v & 0xff)] : [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: UInt32) {
            let high = UInt16(v >> 16), low = UInt16(v & 0xffff)
            if bigEndian { u16(high); u16(low) } else { u16(low); u16(high) }
        }
        u32(nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4)
        u16(version.0)
        u16(version.1)
        u32(0)
        u32(0)
        u32(snapLength)
        u32(linkType)
        for record in records {
            u32(record.seconds)
            u32(record.fraction)
            u32(record.capturedLength ?? UInt32(record.data.count))
            u32(record.originalLength ?? UInt32(record.data.count))
            bytes += record.data
        }
        bytes += tail
        return try scratchFile(bytes, name: "plain.pcap")
    }

    /// An Ethernet/IPv6 frame of `length` bytes whose content depends on `seed`.
    func frame(_ length: Int, seed: Int) -> [UInt8] {
        var bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7) }
        if length >= 14 { bytes[12] = 0x86; bytes[13] = 0xdd }
        return bytes
    }

    @Test("a file larger than the read buffer, with records of every size up to the snapshot length")
    func large() throws {
        var records: [Record] = []
        for i in 0..<3000 { records.append(Record(fraction: UInt32(i * 7), data: frame(54 + (i * 37) % 1460, seed: i))) }
        records.insert(Record(fraction: 1, data: frame(200_000, seed: 1)), at: 1000)
        records.insert(Record(fraction: 2, data: frame(262_144, seed: 2)), at: 2000) // exactly the snapshot length
        try expectSameBothWays(try craft(records))
        try expectSameBothWays(try craft(bigEndian: true, nanosecond: true, records))
    }

    @Test("cut short inside a record header, or inside its data")
    func cutShort() throws {
        let records = (0..<50).map { Record(fraction: UInt32($0), data: frame(100, seed: $0)) }
        try expectSameBothWays(try craft(records, tail: [1, 2, 3, 4, 5, 6, 7]))
        try expectSameBothWays(try craft(records + [Record(capturedLength: 100, data: frame(40, seed: 9))]))
        try expectSameBothWays(try craft([]))
    }

    @Test("a record beyond the snapshot length, then more records")
    func beyondSnapshot() throws {
        var records = (0..<20).map { Record(fraction: UInt32($0), data: frame(100, seed: $0)) }
        records.insert(Record(data: frame(200, seed: 99)), at: 10) // libpcap reads it and cuts it to 128
        try expectSameBothWays(try craft(snapLength: 128, records))
        // Beyond the largest snapshot length libpcap accepts: its error ends the file.
        records.insert(Record(data: frame(300_000, seed: 98)), at: 15)
        try expectSameBothWays(try craft(snapLength: 0x7fff_ffff, records))
    }

    @Test("32-bit time fields with the top bit set, in either byte order, as libpcap reads them")
    func highTimestamps() throws {
        // libpcap sign-extends them in a file of this host's byte order, and zero-extends them
        // after swapping the bytes of the other order.
        let records = [
            Record(seconds: 0xf000_0000, fraction: 999_999, data: frame(60, seed: 1)),
            Record(seconds: 0x7fff_ffff, fraction: 0x8000_0001, data: frame(60, seed: 2)),
            Record(seconds: 0, fraction: 1_500_000, data: frame(60, seed: 3)),
        ]
        for bigEndian in [false, true] {
            try expectSameBothWays(try craft(bigEndian: bigEndian, records))
            try expectSameBothWays(try craft(bigEndian: bigEndian, nanosecond: true, records))
        }
    }

    @Test("formats and link types the plain path leaves to libpcap")
    func leftToLibpcap() throws {
        // Version 2.3 may have the lengths swapped; Linux SLL in another byte order gets its
        // CAN pseudo-header swapped by libpcap.
        let swapped = (0..<10).map { Record(capturedLength: 100, originalLength: 60, data: frame(100, seed: $0)) }
        try expectSameBothWays(try craft(version: (2, 3), swapped))
        let sll = (0..<10).map { Record(data: frame(80, seed: $0)) }
        try expectSameBothWays(try craft(bigEndian: true, linkType: 113, sll))
    }
}
