import Foundation
import Testing
@testable import ScopeScanCapture
import ScopeScanSystem

/// The thread that faults a large map's pages in ahead of the reader (MappedFile's PageWarmer):
/// it changes no byte read, stops when the reader stops early, and survives a file cut short
/// under it (MADV_POPULATE_READ then fails with EFAULT instead of a SIGBUS).
@Suite("Pages faulted in ahead of the reader", .serialized)
struct PageWarmerTests {
    static func file(megabytes: Int) throws -> (path: String, bytes: [UInt8]) {
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let bytes = [UInt8](random.readData(ofLength: megabytes << 20))
        try random.close()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-warm-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    @Test("a map of 24 MiB read front to back, pages given back behind: the bytes are the file's")
    func bytesUnchanged() throws {
        let (path, bytes) = try Self.file(megabytes: 24)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let map = try MappedFile(path: path)
        #expect(map.count == bytes.count)
        var offset = 0
        var mismatches = 0
        while offset < map.count {
            let end = min(offset + (1 << 16), map.count)
            let read = map.span.extracting(offset ..< end).withUnsafeBytes { Data($0) }
            if read != Data(bytes[offset ..< end]) { mismatches += 1 }
            offset = end
            map.release(before: offset)
        }
        #expect(mismatches == 0, "\(mismatches) of the 64 KiB pieces differ")
        var waited = 0
        while map.isWarming && waited < 200 { usleep(10_000); waited += 1 }
        #expect(!map.isWarming, "the whole map done, the thread has returned")
        // A second pass, as the pcapng reader's, reads the same bytes.
        map.rewind()
        #expect(map.span.extracting(0 ..< 4096).withUnsafeBytes { Array($0) } == Array(bytes[0 ..< 4096]))
    }

    @Test("a reader that stops after 1 MiB of a 32 MiB map: the map closes at once, the thread with it")
    func earlyStop() throws {
        let (path, _) = try Self.file(megabytes: 32)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = Date()
        do {
            let map = try MappedFile(path: path)
            _ = map.span.extracting(0 ..< 1 << 20).byteCount
            map.release(before: 1 << 20)
            usleep(20_000)
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test("a file cut short while mapped: the thread ends, nothing crashes, the bytes before the cut read")
    func fileCutShort() throws {
        let (path, bytes) = try Self.file(megabytes: 20)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let map = try MappedFile(path: path)
        #if os(Linux)
        #expect(map.isWarming)
        #endif
        #expect(truncate(path, 1 << 20) == 0)
        // The reader gives back its first 2 MiB: the thread goes on past the file's new end.
        map.release(before: 2 << 20)
        var waited = 0
        while map.isWarming && waited < 200 { usleep(10_000); waited += 1 }
        #expect(!map.isWarming, "the thread ended at the cut")
        #expect(map.span.extracting(0 ..< 4096).withUnsafeBytes { Array($0) } == Array(bytes[0 ..< 4096]))
    }

    @Test("the warmer takes a spare core only: none while the input's hash has it, and it leaves when the hash starts after it")
    func spareCoreOnly() throws {
        let (path, _) = try Self.file(megabytes: 20)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = HelperThreads.count
        do {
            // The hash of a file (as --report starts it) holds the spare core of a two-core machine.
            let digest = FileDigest(path: path)
            let map = try MappedFile(path: path)
            if System.onlineProcessors() <= 2 { #expect(!map.isWarming, "no warmer beside the hash on \(System.onlineProcessors()) cores") }
            _ = digest.result()
        }
        #expect(HelperThreads.count == before, "the hash's claim is given back")
        if System.onlineProcessors() <= 2 {
            let map = try MappedFile(path: path)
            #expect(map.isWarming)
            // A hash started now: the warmer sees more helpers than cores and ends.
            let digest = FileDigest(path: path)
            var waited = 0
            while map.isWarming && waited < 200 { usleep(10_000); waited += 1 }
            #expect(!map.isWarming, "the warmer left the core to the hash")
            _ = digest.result()
        }
        #expect(HelperThreads.count == before)
    }
}
