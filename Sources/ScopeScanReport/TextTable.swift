/// An aligned table for the plain-text report: each cell is one or more paragraphs wrapped to its
/// column, so a long address or interface name adds lines instead of columns. The last column
/// takes what the width leaves.
struct TextTable {
    struct Column {
        var header: String
        var rightAligned = false
        /// The widest this column may be (the last column always takes the rest).
        var maxWidth = 24
    }

    var columns: [Column]
    /// Per row, per column, the cell's paragraphs.
    var rows: [[[String]]] = []
    /// Per row, a line under it spanning the whole width (a flow too long for a column).
    var notes: [String?] = []
    var indent = 2
    var gap = 2

    init(_ columns: [Column]) { self.columns = columns }

    mutating func add(_ cells: [[String]], note: String? = nil) {
        rows.append(cells)
        notes.append(note)
    }

    mutating func add(_ cells: [String], note: String? = nil) { add(cells.map { [$0] }, note: note) }

    func render(width: Int = PlainText.width) -> [String] {
        var widths = columns.indices.map { index in
            let cells = rows.map { $0[index].map { PlainText.ascii($0).count }.max() ?? 0 }
            return min(columns[index].maxWidth, max(columns[index].header.count, cells.max() ?? 0))
        }
        let fixed = widths.dropLast().reduce(0, +) + gap * (columns.count - 1) + indent
        widths[widths.count - 1] = max(12, width - fixed)
        func line(_ cells: [String]) -> String {
            var text = String(repeating: " ", count: indent)
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                text += columns[index].rightAligned ? PlainText.leftPadded(cell, widths[index]) : (last ? cell : PlainText.padded(cell, widths[index]))
                if !last { text += String(repeating: " ", count: gap) }
            }
            return PlainText.trimmed(text)
        }
        var out = [line(columns.map(\.header)), line(widths.map { String(repeating: "-", count: $0) })]
        for (row, note) in zip(rows, notes) {
            let wrapped = row.enumerated().map { index, paragraphs in
                paragraphs.flatMap { PlainText.wrap($0, rest: "  ", width: widths[index]) }
            }
            let height = wrapped.map(\.count).max() ?? 0
            for number in 0..<height {
                out.append(line(wrapped.map { number < $0.count ? $0[number] : "" }))
            }
            if let note {
                let pad = String(repeating: " ", count: indent + widths[0] + gap)
                out += PlainText.wrap(note, first: pad, rest: pad + "  ", width: width)
            }
        }
        return out
    }
}
