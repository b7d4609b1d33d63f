#!/bin/bash
# CI check: replays every regression input and every seed through the fuzzer binaries once
# (-runs=0: no mutation), failing on any crash, sanitizer report or broken invariant.
#
#   Fuzz/replay.sh     # builds the fuzzers if missing, replays with the -O and -Onone builds of each:
#                      #   decoder: Fuzz/regressions + Fuzz/corpus
#                      #   reader:  Fuzz/reader-regressions + every file in Fixtures/ (captures and
#                      #            the damaged ones; the other files there are harmless inputs too)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for binary in decoder-fuzzer decoder-fuzzer-onone reader-fuzzer reader-fuzzer-onone; do
    [[ -x Fuzz/out/$binary ]] || { Fuzz/build.sh; break; }
done
mkdir -p Fuzz/regressions Fuzz/reader-regressions
status=0
replay() {
    local fuzzer=$1; shift
    echo "== $fuzzer: $(find "$@" -type f ! -name '.*' | wc -l) inputs ($*)" >&2
    # With -runs=0 every file in the directories is executed once.
    if ! "$fuzzer" -runs=0 -timeout=10 "$@" 2>Fuzz/out/replay.log; then
        cat Fuzz/out/replay.log >&2
        echo "replay: $fuzzer FAILED" >&2
        status=1
    else
        grep -E "^#[0-9]+.*(INITED|DONE)" Fuzz/out/replay.log | tail -1 >&2 || true
    fi
}
for build in "" -onone; do
    replay Fuzz/out/decoder-fuzzer$build Fuzz/regressions Fuzz/corpus
    replay Fuzz/out/reader-fuzzer$build Fuzz/reader-regressions Fixtures
done
[[ $status -eq 0 ]] && echo "replay: all inputs passed" >&2
exit $status
