import ScopeScanAnalysis
import ScopeScanCapture
import ScopeScanRules
import ScopeScanWire

import ScopeScanSystem

/// The live capture running on its own thread while the attempts run on the main one. Each packet
/// is decoded once: the same decode feeds the analyser and the probe's own record of it.
final class ProbeCaptureSession: @unchecked Sendable {
    let capture: LiveCapture
    let analyzer: Analyzer
    let recorder: PcapngWriter?
    /// Written by the capture thread only until `join` returns.
    private(set) var packets: [ProbeSeenPacket] = []
    private(set) var warnings: [CaptureWarning] = []
    private(set) var failure: String?
    private var thread: pthread_t?

    /// The kernel's drop reasons beside the capture, when they could be had.
    var tracer: KernelDropTracer?

    init(capture: LiveCapture, analyzer: Analyzer, recorder: PcapngWriter?) {
        self.capture = capture
        self.analyzer = analyzer
        self.recorder = recorder
    }

    private func loop() {
        do {
            capture.onIdle = { [tracer] now in tracer?.poll(now: now) }
            warnings = try capture.forEachPacket { packet in
                if packet.interfaceIndex >= analyzer.interfaces.interfaces.count { analyzer.updateInterfaces(capture.interfaces) }
                try recorder?.writePacket(interfaceID: packet.interfaceIndex, timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.span, direction: packet.direction)
                var decoded = DecodedPacket()
                PacketDecoder.decode(packet.span, linkType: packet.linkType, into: &decoded)
                tracer?.observe(packet, decoded: decoded)
                packets.append(ProbeSeenPacket(packet, decoded: decoded))
                analyzer.analyse(packet, decoded: decoded, countingPacket: true)
            }
        } catch {
            failure = "capture: \(error)"
        }
    }

    /// Starts the capture loop on its own thread; false if no thread could be made.
    func start() -> Bool {
        thread = System.startThread { [self] in loop() }
        return thread != nil
    }

    func join() {
        if let thread { System.joinThread(thread) }
    }
}
