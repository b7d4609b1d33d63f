import ScopeScanWire

// pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each
//   Block Type (4) | Block Total Length (4) | body … | Block Total Length (4)
// in the byte order of the section it belongs to, set by the Section Header Block's magic.

/// Reads pcapng files natively from a memory map: several sections of either byte order, several
/// interfaces of different link types, interface names, addresses and timestamp resolutions, which
/// libpcap 1.10 cannot deliver.
///
/// Interfaces are learned as their description blocks are read, so the file is walked once. They
/// are kept across passes: a second pass starts knowing every interface the first one met, which
/// is what a consumer needs when `describedInterfacesLate` says some came after packets.
public final class PcapngReader: PacketSource {
    public let name: String
    /// Every interface described so far, in the file's order across sections.
    public private(set) var interfaces: [CaptureInterface] = []
    public private(set) var describedInterfacesLate = false
    private let file: MappedFile?
    /// A stream read once (the first pass), then the spool holding a copy of it for later passes.
    private var stream: StreamWindow?
    private let spool: Spool?
    public var copyPath: String? { spool?.path }
    /// Whether runs of packet blocks in a map are read by `packetRun`; the tests compare it with the walk alone.
    private let readsPacketRuns: Bool

    /// What a file may describe before reading stops with a warning: real captures stay far below,
    /// and without a bound a hostile file of interface blocks would cost memory out of proportion
    /// to its size (each block of 20 bytes an interface of about 200).
    static let maximumInterfaces = 65_536
    static let maximumInterfaceAddresses = 1 << 20

    enum BlockType {
        static let sectionHeader: UInt32 = 0x0A0D_0D0A
        static let interfaceDescription: UInt32 = 1
        static let obsoletePacket: UInt32 = 2
        static let simplePacket: UInt32 = 3
        static let nameResolution: UInt32 = 4
        static let interfaceStatistics: UInt32 = 5
        static let enhancedPacket: UInt32 = 6
        static let systemdJournalExport: UInt32 = 9
        static let customCopyable: UInt32 = 0x0000_0BAD
        static let customNotCopyable: UInt32 = 0x4000_0BAD
    }

    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D

    public convenience init(path: String) throws(CaptureError) {
        try self.init(path: path, readsPacketRuns: true)
    }

    /// `readsPacketRuns: false` reads every block with the walk: the tests compare the two.
    init(path: String, readsPacketRuns: Bool) throws(CaptureError) {
        name = path
        self.readsPacketRuns = readsPacketRuns
        let file = try MappedFile(path: path)
        self.file = file
        spool = nil
        try Self.checkStart(file.span, path: path)
    }

    /// Reads a stream, once; `spool`, when given, receives a copy for the passes after the first.
    init(name: String, stream: StreamWindow, spool: Spool?) throws(CaptureError) {
        self.name = name
        file = nil
        readsPacketRuns = true
        self.stream = stream
        self.spool = spool
        stream.need(12)
        try Self.checkStart(stream.window, path: name)
    }

    private static func checkStart(_ bytes: RawSpan, path: String) throws(CaptureError) {
        guard bytes.count >= 12, bytes.be32(0) == BlockType.sectionHeader else {
            throw CaptureError(path: path, message: "not a pcapng file: no section header block at offset 0")
        }
        let magic = bytes.be32(8)
        guard magic == Self.byteOrderMagic || magic == Self.byteOrderMagic.byteSwapped else {
            throw CaptureError(path: path, message: "pcapng section header at offset 0: byte-order magic 0x\(String(magic, radix: 16)), expected 0x1a2b3c4d")
        }
    }

    /// Per-section reading state.
    struct Section {
        var bigEndian: Bool
        var interfaceBase: Int

        @inline(__always)
        func u16(_ b: RawSpan, _ o: Int) -> UInt16 { bigEndian ? b.be16(o) : b.le16(o) }
        @inline(__always)
        func u32(_ b: RawSpan, _ o: Int) -> UInt32 { bigEndian ? b.be32(o) : b.le32(o) }
    }

    /// What a packet block reads of its interface, kept per interface of the section beside
    /// `clocks` (same count): its link type, and what its time needs of the clock when a unit is a
    /// whole number of nanoseconds (micro- and nanosecond interfaces: nearly every capture). Three
    /// words read per packet, where `clocks[i].timestamp` copied the whole `Clock` (72 bytes) out
    /// of the array and `linkTypes[base + i]` was a second array's bounds check.
    struct PacketInterface {
        /// Nanoseconds per unit; 0 when the unit is no whole number of them (`Clock.timestamp` then).
        var nanosecondsPerUnit: UInt64
        /// if_tsoffset in nanoseconds, wrapping as `Clock.timestamp` does.
        var offsetNanoseconds: Int64
        var linkType: LinkType

        init(_ clock: Clock, linkType: LinkType) {
            nanosecondsPerUnit = clock.wholeMultiplier
            offsetNanoseconds = clock.offsetSeconds &* 1_000_000_000
            self.linkType = linkType
        }

        /// The time of `units` on this interface, whose full clock is `clock()`.
        @inline(__always)
        func timestamp(_ units: UInt64, _ clock: () -> Clock) -> Timestamp {
            nanosecondsPerUnit != 0 ? wholeTimestamp(units) : clock().timestamp(units)
        }

        /// The time of `units` when `nanosecondsPerUnit` is not 0: one multiplication and an addition.
        @inline(__always)
        func wholeTimestamp(_ units: UInt64) -> Timestamp {
            Timestamp(nanoseconds: Int64(truncatingIfNeeded: units &* nanosecondsPerUnit) &+ offsetNanoseconds)
        }
    }

    /// Per-interface timestamp conversion, precomputed from if_tsresol and if_tsoffset.
    struct Clock {
        var decimalExponent: Int? = 6 {
            didSet {
                decimalScale = decimalExponent.flatMap(Self.decimalScale)
                multiplier = (decimalExponent ?? 10) <= 9 ? decimalScale : nil
            }
        }
        var binaryExponent: Int?
        var offsetSeconds: Int64 = 0
        /// 10^|9 - decimalExponent|, worked out once per interface rather than once per packet;
        /// nil where it overflows 64 bits.
        private var decimalScale: UInt64? = 1000
        /// Nanoseconds per unit when that is a whole number (units of 10^-9 s or coarser: micro-
        /// and nanoseconds, nearly every capture), so a packet's time is one multiplication.
        private var multiplier: UInt64? = 1000

        static func decimalScale(_ exponent: Int) -> UInt64? {
            var scale: UInt64 = 1
            for _ in 0..<abs(9 - exponent) {
                let (next, overflow) = scale.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                scale = next
            }
            return scale
        }

        /// `multiplier`, 0 for none.
        var wholeMultiplier: UInt64 { multiplier ?? 0 }

        @inline(__always)
        func timestamp(_ units: UInt64) -> Timestamp {
            if let multiplier {
                return Timestamp(nanoseconds: Int64(truncatingIfNeeded: units &* multiplier) &+ offsetSeconds &* 1_000_000_000)
            }
            return convert(units)
        }

        /// Every other resolution: finer than nanoseconds, or binary.
        @inline(never)
        private func convert(_ units: UInt64) -> Timestamp {
            let nanos: Int64
            if let e = decimalExponent {
                // No scale only for units of 10^-29 s or finer: no 64-bit count of them reaches 1 ns.
                if let scale = decimalScale {
                    nanos = Int64(truncatingIfNeeded: e <= 9 ? units &* scale : units / scale)
                } else {
                    nanos = 0
                }
            } else {
                let e = UInt64(binaryExponent ?? 0)
                let seconds = e >= 64 ? 0 : units >> e
                let fraction = e >= 64 ? units : units & ((1 << e) &- 1)
                let (high, low) = fraction.multipliedFullWidth(by: 1_000_000_000)
                // fraction · 10^9 / 2^e, from the 128-bit product.
                let fractionNanos = e == 0 ? 0 : e < 64 ? (high << (64 - e)) | (low >> e) : e < 128 ? high >> (e - 64) : 0
                nanos = Int64(truncatingIfNeeded: seconds &* 1_000_000_000 &+ fractionNanos)
            }
            return Timestamp(nanoseconds: nanos &+ offsetSeconds &* 1_000_000_000)
        }
    }

    public func forEachPacket(_ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        if let file {
            file.rewind()
            return try walk(MappedBlockInput(file: file), body)
        }
        if let stream {
            // The stream is read once; later passes read the spool.
            self.stream = nil
            return try walk(StreamBlockInput(window: stream), body)
        }
        guard let spool, spool.problem == nil else {
            return [CaptureWarning(path: name, offset: nil, message: "cannot read the stream a second time: \(spool?.problem ?? "no copy was kept"); the first pass's findings stand")]
        }
        let copy = try MappedFile(path: spool.path)
        return try walk(MappedBlockInput(file: copy), body)
    }

    private func walk<Input: BlockInput>(_ input: Input, _ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        var frame = 0
        // Where the current block starts in the input.
        var position = 0
        var section = Section(bigEndian: false, interfaceBase: 0)
        var clocks: [Clock] = []
        // What a packet block reads of each of the section's interfaces, beside `clocks` (same count).
        var packetInterfaces: [PacketInterface] = []
        // Each interface's link type, beside `interfaces`: reading it from there per packet copies
        // a whole `CaptureInterface` (names, addresses) out of the class's array. Its count is the
        // number of interfaces this pass has read.
        var linkTypes: [LinkType] = []
        // A simple packet block has no timestamp: it inherits the previous packet's, so time stays ordered.
        var previousTimestamp = Timestamp(nanoseconds: 0)
        describedInterfacesLate = false
        var interfaceAddresses = 0
        // Whether a packet has been handed out: an interface described after that is late
        // (custom blocks count as frames but carry no packet).
        var deliveredPacket = false
        func warn(_ message: String) -> [CaptureWarning] {
            if let problem = input.endProblem {
                return [CaptureWarning(path: name, offset: problem.offset, message: "\(problem.message); stopped after frame \(frame), frames before it were analysed")]
            }
            return [CaptureWarning(path: name, offset: position, message: "\(message); stopped after frame \(frame), frames before it were analysed")]
        }
        while true {
            // A run of packet blocks in a map: the loop for them alone (`packetRun`) reads every
            // one this walk would deliver without a warning, and leaves the others to the walk.
            if readsPacketRuns, let map = input as? MappedBlockInput, !packetInterfaces.isEmpty {
                let start = position
                if section.bigEndian {
                    try packetRun(BigEndianCapture.self, map.file, &position, &frame, &previousTimestamp, section, packetInterfaces, clocks, body)
                } else {
                    try packetRun(LittleEndianCapture.self, map.file, &position, &frame, &previousTimestamp, section, packetInterfaces, clocks, body)
                }
                if position != start { deliveredPacket = true }
            }
            let head = input.bytes(at: position, atLeast: 12)
            if head.isEmpty {
                if input.endProblem != nil { return warn("") }
                break
            }
            // Counts are taken out of the spans before `warn` reads the input again.
            let available = head.count
            guard available >= 12 else {
                return warn("pcapng block header cut short: needs 12 bytes, \(available) left")
            }
            // The block header's three words, cut out once so that reading them checks no range
            // again. A section header's type reads the same in either byte order.
            let header = head.extracting(first: 12)
            // The section header's type, 0x0A0D0D0A, reads the same in either byte order, so the
            // first word is read once, little-endian, and swapped for a big-endian section.
            let firstWord = header.le32(0)
            let isSectionHeader = firstWord == BlockType.sectionHeader
            if isSectionHeader {
                let magic = header.be32(8)
                if magic == Self.byteOrderMagic { section.bigEndian = true } else if magic == Self.byteOrderMagic.byteSwapped { section.bigEndian = false } else {
                    return warn("pcapng section header: byte-order magic 0x\(String(magic, radix: 16)), expected 0x1a2b3c4d")
                }
                section.interfaceBase = linkTypes.count
                clocks.removeAll()
                packetInterfaces.removeAll()
            }
            let type = isSectionHeader ? BlockType.sectionHeader : section.bigEndian ? firstWord.byteSwapped : firstWord
            let length = Int(section.u32(header, 4))
            guard length >= 12, length % 4 == 0 else {
                return warn("pcapng block of type 0x\(String(type, radix: 16)): total length \(length) is not a multiple of 4 of at least 12")
            }
            guard length <= Input.maximumBlock else {
                return warn("pcapng block of type 0x\(String(type, radix: 16)): total length \(length) is more than the \(Input.maximumBlock >> 20) MiB a block read from a stream may have")
            }
            // A map, and a stream window that already holds the block, need no second look.
            let whole = available >= length ? head : input.bytes(at: position, atLeast: length)
            let left = whole.count
            guard length <= left else {
                return warn("pcapng block of type 0x\(String(type, radix: 16)): total length \(length) runs past the end of the file (\(left) bytes left)")
            }
            let trailer = Int(section.u32(whole, length - 4))
            guard trailer == length else {
                return warn("pcapng block of type 0x\(String(type, radix: 16)): leading length \(length) differs from trailing length \(trailer)")
            }
            let block = whole.extracting(8 ..< length - 4)
            switch type {
            // Packets first: nearly every block is one.
            case BlockType.enhancedPacket, BlockType.obsoletePacket:
                let isEnhanced = type == BlockType.enhancedPacket
                guard block.count >= 20 else { return warn("pcapng packet block body is \(block.count) bytes, needs 20") }
                // The fixed fields, cut out once (as the block header above).
                let fields = block.extracting(first: 20)
                let localInterface = isEnhanced ? Int(section.u32(fields, 0)) : Int(section.u16(fields, 0))
                guard localInterface < clocks.count else {
                    return warn("pcapng packet block names interface \(localInterface), but the section describes \(clocks.count)")
                }
                let units = UInt64(section.u32(fields, 4)) << 32 | UInt64(section.u32(fields, 8))
                let capturedLength = Int(section.u32(fields, 12))
                let originalLength = Int(section.u32(fields, 16))
                guard capturedLength <= block.count - 20 else {
                    return warn("pcapng packet block: captured length \(capturedLength) exceeds the block's \(block.count - 20) data bytes")
                }
                frame += 1
                let optionStart = 20 + (capturedLength + 3) & ~3
                // Most packet blocks end with their data: the options are only walked when there are some.
                let options = PacketOptions(optionStart < block.count ? block.tail(from: optionStart) : block.empty(), section: section)
                let interface = packetInterfaces[localInterface]
                previousTimestamp = interface.timestamp(units) { clocks[localInterface] }
                deliveredPacket = true
                try body(CapturedPacket(
                    frameNumber: frame,
                    timestamp: previousTimestamp,
                    originalLength: originalLength,
                    interfaceIndex: section.interfaceBase + localInterface,
                    linkType: interface.linkType,
                    direction: options.direction,
                    bytes: block.extracting(20 ..< 20 + capturedLength),
                    comment: options.comment))
            case BlockType.sectionHeader:
                guard block.count >= 16 else { return warn("pcapng section header body is \(block.count) bytes, needs 16") }
            case BlockType.interfaceDescription:
                guard block.count >= 8 else { return warn("pcapng interface description body is \(block.count) bytes, needs 8") }
                guard linkTypes.count < Self.maximumInterfaces else {
                    return warn("pcapng file describes more than \(Self.maximumInterfaces) interfaces")
                }
                var interface = CaptureInterface(index: linkTypes.count, linkType: LinkType(UInt32(section.u16(block, 0))), snapLength: section.u32(block, 4))
                var clock = Clock()
                var options = Options(bytes: block.tail(from: 8), section: section)
                while let option = options.next() {
                    switch (option.code, option.value.count) {
                    case (2, _): interface.name = option.text
                    case (3, _): interface.interfaceDescription = option.text
                    case (4, 8):
                        let address = IPv4Address(option.value.be32(0))
                        let mask = option.value.be32(4)
                        interface.addresses.append(InterfaceAddress(address: .v4(address), prefixLength: mask.nonzeroBitCount))
                    case (5, 17):
                        let address = IPv6Address(high: option.value.be64(0), low: option.value.be64(8))
                        interface.addresses.append(InterfaceAddress(address: .v6(address), prefixLength: Int(option.value.u8(16))))
                    case (9, 1):
                        let resolution = option.value.u8(0)
                        if resolution & 0x80 == 0 {
                            clock.decimalExponent = Int(resolution)
                            clock.binaryExponent = nil
                            interface.timestampResolution = (0..<min(19, Int(resolution))).reduce(UInt64(1)) { r, _ in r * 10 }
                        } else {
                            clock.decimalExponent = nil
                            clock.binaryExponent = Int(resolution & 0x7f)
                            interface.timestampResolution = resolution & 0x7f >= 64 ? UInt64.max : 1 << UInt64(resolution & 0x7f)
                        }
                    case (14, 8):
                        let high = UInt64(section.u32(option.value, section.bigEndian ? 0 : 4))
                        let low = UInt64(section.u32(option.value, section.bigEndian ? 4 : 0))
                        clock.offsetSeconds = Int64(bitPattern: high << 32 | low)
                    default: break
                    }
                }
                interfaceAddresses += interface.addresses.count
                guard interfaceAddresses <= Self.maximumInterfaceAddresses else {
                    return warn("pcapng interfaces list more than \(Self.maximumInterfaceAddresses) addresses")
                }
                if linkTypes.count == interfaces.count {
                    interfaces.append(interface)
                    if deliveredPacket { describedInterfacesLate = true }
                }
                linkTypes.append(interface.linkType)
                clocks.append(clock)
                packetInterfaces.append(PacketInterface(clock, linkType: interface.linkType))
            case BlockType.simplePacket:
                guard block.count >= 4 else { return warn("pcapng simple packet block body is \(block.count) bytes, needs 4") }
                guard !clocks.isEmpty else { return warn("pcapng simple packet block before any interface description") }
                let originalLength = Int(section.u32(block, 0))
                let snap = Int(interfaces[section.interfaceBase].snapLength)
                let capturedLength = min(originalLength, block.count - 4, snap == 0 ? Int.max : snap)
                frame += 1
                deliveredPacket = true
                try body(CapturedPacket(
                    frameNumber: frame,
                    timestamp: previousTimestamp,
                    originalLength: originalLength,
                    interfaceIndex: section.interfaceBase,
                    linkType: linkTypes[section.interfaceBase],
                    bytes: block.extracting(4 ..< 4 + capturedLength)))
            case BlockType.customCopyable, BlockType.customNotCopyable, BlockType.systemdJournalExport:
                // Wireshark shows these as records with frame numbers of their own; count them so
                // our frame numbers stay the ones a user sees in Wireshark.
                frame += 1
            default:
                break // name resolution, statistics, decryption secrets: not needed
            }
            position += length
            input.advance(length, to: position)
        }
        return []
    }

    /// The options of a block body: code(2) length(2) value padded to 4, ended by opt_endofopt.
    /// Borrows the block: read with `next()` while the block is in use.
    struct Options: ~Escapable {
        let bytes: RawSpan
        let section: Section
        var offset = 0

        @_lifetime(copy bytes)
        init(bytes: RawSpan, section: Section) {
            self.bytes = bytes
            self.section = section
        }

        struct Option: ~Escapable {
            var code: UInt16
            var value: RawSpan

            @_lifetime(copy value)
            init(code: UInt16, value: RawSpan) {
                self.code = code
                self.value = value
            }

            var text: String {
                value.head(value.firstIndex(of: 0) ?? value.count).utf8String()
            }
        }

        @inline(__always)
        @_lifetime(copy self)
        mutating func next() -> Option? {
            guard bytes.count - offset >= 4 else { return nil }
            let code = section.u16(bytes, offset)
            let length = Int(section.u16(bytes, offset + 2))
            guard code != 0, length <= bytes.count - offset - 4 else { return nil }
            let value = bytes.extracting(offset + 4 ..< offset + 4 + length)
            offset += 4 + (length + 3) & ~3
            return Option(code: code, value: value)
        }
    }
}
