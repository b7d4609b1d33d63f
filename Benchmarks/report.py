#!/usr/bin/env python3
"""Turns the measurements of Benchmarks/run.sh into the table of docs/performance.md.

    report.py OUT_DIR PACKETS

Reads OUT_DIR/analyze-N.json, reference-N.json and decode-N.json (hyperfine --export-json, one per round), rss-*.txt (GNU time "%M %e"),
rss-synflood.out (the flood's summary), decode-json.bytes, alloc*.txt, live.txt and machine.txt, and
prints Markdown: the medians, the ratios the targets are stated in, and whether each target is met.
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


results = {r["command"]: r for r in load("analyze") + load("reference") + load("decode")}


def median(name):
    r = results.get(name)
    return r["median"] if r else None


def ms(seconds):
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


loop = median("pcap-loop (libpcap pcap_next_ex)")
pcap = median("scopescan analyze (pcap)")
pcapng = median("scopescan analyze (pcapng)")
tcpdump_w = median("tcpdump -r -w /dev/null")
tcpdump_n = median("TZ=UTC tcpdump -nr")
tshark = median("tshark -q -z expert")
decode = median("scopescan decode --format json (pcap)")

lines = ["## Timings (median of all runs, page cache warm)", ""]
lines += ["| command | runs | median | min | max | vs pcap-loop | scopescan analyze (pcap) vs it |", "|---|---:|---:|---:|---:|---:|---:|"]
for name, r in results.items():
    vs_loop = f"{r['median'] / loop:.2f}×" if loop else "—"
    ours = f"{pcap / r['median']:.3f}×" if pcap and "scopescan" not in name else ""
    lines.append(f"| `{name}` | {r['runs']} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {vs_loop} | {ours} |")
lines.append("")

checks = []


def check(label, ok, detail):
    checks.append(f"| {label} | {detail} | {'met' if ok else '**not met**'} |")


def fastest(name):
    r = results.get(name)
    return r["min"] if r else None


if pcap and loop:
    check("analyze ≤ 1.3× the libpcap loop", pcap <= 1.3 * loop,
          f"{pcap / loop:.2f}× ({ms(pcap)} vs {ms(loop)}; fastest runs {fastest('scopescan analyze (pcap)') / fastest('pcap-loop (libpcap pcap_next_ex)'):.2f}×)")
if pcap and tcpdump_w:
    check("analyze faster than `tcpdump -r -w /dev/null`", pcap < tcpdump_w, f"{pcap / tcpdump_w:.2f}× ({ms(pcap)} vs {ms(tcpdump_w)})")
if pcap and tcpdump_n:
    check("(reference) vs `TZ=UTC tcpdump -nr`", True, f"{pcap / tcpdump_n:.2f}× ({ms(pcap)} vs {ms(tcpdump_n)})")
if pcap and tshark:
    check("(reference) vs `tshark -q -z expert`", True, f"{pcap / tshark:.3f}× ({ms(pcap)} vs {ms(tshark)})")
if pcap and pcapng:
    check("pcapng ≤ 1.2× pcap", pcapng <= 1.2 * pcap,
          f"{pcapng / pcap:.2f}× ({ms(pcapng)} vs {ms(pcap)}; fastest runs {fastest('scopescan analyze (pcapng)') / fastest('scopescan analyze (pcap)'):.2f}×)")
if decode:
    size = int(text("decode-json.bytes").strip() or 0)
    check("(reference) decode --format json", True,
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

live = text("live.txt")
if live:
    for line in live.splitlines():
        if line.startswith("result:"):
            check("live on lo: scopescan drops ≤ tcpdump drops", "PASS" in line, line[len("result:"):].strip())

lines += ["## Targets", "", "| target | measured | |", "|---|---|---|"] + checks + [""]
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
