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
