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
    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif

    /// The kernel's drop reasons beside the capture, when they could be had.
    var tracer: KernelDropTracer?

    init(capture: LiveCapture, analyzer: Analyzer, recorder: PcapngWriter?) {
        self.capture = capture
        self.analyzer = analyzer
        self.recorder = recorder
    }

    /// The pcapng the capture is kept in (-w, or the scratch file the report and evidence are read from).
    static func makeRecorder(path: String, interfaces: [CaptureInterface], names: [String], owner: FileOwner?) throws -> PcapngWriter {
        do {
            let writer = try PcapngWriter(path: path, comment: "scopescan \(ScopeScanVersion.current) live capture on \(names.joined(separator: ", "))", application: "scopescan", owner: owner)
            for interface in interfaces { try writer.addInterface(interface) }
            return writer
        } catch {
            throw ScopeScanError(error.description)
        }
    }

    /// The same, through an open scratch file.
    static func makeRecorder(descriptor: Int32, path: String, interfaces: [CaptureInterface], names: [String]) throws -> PcapngWriter {
        do {
            let writer = try PcapngWriter(descriptor: descriptor, path: path, comment: "scopescan \(ScopeScanVersion.current) live capture on \(names.joined(separator: ", "))", application: "scopescan")
            for interface in interfaces { try writer.addInterface(interface) }
            return writer
        } catch {
            throw ScopeScanError(error.description)
        }
    }

    private func loop() {
        do {
            capture.onIdle = { [tracer] now in tracer?.poll(now: now) }
            warnings = try capture.forEachPacket { packet in
                tracer?.observe(packet)
                if packet.interfaceIndex >= analyzer.interfaces.interfaces.count { analyzer.updateInterfaces(capture.interfaces) }
                try recorder?.writePacket(interfaceID: packet.interfaceIndex, timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.bytes, direction: packet.direction)
                var decoded = DecodedPacket()
                PacketDecoder.decode(packet.bytes, linkType: packet.linkType, into: &decoded)
                packets.append(ProbeSeenPacket(packet, decoded: decoded))
                analyzer.analyse(packet, decoded: decoded, countingPacket: true)
            }
        } catch {
            failure = "capture: \(error)"
        }
    }

    /// Starts the capture loop on its own thread; false if no thread could be made.
    func start() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { raw in
            #if canImport(Darwin)
            let session = Unmanaged<ProbeCaptureSession>.fromOpaque(raw).takeRetainedValue()
            #else
            let session = Unmanaged<ProbeCaptureSession>.fromOpaque(raw!).takeRetainedValue()
            #endif
            session.loop()
            return nil
        }, context)
        if status != 0 { Unmanaged<ProbeCaptureSession>.fromOpaque(context).release() }
        return status == 0
    }

    func join() {
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
    }
}
