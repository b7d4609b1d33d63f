#!/usr/bin/env bash
# Counts heap allocations of `scopescan analyze` with valgrind (memcheck's "total heap usage") to
# show that decoding and analysing a packet allocates nothing: two captures of the same flows and
# events over the same capture time, one with ten times the packets, must need the same number of
# allocations (within a few: frame numbers with more digits make a few longer finding texts).
#
#   Benchmarks/alloc-count.sh BIN SMALL.pcap LARGE.pcap   compare; exit 1 if allocations grow
#   Benchmarks/alloc-count.sh BIN FILE.pcap               just count (for information)
#
# Benchmarks/run.sh passes the steady-10k/steady-100k captures made by gen-captures.py (`steady`).
set -euo pipefail

[[ $# -ge 2 ]] || { sed -n '2,10p' "$0"; exit 2; }
command -v valgrind >/dev/null || { echo "alloc-count.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
BIN=$1; shift
# valgrind 3.19 gives up on the DWARF that Swift 6.3's toolchain writes ("Possibly corrupted
# debuginfo file"): count on a copy without the debug sections (the symbol table stays).
if command -v objcopy >/dev/null; then
    stripped=$(mktemp /tmp/alloc-count-bin.XXXXXX)
    trap 'rm -f "$stripped"' EXIT
    objcopy --strip-debug "$BIN" "$stripped"
    BIN=$stripped
fi

# allocs FILE: prints "packets allocations bytes"
allocs() {
    local log packets
    log=$(valgrind --tool=memcheck --leak-check=no "$BIN" analyze --format json "$1" 2>&1 >/tmp/alloc-count.$$)
    packets=$(grep -o '"packets":[0-9]*' /tmp/alloc-count.$$ | head -1 | cut -d: -f2)
    rm -f /tmp/alloc-count.$$
    # ==123==   total heap usage: 5,032 allocs, 4,875 frees, 1,130,686 bytes allocated
    echo "$log" | sed -n 's/.*total heap usage: \([0-9,]*\) allocs, [0-9,]* frees, \([0-9,]*\) bytes allocated.*/\1 \2/p' | tr -d , |
        awk -v p="$packets" '{print p, $1, $2}'
}

read -r p1 a1 b1 < <(allocs "$1")
echo "$(basename "$1"): $p1 packets, $a1 allocations, $b1 bytes"
[[ $# -ge 2 ]] || exit 0
read -r p2 a2 b2 < <(allocs "$2")
echo "$(basename "$2"): $p2 packets, $a2 allocations, $b2 bytes"
# Allowed: at most one allocation per 1000 extra packets (text of larger frame numbers).
awk -v p1="$p1" -v a1="$a1" -v p2="$p2" -v a2="$a2" 'BEGIN {
    extra = p2 - p1; grown = a2 - a1
    printf "growth: %d allocations for %d more packets (%.5f per packet)\n", grown, extra, grown / extra
    if (grown * 1000 > extra) { print "FAIL: allocations grow with the packet count"; exit 1 }
    print "PASS: no allocation per packet"
}'
