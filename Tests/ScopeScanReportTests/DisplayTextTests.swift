import Testing
@testable import ScopeScanReport

@Suite("DisplayText: controls from a capture escaped for people, JSON-escaped for programs")
struct DisplayTextTests {
    @Test("C0, DEL, C1, line separators and bidi controls are escaped; other text is kept", arguments: [
        ("lo0", "lo0"),
        ("en0\u{1b}[2J", "en0\\x1b[2J"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\u{7f}\u{85}\u{9b}31m", "\\x7f\\x85\\x9b31m"),
        ("x\u{2028}y\u{2029}z", "x\\u2028y\\u2029z"),
        ("\u{202e}evil\u{2066}", "\\u202eevil\\u2066"),
        ("fe80::1%lo → é ü 漢字 ∞", "fe80::1%lo → é ü 漢字 ∞"),
    ])
    func escaped(input: String, expected: String) {
        #expect(DisplayText.escaped(input) == expected)
        #expect(!DisplayText.escaped(input).unicodeScalars.contains(where: DisplayText.isEscaped))
    }

    @Test("JSON: the same characters as \\u escapes, on both string writers")
    func json() {
        let hostile = "lo\u{1b}\u{7f}\u{85}\u{2028}é"
        #expect(JSONText.string(hostile) == "\"lo\\u001b\\u007f\\u0085\\u2028é\"")
        var bytes = JSONBytes()
        bytes.add("name", hostile)
        #expect(bytes.closed() == "{\"name\":\"lo\\u001b\\u007f\\u0085\\u2028é\"}")
    }
}
