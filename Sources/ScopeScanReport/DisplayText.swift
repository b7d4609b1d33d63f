/// Strings from a capture or the network (interface names and descriptions, comments, PKTAP
/// process and interface names) shown to a person: every character a terminal or a line-based
/// reader would act on is written as an escape, so nothing from the input moves the cursor, sets a
/// title, or splits one line into two. Escaped: C0 controls (`\n`, `\r`, `\t`, `\x1b`, …), DEL,
/// C1 controls (`\x9b`, …), the line and paragraph separators U+2028/U+2029 and the bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) as `\u2028`. JSON output escapes the same
/// characters as `\u00XX` (JSONText).
public enum DisplayText {
    /// `text` with controls escaped; `text` itself (no copy) when it has none.
    public static func escaped(_ text: String) -> String {
        guard needsEscaping(text) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7f...0x9f: out += "\\x" + hex(v, digits: 2)
            case 0x2028, 0x2029, 0x202a...0x202e, 0x2066...0x2069: out += "\\u" + hex(v, digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Optional strings, escaped when present.
    public static func escaped(_ text: String?) -> String? { text.map { escaped($0) } }

    /// True when a scalar that `escaped` rewrites may be present: a fast scan of the UTF-8 bytes
    /// (C0 and DEL; 0xC2 leads every C1 control; 0xE2 leads U+2028 and the bidi controls).
    public static func needsEscaping(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7f || $0 == 0xc2 || $0 == 0xe2 } && text.unicodeScalars.contains(where: isEscaped)
    }

    /// Whether `escaped` rewrites this scalar; also the fuzz target's invariant.
    public static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7f...0x9f).contains(v) || v == 0x2028 || v == 0x2029 || (0x202a...0x202e).contains(v) || (0x2066...0x2069).contains(v)
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
