/// A finding's sequence drawn as SVG 1.1 by scopescan itself: no script, no web fonts (only the
/// generic families sans-serif and monospace), every capture string escaped (DisplayText, then
/// XML). Endpoints are lifelines (client, server, any third party); between client and server each
/// interface the packets were captured on is a lane of its own colour, and every arrow is drawn in
/// the colour of its interface with a dot on that lane, so a packet that left on en0 and came back
/// on lo0 shows as an arrow through each lane.
public enum SVGDiagram {
    static let width = 1000
    static let rowHeight = 46
    /// Lane colours, in order of first appearance; red is kept for kernel drops.
    static let palette = ["#1f5fbf", "#1e8449", "#7d3c98", "#b9770e", "#117a8b", "#6e2c00"]
    static let dropColour = "#c0392b"
    static let unknownColour = "#555555"

    /// XML text and attribute values: DisplayText's escapes first (no control character reaches
    /// the file, XML 1.0 forbids most of them), then the five XML specials.
    public static func xml(_ text: String) -> String {
        var out = ""
        for character in DisplayText.escaped(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The whole report's diagrams in one file, stacked, each under its finding's heading.
    public static func document(_ model: ReportModel) -> String {
        var body = ""
        var y = 54
        for finding in model.findings {
            let (svg, height) = diagram(finding, x: 0, y: y)
            body += svg
            y += height + 24
        }
        if model.findings.isEmpty {
            body += "<text x=\"24\" y=\"\(y + 10)\" font-family=\"sans-serif\" font-size=\"15\">No findings.</text>\n"
            y += 40
        }
        let title = "scopescan report: \(model.input.name)"
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\(quote(y)) viewBox=\"0 0 \(width) \(y)\">\n"
            + "<title>\(xml(title))</title>\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\(quote(y)) fill=\"#ffffff\"/>\n"
            + "<text x=\"24\" y=\"32\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"bold\" fill=\"#222222\">\(xml(title))</text>\n"
            + body + "</svg>\n"
    }

    static func quote(_ value: Int) -> String { "\"\(value)\"" }

    /// One finding as a nested `<svg>` at (`x`, `y`), with its height. Element ids carry the finding's
    /// number, so several diagrams can share one HTML page.
    public static func diagram(_ finding: ReportModel.FindingEntry, x: Int = 0, y: Int = 0) -> (String, Int) {
        let prefix = "f\(finding.number)"
        var out = ""
        func text(_ x: Int, _ y: Int, _ content: String, size: Int = 13, anchor: String = "start", family: String = "monospace", weight: String? = nil, fill: String = "#222222") {
            out += "<text x=\"\(x)\" y=\"\(y)\" font-family=\"\(family)\" font-size=\"\(size)\" text-anchor=\"\(anchor)\"\(weight.map { " font-weight=\"\($0)\"" } ?? "") fill=\"\(fill)\">\(xml(content))</text>\n"
        }
        text(24, 24, "\(finding.number). \(finding.rule) (\(finding.severity)): \(finding.title)", size: 16, family: "sans-serif", weight: "bold")
        guard let sequence = finding.sequence else {
            text(24, 52, "No flow to draw; the frames are listed in the report.", size: 13, family: "sans-serif")
            return (wrap(out, x: x, y: y, height: 68, label: finding), 68)
        }
        let left = 170, right = width - 170
        let count = sequence.participants.count
        let columns = (0..<count).map { left + (right - left) * $0 / max(1, count - 1) }
        let (lo, hi) = (min(columns[0], columns[1]), max(columns[0], columns[1]))
        let lanes = Array(sequence.lanes.prefix(palette.count))
        let laneColumns = lanes.indices.map { lo + (hi - lo) * ($0 + 1) / (lanes.count + 1) }
        func colour(_ interface: String?) -> String {
            interface.flatMap { lanes.firstIndex(of: $0) }.map { palette[$0] } ?? unknownColour
        }
        let top = 44, boxHeight = 54
        let firstRow = top + boxHeight + 34
        let height = firstRow + sequence.messages.count * rowHeight + sequence.messages.reduce(0) { $0 + $1.drops.count * 18 } + (sequence.closingNote == nil ? 16 : 58)
        out += "<defs>\n"
        for (index, shade) in (palette.prefix(lanes.count) + [unknownColour]).enumerated() {
            out += "<marker id=\"\(prefix)-arrow-\(index)\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto\" markerUnits=\"userSpaceOnUse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"\(shade)\"/></marker>\n"
        }
        out += "</defs>\n"
        // Lifelines and their heads.
        for (index, participant) in sequence.participants.enumerated() {
            let cx = columns[index]
            let labelWidth = max(participant.address.count, participant.role.count + 4) * 8 + 20
            out += "<line x1=\"\(cx)\" y1=\"\(top + boxHeight)\" x2=\"\(cx)\" y2=\"\(height - 8)\" stroke=\"#333333\" stroke-width=\"2\"/>\n"
            out += "<rect x=\"\(cx - labelWidth / 2)\" y=\"\(top)\" width=\"\(labelWidth)\" height=\"\(boxHeight)\" rx=\"6\" fill=\"#f4f4f4\" stroke=\"#333333\"/>\n"
            text(cx, top + 16, "\(participant.id): \(participant.role)", size: 13, anchor: "middle", family: "sans-serif", weight: "bold")
            text(cx, top + 33, participant.address, size: 13, anchor: "middle")
            if let port = participant.port { text(cx, top + 49, "port \(port)", size: 13, anchor: "middle") }
        }
        for (index, name) in lanes.enumerated() {
            let cx = laneColumns[index], shade = palette[index]
            out += "<line x1=\"\(cx)\" y1=\"\(top + boxHeight)\" x2=\"\(cx)\" y2=\"\(height - 8)\" stroke=\"\(shade)\" stroke-width=\"3\" stroke-dasharray=\"8 5\" opacity=\"0.6\"/>\n"
            // A plain heading (no box around it: OCR and eyes both read it better), underlined in
            // the lane's colour; monospace, so a 0 never reads as an o.
            let labelWidth = max(name.count * 10, 60)
            out += "<rect x=\"\(cx - labelWidth / 2 - 4)\" y=\"\(top + 8)\" width=\"\(labelWidth + 8)\" height=\"40\" fill=\"#ffffff\"/>\n"
            text(cx, top + 21, "interface", size: 11, anchor: "middle", family: "sans-serif", fill: shade)
            text(cx, top + 40, name, size: 16, anchor: "middle", weight: "bold", fill: "#222222")
            out += "<line x1=\"\(cx - labelWidth / 2)\" y1=\"\(top + 47)\" x2=\"\(cx + labelWidth / 2)\" y2=\"\(top + 47)\" stroke=\"\(shade)\" stroke-width=\"3\"/>\n"
        }
        var rowY = firstRow
        for message in sequence.messages {
            let from = columns[message.from], to = columns[message.to]
            let shade = colour(message.interface)
            let marker = message.interface.flatMap { lanes.firstIndex(of: $0) } ?? lanes.count
            let reply = message.from != 0
            let start = min(from, to) + 10
            let label = "#\(message.frame) \(message.offset) \(message.label)"
            // A white ground under the label keeps it legible where it crosses a lane (monospace
            // 13 px is about 7.8 px a character).
            out += "<rect x=\"\(start - 3)\" y=\"\(rowY - 21)\" width=\"\(label.count * 8 + 6)\" height=\"17\" fill=\"#ffffff\" opacity=\"0.85\"/>\n"
            text(start, rowY - 8, label, size: 13, fill: "#111111")
            let end = to + (to > from ? -2 : 2)
            out += "<line x1=\"\(from)\" y1=\"\(rowY)\" x2=\"\(end)\" y2=\"\(rowY)\" stroke=\"\(shade)\" stroke-width=\"2.5\"\(reply ? " stroke-dasharray=\"7 4\"" : "") marker-end=\"url(#\(prefix)-arrow-\(marker))\"/>\n"
            if let name = message.interface, let lane = lanes.firstIndex(of: name) {
                out += "<circle cx=\"\(laneColumns[lane])\" cy=\"\(rowY)\" r=\"6\" fill=\"\(shade)\" stroke=\"#ffffff\" stroke-width=\"2\"/>\n"
            } else if let name = message.interface {
                text(max(from, to) - 10, rowY - 8, "on \(name)", size: 12, anchor: "end", fill: shade)
            }
            for drop in message.drops {
                rowY += 18
                out += "<path d=\"M \(to - 6) \(rowY - 16) l 12 12 m 0 -12 l -12 12\" stroke=\"\(dropColour)\" stroke-width=\"3\"/>\n"
                text(start, rowY, "dropped by the kernel: \(drop)", size: 13, weight: "bold", fill: dropColour)
            }
            rowY += rowHeight
        }
        if let note = sequence.closingNote {
            let noteY = rowY - rowHeight + 24
            out += "<rect x=\"\(lo - 40)\" y=\"\(noteY)\" width=\"\(hi - lo + 80)\" height=\"30\" fill=\"#fff8dc\" stroke=\"#b9a23a\"/>\n"
            text((lo + hi) / 2, noteY + 20, note, size: 14, anchor: "middle", family: "sans-serif")
        }
        return (wrap(out, x: x, y: y, height: height, label: finding), height)
    }

    static func wrap(_ body: String, x: Int, y: Int, height: Int, label finding: ReportModel.FindingEntry) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" class=\"sequence\" id=\"f\(finding.number)-diagram\">\n"
            + "<title>\(xml("\(finding.number). \(finding.rule)"))</title>\n" + body + "</svg>\n"
    }
}
