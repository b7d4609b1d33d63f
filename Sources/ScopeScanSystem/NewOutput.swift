/// An output that must not exist yet (the evidence bundle, a directory or a .tar.gz): built under
/// a temporary name beside the target (mkdtemp/mkstemp, so nothing is followed or clobbered) and
/// renamed into place without replacing (`scopescan_rename_noreplace`), so an existing file or
/// directory's contents are never touched, even if one appears while the run is going.
/// Until `commit`, the temporary files are removed on exit and on SIGINT/SIGTERM/SIGHUP.
public final class NewOutput {
    public enum Kind: Sendable { case file, directory }

    public let path: String
    public let kind: Kind
    public let temporaryPath: String
    private var descriptor: Int32 = -1
    private var written: [String] = []
    private var done = false

    public init(path: String, kind: Kind) throws(SystemError) {
        self.path = path
        self.kind = kind
        if System.linkStatus(path: path) != nil { throw SystemError("\(path): already exists; the bundle is never written over anything, choose a new name") }
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let slash = trimmed.lastIndex(of: "/")
        let directory = slash.map { String(trimmed[...$0]) } ?? ""
        let base = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        let template = "\(directory).\(base).XXXXXX"
        switch kind {
        case .directory:
            guard let made = System.makeTemporaryDirectory(template: template) else {
                throw SystemError(path: path, "cannot create a temporary directory beside it")
            }
            temporaryPath = made
            // mkdtemp makes it 0700; the finished directory gets what mkdir would (0777 less umask).
            System.changeMode(temporaryPath, 0o777 & ~Self.umaskValue)
        case .file:
            guard let (fd, made) = System.makeTemporaryFile(template: template) else {
                throw SystemError(path: path, "cannot create a temporary file beside it")
            }
            descriptor = fd
            temporaryPath = made
            TemporaryFiles.register(temporaryPath)
            fchmod(fd, 0o666 & ~Self.umaskValue)
        }
    }

    deinit { discard() }

    static var umaskValue: mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }

    /// A file of the directory (created exclusively), or the next bytes of the file.
    public func write(_ bytes: [UInt8], name: String? = nil) throws(SystemError) {
        switch kind {
        case .file:
            try Self.writeAll(descriptor, bytes, path: path)
        case .directory:
            let file = "\(temporaryPath)/\(name ?? "unnamed")"
            let fd = System.openFile(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: 0o666)
            guard fd >= 0 else { throw SystemError(path: "\(path)/\(name ?? "")", "cannot create") }
            TemporaryFiles.register(file)
            written.append(file)
            defer { close(fd) }
            try Self.writeAll(fd, bytes, path: "\(path)/\(name ?? "")")
            guard fsync(fd) == 0 || errno == EINVAL else { throw SystemError(path: "\(path)/\(name ?? "")", "cannot write") }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        try OutputFile.writeAll(fd, bytes, path: path)
    }

    /// Renames the finished output into place; fails, removing it, when the target appeared meanwhile.
    public func commit() throws(SystemError) {
        guard !done else { return }
        if kind == .file {
            guard fsync(descriptor) == 0 || errno == EINVAL else { throw SystemError(path: path, "cannot write") }
        }
        guard System.renameFileWithoutReplacing(temporaryPath, to: path) == 0 else {
            let code = errno
            discard()
            if code == EEXIST || code == ENOTEMPTY { throw SystemError("\(path): appeared while the bundle was written; left as it was") }
            throw SystemError(path: path, "cannot rename into place", code)
        }
        done = true
        for file in written { TemporaryFiles.unregister(file) }
        TemporaryFiles.unregister(temporaryPath)
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// Removes the temporary output; the target is not touched.
    public func discard() {
        guard !done else { return }
        done = true
        for file in written {
            System.removeFile(file)
            TemporaryFiles.unregister(file)
        }
        if kind == .directory {
            System.removeDirectory(temporaryPath)
        } else {
            System.removeFile(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
        }
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}

extension System {
    /// The whole of a regular file (a finished temporary file read back into the bundle); nil when
    /// it cannot be read.
    public static func contents(ofFile path: String) -> [UInt8]? {
        let fd = openFile(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(fd, into: &chunk)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return out }
            out += chunk.prefix(count)
        }
    }
}
