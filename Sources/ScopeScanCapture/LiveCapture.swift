import CPcap
import ScopeScanWire
import Synchronization

import ScopeScanSystem

/// Set by SIGINT/SIGTERM/SIGHUP/SIGPIPE; the capture loop polls it (a signal handler may only touch
/// lock-free atomics, which these are). `stopSignalNumber` says which signal it was.
private let stopSignalled = Atomic<Int32>(0)
private let stopSignalNumber = Atomic<Int32>(0)

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
        var pcap: LibpcapHandle
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
    public static var stopSignal: Int32 { stopSignalNumber.load(ordering: .relaxed) }

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

    private func open(_ requested: String) throws(CaptureError) {
        let pcap: LibpcapHandle
        switch LibpcapHandle.create(device: requested) {
        case .success(let created): pcap = created
        case .failure(let error): throw CaptureError(path: requested, message: error.message)
        }
        pcap.setSnapLength(options.snapLength)
        pcap.setImmediateMode()
        pcap.setTimeout(milliseconds: 100)
        if let size = options.bufferSize { pcap.setBufferSize(size) }
        let nano = pcap.setNanosecondPrecision()
        let status = pcap.activate()
        if status < 0 {
            let detail = pcap.errorText
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
            pcap.setDLT(276)
        }
        if let filter = options.filter, let problem = pcap.setFilter(filter) {
            throw CaptureError(path: requested, message: problem)
        }
        if let problem = pcap.setNonblocking() {
            throw CaptureError(path: requested, message: problem)
        }
        let linkType = LinkType(UInt32(bitPattern: pcap.dlt))
        let known = host.first { $0.interface.name == requested }
        var interface = CaptureInterface(index: interfaces.count, name: requested, linkType: linkType, snapLength: UInt32(options.snapLength),
                                         addresses: known?.interface.addresses ?? [], systemIndex: known?.interface.systemIndex,
                                         timestampResolution: 1_000_000_000)
        if isAny { interface.interfaceDescription = "all interfaces (Linux any)" }
        interfaces.append(interface)
        handles.append(Handle(name: requested, pcap: pcap, fd: pcap.selectableDescriptor, interfaceIndex: interface.index, linkType: linkType, isNanosecond: nano && pcap.isNanosecond, isAny: isAny))
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
    public static func requestStop() { stopSignalled.store(1, ordering: .relaxed) }

    /// Installs handlers that stop the capture loop instead of killing the process: SIGINT,
    /// SIGTERM, SIGHUP (the ssh session dropped) and SIGPIPE (the reader of stdout went away; the
    /// failed write returns EPIPE, which OutputSink drops).
    public static func installStopHandlers() {
        stopSignalled.store(0, ordering: .relaxed)
        stopSignalNumber.store(0, ordering: .relaxed)
        // The first signal asks for a clean stop; a second one (Ctrl-C again) leaves at once, with
        // the temporary files removed. SIGPIPE repeats with every write to the closed pipe: never fatal.
        let signals = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]
        System.installSignalHandler({ signal in
            if stopSignalled.load(ordering: .relaxed) != 0 && signal != SIGPIPE {
                TemporaryFiles.removeAll()
                _exit(128 + signal)
            }
            _ = stopSignalNumber.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
            stopSignalled.store(1, ordering: .relaxed)
        }, for: signals)
        // A parent may have started us with these signals blocked (the mask is inherited across exec).
        SystemCalls.unblock(signals)
    }

    /// Names of the host's interfaces with their flags (getifaddrs).
    static func interfaceFlags() -> [String: UInt32] {
        var flags: [String: UInt32] = [:]
        for entry in SystemCalls.interfaceAddresses() { flags[entry.name] = entry.flags }
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
            } else if SystemCalls.interfaceIndex(named: name) == 0 {
                lose(position, "interface \(name) disappeared", &open, &pollSet, &warnings)
            }
        }
    }

    private func lose(_ position: Int, _ reason: String, _ open: inout Set<Int>, _ pollSet: inout [pollfd], _ warnings: inout [CaptureWarning]) {
        if let stats = handles[position].pcap.statistics() { handles[position].finalStats = stats }
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
        let name = SystemCalls.interfaceName(index: systemIndex) ?? "if\(systemIndex)"
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
        loop: while stopSignalled.load(ordering: .relaxed) == 0 && !open.isEmpty {
            if let count = options.count, frame >= count { break }
            if let duration = options.duration, Timestamp.now().seconds(since: start) >= duration { break }
            let ready = SystemCalls.poll(&pollSet, timeoutMilliseconds: 100)
            if ready < 0 && errno != EINTR {
                warnings.append(CaptureWarning(path: name, offset: nil, message: "poll failed: \(System.errorText(errno))"))
                break
            }
            for position in handles.indices where open.contains(position) {
                // Drain every handle each round: poll on a packet socket can miss ring-buffer wakeups.
                let pcap = handles[position].pcap
                while true {
                    if let count = options.count, frame >= count { break loop }
                    let record = pcap.next()
                    let status = record.status
                    if status == 1 {
                        frame += 1
                        handles[position].seen += 1
                        let handle = handles[position]
                        let fraction = record.fraction * (handle.isNanosecond ? 1 : 1000)
                        let bytes = record.bytes
                        var index = handle.interfaceIndex
                        if handle.isAny && handle.linkType == .linuxSLL2 && bytes.count >= 8 {
                            index = interfaceIndex(forSystemIndex: bytes.be32(4), handle: handle)
                        }
                        var direction = PacketDirection.unknown
                        if handle.linkType == .linuxSLL2 && bytes.count >= 11 {
                            direction = bytes.u8(10) == 4 ? .outbound : .inbound
                        }
                        try body(CapturedPacket(frameNumber: frame, timestamp: Timestamp(seconds: record.seconds, nanoseconds: fraction), originalLength: record.originalLength,
                                                interfaceIndex: index, linkType: handle.linkType, direction: direction, bytes: bytes))
                    } else if status == 0 {
                        break
                    } else {
                        // ENXIO/ENODEV (deleted), ENETDOWN (PCAP_ERROR_IFACE_NOT_UP), any other failure.
                        let detail = status == PCAP_ERROR ? pcap.errorText : ""
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
            let stats = handle.finalStats ?? handle.pcap.statistics()
            return Statistics(interface: handle.name, received: stats?.ps_recv ?? 0, dropped: stats?.ps_drop ?? 0, droppedByInterface: stats?.ps_ifdrop ?? 0, seen: handle.seen)
        }
    }
}

extension Timestamp {
    /// The current wall-clock time (the clock libpcap stamps packets with).
    public static func now() -> Timestamp {
        let now = SystemCalls.realTime()
        return Timestamp(seconds: now.seconds, nanoseconds: now.nanoseconds)
    }
}
