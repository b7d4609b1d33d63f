import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis

import ScopeScanSystem

/// "reading capture.pcapng: 42%" on stderr, only when stderr is a terminal and the file is big
/// enough for the wait to be noticed. It covers every pass over the input: the analysis (twice
/// when a pcapng file describes an interface late), the second pass that writes the report and
/// evidence, and the input's SHA-256 if that is still running when the pass ends, so the line
/// never goes quiet while scopescan works. Looks at the count once per 16384 packets.
final class ProgressLine {
    /// The input as the user named it.
    private let path: String
    /// What is being done to it: "reading", "reading … again for the report and evidence".
    private let phase: String
    private let size: Int
    private var bytes = 0
    private var packets = 0
    private var lastShown: Int = -1
    private var active: Bool
    private var showsHashing = false

    static let minimumSize = 8 << 20

    /// The analysis of `path`. Bytes read are counted against the file's size: not for
    /// compressed files, whose plain bytes outnumber the file's (detectFormat knows only
    /// uncompressed magic numbers), nor for pipes.
    convenience init?(path: String) {
        self.init(path: path, reading: path, phase: "reading")
    }

    /// The evidence pass: `file` is what is read (the input, or the private copy of a stream or
    /// a compressed input, whose size is known), `path` what the line names.
    convenience init?(evidenceFrom file: String, path: String) {
        self.init(path: path, reading: file, phase: "reading", after: " again for the report and evidence")
    }

    private let after: String

    private init?(path: String, reading file: String, phase: String, after: String = "") {
        guard isatty(2) == 1, let size = try? CaptureFile.size(path: file), size >= Self.minimumSize,
              (try? CaptureFile.detectFormat(path: file)) != nil else { return nil }
        self.path = path
        self.phase = phase
        self.after = after
        self.size = size
        active = true
    }

    func advance(bytes count: Int) {
        bytes += count
        packets += 1
        guard active, packets & 16383 == 0 else { return }
        let percent = min(99, bytes * 100 / max(1, size))
        if percent != lastShown {
            lastShown = percent
            FileHandleWriter.standardErrorControl("\rscopescan: \(phase) \(DisplayText.escaped(path))\(after): \(percent)% (\(packets) packets)\u{1b}[K")
        }
    }

    /// The pass is over and the input's digest is still being computed: `hashed` of `total` bytes.
    func hashing(_ hashed: Int, of total: Int) {
        guard active else { return }
        let percent = min(99, hashed * 100 / max(1, total))
        if percent != lastShown || !showsHashing {
            showsHashing = true
            lastShown = percent
            FileHandleWriter.standardErrorControl("\rscopescan: hashing \(DisplayText.escaped(path)) (SHA-256): \(percent)%\u{1b}[K")
        }
    }

    /// What the evidence pass reports to the line.
    var evidenceProgress: EvidenceProgress {
        EvidenceProgress(eachPacket: { [self] in advance(bytes: $0.capturedLength + 16) }, hashing: { [self] in hashing($0, of: $1) })
    }

    /// The file is read a second time (`CaptureAnalysis`): count from the start again.
    func startOver() {
        bytes = 0
        packets = 0
        lastShown = -1
    }

    func finish() {
        guard active, lastShown >= 0 else { return }
        active = false
        FileHandleWriter.standardErrorControl("\r\u{1b}[K")
    }
}
