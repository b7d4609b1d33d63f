// Apple PKTAP (LINKTYPE_PKTAP 258; Apple's own tools write DLT_USER2 149): a little-endian header
// naming the interface and process of each packet, then the packet in its own link type.
//
//   0 pth_length   4 pth_type_next   8 pth_dlt   12 pth_ifname[24]   36 pth_flags
//  40 pth_protocol_family  44 pth_frame_pre_length  48 pth_frame_post_length
//  52 pth_pid  56 pth_comm[17]  76 pth_svc  80 pth_iftype(2)  82 pth_ifunit(2)
//  84 pth_epid  88 pth_ecomm[17] 108 pth_flowid 112 pth_ipproto 116 pth_tstamp(8)
// 124 pth_uuid(16) 140 pth_euuid(16) = 156
public struct PKTAPHeaderView: ~Escapable {
    /// The fields up to and including pth_comm must be present to name interface and process.
    public static let minimumLength = 73
    static let interfaceNameRange = 12..<36
    static let processNameRange = 56..<73

    public let header: RawSpan

    @_lifetime(copy header)
    init(header: RawSpan) { self.header = header }

    public var length: Int { Int(header.le32(0)) }
    public var innerLinkType: LinkType { LinkType(header.le32(8)) }
    public var processID: Int32 { Int32(bitPattern: header.le32(52)) }

    /// The interface name, without the NUL padding (raw bytes: no String is built per packet).
    public var interfaceNameBytes: RawSpan {
        @_lifetime(copy self) get { Self.cString(header, Self.interfaceNameRange) }
    }
    public var processNameBytes: RawSpan {
        @_lifetime(copy self) get { Self.cString(header, Self.processNameRange) }
    }

    public var interfaceName: String { interfaceNameBytes.utf8String() }
    public var processName: String { processNameBytes.utf8String() }

    @_lifetime(copy bytes)
    static func cString(_ bytes: RawSpan, _ range: Range<Int>) -> RawSpan {
        let field = bytes.extracting(range)
        let end = field.firstIndex(of: 0) ?? field.count
        return field.head(end)
    }

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= 8 else { throw .truncated(.pktap, at: 0, needed: 8, available: frame.count) }
        let length = Int(frame.le32(0))
        guard length >= minimumLength else { throw .badField(.pktap, "header length", value: UInt32(length), at: 0) }
        guard frame.count >= length else { throw .truncated(.pktap, at: 0, needed: length, available: frame.count) }
        let view = PKTAPHeaderView(header: frame.head(length))
        let innerFrame = frame.tail(from: length)
        let inner = view.innerLinkType
        guard inner != .pktap, inner != .user2 else { throw .badField(.pktap, "inner link type", value: inner.rawValue, at: 8) }
        var layer: LinkLayer
        do {
            layer = try LinkDecoder.decode(innerFrame, linkType: inner)
        } catch {
            var shifted = error
            shifted.offset += length
            throw shifted
        }
        layer.headerLength += length
        layer.pktap = view
        layer.linkType = linkType
        return layer
    }
}
