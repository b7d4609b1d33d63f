import ArgumentParser

/// How `analyze` and `decode` read their inputs, tcpdump's way: positional words are files, unless
/// `-r FILE` named them; then the words form the BPF filter (`scopescan analyze -r f.pcap ip6 and tcp`).
struct CaptureInputs {
    var words: [String]
    var readFiles: [String]
    var filter: String?
    var packetLimit: Int?

    /// The inputs: the -r files, else the positional words.
    var files: [String] { readFiles.isEmpty ? words : readFiles }

    /// --filter, or the words after -r joined as tcpdump joins them.
    var filterExpression: String? { readFiles.isEmpty || words.isEmpty ? filter : words.joined(separator: " ") }

    /// What both commands refuse: a filter given twice, a count below 1.
    func validate() throws {
        if !readFiles.isEmpty && !words.isEmpty && filter != nil {
            throw ValidationError("give the filter once: as --filter or as the words after -r")
        }
        if let packetLimit, packetLimit < 1 {
            throw ValidationError("-c needs a count of at least 1")
        }
    }
}
