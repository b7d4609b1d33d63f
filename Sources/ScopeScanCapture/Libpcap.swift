import CPcap

/// A libpcap handle (`pcap_t`): a capture file opened by libpcap, a live interface, or a dead
/// handle that compiles filters. Closed in deinit.
///
/// This is the module's boundary with libpcap (docs/architecture.md, "Where unsafe code may
/// live"): every libpcap call is made here, and what comes back is a value or a span (a record's
/// bytes, valid until the next record is asked for).
@safe
final class LibpcapHandle {
    private let pcap: OpaquePointer

    private init(_ pcap: OpaquePointer) {
        unsafe self.pcap = pcap // the handle libpcap returned, closed in deinit
    }

    deinit { unsafe pcap_close(pcap) } // opened by one of the constructors below

    /// pcap_open_offline_with_tstamp_precision, nanosecond timestamps; libpcap's message on failure.
    static func openOffline(path: String) -> Result<LibpcapHandle, LibpcapError> {
        var errorBuffer = errorBuffer()
        // libpcap writes at most PCAP_ERRBUF_SIZE bytes of message into the array; the path is a C string.
        guard let pcap = unsafe pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            return .failure(LibpcapError(message: libpcapErrorText(errorBuffer)))
        }
        return unsafe .success(LibpcapHandle(pcap)) // the handle just opened
    }

    /// pcap_create for a live interface, not yet activated.
    static func create(device: String) -> Result<LibpcapHandle, LibpcapError> {
        var errorBuffer = errorBuffer()
        // As above: the device name as a C string, the message into the array.
        guard let pcap = unsafe pcap_create(device, &errorBuffer) else {
            return .failure(LibpcapError(message: libpcapErrorText(errorBuffer)))
        }
        return unsafe .success(LibpcapHandle(pcap)) // the handle just created
    }

    /// pcap_open_dead: a handle that only compiles filters for `dlt`.
    static func openDead(dlt: Int32, snapshot: Int32) -> LibpcapHandle? {
        guard let pcap = unsafe pcap_open_dead_with_tstamp_precision(dlt, snapshot, UInt32(PCAP_TSTAMP_PRECISION_NANO)) else { return nil } // no pointer argument
        return unsafe LibpcapHandle(pcap) // the handle just opened
    }

    private static func errorBuffer() -> [CChar] { [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1) }

    /// pcap_geterr: the message of the last failure on this handle.
    var errorText: String { unsafe String(cString: pcap_geterr(pcap)) } // a NUL-terminated buffer inside the handle, copied

    var dlt: Int32 { unsafe pcap_datalink(pcap) } // reads the open handle
    var snapshot: Int32 { unsafe pcap_snapshot(pcap) } // reads the open handle
    var isNanosecond: Bool { unsafe pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO } // reads the open handle

    // MARK: Capture files

    /// The descriptor libpcap reads a capture file through; nil for live handles.
    var fileDescriptor: Int32? { unsafe pcap_file(pcap).map { unsafe fileno($0) } } // libpcap's own FILE, read not changed

    /// ftell(3) of libpcap's FILE: where the next record starts in the file.
    var fileOffset: Int? { unsafe pcap_file(pcap).map { unsafe Int(ftell($0)) } } // libpcap's FILE, position only

    /// fseeko(3) of libpcap's FILE, so that its next read starts at `offset`.
    func seek(to offset: Int) -> Bool {
        guard let stream = unsafe pcap_file(pcap) else { return false } // libpcap's FILE
        return unsafe fseeko(stream, off_t(offset), SEEK_SET) == 0 // moves it between two of libpcap's reads
    }

    /// pcap_next_ex: the next record, its bytes valid until the next call on this handle.
    @_lifetime(borrow self)
    func next() -> LibpcapRecord {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        // libpcap sets both pointers to its own buffers, which stay until its next read.
        let status = unsafe pcap_next_ex(pcap, &header, &data)
        guard status == 1, let header = unsafe header, let data = unsafe data else { // the pointers pcap_next_ex just set
            return LibpcapRecord(status: status == 1 ? PCAP_ERROR : status, seconds: 0, fraction: 0, originalLength: 0, bytes: RawSpan())
        }
        let h = unsafe header.pointee // the record header libpcap filled
        // caplen bytes of record data at `data`, valid until the next pcap_next_ex on this handle,
        // which cannot come while the span borrows it.
        let bytes = unsafe _overrideLifetime(RawSpan(_unsafeStart: data, byteCount: Int(h.caplen)), borrowing: self)
        return LibpcapRecord(status: 1, seconds: Int64(h.ts.tv_sec), fraction: Int64(h.ts.tv_usec), originalLength: Int(h.len), bytes: bytes)
    }

    // MARK: Live capture

    func setSnapLength(_ length: Int32) { _ = unsafe pcap_set_snaplen(pcap, length) } // an option of the open handle
    func setImmediateMode() { _ = unsafe pcap_set_immediate_mode(pcap, 1) } // an option of the open handle
    func setTimeout(milliseconds: Int32) { _ = unsafe pcap_set_timeout(pcap, milliseconds) } // an option of the open handle
    func setBufferSize(_ size: Int32) { _ = unsafe pcap_set_buffer_size(pcap, size) } // an option of the open handle
    /// Asks for nanosecond timestamps; false when the platform cannot give them.
    func setNanosecondPrecision() -> Bool { unsafe pcap_set_tstamp_precision(pcap, Int32(PCAP_TSTAMP_PRECISION_NANO)) == 0 } // an option
    /// pcap_activate's status (negative: an error, see `errorText`).
    func activate() -> Int32 { unsafe pcap_activate(pcap) } // the handle made by create
    func setDLT(_ dlt: Int32) { _ = unsafe pcap_set_datalink(pcap, dlt) } // an option of the active handle
    var selectableDescriptor: Int32 { unsafe pcap_get_selectable_fd(pcap) } // reads the active handle

    /// Compiles `expression` and installs it; libpcap's message when either fails.
    func setFilter(_ expression: String) -> String? {
        var program = unsafe bpf_program() // an empty program (its instruction pointer nil) for pcap_compile to fill
        // pcap_compile fills the local program (freed below); the expression is a C string.
        guard unsafe pcap_compile(pcap, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            return "bad filter expression '\(expression)': \(errorText)"
        }
        defer { unsafe pcap_freecode(&program) } // compiled just above
        guard unsafe pcap_setfilter(pcap, &program) == 0 else { return "cannot set filter: \(errorText)" } // libpcap copies it
        return nil
    }

    /// Non-blocking reads; libpcap's message on failure.
    func setNonblocking() -> String? {
        var errorBuffer = Self.errorBuffer()
        // The message, if any, into the array.
        guard unsafe pcap_setnonblock(pcap, 1, &errorBuffer) == 0 else { return libpcapErrorText(errorBuffer) }
        return nil
    }

    /// pcap_stats; nil when the handle cannot say.
    func statistics() -> pcap_stat? {
        var stats = pcap_stat()
        return unsafe pcap_stats(pcap, &stats) == 0 ? stats : nil // fills the local
    }

    // MARK: Filters

    /// A BPF program compiled for this (dead) handle's link type.
    func compile(_ expression: String) -> Result<LibpcapFilter, LibpcapError> {
        let program = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1) // owned by the filter, or freed here
        // pcap_compile fills the program; the expression is a C string.
        guard unsafe pcap_compile(pcap, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            unsafe program.deallocate() // compiled nothing
            return .failure(LibpcapError(message: errorText))
        }
        return unsafe .success(LibpcapFilter(program)) // the program just compiled
    }

    /// pcap_findalldevs: name, description and PCAP_IF_ flags of each device; empty when libpcap cannot list.
    static func devices() -> [(name: String, description: String?, flags: UInt32)] {
        var list: UnsafeMutablePointer<pcap_if_t>?
        var errorBuffer = errorBuffer()
        // libpcap writes the list's head into the local, freed below once copied.
        guard unsafe pcap_findalldevs(&list, &errorBuffer) == 0 else { return [] }
        defer { unsafe pcap_freealldevs(list) } // the list made above
        var devices: [(name: String, description: String?, flags: UInt32)] = []
        var cursor = unsafe list // the list's head, freed by the defer above
        // Each node until the NULL end; its strings are NUL-terminated and copied.
        while let device = unsafe cursor {
            unsafe devices.append((String(cString: device.pointee.name), device.pointee.description.map { unsafe String(cString: $0) }, device.pointee.flags)) // the node's NUL-terminated strings, copied
            unsafe cursor = device.pointee.next // the next node, or NULL at the end
        }
        return devices
    }
}

/// A record from `LibpcapHandle.next`: status 1 with the header's fields and the bytes, 0 (no
/// packet yet, live), -2 (end of file) or an error (see the handle's `errorText`).
struct LibpcapRecord: ~Escapable {
    var status: Int32
    var seconds: Int64
    /// Microseconds or nanoseconds, as the handle's precision says.
    var fraction: Int64
    var originalLength: Int
    var bytes: RawSpan

    @_lifetime(copy bytes)
    init(status: Int32, seconds: Int64, fraction: Int64, originalLength: Int, bytes: RawSpan) {
        self.status = status
        self.seconds = seconds
        self.fraction = fraction
        self.originalLength = originalLength
        self.bytes = bytes
    }
}

/// A compiled BPF program, freed in deinit.
@safe
final class LibpcapFilter {
    private let program: UnsafeMutablePointer<bpf_program>

    fileprivate init(_ program: UnsafeMutablePointer<bpf_program>) {
        unsafe self.program = program // compiled by LibpcapHandle.compile, freed in deinit
    }

    deinit {
        unsafe pcap_freecode(program) // compiled in compile
        unsafe program.deallocate() // allocated there
    }

    /// pcap_offline_filter over `bytes` (a record whose whole length was `originalLength`).
    func matches(_ bytes: RawSpan, originalLength: Int) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(bytes.byteCount)
        header.len = UInt32(max(bytes.byteCount, originalLength))
        // The BPF interpreter reads at most caplen bytes of the span, borrowed for the call; an
        // empty span has no address, so a one-byte array stands in (caplen 0: nothing is read).
        return unsafe bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return unsafe pcap_offline_filter(program, &header, [0]) != 0 } // no bytes: caplen 0, the one-byte array is not read
            return unsafe pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0 // the span's caplen bytes, borrowed for the call
        }
    }
}

struct LibpcapError: Error { var message: String }

/// The text libpcap wrote into an error buffer (NUL-terminated, PCAP_ERRBUF_SIZE bytes).
func libpcapErrorText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
