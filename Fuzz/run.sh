#!/bin/bash
# Runs one fuzzer in one process over its seeds.
#
#   Fuzz/run.sh [RUNS] [extra libFuzzer flags...]     # RUNS defaults to 1000000
#   FUZZER=Fuzz/out/decoder-fuzzer-onone Fuzz/run.sh 2000000
#   FUZZER=Fuzz/out/decoder-fuzzer-noasan Fuzz/run.sh 32000000   # no ASan: long decoder runs
#   FUZZER=Fuzz/out/reader-fuzzer Fuzz/run.sh 500000 -max_total_time=1200
#
# The decoder fuzzer's seeds are Fuzz/corpus/ (one fixture packet each), the reader fuzzer's the
# capture files in Fixtures/ (whole files; inputs up to 8 KiB). Seed directories are never
# written: inputs the fuzzer finds interesting go to Fuzz/out/corpus/ or Fuzz/out/reader-corpus/
# (gitignored), crashing inputs to Fuzz/crashes/. A crash stops the run and makes the script fail;
# triage it, fix the code, and move the input into Fuzz/regressions/ (decoder) or
# Fuzz/reader-regressions/ (reader) so Fuzz/replay.sh keeps checking it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS=${1:-1000000}
shift || true
FUZZER=${FUZZER:-Fuzz/out/decoder-fuzzer}
case $FUZZER in
    *-onone) BUILD=-Onone ;;
    *-noasan) BUILD=-O-noasan ;;
    *) BUILD=-O ;;
esac
[[ -x $FUZZER ]] || Fuzz/build.sh "$BUILD"
if [[ $FUZZER == *reader-fuzzer* ]]; then
    WORK=Fuzz/out/reader-corpus SEEDS=Fixtures MAX_LEN=8192
else
    WORK=Fuzz/out/corpus SEEDS=Fuzz/corpus MAX_LEN=2048
fi
mkdir -p "$WORK" Fuzz/crashes
# One worker only (-jobs/-workers left at 1): the machine is shared.
exec "$FUZZER" "$WORK" "$SEEDS" \
    -runs="$RUNS" \
    -max_len="$MAX_LEN" \
    -timeout=10 \
    -use_value_profile=1 \
    -print_final_stats=1 \
    -artifact_prefix=Fuzz/crashes/ \
    "$@"
