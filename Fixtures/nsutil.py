#!/usr/bin/python3
"""Tiny traffic helpers run *inside* the network namespaces created by
make-fixtures.sh (python3 is always there; nc/ping may not be).

Every helper is bounded in time and count and only talks to the address it is
given (loopback or the namespaces' own 2001:db8::/32 / fe80:: / 10.x space).

  tcp-server ADDR PORT [--scope IF] [--freebind] [--count N] [--ready FILE]
  tcp-client ADDR PORT [--scope IF] [--timeout S] [--data TEXT] [--bind ADDR]
  udp-server ADDR PORT [--count N] [--ready FILE]
  udp-client ADDR PORT [--timeout S] [--data TEXT] [--noreply]
  ping6      ADDR [--scope IF] [--count N] [--interval S] [--timeout S]
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

IP_FREEBIND = 15  # SOL_IP option; also honoured by AF_INET6 sockets


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sockaddr(addr, port, scope=None):
    if family_of(addr) == socket.AF_INET6:
        return (addr, port, 0, socket.if_nametoindex(scope) if scope else 0)
    return (addr, port)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def ready(path):
    if path:
        with open(path, "w") as f:
            f.write("ready\n")


def tcp_server(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.freebind:
        s.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
    s.bind(sockaddr(a.addr, a.port, a.scope))
    s.listen(8)
    s.settimeout(a.timeout)
    ready(a.ready)
    for _ in range(a.count):
        try:
            c, peer = s.accept()
        except socket.timeout:
            log("tcp-server: accept timed out")
            break
        c.settimeout(a.timeout)
        data = b""
        while True:  # read until the client's FIN so close() sends FIN, not RST
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
        c.sendall(b"reply:" + data)
        c.close()
        log("tcp-server: served", peer, data)
    s.close()


def tcp_client(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    if a.bind:
        s.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
        s.bind(sockaddr(a.bind, 0, a.scope))
    t0 = time.monotonic()
    try:
        s.connect(sockaddr(a.addr, a.port, a.scope))
    except OSError as e:
        log("tcp-client: connect to [%s]:%d failed after %.2fs: %r"
            % (a.addr, a.port, time.monotonic() - t0, e))
        s.close()
        return
    log("tcp-client: connected to [%s]:%d after %.2fs"
        % (a.addr, a.port, time.monotonic() - t0))
    s.sendall(a.data.encode())
    s.shutdown(socket.SHUT_WR)
    reply = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    except OSError as e:
        log("tcp-client: recv error %r" % e)
    log("tcp-client: got", reply)
    s.close()


def udp_server(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_DGRAM)
    s.bind(sockaddr(a.addr, a.port))
    s.settimeout(a.timeout)
    ready(a.ready)
    for _ in range(a.count):
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            log("udp-server: timed out")
            break
        s.sendto(b"reply:" + data, peer)
    s.close()


def udp_client(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_DGRAM)
    s.settimeout(a.timeout)
    # connect() so that ICMP errors are reported back on this socket
    s.connect(sockaddr(a.addr, a.port))
    s.send(a.data.encode())
    if a.noreply:
        time.sleep(0.2)
    try:
        log("udp-client: got", s.recv(2048))
    except OSError as e:
        log("udp-client: %r" % e)
    s.close()



def ping6(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    ident = os.getpid() & 0xFFFF
    dst = sockaddr(a.addr, 0, a.scope)
    for seq in range(1, a.count + 1):
        payload = b"scopescan-fixture" + bytes(15)
        pkt = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + payload
        t0 = time.monotonic()
        try:
            s.sendto(pkt, dst)
        except OSError as e:
            log("ping6: send error %r" % e)
        deadline = t0 + a.timeout
        got = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            data, peer = s.recvfrom(2048)
            if len(data) >= 8 and data[0] == 129:
                rid, rseq = struct.unpack("!HH", data[4:8])
                if rid == ident and rseq == seq:
                    log("ping6: reply seq=%d from %s in %.1f ms"
                        % (seq, peer[0], (time.monotonic() - t0) * 1000))
                    got = True
                    break
        if not got:
            log("ping6: no reply seq=%d" % seq)
        rest = a.interval - (time.monotonic() - t0)
        if seq < a.count and rest > 0:
            time.sleep(rest)
    s.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("tcp-server", "tcp-client", "udp-server", "udp-client", "ping6"):
        q = sub.add_parser(name)
        q.add_argument("addr")
        if name != "ping6":
            q.add_argument("port", type=int)
        q.add_argument("--scope")
        q.add_argument("--timeout", type=float, default=10.0)
        q.add_argument("--ready")
        q.add_argument("--count", type=int, default=1)
        q.add_argument("--freebind", action="store_true")
        q.add_argument("--bind")
        q.add_argument("--data", default="hello scopescan\n")
        q.add_argument("--noreply", action="store_true")
        q.add_argument("--interval", type=float, default=1.0)
    a = p.parse_args()
    a.data = a.data.replace("\\n", "\n")
    {"tcp-server": tcp_server, "tcp-client": tcp_client,
     "udp-server": udp_server, "udp-client": udp_client,
     "ping6": ping6}[a.cmd](a)


if __name__ == "__main__":
    main()
