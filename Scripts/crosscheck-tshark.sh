#!/bin/bash
# Builds scopescan (debug, own scratch path) and cross-checks its decoder against tshark over the
# fixtures, or over the captures given as arguments. Exit status: that of crosscheck-tshark.py
# (0 = no mismatch, 1 = mismatches, 2 = tool error).
#
#   Scripts/crosscheck-tshark.sh                     # every fixture except the broken ones
#   Scripts/crosscheck-tshark.sh -v some.pcapng      # one file, listing every excepted field
#
# SCRATCH overrides the build directory (default .build-xcheck); SCOPESCAN skips the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v tshark >/dev/null || { echo "crosscheck-tshark.sh: tshark not found (apt-get install tshark)" >&2; exit 2; }
if [[ -z "${SCOPESCAN:-}" ]]; then
    SCRATCH=${SCRATCH:-.build-xcheck}
    swift build --scratch-path "$SCRATCH" --product scopescan >&2
    SCOPESCAN="$SCRATCH/debug/scopescan"
fi
exec python3 Scripts/crosscheck-tshark.py --scopescan "$SCOPESCAN" "$@"
