// Temporary files created exclusively (mkstemp: O_CREAT|O_EXCL, mode 0600, never through a
// planted link) and removed on exit, on a normal return as on SIGINT, SIGTERM or SIGHUP.

/// Paths to unlink when the process is stopped by a signal. Fixed storage of C strings, so the
/// signal handler touches no Swift object (unlink is async-signal-safe): the one place besides
/// `RenameHelper` where ScopeScanSystem keeps raw memory, because a signal handler may not allocate.
public enum TemporaryFiles {
    static let capacity = 32
    // Allocated once and never freed: `capacity` slots, each nil or a strdup'ed path.
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        unsafe slots.initialize(repeating: nil, count: capacity) // the `capacity` slots just allocated
        return unsafe slots // the slots initialised above
    }()

    static func register(_ path: String) {
        // Indices below `capacity`, the slots' count; strdup's copy is freed by unregister.
        for i in 0..<capacity where unsafe slots[i] == nil {
            unsafe slots[i] = strdup(path) // as the line above
            return
        }
    }

    static func unregister(_ path: String) {
        for i in 0..<capacity {
            // A slot below `capacity` holds nil or a C string strdup'ed by register, freed once here.
            if let slot = unsafe slots[i], unsafe String(cString: slot) == path {
                unsafe slots[i] = nil // as the line above
                unsafe free(slot) // as the line above
            }
        }
    }

    /// Unlinks every registered file; callable from a signal handler.
    public static func removeAll() {
        for i in 0..<capacity {
            // A slot below `capacity` holds nil or a C string: unlink reads it, nothing allocates.
            if let slot = unsafe slots[i] { unsafe unlink(slot) }
        }
    }

    /// SIGINT, SIGTERM, SIGHUP: remove the temporary files, then die of the signal as before.
    /// Commands that stop cleanly on these signals (capture, probe) install their own handlers.
    public static func installSignalCleanup() {
        System.installSignalHandler({ number in
            TemporaryFiles.removeAll()
            // Die of the signal itself, so the parent sees what it sent.
            _ = signal(number, SIG_DFL)
            _ = raise(number)
            _exit(128 + number)
        }, for: [SIGINT, SIGTERM, SIGHUP])
    }

    /// The directory for scratch files: `$TMPDIR`, else /tmp.
    public static var directory: String {
        if let text = System.environment("TMPDIR"), !text.isEmpty {
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        return "/tmp"
    }
}

/// A scratch file in `$TMPDIR` (default /tmp), made with mkstemps: a random name, created
/// exclusively, 0600, so a link planted at a guessable name is never followed. Removed by
/// `remove()`, on deinit, or by the signal cleanup.
public final class TemporaryFile {
    public let path: String
    /// Open read-write; the caller may write through it or reopen `path`.
    public private(set) var descriptor: Int32

    /// `owner`: hand the file to the user the process will run as after dropping root.
    public init(prefix: String, suffix: String, owner: FileOwner? = nil) throws(SystemError) {
        guard let (fd, made) = System.makeTemporaryFile(template: "\(TemporaryFiles.directory)/\(prefix)XXXXXX\(suffix)", suffixLength: suffix.utf8.count) else {
            throw SystemError(path: TemporaryFiles.directory, "cannot create a temporary file")
        }
        descriptor = fd
        path = made
        TemporaryFiles.register(path)
        if let owner { _ = fchown(fd, owner.uid, owner.gid) }
    }

    deinit { remove() }

    public func remove() {
        guard descriptor >= 0 else { return }
        System.removeFile(path)
        TemporaryFiles.unregister(path)
        close(descriptor)
        descriptor = -1
    }
}
