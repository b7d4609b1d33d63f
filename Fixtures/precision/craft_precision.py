#!/usr/bin/python3
"""Crafts the precision fixtures: ordinary traffic that scopescan misjudged
(false errors/warnings seen over ~1,600 public captures).

    /usr/bin/python3 Fixtures/precision/craft_precision.py Fixtures/precision

(/usr/bin/python3: the pyenv python3 first on PATH has no scapy.)

One function per fixture.  Everything is fixed (timestamps, ports, ISNs,
MACs, IP ids); no randomness is used, so the output is byte-identical on
every run.  Packets are built with scapy (checksums from scapy); the file
formats are written by hand with struct so that link types, byte orders and
pcapng options are exactly controlled.  Timestamps are in June 2024, one day
per class.  expectations.json beside this script says what scopescan reports
today and what must (not) be reported once the rules are fixed.
"""
import os
import struct
import sys

from scapy.all import (ICMP, IP, IPv6, ICMPv6DestUnreach, ICMPv6EchoReply,
                       ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6ND_RS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, ICMPv6TimeExceeded, PPP, PPPoE,
                       Raw, TCP, UDP, Dot1AD, Dot1Q, Ether)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

SEC = 1_000_000_000  # integer nanoseconds
MS = 1_000_000
US = 1_000
DAY = 86400 * SEC
T_BASE = 1717236000 * SEC  # 2024-06-01 10:00:00 UTC

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
LINKTYPE_USER0 = 147
LINKTYPE_LINUX_SLL2 = 276

MAC_C = "02:00:00:00:00:0c"   # client NIC
MAC_S = "02:00:00:00:00:05"   # on-link server
MAC_R = "02:00:00:00:00:fe"   # router
ZERO = "00:00:00:00:00:00"


def day(n):
    return T_BASE + n * DAY


def b(p):
    return bytes(p)


# ----------------------------------------------------------------- writers

def write_pcap(name, linktype, frames, snaplen=262144):
    """Classic little-endian µs pcap.  frames: [(ts_ns, bytes[, orig_len])]."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for fr in frames:
        ts, data = fr[0], fr[1]
        orig = fr[2] if len(fr) > 2 else len(data)
        sec, frac = divmod(ts, SEC)
        out.append(struct.pack("<IIII", sec, frac // US, len(data), orig))
        out.append(data)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b"".join(out))


def pad4(x):
    return x + b"\x00" * (-len(x) % 4)


def ng_block(btype, body):
    body = pad4(body)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def ng_opts(opts):
    if not opts:
        return b""
    return b"".join(struct.pack("<HH", c, len(v)) + pad4(v) for c, v in opts) + struct.pack("<HH", 0, 0)


def write_pcapng(name, idbs, packets):
    """Little-endian pcapng, one section.  idbs: [(linktype, [(code, bytes)])];
    packets: [(ifid, ts_ns, bytes)] with if_tsresol 9 (ns) on every IDB."""
    out = [ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                    ng_opts([(4, b"scopescan Fixtures/precision/craft_precision.py")]))]
    for lt, opts in idbs:
        out.append(ng_block(1, struct.pack("<HHI", lt, 0, 262144) + ng_opts(opts + [(9, bytes([9]))])))
    for ifid, ts, data in packets:
        out.append(ng_block(6, struct.pack("<IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF,
                                            len(data), len(data)) + pad4(data)))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b"".join(out))


# ----------------------------------------------------------------- packets

def syn_opts(ts=1000, mss=1440):
    return [("MSS", mss), ("SAckOK", b""), ("Timestamp", (ts, 0)), ("NOP", None), ("WScale", 7)]


def v6(hlim=64):
    return lambda s, d: IPv6(src=s, dst=d, hlim=hlim)


def v4(ttl=64):
    return lambda s, d: IP(src=s, dst=d, ttl=ttl, id=0, flags="DF")


def session(c, s, cport, sport, t0, isn_c, isn_s, cip=v6(), sip=None, rtt=20 * MS,
            cdata=b"GET / HTTP/1.1\r\nHost: example\r\n\r\n", sdata=b"HTTP/1.1 204 No Content\r\n\r\n",
            syn_times=(0,)):
    """A client connect (one SYN per entry of syn_times, same ISN), SYN-ACK one
    rtt after the last SYN, then ACK, request, response, ACK.
    Returns [(ts, pkt, from_client)]."""
    sip = sip or cip
    out = []
    for dt in syn_times:
        out.append((t0 + dt, cip(c, s) / TCP(sport=cport, dport=sport, flags="S", seq=isn_c,
                                            window=64240, options=syn_opts(1000 + dt // MS)), True))
    t = t0 + syn_times[-1] + rtt
    out.append((t, sip(s, c) / TCP(sport=sport, dport=cport, flags="SA", seq=isn_s, ack=isn_c + 1,
                                  window=65160, options=syn_opts(5000)), False))
    ci, si = isn_c + 1, isn_s + 1
    out.append((t + 100 * US, cip(c, s) / TCP(sport=cport, dport=sport, flags="A", seq=ci, ack=si, window=502), True))
    out.append((t + 200 * US, cip(c, s) / TCP(sport=cport, dport=sport, flags="PA", seq=ci, ack=si, window=502) / Raw(cdata), True))
    ci += len(cdata)
    out.append((t + rtt + 200 * US, sip(s, c) / TCP(sport=sport, dport=cport, flags="PA", seq=si, ack=ci, window=509) / Raw(sdata), False))
    si += len(sdata)
    out.append((t + rtt + 300 * US, cip(c, s) / TCP(sport=cport, dport=sport, flags="A", seq=ci, ack=si, window=502), True))
    return out


def ether(pkts, cmac=MAC_C, smac=MAC_R):
    """Ethernet around [(ts, ip, from_client)]."""
    out = []
    for t, p, fwd in pkts:
        et = 0x86DD if IPv6 in p else 0x0800
        out.append((t, b(Ether(src=cmac if fwd else smac, dst=smac if fwd else cmac, type=et) / p)))
    return out


def sorted_frames(frames):
    return sorted(frames, key=lambda f: f[0])


# ------------------------------------------------- 1 loopback misjudged

def sll_header(pkttype, hatype, proto):
    # SLL v1: pkttype(2) ARPHRD(2) halen(2) addr(8) proto(2)
    return struct.pack(">HHH8sH", pkttype, hatype, 6 if hatype == 1 else 0,
                       bytes.fromhex("02000000000c") if hatype == 1 else bytes(8), proto)


def sll2_header(ifindex, hatype, pkttype, proto):
    # SLL2: proto(2) reserved(2) ifindex(4) ARPHRD(2) pkttype(1) halen(1) addr(8)
    return struct.pack(">HHIHBB8s", proto, 0, ifindex, hatype, pkttype,
                       6 if hatype == 1 else 0,
                       bytes.fromhex("02000000000c") if hatype == 1 else bytes(8))


def loopback_sessions(T0):
    """::1 and 127.0.0.1 connects (loopback) and one 2001:db8 connect via eth0."""
    lo6 = session("::1", "::1", 41000, 8080, T0, 0x1A000001, 0x1A100001, rtt=30 * US)
    lo4 = session("127.0.0.1", "127.0.0.1", 41001, 8080, T0 + 1 * SEC, 0x1A000002, 0x1A100002,
                  cip=v4(), rtt=30 * US)
    eth6 = session("2001:db8:1::10", "2001:db8:77::80", 41002, 443, T0 + 2 * SEC,
                   0x1A000003, 0x1A100003, sip=v6(52))
    return lo6 + lo4, eth6


def c1a_sll_any_loopback():
    """1a: `tcpdump -i any` (LINUX_SLL, 113).  ::1/127.0.0.1 frames carry ARPHRD
    772 (loopback), with pkttype 4 (outgoing) and 0 (host) as lo shows them; the
    2001:db8 connect is on an Ethernet NIC (ARPHRD 1)."""
    lo, eth6 = loopback_sessions(day(0))
    fr = []
    for t, p, fwd in lo:
        proto = 0x86DD if IPv6 in p else 0x0800
        fr.append((t, sll_header(4 if fwd else 0, 772, proto) + b(p)))
    for t, p, fwd in eth6:
        fr.append((t, sll_header(4 if fwd else 0, 1, 0x86DD) + b(p)))
    write_pcap("sll-any-loopback.pcap", LINKTYPE_LINUX_SLL, sorted_frames(fr))


def c1a_sll2_any_loopback():
    """1a: `dumpcap -i any` pcapng: one IDB named "any", LINUX_SLL2 (276).  The
    ::1/127.0.0.1 frames are on ifindex 1 with ARPHRD 772; the name of the
    capture interface ("any") is not "lo", so only the ARPHRD type can tell.
    The 2001:db8 connect is on ifindex 2, ARPHRD 1."""
    lo, eth6 = loopback_sessions(day(0) + 10 * SEC)
    pk = []
    for t, p, fwd in lo:
        proto = 0x86DD if IPv6 in p else 0x0800
        pk.append((0, t, sll2_header(1, 772, 4 if fwd else 0, proto) + b(p)))
    for t, p, fwd in eth6:
        pk.append((0, t, sll2_header(2, 1, 4 if fwd else 0, 0x86DD) + b(p)))
    pk.sort(key=lambda x: x[1])
    write_pcapng("sll2-any-loopback.pcapng", [(LINKTYPE_LINUX_SLL2, [(2, b"any")])], pk)


def c1b_npcap_loopback():
    """1b: Windows Npcap loopback adapter: pcapng IDB if_name
    `\\Device\\NPF_Loopback`, if_description "Adapter for loopback traffic
    capture", DLT_NULL with the family in host (little-endian) order: 2 for
    IPv4 and 24 for IPv6.  Npcap does not write Windows' own AF_INET6 (23,
    which tcpdump/Wireshark would read as IPX) but the BSD value 24, as agreed
    on wireshark-dev in August 2015 (Npcap 0.04)."""
    T0 = day(1)
    lo6 = session("::1", "::1", 49700, 8080, T0, 0x1B000001, 0x1B100001, rtt=40 * US)
    lo4 = session("127.0.0.1", "127.0.0.1", 49701, 8080, T0 + SEC, 0x1B000002, 0x1B100002, cip=v4(), rtt=40 * US)
    pk = [(0, t, struct.pack("<I", 24 if IPv6 in p else 2) + b(p)) for t, p, _ in lo6 + lo4]
    write_pcapng("npcap-loopback.pcapng",
                 [(LINKTYPE_NULL, [(2, b"\\Device\\NPF_Loopback"),
                                   (3, b"Adapter for loopback traffic capture")])], pk)


def c1c_null_tunnel():
    """1c: a tunnel interface (macOS utun / OpenVPN tun) recorded as classic
    DLT_NULL with no name: family 30 (IPv6) and 2 (IPv4) little-endian.  The
    host's tunnel address 2001:db8:100::5 / 10.8.0.6 talks to remote servers
    whose replies arrive with hop limit 52 and TTL 117; the utun link-local
    address sends a Router Solicitation (hop limit 255)."""
    T0 = day(2)
    p6 = session("2001:db8:100::5", "2001:db8:200::1", 50300, 443, T0, 0x1C000001, 0x1C100001, sip=v6(52), rtt=35 * MS)
    p4 = session("10.8.0.6", "198.51.100.7", 50301, 443, T0 + SEC, 0x1C000002, 0x1C100002, cip=v4(), sip=v4(117), rtt=48 * MS)
    rs = [(T0 + 3 * SEC, IPv6(src="fe80::1c:5", dst="ff02::2", hlim=255) / ICMPv6ND_RS(), True)]
    fr = [(t, struct.pack("<I", 30 if IPv6 in p else 2) + b(p)) for t, p, _ in p6 + p4 + rs]
    write_pcap("null-tunnel-utun.pcap", LINKTYPE_NULL, sorted_frames(fr))


def c1d_zero_mac_anonymised():
    """1d: an anonymised Ethernet trace: every MAC rewritten to 00:00:00:00:00:00,
    but several hosts talk to remote peers (hop limit 55/57, TTL 49), and the
    on-link neighbours resolve each other with NS/NA (fe80::, hop limit 255)."""
    T0 = day(3)
    a = session("2001:db8:1::10", "2001:db8:99::1", 50400, 443, T0, 0x1D000001, 0x1D100001, sip=v6(55))
    c = session("2001:db8:1::11", "2001:db8:98::2", 50401, 80, T0 + SEC, 0x1D000002, 0x1D100002, sip=v6(57))
    d = session("192.0.2.10", "203.0.113.5", 50402, 443, T0 + 2 * SEC, 0x1D000003, 0x1D100003, cip=v4(), sip=v4(49))
    nd = [(T0 + 3 * SEC, IPv6(src="fe80::10", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="fe80::1") /
           ICMPv6NDOptSrcLLAddr(lladdr=ZERO), True),
          (T0 + 3 * SEC + 300 * US, IPv6(src="fe80::1", dst="fe80::10", hlim=255) /
           ICMPv6ND_NA(tgt="fe80::1", R=1, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=ZERO), False)]
    write_pcap("zero-mac-anonymised.pcap", LINKTYPE_ETHERNET,
               sorted_frames(ether(a + c + d + nd, ZERO, ZERO)))


def c1e_mixed_loopback_verdict():
    """1e: one Ethernet link, one file: the 127.0.0.1 connect has zero MACs (lo
    as tcpdump shows it) while the ::1 connect carries real MACs (e.g. a
    capture merged or rewritten by a tool that filled MACs for IPv6 only)."""
    T0 = day(4)
    v4s = session("127.0.0.1", "127.0.0.1", 50500, 8080, T0, 0x1E000001, 0x1E100001, cip=v4(), rtt=30 * US)
    v6s = session("::1", "::1", 50501, 8080, T0 + SEC, 0x1E000002, 0x1E100002, rtt=30 * US)
    fr = ether(v4s, ZERO, ZERO) + ether(v6s, MAC_C, MAC_S)
    write_pcap("mixed-loopback-verdict.pcap", LINKTYPE_ETHERNET, sorted_frames(fr))


# ------------------------------------------------- 2-4 SYN accounting

def c2_one_sided_syn():
    """2: a one-sided capture (asymmetric routing: only client -> server is
    seen).  SYN at 0, the same SYN again at 1 s (its SYN-ACK was lost), then
    the client ACKs the server's ISN+1 and sends a request; its later ACKs
    advance over 2 x 1400 bytes of response that this tap never saw."""
    T0 = day(5)
    C, S, ISN, SISN = "2001:db8:1::10", "2001:db8:77::80", 0x20000001, 0x2A000001
    ip = v6()
    pk = [(T0, ip(C, S) / TCP(sport=50600, dport=443, flags="S", seq=ISN, window=64240, options=syn_opts(1000))),
          (T0 + SEC, ip(C, S) / TCP(sport=50600, dport=443, flags="S", seq=ISN, window=64240, options=syn_opts(2000)))]
    t = T0 + SEC + 21 * MS
    req = b"GET /one-sided HTTP/1.1\r\nHost: example\r\n\r\n"
    pk.append((t, ip(C, S) / TCP(sport=50600, dport=443, flags="A", seq=ISN + 1, ack=SISN + 1, window=502)))
    pk.append((t + 100 * US, ip(C, S) / TCP(sport=50600, dport=443, flags="PA", seq=ISN + 1, ack=SISN + 1, window=502) / Raw(req)))
    ci = ISN + 1 + len(req)
    pk.append((t + 22 * MS, ip(C, S) / TCP(sport=50600, dport=443, flags="A", seq=ci, ack=SISN + 1 + 1400, window=502)))
    pk.append((t + 23 * MS, ip(C, S) / TCP(sport=50600, dport=443, flags="A", seq=ci, ack=SISN + 1 + 2800, window=502)))
    pk.append((t + 60 * MS, ip(C, S) / TCP(sport=50600, dport=443, flags="FA", seq=ci, ack=SISN + 1 + 2800, window=502)))
    write_pcap("one-sided-syn.pcap", LINKTYPE_ETHERNET,
               [(ts, b(Ether(src=MAC_C, dst=MAC_R) / p)) for ts, p in pk])


def c3_capture_ends_pending():
    """3: two SYNs 1 s apart (Linux back-off 1 s, 2 s), the capture stops
    0.5 s after the second; the next retransmission would be due at 3 s."""
    T0 = day(6)
    C, S, ISN = "2001:db8:1::10", "2001:db8:77::80", 0x30000001
    pk = [(T0 + dt, IPv6(src=C, dst=S) / TCP(sport=50700, dport=443, flags="S", seq=ISN,
                                            window=64240, options=syn_opts(1000 + dt // MS)))
          for dt in (0, SEC)]
    # last packet: an unrelated ACK of another flow at 1.5 s marks the end of the capture
    pk.append((T0 + 1500 * MS, IPv6(src=C, dst="2001:db8:77::81") /
               TCP(sport=50701, dport=22, flags="A", seq=0x30000101, ack=0x3A000101, window=502)))
    write_pcap("capture-ends-pending.pcap", LINKTYPE_ETHERNET,
               [(ts, b(Ether(src=MAC_C, dst=MAC_R) / p)) for ts, p in pk])


def c4a_syn_not_retransmission():
    """4a: two SYNs with the same ISN 1 ms apart that are not a retransmission:
    port 50800 first with a TFO cookie (option 34) and 60 bytes of data, then
    without cookie or data (a client library racing a TFO and a plain SYN);
    port 50801 with different options (MSS 1460 + WScale, then MSS 1220 only,
    as a middlebox-probing client does).  Nothing answers within this 10 s
    capture, so either of them is a single unanswered SYN."""
    T0 = day(7)
    C, S = "2001:db8:1::10", "2001:db8:77::80"
    ip = v6()
    data = b"\x16\x03\x01" + bytes(range(57))
    pk = [
        (T0, ip(C, S) / TCP(sport=50800, dport=443, flags="S", seq=0x4A000001, window=64240,
                            options=syn_opts(1000) + [("TFO", b"\x11\x22\x33\x44\x55\x66\x77\x88")]) / Raw(data)),
        (T0 + 1 * MS, ip(C, S) / TCP(sport=50800, dport=443, flags="S", seq=0x4A000001, window=64240,
                                     options=syn_opts(1001))),
        (T0 + 2 * SEC, ip(C, S) / TCP(sport=50801, dport=443, flags="S", seq=0x4A000002, window=64240,
                                      options=[("MSS", 1460), ("NOP", None), ("WScale", 8)])),
        (T0 + 2 * SEC + 1 * MS, ip(C, S) / TCP(sport=50801, dport=443, flags="S", seq=0x4A000002, window=8192,
                                               options=[("MSS", 1220)])),
        (T0 + 10 * SEC, ip(C, "2001:db8:77::81") / TCP(sport=50802, dport=22, flags="A", seq=0x4A000101,
                                                      ack=0x4A100101, window=502)),
    ]
    write_pcap("syn-not-retransmission.pcap", LINKTYPE_ETHERNET,
               [(ts, b(Ether(src=MAC_C, dst=MAC_R) / p)) for ts, p in pk])


def dup_syns(T0):
    C6, S6, C4, S4 = "2001:db8:1::10", "2001:db8:77::80", "192.0.2.10", "198.51.100.80"
    s6 = IPv6(src=C6, dst=S6, fl=0x5a5a5) / TCP(sport=50900, dport=443, flags="S", seq=0x4B000001,
                                                window=64240, options=syn_opts(1000))
    s4 = IP(src=C4, dst=S4, id=0x4B01, flags="DF") / TCP(sport=50901, dport=443, flags="S", seq=0x4B000002,
                                                          window=64240, options=syn_opts(1000))
    return [(T0, s6), (T0 + SEC, s4)]


def c4b_syn_duplicate_copy():
    """4b: each SYN recorded twice, 12 µs apart, byte for byte (same flow
    label / IP id, same TCP timestamp): a capture duplicate (SPAN + tap, or
    a bridge seen twice), never answered within the 5 s capture."""
    T0 = day(7) + 30 * SEC
    fr = []
    for t, p in dup_syns(T0):
        raw = b(Ether(src=MAC_C, dst=MAC_R) / p)
        fr += [(t, raw), (t + 12 * US, raw)]
    fr.append((T0 + 5 * SEC, b(Ether(src=MAC_C, dst=MAC_R) / IPv6(src="2001:db8:1::10", dst="2001:db8:77::81") /
                               TCP(sport=50902, dport=22, flags="A", seq=1, ack=1, window=502))))
    write_pcap("syn-duplicate-copy.pcap", LINKTYPE_ETHERNET, fr)


def c4b_syn_duplicate_two_interfaces():
    """4b: the same SYNs once on eth0 and once on br0 (pcapng, two Ethernet IDBs),
    12 µs apart: one packet bridged, captured on both interfaces."""
    T0 = day(7) + 60 * SEC
    pk = []
    for t, p in dup_syns(T0):
        raw = b(Ether(src=MAC_C, dst=MAC_R) / p)
        pk += [(0, t, raw), (1, t + 12 * US, raw)]
    write_pcapng("syn-duplicate-two-interfaces.pcapng",
                 [(LINKTYPE_ETHERNET, [(2, b"eth0")]), (LINKTYPE_ETHERNET, [(2, b"br0")])], pk)


# ------------------------------------------------- 5 refusals

def c5a_rst_injected():
    """5a: an on-path injector answers the SYN first with RST-ACK whose ack is
    the client's ISN itself (not ISN+1) and TTL/hop limit 250/251, while the
    real server (TTL 52 / hop limit 52) then completes the handshake and the
    request is answered.  IPv4 (port 51000) and IPv6 (port 51001)."""
    T0 = day(8)
    out = []
    for i, (c, s, cip, real, fake, port) in enumerate([
            ("192.0.2.10", "198.51.100.80", v4(), v4(52), v4(250), 51000),
            ("2001:db8:1::10", "2001:db8:77::80", v6(), v6(52), v6(251), 51001)]):
        isn, sisn = 0x5A000001 + i, 0x5A100001 + i
        sess = session(c, s, port, 443, T0 + i * SEC, isn, sisn, cip=cip, sip=real, rtt=40 * MS)
        rst = (T0 + i * SEC + 3 * MS, fake(s, c) / TCP(sport=443, dport=port, flags="RA", seq=0, ack=isn, window=0), False)
        out += sess[:1] + [rst] + sess[1:]
    write_pcap("rst-injected.pcap", LINKTYPE_ETHERNET, sorted_frames(ether(out)))


def c5b_rst_after_synack():
    """5b: the server answers the SYN with a SYN-ACK (so a listener exists);
    the SYN-ACK is lost before the client, which retransmits the SYN (same
    ISN) at 1 s; the server, whose listener has meanwhile closed (or whose
    accept queue overflowed with tcp_abort_on_overflow), answers with RST-ACK
    ack ISN+1."""
    T0 = day(8) + 30 * SEC
    C, S, ISN, SISN = "2001:db8:1::10", "2001:db8:1::80", 0x5B000001, 0x5B100001
    ip = v6()
    pk = [
        (T0, ip(C, S) / TCP(sport=51100, dport=8443, flags="S", seq=ISN, window=64240, options=syn_opts(1000)), True),
        (T0 + 200 * US, ip(S, C) / TCP(sport=8443, dport=51100, flags="SA", seq=SISN, ack=ISN + 1, window=65160,
                                       options=syn_opts(7000)), False),
        (T0 + SEC, ip(C, S) / TCP(sport=51100, dport=8443, flags="S", seq=ISN, window=64240, options=syn_opts(2000)), True),
        (T0 + SEC + 200 * US, ip(S, C) / TCP(sport=8443, dport=51100, flags="RA", seq=0, ack=ISN + 1, window=0), False),
    ]
    write_pcap("rst-after-synack.pcap", LINKTYPE_ETHERNET, ether(pk, MAC_C, MAC_S))


# ------------------------------------------------- 6 slow connects

def c6a_slow_after_refused():
    """6a: client port 51200 is refused (RST-ACK 0.3 ms after the SYN); 5 s
    later port 51201 to the same server port is answered at once (one SYN)."""
    T0 = day(9)
    C, S = "2001:db8:1::10", "2001:db8:1::80"
    ip = v6()
    pk = [
        (T0, ip(C, S) / TCP(sport=51200, dport=8080, flags="S", seq=0x6A000001, window=64240, options=syn_opts(1000)), True),
        (T0 + 300 * US, ip(S, C) / TCP(sport=8080, dport=51200, flags="RA", seq=0, ack=0x6A000002, window=0), False),
    ]
    pk += session(C, S, 51201, 8080, T0 + 5 * SEC, 0x6A000003, 0x6A100003, rtt=300 * US)
    write_pcap("slow-connect-after-refused.pcap", LINKTYPE_ETHERNET, ether(pk, MAC_C, MAC_S))


def c6b_slow_after_one_sided():
    """6b: client port 51300 sends one SYN; its SYN-ACK is not in the capture
    but the client ACKs the server ISN and sends data (answered); 5 s later
    port 51301 to the same server port is answered at once (one SYN)."""
    T0 = day(9) + 30 * SEC
    C, S = "2001:db8:1::10", "2001:db8:77::80"
    ip = v6(64)
    pk = [
        (T0, ip(C, S) / TCP(sport=51300, dport=443, flags="S", seq=0x6B000001, window=64240, options=syn_opts(1000)), True),
        (T0 + 21 * MS, ip(C, S) / TCP(sport=51300, dport=443, flags="A", seq=0x6B000002, ack=0x6B100002, window=502), True),
        (T0 + 21 * MS + 100 * US, ip(C, S) / TCP(sport=51300, dport=443, flags="PA", seq=0x6B000002, ack=0x6B100002,
                                                 window=502) / Raw(b"GET / HTTP/1.1\r\n\r\n"), True),
    ]
    pk += session(C, S, 51301, 443, T0 + 5 * SEC, 0x6B000003, 0x6B100003, sip=v6(52), rtt=21 * MS)
    write_pcap("slow-connect-after-one-sided.pcap", LINKTYPE_ETHERNET, ether(pk))


# ------------------------------------------------- 7 ICMP severities

def c7a_pmtud():
    """7a: path MTU discovery.  IPv6: a 1400-byte segment gets ICMPv6 Packet
    Too Big (MTU 1280) from the router, the client resends it as 1208 + 192
    bytes and the server ACKs.  IPv4: a DF 1400-byte segment gets ICMP 3/4
    (fragmentation needed, next-hop MTU 1300), resent as 1260 + 140.  Large
    frames are stored cut to 200 bytes (orig_len keeps the real size)."""
    T0 = day(10)
    out = []
    for i, (c, s, r, cip, sip, port) in enumerate([
            ("2001:db8:1::10", "2001:db8:77::80", "2001:db8:1::1", v6(), v6(52), 51400),
            ("192.0.2.10", "198.51.100.80", "192.0.2.1", v4(), v4(52), 51401)]):
        t0 = T0 + i * 2 * SEC
        isn, sisn = 0x7A000001 + i, 0x7A100001 + i
        hs = session(c, s, port, 443, t0, isn, sisn, cip=cip, sip=sip, rtt=20 * MS)[:3]
        out += hs
        t = t0 + 21 * MS
        big = cip(c, s) / TCP(sport=port, dport=443, flags="PA", seq=isn + 1, ack=sisn + 1, window=502) / Raw(b"D" * 1400)
        out.append((t, big, True))
        if IPv6 in big:
            err = IPv6(src=r, dst=c, hlim=64) / ICMPv6PacketTooBig(mtu=1280) / Raw(b(big)[:1280 - 48])
            first, second = 1208, 192
        else:
            err = IP(src=r, dst=c, ttl=64, id=0x7A01) / ICMP(type=3, code=4, nexthopmtu=1300) / Raw(b(big)[:28 + 20])
            first, second = 1260, 140
        out.append((t + 2 * MS, err, False))
        seq = isn + 1
        for n in (first, second):
            out.append((t + 3 * MS, cip(c, s) / TCP(sport=port, dport=443, flags="PA", seq=seq, ack=sisn + 1, window=502)
                        / Raw(b"D" * n), True))
            seq += n
        out.append((t + 25 * MS, sip(s, c) / TCP(sport=443, dport=port, flags="A", seq=sisn + 1, ack=seq, window=509), False))
    fr = []
    for ts, data in ether(out):
        fr.append((ts, data[:200], len(data)) if len(data) > 200 else (ts, data))
    write_pcap("pmtud-continues.pcap", LINKTYPE_ETHERNET, fr, snaplen=200)


def c7b_traceroute():
    """7b: traceroute (Linux style, UDP): IPv6 probes to 2001:db8:77::80 ports
    33434.. with hop limits 1, 2, 3 answered by Time Exceeded from three
    routers, hop limit 4 answered by Port Unreachable (1/4) from the target;
    then the same in IPv4 (TTL 1-4, 3/3 at the end)."""
    T0 = day(11)
    out = []
    routers6 = ["2001:db8:1::1", "2001:db8:a::1", "2001:db8:b::1"]
    routers4 = ["192.0.2.1", "203.0.113.1", "203.0.113.9"]
    for fam, (c, s, routers) in enumerate([("2001:db8:1::10", "2001:db8:77::80", routers6),
                                            ("192.0.2.10", "198.51.100.80", routers4)]):
        for hop in range(1, 5):
            t = T0 + fam * 2 * SEC + (hop - 1) * 50 * MS
            port = 33434 + hop - 1
            if fam == 0:
                probe = IPv6(src=c, dst=s, hlim=hop) / UDP(sport=52000, dport=port) / Raw(b"@ABCDEFGHIJKLMNOPQRSTUVW")
                if hop < 4:
                    ans = IPv6(src=routers[hop - 1], dst=c, hlim=65 - hop) / ICMPv6TimeExceeded(code=0) / Raw(b(probe))
                else:
                    ans = IPv6(src=s, dst=c, hlim=61) / ICMPv6DestUnreach(code=4) / Raw(b(probe))
            else:
                probe = IP(src=c, dst=s, ttl=hop, id=0x7B00 + hop) / UDP(sport=52001, dport=port) / Raw(b"@ABCDEFGHIJKLMNOPQRSTUVW")
                if hop < 4:
                    ans = IP(src=routers[hop - 1], dst=c, ttl=256 - hop) / ICMP(type=11, code=0) / Raw(b(probe))
                else:
                    ans = IP(src=s, dst=c, ttl=61) / ICMP(type=3, code=3) / Raw(b(probe))
            out += [(t, probe, True), (t + (hop * 3) * MS, ans, False)]
    write_pcap("traceroute.pcap", LINKTYPE_ETHERNET, sorted_frames(ether(out)))


def c7c_icmp_then_answered():
    """7c: the first SYN gets ICMPv6 1/3 (address unreachable) from the router
    (neighbour not yet resolved there); the retransmitted SYN at 1 s, same
    ISN, is answered and the connect completes: the ICMP error did not end
    the connect.  Then the same in IPv4 with ICMP 3/1 (host unreachable)."""
    T0 = day(12)
    out = []
    for i, (c, s, r, cip, sip, port) in enumerate([
            ("2001:db8:1::10", "2001:db8:77::80", "2001:db8:1::1", v6(), v6(62), 51500),
            ("192.0.2.10", "198.51.100.80", "192.0.2.1", v4(), v4(62), 51501)]):
        t0 = T0 + i * 5 * SEC
        sess = session(c, s, port, 443, t0, 0x7C000001 + i, 0x7C100001 + i, cip=cip, sip=sip,
                       rtt=2 * MS, syn_times=(0, SEC))
        syn = sess[0][1]
        if i == 0:
            err = IPv6(src=r, dst=c) / ICMPv6DestUnreach(code=3) / Raw(b(syn))
        else:
            err = IP(src=r, dst=c, id=0x7C01) / ICMP(type=3, code=1) / Raw(b(syn))
        out += sess[:1] + [(t0 + 800 * MS, err, False)] + sess[1:]
    write_pcap("icmp-then-answered.pcap", LINKTYPE_ETHERNET, sorted_frames(ether(out)))


# ------------------------------------------------- 8 embedded scope id

def echo_pair(t, a, z, ident, data):
    return [(t, IPv6(src=a, dst=z) / ICMPv6EchoRequest(id=ident, seq=1, data=data), True),
            (t + 200 * US, IPv6(src=z, dst=a) / ICMPv6EchoReply(id=ident, seq=1, data=data), False)]


def c8a_linklocal_bits_outside_16_31():
    """8a: fe80::/10 addresses whose non-zero bits are outside 16-31 (where
    KAME writes the zone): fe80:0:0:1::1 (bits 48-63), fe90::1 (fe80::/10 but
    not fe80::/16: bits 10-15) and fe80:3:0:1::1 (bits 16-31 and 48-63).  Echo
    request/reply with fe80::2 each."""
    T0 = day(13)
    out = []
    for i, a in enumerate(["fe80:0:0:1::1", "fe90::1", "fe80:3:0:1::1"]):
        out += echo_pair(T0 + i * SEC, a, "fe80::2", 0x8A00 + i, b"bits outside 16-31")
    write_pcap("linklocal-bits-outside-16-31.pcap", LINKTYPE_ETHERNET, ether(out, MAC_C, MAC_S))


def c8b_padding_looks_like_address():
    """8b: Ethernet trailers after short IPv6 packets hold bytes that look like
    addresses.  1: ICMPv6 Destination Unreachable with an empty quote (payload
    length 8) in a frame padded with a 40-byte IPv6 header fe80:3::1 ->
    fe80:3::2; 2: Neighbor Solicitation for fe80::2 (payload length 24) followed
    by 16 bytes fe80:3::99 where a source link-layer option would be; 3: UDP
    with 2 bytes of data padded to 60 bytes with fe80:3:: bytes."""
    T0 = day(14)
    import socket
    a3 = socket.inet_pton(socket.AF_INET6, "fe80:3::1")
    fake_hdr = b(IPv6(src="fe80:3::1", dst="fe80:3::2", plen=0, nh=59))
    fr = []
    p1 = b(Ether(src=MAC_S, dst=MAC_C) / IPv6(src="fe80::2", dst="fe80::1") / ICMPv6DestUnreach(code=3))
    fr.append((T0, p1 + fake_hdr))
    p2 = b(Ether(src=MAC_C, dst="33:33:ff:00:00:02") / IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255) /
           ICMPv6ND_NS(tgt="fe80::2"))
    fr.append((T0 + SEC, p2 + socket.inet_pton(socket.AF_INET6, "fe80:3::99")))
    p3 = b(Ether(src=MAC_C, dst=MAC_S) / IPv6(src="fe80::1", dst="fe80::2") / UDP(sport=52100, dport=9) / Raw(b"hi"))
    fr.append((T0 + 2 * SEC, p3 + (a3 * 2)[:max(0, 60 - len(p3))] if len(p3) < 60 else p3 + a3))
    write_pcap("padding-looks-like-address.pcap", LINKTYPE_ETHERNET, fr)


def c8c_embedded_index_zero():
    """8c: link-local addresses with non-zero padding whose bits 16-31 are 0,
    so the 'embedded index' computed from them is 0: fe80:0:abcd::1 (bits
    32-47) and fe81::1 (bits 10-15); then fe80:3::1 (a real KAME leak, index
    3) for contrast."""
    T0 = day(15)
    out = []
    for i, a in enumerate(["fe80:0:abcd::1", "fe81::1", "fe80:3::1"]):
        out += echo_pair(T0 + i * SEC, a, "fe80::2", 0x8C00 + i, b"index zero")
    write_pcap("embedded-index-zero.pcap", LINKTYPE_ETHERNET, ether(out, MAC_C, MAC_S))


# ------------------------------------------------- 9 answered echo

def c9_linklocal_echo_answered():
    """9: Linux ping6 to its own fe80::a:1%veth0, seen on lo (Ethernet, zero
    MACs): Echo Request and Echo Reply, three times; the reroute worked."""
    T0 = day(16)
    out = []
    for i in range(3):
        out += echo_pair(T0 + i * SEC, "fe80::a:1", "fe80::a:1", 0x9000, b"own link-local ping")
        out[-2] = (out[-2][0], IPv6(src="fe80::a:1", dst="fe80::a:1") / ICMPv6EchoRequest(id=0x9000, seq=i + 1, data=b"own link-local ping"), True)
        out[-1] = (out[-1][0], IPv6(src="fe80::a:1", dst="fe80::a:1") / ICMPv6EchoReply(id=0x9000, seq=i + 1, data=b"own link-local ping"), False)
    write_pcap("linklocal-echo-answered.pcap", LINKTYPE_ETHERNET, ether(out, ZERO, ZERO))


# ------------------------------------------------- 10 platform stories

def c10a_slow_connect_remote():
    """10a: a connect through a router to a remote server (Ethernet, real MACs,
    server hop limit 50): SYNs at 0, 1, 3 s, SYN-ACK 25 ms after the third
    (3.025 s): two SYNs lost on the path, nothing FreeBSD about it."""
    T0 = day(17)
    s = session("2001:db8:1::10", "2001:db8:5e::443", 51600, 443, T0, 0xA0000001, 0xA0100001,
                sip=v6(50), rtt=25 * MS, syn_times=(0, SEC, 3 * SEC))
    write_pcap("slow-connect-remote-router.pcap", LINKTYPE_ETHERNET, ether(s))


def c10b_freebsd_lo0_own_global():
    """10b: the contrast: FreeBSD lo0 (DLT_NULL, family 28 LE), ssh to the
    host's own global address 2001:db8:f::8 (source = destination): SYNs at 0,
    1, 3 s, SYN-ACK 30 µs after the third."""
    T0 = day(18)
    G = "2001:db8:f::8"
    s = session(G, G, 51700, 22, T0, 0xA1000001, 0xA1100001, rtt=30 * US, syn_times=(0, SEC, 3 * SEC),
                cdata=b"SSH-2.0-OpenSSH_9.6 FreeBSD-20240104\r\n", sdata=b"SSH-2.0-OpenSSH_9.6 FreeBSD-20240104\r\n")
    write_pcap("freebsd-lo0-own-global-slow.pcap", LINKTYPE_NULL,
               [(t, struct.pack("<I", 28) + b(p)) for t, p, _ in s])


# ------------------------------------------------- 11 decoding misses

def unanswered_v6(T0, port):
    """Three SYNs (0, 1, 3 s) to 2001:db8:77::80, never answered, plus an
    answered connect: what should be found once the IPv6 inside is decoded."""
    syns = [(T0 + dt, IPv6(src="2001:db8:1::10", dst="2001:db8:77::80") /
             TCP(sport=port, dport=443, flags="S", seq=0xB0000001 + port, window=64240,
                 options=syn_opts(1000 + dt // MS)), True) for dt in (0, SEC, 3 * SEC)]
    ok = session("2001:db8:1::10", "2001:db8:77::81", port + 1, 443, T0 + 4 * SEC, 0xB1000001 + port,
                 0xB1100001 + port, sip=v6(52))
    return syns + ok


def encap_file(name, T0, port, wrap):
    fr = []
    for t, p, fwd in unanswered_v6(T0, port):
        src, dst = (MAC_C, MAC_R) if fwd else (MAC_R, MAC_C)
        fr.append((t, wrap(src, dst, p)))
    write_pcap(name, LINKTYPE_ETHERNET, fr)


def c11_pppoe():
    """11: PPPoE session frames (EtherType 0x8864, version/type 0x11, code 0,
    session 0x1234, PPP protocol 0x0057 = IPv6)."""
    encap_file("pppoe-session-ipv6.pcap", day(19), 52200,
               lambda s, d, p: b(Ether(src=s, dst=d, type=0x8864) / PPPoE(sessionid=0x1234) / PPP(proto=0x0057) / p))


def c11_qinq():
    """11: 802.1ad S-tag (0x88a8, VID 300) then 802.1Q C-tag (0x8100, VID 30)."""
    encap_file("qinq-88a8-8100.pcap", day(19) + 10 * SEC, 52300,
               lambda s, d, p: b(Ether(src=s, dst=d) / Dot1AD(vlan=300) / Dot1Q(vlan=30) / p))


def c11_vlan_triple():
    """11: three stacked tags: 0x88a8 VID 300, 0x8100 VID 30, 0x8100 VID 3."""
    encap_file("vlan-triple.pcap", day(19) + 20 * SEC, 52400,
               lambda s, d, p: b(Ether(src=s, dst=d) / Dot1AD(vlan=300) / Dot1Q(vlan=30) / Dot1Q(vlan=3) / p))


def mpls_entry(label, bos, ttl=64):
    return struct.pack(">I", (label << 12) | (bos << 8) | ttl)


def c11_mpls():
    """11: MPLS unicast (0x8847), two labels (1001, then 2002 with the
    bottom-of-stack bit), IPv6 directly after the stack."""
    encap_file("mpls-two-labels-ipv6.pcap", day(19) + 30 * SEC, 52500,
               lambda s, d, p: b(Ether(src=s, dst=d, type=0x8847)) + mpls_entry(1001, 0) + mpls_entry(2002, 1) + b(p))


def c11_pbb():
    """11: 802.1ah PBB: backbone MACs, B-tag (0x88a8, VID 500), I-tag (0x88e7,
    I-SID 0x010203), customer MACs, then EtherType 0x86dd and IPv6."""
    def wrap(s, d, p):
        bmac_s, bmac_d = "02:00:00:00:bb:01", "02:00:00:00:bb:02"
        outer = b(Ether(src=bmac_s, dst=bmac_d, type=0x88a8)) + struct.pack(">HH", 500, 0x88e7)
        itag = struct.pack(">I", 0x010203)  # PCP 0, DEI 0, UCA 0, I-SID
        inner = b(Ether(src=s, dst=d, type=0x86DD) / p)
        return outer + itag + inner
    encap_file("pbb-8021ah.pcap", day(19) + 40 * SEC, 52600, wrap)


def c11_undecodable_pcapng():
    """11: a pcapng whose only interface has link type 147 (USER0): five
    packets, none of which scopescan can decode."""
    T0 = day(20)
    pk = [(0, T0 + i * SEC, b"\x00\x01\x02\x03USER0 private encapsulation #%d\n" % i) for i in range(5)]
    write_pcapng("undecodable-user0.pcapng", [(LINKTYPE_USER0, [(2, b"usb-sniffer0")])], pk)


ALL = [c1a_sll_any_loopback, c1a_sll2_any_loopback, c1b_npcap_loopback, c1c_null_tunnel,
       c1d_zero_mac_anonymised, c1e_mixed_loopback_verdict, c2_one_sided_syn, c3_capture_ends_pending,
       c4a_syn_not_retransmission, c4b_syn_duplicate_copy, c4b_syn_duplicate_two_interfaces,
       c5a_rst_injected, c5b_rst_after_synack, c6a_slow_after_refused, c6b_slow_after_one_sided,
       c7a_pmtud, c7b_traceroute, c7c_icmp_then_answered, c8a_linklocal_bits_outside_16_31,
       c8b_padding_looks_like_address, c8c_embedded_index_zero, c9_linklocal_echo_answered,
       c10a_slow_connect_remote, c10b_freebsd_lo0_own_global, c11_pppoe, c11_qinq, c11_vlan_triple,
       c11_mpls, c11_pbb, c11_undecodable_pcapng]


def main():
    os.makedirs(OUT, exist_ok=True)
    for fn in ALL:
        fn()


if __name__ == "__main__":
    main()
