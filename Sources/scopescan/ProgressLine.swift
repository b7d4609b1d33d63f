import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis

import ScopeScanSystem

/// "reading capture.pcapng: 42%" on stderr, only when stderr is a terminal and the file is big
/// enough for the wait to be noticed. Checks the clock once per 16384 packets.
final class ProgressLine {
    private let path: String
    private let size: Int
    private var bytes = 0
    private var packets = 0
    private var lastShown: Int = -1
    private var active: Bool

    static let minimumSize = 8 << 20

    init?(path: String) {
        // Bytes read are counted against the file's size: not for compressed files, whose plain
        // bytes outnumber the file's (detectFormat knows only uncompressed magic numbers).
        guard isatty(2) == 1, let size = try? CaptureFile.size(path: path), size >= Self.minimumSize,
              (try? CaptureFile.detectFormat(path: path)) != nil else { return nil }
        self.path = path
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
            FileHandleWriter.standardErrorControl("\rscopescan: reading \(DisplayText.escaped(path)): \(percent)% (\(packets) packets)")
        }
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
