#!/usr/bin/env python3
"""Builds Fuzz/corpus/ from the packets of the captures in Fixtures/.

Each packet becomes one corpus file: a 2-byte big-endian selector (the index of the packet's link
type in `LinkType.supported`, read from Sources/ScopeScanWire/LinkType.swift so the two cannot
drift apart), then the captured bytes. Files are named by the SHA-1 of their content, so identical
packets collapse into one. Packets whose link type scopescan does not support are left out.

    Fuzz/make-corpus.py [--max-files N] [--out DIR] [CAPTURES...]

Classic pcap (both byte orders, micro- and nanosecond) and pcapng (both byte orders, several
sections and interfaces; EPB, SPB and obsolete packet blocks) are read. The broken fixtures are
read too, as far as they go: a cut-off packet is a good seed.
"""

import argparse
import hashlib
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINKTYPE_SWIFT = os.path.join(ROOT, "Sources", "ScopeScanWire", "LinkType.swift")


def supported_link_types():
    """[raw link type number, ...] in the order of `LinkType.supported`."""
    text = open(LINKTYPE_SWIFT).read()
    numbers = {m.group(1): int(m.group(2)) for m in re.finditer(r"static let (\w+) = LinkType\((\d+)\)", text)}
    listing = re.search(r"static let supported: \[LinkType\] = \[([^\]]*)\]", text)
    if not listing:
        sys.exit("make-corpus: cannot find LinkType.supported in LinkType.swift")
    return [numbers[name.strip().lstrip(".")] for name in listing.group(1).split(",") if name.strip()]


def read_pcap(data):
    magic = data[:4]
    orders = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
    e = orders[magic]
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[offset + 8:offset + 12])[0]
        body = data[offset + 16:offset + 16 + caplen]
        yield linktype, body
        if len(body) < caplen:
            return
        offset += 16 + caplen


def read_pcapng(data):
    offset = 0
    e = "<"
    linktypes = []
    while offset + 12 <= len(data):
        block_type = struct.unpack("<I", data[offset:offset + 4])[0]
        if block_type == 0x0A0D0D0A:
            e = "<" if data[offset + 8:offset + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            linktypes = []
        block_type, length = struct.unpack(e + "II", data[offset:offset + 8])
        if length < 12 or offset + length > len(data):
            return
        body = data[offset + 8:offset + length - 4]
        if block_type == 1 and len(body) >= 2:  # interface description
            linktypes.append(struct.unpack(e + "H", body[:2])[0])
        elif block_type in (6, 2) and len(body) >= 20:  # enhanced / obsolete packet
            interface = struct.unpack(e + "I", body[:4])[0] if block_type == 6 else struct.unpack(e + "H", body[:2])[0]
            caplen = struct.unpack(e + "I", body[12:16])[0]
            if interface < len(linktypes):
                yield linktypes[interface], body[20:20 + caplen]
        elif block_type == 3 and len(body) >= 4 and linktypes:  # simple packet
            yield linktypes[0], body[4:]
        offset += length


def packets(path):
    data = open(path, "rb").read()
    if len(data) < 24:
        return
    try:
        if data[:4] == b"\x0a\x0d\x0d\x0a":
            yield from read_pcapng(data)
        else:
            yield from read_pcap(data)
    except (KeyError, struct.error):
        return  # not a capture (Fixtures/not-a-capture.pcap): nothing to seed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "Fuzz", "corpus"))
    parser.add_argument("--max-files", type=int, default=280)
    parser.add_argument("captures", nargs="*")
    args = parser.parse_args()
    supported = supported_link_types()
    captures = args.captures or sorted(
        os.path.join(ROOT, "Fixtures", n) for n in os.listdir(os.path.join(ROOT, "Fixtures"))
        if n.endswith((".pcap", ".pcapng")))

    # Round-robin over the captures so a cap keeps every capture (and link type) represented.
    per_capture = []
    for path in captures:
        seeds = []
        for linktype, body in packets(path):
            if linktype in supported:
                seeds.append(struct.pack(">H", supported.index(linktype)) + body)
        per_capture.append(seeds)
    chosen = {}
    round_index = 0
    while len(chosen) < args.max_files and any(round_index < len(s) for s in per_capture):
        for seeds in per_capture:
            if round_index < len(seeds) and len(chosen) < args.max_files:
                chosen.setdefault(hashlib.sha1(seeds[round_index]).hexdigest(), seeds[round_index])
        round_index += 1

    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        os.remove(os.path.join(args.out, name))
    for digest, seed in sorted(chosen.items()):
        with open(os.path.join(args.out, digest), "wb") as f:
            f.write(seed)
    total = sum(len(s) for s in chosen.values())
    print(f"make-corpus: {len(chosen)} seeds, {total} bytes, from {len(captures)} captures -> {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
