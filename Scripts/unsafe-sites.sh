#!/usr/bin/env bash
# Counts the unsafe sites strict memory safety (SE-0458) reports, per module, and fails when a
# module has more than Scripts/unsafe-baseline.txt allows (docs/architecture.md, "Where unsafe code
# may live").
#
#   Scripts/unsafe-sites.sh            count, print the table, compare with the baseline
#   Scripts/unsafe-sites.sh --update   the same, then write the counts as the new baseline
#                                      (for a count that went down; a rise needs a reason in review)
#
# Every Swift target builds with `.strictMemorySafety()` (Package.swift), so each use of an unsafe
# construct not written as an `unsafe` expression is a warning. Warnings only appear when a file
# compiles, so the project's own modules are rebuilt from scratch in a scratch directory of their
# own (.build-unsafe; dependencies stay built there), which takes a few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BASELINE=Scripts/unsafe-baseline.txt
SCRATCH=.build-unsafe
UPDATE=0
[[ ${1:-} == --update ]] && UPDATE=1

modules=$(ls -d Sources/*/ | xargs -n1 basename | while read -r m; do
    ls Sources/"$m"/*.swift >/dev/null 2>&1 && echo "$m"
done)
# Rebuild from scratch so every warning is emitted again. Removing only the modules' .build
# directories left llbuild's database expecting their output file maps (a second run failed with
# "unable to load output file map"), so everything but the package checkouts goes.
if [[ -d $SCRATCH ]]; then
    find "$SCRATCH" -mindepth 1 -maxdepth 1 ! -name checkouts ! -name repositories ! -name workspace-state.json -exec rm -rf {} +
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build --scratch-path "$SCRATCH" --product scopescan >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "unsafe-sites: the build failed" >&2
    exit 2
fi
# One site per file:line:column (the build prints some diagnostics more than once).
sites=$(grep -E '^/.*: warning: .*\[#StrictMemorySafety\]' "$log" | sed -E 's/^([^ ]*:[0-9]+:[0-9]+): .*/\1/' | sort -u)

status=0
printf '%-20s %6s %9s\n' module sites baseline
total=0
new_baseline=""
for m in $modules; do
    count=$(printf '%s\n' "$sites" | grep -c "/Sources/$m/" || true)
    allowed=$(awk -v m="$m" '$1 == m { print $2 }' "$BASELINE" 2>/dev/null || true)
    mark=""
    if [[ -z $allowed ]]; then
        allowed=0
    fi
    if (( count > allowed )); then
        mark="  ROSE"
        status=1
    elif (( count < allowed )); then
        mark="  (lower: run with --update)"
    fi
    printf '%-20s %6d %9d%s\n' "$m" "$count" "$allowed" "$mark"
    total=$((total + count))
    new_baseline+="$m $count"$'\n'
done
printf '%-20s %6d\n' total "$total"
echo "unsafe sites: $total"

if (( UPDATE )); then
    {
        echo "# Unsafe sites per module allowed by Scripts/unsafe-sites.sh (strict memory safety warnings)."
        echo "# Lower a count when sites go; a rise fails the tests. See docs/architecture.md."
        printf '%s' "$new_baseline"
    } > "$BASELINE"
    echo "unsafe-sites: wrote $BASELINE"
    exit 0
fi
if (( status )); then
    echo "unsafe-sites: more unsafe sites than $BASELINE allows; the new ones:" >&2
    for m in $modules; do
        allowed=$(awk -v m="$m" '$1 == m { print $2 }' "$BASELINE" 2>/dev/null || true)
        count=$(printf '%s\n' "$sites" | grep -c "/Sources/$m/" || true)
        (( count > ${allowed:-0} )) && printf '%s\n' "$sites" | grep "/Sources/$m/" | sed 's/^/  /' >&2
    done
    exit 1
fi
