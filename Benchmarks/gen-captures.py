#!/usr/bin/env python3
"""Deterministic benchmark captures for scopescan (Benchmarks/run.sh calls this).

    gen-captures.py mixed   OUT.pcap [--packets N] [--pcapng OUT.pcapng] [--seed S]
    gen-captures.py synflood OUT.pcap [--flows N] [--seed S]

`mixed`: Ethernet/IPv6/TCP, a few thousand coherent flows (handshake with options, data both ways
with timestamps options, pure ACKs, FIN/ACK close) interleaved ~200 at a time, plus a sprinkle of
every pattern the rules look for (unanswered SYN retries, slow connects, refused connects, ICMPv6
unreachables quoting a SYN, link-local and global traffic on a zero-MAC (Linux lo) link, scope
violations, KAME embedded scope ids, IPv4-mapped and ::1 addresses on the wire, unanswered Neighbor
Solicitations). About 140 bytes per record, so 1,000,000 packets are about 140 MB.

`steady`: 64 long-lived flows and 40 sprinkled patterns over 20 s of capture time whatever --packets
says, so two sizes differ only in packets per flow: the allocation check's input.

`synflood`: one SYN from each of N distinct client endpoints to one server, every 8th retried once:
the flow-table and findings-cap stress.

Only the standard library; struct-packed records; a fixed seed so every run writes the same bytes.
The pcapng twin holds the same records (one unnamed Ethernet interface, microsecond timestamps) so
the two readers can be compared on identical packets.
"""
import argparse
import heapq
import random
import struct
import sys

ETH_IPV6 = b"\x86\xdd"
MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")
MAC_ZERO = bytes(6)

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def v6(text):
    import ipaddress
    return ipaddress.IPv6Address(text).packed


def ipv6_header(src, dst, nxt, payload_len, hlim=64):
    return struct.pack("!IHBB", 0x60000000, payload_len, nxt, hlim) + src + dst


def tcp_segment(sport, dport, seq, ack, flags, options=b"", payload=b"", window=64240):
    offset = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       offset << 4, flags, window, 0, 0) + options + payload


SYN_OPTIONS = struct.pack("!BBHBBBBIIBBBB", 2, 4, 1440, 4, 2, 8, 10, 0, 0, 1, 3, 3, 7)  # 20 bytes


def ts_options(tsval, tsecr):
    return struct.pack("!BBBBII", 1, 1, 8, 10, tsval & 0xFFFFFFFF, tsecr & 0xFFFFFFFF)  # 12 bytes


def frame(src_mac, dst_mac, src, dst, nxt, l4, hlim=64):
    return dst_mac + src_mac + ETH_IPV6 + ipv6_header(src, dst, nxt, len(l4), hlim) + l4


def tcp_frame(macs, src, dst, sport, dport, seq, ack, flags, options=b"", payload=b""):
    return frame(macs[0], macs[1], src, dst, 6, tcp_segment(sport, dport, seq, ack, flags, options, payload))


def checksum16(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp6_frame(macs, src, dst, body, hlim=64):
    # A valid ICMPv6 checksum (pseudo-header of RFC 8200 8.1), so tshark's expert info stays quiet.
    pseudo = src + dst + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", checksum16(pseudo + body[:2] + b"\0\0" + body[4:])) + body[4:]
    return frame(macs[0], macs[1], src, dst, 58, body, hlim)


class Writer:
    """Classic pcap (microseconds, little endian) and optionally its pcapng twin."""

    def __init__(self, path, pcapng_path=None):
        self.out = open(path, "wb", buffering=1 << 20)
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.ng = None
        if pcapng_path:
            self.ng = open(pcapng_path, "wb", buffering=1 << 20)
            shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
            self.ng.write(struct.pack("<II", 0x0A0D0D0A, 12 + len(shb_body)) + shb_body + struct.pack("<I", 12 + len(shb_body)))
            idb_body = struct.pack("<HHI", 1, 0, 262144)
            self.ng.write(struct.pack("<II", 1, 12 + len(idb_body)) + idb_body + struct.pack("<I", 12 + len(idb_body)))
        self.count = 0

    def write(self, micros, data):
        sec, usec = divmod(micros, 1_000_000)
        self.out.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
        self.out.write(data)
        if self.ng:
            pad = (-len(data)) % 4
            total = 32 + len(data) + pad
            self.ng.write(struct.pack("<IIIIIII", 6, total, 0, micros >> 32, micros & 0xFFFFFFFF, len(data), len(data)))
            self.ng.write(data)
            if pad:
                self.ng.write(bytes(pad))
            self.ng.write(struct.pack("<I", total))
        self.count += 1

    def close(self):
        self.out.close()
        if self.ng:
            self.ng.close()


START = 1_714_557_600 * 1_000_000  # 2024-05-01T10:00:00Z in microseconds


class Flow:
    """A coherent TCP connection: handshake, data both ways with pure ACKs, FIN/ACK close."""

    def __init__(self, rng, number):
        self.client = v6("2001:db8:1::%x" % (0x100 + number % 3000))
        self.server = v6("2001:db8:2::%x" % (0x10 + number % 50))
        self.sport = 32768 + (number * 7) % 28000
        self.dport = (443, 80, 8080, 22)[number % 4]
        self.cseq = rng.getrandbits(32)
        self.sseq = rng.getrandbits(32)
        self.segments = rng.randint(50, 300)  # data segments after the handshake
        self.step = 0
        self.ts = rng.getrandbits(24)
        self.rng = rng

    def next_packet(self):
        """The next frame of this flow, or None when it has closed."""
        s = self.step
        self.step += 1
        c, sv, cm, sm = self.client, self.server, (MAC_CLIENT, MAC_SERVER), (MAC_SERVER, MAC_CLIENT)
        self.ts += 1
        if s == 0:
            return tcp_frame(cm, c, sv, self.sport, self.dport, self.cseq, 0, SYN, SYN_OPTIONS)
        if s == 1:
            return tcp_frame(sm, sv, c, self.dport, self.sport, self.sseq, self.cseq + 1, SYN | ACK, SYN_OPTIONS)
        if s == 2:
            self.cseq += 1
            self.sseq += 1
            return tcp_frame(cm, c, sv, self.sport, self.dport, self.cseq, self.sseq, ACK, ts_options(self.ts, self.ts))
        k = s - 3
        if k < self.segments:
            # Alternate a data segment and the peer's pure ACK; the client sends the first third.
            from_client = (k // 2) < self.segments // 6 or (k // 2) % 5 == 0
            if k % 2 == 0:
                length = self.rng.randint(40, 140)
                payload = bytes(length)
                if from_client:
                    f = tcp_frame(cm, c, sv, self.sport, self.dport, self.cseq, self.sseq, PSH | ACK, ts_options(self.ts, self.ts), payload)
                    self.cseq += length
                else:
                    f = tcp_frame(sm, sv, c, self.dport, self.sport, self.sseq, self.cseq, PSH | ACK, ts_options(self.ts, self.ts), payload)
                    self.sseq += length
                self.last_from_client = from_client
                return f
            if self.last_from_client:
                return tcp_frame(sm, sv, c, self.dport, self.sport, self.sseq, self.cseq, ACK, ts_options(self.ts, self.ts))
            return tcp_frame(cm, c, sv, self.sport, self.dport, self.cseq, self.sseq, ACK, ts_options(self.ts, self.ts))
        k -= self.segments
        if k == 0:
            return tcp_frame(cm, c, sv, self.sport, self.dport, self.cseq, self.sseq, FIN | ACK, ts_options(self.ts, self.ts))
        if k == 1:
            return tcp_frame(sm, sv, c, self.dport, self.sport, self.sseq, self.cseq + 1, FIN | ACK, ts_options(self.ts, self.ts))
        if k == 2:
            return tcp_frame(cm, c, sv, self.sport, self.dport, self.cseq + 1, self.sseq + 1, ACK, ts_options(self.ts, self.ts))
        return None


def sprinkle(rng, start, span, count):
    """(time, frame) events for every rule, spread over the capture."""
    events = []
    lo = (MAC_ZERO, MAC_ZERO)
    wire = (MAC_CLIENT, MAC_SERVER)
    back = (MAC_SERVER, MAC_CLIENT)
    for i in range(count):
        t = start + rng.randrange(span - 8_000_000)
        kind = i % 10
        client = v6("2001:db8:9::%x" % (i + 1))
        server = v6("2001:db8:a::%x" % (i % 7 + 1))
        sport = 10000 + i
        isn = rng.getrandbits(32)
        if kind == 0:  # syn-unanswered: SYN at 0, 1, 3 s
            for dt in (0, 1_000_000, 3_000_000):
                events.append((t + dt, tcp_frame(wire, client, server, sport, 8443, isn, 0, SYN, SYN_OPTIONS)))
        elif kind == 1:  # slow-connect: two lost SYNs, then an answer (FreeBSD's 3 s)
            for dt in (0, 1_000_000, 3_000_000):
                events.append((t + dt, tcp_frame(wire, client, server, sport, 443, isn, 0, SYN, SYN_OPTIONS)))
            events.append((t + 3_000_200, tcp_frame(back, server, client, 443, sport, 7, isn + 1, SYN | ACK, SYN_OPTIONS)))
        elif kind == 2:  # tcp-refused
            events.append((t, tcp_frame(wire, client, server, sport, 9, isn, 0, SYN, SYN_OPTIONS)))
            events.append((t + 80, tcp_frame(back, server, client, 9, sport, 0, isn + 1, RST | ACK)))
        elif kind == 3:  # icmp-unreachable (port unreachable) quoting the SYN
            syn = tcp_frame(wire, client, server, sport, 7000, isn, 0, SYN, SYN_OPTIONS)
            events.append((t, syn))
            quoted = syn[14:]
            body = struct.pack("!BBHI", 1, 4, 0, 0) + quoted
            events.append((t + 90, icmp6_frame(back, server, client, body)))
        elif kind == 4:  # linklocal-on-loopback on a zero-MAC (Linux lo) link, answered
            a = v6("fe80::a:%x" % (i % 200 + 1))
            events.append((t, tcp_frame(lo, a, a, sport, 12981, isn, 0, SYN, SYN_OPTIONS)))
            events.append((t + 30, tcp_frame(lo, a, a, 12981, sport, 5, isn + 1, SYN | ACK, SYN_OPTIONS)))
            events.append((t + 60, tcp_frame(lo, a, a, sport, 12981, isn + 1, 6, ACK, ts_options(1, 1))))
        elif kind == 5:  # scope-violation: link-local source to a global destination
            ll = v6("fe80::b:%x" % (i % 100 + 1))
            events.append((t, tcp_frame(wire, ll, server, sport, 80, isn, 0, SYN, SYN_OPTIONS)))
            events.append((t + 100, tcp_frame(back, server, ll, 80, sport, 9, isn + 1, SYN | ACK, SYN_OPTIONS)))
        elif kind == 6:  # embedded-scope-id: fe80:3:: on the wire
            kame = v6("fe80:3::%x" % (i % 50 + 1))
            events.append((t, tcp_frame(wire, kame, v6("fe80::1"), sport, 22, isn, 0, SYN, SYN_OPTIONS)))
        elif kind == 7:  # ipv4-mapped-on-wire and loopback-address-off-loopback
            if i % 20 == 7:
                events.append((t, tcp_frame(wire, v6("::ffff:192.0.2.%d" % (i % 250 + 1)), server, sport, 80, isn, 0, SYN, SYN_OPTIONS)))
            else:
                events.append((t, tcp_frame(wire, v6("::1"), server, sport, 80, isn, 0, SYN, SYN_OPTIONS)))
        elif kind == 8:  # neighbor-unresolved: three NS for a target nobody advertises
            target = v6("2001:db8:dead::%x" % (i + 1))
            solicited = v6("ff02::1:ff00:0")[:13] + target[13:]
            ns = struct.pack("!BBHI", 135, 0, 0, 0) + target + struct.pack("!BB", 1, 1) + MAC_CLIENT
            for dt in (0, 1_000_000, 2_000_000):
                events.append((t + dt, icmp6_frame((MAC_CLIENT, b"\x33\x33\xff" + target[13:]), client, solicited, ns, 255)))
        else:  # nonlocal-on-loopback: a global address talking to itself on lo
            events.append((t, tcp_frame(lo, client, client, sport, 8080, isn, 0, SYN, SYN_OPTIONS)))
            events.append((t + 25, tcp_frame(lo, client, client, 8080, sport, 3, isn + 1, SYN | ACK, SYN_OPTIONS)))
    events.sort(key=lambda e: e[0])
    return events


def mixed(args):
    rng = random.Random(args.seed)
    total = args.packets
    sprinkled = max(20, total // 2000)  # 0.05 % of events, each 1–4 packets
    span = max(60_000_000, total * 50)  # 50 µs per packet on average: 1M packets span 50 s
    events = sprinkle(rng, START, span, sprinkled)
    main_count = total - len(events)
    step = span / max(1, main_count)
    active = [Flow(rng, n) for n in range(200)]
    next_number = len(active)
    writer = Writer(args.output, args.pcapng)
    ev = 0
    t = float(START)
    for _ in range(main_count):
        t += step
        micros = int(t)
        while ev < len(events) and events[ev][0] <= micros:
            writer.write(events[ev][0], events[ev][1])
            ev += 1
        i = rng.randrange(len(active))
        data = active[i].next_packet()
        if data is None:
            active[i] = Flow(rng, next_number)
            next_number += 1
            data = active[i].next_packet()
        writer.write(micros, data)
    while ev < len(events):
        writer.write(events[ev][0], events[ev][1])
        ev += 1
    writer.close()
    print(f"{args.output}: {writer.count} packets, {next_number} flows, {len(events)} sprinkled packets", file=sys.stderr)


def steady(args):
    """The allocation check's input: the same flows and events whatever the packet count.

    A fixed set of long-lived connections (handshake, then data and ACKs until the end), the same
    sprinkle of rule patterns, over the same capture time: only the packet density changes with
    --packets, so any allocation that grows between two sizes is an allocation per packet.
    """
    rng = random.Random(args.seed)
    span = 20_000_000  # 20 s of capture time for every size
    events = sprinkle(rng, START, span, 40)
    flows = [Flow(rng, n) for n in range(64)]
    for flow in flows:
        flow.segments = 1 << 40  # never reaches its FIN
    main_count = args.packets - len(events)
    step = span / max(1, main_count)
    writer = Writer(args.output, args.pcapng)
    ev = 0
    t = float(START)
    for n in range(main_count):
        t += step
        micros = int(t)
        while ev < len(events) and events[ev][0] <= micros:
            writer.write(events[ev][0], events[ev][1])
            ev += 1
        # Each flow's handshake first (packet n < 3 * flows), then data round-robin.
        flow = flows[n % len(flows)]
        writer.write(micros, flow.next_packet())
    while ev < len(events):
        writer.write(events[ev][0], events[ev][1])
        ev += 1
    writer.close()
    print(f"{args.output}: {writer.count} packets, {len(flows)} flows, {len(events)} sprinkled packets", file=sys.stderr)


def synflood(args):
    """One SYN from each of N distinct clients; every 8th retries once 200 ms later (same ISN), so
    the flood also produces findings (syn-unanswered) beyond the findings cap."""
    import collections
    rng = random.Random(args.seed)
    writer = Writer(args.output)
    server = v6("2001:db8:2::80")
    retries = collections.deque()
    t = START
    for n in range(args.flows):
        # A distinct client address per flow (2001:db8:f::/64, low 32 bits counted), random port and ISN.
        client = v6("2001:db8:f::")[:12] + struct.pack("!I", n + 1)
        t += 10
        while retries and retries[0][0] <= t:
            writer.write(*retries.popleft())
        syn = tcp_frame((MAC_CLIENT, MAC_SERVER), client, server, 1024 + rng.randrange(60000), 80, rng.getrandbits(32), 0, SYN, SYN_OPTIONS)
        writer.write(t, syn)
        if n % 8 == 0:
            retries.append((t + 200_000, syn))
    while retries:
        writer.write(*retries.popleft())
    writer.close()
    print(f"{args.output}: {writer.count} SYNs from {args.flows} distinct flows", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["mixed", "steady", "synflood"])
    p.add_argument("output")
    p.add_argument("--packets", type=int, default=1_000_000)
    p.add_argument("--flows", type=int, default=1_000_000)
    p.add_argument("--pcapng")
    p.add_argument("--seed", type=int, default=20240501)
    args = p.parse_args()
    {"mixed": mixed, "steady": steady, "synflood": synflood}[args.kind](args)


if __name__ == "__main__":
    main()
