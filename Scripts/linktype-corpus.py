#!/usr/bin/python3
"""A large corpus for the link-type decoders, crosschecked against tshark.

    Scripts/linktype-corpus.py --scopescan .build/debug/scopescan [--keep DIR] [--rounds N]

There is no public capture corpus on this machine, so this builds one: it takes the IP packets of
every fixture (Fixtures/*.pcap, *.pcapng, Fixtures/precision/, read with scapy) and re-encapsulates
each of them into every link type of issue #16, with the variants of Fixtures/craft_linktypes.py
(PPP with and without HDLC framing and with compressed fields, MPLS over PPP and Cisco HDLC, Frame
Relay NLPID/SNAP/Cisco encapsulations, IPNET hooks, both IPoIB pseudo-headers, 802.11 To DS /
From DS / 4-address / QoS / +HTC / 802.1H frames, Ethernet with padding, vendor trailers, VLAN,
PPPoE, MPLS and LLC/SNAP), plus radiotap headers with random combinations of fields, alignment,
FCS and data padding flags and up to three presence words. The choices come from a fixed
random.Random, so every run writes the same files.

It writes one pcap per link type to a temporary directory and runs Scripts/crosscheck-tshark.py
over them, which prints per link type the frames where tshark decodes IP, where scopescan does
too, the percentage and the field agreement, and fails below 98% IP coverage or 99.9% agreement.
"""
import argparse
import logging
import os
import random
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Fixtures")
sys.path.insert(0, FIXTURES)

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # "unknown LL type": those files are skipped
import craft_linktypes as lt  # noqa: E402
from scapy.all import IP, IPv6, PcapNgReader, PcapReader  # noqa: E402

# Captures whose packets are not taken: broken files and the terminal-attack strings.
SKIP = {"not-a-capture.pcap", "unsupported-linktype.pcap", "truncated.pcap", "hostile-strings.pcapng"}

# Radiotap fields of the base namespace (https://www.radiotap.org/fields/defined): bit -> (alignment, size).
RADIOTAP_FIELDS = {0: (8, 8), 1: (1, 1), 2: (1, 1), 3: (2, 4), 4: (1, 2), 5: (1, 1), 6: (1, 1), 7: (2, 2),
                   8: (2, 2), 9: (2, 2), 10: (1, 1), 11: (1, 1), 12: (1, 1), 13: (1, 1), 14: (2, 2)}


def fixture_ip_packets():
    """The bytes of the outermost IP header onwards of every packet of every fixture."""
    paths = []
    for directory in (FIXTURES, os.path.join(FIXTURES, "precision")):
        for name in sorted(os.listdir(directory)):
            if name.endswith((".pcap", ".pcapng")) and name not in SKIP:
                paths.append(os.path.join(directory, name))
    packets = []
    for path in paths:
        reader = PcapNgReader if path.endswith(".pcapng") else PcapReader
        try:
            with reader(path) as capture:
                for pkt in capture:
                    layer = pkt.getlayer(IPv6) or pkt.getlayer(IP)
                    if layer is None:
                        continue
                    data = bytes(layer.original) if getattr(layer, "original", None) else bytes(layer)
                    if data and data[0] >> 4 in (4, 6):
                        packets.append(data)
        except Exception as error:  # a link type scapy cannot read: its packets are left out
            print(f"linktype-corpus: {os.path.relpath(path, ROOT)}: skipped ({error})", file=sys.stderr)
    return packets


def random_radiotap(rng, ip):
    """A radiotap header with a random set of base fields, each aligned, in front of an 802.11 frame."""
    bits = sorted(rng.sample(sorted(RADIOTAP_FIELDS), rng.randint(0, 6)))
    words = rng.choice([1, 1, 1, 2, 3])
    flags = 0
    pad = False
    if 1 in bits:
        fcs = rng.random() < 0.3
        pad = rng.random() < 0.3
        flags = (0x10 if fcs else 0) | (0x20 if pad else 0) | rng.choice([0, 0x02])  # 0x02 short preamble
    present = [sum(1 << b for b in bits) | (1 << 31 if words > 1 else 0)]
    for i in range(1, words):
        present.append((1 << 29) | ((1 << 31) if i < words - 1 else 0))
    offset = 4 + 4 * words
    fields = b""
    for bit in bits:
        align, size = RADIOTAP_FIELDS[bit]
        padding = (-offset) % align
        fields += bytes(padding)
        offset += padding
        value = bytes([flags]) if bit == 1 else bytes(rng.randrange(256) for _ in range(size))
        if bit == 3:  # channel: a real 2.4 GHz frequency and flags
            value = struct.pack("<HH", rng.choice([2412, 2437, 2462]), 0x00A0)
        fields += value
        offset += size
    variant = rng.choice([lt.dot11, lt.dot11_qos, lt.dot11_from_ds, lt.dot11_four_address, lt.dot11_qos_htc,
                          lt.dot11_bridge_tunnel])
    frame = variant(ip)
    if pad:  # rebuild with the header padded to 4 bytes, as the flag says
        frame = lt.dot11(ip, subtype=8, pad=True) if variant in (lt.dot11_qos, lt.dot11_qos_htc) else variant(ip)
    if flags & 0x10:
        frame += struct.pack("<I", rng.getrandbits(32))
    return lt.radiotap(present, fields, frame)


def random_trailer(rng, ip):
    """Ethernet with padding to 60 bytes and/or a trailer of random length, behind 0-2 VLAN tags."""
    tags = b"".join(struct.pack(">HH", 0x8100, rng.randint(1, 4094)) for _ in range(rng.randint(0, 2)))
    frame = lt.MAC_B + lt.MAC_A + tags + struct.pack(">H", lt.ethertype(ip)) + ip
    frame += bytes(max(0, 60 - len(frame)))
    return frame + bytes(rng.randrange(256) for _ in range(rng.choice([0, 4, 6, 12, 16])))


def build(rounds, directory):
    rng = random.Random(16)  # fixed: the corpus is the same on every run
    packets = fixture_ip_packets()
    paths = []
    t0 = 1715335200 * lt.SEC
    for linktype, (name, variants) in lt.ENCAPSULATIONS.items():
        frames = []
        t = t0
        for _ in range(rounds):
            for i, ip in enumerate(packets):
                if linktype == lt.LINKTYPE_IEEE802_11_RADIOTAP:
                    frame = random_radiotap(rng, ip)
                elif linktype == lt.LINKTYPE_ETHERNET and rng.random() < 0.5:
                    frame = random_trailer(rng, ip)
                else:
                    frame = rng.choice(variants)(ip)
                frames.append((t, frame))
                t += 1000 * lt.US
        path = os.path.join(directory, "corpus-" + name)
        lt.craft.OUT = directory
        lt.write_pcap(os.path.basename(path), linktype, frames)
        paths.append(path)
    return packets, paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scopescan", required=True)
    parser.add_argument("--rounds", type=int, default=2, help="times each IP packet is encapsulated per link type")
    parser.add_argument("--keep", help="write the corpus here and keep it")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="scopescan-corpus.")
    os.makedirs(directory, exist_ok=True)
    packets, paths = build(args.rounds, directory)
    print(f"linktype-corpus: {len(packets)} IP packets from the fixtures, {args.rounds} round(s), "
          f"{len(paths)} link-type files in {directory}")
    rc = subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "crosscheck-tshark.py"), "--scopescan",
                         args.scopescan, "--allow-mismatches", "--quiet-mismatches", *paths]).returncode
    if not args.keep:
        for path in paths:
            os.remove(path)
        os.rmdir(directory)
    return rc


if __name__ == "__main__":
    sys.exit(main())
