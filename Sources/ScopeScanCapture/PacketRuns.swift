import ScopeScanWire

/// A capture's byte order as a type. The readers' loops over runs of records are generic over it
/// and specialised for each order, so the order is decided once, before the loop, instead of at
/// every field of every record.
protocol CaptureByteOrder {
    /// Whether this is the byte order of the host (libpcap's time fields are signed then).
    static var isHost: Bool { get }
    static func u32(_ bytes: RawSpan, _ offset: Int) -> UInt32
    /// The 64-bit number whose high half is the word at `offset` and whose low half the word after
    /// it: a pcapng timestamp (one load where the byte order allows).
    static func highLow(_ bytes: RawSpan, _ offset: Int) -> UInt64
}

enum LittleEndianCapture: CaptureByteOrder {
    @inline(__always) static var isHost: Bool { 1.littleEndian == 1 }
    @inline(__always) static func u32(_ bytes: RawSpan, _ offset: Int) -> UInt32 { bytes.le32(offset) }
    @inline(__always) static func highLow(_ bytes: RawSpan, _ offset: Int) -> UInt64 {
        UInt64(bytes.le32(offset)) << 32 | UInt64(bytes.le32(offset + 4))
    }
}

enum BigEndianCapture: CaptureByteOrder {
    @inline(__always) static var isHost: Bool { 1.bigEndian == 1 }
    @inline(__always) static func u32(_ bytes: RawSpan, _ offset: Int) -> UInt32 { bytes.be32(offset) }
    @inline(__always) static func highLow(_ bytes: RawSpan, _ offset: Int) -> UInt64 { bytes.be64(offset) }
}

// MARK: - pcapng: runs of enhanced packet blocks

extension PcapngReader {
    /// Reads the run of enhanced packet blocks at `position` in a mapped file, up to the first
    /// block that is anything else, damaged, or names an interface the section has not described;
    /// `position` is then that block's offset, which `walk` goes on from. Every block it reads is
    /// one `walk` would deliver, as `walk` would (the same packet, options, time and frame number),
    /// and the walk would warn of none of them (`PacketRunTests` compares the two).
    ///
    /// A block without options takes one test in place of the walk's checks of its length (a
    /// multiple of 4, room for the fixed fields and the data): that it is 32 bytes more than the
    /// captured length padded to 4. Its fields are read from a cut of 28 bytes whose length the
    /// loop's condition proves, in the section's byte order decided before the loop.
    func packetRun<Order: CaptureByteOrder>(
        _ order: Order.Type, _ file: MappedFile, _ position: inout Int, _ frame: inout Int, _ previousTimestamp: inout Timestamp,
        _ section: Section, _ interfaces: [PacketInterface], _ clocks: [Clock], _ body: (CapturedPacket) throws -> Void
    ) throws {
        // A section of one interface whose clock is a whole number of nanoseconds per unit (nearly
        // every capture): the loop specialised for it keeps that interface's fields in registers
        // instead of reading them from the table at every block.
        if interfaces.count == 1, interfaces[0].nanosecondsPerUnit != 0 {
            try packetRun(order, OneInterface(interfaces[0]), file, &position, &frame, &previousTimestamp, section, interfaces, clocks, body)
        } else {
            try packetRun(order, InterfaceList(), file, &position, &frame, &previousTimestamp, section, interfaces, clocks, body)
        }
    }

    private func packetRun<Order: CaptureByteOrder, Known: RunInterfaces>(
        _: Order.Type, _ only: Known, _ file: MappedFile, _ position: inout Int, _ frame: inout Int, _ previousTimestamp: inout Timestamp,
        _ section: Section, _ interfaces: [PacketInterface], _ clocks: [Clock], _ body: (CapturedPacket) throws -> Void
    ) throws {
        let known = interfaces.span
        let data = file.span
        var frameNumber = frame
        // The bytes from the block being read to the end of the file; the block's offset is
        // what is not left of the file.
        var rest = data.extracting(droppingFirst: position)
        defer {
            position = data.byteCount &- rest.byteCount
            frame = frameNumber
        }
        // A packet block's header, fixed fields and trailer: 32 bytes.
        blocks: while rest.byteCount >= 32 {
            // Blocks are read a stretch at a time, the pages behind given back after each (the map
            // acts once a MiB): one test of the bytes left per block ends the stretch or the file.
            let stretchEnd = max(31, rest.byteCount &- MappedFile.releaseStep / 16)
            while rest.byteCount > stretchEnd {
                // Type, length, interface, timestamp (2), captured and original length.
                let fields = rest.extracting(0 ..< 28)
                guard Order.u32(fields, 0) == BlockType.enhancedPacket else { break blocks }
                let length = Int(Order.u32(fields, 4))
                let capturedLength = Int(Order.u32(fields, 20))
                // Where the data ends, padded to 4: the trailer's offset when there are no options.
                let dataEnd = 28 + (capturedLength + 3) & ~3
                let local = Int(Order.u32(fields, 8))
                guard only.isKnown(local, known) else { break blocks }
                // Compared unsigned, as the span's own range checks are, so that they fold into this one.
                if length == dataEnd + 4, UInt(bitPattern: length) <= UInt(bitPattern: rest.byteCount), Int(Order.u32(rest, dataEnd)) == length {
                    let interface = only.interface(local, known)
                    let time = only.timestamp(interface, Order.highLow(fields, 12)) { clocks[local] }
                    previousTimestamp = time
                    frameNumber &+= 1
                    let packet = CapturedPacket(
                        frameNumber: frameNumber,
                        timestamp: time,
                        originalLength: Int(Order.u32(fields, 24)),
                        interfaceIndex: section.interfaceBase &+ local,
                        linkType: interface.linkType,
                        bytes: rest.extracting(28 ..< 28 + capturedLength))
                    rest = rest.extracting(length ..< rest.byteCount)
                    try body(packet)
                } else {
                    guard try packetWithOptions(Order.self, rest, known[local], local, section, clocks, &frameNumber, &previousTimestamp, body) else { break blocks }
                    rest = rest.extracting(droppingFirst: length)
                }
            }
            file.release(before: data.byteCount &- rest.byteCount)
        }
    }

    /// The section's interfaces as the run loop reads them: a table, or one interface whose clock
    /// is a whole number of nanoseconds per unit, held in the loop's registers.
    protocol RunInterfaces {
        func isKnown(_ local: Int, _ known: borrowing Span<PacketInterface>) -> Bool
        func interface(_ local: Int, _ known: borrowing Span<PacketInterface>) -> PacketInterface
        func timestamp(_ interface: PacketInterface, _ units: UInt64, _ clock: () -> Clock) -> Timestamp
    }

    struct InterfaceList: RunInterfaces {
        @inline(__always) func isKnown(_ local: Int, _ known: borrowing Span<PacketInterface>) -> Bool { local < known.count }
        @inline(__always) func interface(_ local: Int, _ known: borrowing Span<PacketInterface>) -> PacketInterface { known[local] }
        @inline(__always) func timestamp(_ interface: PacketInterface, _ units: UInt64, _ clock: () -> Clock) -> Timestamp {
            interface.timestamp(units, clock)
        }
    }

    struct OneInterface: RunInterfaces {
        let only: PacketInterface
        init(_ only: PacketInterface) { self.only = only }
        @inline(__always) func isKnown(_ local: Int, _ known: borrowing Span<PacketInterface>) -> Bool { local == 0 }
        @inline(__always) func interface(_ local: Int, _ known: borrowing Span<PacketInterface>) -> PacketInterface { only }
        /// The whole multiplier, checked before the loop.
        @inline(__always) func timestamp(_ interface: PacketInterface, _ units: UInt64, _ clock: () -> Clock) -> Timestamp {
            only.wholeTimestamp(units)
        }
    }

    /// A packet block of a run that has options after its data (or is damaged): with the walk's
    /// checks of its length, which the fixed fields at least fit in. Delivers it as the walk would
    /// and returns true; returns false, having read nothing, when the walk must read it.
    @inline(never)
    func packetWithOptions<Order: CaptureByteOrder>(
        _: Order.Type, _ rest: RawSpan, _ interface: PacketInterface, _ local: Int, _ section: Section, _ clocks: [Clock],
        _ frame: inout Int, _ time: inout Timestamp, _ body: (CapturedPacket) throws -> Void
    ) throws -> Bool {
        let length = Int(Order.u32(rest, 4))
        let capturedLength = Int(Order.u32(rest, 20))
        guard length & 3 == 0, length >= 32, capturedLength <= length - 32, length <= rest.byteCount,
              Int(Order.u32(rest, length - 4)) == length else { return false }
        time = interface.timestamp(UInt64(Order.u32(rest, 12)) << 32 | UInt64(Order.u32(rest, 16))) { clocks[local] }
        frame += 1
        let options = PacketOptions(rest.extracting(28 + (capturedLength + 3) & ~3 ..< length - 4), section: section)
        try body(CapturedPacket(
            frameNumber: frame,
            timestamp: time,
            originalLength: Int(Order.u32(rest, 24)),
            interfaceIndex: section.interfaceBase + local,
            linkType: interface.linkType,
            direction: options.direction,
            bytes: rest.extracting(28 ..< 28 + capturedLength),
            comment: options.comment))
        return true
    }

    /// What a packet block's options say of the packet: its direction (epb_flags) and first comment.
    struct PacketOptions: ~Escapable {
        var direction = PacketDirection.unknown
        var comment: RawSpan

        /// `bytes` are the options, empty when the block has none (then nothing is read).
        @_lifetime(copy bytes)
        @inline(__always)
        init(_ bytes: RawSpan, section: Section) {
            comment = bytes.empty()
            if !bytes.isEmpty { read(bytes, section: section) }
        }

        @_lifetime(self: copy bytes)
        @inline(never)
        private mutating func read(_ bytes: RawSpan, section: Section) {
            var options = Options(bytes: bytes, section: section)
            while let option = options.next() {
                if option.code == 2 && option.value.count == 4 {
                    direction = PacketDirection(rawValue: UInt8(section.u32(option.value, 0) & 3)) ?? .unknown
                } else if option.code == 1 && comment.isEmpty {
                    comment = option.value.head(option.value.firstIndex(of: 0) ?? option.value.count)
                }
            }
        }
    }
}
