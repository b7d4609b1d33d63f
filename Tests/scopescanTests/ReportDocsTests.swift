import Foundation
import Testing

@Suite("README's report section stays true to the program")
struct ReportDocsTests {
    @Test("the README's ASCII ladder is the txt report's, as the program writes it now")
    func readmeLadder() throws {
        let directory = try EvidenceTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("r.txt").path
        #expect(try run(["analyze", "--interface-name", "lo0", fixture("macos-lo0-own-linklocal.pcap"), "--report", report]).status == 0)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        let section = try #require(text.range(of: "2. syn-unanswered\n").map { text[$0.lowerBound...] })
        let end = try #require(section.range(of: "3. icmp-unreachable\n"))
        let finding = section[..<end.lowerBound]
        let ladder = try #require(finding.range(of: "Sequence:\n").map { String(finding[$0.lowerBound...]) })
        let trimmed = String(ladder.reversed().drop { $0 == "\n" }.reversed())
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```text\n\(trimmed)\n```\n"), "update the README's ladder block from: scopescan analyze --interface-name lo0 Fixtures/macos-lo0-own-linklocal.pcap --report r.txt")
    }

    @Test("the README's screenshot of the HTML report is a small PNG")
    func readmeScreenshot() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("(docs/images/report-html.png)"))
        let png = try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/images/report-html.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
        #expect(png.count < 100_000, "regenerate with Scripts/readme-screenshot.sh")
    }
}
