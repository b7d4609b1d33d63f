#!/bin/bash
# Builds scopescan with AddressSanitizer (debug, own scratch path) and runs
#   scopescan decode FILE --format json    and    scopescan analyze FILE --format json
# over every file in Fixtures/ (or the files given), the deliberately broken ones included.
# Each run must exit 0 (decoded / analysed) or 2 (unreadable input, reported on one line) and
# print no sanitizer report; anything else fails the script.
#
#   Scripts/asan-fixtures.sh [FILES...]
#   JOBS=1 Scripts/asan-fixtures.sh        # limit build parallelism on a shared machine
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCRATCH=${SCRATCH:-.build-asan}
build=(swift build -c debug --sanitize=address --scratch-path "$SCRATCH" --product scopescan)
[[ -n ${JOBS:-} ]] && build+=(-j "$JOBS")
echo "== ${build[*]}" >&2
# (ld.gold warns once per local ASan check symbol; those lines are dropped.)
"${build[@]}" 2>&1 | grep -v "Cannot export local symbol" >&2
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "asan-fixtures: build failed" >&2; exit 1; }
BIN="$SCRATCH/debug/scopescan"

# exitcode: an ASan error exits 86, which no scopescan path uses. detect_leaks: LeakSanitizer
# runs at exit too (its reports count as failures like any other).
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:exitcode=86:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}

if [[ $# -gt 0 ]]; then files=("$@"); else files=(Fixtures/*); fi
LOG=$(mktemp -d "${TMPDIR:-/tmp}/asan-fixtures.XXXXXX")
trap 'rm -rf "$LOG"' EXIT
runs=0 failures=0
printf '%-48s %-8s %5s %s\n' file command exit result
for file in "${files[@]}"; do
    [[ -f $file ]] || continue
    case $file in *.pcap|*.pcapng|*.cap) ;; *) continue ;; esac
    for command in decode analyze; do
        runs=$((runs + 1))
        "$BIN" "$command" "$file" --format json >"$LOG/out" 2>"$LOG/err"
        rc=$?
        result=ok
        if grep -qE 'Sanitizer|runtime error:|Fatal error|Illegal instruction' "$LOG/err"; then
            result="SANITIZER/TRAP REPORT"
        elif [[ $rc -ne 0 && $rc -ne 2 ]]; then
            result="BAD EXIT"
        elif [[ $rc -eq 2 && ! -s $LOG/err ]]; then
            result="EXIT 2 WITHOUT A MESSAGE"
        fi
        note=""
        [[ $rc -eq 2 ]] && note=" ($(head -c 100 "$LOG/err" | head -1))"
        printf '%-48s %-8s %5s %s%s\n' "$file" "$command" "$rc" "$result" "$note"
        if [[ $result != ok ]]; then
            failures=$((failures + 1))
            sed 's/^/    /' "$LOG/err" | head -60
        fi
    done
done
echo "asan-fixtures: $runs runs, $failures failure(s)"
[[ $failures -eq 0 ]]
