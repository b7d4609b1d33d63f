#!/bin/bash
# Runs the decoder fuzzer in one process over the seed corpus.
#
#   Fuzz/run.sh [RUNS] [extra libFuzzer flags...]     # RUNS defaults to 1000000
#   FUZZER=Fuzz/out/decoder-fuzzer-onone Fuzz/run.sh 2000000
#
# Seeds are read from Fuzz/corpus/ (never written: it stays the small committed set); inputs the
# fuzzer finds interesting go to Fuzz/out/corpus/ (gitignored), crashing inputs to Fuzz/crashes/.
# A crash stops the run and makes the script fail; triage it, fix the decoder, and move the input
# into Fuzz/regressions/ so Fuzz/replay.sh keeps checking it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS=${1:-1000000}
shift || true
FUZZER=${FUZZER:-Fuzz/out/decoder-fuzzer}
[[ -x $FUZZER ]] || Fuzz/build.sh "$([[ $FUZZER == *-onone ]] && echo -Onone || echo -O)"
mkdir -p Fuzz/out/corpus Fuzz/crashes
# One worker only (-jobs/-workers left at 1): the machine is shared.
exec "$FUZZER" Fuzz/out/corpus Fuzz/corpus \
    -runs="$RUNS" \
    -max_len=2048 \
    -timeout=10 \
    -use_value_profile=1 \
    -print_final_stats=1 \
    -artifact_prefix=Fuzz/crashes/ \
    "$@"
