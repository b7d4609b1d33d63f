import Foundation
import Testing
@testable import ScopeScanCapture
import ScopeScanWire

/// `PcapngReader` reads runs of enhanced packet blocks in a mapped file with a loop of their own
/// (`packetRun`) and everything else with its block walk; these tests read crafted files both ways
/// (`readsPacketRuns: false` is the walk alone) and expect the same packets (numbers, times,
/// lengths, interfaces, directions, comments, bytes), interfaces and warnings, offsets included:
/// damage at every byte of a run, blocks of every other kind inside a run, both byte orders.
@Suite("pcapng: the packet-run loop reads what the block walk reads")
struct PacketRunTests {
    /// A pcapng file put together block by block, in either byte order.
    struct Builder {
        var bigEndian = false
        var bytes: [UInt8] = []

        func u32(_ v: UInt32) -> [UInt8] {
            let b = (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
            return bigEndian ? b.reversed() : b
        }
        func u16(_ v: UInt16) -> [UInt8] {
            let b = [UInt8(v & 0xff), UInt8(v >> 8)]
            return bigEndian ? b.reversed() : b
        }
        func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (4 - b.count % 4) % 4) }
        func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] { u16(code) + u16(UInt16(value.count)) + padded(value) }
        func endOfOptions() -> [UInt8] { [0, 0, 0, 0] }

        mutating func block(_ type: UInt32, _ body: [UInt8]) {
            let length = UInt32(12 + body.count)
            bytes += u32(type) + u32(length) + body + u32(length)
        }
        /// A section header; it sets the byte order of what follows.
        mutating func section(bigEndian: Bool) {
            self.bigEndian = bigEndian
            block(0x0A0D_0D0A, u32(0x1A2B_3C4D) + u16(1) + u16(0) + [UInt8](repeating: 0xff, count: 8))
        }
        mutating func interface(linkType: UInt16 = 1, tsresol: UInt8? = nil, tsoffset: UInt64? = nil, name: String? = nil) {
            var body = u16(linkType) + u16(0) + u32(0)
            var options: [UInt8] = []
            if let name { options += option(2, Array(name.utf8)) }
            if let tsresol { options += option(9, [tsresol]) }
            if let tsoffset { options += option(14, u32(UInt32(tsoffset >> 32)) + u32(UInt32(tsoffset & 0xffff_ffff))) }
            if !options.isEmpty { body += options + endOfOptions() }
            block(1, body)
        }
        mutating func packet(interface: UInt32 = 0, units: UInt64, data: [UInt8], originalLength: UInt32? = nil, options: [UInt8] = []) {
            block(6, u32(interface) + u32(UInt32(units >> 32)) + u32(UInt32(units & 0xffff_ffff)) + u32(UInt32(data.count)) + u32(originalLength ?? UInt32(data.count)) + padded(data) + options)
        }
        mutating func simplePacket(data: [UInt8]) { block(3, u32(UInt32(data.count)) + padded(data)) }
        mutating func obsoletePacket(interface: UInt16, units: UInt64, data: [UInt8]) {
            block(2, u16(interface) + u16(0) + u32(UInt32(units >> 32)) + u32(UInt32(units & 0xffff_ffff)) + u32(UInt32(data.count)) + u32(UInt32(data.count)) + padded(data))
        }
        mutating func statistics(interface: UInt32) { block(5, u32(interface) + u32(0) + u32(0)) }
        mutating func custom() { block(0x0000_0BAD, u32(32473) + [1, 2, 3, 4]) }
    }

    /// Frames of 0 to 7 bytes (every padding), numbered so that no two are alike.
    static func frame(_ n: Int) -> [UInt8] { (0..<(n % 8)).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0) } }

    /// A run of `count` packets over `interfaces` interfaces, each time a little later.
    static func run(_ b: inout Builder, count: Int, interfaces: UInt32 = 2, from first: Int = 0) {
        for n in first ..< first + count {
            b.packet(interface: UInt32(n) % interfaces, units: 1_700_000_000_000_000 + UInt64(n) * 1_234_567, data: frame(n), originalLength: UInt32(n % 8 + n % 3))
        }
    }

    /// What a pass delivers, as owned values.
    struct Pass: Equatable {
        var packets: [String] = []
        var warnings: [CaptureWarning] = []
        var interfaces: [String] = []
        var late = false
    }

    func read(_ path: String, runs: Bool) throws -> Pass {
        let reader = try PcapngReader(path: path, readsPacketRuns: runs)
        var pass = Pass()
        pass.warnings = try reader.forEachPacket { packet in
            var digest: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in packet.bytes { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
            pass.packets.append("\(packet.frameNumber) \(packet.timestamp.nanoseconds) \(packet.capturedLength) \(packet.originalLength) \(packet.linkType.rawValue) \(packet.interfaceIndex) \(packet.direction) \(packet.commentText ?? "-") \(digest)")
        }
        pass.interfaces = reader.interfaces.map { "\($0.index) \($0.linkType.rawValue) \($0.name ?? "-") \($0.timestampResolution)" }
        pass.late = reader.describedInterfacesLate
        // A second pass starts knowing the interfaces: both ways again.
        let second = try reader.forEachPacket { _ in }
        pass.warnings += second
        return pass
    }

    /// Reads `bytes` both ways; returns the pass (the run loop's).
    @discardableResult
    func expectSameBothWays(_ bytes: [UInt8], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Pass? {
        let path = try scratchFile(bytes, name: "run.pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let withRuns = try? read(path, runs: true) else {
            // Refused at open (the file's start is damaged): so is it without runs.
            #expect((try? read(path, runs: false)) == nil, "\(what)", sourceLocation: sourceLocation)
            return nil
        }
        let walk = try read(path, runs: false)
        #expect(withRuns == walk, "\(what)", sourceLocation: sourceLocation)
        return withRuns
    }

    /// Section, a microsecond and a nanosecond interface (with an offset), 12 packets.
    static func plainFile(bigEndian: Bool) -> Builder {
        var b = Builder()
        b.section(bigEndian: bigEndian)
        b.interface(linkType: 1, name: "eth0")
        b.interface(linkType: 1, tsresol: 9, tsoffset: 7, name: "eth1")
        run(&b, count: 12)
        return b
    }

    @Test("an undamaged run, both byte orders", arguments: [false, true])
    func plainRun(bigEndian: Bool) throws {
        let pass = try expectSameBothWays(Self.plainFile(bigEndian: bigEndian).bytes, "plain")
        #expect(pass?.packets.count == 12)
        #expect(pass?.warnings == [])
    }

    @Test("every byte of a run changed, three ways, both byte orders", arguments: [false, true])
    func damageEveryByte(bigEndian: Bool) throws {
        let bytes = Self.plainFile(bigEndian: bigEndian).bytes
        // The section header and the interfaces are damaged too (damage to the first section
        // header's type or magic is refused at open, both ways alike).
        for offset in 0 ..< bytes.count {
            for change in [{ (b: UInt8) in b ^ 0xff }, { _ in 0 }, { b in b &+ 4 }] {
                var damaged = bytes
                damaged[offset] = change(damaged[offset])
                try expectSameBothWays(damaged, "byte \(offset) of \(bytes.count) changed, big-endian \(bigEndian)")
            }
        }
    }

    @Test("lengths in a run made wrong by each amount that matters", arguments: [false, true])
    func damageLengths(bigEndian: Bool) throws {
        var b = Builder()
        b.section(bigEndian: bigEndian)
        b.interface()
        Self.run(&b, count: 4, interfaces: 1)
        let third = b.bytes.count
        Self.run(&b, count: 4, interfaces: 1, from: 4)
        let bytes = b.bytes
        let length = Int(bigEndian ? bytes.rawSpan.be32(third + 4) : bytes.rawSpan.le32(third + 4))
        // Total length (leading, trailing, both), captured length: each off by small amounts.
        for field in [4, length - 4, 20] {
            for delta in [-33, -32, -29, -28, -16, -12, -8, -5, -4, -3, -1, 1, 3, 4, 8, 12, 1 << 20, Int(Int32.max)] {
                var damaged = bytes
                let at = third + field
                let old = bigEndian ? damaged.rawSpan.be32(at) : damaged.rawSpan.le32(at)
                let new = b.u32(UInt32(truncatingIfNeeded: Int(old) + delta))
                damaged.replaceSubrange(at ..< at + 4, with: new)
                try expectSameBothWays(damaged, "field at \(field) \(delta > 0 ? "+" : "")\(delta)")
                if field == 4 {
                    // Both lengths changed alike: a block that disagrees with its contents only.
                    damaged.replaceSubrange(third + length - 4 ..< third + length, with: new)
                    try expectSameBothWays(damaged, "both lengths \(delta)")
                }
            }
        }
    }

    @Test("every cut length of a file with runs")
    func everyCut() throws {
        var b = Self.plainFile(bigEndian: false)
        b.section(bigEndian: true)
        b.interface(linkType: 101)
        Self.run(&b, count: 3, interfaces: 1, from: 20)
        let bytes = b.bytes
        for length in 0 ..< bytes.count {
            try expectSameBothWays(Array(bytes.prefix(length)), "cut at \(length)")
        }
    }

    @Test("other blocks inside a run, both byte orders", arguments: [false, true])
    func blocksInsideRuns(bigEndian: Bool) throws {
        var b = Builder()
        b.section(bigEndian: bigEndian)
        b.interface(linkType: 1)
        Self.run(&b, count: 3, interfaces: 1)
        // An interface described after packets, then packets on it.
        b.interface(linkType: 0, tsresol: 0x80 | 20, name: "lo0")
        Self.run(&b, count: 3, interfaces: 2, from: 3)
        // Options on one packet of a run: flags, a comment, an unknown option, the end.
        let optionsAt = b.bytes.count
        b.packet(interface: 1, units: 99, data: Self.frame(5), options: b.option(2, b.u32(2)) + b.option(1, Array("a comment".utf8)) + b.option(77, [1, 2, 3]) + b.endOfOptions())
        Self.run(&b, count: 2, interfaces: 2, from: 6)
        // Options without an end marker, and only an end marker.
        b.packet(interface: 0, units: 100, data: Self.frame(3), options: b.option(2, b.u32(1)))
        b.packet(interface: 0, units: 101, data: Self.frame(4), options: b.endOfOptions())
        Self.run(&b, count: 2, interfaces: 2, from: 8)
        b.simplePacket(data: Self.frame(6))
        b.obsoletePacket(interface: 1, units: 5_000_000, data: Self.frame(7))
        b.custom()
        b.statistics(interface: 0)
        Self.run(&b, count: 2, interfaces: 2, from: 10)
        // A section of the other byte order in the middle of a run, with its own interfaces.
        b.section(bigEndian: !bigEndian)
        b.interface(linkType: 101, tsresol: 3)
        Self.run(&b, count: 3, interfaces: 1, from: 12)
        // A packet on an interface this section has not described: the walk's warning ends it.
        let good = b.bytes
        Self.run(&b, count: 1, interfaces: 1, from: 15)
        b.packet(interface: 1, units: 1, data: Self.frame(2))
        Self.run(&b, count: 2, interfaces: 1, from: 16)
        let pass = try expectSameBothWays(good, "other blocks")
        #expect(pass?.packets.count == 20)
        #expect(pass?.warnings == [])
        #expect(pass?.late == true)
        let stopped = try expectSameBothWays(b.bytes, "unknown interface")
        #expect(stopped?.packets.count == 21)
        #expect(stopped?.warnings.first?.message.contains("names interface 1") == true)
        // Every byte from the packet with options on: the other blocks and the section change.
        for offset in optionsAt ..< good.count {
            var damaged = good
            damaged[offset] ^= 0x5a
            try expectSameBothWays(damaged, "byte \(offset) changed")
        }
    }

    @Test("clocks: every kind of resolution and offset read in a run")
    func clocks() throws {
        var b = Builder()
        b.section(bigEndian: false)
        for (index, tsresol) in ([nil, 0, 3, 6, 9, 10, 12, 29, 0x80, 0x80 | 10, 0x80 | 32, 0x80 | 70] as [UInt8?]).enumerated() {
            b.interface(linkType: UInt16(index), tsresol: tsresol, tsoffset: index % 3 == 0 ? UInt64(index) << 40 : nil)
        }
        for n in 0 ..< 48 {
            b.packet(interface: UInt32(n % 12), units: UInt64(n) &* 0x9E37_79B9_7F4A_7C15, data: Self.frame(n))
        }
        let pass = try expectSameBothWays(b.bytes, "clocks")
        #expect(pass?.packets.count == 48)
    }

    @Test("runs longer than the loop's stretch between page releases, damage after a few of them")
    func longRuns() throws {
        var b = Builder()
        b.section(bigEndian: false)
        b.interface()
        b.interface(linkType: 0, tsresol: 9)
        for n in 0 ..< 9_000 {
            if n % 997 == 0 {
                b.packet(interface: 1, units: UInt64(n), data: Self.frame(n), options: b.option(2, b.u32(UInt32(n % 3))) + b.endOfOptions())
            } else {
                Self.run(&b, count: 1, from: n)
            }
        }
        let bytes = b.bytes
        #expect(bytes.count > 4 * (MappedFile.releaseStep / 16))
        let pass = try expectSameBothWays(bytes, "long run")
        #expect(pass?.packets.count == 9_000)
        for cut in [bytes.count - 3, bytes.count - 40, bytes.count / 2] {
            try expectSameBothWays(Array(bytes.prefix(cut)), "long run cut at \(cut)")
            var damaged = bytes
            damaged[cut] ^= 0x20
            try expectSameBothWays(damaged, "long run, byte \(cut) changed")
        }
    }

    @Test("the pcapng fixtures")
    func fixtures() throws {
        let paths = try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)
            .filter { $0.hasSuffix(".pcapng") }.map { fixturesDirectory.appendingPathComponent($0).path }
        #expect(paths.count >= 8)
        for path in paths {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            try expectSameBothWays(bytes, path)
        }
    }
}
