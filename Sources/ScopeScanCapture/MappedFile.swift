import ScopeScanSystem

/// A regular file mapped read-only and read front to back, its pages given back behind the reader.
///
/// Readers hand out records in place: no copy into a buffer (a `read` copies every byte, which cost
/// as much as decoding them). The pages already read are returned to the kernel every MiB
/// (`release(before:)`), so the resident set stays small however large the file: a map of a 1 GB
/// capture would otherwise count 1 GB. Returned pages are clean copies of the page cache; reading
/// them again (a second pass) faults them back in. Nothing beyond the size the file had when mapped
/// is read. As with any map, a file cut shorter while it is being read ends the process with SIGBUS.
///
/// This is the boundary between the map and the readers: they read `span`, bounds-checked, and
/// nothing else in the module touches the map's address.
@safe
final class MappedFile {
    static let releaseStep = 1 << 20

    private let base: UnsafeRawPointer?
    let count: Int
    private var released = 0

    /// Opens and maps `path`; an empty file maps to no bytes.
    convenience init(path: String) throws(CaptureError) {
        let fd = SystemCalls.openReadOnly(path)
        guard fd >= 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot open")) }
        defer { SystemCalls.close(fd) }
        guard let status = SystemCalls.status(fd) else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot stat")) }
        guard status.isRegular else { throw CaptureError(path: path, message: "not a regular file") }
        guard let (base, count) = unsafe MappedFile.map(fd, size: status.size) else { // the map, handed to init
            throw CaptureError(path: path, message: MappedFile.errnoText("cannot map"))
        }
        unsafe self.init(base: base, count: count) // the map just made, owned from here on
    }

    /// Maps the regular file behind `descriptor`; nil when it is empty or cannot be mapped.
    convenience init?(descriptor: Int32) {
        guard let status = SystemCalls.status(descriptor), status.isRegular, status.size > 0,
              let (base, count) = unsafe MappedFile.map(descriptor, size: status.size) else { return nil } // the map, handed to init
        unsafe self.init(base: base, count: count) // the map just made, owned from here on
    }

    private init(base: UnsafeRawPointer?, count: Int) {
        unsafe self.base = base // the map, unmapped only by deinit
        self.count = count
    }

    private static func map(_ fd: Int32, size: Int) -> (UnsafeRawPointer?, Int)? {
        if size == 0 { return (nil, 0) } // an empty file: no address, no bytes
        // mmap(2) of a descriptor we hold, read-only; the result is checked against MAP_FAILED.
        guard let base = unsafe mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), unsafe base != MAP_FAILED else { return nil }
        #if canImport(Glibc)
        _ = unsafe madvise(base, size, MADV_SEQUENTIAL) // a hint on the map just made, inside its length
        #endif
        return (UnsafeRawPointer(base), size) // the map's address and length, handed to init
    }

    deinit {
        // The map's own address and length; no span of it outlives the borrow of this object.
        if let base = unsafe base { unsafe munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The whole file, bounds-checked, for as long as this object is borrowed.
    var span: RawSpan {
        @_lifetime(borrow self) get {
            // The map stays until deinit, which cannot run while self is borrowed; its pages are
            // read-only, so the bytes do not change under the span (released pages fault back in).
            unsafe _overrideLifetime(RawSpan(_unsafeBytes: UnsafeRawBufferPointer(start: base, count: count)), borrowing: self)
        }
    }

    /// Gives back the whole pages before `offset`, a step at a time. Bytes handed out before
    /// `offset` must no longer be in use (readers call it after the packet's callback returns).
    @inline(__always)
    func release(before offset: Int) {
        guard offset - released >= Self.releaseStep else { return }
        let end = offset & ~(SystemCalls.pageSize - 1)
        // Whole pages of the map, from what was released to a page boundary before `offset` (at
        // most the map's length): MADV_DONTNEED drops them, and a later read faults them back in.
        _ = unsafe madvise(UnsafeMutableRawPointer(mutating: base! + released), end - released, MADV_DONTNEED)
        released = end
    }

    /// Starts another front-to-back pass.
    func rewind() {
        released = 0
    }

    static func errnoText(_ what: String) -> String {
        "\(what): \(System.errorText(errno))"
    }
}
