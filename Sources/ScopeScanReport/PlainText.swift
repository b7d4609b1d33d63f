/// Plain text for a mail body (netdev@, bugs@ reject HTML mail and expect 72 columns): ASCII only,
/// no tabs, every line at most `width` columns.
public enum PlainText {
    public static let width = 72

    /// `text` escaped as the terminal output is (DisplayText), then made ASCII: the report's own
    /// typography becomes its ASCII spelling ("→" "->", "–" "-", "…" "..."); any other non-ASCII
    /// character, from the capture or a rule's text, is written `\u{e9}`-style as `\u00e9`, so
    /// nothing is lost and nothing depends on the mail client's charset.
    public static func ascii(_ text: String) -> String {
        let escaped = DisplayText.escaped(text)
        guard escaped.utf8.contains(where: { $0 >= 0x80 || $0 == 0x09 }) else { return escaped }
        var out = ""
        for scalar in escaped.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: out.unicodeScalars.append(scalar)
            case 0x2192: out += "->"
            case 0x2190: out += "<-"
            case 0x2013, 0x2014, 0x2212: out += "-"
            case 0x2026: out += "..."
            case 0x2018, 0x2019: out += "'"
            case 0x201c, 0x201d: out += "\""
            case 0xa0: out += " "
            case 0xb5: out += "u"
            default: out += "\\u" + DisplayText.hex(scalar.value, digits: 4)
            }
        }
        return out
    }

    /// Words of `text` filled into lines of `width`; the first line starts with `first`, the others
    /// with `rest` (a hanging indent). A word longer than a line is cut.
    public static func wrap(_ text: String, first: String = "", rest: String = "", width: Int = width) -> [String] {
        var lines: [String] = []
        var line = first
        var empty = true
        for word in ascii(text).split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            let needed = (empty ? 0 : 1) + word.count
            if line.count + needed > width && !empty {
                lines.append(line)
                line = rest
                empty = true
            }
            // A word too long for any line (a hash, a long interface name): cut it.
            while line.count + (empty ? 0 : 1) + word.count > width {
                let room = max(1, width - line.count - (empty ? 0 : 1))
                line += (empty ? "" : " ") + word.prefix(room)
                word = word.dropFirst(room)
                lines.append(line)
                line = rest
                empty = true
            }
            if word.isEmpty { continue }
            line += (empty ? "" : " ") + word
            empty = false
        }
        if !empty || lines.isEmpty { lines.append(line) }
        return lines.map { trimmed($0) }
    }

    static func trimmed(_ line: String) -> String {
        var line = Substring(line)
        while line.last == " " { line = line.dropLast() }
        return String(line)
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func leftPadded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
