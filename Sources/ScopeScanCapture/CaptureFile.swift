import ScopeScanSystem

/// Opens a capture file, choosing the reader by its magic number.
public enum CaptureFile {
    public enum Format: String, Sendable {
        case pcap, pcapng
    }

    /// Reads the first four bytes and tells the format, or says what the file is not.
    public static func detectFormat(path: String) throws(CaptureError) -> Format {
        let fd = SystemCalls.openReadOnly(path)
        guard fd >= 0 else {
            throw CaptureError(path: path, message: MappedFile.errnoText("cannot open"))
        }
        defer { SystemCalls.close(fd) }
        guard let magic = SystemCalls.readFully(fd, count: 4) else {
            throw CaptureError(path: path, message: MappedFile.errnoText("cannot read"))
        }
        return try format(magic: magic, path: path)
    }

    /// The format the first four bytes of a capture announce.
    static func format(magic: [UInt8], path: String) throws(CaptureError) -> Format {
        let count = magic.count
        guard count == 4 else {
            throw CaptureError(path: path, message: "not a capture: \(count) bytes, too short for a pcap or pcapng header")
        }
        switch (magic[0], magic[1], magic[2], magic[3]) {
        case (0x0a, 0x0d, 0x0d, 0x0a): return .pcapng
        case (0xa1, 0xb2, 0xc3, 0xd4), (0xd4, 0xc3, 0xb2, 0xa1), // microseconds
             (0xa1, 0xb2, 0x3c, 0x4d), (0x4d, 0x3c, 0xb2, 0xa1), // nanoseconds
             (0xa1, 0xb2, 0xcd, 0x34), (0x34, 0xcd, 0xb2, 0xa1): // Kuznetzov's modified pcap
            return .pcap
        default:
            let hex = magic.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
            throw CaptureError(path: path, message: "not a pcap or pcapng capture: file starts with bytes \(hex), expected a pcap magic (a1 b2 c3 d4), a pcapng section header (0a 0d 0d 0a) or a gzip, zstd or lz4 compressed capture")
        }
    }

    /// The file's size in bytes.
    public static func size(path: String) throws(CaptureError) -> Int {
        guard let size = SystemCalls.fileSize(path: path) else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot stat")) }
        return size
    }

    /// Opens `path` with the reader for its format. `interfaceName` names a classic pcap's single link.
    public static func open(path: String, interfaceName: String? = nil) throws(CaptureError) -> PacketSource {
        switch try detectFormat(path: path) {
        case .pcap: return try PcapFileReader(path: path, interfaceName: interfaceName)
        case .pcapng: return try PcapngReader(path: path)
        }
    }
}
