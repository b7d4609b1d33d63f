import ScopeScanWire

/// Classic pcap read from a stream (a pipe, a FIFO, a decompressor): the file header, then one
/// record at a time through a bounded window, so nothing needs to be seekable or mapped.
///
/// Files are read as libpcap reads them: micro- or nanosecond magic in either byte order, the
/// modified format's 24-byte record headers, a record longer than the snapshot length cut to it,
/// the link type named as libpcap names it (LINKTYPE_RAW 101 is DLT_RAW 12), 32-bit time fields
/// signed in this host's byte order and unsigned when swapped. A record longer than 16 MiB, or
/// one cut short by the end of the stream, stops reading with a warning naming its offset.
final class PcapStreamReader {
    static let maximumRecord = 16 << 20

    let name: String
    let linkType: LinkType
    let snapLength: UInt32
    private let input: StreamWindow
    private let bigEndian: Bool
    private let nanosecond: Bool
    private let recordHeaderLength: Int

    /// Reads the file header from `input`; throws when it is not classic pcap.
    init(name: String, input: StreamWindow) throws(CaptureError) {
        self.name = name
        self.input = input
        guard input.need(24) else {
            if let problem = input.endProblem {
                throw CaptureError(path: name, message: "capture ends inside its file header: \(problem.message)")
            }
            throw CaptureError(path: name, message: "capture ends inside its file header (\(input.window.count) of 24 bytes)")
        }
        let header = input.window
        switch header.be32(0) {
        case 0xa1b2_c3d4: (bigEndian, nanosecond, recordHeaderLength) = (true, false, 16)
        case 0xa1b2_3c4d: (bigEndian, nanosecond, recordHeaderLength) = (true, true, 16)
        case 0xa1b2_cd34: (bigEndian, nanosecond, recordHeaderLength) = (true, false, 24)
        case 0xd4c3_b2a1: (bigEndian, nanosecond, recordHeaderLength) = (false, false, 16)
        case 0x4d3c_b2a1: (bigEndian, nanosecond, recordHeaderLength) = (false, true, 16)
        case 0x34cd_b2a1: (bigEndian, nanosecond, recordHeaderLength) = (false, false, 24)
        default: throw CaptureError(path: name, message: "not a pcap capture: magic 0x\(String(header.be32(0), radix: 16))")
        }
        let major = bigEndian ? header.be16(4) : header.le16(4)
        guard major == 2 else {
            throw CaptureError(path: name, message: "not a pcap or pcapng capture: pcap format version \(major), expected 2")
        }
        snapLength = bigEndian ? header.be32(16) : header.le32(16)
        let raw = (bigEndian ? header.be32(20) : header.le32(20)) & 0x03ff_ffff
        linkType = raw == LinkType.raw.rawValue ? .rawBSD12 : LinkType(raw)
        input.consume(24)
    }

    func forEachPacket(frame: inout Int, _ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        let hostOrder = bigEndian == (1.bigEndian == 1)
        let bigEndian = self.bigEndian
        // A local reference: the window's spans borrow it for as long as they are read.
        let input = self.input
        let header = recordHeaderLength
        let snapshot = snapLength == 0 ? Int.max : Int(snapLength)
        func u32(_ data: RawSpan, _ at: Int) -> UInt32 { bigEndian ? data.be32(at) : data.le32(at) }
        func time(_ field: UInt32) -> Int64 { hostOrder ? Int64(Int32(bitPattern: field)) : Int64(field) }
        func stop(_ message: String) -> [CaptureWarning] {
            if let problem = input.endProblem {
                return [CaptureWarning(path: name, offset: problem.offset, message: "\(problem.message); stopped after frame \(frame), frames before it were analysed")]
            }
            return [CaptureWarning(path: name, offset: input.offset, message: "stopped after frame \(frame): \(message); frames before it were analysed")]
        }
        while true {
            guard input.need(header) else {
                if input.window.isEmpty {
                    if let problem = input.endProblem {
                        return [CaptureWarning(path: name, offset: problem.offset, message: "\(problem.message); stopped after frame \(frame), frames before it were analysed")]
                    }
                    return []
                }
                return stop("truncated dump file; tried to read \(header) header bytes, only got \(input.window.count)")
            }
            let caplen = Int(u32(input.window, 8))
            guard caplen <= Self.maximumRecord else {
                return stop("invalid packet capture length \(caplen), bigger than the \(Self.maximumRecord) bytes a record may have")
            }
            guard input.need(header + caplen) else {
                return stop("truncated dump file; tried to read \(caplen) captured bytes, only got \(input.window.count - header)")
            }
            let data = input.window
            let seconds = time(u32(data, 0))
            let fraction = time(u32(data, 4))
            frame += 1
            try body(CapturedPacket(
                frameNumber: frame,
                timestamp: Timestamp(seconds: seconds, nanoseconds: nanosecond ? fraction : fraction * 1000),
                originalLength: Int(u32(data, 12)),
                interfaceIndex: 0,
                linkType: linkType,
                bytes: data.extracting(header ..< header + min(caplen, snapshot))))
            input.consume(header + caplen)
        }
    }
}
