import ArgumentParser
import ScopeScanCapture
import ScopeScanReport
import ScopeScanAnalysis
import ScopeScanWire

struct Interfaces: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "interfaces", abstract: "List capturable interfaces with index, state and addresses (scoped).")

    @Option(help: "Output format: text or json (one object per interface).")
    var format: OutputFormat = .text

    func run() throws {
        let capturable = Set(LiveCapture.capturableNames())
        let out = OutputSink(fd: 1)
        for entry in HostInterfaces.list() {
            let interface = entry.interface
            let name = interface.name ?? "?"
            let addresses = interface.addresses.map { address -> String in
                "\(address.address.scopedText(interface: name))/\(address.prefixLength)"
            }
            let state = [entry.isUp ? "up" : "down", entry.isLoopback ? "loopback" : nil, capturable.contains(name) ? nil : "not capturable"].compactMap { $0 }
            switch format {
            case .text:
                out.writeLine(DisplayText.escaped("\(interface.systemIndex.map(String.init) ?? "?"): \(name) (\(state.joined(separator: ", ")))"))
                for address in addresses { out.writeLine("    \(DisplayText.escaped(address))") }
            case .json:
                var object = JSONObject()
                object.add("index", interface.systemIndex.map(Int.init))
                object.add("name", name)
                object.add("up", entry.isUp)
                object.add("loopback", entry.isLoopback)
                object.add("capturable", capturable.contains(name))
                object.add("addresses", strings: addresses)
                out.writeLine(object.closed)
            }
        }
        if capturable.contains("any") && format == .text {
            out.writeLine("any: all interfaces (Linux cooked capture, SLL2: each packet tagged with its interface)")
        }
        out.flush()
    }
}
