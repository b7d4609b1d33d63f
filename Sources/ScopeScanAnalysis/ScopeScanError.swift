/// A failure the user can act on, reported as one line (the CLI prints it and exits 2): a file
/// that cannot be opened or written, a filter libpcap rejects, an unsupported link type.
public struct ScopeScanError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The version every output names (report environment, evidence section comment, `--version`).
public enum ScopeScanVersion {
    public static let current = "0.1.0"
}
