#!/usr/bin/env bash
# The cost of `capture --kernel-drops` on a live capture (docs/performance.md): in a network
# namespace of its own, Benchmarks/loadgen.c sends RATE paced UDP datagrams/s to [::1]:9, where
# nothing listens, so the kernel drops every one of them after lo carried it (a steady stream of
# drops, each traced). `scopescan capture -i lo` takes the load with and without --kernel-drops;
# printed per run: the load reached, packets libpcap dropped, the capture's CPU (user+system) and
# the kernel drops it tied to frames. Needs root.
#
#   Benchmarks/kernel-drops-live.sh BIN [RATE] [SECONDS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:?usage: kernel-drops-live.sh BIN [RATE] [SECONDS] [RUNS]}")
RATE=${2:-100000} SECONDS_PER_RUN=${3:-5} RUNS=${4:-3}
OUT=Benchmarks/out
mkdir -p "$OUT"
cc -O2 -o "$OUT/loadgen" Benchmarks/loadgen.c
ns="sskdlive$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
# The port-unreachable answers would double the load; rate-limit them away.
ip netns exec "$ns" sysctl -qw net.ipv6.icmp.ratelimit=1000000

run() { # OPTIONS...: "achieved dropped cpu_seconds kernel_drops"
    local json=$OUT/kd-live.json
    ip netns exec "$ns" /usr/bin/time -f "%U %S" -o "$OUT/kd-live.time" \
        "$BIN" capture -i lo --format json -Z root --duration $((SECONDS_PER_RUN + 4)) "$@" 'udp port 9' > "$json" 2> "$OUT/kd-live.log" &
    local pid=$!
    for _ in $(seq 100); do grep -q "kernel drop reasons: tracing\|kernel drop reasons unavailable" "$OUT/kd-live.log" 2>/dev/null && break; [[ $# -eq 0 ]] && break; sleep 0.1; done
    sleep 1
    local achieved
    achieved=$(ip netns exec "$ns" "$OUT/loadgen" "$RATE" "$SECONDS_PER_RUN" | awk '{print $3}')
    wait $pid || true
    tail -1 "$json" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
dropped = sum(c["dropped"] + c.get("dropped_by_interface", 0) for c in s["capture"])
user, system = open(sys.argv[2]).read().split()[-2:]
print(sys.argv[1], dropped, round(float(user) + float(system), 2), s.get("kernel_drops", 0))' "$achieved" "$OUT/kd-live.time"
}

echo "capture -i lo at $RATE pps for ${SECONDS_PER_RUN} s, every datagram dropped by the kernel (closed UDP port), $RUNS runs each"
for i in $(seq "$RUNS"); do
    read -r a1 d1 c1 k1 < <(run)
    read -r a2 d2 c2 k2 < <(run --kernel-drops)
    echo "run $i: without: load $a1 pps, $d1 dropped by libpcap, ${c1} s CPU | --kernel-drops: load $a2 pps, $d2 dropped by libpcap, ${c2} s CPU, $k2 kernel drops tied"
done
