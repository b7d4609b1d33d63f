#!/usr/bin/env python3
"""Turns the measurements of Benchmarks/run.sh into the table of docs/performance.md.

    report.py OUT_DIR PACKETS

Reads OUT_DIR/analyze-N.json (interleave.py), startup-N.json, reference-N.json and decode-N.json
(hyperfine --export-json; all four one per round, in hyperfine's format), rss-*.txt (GNU time "%M %e"), rss-synflood.out (the flood's summary),
decode-json.bytes, alloc*.txt, live.txt, kernel-drops.txt and machine.txt, and prints Markdown: the
medians side by side, the ratios the targets are stated in, and PASS or FAIL for each.
"""
import json
import os
import re
import sys

out, packets = sys.argv[1], int(sys.argv[2])


def load(prefix):
    """Every run of every command over the rounds' hyperfine exports PREFIX-N.json, merged."""
    merged = {}
    for name in sorted(os.listdir(out)):
        if re.fullmatch(re.escape(prefix) + r"-\d+\.json", name):
            for r in json.load(open(os.path.join(out, name)))["results"]:
                merged.setdefault(r["command"], []).extend(r["times"])
    results = []
    for command, times in merged.items():
        times.sort()
        middle = len(times) // 2
        median = times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2
        results.append({"command": command, "median": median, "min": times[0], "max": times[-1], "runs": len(times)})
    return results


def text(name):
    path = os.path.join(out, name)
    return open(path).read() if os.path.exists(path) else ""


results = {r["command"]: r for r in load("analyze") + load("startup") + load("reference") + load("decode")}


def median(name):
    r = results.get(name)
    return r["median"] if r else None


def ms(seconds):
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


walk = median("bare walk (C, mapped file, record headers)")
loop = median("pcap-loop (libpcap pcap_next_ex)")
pcap = median("scopescan analyze (pcap)")
pcapng = median("scopescan analyze (pcapng)")
evidence = median("scopescan analyze --report --evidence (pcap)")
zst, unzstd = median("scopescan analyze (pcap.zst)"), median("zstd -dc (pcap.zst)")
gz, gunzip = median("scopescan analyze (pcap.gz)"), median("gzip -dc (pcap.gz)")
startup = median("scopescan analyze (1 packet: start-up)")
tcpdump_w = median("tcpdump -r -w /dev/null")
tcpdump_n = median("TZ=UTC tcpdump -nr")
tshark = median("tshark -q -z expert")
decode = median("scopescan decode --format json (pcap)")

lines = ["## Timings (median of all runs, page cache warm)", ""]
lines += ["| command | runs | median | min | max | vs bare walk | scopescan analyze (pcap) vs it |", "|---|---:|---:|---:|---:|---:|---:|"]
for name, r in results.items():
    vs_walk = f"{r['median'] / walk:.2f}×" if walk else "—"
    ours = f"{pcap / r['median']:.3f}×" if pcap and "scopescan" not in name else ""
    lines.append(f"| `{name}` | {r['runs']} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {vs_walk} | {ours} |")
lines.append("")

checks = []
verdicts = []


def check(label, ok, detail):
    """A target: ok is True or False; None for a reference figure, which has no verdict."""
    verdict = "" if ok is None else ("PASS" if ok else "**FAIL**")
    if ok is not None:
        verdicts.append(ok)
    checks.append(f"| {label} | {detail} | {verdict} |")


def fastest(name):
    r = results.get(name)
    return r["min"] if r else None


def paired(first, second):
    """The median of first's time over second's in the same pass, over every pass of every round
    (interleave.py's exports keep each command's times in pass order); None without such passes."""
    ratios = []
    for name in sorted(os.listdir(out)):
        if re.fullmatch(r"analyze-\d+\.json", name):
            export = json.load(open(os.path.join(out, name)))
            times = {r["command"]: r["times"] for r in export["results"]}
            if export.get("interleaved") and first in times and second in times:
                ratios += [a / b for a, b in zip(times[first], times[second])]
    if not ratios:
        return None
    ratios.sort()
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


def ratio(label, a, b, limit, names):
    """a / b ≤ limit, with the fastest runs' ratio and the median of the runs' ratios pass by pass
    beside the medians'."""
    if a is None or b is None:
        return
    fa, fb = fastest(names[0]), fastest(names[1])
    pass_by_pass = paired(*names)
    by_pass = f"; pass by pass {pass_by_pass:.2f}×" if pass_by_pass else ""
    check(label, a / b <= limit, f"{a / b:.2f}× ({ms(a)} vs {ms(b)}; fastest runs {fa / fb:.2f}×{by_pass})")


ratio("analyze ≤ 3× the bare walk (pcap)", pcap, walk, 3.0, ("scopescan analyze (pcap)", "bare walk (C, mapped file, record headers)"))
ratio("pcapng ≤ 1.1× pcap", pcapng, pcap, 1.1, ("scopescan analyze (pcapng)", "scopescan analyze (pcap)"))
ratio("`--report --evidence` ≤ 3× plain analyze", evidence, pcap, 3.0, ("scopescan analyze --report --evidence (pcap)", "scopescan analyze (pcap)"))
for label, ours, tool, names in [("zst", zst, unzstd, ("scopescan analyze (pcap.zst)", "zstd -dc (pcap.zst)")),
                                  ("gz", gz, gunzip, ("scopescan analyze (pcap.gz)", "gzip -dc (pcap.gz)"))]:
    if ours and tool and pcap:
        floor = max(tool, pcap)
        check(f"analyze f.pcap.{label} ≤ 1.2× the slower of (`{names[1].split(' (')[0]}`, plain analyze)", ours <= 1.2 * floor,
              f"{ours / floor:.2f}× ({ms(ours)} vs {ms(floor)}: {names[1].split(' (')[0]} {ms(tool)}, plain {ms(pcap)})")
for fmt, ours in [("pcap", pcap), ("pcapng", pcapng)]:
    before = median(f"baseline analyze ({fmt})")
    if ours and before:
        check(f"analyze ({fmt}) no slower than the baseline build (--baseline)", ours <= before,
              f"{ours / before:.3f}× ({ms(ours)} vs {ms(before)}; fastest runs {fastest(f'scopescan analyze ({fmt})') / fastest(f'baseline analyze ({fmt})'):.3f}×)")
if pcap and loop:
    check("(reference) analyze vs the libpcap loop", None, f"{pcap / loop:.2f}× ({ms(pcap)} vs {ms(loop)})")
if pcap and tcpdump_w:
    check("(reference) analyze vs `tcpdump -r -w /dev/null`", None, f"{pcap / tcpdump_w:.2f}× ({ms(pcap)} vs {ms(tcpdump_w)})")
if startup:
    check("(reference) start-up: analyze of a 1-packet file", None, f"{ms(startup)} (fastest {ms(fastest('scopescan analyze (1 packet: start-up)'))})")
if pcap and tcpdump_n:
    check("(reference) vs `TZ=UTC tcpdump -nr`", None, f"{pcap / tcpdump_n:.2f}× ({ms(pcap)} vs {ms(tcpdump_n)})")
if pcap and tshark:
    check("(reference) vs `tshark -q -z expert`", None, f"{pcap / tshark:.3f}× ({ms(pcap)} vs {ms(tshark)})")
if decode:
    size = int(text("decode-json.bytes").strip() or 0)
    check("(reference) decode --format json", None,
          f"{ms(decode)}: {packets / decode / 1e6:.2f} M packets/s, {size / decode / 1e6:.0f} MB/s of JSON ({size / 1e6:.0f} MB)")

rss = {}
for name in ["synflood", "mixed-pcap", "mixed-pcapng", "loop"]:
    fields = text(f"rss-{name}.txt").split()
    if len(fields) >= 2:
        rss[name] = (int(fields[0]) / 1024, float(fields[1]))
if "synflood" in rss:
    summary = text("rss-synflood.out")
    evicted = re.search(r"flows evicted: (\d+)", summary)
    attempts = re.search(r"tcp connection attempts: (\d+)", summary)
    findings = re.search(r"findings: (\w+)", summary)
    mib, seconds = rss["synflood"]
    runs = [int(text(f"rss-synflood-{i}.txt").split()[0]) / 1024 for i in (1, 2, 3) if text(f"rss-synflood-{i}.txt")]
    spread = f" (runs: {', '.join(f'{r:.1f}' for r in runs)} MiB)" if len(runs) > 1 else ""
    check("SYN flood (1,000,000 flows) peak RSS ≤ 128 MiB", mib <= 128,
          f"{mib:.1f} MiB{spread} in {seconds:.2f} s; {attempts.group(1) if attempts else '?'} attempts, "
          f"{evicted.group(1) if evicted else '?'} flows evicted, {findings.group(1) if findings else '?'} findings")

alloc = text("alloc.txt")
if alloc:
    counts = re.findall(r"(\S+): (\d+) packets, (\d+) allocations", alloc)
    detail = "; ".join(f"{p} packets: {a} allocations" for _, p, a in counts)
    check("no allocation per packet (valgrind)", "PASS" in alloc, detail)

kernel = text("kernel-drops.txt")
if kernel:
    runs = [line for line in kernel.splitlines() if line.startswith("run ")]
    check("(reference) capture --kernel-drops, every packet a traced drop", None, "; ".join(runs) or kernel.strip())

live = text("live.txt")
if live:
    for line in live.splitlines():
        if line.startswith("result:"):
            check("live on lo: scopescan drops ≤ tcpdump drops", "PASS" in line, line[len("result:"):].strip())

lines += ["## Targets", "", "| target | measured | |", "|---|---|---|"] + checks + [""]
lines += [f"{sum(verdicts)} of {len(verdicts)} targets PASS" + ("" if all(verdicts) else f", {len(verdicts) - sum(verdicts)} FAIL"), ""]
if rss:
    lines += ["## Peak RSS", "", "| run | peak RSS | wall |", "|---|---:|---:|"]
    for name, (mib, seconds) in rss.items():
        lines.append(f"| {name} | {mib:.1f} MiB | {seconds:.2f} s |")
    lines.append("")
if alloc:
    lines += ["## Allocations", "", "```", alloc.strip(), text("alloc-mixed.txt").strip(), "```", ""]
if live:
    lines += ["## Live capture", "", "```", live.strip(), "```", ""]
activity = [line.split() for line in text("activity.txt").splitlines() if len(line.split()) >= 3]
if activity:
    seen = {}
    for _, cpu, command in activity:
        seen.setdefault(command, []).append(float(cpu))
    quiet = "other processes over 10% CPU during the timings (one sample a second): " + "; ".join(
        f"{command} in {len(cpus)} samples (up to {max(cpus):.0f}%)" for command, cpus in sorted(seen.items(), key=lambda kv: -len(kv[1])))
else:
    quiet = "no other process over 10% CPU in any one-second sample during the timings"
lines += ["## Machine", "", "```", text("machine.txt").strip(), quiet, "```"]
print("\n".join(lines))
