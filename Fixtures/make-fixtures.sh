#!/bin/bash
# Regenerates every capture in Fixtures/ (see README.md for what each holds).
#
#   sudo bash Fixtures/make-fixtures.sh            # everything
#   sudo bash Fixtures/make-fixtures.sh crafted    # only the synthetic files
#   sudo bash Fixtures/make-fixtures.sh real       # only the real-traffic files
#
# Real-traffic fixtures are made with Linux network namespaces, veth pairs and
# real kernel traffic (python3 sockets from nsutil.py), captured with tcpdump
# (classic pcap) or dumpcap (pcapng).  Traffic never leaves the namespaces this
# script creates: only ::1/127.0.0.1, fe80::/10 and 2001:db8::/32 are used.
# Every scenario runs in a subshell whose EXIT trap stops its own background
# processes (by pid) and deletes its own namespaces.
#
# Real captures differ slightly between runs (timestamps, ISNs, ports); the
# committed files are the reference that README.md describes.
set -euo pipefail
shopt -s nullglob

if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    echo "make-fixtures.sh: must be run as root (it creates network namespaces and captures packets): sudo bash $0" >&2
    exit 1
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PY=/usr/bin/python3
NSU="$HERE/nsutil.py"
WHAT=${1:-all}

for tool in ip nft tcpdump dumpcap tshark editcap mergecap "$PY"; do
    command -v "$tool" >/dev/null || { echo "make-fixtures.sh: missing tool: $tool" >&2; exit 1; }
done
"$PY" -c 'import scapy' 2>/dev/null || { echo "make-fixtures.sh: $PY cannot import scapy (apt-get install python3-scapy)" >&2; exit 1; }

# All namespaces this script ever creates (removed at start if an earlier run was killed hard).
ALL_NS=(ssfx-ns ssfx-peer ssfx-c ssfx-s ssfx-r ssfx-u ssfx-a ssfx-n ssfx-lo ssfx-h ssfx-p)

log() { echo "== $*" >&2; }

# ---------------------------------------------------------------- helpers
# These are used inside scenario subshells; each subshell keeps its own lists.
MY_NS=()
MY_PIDS=()
TMPD=""

scenario_cleanup() {
    local rc=$?
    local p
    for p in "${MY_PIDS[@]}"; do
        kill -INT "$p" 2>/dev/null || true
    done
    for p in "${MY_PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    local ns
    for ns in "${MY_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    [[ -n $TMPD ]] && rm -rf "$TMPD"
    return $rc
}

scenario_begin() {
    MY_NS=()
    MY_PIDS=()
    TMPD=$(mktemp -d /tmp/ssfx.XXXXXX)
    trap scenario_cleanup EXIT
}

# mkns NAME...: fresh namespace, lo up, no DAD, no router solicitations,
# exponential SYN backoff.
mkns() {
    local ns
    for ns in "$@"; do
        ip netns del "$ns" 2>/dev/null || true
        ip netns add "$ns"
        MY_NS+=("$ns")
        ip netns exec "$ns" sysctl -qw \
            net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
        # Linux >= 6.7 retransmits the first SYNs at a linear 1 s pace
        # (tcp_syn_linear_timeouts=4); turn that off to get the classic
        # exponential 1 s, 2 s, 4 s backoff.
        if ip netns exec "$ns" test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then
            ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
        fi
        ip -n "$ns" link set lo up
    done
}

# vethpair NS1 IF1 MAC1 NS2 IF2 MAC2 (fixed MACs keep the captures stable)
vethpair() {
    ip link add "$2" netns "$1" address "$3" type veth peer name "$5" netns "$4" address "$6"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

# cap_start NS LOGNAME tcpdump|dumpcap ARGS...: start a capture in NS in the
# background and wait until it is really capturing.  Sets CAP_PID.
cap_start() {
    local ns=$1 name=$2 tool=$3
    shift 3
    local errf="$TMPD/$name.err"
    if [[ $tool == tcpdump ]]; then
        ip netns exec "$ns" tcpdump -Z root -U "$@" 2>"$errf" &
    else
        ip netns exec "$ns" dumpcap -q "$@" 2>"$errf" &
    fi
    CAP_PID=$!
    MY_PIDS+=("$CAP_PID")
    local i
    for i in $(seq 100); do
        if grep -qE 'listening on|Capturing on' "$errf" 2>/dev/null; then
            break
        fi
        kill -0 "$CAP_PID" 2>/dev/null || { cat "$errf" >&2; echo "capture $name died" >&2; return 1; }
        sleep 0.1
    done
    sleep 1
}

# cap_stop PID: let the last packets arrive, then stop the capture cleanly.
cap_stop() {
    sleep 1
    kill -INT "$1"
    wait "$1" || true
}

# spawn NS CMD...: run in the background inside NS; sets BG_PID
spawn() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@" &
    BG_PID=$!
    MY_PIDS+=("$BG_PID")
}

wait_file() {
    local i
    for i in $(seq 100); do
        [[ -e $1 ]] && return 0
        sleep 0.1
    done
    echo "timed out waiting for $1" >&2
    return 1
}

nsu() { local ns=$1; shift; ip netns exec "$ns" "$PY" "$NSU" "$@"; }

# Standard two-namespace link: $1 (veth0, 02:00:00:00:01:01, 2001:db8:1::1)
#                         <-> $2 (veth1, 02:00:00:00:01:02, 2001:db8:1::2)
two_hosts() {
    mkns "$1" "$2"
    vethpair "$1" veth0 02:00:00:00:01:01 "$2" veth1 02:00:00:00:01:02
    ip -n "$1" -6 addr add 2001:db8:1::1/64 dev veth0 nodad
    ip -n "$2" -6 addr add 2001:db8:1::2/64 dev veth1 nodad
}

drop_syn() { # drop_syn NS PORT
    ip netns exec "$1" nft add table inet f
    ip netns exec "$1" nft add chain inet f in '{ type filter hook input priority 0; }'
    ip netns exec "$1" nft add rule inet f in tcp dport "$2" tcp flags syn drop
}

# ---------------------------------------------------------------- scenarios

# Own link-local address (fe80::a:1 on veth0) connected to from the same host:
# Linux delivers it over lo (Ethernet link type, zero MACs).
linklocal_lo() (
    scenario_begin
    log "linux-own-linklocal-lo.{pcapng,pcap}"
    mkns ssfx-ns ssfx-peer
    vethpair ssfx-ns veth0 02:00:00:00:0a:01 ssfx-peer veth1 02:00:00:00:0a:02
    ip -n ssfx-ns -6 addr add fe80::a:1/64 dev veth0 nodad
    rm -f linux-own-linklocal-lo.pcapng linux-own-linklocal-lo.pcap
    cap_start ssfx-ns dumpcap dumpcap -i lo -w "$HERE/linux-own-linklocal-lo.pcapng"
    local p1=$CAP_PID
    cap_start ssfx-ns tcpdump tcpdump -i lo -w "$HERE/linux-own-linklocal-lo.pcap"
    local p2=$CAP_PID
    spawn ssfx-ns "$PY" "$NSU" tcp-server fe80::a:1 12981 --scope veth0 --ready "$TMPD/ready"
    local srv=$BG_PID
    wait_file "$TMPD/ready"
    nsu ssfx-ns tcp-client fe80::a:1 12981 --scope veth0 --data "own link-local\n"
    wait "$srv"
    cap_stop "$p2"
    cap_stop "$p1"
)

# One pcapng, two interfaces (lo + veth0): own-link-local connect on lo while
# a connect to the peer on veth0 has its SYNs dropped.
two_interfaces() (
    scenario_begin
    log "linux-two-interfaces.pcapng"
    mkns ssfx-ns ssfx-peer
    vethpair ssfx-ns veth0 02:00:00:00:0a:01 ssfx-peer veth1 02:00:00:00:0a:02
    ip -n ssfx-ns -6 addr add fe80::a:1/64 dev veth0 nodad
    ip -n ssfx-ns -6 addr add 2001:db8:1::1/64 dev veth0 nodad
    ip -n ssfx-peer -6 addr add 2001:db8:1::2/64 dev veth1 nodad
    ip netns exec ssfx-ns sysctl -qw net.ipv4.tcp_syn_retries=2
    drop_syn ssfx-peer 8080
    rm -f linux-two-interfaces.pcapng
    # veth0: keep TCP and neighbour discovery, leave out MLD reports
    cap_start ssfx-ns dumpcap dumpcap -i lo -i veth0 -f 'tcp or (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)' \
        -w "$HERE/linux-two-interfaces.pcapng"
    local cap=$CAP_PID
    spawn ssfx-ns "$PY" "$NSU" tcp-client 2001:db8:1::2 8080 --timeout 10 --data "dropped\n"
    local cli=$BG_PID
    spawn ssfx-ns "$PY" "$NSU" tcp-server fe80::a:1 12981 --scope veth0 --ready "$TMPD/ready"
    local srv=$BG_PID
    wait_file "$TMPD/ready"
    sleep 0.5
    nsu ssfx-ns tcp-client fe80::a:1 12981 --scope veth0 --data "own link-local\n"
    wait "$srv"
    wait "$cli"
    cap_stop "$cap"
)

# SYNs to [2001:db8:1::2]:8080 dropped by nftables in the server namespace.
syn_dropped() (
    scenario_begin
    log "linux-syn-dropped.pcap"
    two_hosts ssfx-c ssfx-s
    ip netns exec ssfx-c sysctl -qw net.ipv4.tcp_syn_retries=2
    drop_syn ssfx-s 8080
    cap_start ssfx-c tcpdump tcpdump -i veth0 -w "$HERE/linux-syn-dropped.pcap" tcp
    local cap=$CAP_PID
    nsu ssfx-c tcp-client 2001:db8:1::2 8080 --timeout 10
    cap_stop "$cap"
)

# The first two SYNs are dropped, the rule is removed, the third is answered.
syn_dropped_then_answered() (
    scenario_begin
    log "linux-syn-dropped-then-answered.pcap"
    two_hosts ssfx-c ssfx-s
    drop_syn ssfx-s 8080
    spawn ssfx-s "$PY" "$NSU" tcp-server 2001:db8:1::2 8080 --ready "$TMPD/ready" --timeout 20
    local srv=$BG_PID
    wait_file "$TMPD/ready"
    cap_start ssfx-c tcpdump tcpdump -i veth0 -w "$HERE/linux-syn-dropped-then-answered.pcap" tcp
    local cap=$CAP_PID
    spawn ssfx-c "$PY" "$NSU" tcp-client 2001:db8:1::2 8080 --timeout 15 --data "late but fine\n"
    local cli=$BG_PID
    sleep 2.5
    ip netns exec ssfx-s nft flush chain inet f in
    wait "$cli"
    wait "$srv"
    cap_stop "$cap"
)

# Client -> router r; r has 'unreachable' and 'prohibit' routes and answers
# with ICMPv6 destination unreachable code 0 and code 1.
icmp6_unreachable() (
    scenario_begin
    log "linux-icmp6-unreachable.pcap"
    mkns ssfx-c ssfx-r
    vethpair ssfx-c veth0 02:00:00:00:01:01 ssfx-r veth1 02:00:00:00:01:fe
    ip -n ssfx-c -6 addr add 2001:db8:1::1/64 dev veth0 nodad
    ip -n ssfx-r -6 addr add 2001:db8:1::fe/64 dev veth1 nodad
    ip -n ssfx-c -6 route add default via 2001:db8:1::fe dev veth0
    ip netns exec ssfx-r sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0
    ip -n ssfx-r -6 route add unreachable 2001:db8:99::/64
    ip -n ssfx-r -6 route add prohibit 2001:db8:98::/64
    cap_start ssfx-c tcpdump tcpdump -i veth0 -w "$HERE/linux-icmp6-unreachable.pcap" 'tcp or (icmp6 and ip6[40] < 133)'
    local cap=$CAP_PID
    nsu ssfx-c tcp-client 2001:db8:99::1 80 --timeout 3
    sleep 0.5
    nsu ssfx-c tcp-client 2001:db8:98::1 80 --timeout 3
    cap_stop "$cap"
)

# UDP to a closed port on ::1 and on 127.0.0.1 -> ICMPv6 1/4 and ICMPv4 3/3 on lo.
udp_port_unreachable_lo() (
    scenario_begin
    log "linux-udp-port-unreachable-lo.pcap"
    mkns ssfx-u
    cap_start ssfx-u tcpdump tcpdump -i lo -w "$HERE/linux-udp-port-unreachable-lo.pcap"
    local cap=$CAP_PID
    nsu ssfx-u udp-client ::1 9 --timeout 1 --noreply --data "anyone on 9?\n"
    nsu ssfx-u udp-client 127.0.0.1 9 --timeout 1 --noreply --data "anyone on 9?\n"
    cap_stop "$cap"
)

# Connect to a port nobody listens on: SYN, RST-ACK.
tcp_refused() (
    scenario_begin
    log "linux-tcp-refused.pcap"
    two_hosts ssfx-c ssfx-s
    cap_start ssfx-c tcpdump tcpdump -i veth0 -w "$HERE/linux-tcp-refused.pcap" tcp
    local cap=$CAP_PID
    nsu ssfx-c tcp-client 2001:db8:1::2 8081 --timeout 3
    cap_stop "$cap"
)

# AnyIP: 2001:db8:123::/64 routed 'local' via lo, server binds with IP_FREEBIND.
anyip_freebind_lo() (
    scenario_begin
    log "linux-anyip-freebind-lo.pcap"
    mkns ssfx-a
    ip -n ssfx-a -6 route add local 2001:db8:123::/64 dev lo
    spawn ssfx-a "$PY" "$NSU" tcp-server 2001:db8:123::1 8080 --freebind --ready "$TMPD/ready"
    local srv=$BG_PID
    wait_file "$TMPD/ready"
    cap_start ssfx-a tcpdump tcpdump -i lo -w "$HERE/linux-anyip-freebind-lo.pcap"
    local cap=$CAP_PID
    nsu ssfx-a tcp-client 2001:db8:123::1 8080 --data "anyip\n"
    wait "$srv"
    cap_stop "$cap"
)

# Pings to on-link addresses nobody owns: Neighbor Solicitations, no Advertisement.
neighbor_unresolved() (
    scenario_begin
    log "linux-neighbor-unresolved.pcap"
    two_hosts ssfx-n ssfx-peer
    cap_start ssfx-n tcpdump tcpdump -i veth0 -w "$HERE/linux-neighbor-unresolved.pcap" 'icmp6 and ip6[40] != 143'
    local cap=$CAP_PID
    nsu ssfx-n ping6 fe80::dead --scope veth0 --count 3 --interval 1 --timeout 0.9
    sleep 1
    nsu ssfx-n ping6 2001:db8:1::99 --count 3 --interval 1 --timeout 0.9
    sleep 1
    cap_stop "$cap"
)

# Everything answered: ping (with NS/NA), TCP with data and FIN, UDP request/reply.
clean() (
    scenario_begin
    log "linux-clean.pcap"
    two_hosts ssfx-c ssfx-s
    spawn ssfx-s "$PY" "$NSU" tcp-server 2001:db8:1::2 8080 --ready "$TMPD/tready"
    local tsrv=$BG_PID
    spawn ssfx-s "$PY" "$NSU" udp-server 2001:db8:1::2 47010 --ready "$TMPD/uready"
    local usrv=$BG_PID
    wait_file "$TMPD/tready"
    wait_file "$TMPD/uready"
    cap_start ssfx-c tcpdump tcpdump -i veth0 -w "$HERE/linux-clean.pcap" 'tcp or udp or (icmp6 and ip6[40] != 143)'
    local cap=$CAP_PID
    nsu ssfx-c ping6 2001:db8:1::2 --count 2 --interval 0.5 --timeout 2
    nsu ssfx-c tcp-client 2001:db8:1::2 8080 --data "clean tcp\n"
    nsu ssfx-c udp-client 2001:db8:1::2 47010 --timeout 2 --data "clean udp\n"
    wait "$tsrv"
    wait "$usrv"
    cap_stop "$cap"
)

# Asymmetric routing: host h reaches p over link A (veth0) but p's host route
# sends the replies back over link B (arriving on h's veth1).  Linux accepts
# them (weak host model), so one TCP flow is split over two interfaces.
asymmetric_two_interfaces() (
    scenario_begin
    log "linux-asymmetric-two-interfaces.pcapng"
    mkns ssfx-h ssfx-p
    vethpair ssfx-h veth0 02:00:00:00:0a:01 ssfx-p vetha 02:00:00:00:0a:02
    vethpair ssfx-h veth1 02:00:00:00:0b:01 ssfx-p vethb 02:00:00:00:0b:02
    ip -n ssfx-h -6 addr add 2001:db8:a::1/64 dev veth0 nodad
    ip -n ssfx-h -6 addr add 2001:db8:b::1/64 dev veth1 nodad
    ip -n ssfx-p -6 addr add 2001:db8:a::2/64 dev vetha nodad
    ip -n ssfx-p -6 addr add 2001:db8:b::2/64 dev vethb nodad
    ip -n ssfx-p -6 route add 2001:db8:a::1/128 via 2001:db8:b::1 dev vethb
    spawn ssfx-p "$PY" "$NSU" tcp-server 2001:db8:a::2 8080 --ready "$TMPD/ready"
    local srv=$BG_PID
    wait_file "$TMPD/ready"
    rm -f linux-asymmetric-two-interfaces.pcapng
    cap_start ssfx-h dumpcap dumpcap -i veth0 -f tcp -i veth1 -f tcp -w "$HERE/linux-asymmetric-two-interfaces.pcapng"
    local cap=$CAP_PID
    nsu ssfx-h tcp-client 2001:db8:a::2 8080 --data "there and back again\n"
    wait "$srv"
    cap_stop "$cap"
)

# The reroute seen from both sides: the own-link-local connect goes through lo, and an nftables
# netdev rule duplicates every packet arriving on lo out of veth0 as well, so a two-interface capture holds each packet
# of the flow on lo and on veth0, as Wireshark shows it on macOS capturing en0 and lo0 together.
reroute_both_sides() (
    scenario_begin
    log "linux-reroute-both-sides.pcapng"
    mkns ssfx-ns ssfx-peer
    vethpair ssfx-ns veth0 02:00:00:00:0c:01 ssfx-peer veth1 02:00:00:00:0c:02
    ip -n ssfx-ns -6 addr add fe80::a:1/64 dev veth0 nodad
    ip netns exec ssfx-ns nft add table netdev mirror
    ip netns exec ssfx-ns nft add chain netdev mirror lo_in '{ type filter hook ingress device "lo" priority 0; }'
    ip netns exec ssfx-ns nft add rule netdev mirror lo_in dup to '"veth0"'
    spawn ssfx-ns "$PY" "$NSU" tcp-server fe80::a:1 12981 --scope veth0 --ready "$TMPD/ready"
    local srv=$BG_PID
    wait_file "$TMPD/ready"
    rm -f linux-reroute-both-sides.pcapng
    cap_start ssfx-ns dumpcap dumpcap -i lo -f tcp -i veth0 -f tcp -w "$HERE/linux-reroute-both-sides.pcapng"
    local cap=$CAP_PID
    nsu ssfx-ns tcp-client fe80::a:1 12981 --scope veth0 --data "seen twice\n"
    wait "$srv"
    cap_stop "$cap"
)

# TCP to [::1] and 127.0.0.1 on lo: nothing wrong.
clean_lo() (
    scenario_begin
    log "linux-clean-lo.pcap"
    mkns ssfx-lo
    spawn ssfx-lo "$PY" "$NSU" tcp-server ::1 8080 --ready "$TMPD/r6"
    local s6=$BG_PID
    spawn ssfx-lo "$PY" "$NSU" tcp-server 127.0.0.1 8080 --ready "$TMPD/r4"
    local s4=$BG_PID
    wait_file "$TMPD/r6"
    wait_file "$TMPD/r4"
    cap_start ssfx-lo tcpdump tcpdump -i lo -w "$HERE/linux-clean-lo.pcap"
    local cap=$CAP_PID
    nsu ssfx-lo tcp-client ::1 8080 --data "loopback v6\n"
    nsu ssfx-lo tcp-client 127.0.0.1 8080 --data "loopback v4\n"
    wait "$s6"
    wait "$s4"
    cap_stop "$cap"
)

# NFLOG (LINKTYPE_NFLOG 239): the server's nftables log its dropped SYNs (input hook, 1) and its
# own outgoing connection attempts (output hook, 3) to netlink group 16, with prefixes; tcpdump
# records the group as `nflog:16`, the real kernel's TLVs (prefix, hook, ifindex, payload).
nflog() (
    scenario_begin
    log "linktype-nflog.pcap"
    two_hosts ssfx-c ssfx-s
    ip -n ssfx-c addr add 192.0.2.1/24 dev veth0
    ip -n ssfx-s addr add 192.0.2.2/24 dev veth1
    ip netns exec ssfx-c sysctl -qw net.ipv4.tcp_syn_retries=1
    ip netns exec ssfx-s sysctl -qw net.ipv4.tcp_syn_retries=1
    ip netns exec ssfx-s nft add table inet f
    ip netns exec ssfx-s nft add chain inet f in '{ type filter hook input priority 0; }'
    ip netns exec ssfx-s nft add chain inet f out '{ type filter hook output priority 0; }'
    ip netns exec ssfx-s nft add rule inet f in tcp dport 8080 tcp flags syn log group 16 prefix '"scopescan: drop syn"' drop
    ip netns exec ssfx-s nft add rule inet f out tcp dport 9 tcp flags syn log group 16 prefix '"scopescan: out to 9"'
    cap_start ssfx-s tcpdump tcpdump -i nflog:16 -w "$HERE/linktype-nflog.pcap"
    local cap=$CAP_PID
    nsu ssfx-c tcp-client 2001:db8:1::2 8080 --timeout 2 || true
    nsu ssfx-c tcp-client 192.0.2.2 8080 --timeout 2 || true
    nsu ssfx-s tcp-client 2001:db8:1::1 9 --timeout 2 || true
    nsu ssfx-s tcp-client 192.0.2.1 9 --timeout 2 || true
    cap_stop "$cap"
)

crafted() {
    log "crafted fixtures (craft.py)"
    [[ -f linux-syn-dropped.pcap ]] || { echo "linux-syn-dropped.pcap missing: run the real scenarios first" >&2; exit 1; }
    "$PY" "$HERE/craft.py" "$HERE"
    # the link types of issue #16, and a mergecap pcapng of several (uses linktype-nflog.pcap)
    "$PY" "$HERE/craft_linktypes.py" "$HERE"
    # nanosecond classic pcap from the real syn-dropped capture
    editcap -F nsecpcap linux-syn-dropped.pcap nanosecond.pcap
    # truncated: cut in the middle of the last packet's bytes
    local size
    size=$(stat -c %s linux-syn-dropped.pcap)
    head -c $((size - 30)) linux-syn-dropped.pcap > truncated.pcap
    # mergecap: DLT_NULL + Ethernet -> one pcapng with two IDBs
    rm -f mergecap-null-ethernet.pcapng
    mergecap -F pcapng -w mergecap-null-ethernet.pcapng macos-lo0-own-linklocal.pcap linux-syn-dropped.pcap
}

real() {
    local ns
    for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    linklocal_lo
    two_interfaces
    syn_dropped
    syn_dropped_then_answered
    icmp6_unreachable
    udp_port_unreachable_lo
    tcp_refused
    anyip_freebind_lo
    neighbor_unresolved
    clean
    clean_lo
    asymmetric_two_interfaces
    reroute_both_sides
    nflog
}

verify() {
    log "verifying with tshark"
    local f bad=0
    for f in *.pcap *.pcapng; do
        case $f in
            not-a-capture.pcap|truncated.pcap|unsupported-linktype.pcap) continue ;;
        esac
        if ! tshark -r "$f" -V >/dev/null 2>"$TMPV"; then
            echo "tshark failed on $f:" >&2; cat "$TMPV" >&2; bad=1
        elif grep -v 'Running as user "root"' "$TMPV" | grep -q .; then
            echo "tshark complained about $f:" >&2; cat "$TMPV" >&2; bad=1
        fi
        # no frame may be malformed, except the deliberately small jumbogram
        local malformed
        malformed=$(tshark -r "$f" -Y _ws.malformed -T fields -e frame.number 2>/dev/null | tr '\n' ' ')
        if [[ -n $malformed && ! ( $f == ipv6-ext-headers.pcap && $malformed == "9 " ) ]]; then
            echo "tshark finds malformed frames in $f: $malformed" >&2; bad=1
        fi
    done
    return $bad
}

case $WHAT in
    all) real; crafted ;;
    real) real ;;
    crafted) crafted ;;
    linklocal_lo|two_interfaces|syn_dropped|syn_dropped_then_answered|icmp6_unreachable|\
    udp_port_unreachable_lo|tcp_refused|anyip_freebind_lo|neighbor_unresolved|clean|clean_lo|\
    asymmetric_two_interfaces|reroute_both_sides|nflog) "$WHAT" ;;
    *) echo "usage: $0 [all|real|crafted|<scenario function>]" >&2; exit 2 ;;
esac
chmod 0644 ./*.pcap ./*.pcapng 2>/dev/null || true
TMPV=$(mktemp)
trap 'rm -f "$TMPV"' EXIT
verify
log "done"
ls -l ./*.pcap ./*.pcapng >&2
