#!/bin/bash
# Builds the libFuzzer targets, instrumented for libFuzzer and AddressSanitizer:
#   decoder-fuzzer   the ScopeScanWire sources and Fuzz/DecoderFuzzer compiled as one module;
#   reader-fuzzer    Fuzz/ReaderFuzzer against the ScopeScanWire, ScopeScanCapture, ScopeScanRules
#                    and ScopeScanReport modules, each compiled with the same instrumentation, and
#                    linked with libpcap.
#
#   Fuzz/build.sh            # all four binaries below
#   Fuzz/build.sh -O         # Fuzz/out/decoder-fuzzer, Fuzz/out/reader-fuzzer  (optimized: fast,
#                            #  ASan catches reads outside heap buffers)
#   Fuzz/build.sh -O-noasan  # Fuzz/out/decoder-fuzzer-noasan (the decoder without ASan: long runs)
#   Fuzz/build.sh -Onone     # Fuzz/out/decoder-fuzzer-onone, Fuzz/out/reader-fuzzer-onone (also
#                            #  trap on Swift's debug bounds checks: a read outside a view's slice
#                            #  that still lies inside the input, or inside a mapped file)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SWIFTC=${SWIFTC:-swiftc}
mkdir -p Fuzz/out
FLAGS=(-sanitize=fuzzer,address -parse-as-library -g -swift-version 6 -enable-experimental-feature Lifetimes)
# Linking uses lld (-use-ld=lld): gold warns about every local ASan check symbol.

build_decoder() {
    local opt=$1 out=$2
    echo "== $SWIFTC $opt -> $out" >&2
    "$SWIFTC" "${FLAGS[@]}" "$opt" -use-ld=lld \
        -module-name DecoderFuzzer \
        Sources/ScopeScanWire/*.swift Fuzz/DecoderFuzzer/*.swift \
        -o "$out"
}

build_reader() {
    local opt=$1 out=$2
    local modules=Fuzz/out/modules$opt
    mkdir -p "$modules"
    # ScopeScanSystem's C shim (prctl, capset), instrumented like the rest.
    echo "== clang $opt CScopeScanSystem" >&2
    clang -fsanitize=fuzzer-no-link,address -g -c Sources/CScopeScanSystem/shim.c -I Sources/CScopeScanSystem/include -o "$modules/CScopeScanSystem.o"
    # The kernel drop tracer's libbpf loader (the pipeline links it; the fuzzer never loads it).
    # SwiftPM makes its module map; here one is written beside the objects.
    echo "== clang $opt CKernelDrops" >&2
    clang -fsanitize=fuzzer-no-link,address -g -c Sources/CKernelDrops/kernel_drops.c -I Sources/CKernelDrops/include -I Sources/CKernelDrops -o "$modules/CKernelDrops.o"
    mkdir -p "$modules/CKernelDrops"
    printf 'module CKernelDrops {\n    header "%s/Sources/CKernelDrops/include/kernel_drops.h"\n    export *\n}\n' "$PWD" > "$modules/CKernelDrops/module.modulemap"
    for module in ScopeScanSystem ScopeScanWire ScopeScanPackets ScopeScanCapture ScopeScanRules ScopeScanReport ScopeScanKernel ScopeScanAnalysis; do
        echo "== $SWIFTC $opt $module" >&2
        local common=("${FLAGS[@]}" "$opt" -enable-testing -wmo -I "$modules" -I "$modules/CKernelDrops" -I Sources/CPcap -I Sources/CScopeScanSystem/include -I Sources/CZlib -I Sources/CZstd -I Sources/CLZ4 -module-name "$module")
        # The interface and the object in two steps: with -Onone -g, one invocation would also
        # wrap the module for the debugger into the same object path.
        "$SWIFTC" "${common[@]}" -emit-module -emit-module-path "$modules/$module.swiftmodule" Sources/"$module"/*.swift
        "$SWIFTC" "${common[@]}" -c Sources/"$module"/*.swift -o "$modules/$module.o"
    done
    echo "== $SWIFTC $opt -> $out" >&2
    "$SWIFTC" "${FLAGS[@]}" "$opt" -use-ld=lld -I "$modules" -I "$modules/CKernelDrops" -I Sources/CPcap -I Sources/CScopeScanSystem/include -I Sources/CZlib -I Sources/CZstd -I Sources/CLZ4 \
        -module-name ReaderFuzzer Fuzz/ReaderFuzzer/*.swift \
        "$modules"/ScopeScanSystem.o "$modules"/ScopeScanWire.o "$modules"/ScopeScanPackets.o "$modules"/ScopeScanCapture.o "$modules"/ScopeScanRules.o \
        "$modules"/ScopeScanReport.o "$modules"/ScopeScanKernel.o "$modules"/ScopeScanAnalysis.o "$modules"/CScopeScanSystem.o "$modules"/CKernelDrops.o \
        -lpcap -lbpf -lelf -lz -lzstd -llz4 -o "$out"
}

case "${1:-all}" in
    -O) build_decoder -O Fuzz/out/decoder-fuzzer; build_reader -O Fuzz/out/reader-fuzzer ;;
    -O-noasan)
        # The decoder alone without AddressSanitizer: ScopeScanWire has no unsafe code, so a span's
        # bounds trap catches every out-of-view read; about 8x the executions per second (Fuzz/README.md).
        FLAGS=(-sanitize=fuzzer "${FLAGS[@]:1}")
        build_decoder -O Fuzz/out/decoder-fuzzer-noasan ;;
    -Onone) build_decoder -Onone Fuzz/out/decoder-fuzzer-onone; build_reader -Onone Fuzz/out/reader-fuzzer-onone ;;
    all)
        build_decoder -O Fuzz/out/decoder-fuzzer; build_decoder -Onone Fuzz/out/decoder-fuzzer-onone
        build_reader -O Fuzz/out/reader-fuzzer; build_reader -Onone Fuzz/out/reader-fuzzer-onone ;;
    *) echo "usage: Fuzz/build.sh [-O|-O-noasan|-Onone]" >&2; exit 2 ;;
esac
