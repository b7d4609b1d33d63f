import ArgumentParser
import ScopeScanAnalysis

import ScopeScanSystem

/// `--force` and `-Z`: what `analyze`, `capture` and `probe` may overwrite, and who they run as.
struct SafetyOptions: ParsableArguments {
    @Flag(help: "Allow --report, --evidence and -w to replace an existing capture file (pcap, pcapng, or gzip/zstd/lz4). An input is never overwritten.")
    var force = false

    @Option(name: [.customShort("Z"), .customLong("relinquish-privileges")], help: ArgumentHelp("After opening the capture handles and files, run as this user (default nobody when started as root; root keeps root). As tcpdump -Z.", valueName: "user"))
    var user: String?

    /// Refuses outputs that would destroy data (one line, exit 2) before anything is written.
    func checkOutputs(_ outputs: [(String, String?)], inputs: [String]) throws {
        try Self.checkOutputs(outputs, inputs: inputs, force: force)
    }

    static func checkOutputs(_ outputs: [(String, String?)], inputs: [String], force: Bool) throws {
        let named = outputs.compactMap { option, path in path.map { (option: option, path: $0) } }
        do {
            try OutputSafety.check(outputs: named, inputs: inputs, force: force)
        } catch {
            throw ScopeScanError(error.description)
        }
    }

    func privilegePlan() throws -> Privileges.Plan {
        do {
            return try Privileges.plan(user: user)
        } catch {
            throw ScopeScanError(error.description)
        }
    }

    static func apply(_ plan: Privileges.Plan) throws {
        do {
            try Privileges.apply(plan)
        } catch {
            throw ScopeScanError(error.description)
        }
    }
}
