// Outputs that never destroy data: an output naming an input (same device and inode, through
// symbolic and hard links) or an existing capture is refused before anything is written; reports
// and evidence go to a temporary file in the target's directory and are renamed into place.

/// A failed system call, with the path and strerror's text; one line for the user.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
    init(path: String, _ what: String, _ code: Int32 = errno) {
        description = "\(path): \(what): \(System.errorText(code))"
    }
}

/// A file's identity: device and inode. `stat` follows symbolic links, and hard links share an
/// inode, so every name of one file gives the same identity.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init?(path: String) {
        guard let info = System.fileStatus(path: path) else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

public enum OutputSafety {
    /// What an existing file holds when it looks like a capture, by magic number: classic pcap (either
    /// byte order, micro or nanosecond), pcapng, or a compressed file (gzip, zstd, lz4), since
    /// compressed captures are common. nil for anything else, or no file.
    public static func captureKind(path: String) -> String? {
        let fd = System.openFile(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let info = System.fileStatus(descriptor: fd), (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var magic = [UInt8](repeating: 0, count: 4)
        let count = System.read(fd, into: &magic)
        guard count >= 2 else { return nil }
        if magic[0] == 0x1f && magic[1] == 0x8b { return "gzip" }
        guard count == 4 else { return nil }
        let big = magic.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        switch big {
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1: return "pcap"
        case 0x0a0d_0d0a: return "pcapng"
        case 0x28b5_2ffd: return "zstd"
        case 0x0422_4d18: return "lz4"
        default: return nil
        }
    }

    /// Refuses (one line, nothing written) when an output is one of the inputs, when two outputs
    /// are one file, or, without `force`, when an output already holds a capture.
    /// `outputs` pairs the option with its path ("--report", "r.md").
    public static func check(outputs: [(option: String, path: String)], inputs: [String], force: Bool) throws(SystemError) {
        let inputIDs = inputs.map { ($0, FileIdentity(path: $0)) }
        var seen: [FileIdentity: String] = [:]
        var seenPaths: [String: String] = [:]
        for (option, path) in outputs {
            if let other = seenPaths[path] { throw SystemError("\(path): \(option) and \(other) name the same file; give each its own path") }
            seenPaths[path] = option
            guard let identity = FileIdentity(path: path) else { continue }
            if let input = inputIDs.first(where: { $0.1 == identity }) {
                throw SystemError("\(path): \(option) would overwrite the input \(input.0) (the same file); choose another path")
            }
            if let other = seen[identity] { throw SystemError("\(path): \(option) and \(other) name the same file; give each its own path") }
            seen[identity] = option
            if !force, let kind = captureKind(path: path) {
                throw SystemError("\(path): \(option) would overwrite an existing \(kind) capture; choose another path or add --force")
            }
        }
    }
}

/// Who files created before a privilege drop are handed to, so the process can still finish them.
public struct FileOwner: Sendable, Equatable {
    public var uid: uid_t
    public var gid: gid_t
    public init(uid: uid_t, gid: gid_t) {
        self.uid = uid
        self.gid = gid
    }
}

/// A report or evidence file: written to a temporary file created exclusively (mkstemp) in the
/// target's directory and renamed over the target by `commit`, so a crash or Ctrl-C leaves the
/// old file or the whole new one, never half. Until `commit`, the temporary file is removed on exit
/// (also on SIGINT/SIGTERM/SIGHUP, see `TemporaryFiles`). A target that exists and is not a
/// regular file (`/dev/stdout`, a FIFO) is written directly: there is nothing to rename over.
public final class OutputFile {
    public let path: String
    public let temporaryPath: String
    public private(set) var descriptor: Int32
    private var done = false
    /// Written in place (a device or FIFO), not renamed.
    private var isDirect = false
    /// Set when a `RenameHelper` renames this file (the process gave up root since creating it).
    var helperNumber: Int?

    /// `owner`: hand the temporary file to the user the process will run as after dropping root.
    public init(path: String, owner: FileOwner? = nil) throws(SystemError) {
        self.path = path
        if let info = System.fileStatus(path: path), (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR {
            let fd = System.openFile(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SystemError(path: path, "cannot open") }
            descriptor = fd
            temporaryPath = path
            isDirect = true
            return
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let (fd, temporary) = System.makeTemporaryFile(template: "\(directory).\(base).XXXXXX") else {
            throw SystemError(path: path, "cannot create a temporary file beside it")
        }
        descriptor = fd
        temporaryPath = temporary
        TemporaryFiles.register(temporaryPath)
        // mkstemp makes it 0600; the finished file gets what a plain create would (0666 less umask).
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        if let owner { _ = fchown(fd, owner.uid, owner.gid) }
    }

    deinit { discard() }

    /// False for a device or FIFO written in place.
    public var isRenamed: Bool { !isDirect }

    /// Writes all of `bytes` at the current offset.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        try Self.writeAll(descriptor, bytes, path: path)
    }

    public func write(_ text: String) throws(SystemError) {
        try write(Array(text.utf8))
    }

    /// Writes all of `bytes` at `offset` (pwrite), leaving the file's offset where it was: a
    /// placeholder written earlier and filled in once known (the evidence file's input digest).
    public func write(_ bytes: [UInt8], at offset: Int) throws(SystemError) {
        var written = 0
        while written < bytes.count {
            let count = System.write(descriptor, Array(bytes[written...]), at: offset + written)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(path: path, "cannot write")
            }
            written += count
        }
    }

    /// fsync, then rename over the target.
    public func commit() throws(SystemError) {
        guard !done else { return }
        if isDirect {
            done = true
            close(descriptor)
            descriptor = -1
            return
        }
        guard fsync(descriptor) == 0 || errno == EINVAL else { throw SystemError(path: path, "cannot write") }
        if let helperNumber {
            let code = RenameHelper.ask(helperNumber, remove: false)
            done = true
            TemporaryFiles.unregister(temporaryPath)
            close(descriptor)
            descriptor = -1
            if code != 0 { throw SystemError(path: path, "cannot replace", code) }
            return
        }
        guard System.renameFile(temporaryPath, to: path) == 0 else {
            let code = errno
            discard()
            throw SystemError(path: path, "cannot replace", code)
        }
        done = true
        TemporaryFiles.unregister(temporaryPath)
        close(descriptor)
        descriptor = -1
    }

    /// Removes the temporary file (the target stays as it was).
    public func discard() {
        guard !done else { return }
        done = true
        if isDirect {
            close(descriptor)
            descriptor = -1
            return
        }
        if let helperNumber { _ = RenameHelper.ask(helperNumber, remove: true) }
        System.removeFile(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = System.write(fd, bytes, from: offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError(path: path, "cannot write")
            }
            offset += written
        }
    }
}
