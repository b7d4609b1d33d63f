import ScopeScanSystem

/// A regular file mapped read-only and read front to back, its pages given back behind the reader.
///
/// Readers hand out records in place: no copy into a buffer (a `read` copies every byte, which cost
/// as much as decoding them). The pages already read are returned to the kernel every MiB
/// (`release(before:)`), so the resident set stays small however large the file: a map of a 1 GB
/// capture would otherwise count 1 GB. Returned pages are clean copies of the page cache; reading
/// them again (a second pass) faults them back in. Nothing beyond the size the file had when mapped
/// is read. As with any map, a file cut shorter while it is being read ends the process with SIGBUS.
final class MappedFile {
    static let releaseStep = 1 << 20

    let bytes: UnsafeRawBufferPointer
    private var released = 0

    /// Opens and maps `path`; an empty file maps to no bytes.
    convenience init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot open")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot stat")) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CaptureError(path: path, message: "not a regular file") }
        guard let bytes = MappedFile.map(fd, size: Int(info.st_size)) else {
            throw CaptureError(path: path, message: MappedFile.errnoText("cannot map"))
        }
        self.init(bytes: bytes)
    }

    /// Maps the regular file behind `descriptor`; nil when it is empty or cannot be mapped.
    convenience init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
              let bytes = MappedFile.map(descriptor, size: Int(info.st_size)) else { return nil }
        self.init(bytes: bytes)
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private static func map(_ fd: Int32, size: Int) -> UnsafeRawBufferPointer? {
        if size == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        #if canImport(Glibc)
        _ = madvise(base, size, MADV_SEQUENTIAL)
        #endif
        return UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Gives back the whole pages before `offset`, a step at a time. Bytes handed out before
    /// `offset` must no longer be in use (readers call it after the packet's callback returns).
    @inline(__always)
    func release(before offset: Int) {
        guard offset - released >= Self.releaseStep else { return }
        let end = offset & ~(Int(getpagesize()) - 1)
        _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + released), end - released, MADV_DONTNEED)
        released = end
    }

    /// Starts another front-to-back pass.
    func rewind() {
        released = 0
    }

    static func errnoText(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno)))"
    }
}
