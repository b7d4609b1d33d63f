/// Reports and evidence are renamed into place at the end, when the process has long given up root
/// (`Privileges`), and the directory they go to (the invoking user's, say) may not be writable by
/// the user it became. A helper forked before the drop keeps root for one job only: renaming the
/// temporary files registered with it onto their targets, or removing them. It reads one byte per
/// request from a pipe (the file's number; high bit: remove) and answers with 0 or the errno;
/// when the pipe closes (the capture exited, crashed or was killed) it removes every temporary
/// file not yet renamed and exits. It parses nothing and ignores the terminal's signals.
public enum RenameHelper {
    // Set once by `start`, read by `ask`, both on the thread that writes the outputs.
    nonisolated(unsafe) static var requests: Int32 = -1
    nonisolated(unsafe) static var replies: Int32 = -1
    nonisolated(unsafe) public private(set) static var helperID: pid_t = 0

    /// Forks the helper for `files` (at most 127), which are numbered in this order.
    public static func start(for files: [OutputFile]) throws(SystemError) {
        guard !files.isEmpty, unsafe requests < 0, files.count < 128 else { return } // requests: see above
        var toHelper: [Int32] = [-1, -1], fromHelper: [Int32] = [-1, -1]
        // pipe(2) fills the two-element arrays' storage, valid for the call.
        guard unsafe pipe(&toHelper) == 0, unsafe pipe(&fromHelper) == 0 else { throw SystemError(path: "rename helper", "pipe") }
        // Everything the child touches is made before fork, as C memory: after fork a child of a
        // threaded process may only make async-signal-safe calls, so it must not allocate. These
        // blocks hold `count` slots each, are indexed below `count` only, and live until the
        // process ends (the child exits with them; the parent keeps them for no one, a few bytes).
        let count = files.count
        let temporary = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count)
        let target = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count)
        let settled = UnsafeMutablePointer<Bool>.allocate(capacity: count)
        for (i, file) in files.enumerated() {
            // Slot i < count of the blocks above, filled with strdup'ed copies of the paths.
            unsafe temporary[i] = strdup(file.temporaryPath)
            unsafe target[i] = strdup(file.path) // as the line above
            unsafe settled[i] = false // as the line above
        }
        let signals = [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP]
        let devNull = unsafe strdup("/dev/null")! // made before fork, as the blocks above
        let child = fork()
        if child < 0 { throw SystemError(path: "rename helper", "fork") }
        if child == 0 {
            // Only system calls on what was made before fork: no allocation in the child.
            for signal in signals { _ = Self.ignore(signal) }
            let input = toHelper[0], output = fromHelper[1]
            for fd in Int32(3)..<Int32(1024) where fd != input && fd != output { close(fd) }
            // Not the terminal's or a pipe's: whoever reads the capture's output sees it end with it.
            let null = unsafe open(devNull, O_RDWR) // the C string made before fork
            if null >= 0 { for fd in Int32(0)...Int32(2) { dup2(null, fd) } }
            var byte: UInt8 = 0
            while true {
                let n = unsafe read(input, &byte, 1) // one byte into `byte`, no allocation
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    // Slots below `count`, each a C string made before fork.
                    for i in 0..<count where unsafe !settled[i] { unsafe unlink(temporary[i]!) }
                    _exit(0)
                }
                let i = Int(byte & 0x7f)
                var answer: UInt8 = 0
                // Slot i, checked below `count` first, of the blocks made before fork.
                if unsafe i < count && !settled[i] {
                    unsafe settled[i] = true // as the line above
                    if byte & 0x80 != 0 {
                        unsafe unlink(temporary[i]!) // as above
                    } else if unsafe rename(temporary[i]!, target[i]!) != 0 { // as above
                        answer = UInt8(truncatingIfNeeded: errno)
                        unsafe unlink(temporary[i]!) // as above
                    }
                }
                _ = unsafe System.write(output, &answer, 1) // one byte from `answer`, no allocation
            }
        }
        unsafe free(devNull) // the parent's copy, made above; the child has its own
        close(toHelper[0])
        close(fromHelper[1])
        // Set once here, before any `ask` (see the declarations).
        unsafe requests = toHelper[1]
        unsafe replies = fromHelper[0] // as the line above
        unsafe helperID = child // as the line above
        for (i, file) in files.enumerated() { file.helperNumber = i }
    }

    /// Asks the helper to rename (or remove) file `number`; the errno it met, 0 for success.
    static func ask(_ number: Int, remove: Bool) -> Int32 {
        // Set by `start` on this thread (see the declarations).
        let requests = unsafe requests, replies = unsafe replies
        guard requests >= 0 else { return EBADF }
        guard System.write(requests, [UInt8(number) | (remove ? 0x80 : 0)], from: 0) == 1 else { return errno }
        var answer: [UInt8] = [0]
        while true {
            let n = System.read(replies, into: &answer)
            if n < 0 && errno == EINTR { continue }
            return n == 1 ? Int32(answer[0]) : EPIPE
        }
    }

    /// SIG_IGN for `signal`, callable in the child after fork (no allocation).
    static func ignore(_ signal: Int32) -> Int32 {
        var action = sigaction()
        // SIG_IGN goes into the C union's member for a plain handler (not sa_sigaction).
        #if canImport(Glibc)
        unsafe action.__sigaction_handler.sa_handler = SIG_IGN // the plain-handler member of the C union
        #else
        unsafe action.__sigaction_u.__sa_handler = SIG_IGN // the plain-handler member of the C union
        #endif
        // sigemptyset and sigaction take the struct by address, for the call.
        unsafe sigemptyset(&action.sa_mask)
        return unsafe sigaction(signal, &action, nil) // as the line above
    }
}
