import ScopeScanRules

/// Minimal JSON text building: strings escaped per RFC 8259, keys in the order written.
public struct JSONObject {
    private(set) var text = "{"
    private var first = true

    public init() {}

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        JSONText.appendString(name, to: &text)
        text += ":"
    }

    public mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { JSONText.appendString(value, to: &text) } else { text += "null" }
    }

    public mutating func add(_ name: String, _ value: Int?) {
        key(name)
        text += value.map(String.init) ?? "null"
    }

    public mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    public mutating func add(_ name: String, double value: Double) {
        key(name)
        text += JSONText.number(value)
    }

    /// A value already written as JSON (a nested object, an array, a raw number).
    public mutating func add(_ name: String, raw: String) {
        key(name)
        text += raw
    }

    public mutating func add(_ name: String, _ object: JSONObject) {
        add(name, raw: object.closed)
    }

    public mutating func add(_ name: String, ints: [Int]) {
        add(name, raw: "[" + ints.map(String.init).joined(separator: ",") + "]")
    }

    public mutating func add(_ name: String, strings: [String]) {
        var out = "["
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            JSONText.appendString(s, to: &out)
        }
        add(name, raw: out + "]")
    }

    public var closed: String { text + "}" }
}

public enum JSONText {
    public static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    public static func string(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }

    /// Shortest round-tripping text for finite numbers; integers without a fraction.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    public static func value(_ detail: DetailValue) -> String {
        switch detail {
        case .string(let s): return string(s)
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let list): return "[" + list.map(string).joined(separator: ",") + "]"
        case .ints(let list): return "[" + list.map(String.init).joined(separator: ",") + "]"
        case .doubles(let list): return "[" + list.map(number).joined(separator: ",") + "]"
        }
    }
}

/// JSON built straight into UTF-8 bytes, for text written once per packet (`scopescan decode
/// --format json`): the same text `JSONObject` builds (keys in the order written, RFC 8259
/// escaping, integers in decimal), without a `String` per value and per nested object, which cost
/// a hundred times more than the decode.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []
    /// No member yet in the innermost object or array: no comma before the next.
    private var first = true

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The text, with the outermost object closed.
    var closed: String {
        var text = bytes
        text.append(UInt8(ascii: "}"))
        return String(decoding: text, as: UTF8.self)
    }

    mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func add(_ name: StaticString, _ value: Int) {
        key(name)
        appendInt(value)
    }

    mutating func add(_ name: StaticString, _ value: Int?) {
        key(name)
        if let value { appendInt(value) } else { appendLiteral("null") }
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        key(name)
        appendLiteral(value ? "true" : "false")
    }

    mutating func add(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { appendString(value) } else { appendLiteral("null") }
    }

    /// A value written by `body` into the bytes (an address, a timestamp).
    mutating func add(_ name: StaticString, raw body: (inout [UInt8]) -> Void) {
        key(name)
        body(&bytes)
    }

    /// A string value written by `body` as UTF-8 that needs no escaping (addresses).
    mutating func add(_ name: StaticString, unescaped body: (inout [UInt8]) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        body(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func beginObject(_ name: StaticString) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        first = true
    }

    /// Starts an object as an array element.
    mutating func beginObject() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "{"))
        first = true
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    mutating func beginArray(_ name: StaticString) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        first = true
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        first = false
    }

    /// An integer as an array element.
    mutating func element(_ value: Int) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        appendInt(value)
    }

    /// A string as an array element.
    mutating func element(_ value: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        appendString(value)
    }

    mutating func appendLiteral(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Decimal, as `String(value)` writes it.
    mutating func appendInt(_ value: Int) {
        Self.appendDecimal(value, to: &bytes)
    }

    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // room for the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[start...])
        }
    }

    /// A JSON string, escaped as `JSONText.appendString` escapes it.
    mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                case 0..<0x20:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xf)]])
                default: bytes.append(byte) // ASCII, or a byte of a multi-byte scalar: as is
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
