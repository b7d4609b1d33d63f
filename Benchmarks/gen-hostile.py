#!/usr/bin/env python3
"""Captures shaped to make the analyser's tables and findings work hardest (docs/performance.md,
"Hostile shapes"): 200,000 packets each, every one a new key for some rule.

    Benchmarks/gen-hostile.py [outdir]      # default Benchmarks/out
    for f in Benchmarks/out/hostile-*.pcap; do /usr/bin/time -f "$f %e s %M KiB" scopescan analyze "$f" >/dev/null; done
"""
import ipaddress
import os
import struct
import sys

N = 200_000


def ip6(text):
    return ipaddress.IPv6Address(text).packed


def eth(zero_macs=False):
    return (bytes(12) if zero_macs else bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1])) + b"\x86\xdd"


def v6(src, dst, nxt, payload, hlim=64):
    return bytes([0x60, 0, 0, 0]) + struct.pack(">HBB", len(payload), nxt, hlim) + src + dst + payload


def tcp(sport, dport, seq, flags, ack=0):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 0xFFFF, 0, 0)


def write(path, frames, spacing_us=100):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i, frame in enumerate(frames):
        t = 1_700_000_000 * 1_000_000 + i * spacing_us
        out.append(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)) + frame)
    with open(path, "wb") as f:
        f.write(b"".join(out))


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "out")
    os.makedirs(outdir, exist_ok=True)
    a, b = ip6("2001:db8::1"), ip6("2001:db8::2")
    ll1, ll2 = ip6("fe80::1"), ip6("fe80::2")
    shapes = {
        # one client's SYNs to one server, every one from a new port (a port scan; a retrying client)
        "one-peer-syns": [eth() + v6(a, b, 6, tcp(1024 + i % 60000, 80 + i // 60000, i, 0x02)) for i in range(N)],
        # ICMPv6 address unreachable, each quoting a different flow
        "icmp-quotes": [eth() + v6(b, a, 58, bytes([1, 3, 0, 0, 0, 0, 0, 0]) + v6(a, b, 6, tcp(1024 + i % 60000, 80 + i // 60000, i, 0x02))) for i in range(N)],
        # Neighbor Solicitations for 200,000 different targets, none answered
        "ns-targets": [eth() + v6(ll1, ip6("ff02::1:ff00:0"), 58, bytes([135, 0, 0, 0, 0, 0, 0, 0]) + ip6("fe80::%x:%x" % (i >> 16, i & 0xFFFF)), 255) for i in range(N)],
        # link-local flows on a zero-MAC (Linux lo) link: a linklocal-on-loopback finding each
        "linklocal-flows": [eth(True) + v6(ll1, ll2, 6, tcp(1024 + i % 60000, 1 + i // 60000, i, 0x02)) for i in range(N)],
        # KAME embedded scope ids, 65,000 different ones
        "kame-addresses": [eth() + v6(ip6("fe80:%x::1" % (1 + i % 65000)), ll2, 6, tcp(1024 + i % 60000, 80, i, 0x02)) for i in range(N)],
    }
    for name, frames in shapes.items():
        path = os.path.join(outdir, f"hostile-{name}.pcap")
        write(path, frames)
        print(path)


if __name__ == "__main__":
    main()
