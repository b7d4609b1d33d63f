/// A finding's sequence as an ASCII ladder for a plain-text mail: one column per endpoint (client
/// C, server S, a third party R1…) and, between client and server, one column per interface the
/// packets were captured on. Each arrow is labelled with its frame number, time and what it is, and
/// crosses its interface's column with an `o`: a packet seen leaving on en0 and coming back on lo0
/// is two arrows, one marked in each column.
///
///     C                          lo0                             S
///     |  #1 +0.000000 s SYN       |                               |
///     |---------------------------o------------------------------>|
enum TextLadder {
    /// At most this many interface columns; with more, each label names its interface instead.
    static let maxLanes = 4

    static func render(_ sequence: SequenceModel, width: Int = PlainText.width) -> [String] {
        let left = 2, right = width - 3
        let count = sequence.participants.count
        // Endpoints spread evenly over the width, client leftmost, as the Mermaid diagram orders them.
        let columns = (0..<count).map { left + (right - left) * $0 / max(1, count - 1) }
        let showLanes = !sequence.lanes.isEmpty && sequence.lanes.count <= maxLanes
        let laneNames = showLanes ? sequence.lanes : []
        let (lo, hi) = (min(columns[0], columns[1]), max(columns[0], columns[1]))
        let laneColumns = laneNames.indices.map { lo + (hi - lo) * ($0 + 1) / (laneNames.count + 1) }
        let spacing = laneColumns.isEmpty ? hi - lo : (hi - lo) / (laneNames.count + 1)

        var out: [String] = []
        for participant in sequence.participants {
            out += PlainText.wrap("\(participant.id) = \(participant.role) \(participant.label)", first: "  ", rest: "      ")
        }
        // A name too long for its column gets a short one (i1, i2…) and a legend line.
        var headers: [String] = []
        for (index, name) in laneNames.enumerated() {
            let ascii = PlainText.ascii(name)
            if ascii.count < spacing - 1 {
                headers.append(ascii)
            } else {
                headers.append("i\(index + 1)")
                out += PlainText.wrap("i\(index + 1) = interface \(name)", first: "  ", rest: "       ")
            }
        }
        if showLanes {
            out.append("  o = captured on the interface of that column")
        }
        out.append("")

        let grid = Canvas(width: width, bars: columns + laneColumns)
        var header = grid.blank(bars: false)
        for (index, participant) in sequence.participants.enumerated() { header.put(participant.id, centredOn: columns[index]) }
        for (index, name) in headers.enumerated() { header.put(name, centredOn: laneColumns[index]) }
        out.append(header.text)
        out.append(grid.blank().text)
        for message in sequence.messages {
            let from = columns[message.from], to = columns[message.to]
            var label = "#\(message.frame) \(message.offset) \(message.label)"
            if !showLanes, let name = message.interface { label += " on \(name)" }
            let start = min(from, to) + 3
            for line in PlainText.wrap(label, width: width - start - 1) {
                var row = grid.blank()
                // A space after the label keeps it clear of a lane bar right behind it.
                row.put(line + " ", at: start)
                out.append(row.text)
            }
            var arrow = grid.blank()
            arrow.arrow(from: from, to: to)
            if showLanes, let name = message.interface, let lane = laneNames.firstIndex(of: name) {
                arrow.set(laneColumns[lane], "o")
            }
            out.append(arrow.text)
            for drop in message.drops {
                for line in PlainText.wrap("[dropped by the kernel: \(drop)]", width: width - start) {
                    var row = grid.blank()
                    row.put(line, at: start)
                    out.append(row.text)
                }
            }
        }
        out.append(grid.blank().text)
        if let note = sequence.closingNote {
            out += PlainText.wrap("(C, S: \(note))", first: "  ", rest: "   ")
        }
        return out
    }

    /// One line of the ladder.
    struct Row {
        var characters: [Character]

        mutating func set(_ column: Int, _ character: Character) {
            if column >= 0 && column < characters.count { characters[column] = character }
        }

        mutating func put(_ text: String, at column: Int) {
            for (offset, character) in text.enumerated() { set(column + offset, character) }
        }

        mutating func put(_ text: String, centredOn column: Int) {
            put(text, at: max(0, min(characters.count - text.count, column - text.count / 2)))
        }

        /// `|----->|` or `|<-----|` between two endpoint columns.
        mutating func arrow(from: Int, to: Int) {
            let (lo, hi) = (min(from, to), max(from, to))
            for column in lo...hi { set(column, "-") }
            set(lo, "|")
            set(hi, "|")
            if from < to { set(hi - 1, ">") } else { set(lo + 1, "<") }
        }

        var text: String { PlainText.trimmed(String(characters)) }
    }

    struct Canvas {
        var width: Int
        var bars: [Int]

        func blank(bars drawn: Bool = true) -> Row {
            var row = Row(characters: Array(repeating: " ", count: width))
            if drawn { for column in bars { row.set(column, "|") } }
            return row
        }
    }
}
