import ScopeScanSystem
import ScopeScanWire

/// Inputs that are not regular uncompressed files: `-` (standard input), pipes, FIFOs,
/// `/dev/stdin`, and compressed captures (gzip, zstd, LZ4 frame, from files or pipes), read as a
/// stream. Regular uncompressed files keep the memory-mapped readers (`CaptureFile.open`).
public enum CaptureStream {
    /// When to keep a copy of a stream, which cannot be read twice, for a second pass.
    public enum Copy: Sendable {
        /// Never (decode reads once).
        case never
        /// For pcapng, whose interfaces may be described late and then need a second pass.
        case whenNeeded
        /// Always (`--report`, `--evidence` read the input again).
        case always
    }

    /// Opens `path` (`-` is standard input), streaming it unless it is a regular uncompressed
    /// file, which `CaptureFile.open` maps.
    public static func open(path: String, interfaceName: String? = nil, copy: Copy = .whenNeeded) throws(CaptureError) -> PacketSource {
        let isStandardInput = path == "-"
        let fd = isStandardInput ? 0 : SystemCalls.openReadOnly(path)
        guard fd >= 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot open")) }
        guard let status = SystemCalls.status(fd) else {
            let error = CaptureError(path: path, message: MappedFile.errnoText("cannot stat"))
            if !isStandardInput { SystemCalls.close(fd) }
            throw error
        }
        if status.isRegular && !isStandardInput {
            let magic = SystemCalls.read(fd, count: 4, at: 0) ?? []
            if magic.count < 2 || Compression.detect(magic) == nil {
                SystemCalls.close(fd)
                return try CaptureFile.open(path: path, interfaceName: interfaceName)
            }
        }
        guard let prefix = DescriptorStream.readFully(fd, count: 4) else {
            let error = CaptureError(path: path, message: MappedFile.errnoText("cannot read"))
            if !isStandardInput { SystemCalls.close(fd) }
            throw error
        }
        var stream: ByteStream = DescriptorStream(fd: fd, ownsDescriptor: !isStandardInput, prefix: prefix)
        let compression = Compression.detect(prefix)
        if let compression { stream = DecompressingStream(source: stream, compression: compression) }
        let window = StreamWindow(stream)
        window.need(4)
        let magic = window.window.head(4).array
        let format: CaptureFile.Format
        do {
            format = try CaptureFile.format(magic: magic, path: path)
        } catch {
            if let compression, let problem = window.endProblem {
                throw CaptureError(path: path, message: "\(compression.rawValue)-compressed, but \(problem.message)\(problem.offset.map { " at byte offset \($0)" } ?? "")")
            }
            throw CaptureError(path: path, message: compression.map { "\($0.rawValue)-compressed, but " } .map { $0 + error.message } ?? error.message)
        }
        let spool: Spool?
        switch (copy, format) {
        case (.always, _), (.whenNeeded, .pcapng): spool = try Spool()
        default: spool = nil
        }
        window.spool = spool
        switch format {
        case .pcapng: return try PcapngReader(name: path, stream: window, spool: spool)
        case .pcap:
            let reader = try PcapStreamReader(name: path, input: window)
            return StreamedPcapSource(reader: reader, spool: spool, interfaceName: interfaceName)
        }
    }
}

/// A classic pcap stream: the first pass reads the stream, later ones the spool's copy of it
/// through the mapped reader.
final class StreamedPcapSource: PacketSource {
    var name: String { reader.name }
    let interfaces: [CaptureInterface]
    private var reader: PcapStreamReader
    private var firstPassDone = false
    private let spool: Spool?
    private let interfaceName: String?

    init(reader: PcapStreamReader, spool: Spool?, interfaceName: String?) {
        self.reader = reader
        self.spool = spool
        self.interfaceName = interfaceName
        interfaces = [CaptureInterface(index: 0, name: interfaceName, linkType: reader.linkType, snapLength: reader.snapLength, timestampResolution: 1_000_000_000)]
    }

    var copyPath: String? { spool?.path }

    func forEachPacket(_ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        if !firstPassDone {
            firstPassDone = true
            var frame = 0
            return try reader.forEachPacket(frame: &frame, body)
        }
        guard let spool, spool.problem == nil else {
            return [CaptureWarning(path: name, offset: nil, message: "cannot read the stream a second time: \(spool?.problem ?? "no copy was kept")")]
        }
        return try PcapFileReader(path: spool.path, interfaceName: interfaceName, readsPlainRecords: true, name: name).forEachPacket(body)
    }
}
