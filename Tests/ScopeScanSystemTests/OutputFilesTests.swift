import Foundation
import Testing
import ScopeScanSystem

@Suite("Output files: identity, capture magic, atomic replace, exclusive temporary files")
struct OutputFilesTests {
    func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-system-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("an output that is an input, through a symlink or a hard link, is refused")
    func sameFileRefused() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.txt").path
        try "x".write(toFile: input, atomically: false, encoding: .utf8)
        let soft = dir.appendingPathComponent("soft").path
        let hard = dir.appendingPathComponent("hard").path
        try FileManager.default.createSymbolicLink(atPath: soft, withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: hard)
        for output in [input, soft, hard] {
            #expect(throws: SystemError.self) { try OutputSafety.check(outputs: [("--report", output)], inputs: [input], force: true) }
        }
        try OutputSafety.check(outputs: [("--report", dir.appendingPathComponent("new.md").path)], inputs: [input], force: false)
        #expect(throws: SystemError.self) { try OutputSafety.check(outputs: [("--report", soft), ("--evidence", hard)], inputs: [], force: true) }
    }

    @Test("capture and compressed magic numbers", arguments: [
        ([0xd4, 0xc3, 0xb2, 0xa1], "pcap"), ([0xa1, 0xb2, 0x3c, 0x4d], "pcap"), ([0x0a, 0x0d, 0x0d, 0x0a], "pcapng"),
        ([0x1f, 0x8b, 0x08, 0x00], "gzip"), ([0x28, 0xb5, 0x2f, 0xfd], "zstd"), ([0x04, 0x22, 0x4d, 0x18], "lz4"), ([0x23, 0x20, 0x72, 0x65], nil),
    ] as [([UInt8], String?)])
    func magic(bytes: [UInt8], kind: String?) throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f").path
        try Data(bytes + [0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        #expect(OutputSafety.captureKind(path: path) == kind)
        if kind != nil {
            #expect(throws: SystemError.self) { try OutputSafety.check(outputs: [("-w", path)], inputs: [], force: false) }
            try OutputSafety.check(outputs: [("-w", path)], inputs: [], force: true)
        }
    }

    @Test("OutputFile: the target changes only at commit; discard leaves it and no temporary file")
    func atomicReplace() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.md").path
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        let file = try OutputFile(path: path)
        try file.write("new")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        let abandoned = try OutputFile(path: path)
        try abandoned.write("half")
        abandoned.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["r.md"])
    }

    @Test("a device target (/dev/null, /dev/stdout) is written in place, never renamed over")
    func deviceTarget() throws {
        let file = try OutputFile(path: "/dev/null")
        #expect(!file.isRenamed)
        try file.write("report")
        try file.commit()
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test("TemporaryFile: random name in $TMPDIR, 0600, removed; a planted link is not followed")
    func temporaryFile() throws {
        let file = try TemporaryFile(prefix: "scopescan-test-", suffix: ".pcapng")
        #expect(file.path.hasPrefix(TemporaryFiles.directory + "/scopescan-test-") && file.path.hasSuffix(".pcapng"))
        var info = stat()
        #expect(lstat(file.path, &info) == 0 && (info.st_mode & 0o777) == 0o600 && (info.st_mode & S_IFMT) == S_IFREG)
        let path = file.path
        file.remove()
        #expect(access(path, F_OK) != 0)
    }
}
