#!/usr/bin/env bash
# The man pages in docs/man/, generated from the command definitions by swift-argument-parser's
# generate-manual (the tool behind its GenerateManual plugin, built here from the package's own
# resolved checkout into a scratch path of its own): docs/man/scopescan.1 holds every subcommand,
# docs/man/scopescan.SUBCOMMAND.1 one each (man scopescan.capture).
#
#   Scripts/manual.sh           regenerate docs/man/ (run it after changing a command, an option or
#                               a help text); the pages' date is kept unless their text changed
#   Scripts/manual.sh --check   exit 1, showing the difference, when docs/man/ is stale
#                               (Tests/scopescanTests/ManualTests.swift runs this)
#   Scripts/manual.sh --tool    build generate-manual only and print its path
#
# SCOPESCAN and GENERATE_MANUAL name the two binaries instead of building them (the test does so:
# it must not start a build of the package it runs in).
#
# Two fixes on the generator's output, so that `man --warnings` is silent and no text is lost: an
# empty line (a blank line in a help text) becomes .Pp, and a text line starting with ' gets \&
# in front (troff takes such a line for a request and drops it).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"

if [[ -z "${GENERATE_MANUAL:-}" ]]; then
    scratch=$(dirname "$(dirname "$(swift build --show-bin-path)")")
    checkout="$scratch/checkouts/swift-argument-parser"
    [[ -d "$checkout" ]] || swift package resolve >/dev/null
    log=$(mktemp)
    if ! swift build --package-path "$checkout" --scratch-path "$scratch/generate-manual" --product generate-manual >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    GENERATE_MANUAL="$(swift build --package-path "$checkout" --scratch-path "$scratch/generate-manual" --show-bin-path)/generate-manual"
fi
if [[ "$mode" == "--tool" ]]; then
    echo "$GENERATE_MANUAL"
    exit 0
fi
if [[ -z "${SCOPESCAN:-}" ]]; then
    swift build -q --product scopescan >&2
    SCOPESCAN="$(swift build --show-bin-path)/scopescan"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# generate DATE DIRECTORY: every page, as committed, into DIRECTORY.
generate() {
    mkdir -p "$2/single" "$2/pages"
    "$GENERATE_MANUAL" "$SCOPESCAN" --date "$1" --output-directory "$2/single"
    "$GENERATE_MANUAL" "$SCOPESCAN" --date "$1" --multi-page --output-directory "$2/pages"
    # The single page is the whole manual; the multi-page run gives one page per subcommand.
    mv "$2/single/scopescan.1" "$2/pages/scopescan.1"
    for page in "$2/pages/"*.1; do
        sed -i -e 's/^$/.Pp/' -e "s/^'/\\\\\\&'/" "$page"
    done
}

# The date the committed pages carry (.Dd December 1, 2026), as generate-manual takes it.
committed_date=""
if [[ -f docs/man/scopescan.1 ]]; then
    committed_date=$(date -u -d "$(sed -n 's/^\.Dd //p' docs/man/scopescan.1)" +%Y-%m-%d)
fi

if [[ "$mode" == "--check" ]]; then
    [[ -n "$committed_date" ]] || { echo "docs/man/scopescan.1 is missing: run Scripts/manual.sh" >&2; exit 1; }
    generate "$committed_date" "$work/check"
    if ! diff -ru docs/man "$work/check/pages" >&2; then
        echo "docs/man is stale: run Scripts/manual.sh and commit docs/man" >&2
        exit 1
    fi
    exit 0
fi

if [[ -n "$committed_date" ]]; then
    generate "$committed_date" "$work/kept"
    if diff -rq docs/man "$work/kept/pages" >/dev/null; then
        echo "docs/man: up to date" >&2
        exit 0
    fi
fi
generate "$(date -u +%Y-%m-%d)" "$work/new"
rm -f docs/man/*.1
cp "$work/new/pages/"*.1 docs/man/
echo "docs/man: regenerated $(ls docs/man | wc -l) pages" >&2
