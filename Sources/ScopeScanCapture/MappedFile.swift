#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file, so readers hand out slices without copying.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot open")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CaptureError(path: path, message: MappedFile.errnoText("cannot stat")) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CaptureError(path: path, message: "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw CaptureError(path: path, message: MappedFile.errnoText("cannot map"))
        }
        #if canImport(Glibc)
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
        #endif
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }

    static func errnoText(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno)))"
    }
}
