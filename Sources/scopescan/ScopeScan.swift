import ArgumentParser
import ScopeScanReport
import ScopeScanAnalysis

import ScopeScanSystem

/// Exit statuses (documented in the README and `scopescan --help`).
enum ExitStatus {
    /// Analysed; findings or not.
    static let success: Int32 = 0
    /// `--fail-on` threshold reached.
    static let findingsAtThreshold: Int32 = 1
    /// Bad usage or unreadable input.
    static let badInput: Int32 = 2
}

@main
struct ScopeScan: ParsableCommand {
    static let version = ScopeScanVersion.current

    static let configuration = CommandConfiguration(
        commandName: "scopescan",
        abstract: "Find IPv6 scope and loopback misrouting in packet captures.",
        discussion: """
        Reads pcap and pcapng files (Wireshark, tcpdump, dumpcap) and flags link-local packets rerouted \
        to loopback, SYNs retried without answer, slow connects, ICMP unreachables tied to the flow they \
        quote, leaked KAME scope ids and addresses that must never be on the wire.

        Exit status: 0 analysed (with or without findings); 1 findings at or above --fail-on; \
        2 bad usage or unreadable input.
        """,
        version: version,
        subcommands: [Analyze.self, Capture.self, Decode.self, Interfaces.self, Probe.self, Rules.self],
        defaultSubcommand: nil
    )

    static func main() {
        System.returnLargeBlocksWhenFreed()
        // Interrupted, a command leaves no temporary file behind (capture and probe stop cleanly instead).
        TemporaryFiles.installSignalCleanup()
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `scopescan help nosuch` is a mistake, not a request for the general help.
        if arguments.first == "help", arguments.count > 1, !arguments[1].hasPrefix("-") {
            let names = configuration.subcommands.flatMap { [$0.configuration.commandName ?? $0._commandName] + $0.configuration.aliases }
            if !names.contains(arguments[1]) && arguments[1] != "help" {
                fail("unknown command '\(arguments[1])'; commands: \(configuration.subcommands.map { $0._commandName }.joined(separator: ", ")), help")
            }
        }
        do {
            var command = try parseAsRoot(try ThresholdArguments.rewrite(try ConfigFile.expand(Array(CommandLine.arguments.dropFirst()))))
            try command.run()
        } catch let exit as ExitCode {
            System.exit(exit.rawValue)
        } catch let error as ScopeScanError {
            fail(error.description)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version
                print(fullMessage(for: error))
                System.exit(0)
            }
            let message = message(for: error)
            if message.contains("\n") || message.isEmpty {
                FileHandleWriter.standardError(fullMessage(for: error) + "\n")
            } else {
                FileHandleWriter.standardError("scopescan: error: \(message)\n(see 'scopescan help' for usage)\n")
            }
            System.exit(ExitStatus.badInput)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandleWriter.standardError("scopescan: error: \(message)\n")
        System.exit(ExitStatus.badInput)
    }
}

enum FileHandleWriter {
    /// Messages name files, interfaces and capture warnings: each line's controls are escaped
    /// (DisplayText), the line structure kept.
    static func standardError(_ text: String) {
        let sink = OutputSink(fd: 2)
        sink.write(text.split(separator: "\n", omittingEmptySubsequences: false).map { DisplayText.escaped(String($0)) }.joined(separator: "\n"))
        sink.flush()
    }

    /// Terminal control of our own making (the progress line's \r and erase), not escaped.
    static func standardErrorControl(_ text: String) {
        let sink = OutputSink(fd: 2)
        sink.write(text)
        sink.flush()
    }
}
