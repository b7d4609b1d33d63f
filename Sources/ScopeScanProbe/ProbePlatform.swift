/// What differs per operating system. Add macOS and the BSDs by giving their constants and route
/// reader in `ProbePlatform.current`; the socket calls (ProbeSockets.swift) are shared.
public struct ProbePlatform: Sendable {
    /// "Linux", "macOS", "FreeBSD", …
    public var name: String
    /// The socket option that allows binding an address the host does not have, as (level, option,
    /// its name): Linux IP_FREEBIND (SOL_IP 15, honoured by AF_INET6 sockets), FreeBSD IPV6_BINDANY,
    /// OpenBSD SO_BINDANY. nil where there is none (macOS): the plan then has no free-bind attempts
    /// and a listener asked for one fails at setsockopt with ENOPROTOOPT.
    public var nonlocalBind: (level: Int32, option: Int32, name: String)?
    /// The loopback interface name when getifaddrs names none.
    public var loopbackName: String
    /// `local` routes wider than one address (AnyIP); empty where not implemented.
    public var localRoutes: @Sendable () -> [ProbeLocalRoute]

    public init(name: String, nonlocalBind: (level: Int32, option: Int32, name: String)?, loopbackName: String, localRoutes: @escaping @Sendable () -> [ProbeLocalRoute]) {
        self.name = name
        self.nonlocalBind = nonlocalBind
        self.loopbackName = loopbackName
        self.localRoutes = localRoutes
    }

    public static var current: ProbePlatform {
        #if os(Linux)
        return ProbePlatform(name: "Linux", nonlocalBind: (0 /* SOL_IP */, 15 /* IP_FREEBIND */, "IP_FREEBIND"), loopbackName: "lo",
                             localRoutes: { ProbeRouteTable.linuxAnyIPRoutes() })
        #elseif os(macOS)
        // No free-bind option; AnyIP has no equivalent. Reading PF_ROUTE is left to do.
        return ProbePlatform(name: "macOS", nonlocalBind: nil, loopbackName: "lo0", localRoutes: { [] })
        #elseif os(FreeBSD)
        return ProbePlatform(name: "FreeBSD", nonlocalBind: (41 /* IPPROTO_IPV6 */, 64 /* IPV6_BINDANY */, "IPV6_BINDANY"), loopbackName: "lo0", localRoutes: { [] })
        #elseif os(OpenBSD)
        return ProbePlatform(name: "OpenBSD", nonlocalBind: (0xffff /* SOL_SOCKET */, 0x1000 /* SO_BINDANY */, "SO_BINDANY"), loopbackName: "lo0", localRoutes: { [] })
        #else
        return ProbePlatform(name: "unknown", nonlocalBind: nil, loopbackName: "lo0", localRoutes: { [] })
        #endif
    }
}
