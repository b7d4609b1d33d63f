import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanWire

struct Interfaces: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interfaces",
        abstract: "List capturable interfaces, numbered as tcpdump -D numbers them, with their addresses (scoped).",
        discussion: """
        Each interface's first line is the one tcpdump -D prints on this host (libpcap's \
        pcap_findalldevs order): its number, name, description and [flags]; capture -i takes the \
        number as tcpdump -i does. The lines below it give the system interface index (the scope id \
        of its link-local addresses) and the addresses. --brief prints only the numbered lines.
        """
    )

    @Option(help: "Output format: text or json (one object per interface).")
    var format: OutputFormat = .text

    @Flag(help: "Only the numbered lines, exactly as tcpdump -D prints them.")
    var brief = false

    func run() throws {
        let devices = LiveCapture.devices()
        let host = HostInterfaces.list()
        let out = OutputSink(fd: 1)
        for device in devices {
            let entry = host.first { $0.interface.name == device.name }
            let addresses = entry?.interface.addresses.map { "\($0.address.scopedText(interface: device.name))/\($0.prefixLength)" } ?? []
            let systemIndex = entry?.interface.systemIndex
            switch format {
            case .text:
                out.writeLine(DisplayText.escaped(device.tcpdumpLine))
                if brief { continue }
                if let systemIndex { out.writeLine("    index \(systemIndex)") }
                for address in addresses { out.writeLine("    \(DisplayText.escaped(address))") }
            case .json:
                var object = JSONObject()
                object.add("number", device.number)
                object.add("index", systemIndex.map(Int.init))
                object.add("name", device.name)
                object.add("description", device.description)
                object.add("up", device.isUp)
                object.add("running", device.isRunning)
                object.add("loopback", device.isLoopback)
                object.add("wireless", device.isWireless)
                object.add("connection", device.connectionStatus?.lowercased())
                object.add("capturable", true)
                object.add("addresses", strings: addresses)
                out.writeLine(object.closed)
            }
        }
        // Interfaces the system has but libpcap does not offer: no number, nothing to capture.
        let listed = Set(devices.map(\.name))
        for entry in host where !listed.contains(entry.interface.name ?? "") {
            let name = entry.interface.name ?? "?"
            switch format {
            case .text:
                if !brief { out.writeLine(DisplayText.escaped("-.\(name) (not capturable by libpcap)")) }
            case .json:
                var object = JSONObject()
                object.add("number", Int?.none)
                object.add("index", entry.interface.systemIndex.map(Int.init))
                object.add("name", name)
                object.add("up", entry.isUp)
                object.add("loopback", entry.isLoopback)
                object.add("capturable", false)
                object.add("addresses", strings: entry.interface.addresses.map { "\($0.address.scopedText(interface: name))/\($0.prefixLength)" })
                out.writeLine(object.closed)
            }
        }
        out.flush()
    }
}
