import ScopeScanSystem

public enum TextFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `text` to `path`, replacing it.
    public static func write(_ text: String, to path: String) throws {
        if let failure = System.writeText(text, to: path) { throw WriteError(description: failure) }
    }
}
