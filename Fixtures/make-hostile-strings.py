#!/usr/bin/env python3
"""Writes Fixtures/hostile-strings.pcapng: a pcapng whose strings attack a terminal.

Hand-written pcapng (no scapy), fixed bytes, the same on every run. The section comment, the
interface name (if_name), its description (if_description) and every packet comment hold ESC
sequences (clear screen, window title, colour), a newline, a carriage return, C1 controls (CSI
U+009B, NEL U+0085), U+2028/U+2029 and a bidi override. The interface is DLT_NULL (a loopback by
link type) carrying three TCP SYNs fe80::a001 -> fe80::a002 port 12981 (1 s, then 2 s apart, never
answered), so `analyze` reports linklocal-on-loopback and syn-unanswered and prints the interface
name in findings, flows (%ifname), the summary and the report.
Usage: python3 Fixtures/make-hostile-strings.py [out.pcapng]
"""
import struct
import sys

HOSTILE_NAME = "lo\x1b]0;owned\x07\x1b[2J\nFAKE finding\u2028\u0085"
HOSTILE_DESCRIPTION = "desc\r\x1b[31mred\u009b0m\u2029\u202eevil"
HOSTILE_COMMENT = "comment\x1b[2J\x1b[H\nsecond line\u2028third\u0085\u009b31m\x7f"


def option(code, value):
    data = value.encode() if isinstance(value, str) else value
    padded = data + b"\0" * (-len(data) % 4)
    return struct.pack("<HH", code, len(data)) + padded


def block(kind, body):
    total = 12 + len(body)
    return struct.pack("<II", kind, total) + body + struct.pack("<I", total)


def syn(seconds):
    fe80_1 = bytes.fromhex("fe80000000000000000000000000a001")
    fe80_2 = bytes.fromhex("fe80000000000000000000000000a002")
    tcp = struct.pack(">HHIIBBHHH", 50001, 12981, 974859341, 0, 5 << 4, 0x02, 65535, 0, 0)
    ipv6 = struct.pack(">IHBB", 6 << 28, len(tcp), 6, 64) + fe80_1 + fe80_2
    frame = struct.pack("<I", 30) + ipv6 + tcp  # DLT_NULL family 30 (AF_INET6 on macOS)
    stamp = (1714557600 + seconds) * 1_000_000
    body = struct.pack("<IIIII", 0, stamp >> 32, stamp & 0xFFFFFFFF, len(frame), len(frame))
    body += frame + b"\0" * (-len(frame) % 4)
    body += option(1, HOSTILE_COMMENT) + b"\0\0\0\0"
    return block(6, body)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Fixtures/hostile-strings.pcapng"
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(1, HOSTILE_COMMENT) + b"\0\0\0\0"
    idb = struct.pack("<HHI", 0, 0, 262144) + option(2, HOSTILE_NAME) + option(3, HOSTILE_DESCRIPTION) + b"\0\0\0\0"
    data = block(0x0A0D0D0A, shb) + block(1, idb) + syn(0) + syn(1) + syn(3)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
