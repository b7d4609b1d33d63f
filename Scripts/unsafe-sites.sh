#!/usr/bin/env bash
# Unsafe code per module and per file against Scripts/unsafe-boundary.txt (docs/architecture.md,
# "Where unsafe code may live"). Prints the tables and "unsafe sites outside the boundary files: N".
#
#   Scripts/unsafe-sites.sh                    check (fails on an unmarked warning, an `unsafe` in a
#                                              file not listed, a count above its allowance, an
#                                              `unsafe` without its reason comment)
#   Scripts/unsafe-sites.sh --update           the same, then lower the allowances to the counts
#   Scripts/unsafe-sites.sh --update --admit   also raise allowances and add files (after a merge,
#                                              or a new boundary site: the list's diff is reviewed)
#   Scripts/unsafe-sites.sh --self-test        check the checker on fixtures that break each rule
#
# The unmarked warnings come from the compiler: the project is built (incrementally, in the build
# directory the tests use: .build, or $UNSAFE_SITES_SCRATCH), then every module of Sources/ is
# type-checked again with the arguments SwiftPM used, which emits all of its warnings in well under a minute.
# The `unsafe` expressions come from the source, by Scripts/unsafe-sites.py.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --self-test ]]; then
    exec /usr/bin/python3 Scripts/unsafe-sites.py --self-test
fi
SCRATCH=${UNSAFE_SITES_SCRATCH:-.build}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The type-check reads the dependencies' modules, so they must be current.
if ! nice swift build --scratch-path "$SCRATCH" --product scopescan >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "unsafe-sites: the build failed" >&2
    exit 2
fi
exec /usr/bin/python3 Scripts/unsafe-sites.py --manifest "$SCRATCH/debug.yaml" "$@"
