/// Reports and evidence are renamed into place at the end, when the process has long given up root
/// (`Privileges`), and the directory they go to (the invoking user's, say) may not be writable by
/// the user it became. A helper forked before the drop keeps root for one job only: renaming the
/// temporary files registered with it onto their targets, or removing them. It reads one byte per
/// request from a pipe (the file's number; high bit: remove) and answers with 0 or the errno;
/// when the pipe closes (the capture exited, crashed or was killed) it removes every temporary
/// file not yet renamed and exits. It parses nothing and ignores the terminal's signals.
public enum RenameHelper {
    nonisolated(unsafe) static var requests: Int32 = -1
    nonisolated(unsafe) static var replies: Int32 = -1
    nonisolated(unsafe) public private(set) static var helperID: pid_t = 0

    /// Forks the helper for `files` (at most 127), which are numbered in this order.
    public static func start(for files: [OutputFile]) throws(SystemError) {
        guard !files.isEmpty, requests < 0, files.count < 128 else { return }
        var toHelper: [Int32] = [-1, -1], fromHelper: [Int32] = [-1, -1]
        guard pipe(&toHelper) == 0, pipe(&fromHelper) == 0 else { throw SystemError(path: "rename helper", "pipe") }
        // Everything the child touches is made before fork: C strings and flags.
        let count = files.count
        let temporary = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count)
        let target = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count)
        let settled = UnsafeMutablePointer<Bool>.allocate(capacity: count)
        for (i, file) in files.enumerated() {
            temporary[i] = strdup(file.temporaryPath)
            target[i] = strdup(file.path)
            settled[i] = false
        }
        let signals = [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP]
        let devNull = strdup("/dev/null")!
        let child = fork()
        if child < 0 { throw SystemError(path: "rename helper", "fork") }
        if child == 0 {
            // Only system calls on what was made before fork: no allocation in the child.
            for signal in signals { _ = Self.ignore(signal) }
            let input = toHelper[0], output = fromHelper[1]
            for fd in Int32(3)..<Int32(1024) where fd != input && fd != output { close(fd) }
            // Not the terminal's or a pipe's: whoever reads the capture's output sees it end with it.
            let null = open(devNull, O_RDWR)
            if null >= 0 { for fd in Int32(0)...Int32(2) { dup2(null, fd) } }
            var byte: UInt8 = 0
            while true {
                let n = read(input, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    for i in 0..<count where !settled[i] { unlink(temporary[i]!) }
                    _exit(0)
                }
                let i = Int(byte & 0x7f)
                var answer: UInt8 = 0
                if i < count && !settled[i] {
                    settled[i] = true
                    if byte & 0x80 != 0 {
                        unlink(temporary[i]!)
                    } else if rename(temporary[i]!, target[i]!) != 0 {
                        answer = UInt8(truncatingIfNeeded: errno)
                        unlink(temporary[i]!)
                    }
                }
                _ = System.write(output, &answer, 1)
            }
        }
        free(devNull)
        close(toHelper[0])
        close(fromHelper[1])
        requests = toHelper[1]
        replies = fromHelper[0]
        helperID = child
        for (i, file) in files.enumerated() { file.helperNumber = i }
    }

    /// Asks the helper to rename (or remove) file `number`; the errno it met, 0 for success.
    static func ask(_ number: Int, remove: Bool) -> Int32 {
        guard requests >= 0 else { return EBADF }
        var byte = UInt8(number) | (remove ? 0x80 : 0)
        guard System.write(requests, &byte, 1) == 1 else { return errno }
        var answer: UInt8 = 0
        while true {
            let n = read(replies, &answer, 1)
            if n < 0 && errno == EINTR { continue }
            return n == 1 ? Int32(answer) : EPIPE
        }
    }

    static func ignore(_ signal: Int32) -> Int32 {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = SIG_IGN
        #else
        action.__sigaction_u.__sa_handler = SIG_IGN
        #endif
        sigemptyset(&action.sa_mask)
        return sigaction(signal, &action, nil)
    }
}
