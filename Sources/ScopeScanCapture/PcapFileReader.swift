import CPcap
import ScopeScanWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    private let handle: OpaquePointer
    private let isNanosecond: Bool
    private let readsPlainRecords: Bool

    /// Opens `path`; `interfaceName` names the single link, which classic pcap does not record.
    public convenience init(path: String, interfaceName: String? = nil) throws(CaptureError) {
        try self.init(path: path, interfaceName: interfaceName, readsPlainRecords: true)
    }

    /// `readsPlainRecords: false` reads every record with `pcap_next_ex`: the tests compare the two.
    init(path: String, interfaceName: String?, readsPlainRecords: Bool) throws(CaptureError) {
        name = path
        self.readsPlainRecords = readsPlainRecords
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            let message = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CaptureError(path: path, message: PcapFileReader.explain(message))
        }
        self.handle = handle
        isNanosecond = pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO
        let linkType = LinkType(UInt32(bitPattern: pcap_datalink(handle)))
        interfaces = [CaptureInterface(index: 0, name: interfaceName, linkType: linkType, snapLength: UInt32(max(0, pcap_snapshot(handle))), timestampResolution: 1_000_000_000)]
    }

    deinit { pcap_close(handle) }

    static func explain(_ libpcapMessage: String) -> String {
        if libpcapMessage.contains("unknown file format") { return "not a pcap or pcapng capture (libpcap: \(libpcapMessage))" }
        if libpcapMessage.contains("truncated dump file") { return "capture ends inside its file header (\(libpcapMessage))" }
        return libpcapMessage
    }

    public func forEachPacket(_ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var frame = 0
        let linkType = interfaces[0].linkType
        let fractionScale: Int64 = isNanosecond ? 1 : 1000
        // The file offset before each record, to name where damage starts. ftell(3) costs an lseek
        // system call on a read stream, too much once per packet, so the offset is tracked by
        // arithmetic: the record header's size is measured on the first record (16 bytes, or 24 in
        // Kuznetzov's format), and ftell resynchronises wherever libpcap may have read more bytes
        // than it reports (a record cut to the snapshot length).
        let stream = pcap_file(handle)
        let snapshot = Int(pcap_snapshot(handle))
        var offset = stream.map { Int(ftell($0)) }
        var recordHeaderSize: Int?
        if readsPlainRecords, let stream, offset == Self.fileHeaderLength, let format = plainFormat(stream) {
            // No record read yet: read the plain ones ourselves, then let libpcap go on from the
            // first record we did not take (or the end, where it reports the end or what follows).
            let resume = try readPlainRecords(fileno(stream), format: format, snapshot: snapshot, frame: &frame, body)
            guard fseeko(stream, off_t(resume), SEEK_SET) == 0 else {
                return [CaptureWarning(path: name, offset: resume, message: "stopped after frame \(frame): \(MappedFile.errnoText("cannot seek")); frames before it were analysed")]
            }
            offset = resume
            recordHeaderSize = Self.recordHeaderLength
        }
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == 1, let header, let data {
                frame += 1
                let h = header.pointee
                let caplen = Int(h.caplen)
                if let before = offset, let stream {
                    if let size = recordHeaderSize, caplen < snapshot {
                        offset = before + size + caplen
                    } else {
                        let after = Int(ftell(stream))
                        if recordHeaderSize == nil && caplen < snapshot { recordHeaderSize = after - before - caplen }
                        offset = after
                    }
                }
                let packet = CapturedPacket(
                    frameNumber: frame,
                    timestamp: Timestamp(seconds: Int64(h.ts.tv_sec), nanoseconds: Int64(h.ts.tv_usec) * fractionScale),
                    originalLength: Int(h.len),
                    interfaceIndex: 0,
                    linkType: linkType,
                    bytes: UnsafeRawBufferPointer(start: data, count: caplen))
                try body(packet)
            } else if status == -2 || status == 0 {
                return []
            } else {
                let message = String(cString: pcap_geterr(handle))
                return [CaptureWarning(path: name, offset: offset, message: "stopped after frame \(frame): \(message); frames before it were analysed")]
            }
        }
    }

    // MARK: - Plain records without libpcap

    // pcap_next_ex costs two fread(3) calls and a copy per record: more than decoding and
    // analysing the packet. The fast path reads the file in large blocks (`SequentialFile`) on
    // libpcap's own descriptor and hands out records in place.

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

    private func plainFormat(_ stream: UnsafeMutablePointer<FILE>) -> PlainFormat? {
        let plainLinkTypes: [LinkType] = [.null, .ethernet, .rawBSD12, .rawBSD14, .raw, .loop, .ipv4, .ipv6, .pktap, .user2]
        guard plainLinkTypes.contains(interfaces[0].linkType) else { return nil }
        var header = [UInt8](repeating: 0, count: Self.fileHeaderLength)
        let count = header.withUnsafeMutableBytes { pread(fileno(stream), $0.baseAddress, $0.count, 0) }
        guard count == Self.fileHeaderLength else { return nil }
        return header.withUnsafeBytes { raw -> PlainFormat? in
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
    }

    /// Reads records from the end of the file header for as long as each is whole in the file and
    /// no longer than the snapshot length (which libpcap would cut or refuse), calling `body` with
    /// the timestamps libpcap would give (its 32-bit fields are signed). Returns the offset of the
    /// first record it did not read.
    private func readPlainRecords(_ fd: Int32, format: PlainFormat, snapshot: Int, frame: inout Int, _ body: (CapturedPacket) throws -> Void) throws -> Int {
        let limit = min(snapshot, 262_144)
        let linkType = interfaces[0].linkType
        let file = SequentialFile(descriptor: fd)
        var offset = Self.fileHeaderLength
        func u32(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 { format.bigEndian ? bytes.be32(at) : bytes.le32(at) }
        while let header = file.bytes(at: offset, length: Self.recordHeaderLength) {
            let caplen = Int(u32(header, 8))
            // `header` is only valid until this next read; the fields below come from `record`.
            guard caplen <= limit, let record = file.bytes(at: offset, length: Self.recordHeaderLength + caplen) else { break }
            let seconds = Int64(Int32(bitPattern: u32(record, 0)))
            let fraction = Int64(Int32(bitPattern: u32(record, 4)))
            frame += 1
            let packet = CapturedPacket(
                frameNumber: frame,
                timestamp: Timestamp(seconds: seconds, nanoseconds: format.nanosecond ? fraction : fraction * 1000),
                originalLength: Int(u32(record, 12)),
                interfaceIndex: 0,
                linkType: linkType,
                bytes: record.tail(from: Self.recordHeaderLength))
            offset += Self.recordHeaderLength + caplen
            try body(packet)
        }
        return offset
    }
}

/// A regular file read front to back in large blocks with pread(2), through one reusable buffer.
///
/// Both capture readers walk their files forwards once (pcapng twice: interfaces first). Reading
/// 256 KiB at a time lets the kernel copy stream the page cache at full speed into a buffer that
/// stays in the CPU's cache, where the record walk then runs; a memory map instead pays a page fault
/// per few pages and a cache miss per record, twice for pcapng, and counts the whole file in the
/// resident set. Nothing beyond the size the file had when opened is read, as with a map.
final class SequentialFile {
    static let blockSize = 1 << 18

    /// The file's size when it was opened.
    let size: Int
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutableRawBufferPointer
    /// The buffer holds the file's bytes `base..<(base + held)`.
    private var base = 0
    private var held = 0

    /// Opens `path` for reading, with the messages a memory map gave.
    init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot open")) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = CaptureError(path: path, message: MappedFile.errnoText("cannot stat"))
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CaptureError(path: path, message: "not a regular file")
        }
        self.fd = fd
        ownsDescriptor = true
        size = Int(info.st_size)
        buffer = .allocate(byteCount: Self.blockSize, alignment: 16)
    }

    /// Reads through a descriptor someone else owns (libpcap's), up to its current size.
    init(descriptor: Int32) {
        var info = stat()
        fd = descriptor
        ownsDescriptor = false
        size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
        buffer = .allocate(byteCount: Self.blockSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Starts reading from the beginning again.
    func rewind() {
        base = 0
        held = 0
    }

    /// The `length` bytes at file offset `offset`, valid until the next call; nil when the file
    /// (as large as it was when opened) ends sooner or cannot be read. Offsets never go backwards.
    @inline(__always) // once or twice per packet; reading more is the rare case, kept out of line
    func bytes(at offset: Int, length: Int) -> UnsafeRawBufferPointer? {
        precondition(offset >= base && length >= 0, "SequentialFile reads forwards")
        guard length <= size - offset else { return nil }
        if offset + length > base + held {
            guard refill(at: offset, length: length) else { return nil }
        }
        return UnsafeRawBufferPointer(start: buffer.baseAddress! + (offset - base), count: length)
    }

    /// Keeps what is held from `offset` on, at the front of the buffer, and reads the rest.
    @inline(never)
    private func refill(at offset: Int, length: Int) -> Bool {
        let kept = max(0, base + held - offset)
        if length > buffer.count {
            var capacity = buffer.count
            while capacity < length { capacity *= 2 }
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
            if kept > 0 { larger.baseAddress!.copyMemory(from: buffer.baseAddress! + (offset - base), byteCount: kept) }
            buffer.deallocate()
            buffer = larger
        } else if kept > 0 && offset > base {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + (offset - base), byteCount: kept)
        }
        base = offset
        held = kept
        while held < length {
            let count = pread(fd, buffer.baseAddress! + held, min(buffer.count, size - base) - held, off_t(base + held))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            held += count
        }
        return true
    }
}
