import ScopeScanWire

/// Classic pcap files (micro- and nanosecond, either byte order) read through libpcap.
///
/// libpcap opens the file, validates its header and names the link type. Records are then read
/// by a fast path while they are plain (see `readPlainRecords`), and by `pcap_next_ex` from the
/// first record that is not, so anything unusual (a record cut short, a length beyond the snapshot,
/// an old or patched format, pseudo-headers libpcap rewrites) gets libpcap's own handling and
/// messages.
public final class PcapFileReader: PacketSource {
    public let name: String
    public private(set) var interfaces: [CaptureInterface]
    private let handle: LibpcapHandle
    private let isNanosecond: Bool
    private let readsPlainRecords: Bool

    /// Opens `path`; `interfaceName` names the single link, which classic pcap does not record.
    public convenience init(path: String, interfaceName: String? = nil) throws(CaptureError) {
        try self.init(path: path, interfaceName: interfaceName, readsPlainRecords: true)
    }

    /// `readsPlainRecords: false` reads every record with `pcap_next_ex`: the tests compare the two.
    init(path: String, interfaceName: String?, readsPlainRecords: Bool, name: String? = nil) throws(CaptureError) {
        self.name = name ?? path
        self.readsPlainRecords = readsPlainRecords
        let handle: LibpcapHandle
        switch LibpcapHandle.openOffline(path: path) {
        case .success(let opened): handle = opened
        case .failure(let error): throw CaptureError(path: path, message: PcapFileReader.explain(error.message))
        }
        self.handle = handle
        isNanosecond = handle.isNanosecond
        let linkType = LinkType(UInt32(bitPattern: handle.dlt))
        interfaces = [CaptureInterface(index: 0, name: interfaceName, linkType: linkType, snapLength: UInt32(max(0, handle.snapshot)), timestampResolution: 1_000_000_000)]
    }

    static func explain(_ libpcapMessage: String) -> String {
        if libpcapMessage.contains("unknown file format") { return "not a pcap or pcapng capture (libpcap: \(libpcapMessage))" }
        if libpcapMessage.contains("truncated dump file") { return "capture ends inside its file header (\(libpcapMessage))" }
        return libpcapMessage
    }

    public func forEachPacket(_ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        var frame = 0
        // A local reference: each record's span borrows it until the next record.
        let handle = self.handle
        let linkType = interfaces[0].linkType
        let fractionScale: Int64 = isNanosecond ? 1 : 1000
        // The file offset before each record, to name where damage starts. ftell(3) costs an lseek
        // system call on a read stream, too much once per packet, so the offset is tracked by
        // arithmetic: the record header's size is measured on the first record (16 bytes, or 24 in
        // Kuznetzov's format), and ftell resynchronises wherever libpcap may have read more bytes
        // than it reports (a record cut to the snapshot length).
        let fd = handle.fileDescriptor
        let snapshot = Int(handle.snapshot)
        var offset = handle.fileOffset
        var recordHeaderSize: Int?
        if readsPlainRecords, let fd, offset == Self.fileHeaderLength, let format = plainFormat(fd) {
            // No record read yet: read the plain ones ourselves, then let libpcap go on from the
            // first record we did not take (or the end, where it reports the end or what follows).
            let resume = try readPlainRecords(fd, format: format, snapshot: snapshot, frame: &frame, body)
            guard handle.seek(to: resume) else {
                return [CaptureWarning(path: name, offset: resume, message: "stopped after frame \(frame): \(MappedFile.errnoText("cannot seek")); frames before it were analysed")]
            }
            offset = resume
            recordHeaderSize = Self.recordHeaderLength
        }
        while true {
            let record = handle.next()
            let status = record.status
            if status == 1 {
                frame += 1
                let caplen = record.bytes.byteCount
                if let before = offset, fd != nil {
                    if let size = recordHeaderSize, caplen < snapshot {
                        offset = before + size + caplen
                    } else {
                        let after = handle.fileOffset ?? before
                        if recordHeaderSize == nil && caplen < snapshot { recordHeaderSize = after - before - caplen }
                        offset = after
                    }
                }
                let packet = CapturedPacket(
                    frameNumber: frame,
                    timestamp: Timestamp(seconds: record.seconds, nanoseconds: record.fraction * fractionScale),
                    originalLength: record.originalLength,
                    interfaceIndex: 0,
                    linkType: linkType,
                    bytes: record.bytes)
                try body(packet)
            } else if status == -2 || status == 0 {
                return []
            } else {
                let message = handle.errorText
                return [CaptureWarning(path: name, offset: offset, message: "stopped after frame \(frame): \(message); frames before it were analysed")]
            }
        }
    }

    // MARK: - Plain records without libpcap

    // pcap_next_ex costs two fread(3) calls and a copy per record: more than decoding and
    // analysing the packet. The fast path maps the file through libpcap's own descriptor
    // (`MappedFile`) and hands out records in place.

    static let fileHeaderLength = 24
    static let recordHeaderLength = 16

    /// What the fast path needs from the file header, for the files where libpcap does nothing to
    /// a record beyond reading it: version 2.4 (earlier versions may swap the lengths), the
    /// standard microsecond or nanosecond magic in either byte order (not the patched formats
    /// with longer record headers), and a link type without pseudo-header fix-ups.
    struct PlainFormat {
        var bigEndian: Bool
        var nanosecond: Bool
    }

    private func plainFormat(_ fd: Int32) -> PlainFormat? {
        let plainLinkTypes: [LinkType] = [.null, .ethernet, .rawBSD12, .rawBSD14, .raw, .loop, .ipv4, .ipv6, .pktap, .user2]
        guard plainLinkTypes.contains(interfaces[0].linkType) else { return nil }
        guard let header = SystemCalls.read(fd, count: Self.fileHeaderLength, at: 0), header.count == Self.fileHeaderLength else { return nil }
        let raw = header.rawSpan
        let format: PlainFormat
        switch raw.be32(0) {
        case 0xa1b2_c3d4: format = PlainFormat(bigEndian: true, nanosecond: false)
        case 0xa1b2_3c4d: format = PlainFormat(bigEndian: true, nanosecond: true)
        case 0xd4c3_b2a1: format = PlainFormat(bigEndian: false, nanosecond: false)
        case 0x4d3c_b2a1: format = PlainFormat(bigEndian: false, nanosecond: true)
        default: return nil
        }
        let major = format.bigEndian ? raw.be16(4) : raw.le16(4)
        let minor = format.bigEndian ? raw.be16(6) : raw.le16(6)
        return major == 2 && minor == 4 ? format : nil
    }

    /// Reads records from the end of the file header for as long as each is whole in the file and
    /// no longer than the snapshot length (which libpcap would cut or refuse), calling `body` with
    /// the timestamps libpcap gives: its 32-bit time fields are signed when the file is in this
    /// host's byte order, and come out of its byte swap unsigned when not. Returns the offset of
    /// the first record it did not read (the end of the header when the file cannot be mapped).
    private func readPlainRecords(_ fd: Int32, format: PlainFormat, snapshot: Int, frame: inout Int, _ body: (CapturedPacket) throws -> Void) throws -> Int {
        guard let map = MappedFile(descriptor: fd) else { return Self.fileHeaderLength }
        let limit = min(snapshot, 262_144)
        let fractionScale: Int64 = format.nanosecond ? 1 : 1000
        // The loop specialised for the byte order, decided here once rather than at every field.
        if format.bigEndian {
            return try plainRecords(BigEndianCapture.self, map, limit: limit, fractionScale: fractionScale, frame: &frame, body)
        }
        return try plainRecords(LittleEndianCapture.self, map, limit: limit, fractionScale: fractionScale, frame: &frame, body)
    }

    private func plainRecords<Order: CaptureByteOrder>(
        _: Order.Type, _ map: MappedFile, limit: Int, fractionScale: Int64, frame: inout Int, _ body: (CapturedPacket) throws -> Void
    ) throws -> Int {
        let linkType = interfaces[0].linkType
        @inline(__always) func time(_ field: UInt32) -> Int64 { Order.isHost ? Int64(Int32(bitPattern: field)) : Int64(field) }
        var offset = Self.fileHeaderLength
        var frameNumber = frame
        defer { frame = frameNumber }
        // The bytes after the records read so far: each record is cut from its front, so the
        // checks are against this span's length alone.
        var rest = map.span.extracting(droppingFirst: offset)
        records: while rest.byteCount >= Self.recordHeaderLength {
            // Records are read a stretch at a time, the pages behind given back after each (the
            // map acts once a MiB): one test of the bytes left per record ends the stretch or the file.
            let stretchEnd = max(Self.recordHeaderLength - 1, rest.byteCount &- MappedFile.releaseStep / 16)
            while rest.byteCount > stretchEnd {
                // The record header's four fields from its 16 bytes (cut out once, so their reads
                // need no range check of their own).
                let header = rest.extracting(0 ..< Self.recordHeaderLength)
                let caplen = Int(Order.u32(header, 8))
                // Compared unsigned, as the span's range check of the record's bytes is, so that it
                // folds into this one.
                guard caplen <= limit, UInt(bitPattern: caplen + Self.recordHeaderLength) <= UInt(bitPattern: rest.byteCount) else { break records }
                frameNumber &+= 1
                let packet = CapturedPacket(
                    frameNumber: frameNumber,
                    timestamp: Timestamp(seconds: time(Order.u32(header, 0)), nanoseconds: time(Order.u32(header, 4)) &* fractionScale),
                    originalLength: Int(Order.u32(header, 12)),
                    interfaceIndex: 0,
                    linkType: linkType,
                    bytes: rest.extracting(Self.recordHeaderLength ..< Self.recordHeaderLength + caplen))
                offset &+= Self.recordHeaderLength + caplen
                rest = rest.extracting(Self.recordHeaderLength + caplen ..< rest.byteCount)
                try body(packet)
            }
            map.release(before: offset)
        }
        return offset
    }
}

