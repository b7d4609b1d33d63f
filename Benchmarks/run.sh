#!/usr/bin/env bash
# scopescan benchmarks (docs/performance.md): generates the inputs, builds release, times every
# command side by side (by turns, interleave.py; hyperfine for start-up and the slow references),
# measures peak memory and allocations, and prints one table with medians, the ratios the targets
# of issue 20 are stated in, and PASS/FAIL for each.
#
#   Benchmarks/run.sh                 everything (under 10 minutes; the first run also generates
#                                     the inputs, about a minute)
#   Benchmarks/run.sh --quick         3 runs per round and 3 rounds, no tshark, no valgrind
#   Benchmarks/run.sh --runs 10       passes per round over the timed commands (default 6, 5 rounds)
#   Benchmarks/run.sh --rounds 3      rounds (default 5)
#   Benchmarks/run.sh --no-tshark     skip tshark, the slowest reference
#   Benchmarks/run.sh --no-alloc      skip the valgrind allocation check
#   Benchmarks/run.sh --live          also the live capture comparison on lo (Benchmarks/live.sh)
#   Benchmarks/run.sh --kernel-drops  also the cost of capture --kernel-drops (root; a namespace)
#   Benchmarks/run.sh --baseline BIN  also time BIN (an earlier build of scopescan) on the pcap and
#                                     the pcapng in the same rounds, interleaved with this build:
#                                     "no slower than before" is then one run's medians
#
# Inputs are generated once into Benchmarks/out/ (gitignored) with a fixed generator; they are
# remade when the generator changes. Results: Benchmarks/out/results.md (the table), *.json
# (hyperfine's format), machine.txt (what else was running). Measure on an otherwise idle machine: the
# script prints the busiest other processes first so you can tell, and the table lists any other
# process that used more than 10% of a CPU while the timings ran.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=6
ROUNDS=5
KDROPS=0
PACKETS=1000000
FLOOD_FLOWS=1000000
TSHARK=1
ALLOC=1
LIVE=0
BASELINE=
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --quick) RUNS=3; ROUNDS=3; TSHARK=0; ALLOC=0; shift ;;
        --kernel-drops) KDROPS=1; shift ;;
        --packets) PACKETS="$2"; shift 2 ;;
        --no-tshark) TSHARK=0; shift ;;
        --no-alloc) ALLOC=0; shift ;;
        --live) LIVE=1; shift ;;
        --baseline) BASELINE="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

OUT=Benchmarks/out
mkdir -p "$OUT"
# Results of an earlier run must not mix with this one's.
rm -f "$OUT"/analyze-*.json "$OUT"/reference-*.json "$OUT"/decode-*.json "$OUT"/startup-*.json "$OUT"/rss-*.txt "$OUT"/alloc*.txt "$OUT"/live.txt "$OUT"/kernel-drops.txt "$OUT"/activity.txt
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# --- tools -----------------------------------------------------------------------------------------
need() { command -v "$1" >/dev/null || { echo "run.sh: $1 is missing ($2)" >&2; exit 2; }; }
need hyperfine "apt-get install hyperfine"
need tcpdump "apt-get install tcpdump"
need cc "apt-get install gcc"
need zstd "apt-get install zstd"
need gzip "apt-get install gzip"
need swift "Swift 6.1 or newer"
if [[ ! -x /usr/bin/time ]]; then
    echo "run.sh: installing GNU time for peak RSS" >&2
    apt-get install -y time >/dev/null
fi
[[ $TSHARK == 1 ]] && need tshark "apt-get install tshark, or pass --no-tshark"
[[ $ALLOC == 1 ]] && need valgrind "apt-get install valgrind, or pass --no-alloc"

# --- build -----------------------------------------------------------------------------------------
# The Swift runtime and Foundation linked statically, as README's install line builds it: a quarter
# less start-up work (docs/performance.md, "Start-up").
echo "== building release (.build-bench)" >&2
swift build -c release --static-swift-stdlib --scratch-path .build-bench >&2
BIN="$(swift build -c release --static-swift-stdlib --scratch-path .build-bench --show-bin-path)/scopescan"
cc -O2 -o "$OUT/pcap-loop" Benchmarks/pcap-loop.c -lpcap
cc -O2 -o "$OUT/bare-walk" Benchmarks/bare-walk.c

# --- inputs ----------------------------------------------------------------------------------------
# Remade when the generator or the sizes change (the stamp records both).
stamp="$(sha256sum Benchmarks/gen-captures.py | cut -c1-16) $PACKETS $FLOOD_FLOWS"
if [[ ! -f $OUT/inputs.stamp || "$(cat "$OUT/inputs.stamp")" != "$stamp" || ! -f $OUT/mixed.pcap.zst || ! -f $OUT/mixed.pcap.gz || ! -f $OUT/one.pcap ]]; then
    echo "== generating inputs" >&2
    $PY Benchmarks/gen-captures.py mixed "$OUT/mixed.pcap" --packets "$PACKETS" --pcapng "$OUT/mixed.pcapng"
    $PY Benchmarks/gen-captures.py synflood "$OUT/synflood.pcap" --flows "$FLOOD_FLOWS"
    $PY Benchmarks/gen-captures.py steady "$OUT/steady-10k.pcap" --packets 10000
    $PY Benchmarks/gen-captures.py steady "$OUT/steady-100k.pcap" --packets 100000
    $PY Benchmarks/gen-captures.py mixed "$OUT/mixed-100k.pcap" --packets 100000
    zstd -q -f -c "$OUT/mixed.pcap" > "$OUT/mixed.pcap.zst"
    gzip -c "$OUT/mixed.pcap" > "$OUT/mixed.pcap.gz"
    # The first packet alone: what a script that calls scopescan per small file pays.
    tcpdump -r "$OUT/mixed.pcap" -c 1 -w "$OUT/one.pcap" 2>/dev/null
    echo "$stamp" > "$OUT/inputs.stamp"
fi
PCAP=$OUT/mixed.pcap
PCAPNG=$OUT/mixed.pcapng
ZST=$OUT/mixed.pcap.zst
GZ=$OUT/mixed.pcap.gz

# --- sanity: every reader sees the same packets, both formats give the same analysis -------------------
read -r loop_packets _ < <("$OUT/pcap-loop" "$PCAP")
[[ $loop_packets == "$PACKETS" ]] || { echo "run.sh: pcap-loop read $loop_packets packets, expected $PACKETS" >&2; exit 1; }
read -r walk_packets _ < <("$OUT/bare-walk" "$PCAP")
[[ $walk_packets == "$PACKETS" ]] || { echo "run.sh: bare-walk read $walk_packets packets, expected $PACKETS" >&2; exit 1; }
"$BIN" analyze "$PCAP" > "$OUT/analyze-pcap.txt"
"$BIN" analyze "$PCAPNG" > "$OUT/analyze-pcapng.txt"
cmp -s "$OUT/analyze-pcap.txt" "$OUT/analyze-pcapng.txt" || { echo "run.sh: pcap and pcapng analyses differ" >&2; exit 1; }
for compressed in "$ZST" "$GZ"; do
    "$BIN" analyze "$compressed" > "$OUT/analyze-compressed.txt"
    cmp -s "$OUT/analyze-pcap.txt" "$OUT/analyze-compressed.txt" || { echo "run.sh: the analysis of $compressed differs from the plain file's" >&2; exit 1; }
done
# The report names its input by its SHA-256: it must be sha256sum's.
"$BIN" analyze "$PCAP" --force --report "$OUT/bench-report.md" --evidence "$OUT/bench-evidence.pcapng" > /dev/null
grep -q "$(sha256sum "$PCAP" | cut -c1-64)" "$OUT/bench-report.md" || { echo "run.sh: the report's SHA-256 is not sha256sum's" >&2; exit 1; }
grep -q "^summary: $PACKETS packets" "$OUT/analyze-pcap.txt" || { echo "run.sh: scopescan did not read $PACKETS packets" >&2; exit 1; }

# --- the machine -----------------------------------------------------------------------------------
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
    echo "memory: $(free -g | awk '/^Mem:/{print $2}') GiB"
    echo "kernel: $(uname -r)"
    echo "libpcap: $(tcpdump --version 2>&1 | grep -m1 libpcap)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -1)"
    [[ $TSHARK == 1 ]] && echo "tshark: $(tshark --version 2>/dev/null | head -1)"
    echo "swift: $(swift --version 2>&1 | head -1)"
    echo "hyperfine: $(hyperfine --version)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "busiest other processes (%CPU since start):"
    # awk stops printing rather than head stopping reading: ps must not die of SIGPIPE (pipefail).
    # Not ps itself, which counts a CPU's worth for the instant it has run.
    busiest=$(ps -eo pcpu,etime,args --sort=-pcpu | awk 'NR>1 && $1 > 1.0 && $3 != "ps" && shown++ < 5' | cut -c1-150 | sed 's/^/  /')
    echo "${busiest:-  none above 1%}"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2
# Only processes that can run (-r: running, sleeping, waiting on disk): a defunct swift-frontend
# left by an earlier build is no build.
if pgrep -r R,S,D -f 'decoder-fuzzer|reader-fuzzer' >/dev/null || pgrep -r R,S,D -x swift-build >/dev/null || pgrep -r R,S,D -f swift-frontend >/dev/null; then
    echo "run.sh: WARNING: a fuzzer or a Swift build is running; the timings will be noisy" >&2
    echo "warning: fuzzer or swift build running during the measurement" >> "$OUT/machine.txt"
fi

# Page cache warm: every command reads the same files from memory.
cat "$PCAP" "$PCAPNG" "$ZST" "$GZ" "$OUT/synflood.pcap" > /dev/null

# What else ran during the timings: top's samples, every second, of processes over 10% CPU that are
# not the commands measured (report.py summarises them under "Machine").
top -b -d 1 -w 200 | awk '$1 ~ /^[0-9]+$/ && $9 + 0 > 10 && $12 !~ /^(scopescan|pcap-loop|bare-walk|tcpdump|tshark|dumpcap|hyperfine|top|valgrind|memcheck|wc|cat|zstd|gzip|zcat)/ { print strftime("%H:%M:%S"), $9, $12; fflush() }' > "$OUT/activity.txt" &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null || true' EXIT

# The commands of the targets (tens of milliseconds) run by turns: each round is RUNS passes, a
# pass runs every command once in a shuffled order, after one warm-up pass (interleave.py, which
# writes hyperfine's JSON). A slow stretch of the machine then slows one run of several commands
# instead of all the runs of one of them, which in hyperfine's runs, all of one command before the
# next, moved a ratio of two medians by up to 15%. report.py takes the median of all the runs. The
# start-up runs (milliseconds) and the slow references (seconds) use hyperfine, the references and
# the decode once per round.
HF=(hyperfine -N --warmup 1 --style basic)

# --- everything side by side, in one hyperfine run per round ------------------------------------------
# hyperfine sends each command's output to /dev/null, so `zstd -dc` and `gzip -dc` decompress to
# nowhere, as `> /dev/null` would. The report and evidence are rewritten each run (--force: the
# evidence of the previous run is a capture).
echo "== analyze vs the bare walk, libpcap, tcpdump, the decompressors and (unless --no-tshark) tshark" >&2
fast=(
    -n "bare walk (C, mapped file, record headers)" "$OUT/bare-walk $PCAP"
    -n "pcap-loop (libpcap pcap_next_ex)" "$OUT/pcap-loop $PCAP"
    -n "scopescan analyze (pcap)" "$BIN analyze $PCAP"
    -n "scopescan analyze (pcapng)" "$BIN analyze $PCAPNG"
    -n "scopescan analyze --report --evidence (pcap)" "$BIN analyze $PCAP --force --report $OUT/bench-report.md --evidence $OUT/bench-evidence.pcapng"
    -n "scopescan analyze (pcap.zst)" "$BIN analyze $ZST"
    -n "zstd -dc (pcap.zst)" "zstd -q -dc $ZST"
    -n "scopescan analyze (pcap.gz)" "$BIN analyze $GZ"
    -n "gzip -dc (pcap.gz)" "gzip -dc $GZ"
    -n "tcpdump -r -w /dev/null" "tcpdump -r $PCAP -w /dev/null"
)
if [[ -n $BASELINE ]]; then
    [[ -x $BASELINE ]] || { echo "run.sh: --baseline $BASELINE is not an executable" >&2; exit 2; }
    "$BASELINE" analyze "$PCAP" > "$OUT/analyze-baseline.txt"
    cmp -s "$OUT/analyze-pcap.txt" "$OUT/analyze-baseline.txt" || echo "run.sh: note: the baseline's analysis differs from this build's" >&2
    fast+=(-n "baseline analyze (pcap)" "$BASELINE analyze $PCAP" -n "baseline analyze (pcapng)" "$BASELINE analyze $PCAPNG")
fi
slow=(-n "TZ=UTC tcpdump -nr" "env TZ=UTC tcpdump -nr $PCAP")
[[ $TSHARK == 1 ]] && slow+=(-n "tshark -q -z expert" "tshark -r $PCAP -q -z expert")
for round in $(seq "$ROUNDS"); do
    echo "-- round $round of $ROUNDS" >&2
    # By turns: one run of each command per pass, in a shuffled order (Benchmarks/interleave.py).
    $PY Benchmarks/interleave.py --runs "$RUNS" --seed "$round" --export-json "$OUT/analyze-$round.json" "${fast[@]}" >&2
    # Start-up: milliseconds each, so many more runs.
    hyperfine -N --warmup 5 --style basic --runs $((RUNS * 10)) --export-json "$OUT/startup-$round.json" -n "scopescan analyze (1 packet: start-up)" "$BIN analyze $OUT/one.pcap" >&2
    "${HF[@]}" --runs 1 --export-json "$OUT/reference-$round.json" "${slow[@]}" >&2
done

# --- decode JSON: output-bound; its size gives the throughput ---------------------------------------------
echo "== decode --format json" >&2
"$BIN" decode --format json "$PCAP" | wc -c > "$OUT/decode-json.bytes"
for round in $(seq "$ROUNDS"); do
    "${HF[@]}" --runs 1 --export-json "$OUT/decode-$round.json" -n "scopescan decode --format json (pcap)" "$BIN decode --format json $PCAP" >&2
done

# --- memory: the SYN flood, and the mixed capture for comparison ----------------------------------------
echo "== peak RSS" >&2
rss() { # rss NAME command...: peak RSS in KiB and wall seconds into $OUT/rss-NAME.txt, stdout kept
    local name=$1; shift
    /usr/bin/time -f "%M %e" -o "$OUT/rss-$name.txt" "$@" > "$OUT/rss-$name.out"
}
# The flood's memory varies a little from run to run (Swift seeds its hashing per process, which
# changes which flows eviction samples); the largest of three runs is reported.
for i in 1 2 3; do
    rss "synflood-$i" "$BIN" analyze "$OUT/synflood.pcap"
done
sort -n -r "$OUT"/rss-synflood-[123].txt | head -1 > "$OUT/rss-synflood.txt"
cp "$OUT/rss-synflood-1.out" "$OUT/rss-synflood.out"
rss mixed-pcap "$BIN" analyze "$PCAP"
rss mixed-pcapng "$BIN" analyze "$PCAPNG"
rss loop "$OUT/pcap-loop" "$PCAP"

# --- allocations per packet ------------------------------------------------------------------------
if [[ $ALLOC == 1 ]]; then
    echo "== allocations (valgrind, takes a minute)" >&2
    Benchmarks/alloc-count.sh "$BIN" "$OUT/steady-10k.pcap" "$OUT/steady-100k.pcap" > "$OUT/alloc.txt"
    Benchmarks/alloc-count.sh "$BIN" "$OUT/mixed-100k.pcap" > "$OUT/alloc-mixed.txt" || true
fi

kill $SAMPLER 2>/dev/null || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

# --- live capture on lo ----------------------------------------------------------------------------
if [[ $LIVE == 1 ]]; then
    Benchmarks/live.sh "$BIN" > "$OUT/live.txt"
fi
# --- the cost of --kernel-drops (every packet a traced drop), for reference ------------------------------
if [[ $KDROPS == 1 ]]; then
    echo "== capture --kernel-drops (about a minute)" >&2
    Benchmarks/kernel-drops-live.sh "$BIN" 100000 5 2 > "$OUT/kernel-drops.txt" || echo "kernel-drops-live.sh failed (root, BPF and network namespaces needed)" > "$OUT/kernel-drops.txt"
fi

$PY Benchmarks/report.py "$OUT" "$PACKETS" | tee "$OUT/results.md"
