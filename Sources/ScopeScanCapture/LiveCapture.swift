import CPcap
import ScopeScanWire

import ScopeScanSystem

/// Set by SIGINT/SIGTERM/SIGHUP/SIGPIPE; the capture loop polls it (a signal handler may only touch
/// such a flag). `stopSignalNumber` says which signal it was.
nonisolated(unsafe) private var stopSignalled: sig_atomic_t = 0
nonisolated(unsafe) private var stopSignalNumber: sig_atomic_t = 0

/// Live capture on one or more interfaces through libpcap: `pcap_create`, immediate mode,
/// nanosecond timestamps, a BPF filter, and a single-threaded poll loop over all handles, so
/// packets from several interfaces reach the analyser in arrival order without locks.
public final class LiveCapture: PacketSource {
    public struct Options: Sendable {
        public var interfaces: [String]
        public var filter: String?
        public var snapLength: Int32 = 262_144
        /// Kernel buffer size in bytes; nil keeps libpcap's default.
        public var bufferSize: Int32?
        public var count: Int?
        public var duration: Double?

        public init(interfaces: [String]) {
            self.interfaces = interfaces
        }
    }

    /// Per-interface counters from pcap_stats.
    public struct Statistics: Sendable {
        public var interface: String
        public var received: UInt32
        public var dropped: UInt32
        public var droppedByInterface: UInt32
        public var seen: Int
    }

    struct Handle {
        var name: String
        var pcap: OpaquePointer
        var fd: Int32
        var interfaceIndex: Int
        var linkType: LinkType
        var isNanosecond: Bool
        var isAny: Bool
        var seen = 0
        /// pcap_stats taken when the interface was lost (the handle may answer no more after).
        var finalStats: pcap_stat?
    }

    /// An interface that stopped delivering packets: deleted, brought down, or its handle failed.
    public struct LostInterface: Sendable {
        public var name: String
        public var reason: String
        public var packetsSeen: Int
    }

    /// The interfaces captured on, comma-separated, as opened (a `-i 3` by its name).
    public private(set) var name: String
    public private(set) var interfaces: [CaptureInterface] = []
    private var handles: [Handle] = []
    private let options: Options
    /// `-i any`: SLL2 interface index → our interface index.
    private var anyInterfaces: [UInt32: Int] = [:]
    private let host: [HostInterfaces.Entry]
    /// Called after every poll round (at most every 100 ms) with the current time.
    public var onIdle: ((Timestamp) -> Void)?
    /// Called when a new interface appears (an `-i any` capture meeting a new interface index).
    public var onNewInterface: ((CaptureInterface) -> Void)?
    /// Called as soon as an interface is lost (checked twice a second, and on every handle error);
    /// the capture goes on with the others and ends when none is left.
    public var onInterfaceLost: ((LostInterface) -> Void)?
    public private(set) var lostInterfaces: [LostInterface] = []
    /// Handles still capturing.
    public var activeInterfaceCount: Int { handles.count - lostInterfaces.count }
    /// The signal that stopped the capture (SIGINT, SIGTERM, SIGHUP, SIGPIPE), 0 for none.
    public static var stopSignal: Int32 { Int32(stopSignalNumber) }

    public init(options: Options) throws(CaptureError) {
        self.options = options
        name = options.interfaces.joined(separator: ",")
        host = HostInterfaces.list()
        for requested in options.interfaces {
            try open(requested)
        }
        name = openedNames.joined(separator: ",")
    }

    /// The names of the interfaces opened, in `-i` order: a number given as tcpdump -D numbers
    /// them is replaced by the interface's name.
    public var openedNames: [String] { handles.map(\.name) }

    deinit {
        for handle in handles { pcap_close(handle.pcap) }
    }

    private func open(_ requested: String) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let pcap = pcap_create(requested, &errorBuffer) else {
            throw CaptureError(path: requested, message: libpcapErrorText(errorBuffer))
        }
        pcap_set_snaplen(pcap, options.snapLength)
        pcap_set_immediate_mode(pcap, 1)
        pcap_set_timeout(pcap, 100)
        if let size = options.bufferSize { pcap_set_buffer_size(pcap, size) }
        let nano = pcap_set_tstamp_precision(pcap, Int32(PCAP_TSTAMP_PRECISION_NANO)) == 0
        let status = pcap_activate(pcap)
        if status < 0 {
            let detail = String(cString: pcap_geterr(pcap))
            pcap_close(pcap)
            // tcpdump's rule: a word that names no interface but is all digits is a number from
            // `tcpdump -D` (`scopescan interfaces`).
            if status == PCAP_ERROR_NO_SUCH_DEVICE, let numbered = try Self.device(numbered: requested) {
                return try open(numbered)
            }
            throw CaptureError(path: requested, message: Self.explainActivation(status, interface: requested, detail: detail))
        }
        let isAny = requested == "any"
        if isAny {
            // SLL2 carries the interface index of every packet.
            _ = pcap_set_datalink(pcap, 276)
        }
        if let filter = options.filter {
            var program = bpf_program()
            guard pcap_compile(pcap, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
                let message = String(cString: pcap_geterr(pcap))
                pcap_close(pcap)
                throw CaptureError(path: requested, message: "bad filter expression '\(filter)': \(message)")
            }
            defer { pcap_freecode(&program) }
            guard pcap_setfilter(pcap, &program) == 0 else {
                let message = String(cString: pcap_geterr(pcap))
                pcap_close(pcap)
                throw CaptureError(path: requested, message: "cannot set filter: \(message)")
            }
        }
        guard pcap_setnonblock(pcap, 1, &errorBuffer) == 0 else {
            pcap_close(pcap)
            throw CaptureError(path: requested, message: libpcapErrorText(errorBuffer))
        }
        let linkType = LinkType(UInt32(bitPattern: pcap_datalink(pcap)))
        let known = host.first { $0.interface.name == requested }
        var interface = CaptureInterface(index: interfaces.count, name: requested, linkType: linkType, snapLength: UInt32(options.snapLength),
                                         addresses: known?.interface.addresses ?? [], systemIndex: known?.interface.systemIndex,
                                         timestampResolution: 1_000_000_000)
        if isAny { interface.interfaceDescription = "all interfaces (Linux any)" }
        interfaces.append(interface)
        handles.append(Handle(name: requested, pcap: pcap, fd: pcap_get_selectable_fd(pcap), interfaceIndex: interface.index, linkType: linkType, isNanosecond: nano && pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO, isAny: isAny))
    }

    static func explainActivation(_ status: Int32, interface: String, detail: String) -> String {
        switch status {
        case PCAP_ERROR_PERM_DENIED:
            return "capturing on \(interface) needs root or CAP_NET_RAW; e.g. sudo setcap cap_net_raw,cap_net_admin+eip $(which scopescan)"
        case PCAP_ERROR_NO_SUCH_DEVICE:
            let names = capturableNames()
            return "no interface named \(interface)" + (names.isEmpty ? "" : "; capturable interfaces: \(names.joined(separator: ", "))")
        case PCAP_ERROR_IFACE_NOT_UP:
            return "interface \(interface) is down (bring it up: ip link set \(interface) up)"
        default:
            return detail.isEmpty ? "cannot capture (libpcap status \(status))" : detail
        }
    }

    /// Requests a clean stop (also what SIGINT and SIGTERM do).
    public static func requestStop() { stopSignalled = 1 }

    /// Installs handlers that stop the capture loop instead of killing the process: SIGINT,
    /// SIGTERM, SIGHUP (the ssh session dropped) and SIGPIPE (the reader of stdout went away; the
    /// failed write returns EPIPE, which OutputSink drops).
    public static func installStopHandlers() {
        stopSignalled = 0
        stopSignalNumber = 0
        // The first signal asks for a clean stop; a second one (Ctrl-C again) leaves at once, with
        // the temporary files removed. SIGPIPE repeats with every write to the closed pipe: never fatal.
        let signals = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]
        System.installSignalHandler({ signal in
            if stopSignalled != 0 && signal != SIGPIPE {
                TemporaryFiles.removeAll()
                _exit(128 + signal)
            }
            if stopSignalNumber == 0 { stopSignalNumber = signal }
            stopSignalled = 1
        }, for: signals)
        // A parent may have started us with these signals blocked (the mask is inherited across exec).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Names of the host's interfaces with their flags (getifaddrs).
    static func interfaceFlags() -> [String: UInt32] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [:] }
        defer { freeifaddrs(first) }
        var flags: [String: UInt32] = [:]
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            if let name = entry.pointee.ifa_name { flags[String(cString: name)] = UInt32(entry.pointee.ifa_flags) }
            cursor = entry.pointee.ifa_next
        }
        return flags
    }

    /// Interfaces deleted or brought down since the last look.
    private func checkInterfaces(_ open: inout Set<Int>, _ pollSet: inout [pollfd], _ warnings: inout [CaptureWarning]) {
        let flags = Self.interfaceFlags()
        guard !flags.isEmpty else { return }
        for position in handles.indices where open.contains(position) && !handles[position].isAny {
            let name = handles[position].name
            if let value = flags[name] {
                if value & UInt32(IFF_UP) == 0 { lose(position, "interface \(name) went down", &open, &pollSet, &warnings) }
            } else if if_nametoindex(name) == 0 {
                lose(position, "interface \(name) disappeared", &open, &pollSet, &warnings)
            }
        }
    }

    private func lose(_ position: Int, _ reason: String, _ open: inout Set<Int>, _ pollSet: inout [pollfd], _ warnings: inout [CaptureWarning]) {
        var stats = pcap_stat()
        if pcap_stats(handles[position].pcap, &stats) == 0 { handles[position].finalStats = stats }
        open.remove(position)
        pollSet[position].fd = -1
        let lost = LostInterface(name: handles[position].name, reason: reason, packetsSeen: handles[position].seen)
        lostInterfaces.append(lost)
        warnings.append(CaptureWarning(path: lost.name, offset: nil, message: "stopped capturing after \(lost.packetsSeen) packets: \(reason)"))
        onInterfaceLost?(lost)
    }

    /// Interface for an SLL2 index on `-i any`, created on first sight.
    private func interfaceIndex(forSystemIndex systemIndex: UInt32, handle: Handle) -> Int {
        if let known = anyInterfaces[systemIndex] { return known }
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        let name = if_indextoname(systemIndex, &buffer).map { String(cString: $0) } ?? "if\(systemIndex)"
        let hostEntry = host.first { $0.interface.systemIndex == systemIndex }
        let interface = CaptureInterface(index: interfaces.count, name: name, linkType: handle.linkType, snapLength: UInt32(options.snapLength),
                                         addresses: hostEntry?.interface.addresses ?? [], systemIndex: systemIndex, timestampResolution: 1_000_000_000)
        interfaces.append(interface)
        anyInterfaces[systemIndex] = interface.index
        onNewInterface?(interface)
        return interface.index
    }

    public func forEachPacket(_ body: (CapturedPacket) throws -> Void) throws -> [CaptureWarning] {
        var frame = 0
        var warnings: [CaptureWarning] = []
        let start = Timestamp.now()
        var pollSet = handles.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        var open = Set(handles.indices)
        var lastInterfaceCheck = start
        loop: while stopSignalled == 0 && !open.isEmpty {
            if let count = options.count, frame >= count { break }
            if let duration = options.duration, Timestamp.now().seconds(since: start) >= duration { break }
            let ready = poll(&pollSet, nfds_t(pollSet.count), 100)
            if ready < 0 && errno != EINTR {
                warnings.append(CaptureWarning(path: name, offset: nil, message: "poll failed: \(String(cString: strerror(errno)))"))
                break
            }
            for position in handles.indices where open.contains(position) {
                // Drain every handle each round: poll on a packet socket can miss ring-buffer wakeups.
                var header: UnsafeMutablePointer<pcap_pkthdr>?
                var data: UnsafePointer<UInt8>?
                while true {
                    if let count = options.count, frame >= count { break loop }
                    let status = pcap_next_ex(handles[position].pcap, &header, &data)
                    if status == 1, let header, let data {
                        frame += 1
                        handles[position].seen += 1
                        let h = header.pointee
                        let handle = handles[position]
                        let fraction = Int64(h.ts.tv_usec) * (handle.isNanosecond ? 1 : 1000)
                        let bytes = UnsafeRawBufferPointer(start: data, count: Int(h.caplen))
                        var index = handle.interfaceIndex
                        if handle.isAny && handle.linkType == .linuxSLL2 && bytes.count >= 8 {
                            index = interfaceIndex(forSystemIndex: bytes.be32(4), handle: handle)
                        }
                        var direction = PacketDirection.unknown
                        if handle.linkType == .linuxSLL2 && bytes.count >= 11 {
                            direction = bytes.u8(10) == 4 ? .outbound : .inbound
                        }
                        try body(CapturedPacket(frameNumber: frame, timestamp: Timestamp(seconds: Int64(h.ts.tv_sec), nanoseconds: fraction), originalLength: Int(h.len),
                                                interfaceIndex: index, linkType: handle.linkType, direction: direction, bytes: bytes))
                    } else if status == 0 {
                        break
                    } else {
                        // ENXIO/ENODEV (deleted), ENETDOWN (PCAP_ERROR_IFACE_NOT_UP), any other failure.
                        let detail = status == PCAP_ERROR ? String(cString: pcap_geterr(handles[position].pcap)) : ""
                        let message = status == PCAP_ERROR_IFACE_NOT_UP ? "interface \(handles[position].name) went down" : detail.isEmpty ? "capture ended (status \(status))" : detail
                        lose(position, message, &open, &pollSet, &warnings)
                        break
                    }
                }
            }
            let now = Timestamp.now()
            if now.seconds(since: lastInterfaceCheck) >= 0.5 {
                lastInterfaceCheck = now
                checkInterfaces(&open, &pollSet, &warnings)
            }
            onIdle?(now)
        }
        return warnings
    }

    public func statistics() -> [Statistics] {
        handles.map { handle in
            var stats = handle.finalStats ?? pcap_stat()
            let ok = handle.finalStats != nil || pcap_stats(handle.pcap, &stats) == 0
            return Statistics(interface: handle.name, received: ok ? stats.ps_recv : 0, dropped: ok ? stats.ps_drop : 0, droppedByInterface: ok ? stats.ps_ifdrop : 0, seen: handle.seen)
        }
    }
}

extension Timestamp {
    /// The current wall-clock time (the clock libpcap stamps packets with).
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int64(spec.tv_nsec))
    }
}
