import ScopeScanCapture

/// A gzip-compressed ustar archive, written by scopescan itself so the bundle needs no tar
/// program: POSIX ustar headers (IEEE Std 1003.1, "pax" interchange format, ustar header block),
/// entries in the order given, uid/gid 0 (root), one fixed mtime (the capture's), so the same
/// files give the same bytes; deflate through zlib (`Deflate`, in ScopeScanCapture) with a gzip header whose own mtime is 0.
enum TarGzip {
    struct Entry {
        var name: String
        /// nil for a directory.
        var bytes: [UInt8]?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let block = 512

    static func tar(_ entries: [Entry], mtime: Int64) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            out += try header(entry, mtime: mtime)
            if let bytes = entry.bytes {
                out += bytes
                out += [UInt8](repeating: 0, count: (block - bytes.count % block) % block)
            }
        }
        // Two zero blocks end the archive; the whole is a multiple of the 10240-byte record.
        out += [UInt8](repeating: 0, count: 2 * block)
        out += [UInt8](repeating: 0, count: (10240 - out.count % 10240) % 10240)
        return out
    }

    static func header(_ entry: Entry, mtime: Int64) throws(Failure) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: block)
        let name = Array(entry.name.utf8)
        guard name.count <= 100 else { throw Failure(description: "\(entry.name): name too long for a ustar header") }
        func put(_ bytes: [UInt8], at offset: Int) { header.replaceSubrange(offset..<offset + bytes.count, with: bytes) }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(name, at: 0)
        put(octal(entry.bytes == nil ? 0o755 : 0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(Int64(entry.bytes?.count ?? 0), width: 12), at: 124)
        put(octal(mtime, width: 12), at: 136)
        put(Array("        ".utf8), at: 148)
        header[156] = entry.bytes == nil ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(Array("root".utf8), at: 265)
        put(Array("root".utf8), at: 297)
        put(octal(0, width: 8), at: 329)
        put(octal(0, width: 8), at: 337)
        // The checksum: the header's bytes summed with its own field as spaces; six octal digits, NUL, space.
        let sum = header.reduce(0) { $0 + Int64($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return header
    }

    static func gzip(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        do { return try Deflate.gzip(input, level: 9) } catch { throw Failure(description: error.description) }
    }
}
