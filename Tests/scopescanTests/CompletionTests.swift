import Foundation
import Testing

/// The completion scripts `scopescan --generate-completion-script SHELL` prints, run for real:
/// bash sources the script and calls its function with COMP_WORDS/COMP_CWORD set as readline sets
/// them; fish answers `complete -C`.
@Suite("completion scripts: capture files, rule ids, interfaces")
struct CompletionTests {
    /// A directory of names to complete among: captures plain and compressed, and what is not one.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("subdir"), withIntermediateDirectories: true)
        for name in ["a.pcap", "b.pcapng.gz", "c.cap.zst", "d.pcap.lz4", "e.pcapng", "notes.txt", "archive.tar.gz", "f.zst"] {
            _ = FileManager.default.createFile(atPath: url.appendingPathComponent(name).path, contents: Data())
        }
        return url
    }

    static func script(_ shell: String) throws -> String {
        let result = try run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scopescan-completion-\(UUID().uuidString).\(shell)").path
        try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// COMPREPLY after completing the last of `words` (after `scopescan`) in `directory`.
    static func bash(_ words: [String], in directory: String, script: String) throws -> [String] {
        let driver = """
        source "$1"; shift
        cd "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
        _scopescan "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """
        // COMP_WORDS[0] is the command as typed: the script runs it for the custom completions.
        let result = try runTool("/bin/bash", ["-c", driver, "bash", script, directory, scopescanBinary.path] + words)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static let ruleIDs = ["linklocal-on-loopback", "syn-unanswered", "slow-connect", "icmp-unreachable", "scope-violation", "embedded-scope-id", "ipv4-mapped-on-wire", "loopback-address-off-loopback", "nonlocal-on-loopback", "same-flow-multiple-interfaces", "tcp-refused", "neighbor-unresolved", "kernel-drop"]

    @Test("bash: --rule and --skip-rule complete the catalogue's rule ids, for analyze, capture and probe")
    func bashRules() throws {
        let script = try Self.script("bash")
        defer { try? FileManager.default.removeItem(atPath: script) }
        let fixtures = repositoryRoot.appendingPathComponent("Fixtures").path
        for command in ["analyze", "capture", "probe"] {
            #expect(Set(try Self.bash([command, "--rule", ""], in: fixtures, script: script)) == Set(Self.ruleIDs), "\(command) --rule")
        }
        #expect(try Self.bash(["analyze", "--skip-rule", "tcp"], in: fixtures, script: script) == ["tcp-refused"])
        #expect(try Self.bash(["analyze", "--rule", "s"], in: fixtures, script: script).sorted() == ["same-flow-multiple-interfaces", "scope-violation", "slow-connect", "syn-unanswered"])
        // The ids offered are the ones analyze takes.
        #expect(try run(["analyze", "--rule", "kernel-drop", fixture("linux-clean.pcap")]).status == 0)
    }

    @Test("bash: inputs and -r complete captures (pcap, pcapng, cap; .gz, .zst, .lz4) and directories, nothing else")
    func bashFiles() throws {
        let script = try Self.script("bash")
        defer { try? FileManager.default.removeItem(atPath: script) }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let captures = ["a.pcap", "b.pcapng.gz", "c.cap.zst", "d.pcap.lz4", "e.pcapng", "subdir"]
        for words in [["analyze", ""], ["analyze", "-r", ""], ["decode", ""], ["analyze", "--rule", "tcp-refused", ""]] {
            #expect(try Self.bash(words, in: directory.path, script: script).sorted() == captures, "\(words)")
        }
        // A bundled fixture by its prefix.
        let fixtures = repositoryRoot.appendingPathComponent("Fixtures").path
        #expect(try Self.bash(["analyze", "macos"], in: fixtures, script: script) == ["macos-lo0-own-linklocal.pcap"])
        let all = try Self.bash(["analyze", "-r", ""], in: fixtures, script: script)
        #expect(all.contains("linux-two-interfaces.pcapng") && all.contains("freebsd-lo0-slow-connect.pcap"))
        #expect(!all.contains("README.md") && !all.contains("craft.py"))
    }

    @Test("bash: capture -i completes the interfaces libpcap lists on this host, asked at Tab time")
    func bashInterfaces() throws {
        let script = try Self.script("bash")
        defer { try? FileManager.default.removeItem(atPath: script) }
        func names() throws -> [String] {
            try jsonLines(try run(["interfaces", "--format", "json"]).stdout).filter { $0["capturable"] as? Bool == true }.compactMap { $0["name"] as? String }
        }
        // Listed before and after, as a parallel test may add or remove an interface meanwhile:
        // every interface present in both listings is offered, and nothing present in neither.
        let before = Set(try names())
        let offered = try Self.bash(["capture", "-i", ""], in: "/", script: script)
        let after = Set(try names())
        #expect(before.intersection(after).isSubset(of: Set(offered)), "\(offered)")
        #expect(Set(offered).isSubset(of: before.union(after)), "\(offered)")
        #expect(offered.contains("lo"))
        let prefixed = try Self.bash(["capture", "--interface", "l"], in: "/", script: script)
        #expect(prefixed.contains("lo") && prefixed.allSatisfy { $0.hasPrefix("l") })
        // Still an interface after other options.
        #expect(try Self.bash(["capture", "--format", "json", "-i", "lo", "-i", ""], in: "/", script: script).contains("lo"))
    }

    static let fish = ["/usr/bin/fish"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// fish's completions (`complete -C`) for `line`, names only.
    static func fish(_ line: String, in directory: String, script: String) throws -> [String] {
        let fish = try #require(Self.fish)
        let result = try runTool(fish, ["--no-config", "-c", "cd $argv[1]; source $argv[2]; complete -C $argv[3]", directory, script, line],
                                 environment: ["PATH": scopescanBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1)[0]) }
    }

    @Test("fish: rule ids and capture files", .enabled(if: fish != nil, "fish is not installed (Scripts/install-deps.sh --test)"))
    func fishCompletes() throws {
        let script = try Self.script("fish")
        defer { try? FileManager.default.removeItem(atPath: script) }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(Set(try Self.fish("scopescan analyze --rule ", in: directory.path, script: script)) == Set(Self.ruleIDs))
        #expect(Set(try Self.fish("scopescan capture --skip-rule ", in: directory.path, script: script)) == Set(Self.ruleIDs))
        let files = try Self.fish("scopescan analyze -r ", in: directory.path, script: script)
        #expect(Set(files) == ["a.pcap", "b.pcapng.gz", "c.cap.zst", "d.pcap.lz4", "e.pcapng", "subdir/"], "\(files)")
    }

    @Test("zsh: the script defines the completion function and passes the capture suffixes to _files")
    func zshScript() throws {
        let text = try run(["--generate-completion-script", "zsh"]).stdout
        #expect(text.hasPrefix("#compdef scopescan"))
        #expect(text.contains("pcapng.gz") && text.contains("cap.lz4"))
        #expect(text.contains("kernel-drop"))
        #expect(text.contains("---completion capture -- --interface"))
    }
}
