#!/bin/bash
# Builds the libFuzzer decoder target: the ScopeScanWire sources and the harness compiled as one
# module with swiftc, instrumented for libFuzzer and AddressSanitizer.
#
#   Fuzz/build.sh            # both builds below
#   Fuzz/build.sh -O         # Fuzz/out/decoder-fuzzer        (optimized: fast, ASan catches reads outside the input)
#   Fuzz/build.sh -Onone     # Fuzz/out/decoder-fuzzer-onone  (also traps on Swift's debug bounds checks:
#                            #  a read outside a view's slice that still lies inside the input)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SWIFTC=${SWIFTC:-swiftc}
mkdir -p Fuzz/out

build() {
    local opt=$1 out=$2
    echo "== $SWIFTC $opt -> $out" >&2
    # lld: gold warns about every local ASan check symbol.
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library "$opt" -g -swift-version 6 -use-ld=lld \
        -module-name DecoderFuzzer \
        Sources/ScopeScanWire/*.swift Fuzz/DecoderFuzzer/*.swift \
        -o "$out"
}

case "${1:-all}" in
    -O) build -O Fuzz/out/decoder-fuzzer ;;
    -Onone) build -Onone Fuzz/out/decoder-fuzzer-onone ;;
    all) build -O Fuzz/out/decoder-fuzzer; build -Onone Fuzz/out/decoder-fuzzer-onone ;;
    *) echo "usage: Fuzz/build.sh [-O|-Onone]" >&2; exit 2 ;;
esac
