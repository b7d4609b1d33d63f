/// The formats `--report` writes: Markdown (code hosts render its Mermaid diagrams), plain text
/// for mail and text-only trackers, one SVG of the sequence diagrams, and one self-contained HTML
/// page. Chosen by `--report-format`, else by the report's extension.
public enum ReportFormat: String, CaseIterable, Sendable {
    case md, txt, html, svg

    /// By extension (case-insensitive): .md/.markdown, .txt/.text, .html/.htm, .svg; nil for any other.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "md", "markdown": self = .md
        case "txt", "text": self = .txt
        case "html", "htm": self = .html
        case "svg": self = .svg
        default: return nil
        }
    }

    /// The report of `model` in this format; `appendix` (Markdown) goes at the end of md, txt and
    /// html.
    public func render(_ model: ReportModel, appendix: String? = nil) -> String {
        switch self {
        case .md: return MarkdownReport(model: model).render() + (appendix.map { "\n" + $0 } ?? "")
        case .txt: return TextReport(model: model, appendix: appendix).render()
        case .html: return HTMLReport(model: model, appendix: appendix).render()
        case .svg: return SVGDiagram.document(model)
        }
    }
}
