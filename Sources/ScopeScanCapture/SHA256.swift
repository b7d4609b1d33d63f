import ScopeScanSystem

/// SHA-256 (FIPS 180-4) through OpenSSL's libcrypto, to record which input a report and evidence
/// file were made from. libcrypto uses the CPU's SHA extensions where there are any (1.5 GB/s
/// on the benchmark machine, against 136 MB/s for the hand-written Swift it replaces); it was chosen
/// over swift-crypto for adding no build time (docs/performance.md, "SHA-256").
///
/// libcrypto is loaded on first use (`dlopen`), not linked: only `--report`, `--evidence` and
/// `--bundle` hash, and loading and relocating libcrypto at every start cost every other command
/// about 2 ms (docs/performance.md, "Start-up"). `SHA256.unavailable` says, before any work, why
/// it cannot be loaded.
///
/// Noncopyable: it owns libcrypto's digest context. This file is the module's boundary with
/// libcrypto: each call gets the context and a span's bytes for the length of the call.
@safe
public struct SHA256: ~Copyable {
    private let context: OpaquePointer
    private let library: LibCrypto

    /// Why libcrypto cannot be loaded (the dynamic loader's message, in a sentence that names the
    /// package to install); nil when it can. Asked once, by the commands that hash, before they start.
    public static var unavailable: String? {
        guard case .failure(let problem) = LibCrypto.loaded else { return nil }
        return problem.message
    }

    /// A SHA-256 in progress. Callers ask `unavailable` first: without libcrypto this stops the
    /// process with that message.
    public init() {
        let library: LibCrypto
        switch LibCrypto.loaded {
        case .success(let loaded): library = loaded
        case .failure(let problem): fatalError(problem.message)
        }
        // EVP_MD_CTX_new fails only when memory runs out; nothing sensible continues from there.
        guard let context = unsafe library.newContext() else { fatalError("libcrypto cannot allocate a digest context") } // no argument
        unsafe self.context = context // owned from here, freed in deinit
        self.library = library
        unsafe _ = library.digestInit(context, library.sha256(), nil) // the context just made, libcrypto's static SHA-256
    }

    deinit { unsafe library.freeContext(context) } // made in init

    public mutating func update(_ bytes: RawSpan) {
        guard bytes.byteCount > 0 else { return }
        let context = unsafe self.context // the context, for the call below
        let update = unsafe library.digestUpdate // libcrypto's function, for the call below
        // libcrypto reads the span's count of bytes, borrowed for the call.
        unsafe bytes.withUnsafeBytes { _ = unsafe update(context, $0.baseAddress, $0.count) }
    }

    public mutating func update(_ bytes: [UInt8]) {
        update(bytes.rawSpan)
    }

    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let context = unsafe self.context // the context, for the call below
        let final = unsafe library.digestFinal // libcrypto's function, for the call below
        // libcrypto writes the 32 bytes of a SHA-256 digest into the array, for the call.
        unsafe digest.withUnsafeMutableBufferPointer { _ = unsafe final(context, $0.baseAddress, &length) }
        return digest
    }

    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hex digest of a whole file, read in 1 MiB chunks; nil when it cannot be read.
    public static func hexDigest(ofFile path: String) -> String? {
        let fd = SystemCalls.openReadOnly(path)
        guard fd >= 0 else { return nil }
        defer { SystemCalls.close(fd) }
        var hasher = SHA256()
        let buffer = ByteBuffer(count: 1 << 20)
        while true {
            let count = buffer.read(from: fd, at: 0)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            hasher.update(buffer.span(0 ..< count))
        }
        return hex(hasher.finalize())
    }
}

/// The six libcrypto functions SHA256 calls, looked up once in the library loaded on first use.
@safe
struct LibCrypto: Sendable {
    typealias NewContext = @convention(c) () -> OpaquePointer?
    typealias Digest = @convention(c) () -> OpaquePointer?
    typealias DigestInit = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
    typealias DigestUpdate = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32
    typealias DigestFinal = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?) -> Int32
    typealias FreeContext = @convention(c) (OpaquePointer?) -> Void

    let newContext: NewContext
    let sha256: Digest
    let digestInit: DigestInit
    let digestUpdate: DigestUpdate
    let digestFinal: DigestFinal
    let freeContext: FreeContext

    /// OpenSSL 3's soname first (Debian 12, Ubuntu 22.04 and later), then the development link
    /// (libssl-dev) to whichever libcrypto is installed; the EVP calls used are in every
    /// libcrypto since 1.1.0. On macOS, Homebrew's openssl@3.
    #if canImport(Darwin)
    static let names = ["libcrypto.3.dylib", "/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib", "/usr/local/opt/openssl@3/lib/libcrypto.3.dylib"]
    #else
    static let names = ["libcrypto.so.3", "libcrypto.so"]
    #endif

    /// Loaded on first use (a static let: once, whichever thread asks first).
    static let loaded: Result<LibCrypto, LibraryLoadError> = load()

    private static func load() -> Result<LibCrypto, LibraryLoadError> {
        let library: SharedLibrary
        switch SharedLibrary.load(names) {
        case .success(let handle): library = handle
        case .failure(let problem):
            return .failure(LibraryLoadError(message: "the SHA-256 of --report, --evidence and --bundle needs OpenSSL's libcrypto, which cannot be loaded (\(problem.message); Debian and Ubuntu: apt-get install libssl-dev)"))
        }
        // Each function as the type of its C declaration in openssl/evp.h (a C function pointer
        // whose arguments are libcrypto's opaque pointers).
        guard let newContext = unsafe library.function("EVP_MD_CTX_new", as: NewContext.self),
              let sha256 = unsafe library.function("EVP_sha256", as: Digest.self),
              let digestInit = unsafe library.function("EVP_DigestInit_ex", as: DigestInit.self),
              let digestUpdate = unsafe library.function("EVP_DigestUpdate", as: DigestUpdate.self),
              let digestFinal = unsafe library.function("EVP_DigestFinal_ex", as: DigestFinal.self),
              let freeContext = unsafe library.function("EVP_MD_CTX_free", as: FreeContext.self) else {
            return .failure(LibraryLoadError(message: "the libcrypto loaded lacks the EVP digest calls of OpenSSL 1.1 and later (EVP_MD_CTX_new, EVP_DigestInit_ex, ...)"))
        }
        // The six functions just found, kept for the life of the process.
        return .success(unsafe LibCrypto(newContext: newContext, sha256: sha256, digestInit: digestInit, digestUpdate: digestUpdate, digestFinal: digestFinal, freeContext: freeContext))
    }
}
