#!/usr/bin/python3
"""Crafts the link-type fixtures of issue #16 (called by make-fixtures.sh, after craft.py).

    /usr/bin/python3 Fixtures/craft_linktypes.py [OUTDIR]

Each link type's framing is written by hand with struct, to the spec its decoder cites
(Sources/ScopeScanWire/<Protocol>.swift); the IP packets inside are scapy's. The `ENCAPSULATIONS`
table below is also what Scripts/linktype-corpus.py uses to re-encapsulate the IP packets of every
fixture into every one of these link types, so a fixture and the corpus exercise the same variants.

Everything is deterministic: fixed timestamps, ports, sequence numbers, addresses.
"""
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import craft  # noqa: E402  (writers and packet builders shared with the other fixtures)
from craft import SEC, US, b, handshake, v4, v6, write_pcap  # noqa: E402
from scapy.all import ICMPv6EchoRequest, IPv6, UDP, Raw  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
craft.OUT = OUT

LINKTYPE_ETHERNET = 1
LINKTYPE_PPP = 9
LINKTYPE_PPP_HDLC = 50
LINKTYPE_PPP_ETHER = 51
LINKTYPE_C_HDLC = 104
LINKTYPE_IEEE802_11 = 105
LINKTYPE_FRELAY = 107
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_IPNET = 226
LINKTYPE_IPOIB = 242


def version(ip):
    return ip[0] >> 4


def ethertype(ip):
    return 0x86DD if version(ip) == 6 else 0x0800


def ppp_proto(ip):
    return 0x0057 if version(ip) == 6 else 0x0021


def mpls(labels, ip):
    """An MPLS label stack (RFC 3032) of `labels` entries in front of `ip`, TTL 64."""
    out = b""
    for i, label in enumerate(labels):
        bottom = 0x100 if i == len(labels) - 1 else 0
        out += struct.pack(">I", label << 12 | bottom | 64)
    return out + ip


# ------------------------------------------------------------------ PPP, PPPoE, Cisco HDLC, FR

def ppp_hdlc(ip):          # RFC 1662 framing: ff 03, 2-byte protocol
    return struct.pack(">BBH", 0xFF, 0x03, ppp_proto(ip)) + ip


def ppp_acfc(ip):          # address/control compressed (RFC 1661 6.6)
    return struct.pack(">H", ppp_proto(ip)) + ip


def ppp_acfc_pfc(ip):      # and the protocol compressed to one byte (RFC 1661 6.5)
    return struct.pack(">B", ppp_proto(ip) & 0xFF) + ip


def ppp_mpls(ip):          # PPP protocol 0x0281, one label
    return struct.pack(">BBH", 0xFF, 0x03, 0x0281) + mpls([16001], ip)


def chdlc(ip, address=0x0F):
    return struct.pack(">BBH", address, 0x00, ethertype(ip)) + ip


def chdlc_broadcast(ip):
    return chdlc(ip, 0x8F)


def chdlc_mpls(ip):
    return struct.pack(">BBH", 0x0F, 0x00, 0x8847) + mpls([1000, 2000], ip)


def pppoe(ip):             # PPPoE session header (RFC 2516 section 4) + PPP protocol
    return struct.pack(">BBHHH", 0x11, 0x00, 0x1234, len(ip) + 2, ppp_proto(ip)) + ip


Q922 = bytes([0x18, 0x41])  # DLCI 100 (0x18 >> 2 = 6, 0x41 >> 4 = 4: 6 << 4 | 4), EA on the 2nd byte


def fr_nlpid(ip):          # RFC 2427: control 0x03, NLPID 0xcc / 0x8e
    return Q922 + bytes([0x03, 0xCC if version(ip) == 4 else 0x8E]) + ip


def fr_snap(ip):           # RFC 2427 4.1: pad, NLPID 0x80 SNAP, OUI 00-00-00, PID EtherType
    return Q922 + bytes([0x03, 0x00, 0x80, 0, 0, 0]) + struct.pack(">H", ethertype(ip)) + ip


def fr_cisco(ip):          # Cisco encapsulation: an EtherType right after the address
    return Q922 + struct.pack(">H", ethertype(ip)) + ip


# ------------------------------------------------------------------ IPNET, IPoIB

def ipnet(ip, hook=2, ifindex=1):
    """dl_ipnet: version 1, family 2/26, hook type, packet length, ifindex, group ifindex, zones."""
    family = 26 if version(ip) == 6 else 2
    return struct.pack(">BBHIIIII", 1, family, hook, len(ip), ifindex, 0, 0, 0) + ip


def ipnet_inbound(ip):
    return ipnet(ip, hook=0, ifindex=2)


def ipoib_grh(ip):
    """44 bytes: a Global Route Header (version 6 nibble, source and destination GIDs), then
    RFC 4391's type and reserved fields."""
    grh = struct.pack(">IBBBB", 0x60000000, 0, 0x1B, 0x40, 0x00)  # vtf, paylen(0), next 0x1b, hop 64
    sgid = bytes.fromhex("fe800000000000000002c90300001001")
    dgid = bytes.fromhex("fe800000000000000002c90300001002")
    return grh[:8] + sgid + dgid + struct.pack(">HH", ethertype(ip), 0) + ip


def ipoib_daddr(ip):
    """The unicast form: first two bytes zero, the 20-byte destination hardware address (QPN +
    GID) at offset 20."""
    daddr = bytes([0, 0, 0, 0x48]) + bytes.fromhex("fe800000000000000002c90300001002")
    return bytes(20) + daddr + struct.pack(">HH", ethertype(ip), 0) + ip


# ------------------------------------------------------------------ 802.11, radiotap

MAC_STA = bytes.fromhex("020000000a11")
MAC_AP = bytes.fromhex("020000000a22")
MAC_DST = bytes.fromhex("020000000a33")
MAC_WDS = bytes.fromhex("020000000a44")
SNAP_RFC1042 = bytes([0xAA, 0xAA, 0x03, 0, 0, 0])
SNAP_8021H = bytes([0xAA, 0xAA, 0x03, 0, 0, 0xF8])


def dot11(ip, subtype=0, flags=0x01, four=False, htc=False, snap=SNAP_RFC1042, seq=0x0010, pad=False):
    """An 802.11 data frame carrying `ip` behind LLC/SNAP. flags 0x01 To DS, 0x02 From DS;
    subtype 8 = QoS data; four: To DS + From DS with a fourth address; htc: +HTC (order flag)."""
    if four:
        flags |= 0x03
    if htc:
        flags |= 0x80
    fc = struct.pack("<BB", (subtype << 4) | (2 << 2), flags)
    hdr = fc + struct.pack("<H", 44) + MAC_AP + MAC_STA + MAC_DST + struct.pack("<H", seq)
    if four:
        hdr += MAC_WDS
    if subtype & 0x08:
        hdr += struct.pack("<H", 0x0005)  # TID 5, no A-MSDU
    if htc:
        hdr += struct.pack("<I", 0)
    if pad:
        hdr += bytes((-len(hdr)) % 4)
    return hdr + snap + struct.pack(">H", ethertype(ip)) + ip


def dot11_qos(ip):
    return dot11(ip, subtype=8)


def dot11_from_ds(ip):
    return dot11(ip, flags=0x02)


def dot11_four_address(ip):
    return dot11(ip, subtype=8, four=True)


def dot11_qos_htc(ip):
    return dot11(ip, subtype=8, htc=True)


def dot11_bridge_tunnel(ip):
    return dot11(ip, snap=SNAP_8021H)


def radiotap(fields_present, fields, frame, flags=None):
    """Radiotap header: version 0, length, presence word(s) and already-aligned field bytes."""
    words = b"".join(struct.pack("<I", w) for w in fields_present)
    body = words + fields
    length = 4 + len(body)
    return struct.pack("<BBH", 0, 0, length) + body + frame


def rt_flags_rate_channel(ip):
    # Flags(1) Rate(1) Channel(2+2) dBm signal(1) antenna(1): present bits 1,2,3,5,11
    present = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 11)
    fields = struct.pack("<BBHHbB", 0x00, 0x0C, 2437, 0x00A0, -42, 1)
    return radiotap([present], fields, dot11(ip))


def rt_tsft_fcs(ip):
    # TSFT (aligned to 8: after 8 bytes of header it is) + Flags with FCS-at-end; 4 FCS bytes after
    present = (1 << 0) | (1 << 1)
    fields = struct.pack("<QB", 0x0123456789ABCDEF, 0x10) + bytes(3)
    frame = dot11(ip, subtype=8)
    return radiotap([present], fields, frame + struct.pack("<I", 0xDEADBEEF))


def rt_extended_bitmaps(ip):
    # Three presence words (bit 31 chains them; bit 29 = radiotap namespace again), TSFT + Flags
    present = [(1 << 0) | (1 << 1) | (1 << 29) | (1 << 31), (1 << 29) | (1 << 31), 0]
    # header 4 + 3 words = 16: TSFT already 8-aligned
    fields = struct.pack("<QB", 7, 0x00) + bytes(3)
    return radiotap(present, fields, dot11(ip, flags=0x02))


def rt_datapad(ip):
    # Flags 0x20: the 802.11 header is padded to a multiple of 4 (a 4-address QoS header is 32,
    # already aligned, so a 3-address QoS header, 26 bytes, gets 2 bytes of padding)
    present = (1 << 1)
    fields = struct.pack("<B", 0x20) + bytes(3)
    return radiotap([present], fields, dot11(ip, subtype=8, pad=True))


# ------------------------------------------------------------------ Ethernet with trailers

MAC_A = bytes.fromhex("02000000000a")
MAC_B = bytes.fromhex("02000000000b")


def eth(ip, trailer=b""):
    frame = MAC_B + MAC_A + struct.pack(">H", ethertype(ip)) + ip
    return frame + trailer


def eth_pad60(ip):
    """Padded to the 60-byte minimum (as a NIC sends a short frame), then a 4-byte FCS."""
    frame = eth(ip)
    return frame + bytes(max(0, 60 - len(frame))) + bytes.fromhex("1a2b3c4d")


def eth_vendor_trailer(ip):
    """A tap's vendor trailer after the datagram (timestamp + port id, as Arista/Ixia taps add)."""
    return eth(ip, bytes.fromhex("a5a5000000015f5e0f0a0b0c"))


def eth_vlan_trailer(ip):
    frame = MAC_B + MAC_A + struct.pack(">HHH", 0x8100, 100, ethertype(ip)) + ip
    return frame + bytes.fromhex("00000000cafef00d")


def eth_pppoe(ip):
    """PPPoE on Ethernet, without a trailer: Wireshark marks bytes after the PPPoE length malformed."""
    return MAC_B + MAC_A + struct.pack(">H", 0x8864) + pppoe(ip)


def eth_mpls_trailer(ip):
    return MAC_B + MAC_A + struct.pack(">H", 0x8847) + mpls([100, 200], ip) + bytes(8)


def eth_llc_snap(ip):
    """802.3 with a length field, LLC/SNAP carrying IP (RFC 1042 over 802.3)."""
    payload = SNAP_RFC1042 + struct.pack(">H", ethertype(ip)) + ip
    return MAC_B + MAC_A + struct.pack(">H", len(payload)) + payload


# Link type -> (file name, [variant functions]). Every variant takes the bytes of an IP packet.
ENCAPSULATIONS = {
    LINKTYPE_PPP: ("linktype-ppp.pcap", [ppp_hdlc, ppp_acfc, ppp_acfc_pfc, ppp_mpls, chdlc]),
    LINKTYPE_PPP_HDLC: ("linktype-ppp-hdlc.pcap", [ppp_hdlc, ppp_mpls, chdlc]),
    LINKTYPE_PPP_ETHER: ("linktype-ppp-ether.pcap", [pppoe]),
    LINKTYPE_C_HDLC: ("linktype-chdlc.pcap", [chdlc, chdlc_broadcast, chdlc_mpls]),
    LINKTYPE_FRELAY: ("linktype-frelay.pcap", [fr_nlpid, fr_snap, fr_cisco]),
    LINKTYPE_IPNET: ("linktype-ipnet.pcap", [ipnet, ipnet_inbound]),
    LINKTYPE_IPOIB: ("linktype-ipoib.pcap", [ipoib_grh, ipoib_daddr]),
    LINKTYPE_IEEE802_11: ("linktype-80211.pcap", [dot11, dot11_qos, dot11_from_ds, dot11_four_address,
                                                  dot11_qos_htc, dot11_bridge_tunnel]),
    LINKTYPE_IEEE802_11_RADIOTAP: ("linktype-radiotap-80211.pcap", [rt_flags_rate_channel, rt_tsft_fcs,
                                                                    rt_extended_bitmaps, rt_datapad]),
    LINKTYPE_ETHERNET: ("ethernet-trailer.pcap", [eth_pad60, eth_vendor_trailer, eth_vlan_trailer,
                                                   eth_pppoe, eth_mpls_trailer, eth_llc_snap]),
}

# Link-only frames each fixture also holds: decoders must pass them without an error and without IP.
LINK_ONLY = {
    LINKTYPE_PPP: [bytes.fromhex("ff03c021" "0101000a" "0506a1b2c3d4")],              # LCP Configure-Request
    LINKTYPE_C_HDLC: [bytes.fromhex("8f008035" "00000002" "0000000000000000" "ffff0012")],  # SLARP keepalive
    LINKTYPE_IEEE802_11: [
        bytes.fromhex("4801" "2c00") + MAC_AP + MAC_STA + MAC_AP + bytes.fromhex("2000"),  # null data
        bytes.fromhex("0841" "2c00") + MAC_AP + MAC_STA + MAC_DST + bytes.fromhex("3000")  # protected
        + bytes.fromhex("0100002000000000") + bytes(range(40)),
    ],
}


# ------------------------------------------------------------------ the fixtures

V6C, V6S = "2001:db8:16::1", "2001:db8:16::2"
V4C, V4S = "192.0.2.161", "192.0.2.162"


def sample_packets(t0):
    """IPv6 and IPv4 handshakes plus a UDP datagram and an echo request: [(ts, ip bytes)]."""
    pkts = handshake(v6(), V6C, V6S, 41006, 443, t0, 0x16000006, 0x16001006)
    pkts += handshake(v4(), V4C, V4S, 41004, 443, t0 + SEC, 0x16000004, 0x16001004)
    pkts.append((t0 + 2 * SEC, IPv6(src=V6C, dst=V6S) / UDP(sport=41053, dport=53) / Raw(b"\x12\x34" + bytes(10))))
    pkts.append((t0 + 3 * SEC, IPv6(src="fe80::16:1", dst="fe80::16:2") / ICMPv6EchoRequest(id=16, seq=1)))
    return [(t, b(p)) for t, p in pkts]


def linktypes():
    t0 = 1715248800 * SEC  # 2024-05-09 10:00:00 UTC
    for linktype, (name, variants) in ENCAPSULATIONS.items():
        frames = []
        for i, (t, ip) in enumerate(sample_packets(t0)):
            # every variant once per packet, in turn, so each file shows each one on both families
            frames.append((t, variants[i % len(variants)](ip)))
            if len(variants) > 1:
                frames.append((t + 10 * US, variants[(i + 1) % len(variants)](ip)))
        t = t0 + 4 * SEC
        for frame in LINK_ONLY.get(linktype, []):
            frames.append((t, frame))
            t += 10 * US
        write_pcap(name, linktype, frames)


def multi_interface():
    """One pcapng with interfaces of several of these link types, by mergecap (as a user would
    merge captures): Ethernet with trailers, PPP, Cisco HDLC, radiotap, NFLOG when present."""
    inputs = ["ethernet-trailer.pcap", "linktype-ppp.pcap", "linktype-chdlc.pcap", "linktype-radiotap-80211.pcap"]
    if os.path.exists(os.path.join(OUT, "linktype-nflog.pcap")):
        inputs.append("linktype-nflog.pcap")
    out = os.path.join(OUT, "linktypes-mergecap.pcapng")
    if os.path.exists(out):
        os.remove(out)
    subprocess.run(["mergecap", "-F", "pcapng", "-w", out] + [os.path.join(OUT, n) for n in inputs], check=True)


def main():
    linktypes()
    multi_interface()


if __name__ == "__main__":
    main()
