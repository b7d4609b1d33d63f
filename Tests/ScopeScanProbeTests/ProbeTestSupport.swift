import ScopeScanCapture
import ScopeScanProbe
import ScopeScanWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Hand-made attempts, hosts and platforms: the verdict and the plan are pure, so none of these
/// tests needs root, a socket or a capture.
enum Probe {
    static func address(_ text: String) -> IPv6Address {
        guard let address = IPv6Address(text) else { fatalError("not an IPv6 address: \(text)") }
        return address
    }

    static let linux = ProbePlatform(name: "Linux", nonlocalBind: (0, 15, "IP_FREEBIND"), loopbackName: "lo", localRoutes: { [] })

    enum Connect {
        case ok, refused, timedOut
    }

    /// An attempt as it would look after it ran. `bindErrno` nil: bound. `connect` nil: not
    /// attempted. `seenOn` nil: no capture; otherwise packets per interface (lo and `interface`).
    static func attempt(_ kind: ProbeAttempt.Kind = .ownLinkLocal, interface: String = "eth0", address text: String = "fe80::a:1",
                        scopeID: UInt32 = 2, port: UInt16 = 12981, option: String? = nil, route: String? = nil,
                        bindErrno: Int32? = nil, connect: Connect? = .ok, seenOn: [String]? = [], icmpErrors: Int = 0) -> ProbeAttempt {
        var attempt = ProbeAttempt(kind: kind, interface: interface, address: address(text), scopeID: scopeID, port: port, nonlocalOption: option)
        attempt.route = route
        if let bindErrno {
            attempt.bindError = ProbeSocketError(step: "bind", code: bindErrno)
        } else if let connect {
            switch connect {
            case .ok: attempt.connect = ProbeConnectResult(error: nil, timedOut: false, milliseconds: 0.25, accepted: true)
            case .refused: attempt.connect = ProbeConnectResult(error: ProbeSocketError(step: "connect", code: ECONNREFUSED), timedOut: false, milliseconds: 0.5, accepted: false)
            case .timedOut: attempt.connect = ProbeConnectResult(error: ProbeSocketError(step: "connect", code: ETIMEDOUT), timedOut: true, milliseconds: 1000, accepted: false)
            }
        }
        if let seenOn {
            attempt.packets = (interface == "lo" ? ["lo"] : ["lo", interface]).map { name in (name, seenOn.contains(name) ? 3 : 0) }
            if attempt.connect != nil && !seenOn.isEmpty { attempt.answer = connect == .ok ? "SYN-ACK" : "none" }
        }
        attempt.icmpErrors = icmpErrors
        return attempt
    }

    static func entry(_ name: String, index: UInt32, up: Bool = true, loopback: Bool = false, addresses: [String]) -> HostInterfaces.Entry {
        let list = addresses.map { text -> InterfaceAddress in
            let parts = text.split(separator: "/")
            return InterfaceAddress(address: .v6(address(String(parts[0]))), prefixLength: Int(parts[1]) ?? 128)
        }
        return HostInterfaces.Entry(interface: CaptureInterface(index: Int(index) - 1, name: name, linkType: .ethernet, addresses: list, systemIndex: index),
                                    isUp: up, isLoopback: loopback)
    }

    /// lo, and eth0 with fe80::a:1 and fe80::a:0 (so the other-in-prefix address must skip it).
    static let host = [
        entry("lo", index: 1, loopback: true, addresses: ["::1/128"]),
        entry("eth0", index: 2, addresses: ["fe80::a:1/64", "fe80::a:0/64", "2001:db8:1::5/64"]),
    ]
}
