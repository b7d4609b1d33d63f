import CPcap
import ScopeScanWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Classic pcap files (micro- and nanosecond, either byte order) read through libpcap.
public final class PcapFileReader: PacketSource {
    public let name: String
    public private(set) var interfaces: [CaptureInterface]
    private let handle: OpaquePointer
    private let isNanosecond: Bool

    /// Opens `path`; `interfaceName` names the single link, which classic pcap does not record.
    public init(path: String, interfaceName: String? = nil) throws(CaptureError) {
        name = path
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
        while true {
            // The file offset before the record, to name where damage starts.
            let offset = pcap_file(handle).map { Int(ftell($0)) }
            let status = pcap_next_ex(handle, &header, &data)
            if status == 1, let header, let data {
                frame += 1
                let h = header.pointee
                let fraction = Int64(h.ts.tv_usec) * (isNanosecond ? 1 : 1000)
                let packet = CapturedPacket(
                    frameNumber: frame,
                    timestamp: Timestamp(seconds: Int64(h.ts.tv_sec), nanoseconds: fraction),
                    originalLength: Int(h.len),
                    interfaceIndex: 0,
                    linkType: linkType,
                    bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
                try body(packet)
            } else if status == -2 || status == 0 {
                return []
            } else {
                let message = String(cString: pcap_geterr(handle))
                return [CaptureWarning(path: name, offset: offset, message: "stopped after frame \(frame): \(message); frames before it were analysed")]
            }
        }
    }
}
