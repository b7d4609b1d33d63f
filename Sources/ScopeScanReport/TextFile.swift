import ScopeScanSystem

public enum TextFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `text` to `path`, replacing it.
    public static func write(_ text: String, to path: String) throws {
        guard let stream = fopen(path, "wb") else { throw WriteError(description: String(cString: strerror(errno))) }
        defer { fclose(stream) }
        var text = text
        let ok = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, stream) == $0.count }
        guard ok, fflush(stream) == 0 else { throw WriteError(description: String(cString: strerror(errno))) }
    }
}
