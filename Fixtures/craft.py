#!/usr/bin/python3
"""Crafts the synthetic scopescan fixtures (called by make-fixtures.sh).

    /usr/bin/python3 Fixtures/craft.py [OUTDIR]

These captures cannot be produced by a Linux kernel: they reproduce macOS /
FreeBSD / OpenBSD loopback behaviour (DLT_NULL, DLT_LOOP, PKTAP), packets that
a correct stack never puts on a wire (embedded KAME scope ids, IPv4-mapped or
loopback addresses off loopback, link-local sources leaving the link), or
exercise file-format corners (byte orders, nanosecond pcap, pcapng with two
sections, simple packet / name resolution / custom blocks, unusual link
types).  Packets are built with scapy (checksums filled in by scapy) and the
file formats are written by hand with struct, so that byte order, timestamp
resolution and link-layer headers are exactly controlled.

Everything is deterministic: fixed timestamps, ports, sequence numbers, MACs.
"""
import os
import socket
import struct
import sys

from scapy.all import (AH, ESP, ICMP, IP, IPOption_NOP, IPOption_RR, IPv6,
                       ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU,
                       ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, ICMPv6ParamProblem,
                       ICMPv6TimeExceeded, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting, Jumbo,
                       PadN, Raw, RouterAlert, TCP, UDP, Dot1AD, Dot1Q, Ether)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

SEC = 1_000_000_000  # timestamps are handled as integer nanoseconds
MS = 1_000_000
US = 1_000

# ----------------------------------------------------------------- writers

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_USER0 = 147
LINKTYPE_USER2 = 149
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_PKTAP = 258
LINKTYPE_LINUX_SLL2 = 276


def write_pcap(name, linktype, frames, endian="<", nsec=False, snaplen=262144):
    """Classic pcap.  frames: list of (ts_ns, bytes[, orig_len]).  endian '<' or '>'."""
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for fr in frames:
        ts, data = fr[0], fr[1]
        orig = fr[2] if len(fr) > 2 else len(data)
        sec, frac = divmod(ts, SEC)
        if not nsec:
            frac //= US
        out.append(struct.pack(endian + "IIII", sec, frac, len(data), orig))
        out.append(data)
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(b"".join(out))
    return path


def read_pcap(name):
    """Minimal reader for the little-endian microsecond pcaps tcpdump writes."""
    with open(os.path.join(OUT, name), "rb") as f:
        raw = f.read()
    magic, = struct.unpack("<I", raw[:4])
    assert magic == 0xA1B2C3D4, "expected little-endian usec pcap"
    linktype, = struct.unpack("<I", raw[20:24])
    off, frames = 24, []
    while off + 16 <= len(raw):
        sec, usec, incl, _orig = struct.unpack("<IIII", raw[off:off + 16])
        frames.append((sec * SEC + usec * US, raw[off + 16:off + 16 + incl]))
        off += 16 + incl
    return linktype, frames


# ----------------------------------------------------------------- packets

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"
MAC_R = "02:00:00:00:00:fe"


def b(pkt):
    return bytes(pkt)


def linux_syn_opts(tsval):
    return [("MSS", 1440), ("SAckOK", b""), ("Timestamp", (tsval, 0)),
            ("NOP", None), ("WScale", 10)]


def mac_syn_opts(tsval):
    return [("MSS", 16324), ("NOP", None), ("WScale", 6), ("NOP", None),
            ("NOP", None), ("Timestamp", (tsval, 0)), ("SAckOK", b""),
            ("EOL", None)]


def conversation(mkip, c, s, cport, sport, t0, isn_c, isn_s, cdata, sdata,
                 step=40 * US, server_first=False):
    """A complete, clean TCP conversation (10-12 segments) as [(ts, pkt)].

    mkip(src, dst) returns the network layer.  Client sends cdata, server
    sdata, client closes first.  If server_first the server talks first
    (SSH-style banner)."""
    out = []
    t = [t0]

    def seg(src, dst, sp, dp, flags, seq, ack, data=b"", opts=None):
        p = mkip(src, dst) / TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack,
                                 window=65535 if "S" in flags else 64, options=opts or [])
        if data:
            p = p / Raw(data)
        out.append((t[0], p))
        t[0] += step

    ci, si = isn_c, isn_s
    seg(c, s, cport, sport, "S", ci, 0, opts=linux_syn_opts(1000))
    seg(s, c, sport, cport, "SA", si, ci + 1, opts=linux_syn_opts(2000))
    ci += 1
    si += 1
    seg(c, s, cport, sport, "A", ci, si)
    if server_first:
        seg(s, c, sport, cport, "PA", si, ci, sdata)
        si += len(sdata)
        seg(c, s, cport, sport, "A", ci, si)
        seg(c, s, cport, sport, "PA", ci, si, cdata)
        ci += len(cdata)
        seg(s, c, sport, cport, "A", si, ci)
        seg(c, s, cport, sport, "FA", ci, si)
        ci += 1
        seg(s, c, sport, cport, "FA", si, ci)
        si += 1
        seg(c, s, cport, sport, "A", ci, si)
    else:
        seg(c, s, cport, sport, "PA", ci, si, cdata)
        ci += len(cdata)
        seg(s, c, sport, cport, "A", si, ci)
        seg(c, s, cport, sport, "FA", ci, si)
        ci += 1
        seg(s, c, sport, cport, "PA", si, ci, sdata)
        si += len(sdata)
        seg(c, s, cport, sport, "A", ci, si)
        seg(s, c, sport, cport, "FA", si, ci)
        si += 1
        seg(c, s, cport, sport, "A", ci, si)
    return out


def handshake(mkip, c, s, cport, sport, t0, isn_c, isn_s, step=50 * US):
    """SYN, SYN-ACK, ACK."""
    return [
        (t0, mkip(c, s) / TCP(sport=cport, dport=sport, flags="S", seq=isn_c,
                              window=64800, options=linux_syn_opts(1000))),
        (t0 + step, mkip(s, c) / TCP(sport=sport, dport=cport, flags="SA",
                                     seq=isn_s, ack=isn_c + 1, window=64260,
                                     options=linux_syn_opts(2000))),
        (t0 + 2 * step, mkip(c, s) / TCP(sport=cport, dport=sport, flags="A",
                                         seq=isn_c + 1, ack=isn_s + 1, window=64)),
    ]


def v6(hlim=64):
    return lambda src, dst: IPv6(src=src, dst=dst, hlim=hlim)


def v4(ttl=64):
    return lambda src, dst: IP(src=src, dst=dst, ttl=ttl, id=0x1234, flags="DF")


# ------------------------------------------------- macOS lo0 own link-local

def macos_lo0_own_linklocal():
    """After FB16143533 ("IPv6 OSX Link-Local Strangeness"): macOS, connect to an own link-local address of en0 via lo0.
    The stack answers each SYN with ICMPv6 address unreachable."""
    T0 = 1714557600 * SEC  # 2024-05-01 10:00:00 UTC
    A = "fe80::8f1:f892:9152:9106"  # client source
    B = "fe80::8f1:f892:9152:9105"  # own link-local being connected to
    ISN = 0x3A1B2C4D
    pkts = []
    for i, dt in enumerate((0, 1 * SEC, 3 * SEC)):
        syn = IPv6(src=A, dst=B, hlim=64) / TCP(
            sport=50001, dport=12981, flags="S", seq=ISN, window=65535,
            options=mac_syn_opts(3000000000 + dt // MS))
        pkts.append((T0 + dt, syn))
        if i < 2:
            err = IPv6(src=B, dst=A, hlim=64) / ICMPv6DestUnreach(code=3) / Raw(b(syn))
            pkts.append((T0 + dt + 85 * US, err))
    pkts += conversation(v6(), "::1", "::1", 50002, 8080, T0 + 4 * SEC,
                         0x11110000, 0x22220000, b"GET / HTTP/1.0\r\n\r\n",
                         b"HTTP/1.0 200 OK\r\n\r\nok\n")
    t = T0 + 5 * SEC
    pkts.append((t, IPv6(src="fe80::1", dst="fe80::1") /
                 ICMPv6EchoRequest(id=0x4d2, seq=0, data=b"lo0 own fe80::1")))
    pkts.append((t + 60 * US, IPv6(src="fe80::1", dst="fe80::1") /
                 ICMPv6EchoReply(id=0x4d2, seq=0, data=b"lo0 own fe80::1")))
    AF_INET6_DARWIN = 30
    write_pcap("macos-lo0-own-linklocal.pcap", LINKTYPE_NULL,
               [(t, struct.pack("<I", AF_INET6_DARWIN) + b(p)) for t, p in pkts])


# ------------------------------------------------- FreeBSD lo0 slow connect

def freebsd_lo0_slow_connect():
    """After FreeBSD PR 265089 / D35732: FreeBSD, ssh to the host's own global address (goes over
    lo0): two SYNs lost, third (t0+3 s) answered.  Then ssh to the own
    link-local address: SYNs at 0, 1, 3, 7 s never answered."""
    T0 = 1714644000 * SEC  # 2024-05-02 10:00:00 UTC
    G = "2a01:4f8:13a:70c:ffff::8"
    L = "fe80::5054:ff:fe42:fef"
    ISN, SISN = 0x5EED0003, 0x7A7A0001
    pkts = []
    for dt in (0, 1 * SEC, 3 * SEC):
        pkts.append((T0 + dt, IPv6(src=G, dst=G) / TCP(
            sport=40001, dport=22, flags="S", seq=ISN, window=65535,
            options=[("MSS", 16324), ("NOP", None), ("WScale", 6),
                     ("SAckOK", b""), ("Timestamp", (1000 + dt // MS, 0))])))
    conv = conversation(v6(), G, G, 40001, 22, T0 + 3 * SEC, ISN, SISN,
                        b"SSH-2.0-OpenSSH_9.6 FreeBSD-20240104\r\n",
                        b"SSH-2.0-OpenSSH_9.6 FreeBSD-20240104\r\n",
                        step=30 * US, server_first=True)
    pkts += conv[1:]  # the conversation's SYN is the third SYN above
    t1 = T0 + 10 * SEC
    for dt in (0, 1 * SEC, 3 * SEC, 7 * SEC):
        pkts.append((t1 + dt, IPv6(src=L, dst=L) / TCP(
            sport=40002, dport=22, flags="S", seq=0x1ACC0003, window=65535,
            options=[("MSS", 16324), ("NOP", None), ("WScale", 6),
                     ("SAckOK", b""), ("Timestamp", (20000 + dt // MS, 0))])))
    AF_INET6_FREEBSD = 28
    write_pcap("freebsd-lo0-slow-connect.pcap", LINKTYPE_NULL,
               [(t, struct.pack("<I", AF_INET6_FREEBSD) + b(p)) for t, p in pkts])


# ------------------------------------------------- wire anomalies (Ethernet)

def eth(src=MAC_A, dst=MAC_B, t=0x86DD):
    return Ether(src=src, dst=dst, type=t)


def openbsd_embedded_scope():
    T0 = 1714730400 * SEC  # 2024-05-03 10:00:00 UTC
    E = "fe80:3::1"  # KAME-style embedded scope id 3 in bits 16..31
    pkts = [
        (T0, eth() / IPv6(src=E, dst="fe80::2") /
         ICMPv6EchoRequest(id=7, seq=1, data=b"kame")),
        (T0 + 200 * US, eth(MAC_B, MAC_A) / IPv6(src="fe80::2", dst=E) /
         ICMPv6EchoReply(id=7, seq=1, data=b"kame")),
        (T0 + 1 * SEC, eth() / IPv6(src="fe80::1", dst="fe80::2") /
         ICMPv6EchoRequest(id=8, seq=1, data=b"legit")),
        (T0 + 1 * SEC + 200 * US, eth(MAC_B, MAC_A) / IPv6(src="fe80::2", dst="fe80::1") /
         ICMPv6EchoReply(id=8, seq=1, data=b"legit")),
    ]
    pkts += [(t, eth(MAC_A if p[IPv6].src == E else MAC_B,
                     MAC_B if p[IPv6].src == E else MAC_A) / p)
             for t, p in handshake(v6(), E, "fe80::2", 40000, 22, T0 + 2 * SEC,
                                   0x0B5D0001, 0x0B5D1001)]
    write_pcap("openbsd-embedded-scope.pcap", LINKTYPE_ETHERNET,
               [(t, b(p)) for t, p in pkts])


def wrap_eth(pkts, client_ip):
    """Ethernet around [(t, ip)]: client MAC_A, peer MAC_B."""
    out = []
    for t, p in pkts:
        src = p[IPv6].src if IPv6 in p else p[IP].src
        fwd = src == client_ip
        et = 0x86DD if IPv6 in p else 0x0800
        out.append((t, b(eth(MAC_A if fwd else MAC_B, MAC_B if fwd else MAC_A, et) / p)))
    return out


def ipv4_mapped_on_wire():
    T0 = 1714816800 * SEC
    M = "::ffff:10.0.0.1"
    pkts = handshake(v6(), M, "2001:db8::1", 40000, 80, T0, 0x4D4D0001, 0x4D4D1001)
    pkts += handshake(v6(), "2001:db8::2", "2001:db8::1", 40001, 80, T0 + SEC,
                      0x4D4D0002, 0x4D4D1002)
    frames = wrap_eth(pkts[:3], M) + wrap_eth(pkts[3:], "2001:db8::2")
    write_pcap("ipv4-mapped-on-wire.pcap", LINKTYPE_ETHERNET, frames)


def loopback_off_loopback():
    T0 = 1714903200 * SEC
    mac1, mac2 = "52:54:00:12:34:56", "52:54:00:65:43:21"
    d = b"should never leave lo\n"
    pkts = [
        (T0, Ether(src=mac1, dst=mac2) / IPv6(src="::1", dst="2001:db8::1") /
         UDP(sport=53000, dport=9) / Raw(d)),
        (T0 + 100 * MS, Ether(src=mac1, dst=mac2) / IP(src="127.0.0.1", dst="192.0.2.1") /
         UDP(sport=53001, dport=9) / Raw(d)),
        (T0 + 200 * MS, Ether(src=mac2, dst=mac1) / IPv6(src="2001:db8::1", dst="::1") /
         UDP(sport=53002, dport=9) / Raw(d)),
        (T0 + 300 * MS, Ether(src=mac2, dst=mac1) / IP(src="192.0.2.1", dst="127.0.0.53") /
         UDP(sport=53003, dport=9) / Raw(d)),
        (T0 + 400 * MS, Ether(src=mac1, dst=mac2) / IPv6(src="2001:db8::2", dst="2001:db8::1") /
         UDP(sport=53004, dport=9) / Raw(b"fine\n")),
        (T0 + 500 * MS, Ether(src=mac1, dst=mac2) / IP(src="192.0.2.2", dst="192.0.2.1") /
         UDP(sport=53005, dport=9) / Raw(b"fine\n")),
    ]
    write_pcap("loopback-off-loopback.pcap", LINKTYPE_ETHERNET, [(t, b(p)) for t, p in pkts])


def scope_violation():
    T0 = 1714989600 * SEC
    syn = IPv6(src="fe80::1", dst="2001:db8::2") / TCP(
        sport=40000, dport=80, flags="S", seq=0x5C09E001, window=64800,
        options=linux_syn_opts(1000))
    err = IPv6(src="2001:db8::fe", dst="fe80::1") / ICMPv6DestUnreach(code=2) / Raw(b(syn))
    pkts = [
        (T0, Ether(src=MAC_A, dst=MAC_R) / syn),
        (T0 + 150 * US, Ether(src=MAC_R, dst=MAC_A) / err),
    ]
    hs = handshake(v6(), "fe80::1", "fe80::2", 40001, 80, T0 + SEC, 0x5C09E002, 0x5C09F002)
    frames = [(t, b(p)) for t, p in pkts] + wrap_eth(hs, "fe80::1")
    write_pcap("scope-violation.pcap", LINKTYPE_ETHERNET, frames)


# ------------------------------------------------- file-format variants

def big_endian_from_real():
    lt, frames = read_pcap("linux-syn-dropped.pcap")
    write_pcap("big-endian.pcap", lt, frames, endian=">")


def unsupported_and_text():
    T0 = 1715076000 * SEC
    write_pcap("unsupported-linktype.pcap", LINKTYPE_USER0,
               [(T0, b"\x00\x01\x02\x03USER0 private encapsulation\n")])
    with open(os.path.join(OUT, "not-a-capture.pcap"), "w") as f:
        f.write("This is not a packet capture.\n"
                "It is a plain text file named .pcap; scopescan must reject it\n"
                "with a clear error instead of crashing.\n")


# ------------------------------------------------- link-type zoo

V6C, V6S = "2001:db8:1::1", "2001:db8:1::2"
V4C, V4S = "192.0.2.1", "192.0.2.2"


def zoo_pkts(T0):
    """IPv6 handshake (port 40006 -> 80) then IPv4 handshake (40004 -> 80)."""
    return (handshake(v6(), V6C, V6S, 40006, 80, T0, 0x200D0006, 0x200D1006),
            handshake(v4(), V4C, V4S, 40004, 80, T0 + SEC, 0x200D0004, 0x200D1004))


def is_client(p):
    return (p[IPv6].src == V6C) if IPv6 in p else (p[IP].src == V4C)


def linktype_zoo():
    T0 = 1715162400 * SEC  # 2024-05-08 10:00:00 UTC
    h6, h4 = zoo_pkts(T0)

    # DLT_NULL, family written big-endian (as on a big-endian host) in a
    # little-endian file: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin)
    # for the three IPv6 packets, 2 (AF_INET) for IPv4.
    fr = [(t, struct.pack(">I", fam) + b(p)) for (t, p), fam in zip(h6, (24, 28, 30))]
    fr += [(t, struct.pack(">I", 2) + b(p)) for t, p in h4]
    write_pcap("linktype-null-be.pcap", LINKTYPE_NULL, fr)

    # DLT_LOOP: family always in network byte order (OpenBSD: AF_INET6 = 24)
    fr = [(t, struct.pack(">I", 24) + b(p)) for t, p in h6]
    fr += [(t, struct.pack(">I", 2) + b(p)) for t, p in h4]
    write_pcap("linktype-loop.pcap", LINKTYPE_LOOP, fr)

    write_pcap("linktype-raw.pcap", LINKTYPE_RAW, [(t, b(p)) for t, p in h6 + h4])
    write_pcap("linktype-ipv4.pcap", LINKTYPE_IPV4, [(t, b(p)) for t, p in h4])
    write_pcap("linktype-ipv6.pcap", LINKTYPE_IPV6, [(t, b(p)) for t, p in h6])

    macs = {True: bytes.fromhex("02000000000a"), False: bytes.fromhex("02000000000b")}

    # Linux cooked v1: pkttype(2) arphrd(2) halen(2) addr(8) proto(2)
    fr = []
    for t, p in h6 + h4:
        c = is_client(p)
        proto = 0x86DD if IPv6 in p else 0x0800
        hdr = struct.pack(">HHH8sH", 4 if c else 0, 1, 6, macs[c], proto)
        fr.append((t, hdr + b(p)))
    write_pcap("linktype-sll.pcap", LINKTYPE_LINUX_SLL, fr)

    # Linux cooked v2: proto(2) reserved(2) ifindex(4) arphrd(2) pkttype(1)
    # halen(1) addr(8).  IPv6 on ifindex 1, IPv4 on ifindex 2.
    fr = []
    for t, p in h6 + h4:
        c = is_client(p)
        proto = 0x86DD if IPv6 in p else 0x0800
        ifindex = 1 if IPv6 in p else 2
        hdr = struct.pack(">HHIHBB8s", proto, 0, ifindex, 1, 4 if c else 0, 6, macs[c])
        fr.append((t, hdr + b(p)))
    write_pcap("linktype-sll2.pcap", LINKTYPE_LINUX_SLL2, fr)

    # VLAN: 802.1Q (VID 100) and QinQ 802.1ad S-tag VID 200 + 802.1Q VID 100
    fr = []
    h6b = handshake(v6(), V6C, V6S, 40016, 80, T0 + 2 * SEC, 0x200D0016, 0x200D1016)
    h4b = handshake(v4(), V4C, V4S, 40014, 80, T0 + 3 * SEC, 0x200D0014, 0x200D1014)
    for t, p in h6 + h4:
        c = is_client(p)
        fr.append((t, b(Ether(src=MAC_A if c else MAC_B, dst=MAC_B if c else MAC_A) /
                        Dot1Q(vlan=100) / p)))
    for t, p in h6b + h4b:
        c = is_client(p)
        fr.append((t, b(Ether(src=MAC_A if c else MAC_B, dst=MAC_B if c else MAC_A) /
                        Dot1AD(vlan=200) / Dot1Q(vlan=100) / p)))
    write_pcap("linktype-vlan.pcap", LINKTYPE_ETHERNET, fr)

    pktap(T0)


def pktap_header(dlt, ifname, flags, family, pre, pid, comm, iftype, ipproto,
                 ts, flowid):
    h = bytearray(156)
    sec, frac = divmod(ts, SEC)
    struct.pack_into("<III", h, 0, 156, 1, dlt)          # length, PTH_TYPE_PACKET, dlt
    struct.pack_into("24s", h, 12, ifname.encode())
    struct.pack_into("<IIII", h, 36, flags, family, pre, 0)
    struct.pack_into("<i17s", h, 52, pid, comm.encode())
    struct.pack_into("<I", h, 76, 0)                     # pth_svc
    struct.pack_into("<HH", h, 80, iftype, 0)            # pth_iftype, pth_ifunit
    struct.pack_into("<i17s", h, 84, pid, comm.encode())  # pth_epid, pth_ecomm
    struct.pack_into("<II", h, 108, flowid, ipproto)
    struct.pack_into("<ii", h, 116, sec, frac // US)     # struct timeval32
    uuid = bytes(range(0x10, 0x20)) if pid else bytes(16)
    struct.pack_into("16s16s", h, 124, uuid, uuid)
    return bytes(h)


def pktap(T0):
    """Apple PKTAP (what `tcpdump -i any` / `-k` writes on macOS)."""
    PTH_FLAG_DIR_IN, PTH_FLAG_DIR_OUT = 1, 2
    IFT_ETHER, IFT_LOOP = 6, 24
    AF_INET, AF_INET6 = 2, 30
    frames = []
    T = T0 + 10 * SEC

    def add(t, p, ifname, out, pid, comm, flowid):
        fam = AF_INET6 if IPv6 in p else AF_INET
        ipproto = (p[IPv6].nh if IPv6 in p else p[IP].proto)
        if ifname == "lo0":
            dlt, pre, iftype = 0, 4, IFT_LOOP
            link = struct.pack("<I", fam)
        else:
            dlt, pre, iftype = 1, 14, IFT_ETHER
            link = b(Ether(src=MAC_A if out else MAC_B, dst=MAC_B if out else MAC_A,
                           type=0x86DD if fam == AF_INET6 else 0x0800))
        hdr = pktap_header(dlt, ifname, PTH_FLAG_DIR_OUT if out else PTH_FLAG_DIR_IN,
                           fam, pre, pid, comm, iftype, ipproto, t, flowid)
        frames.append((t, hdr + link + b(p)))

    # lo0: clean ::1 handshake made by nc (pid 4242)
    for t, p in handshake(v6(), "::1", "::1", 50010, 8080, T, 0x7A900001, 0x7A901001):
        add(t, p, "lo0", p[TCP].sport == 50010, 4242, "nc", 0x101)
    # lo0: the FB16143533 shape: nc connects to the host's own en0 link-local
    A, B = "fe80::8f1:f892:9152:9106", "fe80::8f1:f892:9152:9105"
    syn = IPv6(src=A, dst=B) / TCP(sport=50011, dport=12981, flags="S",
                                   seq=0x7A900002, options=mac_syn_opts(5000))
    add(T + 1 * SEC, syn, "lo0", True, 4242, "nc", 0x102)
    add(T + 1 * SEC + 80 * US, IPv6(src=B, dst=A) / ICMPv6DestUnreach(code=3) / Raw(b(syn)),
        "lo0", False, 0, "kernel_task", 0)
    # en0: IPv6 and IPv4 handshakes made by nc
    h6, h4 = zoo_pkts(T + 2 * SEC)
    for t, p in h6 + h4:
        add(t, p, "en0", is_client(p), 4242, "nc", 0x103 if IPv6 in p else 0x104)
    write_pcap("linktype-pktap.pcap", LINKTYPE_PKTAP, frames)
    write_pcap("linktype-user2-pktap.pcap", LINKTYPE_USER2, frames)


# ------------------------------------------------- IPv6 extension headers

def ipv6_ext_headers():
    T0 = 1715248800 * SEC  # 2024-05-09 10:00:00 UTC
    A, B, R = "2001:db8:a::1", "2001:db8:b::1", "2001:db8:a::fe"
    step = 10 * MS
    pkts = []

    def add(p, fwd=True, orig=None):
        pkts.append((T0 + len(pkts) * step, p, fwd, orig))

    def seg(sport, data):
        return TCP(sport=sport, dport=80, flags="PA", seq=1000 + sport, ack=5000) / Raw(data)

    # 1 hop-by-hop (router alert + PadN) + TCP
    add(IPv6(src=A, dst=B) / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0), PadN(optdata=b"")]) /
        seg(41001, b"hbh\n"))
    # 2 destination options + routing type 0 (one segment) + TCP
    add(IPv6(src=A, dst="2001:db8:c::1") / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00\x00\x00\x00")]) /
        IPv6ExtHdrRouting(type=0, segleft=1, addresses=[B]) / seg(41002, b"dst+rh0\n"))
    # 3 routing type 4 (segment routing header) + TCP
    add(IPv6(src=A, dst="2001:db8:c::1") /
        IPv6ExtHdrSegmentRouting(addresses=[B, "2001:db8:c::1"], segleft=1, lastentry=1) /
        seg(41003, b"srh\n"))
    # 4,5 fragments: the first carries the TCP header, the second offset > 0
    full = IPv6(src=A, dst=B, nh=6) / seg(41004, b"F" * 64)
    tcp_bytes = b(full[TCP])  # 20 + 64 = 84 bytes
    first, rest = tcp_bytes[:48], tcp_bytes[48:]
    add(IPv6(src=A, dst=B) / IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=0xF4A9) / Raw(first))
    add(IPv6(src=A, dst=B) / IPv6ExtHdrFragment(nh=6, offset=48 // 8, m=0, id=0xF4A9) / Raw(rest))
    # 6 AH + TCP
    add(IPv6(src=A, dst=B) / AH(nh=6, payloadlen=4, spi=0x1001, seq=1, icv=b"\x00" * 12) / seg(41006, b"ah\n"))
    # 7 ESP: the walk has to stop (payload encrypted)
    add(IPv6(src=A, dst=B) / ESP(spi=0x2002, seq=1, data=b"\xde\xad\xbe\xef" * 6))
    # 8 no next header (59)
    add(IPv6(src=A, dst=B, nh=59) / Raw(b""))
    # 9 jumbo payload: payload length 0, hop-by-hop jumbo option carrying the
    #   real (small) remaining length 8 + 26 = 34.  RFC 2675 wants > 65535, so
    #   Wireshark calls this one malformed; a parser should still find the TCP.
    tcpj = b(IPv6(src=A, dst=B, nh=6) / seg(41009, b"jumbo\n"))[40:]
    jl = 8 + len(tcpj)
    pj = IPv6(src=A, dst=B, plen=0, nh=0) / IPv6ExtHdrHopByHop(nh=6, options=[Jumbo(jumboplen=jl)]) / Raw(tcpj)
    add(pj)
    # 10 a "real" jumbogram (jumbo length 70000) captured with a short snap
    #   length: only the first 14 + 40 + 8 + 20 + 6 bytes are in the file,
    #   orig_len says 14 + 40 + 70000.
    tcpj2 = b(IPv6(src=A, dst=B, nh=6) / TCP(sport=41010, dport=80, flags="PA", seq=1000 + 41010,
                                            ack=5000, chksum=0) / Raw(b"jumbo\n"))[40:]
    pj2 = IPv6(src=A, dst=B, plen=0, nh=0) / IPv6ExtHdrHopByHop(nh=6, options=[Jumbo(jumboplen=70000)]) / Raw(tcpj2)
    add(pj2, orig=14 + 40 + 70000)
    # 11,12 UDP that gets a packet-too-big; 13,14 UDP that gets time-exceeded
    u1 = IPv6(src=A, dst=B) / UDP(sport=42001, dport=47001) / Raw(b"x" * 64)
    add(u1)
    add(IPv6(src=R, dst=A) / ICMPv6PacketTooBig(mtu=1280) / Raw(b(u1)), fwd=False)
    u2 = IPv6(src=A, dst=B, hlim=1) / UDP(sport=42002, dport=33434) / Raw(b"trace")
    add(u2)
    add(IPv6(src=R, dst=A) / ICMPv6TimeExceeded(code=0) / Raw(b(u2)), fwd=False)
    # 15,16 parameter problem (unrecognised next header, pointer 6) quoting UDP
    u3 = IPv6(src=A, dst=B) / UDP(sport=42003, dport=47003) / Raw(b"pp")
    add(u3)
    add(IPv6(src=B, dst=A) / ICMPv6ParamProblem(code=1, ptr=6) / Raw(b(u3)), fwd=False)
    # 17,18 echo request / reply
    add(IPv6(src=A, dst=B) / ICMPv6EchoRequest(id=0x99, seq=1, data=b"ping"))
    add(IPv6(src=B, dst=A) / ICMPv6EchoReply(id=0x99, seq=1, data=b"ping"), fwd=False)
    # 19,20 NS / NA for 2001:db8:a::fe
    add(IPv6(src=A, dst="ff02::1:ff00:fe", hlim=255) / ICMPv6ND_NS(tgt=R) /
        ICMPv6NDOptSrcLLAddr(lladdr=MAC_A))
    add(IPv6(src=R, dst=A, hlim=255) / ICMPv6ND_NA(tgt=R, R=1, S=1, O=1) /
        ICMPv6NDOptDstLLAddr(lladdr=MAC_R), fwd=False)
    # 21,22 RS / RA
    add(IPv6(src="fe80::a", dst="ff02::2", hlim=255) / ICMPv6ND_RS() /
        ICMPv6NDOptSrcLLAddr(lladdr=MAC_A))
    add(IPv6(src="fe80::fe", dst="ff02::1", hlim=255) / ICMPv6ND_RA(routerlifetime=1800) /
        ICMPv6NDOptSrcLLAddr(lladdr=MAC_R) / ICMPv6NDOptMTU(mtu=1500) /
        ICMPv6NDOptPrefixInfo(prefix="2001:db8:a::", prefixlen=64), fwd=False)

    frames = []
    for t, p, fwd, orig in pkts:
        dst_mac = MAC_R if fwd else MAC_A
        if p[IPv6].dst.startswith("ff02::"):
            dst_mac = "33:33:" + ":".join(
                "%02x" % x for x in socket.inet_pton(socket.AF_INET6, p[IPv6].dst)[-4:])
        src_mac = MAC_A if fwd else MAC_R
        data = b(Ether(src=src_mac, dst=dst_mac, type=0x86DD) / p)
        frames.append((t, data, orig) if orig else (t, data))
    write_pcap("ipv6-ext-headers.pcap", LINKTYPE_ETHERNET, frames)


# ------------------------------------------------- IPv4 options and ICMPv4

def ipv4_options_icmp():
    T0 = 1715335200 * SEC  # 2024-05-10 10:00:00 UTC
    C, S, R = "192.0.2.1", "198.51.100.1", "192.0.2.254"
    rr = [IPOption_RR(routers=["0.0.0.0", "0.0.0.0"]), IPOption_NOP()]
    opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (4242, 0)),
            ("NOP", None), ("WScale", 7)]
    pkts = []

    def add(p, fwd=True):
        pkts.append((T0 + len(pkts) * 10 * MS, p, fwd))

    # 1-3: IPv4 with record-route option, TCP with MSS/SACK-permitted/TS/WS
    add(IP(src=C, dst=S, id=1, options=rr) / TCP(sport=40100, dport=443, flags="S", seq=100, options=opts))
    add(IP(src=S, dst=C, id=2) / TCP(sport=443, dport=40100, flags="SA", seq=900, ack=101,
                                     options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (777, 4242)),
                                              ("NOP", None), ("WScale", 7)]), fwd=False)
    add(IP(src=C, dst=S, id=3) / TCP(sport=40100, dport=443, flags="A", seq=101, ack=901))
    # 4,5: SYN -> ICMP 3/1 host unreachable quoting IP header + first 8 bytes (RFC 792 minimum)
    syn2 = IP(src=C, dst="198.51.100.2", id=4) / TCP(sport=40101, dport=443, flags="S", seq=200, options=opts)
    add(syn2)
    add(IP(src=R, dst=C, id=5) / ICMP(type=3, code=1) / Raw(b(syn2)[:28]), fwd=False)
    # 6,7: UDP -> ICMP 3/3 port unreachable from the destination (full quote)
    udp = IP(src=C, dst="198.51.100.3", id=6) / UDP(sport=40102, dport=9999) / Raw(b"hello?")
    add(udp)
    add(IP(src="198.51.100.3", dst=C, id=7) / ICMP(type=3, code=3) / Raw(b(udp)), fwd=False)
    # 8,9: SYN with IP options -> ICMP 3/13 administratively prohibited (quoted header has IHL 8)
    syn3 = IP(src=C, dst="198.51.100.4", id=8, options=rr) / TCP(sport=40103, dport=25, flags="S",
                                                                  seq=300, options=opts)
    add(syn3)
    add(IP(src=R, dst=C, id=9) / ICMP(type=3, code=13) / Raw(b(syn3)), fwd=False)
    # 10,11: echo
    add(IP(src=C, dst=S, id=10) / ICMP(type=8, id=0x77, seq=1) / Raw(b"ping"))
    add(IP(src=S, dst=C, id=11) / ICMP(type=0, id=0x77, seq=1) / Raw(b"ping"), fwd=False)
    frames = [(t, b(Ether(src=MAC_A if fwd else MAC_R, dst=MAC_R if fwd else MAC_A) / p))
              for t, p, fwd in pkts]
    write_pcap("ipv4-options-icmp.pcap", LINKTYPE_ETHERNET, frames)


# ------------------------------------------------- pcapng with two sections

def pad4(x):
    return x + b"\x00" * (-len(x) % 4)


def ng_opt(e, code, val):
    return struct.pack(e + "HH", code, len(val)) + pad4(val)


def ng_opts(e, opts):
    if not opts:
        return b""
    return b"".join(ng_opt(e, c, v) for c, v in opts) + struct.pack(e + "HH", 0, 0)


def ng_block(e, btype, body):
    body = pad4(body)
    total = 12 + len(body)
    return struct.pack(e + "II", btype, total) + body + struct.pack(e + "I", total)


def ng_shb(e, opts):
    body = struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + ng_opts(e, opts)
    return ng_block(e, 0x0A0D0D0A, body)


def ng_idb(e, linktype, snaplen, opts):
    return ng_block(e, 0x00000001, struct.pack(e + "HHI", linktype, 0, snaplen) + ng_opts(e, opts))


def ng_epb(e, ifid, ts_units, data, opts=()):
    body = struct.pack(e + "IIIII", ifid, ts_units >> 32, ts_units & 0xFFFFFFFF,
                       len(data), len(data)) + pad4(data) + ng_opts(e, list(opts))
    return ng_block(e, 0x00000006, body)


def ng_spb(e, data):
    return ng_block(e, 0x00000003, struct.pack(e + "I", len(data)) + pad4(data))


def ng_nrb(e, records):
    body = b""
    for rtype, val in records:
        body += struct.pack(e + "HH", rtype, len(val)) + pad4(val)
    body += struct.pack(e + "HH", 0, 0)
    return ng_block(e, 0x00000004, body)


def pcapng_bigendian():
    T0 = 1715421600  # 2024-05-11 10:00:00 UTC, whole seconds
    out = []
    # --- section 1: big-endian, lo0, DLT_NULL, nanosecond timestamps
    e = ">"
    out.append(ng_shb(e, [(4, b"scopescan Fixtures/craft.py"),
                          (3, b"big-endian host (e.g. PowerPC Darwin)")]))
    out.append(ng_idb(e, LINKTYPE_NULL, 262144, [(2, b"lo0"), (9, bytes([9]))]))
    ll = "fe80::1:2"
    hs = handshake(v6(), ll, ll, 50100, 8080, 0, 0x9E000001, 0x9E001001, step=123456)
    for i, (t, p) in enumerate(hs):
        ts_ns = T0 * SEC + 1 * SEC + 987 + t  # deliberately non-zero sub-microsecond digits
        out.append(ng_epb(e, 0, ts_ns, struct.pack(">I", 30) + b(p)))
    # --- section 2: little-endian, en0, Ethernet, if_tsresol 2^-6 s
    e = "<"
    out.append(ng_shb(e, [(4, b"scopescan Fixtures/craft.py"),
                          (1, b"second section, little-endian")]))
    out.append(ng_nrb(e, [(2, socket.inet_pton(socket.AF_INET6, "fe80::1:3") + b"peer.example\x00"),
                          (1, socket.inet_pton(socket.AF_INET, "192.0.2.1") + b"v4.example\x00")]))
    ipv6addr = socket.inet_pton(socket.AF_INET6, "fe80::1:2") + bytes([64])
    out.append(ng_idb(e, LINKTYPE_ETHERNET, 0,
                      [(2, b"en0"), (9, bytes([0x86])), (5, ipv6addr)]))
    a, c = "fe80::1:2", "fe80::1:3"
    hs = handshake(v6(), a, c, 50200, 22, 0, 0x9E000002, 0x9E001002)
    unit = T0 * 64 + 2 * 64  # 2^-6 s ticks, T0 + 2 s
    syn, synack, ack = [b(Ether(src=MAC_A if i != 1 else MAC_B, dst=MAC_B if i != 1 else MAC_A) / p)
                        for i, (t, p) in enumerate(hs)]
    out.append(ng_epb(e, 0, unit, syn, [(2, struct.pack("<I", 2)), (1, b"outbound SYN")]))
    out.append(ng_epb(e, 0, unit + 1, synack, [(2, struct.pack("<I", 1)), (1, b"inbound SYN-ACK")]))
    out.append(ng_block(e, 0x00000BAD, struct.pack("<I", 32473) + b"custom block: skip me"))
    out.append(ng_spb(e, ack))
    data = b(Ether(src=MAC_A, dst=MAC_B) / IPv6(src=a, dst=c) /
             TCP(sport=50200, dport=22, flags="PA", seq=0x9E000003, ack=0x9E001003) /
             Raw(b"SSH-2.0-scopescan\r\n"))
    out.append(ng_epb(e, 0, unit + 3, data, [(2, struct.pack("<I", 2)),
                                             (1, b"after the custom block and the SPB")]))
    with open(os.path.join(OUT, "pcapng-bigendian.pcapng"), "wb") as f:
        f.write(b"".join(out))


def main():
    macos_lo0_own_linklocal()
    freebsd_lo0_slow_connect()
    openbsd_embedded_scope()
    ipv4_mapped_on_wire()
    loopback_off_loopback()
    scope_violation()
    big_endian_from_real()
    unsupported_and_text()
    linktype_zoo()
    ipv6_ext_headers()
    ipv4_options_icmp()
    pcapng_bigendian()


if __name__ == "__main__":
    main()
