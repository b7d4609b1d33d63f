import ScopeScanPackets
import ScopeScanRules
import ScopeScanWire

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
            case let c where c.value < 0x20 || DisplayText.isEscaped(c):
                // C0 as RFC 8259 requires; DEL, C1, U+2028/2029 and bidi controls too, so a
                // terminal showing the raw JSON (or jq's output) never acts on them.
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
/// escaping, integers in decimal), without a `String` per value and per nested object (which cost
/// fifty times what the decode costs): the bytes go into one array, reserved once.
struct JSONBytes: ~Copyable {
    private var bytes: [UInt8] = []
    /// No member yet in the innermost object or array: no comma before the next.
    private var first = true

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
        append(UInt8(ascii: "{"))
    }

    /// The text, with the outermost object closed.
    consuming func closed() -> String {
        append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if bytes.count + extra > bytes.capacity { bytes.reserveCapacity(max(bytes.capacity * 2, bytes.count + extra)) }
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func append(_ text: Span<UInt8>) {
        reserve(text.count)
        for i in text.indices { bytes.append(text[i]) }
    }

    mutating func appendLiteral(_ text: StaticString) {
        // Literals here are ASCII: their `description` is the same text.
        bytes.append(contentsOf: text.description.utf8)
    }

    mutating func key(_ name: StaticString) {
        reserve(name.utf8CodeUnitCount + 4)
        if !first { append(UInt8(ascii: ",")) }
        first = false
        append(UInt8(ascii: "\""))
        appendLiteral(name)
        append(UInt8(ascii: "\""))
        append(UInt8(ascii: ":"))
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

    /// A string value of UTF-8 bytes that need no escaping (an address's text).
    mutating func add(_ name: StaticString, unescaped text: Span<UInt8>) {
        key(name)
        append(UInt8(ascii: "\""))
        append(text)
        append(UInt8(ascii: "\""))
    }

    /// An address as a JSON string.
    mutating func add(_ name: StaticString, _ address: IPAddress) {
        switch address {
        case .v4(let a): a.withUTF8Text { add(name, unescaped: $0) }
        case .v6(let a): a.withUTF8Text { add(name, unescaped: $0) }
        }
    }

    /// Epoch seconds with nine decimals, as `Timestamp.epochText` writes them (tshark's
    /// frame.time_epoch), as a bare number.
    mutating func add(_ name: StaticString, epoch time: Timestamp) {
        key(name)
        appendInt(Int(time.seconds))
        append(UInt8(ascii: "."))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 9))
        var fraction = Int(time.fraction) // 0 ..< 1_000_000_000
        for position in stride(from: start + 8, through: start, by: -1) {
            bytes[position] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
        }
    }

    mutating func beginObject(_ name: StaticString) {
        key(name)
        append(UInt8(ascii: "{"))
        first = true
    }

    /// Starts an object as an array element.
    mutating func beginObject() {
        if !first { append(UInt8(ascii: ",")) }
        append(UInt8(ascii: "{"))
        first = true
    }

    mutating func endObject() {
        append(UInt8(ascii: "}"))
        first = false
    }

    mutating func beginArray(_ name: StaticString) {
        key(name)
        append(UInt8(ascii: "["))
        first = true
    }

    mutating func endArray() {
        append(UInt8(ascii: "]"))
        first = false
    }

    /// An integer as an array element.
    mutating func element(_ value: Int) {
        if !first { append(UInt8(ascii: ",")) }
        first = false
        appendInt(value)
    }

    /// A string as an array element.
    mutating func element(_ value: String) {
        if !first { append(UInt8(ascii: ",")) }
        first = false
        appendString(value)
    }

    /// Decimal, as `String(value)` writes it.
    mutating func appendInt(_ value: Int) {
        reserve(20)
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var scan = magnitude
        while scan >= 10 { scan /= 10; digits += 1 }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var position = start + digits
        repeat {
            position -= 1
            bytes[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }

    /// A JSON string, escaped as `JSONText.appendString` escapes it.
    mutating func appendString(_ text: String) {
        // C1 controls and U+2028/2029 are multi-byte: the scalar-wise escaper handles the rare
        // string holding one (0xC2 and 0xE2 lead them).
        if text.utf8.contains(where: { $0 == 0xc2 || $0 == 0xe2 }) && DisplayText.needsEscaping(text) {
            bytes.append(contentsOf: JSONText.string(text).utf8)
            return
        }
        append(UInt8(ascii: "\""))
        do {
            reserve(text.utf8.count)
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): append(UInt8(ascii: "\\")); append(byte)
                case UInt8(ascii: "\n"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "t"))
                case 0..<0x20:
                    appendLiteral("\\u00")
                    append(Self.hexDigit(byte >> 4))
                    append(Self.hexDigit(byte & 0xf))
                case 0x7f: appendLiteral("\\u007f")
                default: append(byte) // ASCII, or a byte of a multi-byte scalar: as is
                }
            }
        }
        append(UInt8(ascii: "\""))
    }
}
