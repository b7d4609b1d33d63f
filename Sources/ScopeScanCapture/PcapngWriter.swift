import ScopeScanWire

import ScopeScanSystem

/// Writes pcapng (little-endian, one section): the evidence file and the live `-w` capture.
/// Interfaces keep their names, link types and addresses; timestamps are written in nanoseconds.
/// Blocks are buffered whole and written with write(2) only whole, so the file on disk always ends
/// at a block boundary: a process killed at any moment leaves a file readers accept up to the last
/// flush (`capture -w` flushes at least once a second).
public final class PcapngWriter {
    public let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var pending: [UInt8] = []
    private var interfaceCount = 0
    private static let flushThreshold = 1 << 16
    /// A write failed with EPIPE: the reader of the pipe (`-w - | tshark -r -`) went away.
    public private(set) var readerGone = false
    /// Where the section header's comment text starts in the file: block type and length (8),
    /// byte-order magic, versions and section length (16), the option's code and length (4).
    public static let sectionCommentOffset = 28

    /// Creates (or truncates) `path` and writes the section header, with an optional comment and
    /// the writing application. `owner`: hand a new file to the user the process will drop to.
    public convenience init(path: String, comment: String?, application: String, owner: FileOwner? = nil) throws(CaptureError) {
        let fd = SystemCalls.createForWriting(path)
        guard fd >= 0 else {
            throw CaptureError(path: path, message: "cannot create: \(System.errorText(errno))")
        }
        if let owner { SystemCalls.changeOwner(fd, to: owner) }
        try self.init(descriptor: fd, path: path, comment: comment, application: application, ownsDescriptor: true)
    }

    /// Writes to standard output (`capture -w -`), for a pipe or a file the shell opened; refuses
    /// a terminal, where pcapng is only noise. The caller flushes as often as its reader needs.
    public convenience init(standardOutputWithComment comment: String?, application: String) throws(CaptureError) {
        guard isatty(1) != 1 else {
            throw CaptureError(path: "-w -", message: "standard output is a terminal: refusing to write binary pcapng there; pipe it (-w - | tshark -r -) or redirect it (-w - > out.pcapng)")
        }
        try self.init(descriptor: 1, path: "standard output", comment: comment, application: application)
    }

    /// Writes through an open descriptor (an `OutputFile`'s temporary file, a `TemporaryFile`);
    /// the caller keeps it unless `ownsDescriptor`.
    public init(descriptor: Int32, path: String, comment: String?, application: String, ownsDescriptor: Bool = false) throws(CaptureError) {
        self.path = path
        fd = descriptor
        self.ownsDescriptor = ownsDescriptor
        var body: [UInt8] = []
        Self.append32(&body, 0x1A2B_3C4D)
        Self.append16(&body, 1)
        Self.append16(&body, 0)
        body += [UInt8](repeating: 0xff, count: 8) // section length unknown
        var options: [UInt8] = []
        if let comment { Self.appendOption(&options, 1, Array(comment.utf8)) }
        Self.appendOption(&options, 4, Array(application.utf8)) // shb_userappl
        try writeBlock(0x0A0D_0D0A, body + Self.endOptions(options))
    }

    deinit {
        try? flush()
        if ownsDescriptor { close(fd) }
    }

    /// Adds an Interface Description Block; returns the interface id packets must use.
    @discardableResult
    public func addInterface(_ interface: CaptureInterface) throws(CaptureError) -> Int {
        var body: [UInt8] = []
        Self.append16(&body, UInt16(truncatingIfNeeded: interface.linkType.rawValue))
        Self.append16(&body, 0)
        Self.append32(&body, interface.snapLength == 0 ? 262_144 : interface.snapLength)
        var options: [UInt8] = []
        if let name = interface.name { Self.appendOption(&options, 2, Array(name.utf8)) }
        if let description = interface.interfaceDescription { Self.appendOption(&options, 3, Array(description.utf8)) }
        for address in interface.addresses {
            switch address.address {
            case .v4(let v4):
                var value: [UInt8] = []
                Self.appendBE32(&value, v4.value)
                let mask: UInt32 = address.prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - min(32, address.prefixLength))
                Self.appendBE32(&value, mask)
                Self.appendOption(&options, 4, value)
            case .v6(let v6):
                var value: [UInt8] = []
                Self.appendBE32(&value, UInt32(truncatingIfNeeded: v6.high >> 32))
                Self.appendBE32(&value, UInt32(truncatingIfNeeded: v6.high))
                Self.appendBE32(&value, UInt32(truncatingIfNeeded: v6.low >> 32))
                Self.appendBE32(&value, UInt32(truncatingIfNeeded: v6.low))
                value.append(UInt8(clamping: address.prefixLength))
                Self.appendOption(&options, 5, value)
            }
        }
        Self.appendOption(&options, 9, [9]) // if_tsresol: nanoseconds
        try writeBlock(1, body + Self.endOptions(options))
        interfaceCount += 1
        return interfaceCount - 1
    }

    /// Writes an Enhanced Packet Block.
    public func writePacket(interfaceID: Int, timestamp: Timestamp, originalLength: Int, bytes: RawSpan, direction: PacketDirection = .unknown, comment: String? = nil) throws(CaptureError) {
        var body: [UInt8] = []
        body.reserveCapacity(32 + bytes.count)
        Self.append32(&body, UInt32(interfaceID))
        let units = UInt64(bitPattern: timestamp.nanoseconds)
        Self.append32(&body, UInt32(truncatingIfNeeded: units >> 32))
        Self.append32(&body, UInt32(truncatingIfNeeded: units))
        Self.append32(&body, UInt32(bytes.count))
        Self.append32(&body, UInt32(max(originalLength, bytes.count)))
        let frame = bytes.byteSpan
        for index in frame.indices { body.append(frame[index]) }
        while body.count % 4 != 0 { body.append(0) }
        var options: [UInt8] = []
        if direction != .unknown {
            var flags: [UInt8] = []
            Self.append32(&flags, UInt32(direction.rawValue))
            Self.appendOption(&options, 2, flags)
        }
        if let comment { Self.appendOption(&options, 1, Array(comment.utf8)) }
        try writeBlock(6, body + (options.isEmpty ? [] : Self.endOptions(options)))
    }

    /// Writes every buffered block (whole blocks only).
    public func flush() throws(CaptureError) {
        var offset = 0
        defer { pending.removeAll(keepingCapacity: true) }
        while offset < pending.count {
            let written = SystemCalls.write(fd, pending.rawSpan.extracting(droppingFirst: offset))
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { readerGone = true }
                throw CaptureError(path: path, message: "cannot write: \(System.errorText(errno))")
            }
            offset += written
        }
    }

    private func writeBlock(_ type: UInt32, _ body: [UInt8]) throws(CaptureError) {
        let total = UInt32(12 + body.count)
        Self.append32(&pending, type)
        Self.append32(&pending, total)
        pending += body
        Self.append32(&pending, total)
        if pending.count >= Self.flushThreshold { try flush() }
    }

    static func append16(_ out: inout [UInt8], _ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
    static func append32(_ out: inout [UInt8], _ v: UInt32) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * i))) } }
    static func appendBE32(_ out: inout [UInt8], _ v: UInt32) { for i in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * i))) } }

    static func appendOption(_ out: inout [UInt8], _ code: UInt16, _ value: [UInt8]) {
        append16(&out, code)
        append16(&out, UInt16(min(value.count, 0xffff)))
        out += value.prefix(0xffff)
        while out.count % 4 != 0 { out.append(0) }
    }

    static func endOptions(_ options: [UInt8]) -> [UInt8] {
        options.isEmpty ? [] : options + [0, 0, 0, 0]
    }
}
