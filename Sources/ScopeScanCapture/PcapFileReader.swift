import CPcap
import ScopeScanWire

import ScopeScanSystem

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
    init(path: String, interfaceName: String?, readsPlainRecords: Bool, name: String? = nil) throws(CaptureError) {
        self.name = name ?? path
        self.readsPlainRecords = readsPlainRecords
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            throw CaptureError(path: path, message: PcapFileReader.explain(libpcapErrorText(errorBuffer)))
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
    /// the timestamps libpcap gives: its 32-bit time fields are signed when the file is in this
    /// host's byte order, and come out of its byte swap unsigned when not. Returns the offset of
    /// the first record it did not read (the end of the header when the file cannot be mapped).
    private func readPlainRecords(_ fd: Int32, format: PlainFormat, snapshot: Int, frame: inout Int, _ body: (CapturedPacket) throws -> Void) throws -> Int {
        guard let map = MappedFile(descriptor: fd) else { return Self.fileHeaderLength }
        let data = map.bytes
        let limit = min(snapshot, 262_144)
        let linkType = interfaces[0].linkType
        let hostOrder = format.bigEndian == (1.bigEndian == 1)
        func u32(_ at: Int) -> UInt32 { format.bigEndian ? data.be32(at) : data.le32(at) }
        func time(_ field: UInt32) -> Int64 { hostOrder ? Int64(Int32(bitPattern: field)) : Int64(field) }
        var offset = Self.fileHeaderLength
        while data.count - offset >= Self.recordHeaderLength {
            let caplen = Int(u32(offset + 8))
            guard caplen <= limit, caplen <= data.count - offset - Self.recordHeaderLength else { break }
            let seconds = time(u32(offset))
            let fraction = time(u32(offset + 4))
            frame += 1
            let packet = CapturedPacket(
                frameNumber: frame,
                timestamp: Timestamp(seconds: seconds, nanoseconds: format.nanosecond ? fraction : fraction * 1000),
                originalLength: Int(u32(offset + 12)),
                interfaceIndex: 0,
                linkType: linkType,
                bytes: UnsafeRawBufferPointer(start: data.baseAddress! + offset + Self.recordHeaderLength, count: caplen))
            offset += Self.recordHeaderLength + caplen
            try body(packet)
            map.release(before: offset)
        }
        return offset
    }
}

/// The text libpcap wrote into an error buffer (NUL-terminated, PCAP_ERRBUF_SIZE bytes).
func libpcapErrorText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
