#!/usr/bin/env bash
# Live-capture scenarios for the end-to-end tests (Tests/scopescanTests/LiveCaptureTests.swift):
# each builds network namespaces, runs the real `scopescan capture` inside one while real kernel
# traffic flows, stops it with SIGINT and leaves its outputs in OUTDIR:
#   stdout (JSON Lines), stderr, status (exit code), capture.pcapng (-w).
# Usage: live-scenarios.sh SCENARIO SCOPESCAN_BINARY OUTDIR
# Traffic stays inside the namespaces (fe80::, 2001:db8::/32, ::1).
set -euo pipefail

scenario=$1 scopescan=$2 out=$3
here=$(cd "$(dirname "$0")/../.." && pwd)
nsu="$here/Fixtures/nsutil.py"
py=/usr/bin/python3
tag="sslive$$"
namespaces=()
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

mkns() {
    for ns in "$@"; do
        ip netns add "$ns"
        namespaces+=("$ns")
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
        if ip netns exec "$ns" test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then
            ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
        fi
        ip -n "$ns" link set lo up
    done
}

veth() { # NS1 IF1 NS2 IF2
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
}

# start_capture NS ARGS...: scopescan capture in NS, in the background, until stop_capture.
start_capture() {
    local ns=$1
    shift
    ip netns exec "$ns" "$scopescan" capture --format json -w "$out/capture.pcapng" "$@" >"$out/stdout" 2>"$out/stderr" &
    capture_pid=$!
    sleep 1.5 # the handles are open once the process has started; give it margin on a busy machine
}

stop_capture() {
    sleep 1
    kill -INT "$capture_pid"
    local status=0
    wait "$capture_pid" || status=$?
    echo "$status" >"$out/status"
}

case $scenario in
own-linklocal)
    # The host's own link-local address reached through lo (Linux reroutes and accepts).
    mkns "$tag-a" "$tag-b"
    veth "$tag-a" veth0 "$tag-b" veth1
    ip -n "$tag-a" -6 addr add fe80::a:1/64 dev veth0 nodad
    start_capture "$tag-a" -i lo -i veth0
    ip netns exec "$tag-a" "$py" "$nsu" tcp-server fe80::a:1 12981 --scope veth0 --ready "$out/ready" &
    pids+=($!)
    for _ in $(seq 50); do [[ -e $out/ready ]] && break; sleep 0.1; done
    ip netns exec "$tag-a" "$py" "$nsu" tcp-client fe80::a:1 12981 --scope veth0 --data "own link-local"
    stop_capture
    ;;
syn-dropped)
    # SYNs dropped by nftables in the peer: syn-unanswered must stream out once --syn-timeout passes.
    mkns "$tag-c" "$tag-s"
    veth "$tag-c" veth0 "$tag-s" veth1
    ip -n "$tag-c" -6 addr add 2001:db8:1::1/64 dev veth0 nodad
    ip -n "$tag-s" -6 addr add 2001:db8:1::2/64 dev veth1 nodad
    ip netns exec "$tag-c" sysctl -qw net.ipv4.tcp_syn_retries=2
    ip netns exec "$tag-s" nft add table inet f
    ip netns exec "$tag-s" nft add chain inet f in '{ type filter hook input priority 0; }'
    ip netns exec "$tag-s" nft add rule inet f in tcp dport 8080 tcp flags syn drop
    start_capture "$tag-c" -i veth0 --syn-timeout 2.5 tcp
    ip netns exec "$tag-c" "$py" "$nsu" tcp-client 2001:db8:1::2 8080 --timeout 6 || true
    sleep 2.5
    stop_capture
    ;;
kernel-drops)
    # Why packets die, from the kernel (capture --kernel-drops in the receiving namespace s):
    # an nftables input drop (8080), a closed port (8081), a crafted ::1 source on the veth (8082),
    # a non-local destination with forwarding off (8083), IPv6 disabled on the link (8084). A third
    # namespace x drops SYNs of its own meanwhile; none of them may show up.
    mkns "$tag-c" "$tag-s" "$tag-x"
    veth "$tag-c" veth0 "$tag-s" veth1
    ip -n "$tag-c" -6 addr add 2001:db8:1::1/64 dev veth0 nodad
    ip -n "$tag-s" -6 addr add 2001:db8:1::2/64 dev veth1 nodad
    ip netns exec "$tag-c" sysctl -qw net.ipv4.tcp_syn_retries=2
    ip netns exec "$tag-s" nft add table inet f
    ip netns exec "$tag-s" nft add chain inet f in '{ type filter hook input priority 0; }'
    ip netns exec "$tag-s" nft add rule inet f in tcp dport 8080 tcp flags syn drop
    ip netns exec "$tag-x" nft add table inet f
    ip netns exec "$tag-x" nft add chain inet f in '{ type filter hook input priority 0; }'
    ip netns exec "$tag-x" nft add rule inet f in tcp dport 8080 drop
    (for _ in $(seq 12); do ip netns exec "$tag-x" "$py" "$nsu" tcp-client ::1 8080 --timeout 0.5 || true; done) >/dev/null 2>&1 &
    pids+=($!)
    # Both neighbours known, so crafted frames need no resolution and replies none.
    smac=$(ip -n "$tag-s" -o link show veth1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
    ip -n "$tag-c" -6 neigh replace 2001:db8:1::2 lladdr "$smac" dev veth0 nud permanent
    start_capture "$tag-s" -i veth1 --kernel-drops --syn-timeout 30 --report "$out/report.md" --evidence "$out/evidence.pcapng" 'ip6'
    # Loading the kernel's symbols takes a moment (seconds in a debug build): wait until it traces.
    for _ in $(seq 150); do grep -q "kernel drop reasons: tracing" "$out/stderr" && break; sleep 0.1; done
    ip netns exec "$tag-c" "$py" "$nsu" tcp-client 2001:db8:1::2 8080 --timeout 4 || true
    ip netns exec "$tag-c" "$py" "$nsu" tcp-client 2001:db8:1::2 8081 --timeout 1 || true
    craft() { # SRC DST DPORT: one SYN from c's veth0 straight to s's MAC
        ip netns exec "$tag-c" "$py" -c "from scapy.all import *; conf.verb = 0; sendp(Ether(dst='$smac')/IPv6(src='$1', dst='$2')/TCP(sport=40000, dport=$3, flags='S', seq=1000), iface='veth0')"
    }
    craft ::1 2001:db8:1::2 8082
    craft 2001:db8:1::1 2001:db8:1::99 8083
    sleep 0.3
    ip netns exec "$tag-s" sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
    craft 2001:db8:1::1 2001:db8:1::2 8084
    stop_capture
    ;;
icmp6-unreachable)
    # A router namespace answers with ICMPv6 destination unreachable (no route).
    mkns "$tag-c" "$tag-r"
    veth "$tag-c" veth0 "$tag-r" veth1
    ip -n "$tag-c" -6 addr add 2001:db8:1::1/64 dev veth0 nodad
    ip -n "$tag-r" -6 addr add 2001:db8:1::fe/64 dev veth1 nodad
    ip -n "$tag-c" -6 route add default via 2001:db8:1::fe dev veth0
    ip netns exec "$tag-r" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0
    ip -n "$tag-r" -6 route add unreachable 2001:db8:99::/64
    start_capture "$tag-c" -i veth0 'tcp or icmp6'
    ip netns exec "$tag-c" "$py" "$nsu" tcp-client 2001:db8:99::1 80 --timeout 2 || true
    stop_capture
    ;;
udp-unreachable-lo)
    # UDP to a closed port on ::1: ICMPv6 port unreachable on lo.
    mkns "$tag-u"
    start_capture "$tag-u" -i lo
    ip netns exec "$tag-u" "$py" "$nsu" udp-client ::1 9 --timeout 1 --noreply --data "anyone?" || true
    stop_capture
    ;;
any)
    # -i any: SLL2 names each packet's interface.
    mkns "$tag-u"
    start_capture "$tag-u" -i any
    ip netns exec "$tag-u" "$py" "$nsu" udp-client ::1 9 --timeout 1 --noreply --data "anyone?" || true
    stop_capture
    ;;
*)
    echo "unknown scenario $scenario" >&2
    exit 2
    ;;
esac
