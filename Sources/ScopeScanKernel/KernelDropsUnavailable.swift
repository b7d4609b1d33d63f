/// Why kernel drop reasons cannot be had here. Its text is one line, "kernel drop reasons
/// unavailable: <why>", fit to print as it is.
public struct KernelDropsUnavailable: Error, Hashable, Sendable, CustomStringConvertible {
    /// The why alone ("needs root, or CAP_BPF and CAP_PERFMON").
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "kernel drop reasons unavailable: \(reason)" }

    public static let unsupportedPlatform = KernelDropsUnavailable("not supported on this platform")
}
