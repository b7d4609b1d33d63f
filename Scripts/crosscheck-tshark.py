#!/usr/bin/env python3
"""Cross-check `scopescan decode --format json` against tshark, packet by packet.

Usage:
    Scripts/crosscheck-tshark.py --scopescan PATH_TO_BINARY [FILES...]
    Scripts/crosscheck-tshark.py --scopescan .build/debug/scopescan -v Fixtures/ipv6-ext-headers.pcap

With no FILES, every .pcap/.pcapng in Fixtures/ is checked except the deliberately broken
captures (not-a-capture.pcap, unsupported-linktype.pcap, truncated.pcap) and
hostile-strings.pcapng (its comments break tshark's line-based field output), plus the encapsulated
precision fixtures listed in PRECISION (Fixtures/precision/).

For every packet the script compares, where either side decoded them:
  * frame: captured length, original length, timestamp (exact, to the nanosecond);
  * outer IP: version, source, destination, hop limit/TTL, the final upper-layer protocol after
    the IPv6 extension-header chain, the extension-header list, IPv4/IPv6 fragment fields;
  * TCP: ports, raw sequence and acknowledgment numbers, flags (as an integer), raw window;
  * UDP: ports, length;
  * ICMP/ICMPv6: type, code, the Neighbor Discovery / Redirect target address;
  * for ICMP errors, the quoted packet: source, destination, final next header, ports,
    TCP sequence number;
  * NFLOG (LINKTYPE_NFLOG): the log prefix and the netfilter hook (tshark's nflog.prefix and
    nflog.hook, scopescan's "nflog" object).

IP coverage: per link type the script counts the frames in which tshark decodes an IP layer and,
of those, the frames in which scopescan does too, and the fields compared and mismatched. It fails
(exit 1) when scopescan shows the IP layer in fewer than --min-ip-coverage percent (default 98) of
the frames where tshark has one, or when field agreement falls below --min-field-agreement percent
(default 99.9), for any link type; and, as before, on any mismatch unless --allow-mismatches
(which the large generated corpus, Scripts/linktype-corpus.py, uses: it is held to the rates).

How tshark's flat `-T fields` output is mapped onto layers: tshark prints every occurrence of a
field (`-E occurrence=a`, comma separated) in protocol-tree order, and `frame.protocols` lists the
layers ("eth:ethertype:ipv6:icmpv6:ipv6:udp"). The Nth layer named P owns occurrence N of P's
fields. The outer IP header is the first ip/ipv6 layer; its IPv6 extension headers are the
ipv6.hopopts/ipv6.routing/ipv6.fraghdr/ipv6.dstopts/ah/... layers directly after it, and the final
next header is the next-header field of the last one of them (ipv6.nxt when there are none). The
layer after that chain is the upper layer; when it is ICMP/ICMPv6, the ip/ipv6 layer after it is
the quoted packet, walked the same way.

A field both sides leave out is not counted. A field one side has and the other has not is a
mismatch. The exit status is 1 on any mismatch, 2 on a usage or tool error, 0 otherwise.

Known, legitimate differences are listed in EXCEPTIONS below, each with its reason. A field an
exception covers is counted as "excepted" in the table (and listed with -v); it is never counted
as compared-and-equal and never silently dropped.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import subprocess
import sys
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Fixtures")
BROKEN = {"not-a-capture.pcap", "unsupported-linktype.pcap", "truncated.pcap"}
# Strings that attack a terminal: tshark's -T fields output carries their newlines raw, so its
# lines cannot be paired with packets. What matters there (nothing printed raw) is checked by
# Tests/scopescanTests/OutputSafetyTests.swift and the reader fuzz target.
HOSTILE = {"hostile-strings.pcapng"}

# tshark preferences. Both are documented exceptions in their own right:
#  * ip.defragment / ipv6.defragment: tshark reassembles IP fragments and dissects the upper layer
#    of the reassembled datagram in the frame that completes it; scopescan decodes each frame on
#    its own (first fragment: transport header; later fragments: none, "later-fragment"). With
#    reassembly off tshark does exactly the same, so the fragments are compared field by field.
#  * tcp.relative_sequence_numbers: only matters for the quoted TCP header inside an ICMP error,
#    where tshark prints tcp.seq and no tcp.seq_raw; with relative numbers off tcp.seq is raw.
TSHARK_PREFS = [
    "-o", "ip.defragment:FALSE",
    "-o", "ipv6.defragment:FALSE",
    "-o", "tcp.relative_sequence_numbers:FALSE",
]

# Every field asked of tshark. Owner protocol (as frame.protocols names it) is derived below.
TSHARK_FIELDS = [
    "frame.number", "frame.encap_type", "frame.protocols", "frame.time_epoch", "frame.cap_len", "frame.len",
    "frame.comment",
    "ip.src", "ip.dst", "ip.ttl", "ip.proto", "ip.flags.mf", "ip.frag_offset", "ip.id",
    "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.nxt", "ipv6.plen",
    "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.dstopts.nxt",
    "ipv6.fraghdr.nxt", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident",
    "ah.next_header", "mip6.proto", "hip.proto", "shim6.nxt",
    "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.seq", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value",
    "udp.srcport", "udp.dstport", "udp.length",
    "icmp.type", "icmp.code",
    "icmpv6.type", "icmpv6.code",
    "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address", "icmpv6.nd.rd.target_address",
    "nflog.prefix", "nflog.hook",
    "_ws.expert.message",
]

# frame.protocols name of each IPv6 extension header tshark dissects as its own layer, with the
# header's number (as scopescan's "ext" list holds it) and the field holding its Next Header.
EXTENSION_LAYERS = {
    "ipv6.hopopts": (0, "ipv6.hopopts.nxt"),
    "ipv6.routing": (43, "ipv6.routing.nxt"),
    "ipv6.fraghdr": (44, "ipv6.fraghdr.nxt"),
    "ipv6.dstopts": (60, "ipv6.dstopts.nxt"),
    "ah": (51, "ah.next_header"),
    "mipv6": (135, "mip6.proto"),
    "hip": (139, "hip.proto"),
    "shim6": (140, "shim6.nxt"),
}

FIELD_OWNER_PREFIXES = [
    ("ipv6.hopopts.", "ipv6.hopopts"), ("ipv6.routing.", "ipv6.routing"),
    ("ipv6.dstopts.", "ipv6.dstopts"), ("ipv6.fraghdr.", "ipv6.fraghdr"),
    ("ipv6.", "ipv6"), ("ip.", "ip"), ("ah.", "ah"), ("mip6.", "mipv6"), ("hip.", "hip"),
    ("shim6.", "shim6"), ("tcp.", "tcp"), ("udp.", "udp"), ("icmpv6.", "icmpv6"), ("icmp.", "icmp"),
]

# ------------------------------------------------------------------------------------------------
# Exceptions: where tshark legitimately decodes something differently from scopescan.
# Each entry: id -> reason. The predicates live in `exceptions_for` and in the comparison code,
# and every use is counted and reported.
EXCEPTIONS = {
    "spb-no-timestamp":
        "A pcapng Simple Packet Block carries no timestamp: tshark leaves frame.time_epoch empty, "
        "scopescan gives the packet the previous packet's timestamp (PcapngReader) so time stays "
        "ordered.",
    "jumbo-length-below-65536":
        "The Jumbo Payload option holds a length <= 65535, which RFC 2675 forbids. tshark then treats "
        "the option as missing, cuts the IPv6 packet to its 40-byte header (the rest becomes an "
        "Ethernet trailer) and marks it malformed, so it has no hop-by-hop header and no transport "
        "layer. scopescan is lax by design (docs: decode as deep as the bytes allow), flags "
        "'jumbo-payload' and goes on. Only the fixed IPv6 header is compared.",
    "tcp-reserved-flag-bits":
        "tshark's tcp.flags is 12 bits (3 reserved bits + AE + 8 flags); scopescan's flags are the 9 "
        "defined bits (AE..FIN, mask 0x1ff). tshark's value is masked with 0x1ff; frames with a "
        "reserved bit set are counted under this exception.",
    "scopescan-stopped-with-error":
        "scopescan keeps a layer only when its fixed header is completely captured and valid (IP "
        "version, header length, TCP data offset, at most two VLAN tags...); otherwise it drops that "
        "layer and everything after it and says why in the JSON 'error' key. tshark prints whatever "
        "fields of a cut or invalid header it can still read. Fields of the layer scopescan's error "
        "names, and of the layers after it, that only tshark has are not compared; a value both "
        "sides have is still compared.",
    "upper-layer-not-decoded":
        "scopescan decodes TCP, UDP, ICMP and ICMPv6 after the IP header (and AH only as an IPv6 "
        "extension header); for anything else (IP-in-IP/IPv6-in-IPv6 tunnels, AH over IPv4, GRE, "
        "SCTP...) it reports the protocol number as ip.nxt and stops. tshark decodes on. ip.nxt is "
        "compared; tshark's deeper layers are listed here, not compared.",
    "too-many-extension-headers":
        "scopescan walks at most 8 IPv6 extension headers (anomaly 'too-many-extension-headers') and "
        "reports the header where it stopped as nxt; tshark walks the whole chain. The first 8 "
        "headers are compared; nxt and the transport layer are not.",
    "icmpv6-redirect-header":
        "An ICMPv6 Redirect (137) carries the redirected packet in a Redirected Header option, which "
        "tshark dissects as a quoted packet; scopescan quotes only ICMPv6 error messages (types 1-4).",
    "quoted-ext-walk-failed":
        "scopescan's quoted IPv6 packet falls back to the first next header when the quoted extension "
        "chain is cut by the quote; tshark reports whatever part of the chain it could read.",
}


# The layer names scopescan's link decoders put in a DecodeError (ScopeScanWire/DecodeError.swift).
LINK_LAYERS = ("link", "ethernet", "vlan", "pppoe", "mpls", "pbb", "null/loopback", "linux-sll", "linux-sll2",
               "pktap", "ppp", "cisco-hdlc", "frame-relay", "nflog", "ipnet", "ipoib", "802.11", "radiotap", "llc")


def field_owner(name: str) -> str | None:
    for prefix, owner in FIELD_OWNER_PREFIXES:
        if name.startswith(prefix):
            return owner
    return None


def parse_int(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if text in ("True", "true"):
        return 1
    if text in ("False", "false"):
        return 0
    return int(text, 0)


def parse_addr(text):
    if text is None or text == "":
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return text


def show(value) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    return str(value)


class TsharkPacket:
    """One tshark record with its fields split per occurrence and mapped onto layers."""

    def __init__(self, row: dict[str, str]):
        self.row = row
        self.values = {name: (row.get(name) or "").split(",") if row.get(name) else [] for name in TSHARK_FIELDS}
        self.layers = (row.get("frame.protocols") or "").split(":") if row.get("frame.protocols") else []
        self.expert = row.get("_ws.expert.message") or ""

    def occurrence(self, layer_index: int) -> int:
        """Which occurrence of its protocol's fields the layer at `layer_index` owns."""
        name = self.layers[layer_index]
        return sum(1 for layer in self.layers[:layer_index] if layer == name)

    def get(self, field: str, layer_index: int | None) -> str | None:
        if layer_index is None:
            return None
        owner = field_owner(field)
        if owner is None or self.layers[layer_index] != owner:
            return None
        values = self.values.get(field, [])
        k = self.occurrence(layer_index)
        return values[k] if k < len(values) and values[k] != "" else None

    def ip_block(self, start: int) -> dict | None:
        """The ip/ipv6 layer at or after `start`, its extension chain and the layer after it."""
        for i in range(start, len(self.layers)):
            if self.layers[i] in ("ip", "ipv6"):
                break
        else:
            return None
        chain = []
        j = i + 1
        if self.layers[i] == "ipv6":
            while j < len(self.layers) and self.layers[j] in EXTENSION_LAYERS:
                chain.append(j)
                j += 1
        return {"ip": i, "chain": chain, "upper": j if j < len(self.layers) else None}

    def block_fields(self, block: dict | None) -> dict:
        """src, dst, hlim, version, nxt, ext, fragment of an IP block."""
        if block is None:
            return {}
        i = block["ip"]
        if self.layers[i] == "ip":
            out = {
                "version": 4,
                "src": parse_addr(self.get("ip.src", i)),
                "dst": parse_addr(self.get("ip.dst", i)),
                "hlim": parse_int(self.get("ip.ttl", i)),
                "nxt": parse_int(self.get("ip.proto", i)),
                "ext": [],
            }
            offset = parse_int(self.get("ip.frag_offset", i))
            more = parse_int(self.get("ip.flags.mf", i))
            if (offset or 0) > 0 or more:
                out["fragment"] = {"offset": offset * 8 if offset is not None else None, "more": more,
                                   "id": parse_int(self.get("ip.id", i))}
            return out
        out = {
            "version": 6,
            "src": parse_addr(self.get("ipv6.src", i)),
            "dst": parse_addr(self.get("ipv6.dst", i)),
            "hlim": parse_int(self.get("ipv6.hlim", i)),
            "plen": parse_int(self.get("ipv6.plen", i)),
            "nxt": parse_int(self.get("ipv6.nxt", i)),
            "ext": [],
        }
        for j in block["chain"]:
            number, nxt_field = EXTENSION_LAYERS[self.layers[j]]
            out["ext"].append(number)
            out["nxt"] = parse_int(self.get(nxt_field, j))
            if self.layers[j] == "ipv6.fraghdr" and "fragment" not in out:
                offset = parse_int(self.get("ipv6.fraghdr.offset", j))
                out["fragment"] = {"offset": offset * 8 if offset is not None else None,
                                   "more": parse_int(self.get("ipv6.fraghdr.more", j)),
                                   "id": parse_int(self.get("ipv6.fraghdr.ident", j))}
        return out


class FileResult:
    def __init__(self, path: str):
        self.path = path
        self.name = os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
        self.packets = 0
        self.fields = 0
        self.mismatches: list[str] = []
        self.excepted: list[str] = []
        self.notes: list[str] = []
        self.error: str | None = None
        # link type -> [frames, frames where tshark has IP, of those where scopescan has IP too,
        #               fields compared, mismatches]
        self.by_linktype: dict[int, list[int]] = {}


def run_scopescan(binary: str, path: str) -> list[dict]:
    proc = subprocess.run([binary, "decode", path, "--format", "json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scopescan exited {proc.returncode}: {proc.stderr.strip()}")
    # Decimal keeps "ts" exact to the nanosecond (a float would round it).
    return [json.loads(line, parse_float=Decimal) for line in proc.stdout.splitlines() if line.strip()]


def run_tshark(tshark: str, path: str) -> list[TsharkPacket]:
    command = [tshark, "-n", "-r", path, *TSHARK_PREFS, "-T", "fields", "-E", "separator=/t",
               "-E", "occurrence=a", "-E", "aggregator=,", "-E", "header=y"]
    for field in TSHARK_FIELDS:
        command += ["-e", field]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"tshark exited {proc.returncode}: {proc.stderr.strip()}")
    lines = proc.stdout.splitlines()
    if not lines:
        return []
    header = lines[0].split("\t")
    packets = []
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        packets.append(TsharkPacket(dict(zip(header, cells))))
    return packets


class Comparer:
    def __init__(self, result: FileResult, frame: int):
        self.result = result
        self.frame = frame

    def __call__(self, field: str, ours, theirs, exception: str | None = None):
        """Compares one field. `exception` names an EXCEPTIONS entry that excuses a difference."""
        if ours is None and theirs is None:
            return
        line = f"{self.result.name} frame {self.frame} {field}: scopescan={show(ours)} tshark={show(theirs)}"
        if ours == theirs:
            self.result.fields += 1
            return
        # This exception is about layers scopescan dropped: a value it did decode is always compared.
        if exception == "scopescan-stopped-with-error" and ours is not None:
            exception = None
        if exception is not None:
            self.result.excepted.append(f"{line} [{exception}]")
            return
        self.result.fields += 1
        self.result.mismatches.append(line)


def scopescan_addr(text):
    return parse_addr(text) if text is not None else None


def compare_packet(result: FileResult, ours: dict, theirs: TsharkPacket):
    frame = ours.get("frame")
    cmp = Comparer(result, frame)
    anomalies = set(ours.get("anomalies") or [])
    error = ours.get("error") or ""
    error_layer = error.split(" ", 1)[0] if error else None

    # -- frame
    cmp("caplen", ours.get("caplen"), parse_int(theirs.row.get("frame.cap_len")))
    cmp("len", ours.get("len"), parse_int(theirs.row.get("frame.len")))
    ts_theirs = theirs.row.get("frame.time_epoch") or None
    ts_ours = Decimal(ours["ts"]) if "ts" in ours else None
    cmp("ts", ts_ours, Decimal(ts_theirs) if ts_theirs else None,
        exception="spb-no-timestamp" if ts_theirs is None else None)
    # scopescan gives a packet's first comment; every fixture's packets have at most one.
    cmp("comment", ours.get("comment"), theirs.row.get("frame.comment") or None)

    # -- NFLOG: one nflog layer per frame; read from the row whole (a prefix may hold commas)
    s_nflog = ours.get("nflog") or {}
    if "nflog" in theirs.layers or s_nflog:
        cmp("nflog.prefix", s_nflog.get("prefix"), theirs.row.get("nflog.prefix") or None)
        cmp("nflog.hook", s_nflog.get("hook"), parse_int(theirs.row.get("nflog.hook")))

    # -- outer IP
    outer_block = theirs.ip_block(0)
    t_ip = theirs.block_fields(outer_block)
    s_ip = ours.get("ip") or {}

    jumbo_cut = (t_ip.get("version") == 6 and t_ip.get("plen") == 0 and "jumbo-payload" in anomalies
                 and "Jumbo Payload option missing" in theirs.expert)
    too_many = "too-many-extension-headers" in anomalies
    # The layers scopescan stopped at because of a decode error (and anything after them).
    stopped = set()
    if error_layer in LINK_LAYERS + ("ipv4", "ipv6"):
        stopped = {"ip", "ext", "transport", "quoted"}
    elif error_layer == "ipv6-extension":
        stopped = {"ext", "transport", "quoted"}
    elif error_layer in ("tcp", "udp", "icmpv4", "icmpv6"):
        stopped = {"transport", "quoted"}
    elif error_layer in ("quoted-ipv4", "quoted-ipv6"):
        stopped = {"quoted"}

    def exc_if_stopped(part, ours_value):
        return "scopescan-stopped-with-error" if part in stopped and ours_value is None else None

    for key in ("version", "src", "dst", "hlim"):
        value = s_ip.get(key)
        if key in ("src", "dst"):
            value = scopescan_addr(value)
        cmp(f"ip.{key}", value, t_ip.get(key), exception=exc_if_stopped("ip", value))

    ext_exception = None
    if jumbo_cut:
        ext_exception = "jumbo-length-below-65536"
    elif too_many:
        ext_exception = "too-many-extension-headers"
    elif "ext" in stopped:
        ext_exception = "scopescan-stopped-with-error"
    s_ext = s_ip.get("ext") if s_ip else None
    t_ext = t_ip.get("ext") if t_ip else None
    if too_many and s_ext is not None and t_ext is not None and t_ext[:len(s_ext)] == s_ext:
        cmp("ip.ext", s_ext, t_ext[:len(s_ext)])
        if len(t_ext) > len(s_ext):
            result.excepted.append(f"{result.name} frame {frame} ip.ext: scopescan={show(s_ext)} "
                                   f"tshark={show(t_ext)} [too-many-extension-headers]")
    else:
        cmp("ip.ext", s_ext, t_ext, exception=ext_exception)
    cmp("ip.nxt", s_ip.get("nxt"), t_ip.get("nxt"), exception=ext_exception)

    s_frag = s_ip.get("fragment") or {}
    t_frag = t_ip.get("fragment") or {}
    for key in ("offset", "more", "id"):
        value = s_frag.get(key)
        if key == "more" and value is not None:
            value = int(value)
        cmp(f"ip.fragment.{key}", value, t_frag.get(key), exception=ext_exception)

    # -- transport (the layer right after the outer chain)
    upper = outer_block["upper"] if outer_block else None
    upper_name = theirs.layers[upper] if upper is not None else None
    transport_exception = ext_exception or ("scopescan-stopped-with-error" if "transport" in stopped else None)

    if upper_name not in (None, "tcp", "udp", "icmp", "icmpv6", "data", "esp") and not ext_exception:
        deeper = ":".join(theirs.layers[upper:])
        if ours.get("tcp") or ours.get("udp") or ours.get("icmp"):
            result.mismatches.append(f"{result.name} frame {frame} upper-layer: scopescan decoded a transport "
                                     f"header, tshark={deeper}")
        else:
            result.excepted.append(f"{result.name} frame {frame} tshark decodes on after nxt "
                                   f"{t_ip.get('nxt')}: {deeper} [upper-layer-not-decoded]")

    s_tcp = ours.get("tcp") or {}
    t = upper if upper_name == "tcp" else None
    t_flags = parse_int(theirs.get("tcp.flags", t))
    if t_flags is not None and t_flags & ~0x1ff:
        result.excepted.append(f"{result.name} frame {frame} tcp.flags: tshark={t_flags:#05x} has reserved "
                               f"bits; compared as {t_flags & 0x1ff:#05x} [tcp-reserved-flag-bits]")
    if t_flags is not None:
        t_flags &= 0x1ff
    for key, tfield, value in (("sport", "tcp.srcport", None), ("dport", "tcp.dstport", None),
                               ("seq", "tcp.seq_raw", None), ("ack", "tcp.ack_raw", None),
                               ("flags", None, t_flags), ("win", "tcp.window_size_value", None)):
        theirs_value = value if tfield is None else parse_int(theirs.get(tfield, t))
        cmp(f"tcp.{key}", s_tcp.get(key), theirs_value, exception=transport_exception)

    s_udp = ours.get("udp") or {}
    u = upper if upper_name == "udp" else None
    for key, tfield in (("sport", "udp.srcport"), ("dport", "udp.dstport"), ("len", "udp.length")):
        cmp(f"udp.{key}", s_udp.get(key), parse_int(theirs.get(tfield, u)), exception=transport_exception)

    s_icmp = ours.get("icmp") or {}
    i = upper if upper_name in ("icmp", "icmpv6") else None
    t_icmp_version = {"icmp": 4, "icmpv6": 6}.get(upper_name) if i is not None else None
    prefix = "icmpv6" if upper_name == "icmpv6" else "icmp"
    t_type = parse_int(theirs.get(f"{prefix}.type", i))
    cmp("icmp.version", s_icmp.get("version"), t_icmp_version, exception=transport_exception)
    cmp("icmp.type", s_icmp.get("type"), t_type, exception=transport_exception)
    cmp("icmp.code", s_icmp.get("code"), parse_int(theirs.get(f"{prefix}.code", i)), exception=transport_exception)
    t_target = None
    if upper_name == "icmpv6" and t_type in (135, 136, 137):
        tfield = {135: "icmpv6.nd.ns.target_address", 136: "icmpv6.nd.na.target_address",
                  137: "icmpv6.nd.rd.target_address"}[t_type]
        t_target = parse_addr(theirs.get(tfield, i))
    cmp("icmp.target", scopescan_addr(s_icmp.get("target")), t_target, exception=transport_exception)

    # -- quoted packet of an ICMP error
    s_q = s_icmp.get("quoted") or {}
    q_block = theirs.ip_block(i + 1) if i is not None and i + 1 < len(theirs.layers) and \
        theirs.layers[i + 1] in ("ip", "ipv6") else None
    t_q = theirs.block_fields(q_block)
    quoted_exception = transport_exception or ("scopescan-stopped-with-error" if "quoted" in stopped else None)
    if upper_name == "icmpv6" and t_type == 137 and not s_q:
        quoted_exception = "icmpv6-redirect-header"
    for key in ("src", "dst"):
        cmp(f"icmp.quoted.{key}", scopescan_addr(s_q.get(key)), t_q.get(key), exception=quoted_exception)
    nxt_exception = quoted_exception
    if s_q and t_q and t_q.get("version") == 6 and s_q.get("nxt") != t_q.get("nxt"):
        # scopescan falls back to the fixed header's next header when the quoted chain is cut.
        first = parse_int(theirs.get("ipv6.nxt", q_block["ip"]))
        if s_q.get("nxt") == first and q_block["upper"] is None:
            nxt_exception = "quoted-ext-walk-failed"
    cmp("icmp.quoted.nxt", s_q.get("nxt"), t_q.get("nxt"), exception=nxt_exception)
    q_upper = q_block["upper"] if q_block else None
    q_upper_name = theirs.layers[q_upper] if q_upper is not None else None
    qt = q_upper if q_upper_name in ("tcp", "udp") else None
    sport = parse_int(theirs.get(f"{q_upper_name}.srcport", qt)) if qt is not None else None
    dport = parse_int(theirs.get(f"{q_upper_name}.dstport", qt)) if qt is not None else None
    seq = None
    if q_upper_name == "tcp":
        seq = parse_int(theirs.get("tcp.seq_raw", qt))
        if seq is None:
            seq = parse_int(theirs.get("tcp.seq", qt))
    cmp("icmp.quoted.sport", s_q.get("sport"), sport, exception=quoted_exception)
    cmp("icmp.quoted.dport", s_q.get("dport"), dport, exception=quoted_exception)
    cmp("icmp.quoted.seq", s_q.get("seq"), seq, exception=quoted_exception)


def check_file(binary: str, tshark: str, path: str) -> FileResult:
    result = FileResult(path)
    try:
        ours = run_scopescan(binary, path)
        records = run_tshark(tshark, path)
    except (RuntimeError, json.JSONDecodeError) as error:
        result.error = str(error)
        return result
    # pcapng records that are not packets (Custom Blocks, systemd journal entries) are numbered as
    # frames by tshark, with no encapsulation; scopescan gives them a frame number too (so numbers
    # match Wireshark's) but prints nothing. They are left out of the pairing; frame numbers are
    # still compared for every packet, so a numbering difference shows up as a mismatch.
    packets = [r for r in records if r.row.get("frame.encap_type")]
    others = [r.row.get("frame.number") for r in records if not r.row.get("frame.encap_type")]
    if others:
        result.notes.append(f"{result.name}: tshark record(s) {','.join(others)} are not packets; not paired")
    if len(ours) != len(packets):
        result.mismatches.append(f"{result.name} frame - packets: scopescan={len(ours)} tshark={len(packets)}")
    for mine, theirs in zip(ours, packets):
        fields, mismatches = result.fields, len(result.mismatches)
        Comparer(result, mine.get("frame"))("frame", mine.get("frame"), parse_int(theirs.row.get("frame.number")))
        compare_packet(result, mine, theirs)
        result.packets += 1
        counts = result.by_linktype.setdefault(mine.get("linktype", -1), [0, 0, 0, 0, 0])
        tshark_ip = theirs.ip_block(0) is not None
        counts[0] += 1
        counts[1] += tshark_ip
        counts[2] += tshark_ip and bool(mine.get("ip"))
        counts[3] += result.fields - fields
        counts[4] += len(result.mismatches) - mismatches
    return result


# Precision fixtures whose IP layer sits behind an encapsulation scopescan decodes (PPPoE, triple
# VLAN, MPLS, PBB, QinQ): checked field by field like the top-level fixtures.
PRECISION = ["pppoe-session-ipv6.pcap", "vlan-triple.pcap", "mpls-two-labels-ipv6.pcap", "pbb-8021ah.pcap", "qinq-88a8-8100.pcap"]


def default_files() -> list[str]:
    names = sorted(n for n in os.listdir(FIXTURES) if n.endswith((".pcap", ".pcapng")) and n not in BROKEN | HOSTILE)
    return [os.path.join(FIXTURES, n) for n in names] + [os.path.join(FIXTURES, "precision", n) for n in PRECISION]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scopescan", required=True, help="path to the scopescan binary")
    parser.add_argument("--tshark", default="tshark", help="tshark binary (default: tshark on PATH)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list every excepted field")
    parser.add_argument("--min-ip-coverage", type=float, default=98.0,
                        help="per link type: least %% of tshark's IP frames scopescan must decode IP in (default 98)")
    parser.add_argument("--min-field-agreement", type=float, default=99.9,
                        help="per link type: least %% of compared fields that must agree (default 99.9)")
    parser.add_argument("--allow-mismatches", action="store_true",
                        help="mismatches alone do not fail the run (the rates above still must hold)")
    parser.add_argument("--quiet-mismatches", action="store_true", help="list at most 20 mismatches")
    parser.add_argument("files", nargs="*", help="captures (default: Fixtures/ minus the broken ones)")
    args = parser.parse_args()
    if not os.access(args.scopescan, os.X_OK):
        print(f"crosscheck: {args.scopescan}: not an executable", file=sys.stderr)
        return 2
    files = [os.path.abspath(f) for f in args.files] or default_files()
    if not files:
        print("crosscheck: no captures to check", file=sys.stderr)
        return 2

    results = [check_file(args.scopescan, args.tshark, f) for f in files]
    width = max(len(r.name) for r in results)
    print(f"{'file':<{width}}  {'packets':>7}  {'fields':>6}  {'mismatches':>10}  {'excepted':>8}")
    for r in results:
        if r.error:
            print(f"{r.name:<{width}}  ERROR: {r.error}")
            continue
        print(f"{r.name:<{width}}  {r.packets:>7}  {r.fields:>6}  {len(r.mismatches):>10}  {len(r.excepted):>8}")
    total_packets = sum(r.packets for r in results)
    total_fields = sum(r.fields for r in results)
    total_mismatches = sum(len(r.mismatches) for r in results)
    total_excepted = sum(len(r.excepted) for r in results)
    errors = [r for r in results if r.error]
    print(f"{'TOTAL (' + str(len(results)) + ' files)':<{width}}  {total_packets:>7}  {total_fields:>6}  "
          f"{total_mismatches:>10}  {total_excepted:>8}")

    if total_mismatches:
        print("\nmismatches:")
        listed = [line for r in results for line in r.mismatches]
        for line in listed[:20] if args.quiet_mismatches else listed:
            print(line)
        if args.quiet_mismatches and len(listed) > 20:
            print(f"... and {len(listed) - 20} more")
    rates_ok = print_coverage(results, args.min_ip_coverage, args.min_field_agreement)
    if total_excepted:
        used: dict[str, int] = {}
        for r in results:
            for line in r.excepted:
                key = line.rsplit("[", 1)[-1].rstrip("]")
                used[key] = used.get(key, 0) + 1
        print("\nexceptions applied (see EXCEPTIONS in this script; -v lists each field):")
        for key, count in sorted(used.items()):
            print(f"  {key}: {count} field(s) - {EXCEPTIONS[key]}")
        if args.verbose:
            for r in results:
                for line in r.excepted:
                    print(f"  {line}")
    notes = [n for r in results for n in r.notes]
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"  {note}")
    if errors:
        return 2
    if not rates_ok:
        return 1
    return 1 if total_mismatches and not args.allow_mismatches else 0


def print_coverage(results, min_coverage: float, min_agreement: float) -> bool:
    """The per-link-type IP coverage and field agreement table; False when a rate is too low."""
    totals: dict[int, list[int]] = {}
    for r in results:
        for linktype, counts in r.by_linktype.items():
            acc = totals.setdefault(linktype, [0, 0, 0, 0, 0])
            for i, value in enumerate(counts):
                acc[i] += value
    print(f"\n{'linktype':>8}  {'frames':>7}  {'tshark IP':>9}  {'scopescan IP':>12}  {'IP %':>7}  "
          f"{'fields':>7}  {'agree %':>8}")
    ok = True
    for linktype in sorted(totals):
        frames, tshark_ip, both_ip, fields, mismatches = totals[linktype]
        coverage = 100.0 * both_ip / tshark_ip if tshark_ip else 100.0
        agreement = 100.0 * (fields - mismatches) / fields if fields else 100.0
        low = coverage < min_coverage or agreement < min_agreement
        ok = ok and not low
        print(f"{linktype:>8}  {frames:>7}  {tshark_ip:>9}  {both_ip:>12}  {coverage:>6.2f}%  {fields:>7}  "
              f"{agreement:>7.3f}%{'  BELOW THRESHOLD' if low else ''}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
