import ScopeScanReport

import ScopeScanSystem

/// `--bundle DIR` or `--bundle DIR.tar.gz`: everything a bug report needs in one place: the
/// evidence pcapng, the report as Markdown, text and HTML, the sequence diagrams as SVG, and a
/// README.txt saying what each file is and how to open the capture. A directory gets the files
/// directly; a .tar.gz (or .tgz) holds them under one directory named after the archive. The
/// target must not exist: the bundle is built under a temporary name beside it and renamed into
/// place without replacing anything (`NewOutput`). Deterministic: files in name order, the
/// capture's first packet time as every mtime, root as owner.
public struct EvidenceBundle {
    public var path: String

    public init(path: String) { self.path = path }

    public var isTarball: Bool { path.hasSuffix(".tar.gz") || path.hasSuffix(".tgz") }

    /// The directory inside the archive: "bug" for bug.tar.gz.
    var stem: String {
        let name = String(path.split(separator: "/").last ?? "bundle")
        for suffix in [".tar.gz", ".tgz"] where name.hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        return "scopescan-bundle"
    }

    static let evidenceName = "evidence.pcapng"

    /// The bundle's files by name, in name order. `model` names `evidence.pcapng` as its evidence.
    static func files(model: ReportModel, evidence: [UInt8], appendix: String?) -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = [(evidenceName, evidence), ("README.txt", Array(readme(model).utf8))]
        for format in [ReportFormat.md, .txt, .html, .svg] {
            files.append(("report.\(format.rawValue)", Array(format.render(model, appendix: appendix).utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    static func readme(_ model: ReportModel) -> String {
        let counts = model.byRule.map { "\($0.rule) \($0.count)" }.joined(separator: ", ")
        var lines = PlainText.wrap("scopescan \(model.version) evidence bundle for \(model.input.name) (\(model.input.format), \(model.input.size) bytes, SHA-256 \(model.input.sha256)): \(model.findings.count) finding\(model.findings.count == 1 ? "" : "s")\(counts.isEmpty ? "" : " (\(counts))").")
        lines.append("")
        let files = [
            (evidenceName, "the packets that prove the findings, each with a comment naming the findings it proves and its frame number in \(model.input.name); the section header records the scopescan version and the input's SHA-256."),
            ("report.txt", "the report as plain text, 72 columns, ASCII: paste it into a mail (netdev@, bugs@) or a text-only tracker."),
            ("report.md", "the same report in Markdown; GitHub, GitLab and Gitea render its Mermaid sequence diagrams."),
            ("report.html", "the same report as one self-contained page (no script, nothing fetched): open it in any browser."),
            ("report.svg", "the sequence diagram of each finding, stacked, one lane per interface."),
        ]
        for (name, what) in files {
            lines += PlainText.wrap(what, first: PlainText.ascii(name).padding(16), rest: String(repeating: " ", count: 16))
        }
        lines += ["", "Open the capture in Wireshark:", "", "    wireshark \(evidenceName)", ""]
        lines += PlainText.wrap("Each packet's comment (the Packet comments tree in the packet details, or a pkt_comment column) names the findings it proves. Without a display:")
        lines += ["", "    tshark -r \(evidenceName) -T fields -e frame.number -e frame.comment", "    scopescan decode \(evidenceName)", ""]
        return lines.joined(separator: "\n")
    }

    public func write(model: ReportModel, evidence: [UInt8], appendix: String?) throws(ScopeScanError) {
        let files = Self.files(model: model, evidence: evidence, appendix: appendix)
        do {
            let output = try NewOutput(path: path, kind: isTarball ? .file : .directory)
            if isTarball {
                let entries = [TarGzip.Entry(name: stem + "/", bytes: nil)] + files.map { TarGzip.Entry(name: "\(stem)/\($0.0)", bytes: $0.1) }
                do {
                    try output.write(try TarGzip.gzip(try TarGzip.tar(entries, mtime: model.firstSecond)))
                } catch let error as TarGzip.Failure {
                    throw ScopeScanError("\(path): \(error.description)")
                }
            } else {
                for (name, bytes) in files { try output.write(bytes, name: name) }
            }
            try output.commit()
        } catch let error as SystemError {
            throw ScopeScanError(error.description)
        } catch let error as ScopeScanError {
            throw error
        } catch {
            throw ScopeScanError("\(path): \(error)")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
