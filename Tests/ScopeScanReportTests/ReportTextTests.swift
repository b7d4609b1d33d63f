import Testing
@testable import ScopeScanReport

@Suite("Report building blocks: ASCII text, wrapping, tables, escaping, format choice")
struct ReportTextTests {
    @Test("ascii: the report's typography spelled in ASCII, other characters as \\u escapes, controls as DisplayText does", arguments: [
        ("tcp [fe80::1]:1 → [fe80::2]:2", "tcp [fe80::1]:1 -> [fe80::2]:2"),
        ("codes 0–6, fe80::…%en0", "codes 0-6, fe80::...%en0"),
        ("“quoted” ‘single’", "\"quoted\" 'single'"),
        ("en0\u{1b}[2J\tx", "en0\\x1b[2J\\tx"),
        ("café 漢", "caf\\u00e9 \\u6f22"),
    ])
    func ascii(input: String, expected: String) {
        #expect(PlainText.ascii(input) == expected)
        #expect(PlainText.ascii(input).utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f })
    }

    @Test("wrap: every line within the width, words kept in order, a word longer than a line cut")
    func wrap() {
        let text = "link-local fe80::8f1:f892:9152:9105 seen on lo0: own link-local traffic rerouted to loopback, its scope id ignored " + String(repeating: "x", count: 100)
        for width in [20, 40, 72] {
            let lines = PlainText.wrap(text, first: "- ", rest: "  ", width: width)
            #expect(lines.allSatisfy { $0.count <= width })
            #expect(lines[0].hasPrefix("- ") && lines.dropFirst().allSatisfy { $0.hasPrefix("  ") })
            // Nothing lost or reordered: the same characters once the spaces are gone.
            #expect(lines.map { String($0.dropFirst(2)) }.joined().filter { $0 != " " } == text.filter { $0 != " " })
        }
        #expect(PlainText.wrap("") == [""])
    }

    @Test("a text table: columns aligned, right-aligned numbers, the last column wrapped, no line over 72")
    func table() {
        var table = TextTable([.init(header: "frame", rightAligned: true, maxWidth: 8), .init(header: "iface", maxWidth: 12), .init(header: "packet")])
        table.add([["1"], ["lo0"], ["TCP SYN seq 974859341", "from [fe80::8f1:f892:9152:9106%lo0]:50001"]])
        table.add([["12"], ["a-very-long-interface-name"], [String(repeating: "word ", count: 30)]], note: "flow: tcp")
        let lines = table.render()
        #expect(lines[0] == "  frame  iface         packet")
        #expect(lines[1].hasPrefix("  -----  ------------  ------"))
        #expect(lines[2] == "      1  lo0           TCP SYN seq 974859341")
        #expect(lines[3] == "                       from [fe80::8f1:f892:9152:9106%lo0]:50001")
        #expect(lines[4].hasPrefix("     12  a-very-long-  word word"))
        #expect(lines.contains("         flow: tcp"))
        #expect(lines.allSatisfy { $0.count <= 72 })
    }

    @Test("XML/HTML escaping: DisplayText's escapes, then the five specials")
    func xml() {
        #expect(SVGDiagram.xml("<b a=\"1\" b='2'>&\u{1b}</b>") == "&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;\\x1b&lt;/b&gt;")
    }

    @Test("references link to the RFC Editor and FreeBSD's review and bug trackers")
    func links() {
        #expect(HTMLReport.linked("RFC 4007 section 6; FreeBSD review D35732, PR 265089") ==
            "<a href=\"https://www.rfc-editor.org/rfc/rfc4007\">RFC 4007</a> section 6; FreeBSD <a href=\"https://reviews.freebsd.org/D35732\">review D35732</a>, <a href=\"https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=265089\">PR 265089</a>")
        #expect(HTMLReport.linked("RFC x, PR") == "RFC x, PR")
    }

    @Test("the format by extension", arguments: [
        ("r.md", ReportFormat.md), ("dir/R.MARKDOWN", .md), ("r.txt", .txt), ("r.html", .html), ("x/r.htm", .html), ("r.svg", .svg),
        ("r.doc", nil), ("report", nil), (".md", nil), ("a.md/report", nil),
    ])
    func format(path: String, expected: ReportFormat?) {
        #expect(ReportFormat(path: path) == expected)
    }
}
