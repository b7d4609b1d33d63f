import Foundation
import Testing
import ScopeScanCapture
import ScopeScanWire

@Suite("Classic pcap through libpcap, format detection, BPF filters")
struct PcapFileReaderTests {
    @Test("micro, nano and big-endian pcap of the same packets give the same timestamps")
    func precisionAndByteOrder() throws {
        let micro = try records(CaptureFile.open(path: fixture("linux-syn-dropped.pcap"))).records
        let nano = try records(CaptureFile.open(path: fixture("nanosecond.pcap"))).records
        let big = try records(CaptureFile.open(path: fixture("big-endian.pcap"))).records
        #expect(micro.count == 3)
        #expect(micro == nano)
        #expect(micro == big)
    }

    @Test("format detection names what a file is not")
    func detection() throws {
        #expect(try CaptureFile.detectFormat(path: fixture("linux-syn-dropped.pcap")) == .pcap)
        #expect(try CaptureFile.detectFormat(path: fixture("linux-two-interfaces.pcapng")) == .pcapng)
        let error = #expect(throws: CaptureError.self) { try CaptureFile.detectFormat(path: fixture("not-a-capture.pcap")) }
        #expect(error?.message.contains("not a pcap or pcapng capture") == true)
        let missing = #expect(throws: CaptureError.self) { try CaptureFile.open(path: "/nonexistent/x.pcap") }
        #expect(missing?.message.contains("No such file") == true)
    }

    @Test("a capture cut mid-packet yields the packets before it and a warning")
    func truncated() throws {
        let (list, warnings) = try records(CaptureFile.open(path: fixture("truncated.pcap")))
        #expect(list.count == 2)
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("truncated") == true)
    }

    @Test("BPF filters compile per link type and keep frame numbers")
    func filters() throws {
        let filter = try PacketFilter(expression: "icmp6")
        let source = try CaptureFile.open(path: fixture("macos-lo0-own-linklocal.pcap"))
        var kept: [Int] = []
        _ = try source.forEachPacket { packet in
            if filter.matches(packet) { kept.append(packet.frameNumber) }
        }
        // tshark -r macos-lo0-own-linklocal.pcap -Y icmpv6 -T fields -e frame.number
        let expected = try tsharkFrames("macos-lo0-own-linklocal.pcap", "icmpv6")
        #expect(kept == expected)
        #expect(throws: CaptureError.self) { try PacketFilter(expression: "ip6 and and tcp") }
    }

    /// Frame numbers tshark's display filter selects, when tshark is installed (CI installs it).
    func tsharkFrames(_ name: String, _ displayFilter: String) throws -> [Int] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        guard FileManager.default.isExecutableFile(atPath: process.executableURL!.path) else { return [2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17] }
        process.arguments = ["-r", fixture(name), "-Y", displayFilter, "-T", "fields", "-e", "frame.number"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
    }
}
