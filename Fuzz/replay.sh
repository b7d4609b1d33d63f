#!/bin/bash
# CI check: replays every regression input and every seed through the fuzzer binaries once
# (-runs=0: no mutation), failing on any crash, sanitizer report or broken invariant.
#
#   Fuzz/replay.sh            # builds Fuzz/out/decoder-fuzzer{,-onone} if missing, replays with both
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -x Fuzz/out/decoder-fuzzer && -x Fuzz/out/decoder-fuzzer-onone ]] || Fuzz/build.sh
mkdir -p Fuzz/regressions
status=0
for fuzzer in Fuzz/out/decoder-fuzzer Fuzz/out/decoder-fuzzer-onone; do
    echo "== $fuzzer: $(find Fuzz/regressions -type f ! -name '.*' | wc -l) regressions, $(find Fuzz/corpus -type f | wc -l) seeds" >&2
    # With -runs=0 every file in the directories is executed once (.gitkeep is a harmless empty input).
    if ! "$fuzzer" -runs=0 -timeout=10 Fuzz/regressions Fuzz/corpus 2>Fuzz/out/replay.log; then
        cat Fuzz/out/replay.log >&2
        echo "replay: $fuzzer FAILED" >&2
        status=1
    else
        grep -E "^#[0-9]+.*(INITED|DONE)" Fuzz/out/replay.log | tail -1 >&2 || true
    fi
done
[[ $status -eq 0 ]] && echo "replay: all inputs passed" >&2
exit $status
