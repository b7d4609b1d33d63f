// Radiotap (LINKTYPE_IEEE802_11_RADIOTAP 127, https://www.radiotap.org): a little-endian header
// of radio metadata before the 802.11 frame (IEEE80211.swift).
//
//  0          1      2         4                    8 (or later: more presence words)
//  +----------+------+---------+--------------------+----------------+------------
//  | version 0| pad  | length  | present (bit 31:   | fields, each   | 802.11 ...
//  |          |      | (LE16)  | another word)      | naturally aligned
//  +----------+------+---------+--------------------+----------------+------------
//
// The length covers the whole header, so the 802.11 frame is found without decoding the fields.
// Two of them change how that frame is read, and both come first: TSFT (bit 0, 8 bytes, aligned
// to 8) and Flags (bit 1, one byte), whose 0x20 says the 802.11 header is padded to 4 bytes.
// Flag 0x10 (an FCS at the end) needs nothing: the IP length bounds the packet, and the FCS
// after it is a trailer. The presence words are walked to the one without bit 31, at most
// `maximumPresenceWords` of them and never past the header's length.
public enum RadiotapHeader {
    public static let minimumLength = 8
    public static let maximumPresenceWords = 16
    static let tsftBit: UInt32 = 1 << 0
    static let flagsBit: UInt32 = 1 << 1
    static let extendedBit: UInt32 = 1 << 31
    static let dataPadFlag: UInt8 = 0x20

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= minimumLength else { throw .truncated(.radiotap, at: 0, needed: minimumLength, available: frame.count) }
        let version = frame.u8(0)
        guard version == 0 else { throw .badField(.radiotap, "version", value: UInt32(version), at: 0) }
        let length = Int(frame.le16(2))
        guard length >= minimumLength else { throw .badField(.radiotap, "header length", value: UInt32(length), at: 0) }
        guard frame.count >= length else { throw .truncated(.radiotap, at: 0, needed: length, available: frame.count) }
        let present = frame.le32(4)
        var fields = 8
        var word = present
        var words = 1
        while word & extendedBit != 0 {
            guard words < maximumPresenceWords else { throw .badField(.radiotap, "presence words", value: UInt32(words + 1), at: 0) }
            guard length - fields >= 4 else { throw .badField(.radiotap, "header length", value: UInt32(length), at: 0) }
            word = frame.le32(fields)
            fields += 4
            words += 1
        }
        var dataPad = false
        if present & flagsBit != 0 {
            var flagsOffset = fields
            if present & tsftBit != 0 { flagsOffset = (flagsOffset + 7) & ~7 + 8 }
            guard flagsOffset < length else { throw .badField(.radiotap, "header length", value: UInt32(length), at: 0) }
            dataPad = frame.u8(flagsOffset) & dataPadFlag != 0
        }
        return try IEEE80211Header.decode(frame, at: length, linkType: linkType, dataPad: dataPad)
    }
}
