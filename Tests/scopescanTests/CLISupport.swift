import Foundation

let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ name: String) -> String { repositoryRoot.appendingPathComponent("Fixtures").appendingPathComponent(name).path }

/// The scopescan executable SwiftPM built next to this test bundle.
let scopescanBinary: URL = {
    let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = own.deletingLastPathComponent()
    // On Linux the test runner is .build/<triple>/<config>/<package>PackageTests.xctest (a file).
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("scopescan")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return repositoryRoot.appendingPathComponent(".build/debug/scopescan")
}()

#if os(Linux)
let isLinux = true
#else
let isLinux = false
#endif

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs scopescan with `arguments`, optionally with an environment override.
func run(_ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
    try runTool(scopescanBinary.path, arguments, environment: environment)
}

/// Runs any program, collecting its exit status, standard output and standard error.
func runTool(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a large output cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }
}
