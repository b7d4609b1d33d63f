// Libraries loaded while the process runs, for what only some commands need (libcrypto for the
// SHA-256 of --report and --evidence): part of the platform layer beside System.swift, and the
// boundary where a symbol's address becomes a C function pointer.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library loaded while the process runs (dlopen), for a library only some commands
/// need, so that the others do not load and relocate it at every start (libcrypto: about 2 ms of
/// a 14 ms start). It is never closed: the functions taken from it stay valid.
@safe
public struct SharedLibrary {
    private let handle: UnsafeMutableRawPointer

    /// The first of `names` (sonames or paths, tried in turn) the dynamic loader can load, or
    /// the loader's message for the last one tried.
    public static func load(_ names: [String]) -> Result<SharedLibrary, LibraryLoadError> {
        var message = "no library name given"
        for name in names {
            // dlopen copies the name, a C string valid for the call; RTLD_NOW resolves every
            // symbol now, so a broken library fails here rather than at its first call.
            if let handle = unsafe dlopen(name, RTLD_NOW | RTLD_LOCAL) { return .success(unsafe SharedLibrary(handle: handle)) } // the handle just returned
            // dlerror's text is the loader's own, copied before any other dl call.
            message = unsafe dlerror().map { unsafe String(cString: $0) } ?? "\(name): cannot be loaded"
        }
        return .failure(LibraryLoadError(message: message))
    }

    /// The function `name` as `type`, nil when the library has no such symbol. `type` must be the
    /// `@convention(c)` type of the function's C declaration: nothing can check that here.
    public func function<Function>(_ name: String, as type: Function.Type) -> Function? {
        // The handle is dlopen's, never closed; the name is a C string for the call. The symbol's
        // address becomes a C function pointer of the type the caller declares for it.
        guard let address = unsafe dlsym(handle, name) else { return nil }
        return unsafe unsafeBitCast(address, to: type)
    }
}

/// Why `SharedLibrary.load` found no library: the dynamic loader's message.
public struct LibraryLoadError: Error, Sendable {
    public let message: String

    public init(message: String) {
        self.message = message
    }
}
