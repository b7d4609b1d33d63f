// Linux "cooked" captures, as `tcpdump -i any` writes them.
//
// SLL (v1, 16 bytes):  packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
// SLL2 (20 bytes):     protocol(2) reserved(2) interface index(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
public enum LinuxSLLHeader {
    public static let headerLength = 16

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else {
            throw .truncated(.sll, at: 0, needed: headerLength, available: frame.count)
        }
        var layer = LinkLayer(linkType: linkType, networkProtocol: EtherType(rawValue: frame.be16(14)), headerLength: headerLength)
        layer.arphrd = frame.be16(2)
        return layer
    }
}

public enum LinuxSLL2Header {
    public static let headerLength = 20

    @_lifetime(copy frame)
    static func decode(_ frame: RawSpan, linkType: LinkType) throws(DecodeError) -> LinkLayer {
        guard frame.count >= headerLength else {
            throw .truncated(.sll2, at: 0, needed: headerLength, available: frame.count)
        }
        var layer = LinkLayer(linkType: linkType, networkProtocol: EtherType(rawValue: frame.be16(0)), headerLength: headerLength)
        layer.interfaceIndex = frame.be32(4)
        layer.arphrd = frame.be16(8)
        return layer
    }
}
