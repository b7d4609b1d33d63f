// IEEE 802.11 data frames (LINKTYPE_IEEE802_11 105; after radiotap, Radiotap.swift), IEEE Std
// 802.11-2020 section 9.3.2.1. Fields are little-endian.
//
//  0           2          4     10    16    22         24     30          +2          +4
//  +-----------+----------+-----+-----+-----+----------+------+-----------+-----------+------
//  | frame     | duration | A1  | A2  | A3  | sequence | A4   | QoS       | HT        | LLC/SNAP ...
//  | control   |          |     |     |     | control  | (*1) | control(*2)| control(*3)|
//  +-----------+----------+-----+-----+-----+----------+------+-----------+-----------+------
//  (*1) only with both To DS and From DS set (a 4-address frame, WDS / mesh)
//  (*2) only in QoS data subtypes (subtype bit 3)
//  (*3) only in QoS frames with the +HTC/Order flag
//
// Frame control: version (2 bits, 0), type (2 bits, 2 = data), subtype (4 bits), then the flags
// byte: To DS 0x01, From DS 0x02, More Fragments 0x04, Protected 0x40, +HTC/Order 0x80.
// Management and control frames, null-data subtypes (bit 2: no body), protected frames
// (encrypted: nothing to read), fragments and A-MSDUs are link-only frames, not errors.
public enum IEEE80211Header {
    public static let baseHeaderLength = 24
    static let dataType: UInt8 = 2
    static let toDS: UInt8 = 0x01
    static let fromDS: UInt8 = 0x02
    static let moreFragments: UInt8 = 0x04
    static let protected: UInt8 = 0x40
    static let order: UInt8 = 0x80

    /// Decodes the 802.11 frame at `start`. `dataPad`: radiotap's flag saying the header is padded
    /// to a multiple of 4 bytes.
    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, at start: Int, linkType: LinkType, dataPad: Bool = false) throws(DecodeError) -> LinkLayer {
        let linkOnly = LinkLayer(linkType: linkType, networkProtocol: EtherType(rawValue: 0), headerLength: frame.count)
        guard frame.count - start >= 2 else { throw .truncated(.ieee80211, at: start, needed: 2, available: max(0, frame.count - start)) }
        let control = frame.u8(start)
        let flags = frame.u8(start + 1)
        let version = control & 0x03
        guard version == 0 else { throw .badField(.ieee80211, "protocol version", value: UInt32(version), at: start) }
        let type = (control >> 2) & 0x03
        let subtype = control >> 4
        guard type == dataType, subtype & 0x04 == 0 else { return linkOnly }
        let qos = subtype & 0x08 != 0
        var length = baseHeaderLength
        if flags & toDS != 0 && flags & fromDS != 0 { length += 6 }
        let qosOffset = start + length
        if qos { length += 2 }
        if qos && flags & order != 0 { length += 4 }
        guard frame.count - start >= length else { throw .truncated(.ieee80211, at: start, needed: length, available: frame.count - start) }
        let fragmentNumber = frame.le16(start + 22) & 0x000f
        let aggregate = qos && frame.u8(qosOffset) & 0x80 != 0
        guard flags & protected == 0, flags & moreFragments == 0, fragmentNumber == 0, !aggregate else { return linkOnly }
        if dataPad { length = (length + 3) & ~3 }
        let (network, end) = try LLCSNAP.decode(frame, at: start + length)
        return LinkLayer(linkType: linkType, networkProtocol: network, headerLength: end)
    }
}
