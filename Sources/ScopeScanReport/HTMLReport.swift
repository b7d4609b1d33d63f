/// The report as one self-contained HTML page: inline CSS, the diagrams as inline SVG, no script
/// and nothing fetched (the only URLs are plain links to the public references), so it opens from
/// the evidence bundle on any machine. Every capture string is escaped (DisplayText, then HTML).
/// Each finding is a `<section class="finding" data-rule="…">` whose id is the Markdown anchor.
public struct HTMLReport {
    public var model: ReportModel
    /// Markdown appended at the end (the probe's table and verdict), shown as preformatted text.
    public var appendix: String?

    public init(model: ReportModel, appendix: String? = nil) {
        self.model = model
        self.appendix = appendix
    }

    static func h(_ text: String) -> String { SVGDiagram.xml(text) }

    static let style = """
    body{font-family:sans-serif;margin:2em auto;max-width:1060px;padding:0 1em;color:#222;line-height:1.45}
    h1{font-size:1.6em;border-bottom:2px solid #1f5fbf;padding-bottom:.2em}
    h2{font-size:1.3em;margin-top:1.8em}
    table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
    th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
    th{background:#eef2f8}
    td.time{white-space:nowrap}
    code,td.mono{font-family:monospace;font-size:.95em;overflow-wrap:anywhere}
    .severity{font-weight:bold;padding:0 .4em;border-radius:.3em;color:#fff}
    .error{background:#c0392b}.warning{background:#b9770e}.info{background:#117a8b}
    section.finding{border-top:1px solid #ddd;margin-top:2em}
    figure{margin:1em 0;overflow-x:auto}
    svg.sequence{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}
    pre{background:#f6f6f6;padding:.8em;overflow-x:auto}
    """

    public func render() -> String {
        let title = "scopescan report: \(model.input.name)"
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(Self.h(title))</title>\n<style>\n\(Self.style)\n</style>\n</head>\n<body>\n"
        out += "<h1>scopescan report: <code>\(Self.h(model.input.name))</code></h1>\n"
        out += environment() + findingsSummary()
        for finding in model.findings { out += section(finding) }
        if !model.warnings.isEmpty {
            out += "<h2 id=\"warnings\">Warnings</h2>\n<ul>\n" + model.warnings.map { "<li>\(Self.h($0))</li>\n" }.joined() + "</ul>\n"
        }
        if let appendix { out += "<pre class=\"appendix\">\(Self.h(appendix))</pre>\n" }
        return out + "</body>\n</html>\n"
    }

    func environment() -> String {
        let input = model.input
        var rows: [(String, String)] = [
            ("input", "<code>\(Self.h(input.name))</code> (\(Self.h(input.format)), \(input.size) bytes)"),
            ("SHA-256", "<code>\(input.sha256)</code>"),
        ]
        if let span = model.span { rows.append(("capture span", "\(span.first) to \(span.last) (\(span.length))")) }
        rows.append(("packets", Self.h(model.packets)))
        rows.append(("tcp connection attempts", "\(model.connectionAttempts)"))
        if model.flowsEvicted > 0 { rows.append(("flows evicted", "\(model.flowsEvicted) (flow table cap reached)")) }
        rows.append(("analysed by", Self.h(model.analysedBy)))
        if let evidence = model.evidenceName {
            rows.append(("evidence", "<code>\(Self.h(evidence))</code>: the packets below, each commented with its findings and original frame number"))
        }
        var out = "<h2 id=\"environment\">Environment</h2>\n<table class=\"environment\">\n"
        for (key, value) in rows { out += "<tr><th>\(key)</th><td>\(value)</td></tr>\n" }
        out += "</table>\n<h3>Interfaces</h3>\n<table class=\"interfaces\">\n<tr><th>#</th><th>name</th><th>link type</th><th>addresses</th><th>packets</th></tr>\n"
        for row in model.interfaces {
            let addresses = row.addresses.isEmpty ? "not recorded" : row.addresses.map { "<code>\(Self.h($0))</code>" }.joined(separator: ", ")
            out += "<tr><td>\(row.index)</td><td class=\"interface\">\(Self.h(row.name))</td><td>\(Self.h(row.linkType))</td><td>\(addresses)</td><td>\(row.packets)</td></tr>\n"
        }
        return out + "</table>\n"
    }

    func findingsSummary() -> String {
        var out = "<h2 id=\"findings\">Findings</h2>\n"
        if model.findings.isEmpty { return out + "<p>No findings.</p>\n" }
        out += "<table class=\"findings\">\n<tr><th>#</th><th>rule</th><th>severity</th><th>interface</th><th>flow</th><th>first frame</th></tr>\n"
        for finding in model.findings {
            out += "<tr><td><a href=\"#\(Self.h(finding.anchor))\">\(finding.number)</a></td><td><code>\(Self.h(finding.rule))</code></td>"
            out += "<td><span class=\"severity \(finding.severity)\">\(finding.severity)</span></td><td>\(Self.h(finding.interface ?? "unnamed"))</td>"
            out += "<td class=\"mono\">\(finding.flow.map(Self.h) ?? "")</td><td>\(finding.firstFrame.map(String.init) ?? "")</td></tr>\n"
        }
        out += "</table>\n<table class=\"rules\">\n<tr><th>rule</th><th>severity</th><th>count</th></tr>\n"
        for count in model.byRule {
            out += "<tr><td><code>\(Self.h(count.rule))</code></td><td>\(count.severity)</td><td>\(count.count)</td></tr>\n"
        }
        out += "</table>\n"
        for (rule, count) in model.suppressed {
            out += "<p>\(count) further <code>\(Self.h(rule))</code> findings were counted but not kept (<code>--max-findings</code>).</p>\n"
        }
        return out
    }

    func section(_ finding: ReportModel.FindingEntry) -> String {
        var out = "<section class=\"finding\" id=\"\(Self.h(finding.anchor))\" data-rule=\"\(Self.h(finding.rule))\" data-severity=\"\(finding.severity)\">\n"
        out += "<h2>\(finding.number). <code>\(Self.h(finding.rule))</code></h2>\n"
        out += "<p><strong>\(Self.h(finding.title))</strong>, severity <span class=\"severity \(finding.severity)\">\(finding.severity)</span>, on \(Self.h(finding.interface ?? "an unnamed interface")), at \(finding.time)</p>\n"
        out += "<p class=\"summary\">\(Self.h(finding.summary))</p>\n<ul>\n"
        if let flow = finding.flow { out += "<li>Flow: <code>\(Self.h(flow))</code></li>\n" }
        out += "<li>Frames: \(finding.frames.map(String.init).joined(separator: ", "))\(finding.count > finding.frames.count ? " (\(finding.count) packets in all)" : "")</li>\n"
        if let route = finding.route { out += "<li>Route: \(Self.h(route))</li>\n" }
        if !finding.related.isEmpty { out += "<li>Related: \(finding.related.map { "<code>\(Self.h($0))</code>" }.joined(separator: ", "))</li>\n" }
        if let explanation = finding.explanation, let context = finding.platformContext {
            out += "<li>Why it matters: \(Self.h(explanation))</li>\n<li>Platform context: \(Self.h(context))</li>\n"
            out += "<li>References:<ul>\n" + finding.references.map { "<li>\(Self.linked(Self.h($0)))</li>\n" }.joined() + "</ul></li>\n"
        }
        out += "</ul>\n"
        if !finding.facts.isEmpty {
            out += "<p><strong>Facts it rests on</strong></p>\n<ul class=\"facts\">\n" + finding.facts.map { "<li>\(Self.h($0))</li>\n" }.joined() + "</ul>\n"
        }
        if !finding.packets.isEmpty {
            out += "<table class=\"frames\">\n<tr><th>frame</th><th>time</th><th>interface</th><th>source → destination</th><th>what</th>\(finding.kernelColumn ? "<th>kernel</th>" : "")</tr>\n"
            for packet in finding.packets {
                out += "<tr><td>\(packet.frame)</td><td class=\"time\">\(packet.offset)</td><td>\(Self.h(packet.interface))</td><td class=\"mono\">\(Self.h("\(packet.source) → \(packet.destination)"))</td><td>\(Self.h(packet.what))</td>"
                if finding.kernelColumn { out += "<td>\(Self.h(packet.kernel.joined(separator: ", ")))</td>" }
                out += "</tr>\n"
            }
            out += "</table>\n"
        }
        if finding.sequence != nil {
            out += "<figure>\n" + SVGDiagram.diagram(finding).0 + "</figure>\n"
        }
        if !finding.uncapturedDrops.isEmpty {
            out += "<p>Dropped by the kernel before the capture saw them:</p>\n<ul>\n"
            for drop in finding.uncapturedDrops {
                out += "<li>\(drop.time) \(drop.flow.map { "<code>\(Self.h($0))</code> " } ?? "")\(Self.h(drop.kind)): \(Self.h(drop.reason)) (\(Self.h(drop.explanation)))</li>\n"
            }
            out += "</ul>\n"
        }
        return out + "</section>\n"
    }

    /// Links the public references by name: "RFC 4007" to the RFC Editor, "D35732" to FreeBSD's
    /// review, "PR 265089" to FreeBSD's Bugzilla. `text` is already escaped (digits and letters only
    /// go into the URLs).
    static func linked(_ text: String) -> String {
        let patterns: [(String, (String) -> String)] = [
            ("RFC ", { "https://www.rfc-editor.org/rfc/rfc\($0)" }),
            ("review D", { "https://reviews.freebsd.org/D\($0)" }),
            ("PR ", { "https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=\($0)" }),
        ]
        var out = ""
        var rest = Substring(text)
        outer: while !rest.isEmpty {
            for (prefix, url) in patterns where rest.hasPrefix(prefix) {
                let digits = rest.dropFirst(prefix.count).prefix(while: \.isASCII).prefix(while: \.isNumber)
                if !digits.isEmpty {
                    out += "<a href=\"\(url(String(digits)))\">\(prefix)\(digits)</a>"
                    rest = rest.dropFirst(prefix.count + digits.count)
                    continue outer
                }
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}
