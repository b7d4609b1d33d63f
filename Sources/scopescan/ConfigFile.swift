import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanSystem

/// `--config FILE`: thresholds and rule selection kept in a file, one `option = value` per line
/// (the long option without its dashes; `#` starts a comment). The file's options are placed
/// before the command line's, so an option given on the command line wins.
enum ConfigFile {
    /// Rule selection, `fail-on`, and every threshold a rule or the engine declares.
    static let allowedKeys: Set<String> = Set(["rule", "skip-rule", "min-severity", "fail-on"] + RuleCatalogue.thresholds.map(\.name))

    /// Returns `arguments` (without the program name) with any `--config FILE` replaced by the
    /// file's options, inserted after the subcommand.
    static func expand(_ arguments: [String]) throws -> [String] {
        guard let position = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else { return arguments }
        var rest = arguments
        let path: String
        if rest[position] == "--config" {
            guard position + 1 < rest.count else { throw ScopeScanError("--config needs a file name") }
            path = rest[position + 1]
            rest.removeSubrange(position...(position + 1))
        } else {
            path = String(rest[position].dropFirst("--config=".count))
            rest.remove(at: position)
        }
        let options = try parse(path: path)
        let insertAt = rest.isEmpty ? 0 : 1
        rest.insert(contentsOf: options, at: insertAt)
        return rest
    }

    static func parse(path: String) throws -> [String] {
        guard let stream = fopen(path, "r") else { throw ScopeScanError("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { fclose(stream) }
        var options: [String] = []
        var lineNumber = 0
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), stream) != nil {
            lineNumber += 1
            var line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ScopeScanError("\(path):\(lineNumber): expected 'option = value', got '\(trimmed)'")
            }
            let key = String(trimmed[..<equals]).trimmingWhitespace()
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingWhitespace()
            guard allowedKeys.contains(key) else {
                throw ScopeScanError("\(path):\(lineNumber): unknown option '\(key)'; a config file may set \(allowedKeys.sorted().joined(separator: ", "))")
            }
            guard !value.isEmpty else { throw ScopeScanError("\(path):\(lineNumber): '\(key)' has no value") }
            // "rule = a, b" selects several rules.
            for item in (key == "rule" || key == "skip-rule") ? value.split(separator: ",").map({ String($0).trimmingWhitespace() }) : [value] {
                options += ["--\(key)", item]
            }
        }
        return options
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
