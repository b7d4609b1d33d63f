import ArgumentParser
import ScopeScanCapture
import ScopeScanRules

/// What the shell completion scripts (`scopescan --generate-completion-script bash|zsh|fish`)
/// offer for each kind of argument.
extension CompletionKind {
    /// The suffixes of the captures scopescan reads: pcap and pcapng (and tcpdump's `.cap`), plain
    /// or compressed. The readers go by magic number, but a shell completes by name.
    static let captureSuffixes: [String] = {
        let plain = ["pcap", "pcapng", "cap"]
        return plain + ["gz", "zst", "lz4"].flatMap { compression in plain.map { "\($0).\(compression)" } }
    }()

    /// Capture files (and directories, to walk into).
    static var captureFiles: CompletionKind { .file(extensions: captureSuffixes) }

    /// Every rule id in the catalogue, as `--rule` and `--skip-rule` take them.
    static var ruleIDs: CompletionKind { .list(RuleCatalogue.all.map(\.id.rawValue)) }

    /// The interfaces libpcap can capture on now, asked when the user presses Tab (interfaces
    /// come and go: a list fixed when the script was generated would be wrong).
    static var interfaceNames: CompletionKind {
        .custom { _, _, _ in LiveCapture.capturableNames() }
    }
}
