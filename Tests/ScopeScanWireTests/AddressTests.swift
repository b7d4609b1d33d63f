import Testing
@testable import ScopeScanWire

@Suite("IPv6 addresses")
struct IPv6AddressTests {
    /// (any valid text, RFC 5952 canonical text)
    static let canonical: [(String, String)] = [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"), // 4.1: no leading zeros; 4.2.1: "::" as long as possible
        ("2001:DB8::1", "2001:db8::1"), // 4.3: lower case
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), // 4.2.3: on a tie the first run is shortened
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"), // 4.2.3: the longest run is shortened
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), // 4.2.2: a single zero group stays "0"
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("fe80:0:0:0:0:0:0:1", "fe80::1"),
        ("fe80::5054:00ff:fe42:0fef", "fe80::5054:ff:fe42:fef"),
        ("fe80:3:0:0:0:0:0:1", "fe80:3::1"),
        ("ff02:0:0:0:0:1:ff00:dead", "ff02::1:ff00:dead"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"),
        ("0:1:0:0:0:1:0:0", "0:1::1:0:0"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), // section 5: IPv4-mapped with a dotted tail
        ("0:0:0:0:0:ffff:c000:201", "::ffff:192.0.2.1"),
        ("::ffff:0:0", "::ffff:0.0.0.0"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
    ]

    @Test("RFC 5952 text", arguments: canonical)
    func rfc5952(_ input: String, _ expected: String) throws {
        let address = try #require(IPv6Address(input))
        #expect(address.description == expected)
        var appended = "prefix "
        address.appendText(to: &appended)
        #expect(appended == "prefix " + expected)
        // The canonical text parses back to the same address.
        #expect(IPv6Address(expected) == address)
    }

    @Test("text from groups and groups from text")
    func groups() throws {
        let address = IPv6Address(groups: [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])
        #expect(address.description == "2001:db8::1:0:0:1")
        #expect(address.high == 0x2001_0db8_0000_0000)
        #expect(address.low == 0x0001_0000_0000_0001)
        #expect(try #require(IPv6Address("2001:db8::1:0:0:1")).groups == [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])
        #expect(IPv6Address.loopback.description == "::1")
        #expect(IPv6Address.unspecified.description == "::")
    }

    @Test("text that is not an IPv6 address", arguments: [
        "", ":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "g::1", "fe80::1%lo0", "::ffff:300.0.0.1", "::ffff:1.2.3", "1.2.3.4::", ":1::",
        "1:", ":1", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:192.0.2.1:1", "192.0.2.1", "2001:db8::+1", "::-1",
        "2001:db8:: 1",
    ])
    func invalid(_ text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test("kind by prefix", arguments: [
        ("::1", AddressKind.loopback),
        ("::", .unspecified),
        ("fe80::1", .linkLocal),
        ("fe80::5054:ff:fe42:fef", .linkLocal),
        ("febf:ffff::1", .linkLocal), // the top of fe80::/10
        ("fec0::1", .siteLocal),
        ("feff::1", .siteLocal),
        ("fd00::1", .uniqueLocal),
        ("fc00::1", .uniqueLocal),
        ("ff01::1", .multicast(.interfaceLocal)),
        ("ff02::1", .multicast(.linkLocal)),
        ("ff12::1:3", .multicast(.linkLocal)), // transient flag set, scope still 2
        ("ff05::1:3", .multicast(.siteLocal)),
        ("ff08::1", .multicast(.organizationLocal)),
        ("ff0e::1", .multicast(.global)),
        ("::ffff:192.0.2.1", .ipv4Mapped),
        ("2001:db8::1", .documentation),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", .documentation),
        ("3fff::1", .documentation), // RFC 9637
        ("3fff:fff:ffff::1", .documentation),
        ("3fff:1000::1", .global), // just past 3fff::/20
        ("2001:db9::1", .global),
        ("2a01:4f8::1", .global),
        ("2001:4860:4860::8888", .global),
        ("4000::1", .reserved), // outside 2000::/3
        ("::192.0.2.1", .reserved), // deprecated IPv4-compatible form
    ])
    func kind(_ text: String, _ kind: AddressKind) {
        #expect(v6(text).kind == kind)
        #expect(IPAddress.v6(v6(text)).kind == kind)
    }

    @Test("non-zero bits 10–63 of a link-local address (RFC 4291 2.5.6)", arguments: [
        ("fe80:3::1", true), // KAME embedded scope id
        ("fe80:0:0:1::1", true),
        ("febf::1", true), // bits 10–15 set
        ("fe80::1", false),
        ("fe80::5054:ff:fe42:fef", false),
        ("fe80::ffff:ffff:ffff:ffff", false), // the interface id may be anything
        ("2001:db8:3::1", false), // not link-local at all
        ("fec0:3::1", false),
    ])
    func linkLocalPadding(_ text: String, _ nonZero: Bool) {
        #expect(v6(text).hasNonZeroLinkLocalPadding == nonZero)
    }

    @Test("only fe80:N::/64 with N in bits 16–31 is a KAME embedded zone", arguments: [
        ("fe80:3::1", true),
        ("fe80:ffff::1", true),
        ("fe80::1", false), // index 0 is no interface
        ("fe80:0:0:1::1", false), // bits 48–63
        ("fe80:0:abcd::1", false), // bits 32–47
        ("fe81::1", false), // bits 10–15
        ("fe90::1", false),
        ("fe80:3:0:1::1", false), // an index plus stray bits: not how KAME writes it
        ("fec0:3::1", false),
    ])
    func kameEmbeddedScope(_ text: String, _ embedded: Bool) {
        #expect(v6(text).hasKAMEEmbeddedScope == embedded)
    }

    @Test("KAME embedded scope id")
    func embeddedScope() {
        #expect(v6("fe80:3::1").embeddedScopeID == 3)
        #expect(v6("fe80:12::1").embeddedScopeID == 0x12)
        #expect(v6("fe80::1").embeddedScopeID == 0)
        #expect(v6("fe80:3::1").withoutEmbeddedScope == v6("fe80::1"))
        #expect(v6("fe80::5054:ff:fe42:fef").withoutEmbeddedScope == v6("fe80::5054:ff:fe42:fef"))
    }

    @Test("an embedded scope id read from a captured header (openbsd-embedded-scope.pcap #1)")
    func embeddedScopeFromHeader() throws {
        // IPv6, payload 12, ICMPv6, hop limit 64, fe80:3::1 > fe80::2
        let header: [UInt8] = [
            0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x3a, 0x40,
            0xfe, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        ]
        try withBytes(header) { raw in
            let ip = try IPv6HeaderView(checking: raw)
            #expect(ip.source.description == "fe80:3::1")
            #expect(ip.source.hasNonZeroLinkLocalPadding)
            #expect(ip.source.embeddedScopeID == 3)
            #expect(ip.destination.hasNonZeroLinkLocalPadding == false)
        }
    }

    @Test("scoped addresses need a zone (RFC 4007 section 6)", arguments: [
        ("fe80::1", true), ("ff01::1", true), ("ff02::1", true), ("ff05::1", false), ("ff0e::1", false),
        ("2001:db8::1", false), ("::1", false), ("fd00::1", false),
    ])
    func scoped(_ text: String, _ scoped: Bool) {
        #expect(v6(text).isScoped == scoped)
    }

    @Test("IPv4-mapped addresses give their IPv4 address")
    func mapped() {
        #expect(v6("::ffff:192.0.2.1").mappedIPv4 == v4("192.0.2.1"))
        #expect(v6("::ffff:192.0.2.1").isIPv4Mapped)
        #expect(v6("2001:db8::1").mappedIPv4 == nil)
        #expect(v6("::192.0.2.1").mappedIPv4 == nil)
    }

    @Test("ordering is numeric")
    func ordering() {
        #expect(v6("fe80::1") < v6("fe80::2"))
        #expect(v6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") < v6("2001:db9::"))
        #expect(v6("::1") < v6("fe80::"))
        #expect(!(v6("fe80::1") < v6("fe80::1")))
    }
}

@Suite("IPv4 addresses")
struct IPv4AddressTests {
    @Test("dotted-quad text both ways")
    func text() throws {
        #expect(IPv4Address(192, 0, 2, 1).value == 0xc000_0201)
        #expect(IPv4Address(0xc000_0201).description == "192.0.2.1")
        #expect(IPv4Address("192.0.2.1") == IPv4Address(192, 0, 2, 1))
        #expect(IPv4Address("255.255.255.255")?.value == 0xffff_ffff)
        #expect(IPv4Address("0.0.0.0")?.value == 0)
    }

    @Test("text that is not an IPv4 address", arguments: [
        "", "1.2.3", "1.2.3.4.5", "1..2.3", "256.0.0.1", "a.b.c.d", "1.2.3.4 ", " 1.2.3.4", "1.2.3.", ".1.2.3",
        "1234.1.1.1", "+1.2.3.4", "1.2.3.-0", "::1",
    ])
    func invalid(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test("kind by prefix", arguments: [
        ("127.0.0.1", AddressKind.loopback),
        ("127.255.255.254", .loopback),
        ("0.0.0.0", .unspecified),
        ("0.1.2.3", .reserved),
        ("169.254.1.1", .linkLocal),
        ("169.254.255.255", .linkLocal),
        ("10.0.0.1", .privateUse),
        ("10.255.255.255", .privateUse),
        ("172.16.0.1", .privateUse),
        ("172.31.255.255", .privateUse),
        ("172.32.0.1", .global),
        ("192.168.1.1", .privateUse),
        ("192.0.2.1", .documentation), // TEST-NET-1
        ("198.51.100.7", .documentation), // TEST-NET-2
        ("203.0.113.9", .documentation), // TEST-NET-3
        ("224.0.0.1", .multicast(.linkLocal)), // 224.0.0.0/24, never forwarded
        ("224.0.0.251", .multicast(.linkLocal)),
        ("224.0.1.1", .multicast(.global)),
        ("239.255.255.250", .multicast(.global)),
        ("255.255.255.255", .broadcast),
        ("240.0.0.1", .reserved),
        ("8.8.8.8", .global),
    ])
    func kind(_ text: String, _ kind: AddressKind) {
        #expect(v4(text).kind == kind)
        #expect(IPAddress.v4(v4(text)).kind == kind)
    }
}

@Suite("IPAddress")
struct IPAddressTests {
    @Test("text picks the family")
    func parse() {
        #expect(IPAddress("192.0.2.1") == .v4(v4("192.0.2.1")))
        #expect(IPAddress("2001:db8::1") == .v6(v6("2001:db8::1")))
        #expect(IPAddress("::ffff:192.0.2.1") == .v6(v6("::ffff:192.0.2.1")))
        #expect(IPAddress("example.org") == nil)
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8::1")
    }

    @Test("a zone is appended only to scoped addresses with a known interface")
    func scopedText() {
        #expect(IPAddress.v6(v6("fe80::1")).scopedText(interface: "lo0") == "fe80::1%lo0")
        #expect(IPAddress.v6(v6("ff02::1")).scopedText(interface: "en0") == "ff02::1%en0")
        #expect(IPAddress.v6(v6("fe80::1")).scopedText(interface: nil) == "fe80::1")
        #expect(IPAddress.v6(v6("fe80::1")).scopedText(interface: "") == "fe80::1")
        #expect(IPAddress.v6(v6("2001:db8::1")).scopedText(interface: "en0") == "2001:db8::1")
        #expect(IPAddress.v4(v4("169.254.1.1")).scopedText(interface: "en0") == "169.254.1.1")
    }

    @Test("loopback in either family")
    func loopback() {
        #expect(IPAddress.v4(v4("127.0.0.2")).isLoopback)
        #expect(IPAddress.v6(.loopback).isLoopback)
        #expect(IPAddress.v6(v6("::ffff:127.0.0.1")).isLoopback == false) // mapped, not ::1
    }

    @Test("IPv4 sorts before IPv6")
    func ordering() {
        #expect(IPAddress.v4(v4("255.255.255.255")) < .v6(.unspecified))
        #expect(!(IPAddress.v6(.unspecified) < .v4(v4("0.0.0.0"))))
        #expect(IPAddress.v4(v4("10.0.0.1")) < .v4(v4("10.0.0.2")))
    }
}
