import ScopeScanSystem

/// The kernel's text symbols from /proc/kallsyms, to name the function a drop location lies in.
///
/// Read it while privileged: without CAP_SYSLOG the kernel shows every address as zero, and such
/// lines are left out (an empty table symbolises nothing rather than everything as one name).
/// Names are kept in one byte array, not as a String each: the table has a few hundred thousand.
public struct KernelSymbolTable: Sendable {
    private var addresses: [UInt64] = []
    private var nameStarts: [Int32] = []
    private var nameLengths: [Int32] = []
    private var nameBytes: [UInt8] = []

    public var count: Int { addresses.count }
    public var isEmpty: Bool { addresses.isEmpty }

    /// Parses kallsyms text: "ffffffff81fbcc40 T nft_do_chain" or "… t name\t[module]". Only text
    /// symbols (t, T) are kept: a drop location is a return address in code.
    public init(kallsyms text: [UInt8]) {
        var entries: [(address: UInt64, start: Int32, length: Int32)] = []
        var bytes: [UInt8] = []
        do {
            var lineStart = 0
            while lineStart < text.count {
                let lineEnd = text[lineStart...].firstIndex(of: 0x0a) ?? text.count
                defer { lineStart = lineEnd + 1 }
                // "address type name": the type is one letter between single spaces.
                guard let space = text[lineStart..<lineEnd].firstIndex(of: 0x20), space + 3 < lineEnd, text[space + 2] == 0x20 else { continue }
                let type = text[space + 1]
                guard type == UInt8(ascii: "t") || type == UInt8(ascii: "T") else { continue }
                var address: UInt64 = 0
                var valid = space > lineStart
                for digit in text[lineStart..<space] {
                    guard let value = hexValue(digit) else { valid = false; break }
                    address = address << 4 | UInt64(value)
                }
                guard valid, address != 0 else { continue }
                let nameStart = space + 3
                let nameEnd = text[nameStart..<lineEnd].firstIndex { $0 == 0x09 || $0 == 0x20 } ?? lineEnd
                guard nameEnd > nameStart else { continue }
                entries.append((address, Int32(bytes.count), Int32(nameEnd - nameStart)))
                bytes.append(contentsOf: text[nameStart..<nameEnd])
            }
        }
        entries.sort { $0.address < $1.address }
        addresses = entries.map(\.address)
        nameStarts = entries.map(\.start)
        nameLengths = entries.map(\.length)
        nameBytes = bytes
    }

    /// Reads the running kernel's table (or another file in the same format).
    public static func load(path: String? = nil) throws(KernelDropsUnavailable) -> KernelSymbolTable {
        #if os(Linux)
        let file = path ?? "/proc/kallsyms"
        #else
        guard let file = path else { throw KernelDropsUnavailable.unsupportedPlatform }
        #endif
        return KernelSymbolTable(kallsyms: try readWholeFile(file))
    }

    /// The function containing `address`: the nearest symbol at or below it, without an offset.
    public func function(at address: UInt64) -> String? {
        var low = 0, high = addresses.count
        while low < high {
            let middle = (low + high) / 2
            if addresses[middle] <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        return name(at: low - 1)
    }

    /// The address of a symbol by name (the first, if several share it); a linear search, for tests.
    public func address(of symbol: String) -> UInt64? {
        let wanted = Array(symbol.utf8)
        for index in addresses.indices where nameLengths[index] == wanted.count {
            let start = Int(nameStarts[index])
            if nameBytes[start..<start + wanted.count].elementsEqual(wanted) { return addresses[index] }
        }
        return nil
    }

    private func name(at index: Int) -> String {
        let start = Int(nameStarts[index])
        return String(decoding: nameBytes[start..<start + Int(nameLengths[index])], as: UTF8.self)
    }
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case 0x30...0x39: return digit - 0x30
    case 0x61...0x66: return digit - 0x61 + 10
    case 0x41...0x46: return digit - 0x41 + 10
    default: return nil
    }
}

/// The whole of a file whose size stat cannot tell (procfs reports 0).
func readWholeFile(_ path: String) throws(KernelDropsUnavailable) -> [UInt8] {
    let descriptor = System.openFile(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw KernelDropsUnavailable("cannot read \(path): \(errnoText())") }
    defer { close(descriptor) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = System.read(descriptor, into: &chunk)
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw KernelDropsUnavailable("cannot read \(path): \(errnoText())") }
        if count == 0 { return result }
        result.append(contentsOf: chunk[..<count])
    }
}

func errnoText(_ code: Int32 = errno) -> String { System.errorText(code) }

/// The text of a NUL-terminated buffer filled by C.
func decodeCString(_ buffer: [CChar]) -> String { System.string(fromCString: buffer) }
