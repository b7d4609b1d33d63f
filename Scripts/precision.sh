#!/usr/bin/env bash
# Findings per rule and severity per 100 captures over every capture file in DIR.
#
#   Scripts/precision.sh DIR [scopescan-binary]
#
# Runs `scopescan analyze --format json` on each capture found under DIR
# (recursive): *.pcap, *.pcapng, *.cap, and compressed *.gz / *.zst / *.lz4
# variants of those, which are passed to scopescan as they are (if it
# refuses them the file is counted as "skipped (compressed)", not as failed).
# A capture "failed to open" when scopescan exits 2 or writes no summary line.
# The binary defaults to .build/debug/scopescan beside this script's package.
# Needs only bash and python3 (standard library).
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 DIR [scopescan-binary]" >&2
    exit 2
fi
DIR=$1
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${2:-$HERE/.build/debug/scopescan}
[[ -d $DIR ]] || { echo "$0: $DIR is not a directory" >&2; exit 2; }
[[ -x $BIN ]] || { echo "$0: $BIN is not executable (swift build -c debug)" >&2; exit 2; }
exec python3 - "$DIR" "$BIN" <<'PY'
import json, os, re, subprocess, sys
from collections import Counter

root, binary = sys.argv[1], sys.argv[2]
CAPTURE = re.compile(r"\.(pcap|pcapng|cap)(\.(gz|zst|lz4))?$", re.I)
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if CAPTURE.search(f))

findings = Counter()          # (rule, severity) -> findings
captures_with = Counter()     # (rule, severity) -> captures with at least one
read = failed = with_error = with_warning = 0
skipped, failures = [], []
for path in files:
    compressed = re.search(r"\.(gz|zst|lz4)$", path, re.I) is not None
    proc = subprocess.run([binary, "analyze", "--format", "json", path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    summary, found = None, []
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj.get("summary"), dict) and "rule" not in obj:
            summary = obj["summary"]
        elif "rule" in obj:
            found.append((obj["rule"], obj.get("severity", "?")))
    if proc.returncode == 2 or summary is None:
        msg = (proc.stderr.strip().splitlines() or ["no summary line"])[-1]
        if compressed:
            skipped.append((path, msg))
        else:
            failed += 1
            failures.append((path, msg))
        continue
    read += 1
    for key in found:
        findings[key] += 1
    for key in set(found):
        captures_with[key] += 1
    sev = {s for _, s in found}
    with_error += "error" in sev
    with_warning += "warning" in sev

order = {"error": 0, "warning": 1, "info": 2}
per100 = lambda n: 100.0 * n / read if read else 0.0
print(f"scopescan precision over {root} ({binary})")
print()
print(f"| {'rule':<30} | {'severity':<8} | {'findings':>8} | {'per 100 captures':>16} | {'captures':>8} | {'% of captures':>13} |")
print(f"| {'-' * 30} | {'-' * 8} | {'-' * 8}:| {'-' * 16}:| {'-' * 8}:| {'-' * 13}:|")
for (rule, sev), n in sorted(findings.items(), key=lambda kv: (order.get(kv[0][1], 9), -kv[1], kv[0][0])):
    c = captures_with[(rule, sev)]
    print(f"| {rule:<30} | {sev:<8} | {n:>8} | {per100(n):>16.1f} | {c:>8} | {per100(c):>13.1f} |")
total = sum(findings.values())
print(f"| {'(all findings)':<30} | {'':<8} | {total:>8} | {per100(total):>16.1f} | {'':>8} | {'':>13} |")
print()
print(f"capture files found:       {len(files)}")
print(f"captures read:             {read}")
print(f"captures failed to open:   {failed}")
if skipped:
    print(f"skipped (compressed, refused by the binary): {len(skipped)}")
print(f"captures with >=1 error:   {with_error} ({per100(with_error):.1f} %)")
print(f"captures with >=1 warning: {with_warning} ({per100(with_warning):.1f} %)")
for path, msg in failures:
    print(f"  failed: {path}: {msg}")
for path, msg in skipped:
    print(f"  skipped: {path}: {msg}")
PY
