import ScopeScanCapture

/// The pcapng a live capture keeps every packet in (`capture -w`, `probe -w`, or the scratch file
/// their report and evidence are read from): the writer `make` opens, with an interface block per
/// capture interface, flushed so that even a capture killed at once leaves a readable file.
public enum LiveRecorder {
    public static func make(_ make: () throws(CaptureError) -> PcapngWriter, interfaces: [CaptureInterface]) throws(ScopeScanError) -> PcapngWriter {
        do {
            let recorder = try make()
            for interface in interfaces { try recorder.addInterface(interface) }
            try recorder.flush()
            return recorder
        } catch {
            throw ScopeScanError(error.description)
        }
    }
}
