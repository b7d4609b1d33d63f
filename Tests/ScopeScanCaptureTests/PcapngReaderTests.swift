import Foundation
import Testing
import ScopeScanCapture
import ScopeScanWire

@Suite("Native pcapng reader")
struct PcapngReaderTests {
    @Test("big-endian and little-endian sections, interface names, link types, addresses")
    func sectionsAndInterfaces() throws {
        let reader = try PcapngReader(path: fixture("pcapng-bigendian.pcapng"))
        // Interfaces are learned as the blocks come: none before reading. en0 is described in the
        // second section, after lo0's packets, so the pass says it described an interface late.
        #expect(reader.interfaces.isEmpty)
        _ = try records(reader)
        #expect(reader.describedInterfacesLate)
        #expect(reader.interfaces.map(\.name) == ["lo0", "en0"])
        #expect(reader.interfaces.map(\.linkType) == [.null, .ethernet])
        #expect(reader.interfaces[1].addresses.map(\.description) == ["fe80::1:2/64"])
        #expect(reader.interfaces[0].timestampResolution == 1_000_000_000)
        #expect(reader.interfaces[1].timestampResolution == 64)
    }

    @Test("timestamps, frame numbers and directions match tshark's")
    func timestampsMatchTshark() throws {
        let reader = try PcapngReader(path: fixture("pcapng-bigendian.pcapng"))
        let (list, warnings) = try records(reader)
        #expect(warnings.isEmpty)
        // tshark -T fields -e frame.number -e frame.time_epoch: frame 6 is a custom block (a record
        // in Wireshark, so it keeps its number) and frame 7 a simple packet block without a time.
        #expect(list.map(\.frame) == [1, 2, 3, 4, 5, 7, 8])
        #expect(Array(list.map(\.epoch).prefix(5)) == ["1715421601.000000987", "1715421601.000124443", "1715421601.000247899", "1715421602.000000000", "1715421602.015625000"])
        #expect(list.last?.epoch == "1715421602.046875000")
        #expect(list.map(\.interface) == [0, 0, 0, 1, 1, 1, 1])
        #expect(list[3].direction == .outbound && list[4].direction == .inbound)
        var comments: [Int: String] = [:]
        _ = try reader.forEachPacket { packet in comments[packet.frameNumber] = packet.commentText }
        // tshark -T fields -e frame.number -e frame.comment
        #expect(comments == [4: "outbound SYN", 5: "inbound SYN-ACK", 8: "after the custom block and the SPB"])
    }

    @Test("dumpcap -i lo -i veth0: the interface of every packet")
    func dumpcapTwoInterfaces() throws {
        let reader = try PcapngReader(path: fixture("linux-two-interfaces.pcapng"))
        let (list, _) = try records(reader)
        // tshark -e frame.interface_name: veth0 for 1-3 and 14-17, lo for 4-13.
        let names = list.map { reader.interfaces[$0.interface].name ?? "?" }
        #expect(names == Array(repeating: "veth0", count: 3) + Array(repeating: "lo", count: 10) + Array(repeating: "veth0", count: 4))
    }

    @Test("mergecap of a DLT_NULL and an Ethernet capture keeps both link types")
    func mergecapMixedLinkTypes() throws {
        let reader = try PcapngReader(path: fixture("mergecap-null-ethernet.pcapng"))
        let (list, _) = try records(reader)
        // mergecap describes both interfaces before the first packet.
        #expect(!reader.describedInterfacesLate)
        #expect(reader.interfaces.map(\.linkType) == [.null, .ethernet])
        #expect(list.count == 20)
        #expect(list.filter { $0.interface == 1 }.map(\.frame) == [18, 19, 20])
    }

    @Test("a block whose trailing length disagrees stops reading with a warning naming its offset")
    func trailingLengthMismatch() throws {
        let original = try records(PcapngReader(path: fixture("linux-own-linklocal-lo.pcapng"))).records
        // Find the 5th packet block and corrupt its trailing length.
        var offsetOfFifth = 0
        let path = try damagedCopy(of: "linux-own-linklocal-lo.pcapng") { bytes in
            var offset = 0, packets = 0
            while offset + 8 <= bytes.count {
                let type = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
                let length = Int(UInt32(bytes[offset + 4]) | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 24)
                if type == 6 {
                    packets += 1
                    if packets == 5 {
                        offsetOfFifth = offset
                        bytes[offset + length - 4] ^= 0x40
                        return
                    }
                }
                offset += length
            }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (list, warnings) = try records(PcapngReader(path: path))
        #expect(list == Array(original.prefix(4)))
        let warning = try #require(warnings.first)
        #expect(warning.offset == offsetOfFifth)
        #expect(warning.message.contains("trailing length"))
        #expect(warning.message.contains("after frame 4"))
    }

    @Test("a file cut inside a block yields the packets before the cut and a warning")
    func truncatedFile() throws {
        let original = try records(PcapngReader(path: fixture("linux-own-linklocal-lo.pcapng"))).records
        // Cut 20 bytes into the last enhanced packet block.
        let path = try damagedCopy(of: "linux-own-linklocal-lo.pcapng") { bytes in
            var offset = 0, lastPacket = 0
            while offset + 8 <= bytes.count {
                let type = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                if type == 6 { lastPacket = offset }
                offset += Int(UInt32(bytes[offset + 4]) | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6]) << 16)
            }
            bytes.removeLast(bytes.count - lastPacket - 20)
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (list, warnings) = try records(PcapngReader(path: path))
        #expect(list == Array(original.dropLast()))
        #expect(warnings.first?.message.contains("runs past the end of the file") == true)
    }

    @Test("every cut length of a pcapng file reads without crashing")
    func everyCutLength() throws {
        let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent("pcapng-bigendian.pcapng"))
        for length in stride(from: 0, to: data.count, by: 7) {
            let path = try damagedCopy(of: "pcapng-bigendian.pcapng") { bytes in bytes.removeLast(bytes.count - length) }
            defer { try? FileManager.default.removeItem(atPath: path) }
            if let reader = try? PcapngReader(path: path) {
                let (list, warnings) = try records(reader)
                // What is read is always the start of the intact file; a cut between blocks is silent.
                #expect(list.count <= 7)
                #expect(warnings.count <= 1)
            }
        }
    }

    /// A little-endian pcapng: one Ethernet interface with the given if_tsresol, one packet.
    func singlePacketPcapng(tsresol: UInt8, units: UInt64) throws -> String {
        let le32 = CraftedPcapng.le32
        let interface = le32(1) + le32(32) + [1, 0, 0, 0] + le32(0) + [9, 0, 1, 0, tsresol, 0, 0, 0] + [0, 0, 0, 0] + le32(32)
        let packet = le32(6) + le32(48) + le32(0) + le32(UInt32(units >> 32)) + le32(UInt32(units & 0xffff_ffff)) + le32(16) + le32(16) + [UInt8](repeating: 0, count: 16) + le32(48)
        return try scratchFile(CraftedPcapng.sectionHeader + interface + packet, name: "tsresol-\(tsresol).pcapng")
    }

    @Test("every if_tsresol, decimal and binary, converts without overflow", arguments: [
        (6, 1_500_000, "1.500000000"),
        (9, 1_500_000_000, "1.500000000"),
        (12, 1_500_000_000_000, "1.500000000"),
        (28, UInt64.max, "0.000000001"), // 1.8e19 units of 1e-28 s: 1.8 ns, truncated
        (29, UInt64.max, "0.000000000"), // 10^20 no longer fits 64 bits (the reader fuzzer's find)
        (127, UInt64.max, "0.000000000"),
        (0, 3, "3.000000000"),
        (0x80 | 1, 3, "1.500000000"),
        (0x80 | 63, 1 << 62, "0.500000000"),
        (0x80 | 64, UInt64.max, "0.999999999"), // just under a second
        (0x80 | 65, UInt64.max, "0.499999999"),
        (0x80 | 127, UInt64.max, "0.000000000"), // 1.8e19 units of 2^-127 s: 1e-19 s
    ] as [(UInt8, UInt64, String)])
    func timestampResolutions(tsresol: UInt8, units: UInt64, epoch: String) throws {
        let path = try singlePacketPcapng(tsresol: tsresol, units: units)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (list, warnings) = try records(PcapngReader(path: path))
        #expect(warnings.isEmpty)
        #expect(list.map(\.epoch) == [epoch])
    }

    @Test("a file of 100,000 interface blocks: past 65,536 interfaces reading stops with a warning")
    func manyInterfaces() throws {
        // Each interface block followed by a packet on that interface: every packet makes the
        // consumer take a new interface (this was quadratic, and minutes long, in the analyser).
        let le32 = CraftedPcapng.le32
        var bytes = CraftedPcapng.sectionHeader
        for index in 0..<100_000 {
            bytes += le32(1) + le32(20) + [1, 0, 0, 0] + le32(0) + le32(20)
            bytes += le32(6) + le32(36) + le32(UInt32(index)) + le32(0) + le32(UInt32(index)) + le32(4) + le32(4) + [0, 0, 0, 0] + le32(36)
        }
        let path = try scratchFile(bytes, name: "many-interfaces.pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try PcapngReader(path: path)
        let (list, warnings) = try records(reader)
        #expect(list.count == 65_536)
        #expect(reader.interfaces.count == 65_536)
        #expect(warnings.map(\.message) == ["pcapng file describes more than 65536 interfaces; stopped after frame 65536, frames before it were analysed"])
        #expect(warnings.first?.offset == 28 + 65_536 * 56)
    }

    @Test("a pcapng with a bad byte-order magic is refused at open")
    func badMagic() throws {
        let path = try damagedCopy(of: "pcapng-bigendian.pcapng") { bytes in bytes[8] = 0x99 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: CaptureError.self) { try PcapngReader(path: path) }
    }
}
