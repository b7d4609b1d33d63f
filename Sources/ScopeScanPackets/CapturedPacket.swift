import ScopeScanWire

/// Direction recorded by pcapng's epb_flags (bits 0–1).
public enum PacketDirection: UInt8, Sendable {
    case unknown = 0, inbound = 1, outbound = 2
}

/// One packet as a reader hands it out: metadata plus a borrowed view of the frame bytes, valid
/// only during the callback that received it. The readers build it from their buffers (an unsafe
/// step, in ScopeScanCapture); everything downstream reads the frame through `span`.
@safe
public struct CapturedPacket {
    /// 1-based position in the input, counting every packet as Wireshark does.
    public var frameNumber: Int
    public var timestamp: Timestamp
    // The count of the reader's buffer, read without touching its bytes.
    public var capturedLength: Int { unsafe bytes.count }
    public var originalLength: Int
    /// Index into the reader's `interfaces`.
    public var interfaceIndex: Int
    public var linkType: LinkType
    public var direction: PacketDirection
    public var bytes: UnsafeRawBufferPointer
    /// The packet's first pcapng comment (opt_comment, UTF-8), borrowed like `bytes`; empty when
    /// it has none. scopescan's evidence files say here which findings a packet proves.
    public var comment: UnsafeRawBufferPointer

    /// A packet over a buffer the caller keeps alive during the callback (tests build frames in arrays).
    // The default comment is an empty buffer: no address, no bytes to read.
    public init(frameNumber: Int, timestamp: Timestamp, originalLength: Int, interfaceIndex: Int, linkType: LinkType, direction: PacketDirection = .unknown, bytes: UnsafeRawBufferPointer, comment: UnsafeRawBufferPointer = unsafe UnsafeRawBufferPointer(start: nil, count: 0)) {
        self.frameNumber = frameNumber
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.interfaceIndex = interfaceIndex
        self.linkType = linkType
        self.direction = direction
        unsafe self.bytes = bytes // the caller's buffer, valid during the callback (see the type)
        unsafe self.comment = comment // as `bytes`
    }

    /// A packet whose frame (and comment) a reader has as spans: its memory map, libpcap's record
    /// buffer or a stream window. The spans' bytes must stay where they are for as long as the
    /// callback that receives the packet runs, which is what a reader's callback promises.
    /// Inlinable: readers call it once per packet, and a call across the module costs more than
    /// the stores it makes.
    @inlinable
    public init(frameNumber: Int, timestamp: Timestamp, originalLength: Int, interfaceIndex: Int, linkType: LinkType, direction: PacketDirection = .unknown, bytes: RawSpan, comment: RawSpan = RawSpan()) {
        self.frameNumber = frameNumber
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.interfaceIndex = interfaceIndex
        self.linkType = linkType
        self.direction = direction
        // The reader's span becomes the packet's pointer here, for the length of its callback (the
        // packet is escapable, a span is not); `span` turns it back and nothing else reads it.
        unsafe self.bytes = bytes.withUnsafeBytes { unsafe $0 }
        // As the frame: the comment lies in the same block of the reader's buffer.
        unsafe self.comment = comment.withUnsafeBytes { unsafe $0 }
    }

    /// The frame as a borrowed span, which is what the decoder reads (`PacketDecoder.decode`): its
    /// views cannot outlive this packet value, and every read is bounds-checked.
    public var span: RawSpan {
        @_lifetime(borrow self) get {
            // The readers' buffer (a memory map, libpcap's or a stream window) becomes a span here
            // and nowhere else; it holds `bytes.count` bytes for as long as the callback runs.
            unsafe _overrideLifetime(RawSpan(_unsafeBytes: bytes), borrowing: self)
        }
    }

    /// The comment as a borrowed span, like `span`.
    public var commentSpan: RawSpan {
        @_lifetime(borrow self) get {
            // As `span`: the reader's buffer, valid during the callback.
            unsafe _overrideLifetime(RawSpan(_unsafeBytes: comment), borrowing: self)
        }
    }

    /// The comment as text, nil when there is none.
    public var commentText: String? {
        commentSpan.isEmpty ? nil : commentSpan.utf8String()
    }
}

/// A problem that ended reading early; what was read before it is still analysed.
public struct CaptureWarning: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var offset: Int?
    public var message: String

    public init(path: String, offset: Int?, message: String) {
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String {
        if let offset { return "\(path): at byte offset \(offset): \(message)" }
        return "\(path): \(message)"
    }
}

/// Why a capture could not be read at all.
public struct CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A source of packets: a capture file or live interfaces.
public protocol PacketSource: AnyObject {
    /// The file path or interface list, for messages.
    var name: String { get }
    /// Interfaces known so far (a pcapng file may describe more as it goes).
    var interfaces: [CaptureInterface] { get }
    /// Whether the last pass came upon an interface description after packets had been delivered:
    /// those packets were delivered before it was known. A pass started now knows it from the start.
    var describedInterfacesLate: Bool { get }
    /// Reads packets in order, calling `body` for each. Returns warnings about damage that stopped
    /// reading early; throws only for errors in `body`.
    func forEachPacket(_ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning]
    /// For a stream (a pipe, a compressed capture): the private copy of its bytes kept for a
    /// second pass, which `--report` and `--evidence` read; nil for files read in place.
    var copyPath: String? { get }
}

extension PacketSource {
    public var describedInterfacesLate: Bool { false }
    public var copyPath: String? { nil }
}
