import CPcap

/// The interfaces libpcap can capture on, in `pcap_findalldevs` order, numbered from 1 as
/// `tcpdump -D` numbers them, so `capture -i 3` means what `tcpdump -i 3` means on the same host.
public struct CaptureDevice: Sendable, Equatable {
    /// 1-based position in libpcap's list (tcpdump -D's number).
    public var number: Int
    public var name: String
    /// libpcap's description (`any`: "Pseudo-device that captures on all interfaces").
    public var description: String?
    /// `PCAP_IF_*` flags.
    public var flags: UInt32

    public init(number: Int, name: String, description: String?, flags: UInt32) {
        self.number = number
        self.name = name
        self.description = description
        self.flags = flags
    }

    public var isUp: Bool { flags & UInt32(PCAP_IF_UP) != 0 }
    public var isRunning: Bool { flags & UInt32(PCAP_IF_RUNNING) != 0 }
    public var isLoopback: Bool { flags & UInt32(PCAP_IF_LOOPBACK) != 0 }
    public var isWireless: Bool { flags & UInt32(PCAP_IF_WIRELESS) != 0 }

    /// The connection status libpcap reports (`PCAP_IF_CONNECTION_STATUS`), in tcpdump's words;
    /// nil where it does not apply.
    public var connectionStatus: String? {
        switch flags & UInt32(PCAP_IF_CONNECTION_STATUS) {
        case UInt32(PCAP_IF_CONNECTION_STATUS_UNKNOWN): return isWireless ? "Association status unknown" : "Connection status unknown"
        case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): return isWireless ? "Associated" : "Connected"
        case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): return isWireless ? "Not associated" : "Disconnected"
        default: return nil
        }
    }

    /// The bracketed status as tcpdump 4.99 prints it (`show_devices_and_exit`): the set bits of
    /// Up, Running, Loopback, Wireless in that order ("none" when none is set), then the
    /// connection status; nothing at all when the flags are 0.
    public var statusText: String? {
        guard flags != 0 else { return nil }
        let names = [(isUp, "Up"), (isRunning, "Running"), (isLoopback, "Loopback"), (isWireless, "Wireless")].filter(\.0).map(\.1)
        return ([names.isEmpty ? "none" : names.joined(separator: ", ")] + [connectionStatus].compactMap { $0 }).joined(separator: ", ")
    }

    /// `3.lo [Up, Running, Loopback]`: the line tcpdump -D prints for this device.
    public var tcpdumpLine: String {
        "\(number).\(name)" + (description.map { " (\($0))" } ?? "") + (statusText.map { " [\($0)]" } ?? "")
    }
}

extension LiveCapture {
    /// libpcap's device list (`pcap_findalldevs`), numbered from 1; empty if libpcap cannot list.
    public static func devices() -> [CaptureDevice] {
        LibpcapHandle.devices().enumerated().map { position, device in
            CaptureDevice(number: position + 1, name: device.name, description: device.description, flags: device.flags)
        }
    }

    public static func capturableNames() -> [String] { devices().map(\.name) }

    /// tcpdump's reading of an all-digit `-i` word (`parse_interface_number`): strtol over the
    /// whole word; nil when it is not all-numeric, so it is only ever a name.
    static func interfaceNumber(_ word: String) -> Int? {
        var digits = Substring(word)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" { negative = sign == "-"; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let value = Int(digits) else { return Int.max }
        return negative ? -value : value
    }

    /// The device an all-numeric `-i` word names, tcpdump's way: used only once opening it as a
    /// name found no such interface (so an interface really called `2` still wins); 1-based in
    /// `devices()`'s order.
    static func device(numbered word: String) throws(CaptureError) -> String? {
        guard let number = interfaceNumber(word) else { return nil }
        let devices = devices()
        guard number >= 1 else {
            throw CaptureError(path: "-i \(word)", message: "no such interface, and no such interface number: 'scopescan interfaces' numbers them from 1")
        }
        guard number <= devices.count else {
            throw CaptureError(path: "-i \(word)", message: "no such interface, and no such interface number: there \(devices.count == 1 ? "is 1 interface" : "are \(devices.count) interfaces") (see 'scopescan interfaces')")
        }
        return devices[number - 1].name
    }
}
