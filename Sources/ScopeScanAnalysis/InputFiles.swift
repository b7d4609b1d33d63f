import ScopeScanCapture
import ScopeScanWire

/// Opening inputs the same way for every command: one clear line and exit 2 on failure.
public enum InputFiles {
    /// Opens `path`: a capture file (mapped), or `-`, a pipe, a FIFO or a compressed capture
    /// (streamed; `copy` says when to keep a copy for a second pass).
    public static func open(_ path: String, interfaceName: String?, copy: CaptureStream.Copy = .whenNeeded) throws(ScopeScanError) -> PacketSource {
        let source: PacketSource
        do {
            source = try CaptureStream.open(path: path, interfaceName: interfaceName, copy: copy)
        } catch {
            throw ScopeScanError(error.description)
        }
        if !(source is PcapngReader), let link = source.interfaces.first?.linkType, !link.isSupported {
            throw ScopeScanError("\(path): link type \(link.rawValue) (\(link.name)) is not supported; scopescan reads \(LinkType.supported.map { "\($0.rawValue) \($0.name)" }.joined(separator: ", "))")
        }
        return source
    }

    public static func filter(_ expression: String?) throws(ScopeScanError) -> PacketFilter? {
        guard let expression else { return nil }
        do {
            return try PacketFilter(expression: expression)
        } catch {
            throw ScopeScanError(error.description)
        }
    }
}
