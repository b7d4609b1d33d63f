// libFuzzer harness for the capture file readers and everything behind them.
//
// Input: the bytes of a capture file (classic pcap or pcapng). The harness writes them to a file in
// /dev/shm, because both readers map their file and libpcap opens it by path, and then:
//   * classic pcap: reads it with the plain-record fast path and with pcap_next_ex alone
//     (`readsPlainRecords: false`), and requires the same packets (frame, time, lengths,
//     interface, bytes) and the same warnings: libpcap is the oracle for the fast path;
//   * pcapng: reads it with the packet-run loop and with the block walk alone
//     (`readsPacketRuns: false`), twice each, and requires the same packets (direction and comment
//     too), warnings and interfaces: the walk is the oracle for the loop;
//   * any capture: checks what the reader hands out (frame numbers increase, each packet names an
//     interface the reader describes, its bytes can be read end to end), runs the whole analysis
//     as `scopescan analyze` does (`CaptureAnalysis.run`, every rule) and formats each finding,
//     the summary and each packet as text and JSON, as `analyze` and `decode` print them, and the
//     Markdown report; no text output may hold a raw control character (ESC, CR, C1, U+2028, …:
//     DisplayText escapes whatever the capture's names and comments hold), and a `decode` line
//     is one line. Fixtures/hostile-strings.pcapng seeds this.
// On top of that, AddressSanitizer watches every heap read and, in -Onone builds, Swift's bounds
// preconditions trap on a read outside a buffer view (which is how reads of the mapped file are
// checked: ASan does not watch mmap'd memory).
//
// Built against the ScopeScanWire, ScopeScanCapture, ScopeScanRules and ScopeScanReport modules
// compiled with the same instrumentation (Fuzz/build.sh).

import ScopeScanWire
@testable import ScopeScanCapture
import ScopeScanRules
import ScopeScanReport
import ScopeScanAnalysis
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var sink: UInt64 = 0
@inline(__always) func use<T: BinaryInteger>(_ value: T) { sink = sink &* 31 &+ UInt64(truncatingIfNeeded: value) }
@inline(__always) func use(_ text: String) { use(text.utf8.count) }

/// One packet as a reader delivers it, owned, so the two pcap paths can be compared.
struct Delivered: Equatable, CustomStringConvertible {
    var frame: Int
    var nanoseconds: Int64
    var originalLength: Int
    var interface: Int
    var linkType: UInt32
    var direction: UInt8
    var bytes: [UInt8]
    var comment: [UInt8]

    init(_ packet: CapturedPacket) {
        frame = packet.frameNumber
        nanoseconds = packet.timestamp.nanoseconds
        originalLength = packet.originalLength
        interface = packet.interfaceIndex
        linkType = packet.linkType.rawValue
        direction = packet.direction.rawValue
        bytes = Array(packet.bytes)
        comment = Array(packet.comment)
    }

    var description: String { "frame \(frame) t=\(nanoseconds) len \(originalLength) caplen \(bytes.count) if \(interface) dlt \(linkType)" }
}

func readAll(_ source: PacketSource) -> (packets: [Delivered], warnings: [String])? {
    var packets: [Delivered] = []
    guard let warnings = try? source.forEachPacket({ packets.append(Delivered($0)) }) else { return nil }
    return (packets, warnings.map(\.description))
}

/// The invariant of every text output: nothing a terminal acts on, from whatever the input held.
/// `newlines`: the output is several lines (a finding block, the summary, the report).
func requireNoRawControls(_ text: String, _ what: String, newlines: Bool = false) {
    for scalar in text.unicodeScalars where DisplayText.isEscaped(scalar) && !(newlines && scalar == "\n") {
        fatalError("\(what): raw control U+\(String(scalar.value, radix: 16)) in \(text.debugDescription)")
    }
}

/// A file holding the input: /dev/shm, so nothing touches a disk.
let inputPath = "/dev/shm/scopescan-reader-fuzz-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fd = open(inputPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot create \(inputPath)")
    var written = 0
    while written < size {
        let n = write(fd, data + written, size - written)
        precondition(n > 0, "cannot write \(inputPath)")
        written += n
    }
    close(fd)
    defer { unlink(inputPath) }

    guard let format = try? CaptureFile.detectFormat(path: inputPath) else { return 0 }
    if format == .pcap {
        // The fast path must deliver exactly what libpcap delivers.
        guard let fast = try? PcapFileReader(path: inputPath, interfaceName: nil, readsPlainRecords: true),
              let slow = try? PcapFileReader(path: inputPath, interfaceName: nil, readsPlainRecords: false) else { return 0 }
        let a = readAll(fast), b = readAll(slow)
        guard let a, let b else { fatalError("a reader threw without a body error") }
        if a.packets != b.packets || a.warnings != b.warnings {
            let first = zip(a.packets, b.packets).first { $0 != $1 }
            fatalError("plain-record path differs from pcap_next_ex: \(a.packets.count) vs \(b.packets.count) packets, first difference \(first.map { "\($0.0) / \($0.1)" } ?? "-"), warnings \(a.warnings) / \(b.warnings)")
        }
    }

    if format == .pcapng {
        // The packet-run loop must deliver exactly what the block walk delivers, on both passes
        // (the second starts knowing the interfaces the first described).
        guard let runs = try? PcapngReader(path: inputPath, readsPacketRuns: true),
              let walk = try? PcapngReader(path: inputPath, readsPacketRuns: false) else { return 0 }
        for pass in 1 ... 2 {
            let a = readAll(runs), b = readAll(walk)
            guard let a, let b else { fatalError("a reader threw without a body error") }
            if a.packets != b.packets || a.warnings != b.warnings || runs.interfaces != walk.interfaces || runs.describedInterfacesLate != walk.describedInterfacesLate {
                let first = zip(a.packets, b.packets).first { $0 != $1 }
                fatalError("pass \(pass): packet runs differ from the block walk: \(a.packets.count) vs \(b.packets.count) packets, first difference \(first.map { "\($0.0) / \($0.1)" } ?? "-"), warnings \(a.warnings) / \(b.warnings), \(runs.interfaces.count) / \(walk.interfaces.count) interfaces")
            }
        }
    }

    guard let source = try? CaptureFile.open(path: inputPath, interfaceName: nil) else { return 0 }
    var lastFrame = 0
    var formatted = 0
    let checked = try? source.forEachPacket { packet in
        precondition(packet.frameNumber > lastFrame, "frame \(packet.frameNumber) after \(lastFrame)")
        lastFrame = packet.frameNumber
        precondition(packet.interfaceIndex >= 0 && packet.interfaceIndex < source.interfaces.count, "frame \(packet.frameNumber): interface \(packet.interfaceIndex) of \(source.interfaces.count)")
        for byte in packet.bytes { use(byte) }
        // Format the first packets as `decode` prints them (all of them would dominate the run time).
        if formatted < 64 {
            formatted += 1
            let decoded = PacketDecoder.decode(packet.span, linkType: packet.linkType)
            let name = source.interfaces[packet.interfaceIndex].name
            let line = PacketFormatter.text(packet, decoded, interface: name)
            requireNoRawControls(line, "decode line of frame \(packet.frameNumber)")
            use(line)
            use(PacketFormatter.json(packet, decoded, interface: name))
        }
    }
    precondition(checked != nil, "the reader threw without a body error")

    // The whole analysis, with small tables so eviction and the findings cap are reached too. A
    // fresh reader, as `analyze` has: one that has read the file knows every interface already, so
    // the second pass for interfaces described late would never run.
    var configuration = RuleConfiguration()
    configuration.maxFlows = 64
    configuration.maxFindings = 16
    guard let fresh = try? CaptureFile.open(path: inputPath, interfaceName: nil),
          let analysis = try? CaptureAnalysis.run(fresh, filter: nil, makeAnalyzer: { Analyzer(configuration: configuration) }) else {
        fatalError("a file that opened once did not open again, or the analysis threw")
    }
    let formatter = FindingFormatter(colour: false)
    for finding in analysis.findings {
        let text = formatter.text(finding)
        requireNoRawControls(text, "finding \(finding.rule)", newlines: true)
        use(text)
        use(FindingFormatter.json(finding))
    }
    let summary = SummaryFormatter().text(analysis.analyzer.summary, interfaces: analysis.analyzer.interfaces, inputs: [inputPath])
    requireNoRawControls(summary, "summary", newlines: true)
    use(summary)
    let report = MarkdownReport(input: .init(name: "fuzz", format: format.rawValue, size: size, sha256: "-", options: []), version: "fuzz",
                                findings: analysis.findings, summary: analysis.analyzer.summary, interfaces: analysis.analyzer.interfaces,
                                sketches: [:], evidenceName: nil).render()
    requireNoRawControls(report, "Markdown report", newlines: true)
    use(report)
    use(SummaryFormatter().json(analysis.analyzer.summary, interfaces: analysis.analyzer.interfaces, inputs: [inputPath]))
    return 0
}
