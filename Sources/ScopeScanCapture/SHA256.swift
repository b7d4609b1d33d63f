import COpenSSL

import ScopeScanSystem

/// SHA-256 (FIPS 180-4) through OpenSSL's libcrypto, to record which input a report and evidence
/// file were made from. libcrypto uses the CPU's SHA extensions where there are any (1.5 GB/s
/// on the benchmark machine, against 136 MB/s for the hand-written Swift it replaces); it was chosen
/// over swift-crypto for adding no build time (docs/performance.md, "SHA-256").
/// Noncopyable: it owns libcrypto's digest context. This file is the module's boundary with
/// libcrypto: each call gets the context and a span's bytes for the length of the call.
@safe
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        // EVP_MD_CTX_new fails only when memory runs out; nothing sensible continues from there.
        guard let context = unsafe EVP_MD_CTX_new() else { fatalError("libcrypto cannot allocate a digest context") } // no argument
        unsafe self.context = context // owned from here, freed in deinit
        unsafe EVP_DigestInit_ex(context, EVP_sha256(), nil) // the context just made, libcrypto's static SHA-256
    }

    deinit { unsafe EVP_MD_CTX_free(context) } // made in init

    public mutating func update(_ bytes: RawSpan) {
        guard bytes.byteCount > 0 else { return }
        let context = unsafe self.context // the context, for the call below
        // libcrypto reads the span's count of bytes, borrowed for the call.
        unsafe bytes.withUnsafeBytes { _ = unsafe EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    public mutating func update(_ bytes: [UInt8]) {
        update(bytes.rawSpan)
    }

    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let context = unsafe self.context // the context, for the call below
        // libcrypto writes the 32 bytes of a SHA-256 digest into the array, for the call.
        unsafe digest.withUnsafeMutableBufferPointer { _ = unsafe EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
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
