import CKernelDrops
import ScopeScanSystem

/// Linux network namespaces, as far as watching one needs: a monitor filters on the namespace its
/// thread is in, and names interfaces there.
public enum NetworkNamespace {
    /// Moves the calling thread, and only it, into the namespace at `path` ("/run/netns/NAME" as
    /// `ip netns add` makes it, or "/proc/PID/ns/net"). Use a thread of your own: a thread of a shared
    /// pool would carry the namespace into unrelated work.
    public static func enterOnCurrentThread(path: String) throws(KernelDropsUnavailable) {
        #if os(Linux)
        let descriptor = System.openFile(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw KernelDropsUnavailable("cannot open the namespace \(path): \(errnoText())") }
        defer { close(descriptor) }
        let result = sskd_enter_network_namespace(descriptor)
        guard result == 0 else { throw KernelDropsUnavailable("cannot enter the namespace \(path): \(errnoText(-result))") }
        #else
        throw KernelDropsUnavailable.unsupportedPlatform
        #endif
    }

    /// The inode identifying the namespace at `path` (what the kernel calls ns.inum).
    public static func inode(path: String) throws(KernelDropsUnavailable) -> UInt64 {
        guard let info = System.fileStatus(path: path) else { throw KernelDropsUnavailable("cannot read the namespace \(path): \(errnoText())") }
        return UInt64(info.st_ino)
    }
}
