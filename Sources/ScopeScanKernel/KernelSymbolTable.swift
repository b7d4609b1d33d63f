#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    public init(kallsyms text: some Collection<UInt8>) {
        var entries: [(address: UInt64, start: Int32, length: Int32)] = []
        var bytes: [UInt8] = []
        var line: [UInt8] = []
        func take() {
            defer { line.removeAll(keepingCapacity: true) }
            guard let firstSpace = line.firstIndex(of: 0x20), firstSpace + 3 < line.count, line[firstSpace + 2] == 0x20 else { return }
            let type = line[firstSpace + 1]
            guard type == UInt8(ascii: "t") || type == UInt8(ascii: "T") else { return }
            var address: UInt64 = 0
            for digit in line[..<firstSpace] {
                guard let value = hexValue(digit) else { return }
                address = address << 4 | UInt64(value)
            }
            guard address != 0 else { return }
            let nameStart = firstSpace + 3
            let nameEnd = line[nameStart...].firstIndex { $0 == 0x09 || $0 == 0x20 } ?? line.count
            guard nameEnd > nameStart else { return }
            entries.append((address, Int32(bytes.count), Int32(nameEnd - nameStart)))
            bytes.append(contentsOf: line[nameStart..<nameEnd])
        }
        for byte in text {
            if byte == 0x0a { take() } else { line.append(byte) }
        }
        take()
        entries.sort { $0.address < $1.address }
        addresses = entries.map(\.address)
        nameStarts = entries.map(\.start)
        nameBytes = bytes
        nameLengths = entries.map(\.length)
    }

    /// Reads the running kernel's table (or another file in the same format).
    public static func load(path: String = "/proc/kallsyms") throws(KernelDropsUnavailable) -> KernelSymbolTable {
        KernelSymbolTable(kallsyms: try readWholeFile(path))
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
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw KernelDropsUnavailable("cannot read \(path): \(errnoText())") }
    defer { close(descriptor) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw KernelDropsUnavailable("cannot read \(path): \(errnoText())") }
        if count == 0 { return result }
        result.append(contentsOf: chunk[..<count])
    }
}

func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// The text of a NUL-terminated buffer filled by C.
func decodeCString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
