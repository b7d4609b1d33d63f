import ScopeScanAnalysis
import ScopeScanRules
import ScopeScanSystem

/// `--config FILE`: thresholds and rule selection kept in a file, one `option = value` per line
/// (the long option without its dashes; `#` starts a comment outside quotes). Values may be
/// quoted (`"x"`, `'x'`); `rule` and `skip-rule` take lists (`a, b` or `["a", "b"]`). Several
/// `--config` files may be given: later files win over earlier ones, and the command line over
/// all, since the files' options are placed before the command line's.
enum ConfigFile {
    /// Rule selection, `fail-on`, and every threshold a rule or the engine declares: what only the
    /// analysing commands take. Other commands (decode) ignore them.
    static let analysisKeys: Set<String> = Set(["rule", "skip-rule", "min-severity", "fail-on"] + RuleCatalogue.thresholds.map(\.name))
    static let allowedKeys: Set<String> = analysisKeys
    static let listKeys: Set<String> = ["rule", "skip-rule"]

    /// Returns `arguments` (without the program name) with every `--config FILE` replaced by the
    /// files' options, inserted after the subcommand.
    static func expand(_ arguments: [String]) throws -> [String] {
        var rest: [String] = []
        var paths: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                rest += arguments[index...]
                break
            }
            if word == "--config" {
                guard index + 1 < arguments.count else { throw ScopeScanError("--config needs a file name") }
                paths.append(arguments[index + 1])
                index += 2
            } else if word.hasPrefix("--config=") {
                paths.append(String(word.dropFirst("--config=".count)))
                index += 1
            } else {
                rest.append(word)
                index += 1
            }
        }
        guard !paths.isEmpty else { return arguments }
        let analyses = rest.first.map { ThresholdArguments.analysingCommands.contains($0) } ?? false
        // Each key keeps the values of the last file that sets it.
        var order: [String] = []
        var values: [String: [String]] = [:]
        for path in paths {
            for (key, items) in try entries(path: path) where analyses || !analysisKeys.contains(key) {
                if values[key] == nil { order.append(key) }
                values[key] = items
            }
        }
        let options = order.flatMap { key in values[key]!.flatMap { ["--\(key)", $0] } }
        rest.insert(contentsOf: options, at: rest.isEmpty ? 0 : 1)
        return rest
    }

    /// Each `key = value` line of the file, in order, its value split into items.
    static func entries(path: String) throws -> [(String, [String])] {
        guard let bytes = System.contents(ofFile: path) else { throw ScopeScanError("\(path): cannot open: \(System.errorText(errno))") }
        var entries: [(String, [String])] = []
        var lineNumber = 0
        for lineBytes in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(decoding: lineBytes, as: UTF8.self)
            let trimmed = withoutComment(line).trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ScopeScanError("\(path):\(lineNumber): expected 'option = value', got '\(trimmed)'")
            }
            let key = String(trimmed[..<equals]).trimmingWhitespace()
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingWhitespace()
            guard allowedKeys.contains(key) else {
                throw ScopeScanError("\(path):\(lineNumber): unknown option '\(key)'; a config file may set \(allowedKeys.sorted().joined(separator: ", "))")
            }
            let items: [String]
            switch Result(catching: { () throws(ConfigValueError) in try split(value, list: listKeys.contains(key)) }) {
            case .success(let split): items = split
            case .failure(let error): throw ScopeScanError("\(path):\(lineNumber): '\(key)': \(error.message)")
            }
            guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw ScopeScanError("\(path):\(lineNumber): '\(key)' has no value") }
            entries.append((key, items))
        }
        return entries
    }

    struct ConfigValueError: Error { var message: String }

    /// The line up to a `#` that is not inside quotes.
    static func withoutComment(_ line: String) -> String {
        var quote: Character?
        var kept = ""
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                break
            }
            kept.append(character)
        }
        return kept
    }

    /// A value's items: one for a plain or quoted value; for a list key, each of `a, b` or
    /// `["a", "b"]`. Quotes are removed; a list for a key that takes one value is an error.
    static func split(_ value: String, list: Bool) throws(ConfigValueError) -> [String] {
        var text = Substring(value)
        let bracketed = text.hasPrefix("[")
        if bracketed {
            guard text.hasSuffix("]") else { throw ConfigValueError(message: "a list opened with '[' needs a closing ']'") }
            text = text.dropFirst().dropLast()
        }
        var items: [String] = []
        var current = ""
        var quote: Character?
        var quoted = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                guard current.trimmingWhitespace().isEmpty else { throw ConfigValueError(message: "a quote in the middle of a value") }
                current = ""
                quote = character
                quoted = true
            } else if character == "," && (list || bracketed) {
                items.append(quoted ? current : current.trimmingWhitespace())
                current = ""
                quoted = false
            } else if quoted {
                guard character.isWhitespace else { throw ConfigValueError(message: "text after a closing quote") }
            } else {
                current.append(character)
            }
        }
        guard quote == nil else { throw ConfigValueError(message: "a quote is not closed") }
        let last = quoted ? current : current.trimmingWhitespace()
        // `["a", "b",]`: a comma may end a bracketed list.
        if !(bracketed && !quoted && last.isEmpty && !items.isEmpty) { items.append(last) }
        if !list && items.count != 1 { throw ConfigValueError(message: "takes one value, not a list") }
        return items
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
