#!/usr/bin/env python3
"""Times commands run by turns, one run of each per pass, and exports hyperfine's JSON.

    interleave.py --runs N --export-json FILE [--seed S] -n NAME COMMAND [-n NAME COMMAND ...]

hyperfine runs all the runs of one command before the next command starts. On this kind of
machine (two vCPUs that the host also schedules) the speed drifts over seconds, so a command
whose runs fell in a slow stretch got a slow median: the pcapng's median against the pcap's moved
between 0.96x and 1.15x from one hyperfine run to the next on the same build. Here each pass runs
every command once, in an order shuffled per pass (so no command always follows the same one),
after one warm-up pass: a slow stretch then slows one run of several commands instead of every
run of one. Commands are split into words as hyperfine -N does (no shell) and run with their
output sent to /dev/null, and a command that fails stops the benchmark, as in hyperfine.

The export has hyperfine's fields that report.py reads (command, times, user, system, median,
mean, min, max), one result per command, each command's times in pass order: the i-th time of
every command was taken in the same pass.
"""
import argparse
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import time


def run_once(words):
    """Wall seconds, user and system CPU seconds of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(words, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"interleave.py: `{' '.join(words)}` exited with {code}")
    return wall, usage.ru_utime, usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description="Interleaved timing, hyperfine-compatible JSON.")
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--export-json", required=True)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("-n", "--command-name", action="append", nargs=2, metavar=("NAME", "COMMAND"), required=True)
    options = parser.parse_args()
    commands = [(name, shlex.split(command)) for name, command in options.command_name]
    shuffler = random.Random(options.seed)
    samples = {name: ([], [], []) for name, _ in commands}
    for name, words in commands:  # the warm-up pass
        run_once(words)
    for run in range(options.runs):
        order = list(commands)
        shuffler.shuffle(order)
        for name, words in order:
            wall, user, system = run_once(words)
            times, users, systems = samples[name]
            times.append(wall)
            users.append(user)
            systems.append(system)
        print(f"  pass {run + 1} of {options.runs}", file=sys.stderr)
    results = []
    for name, words in commands:
        times, users, systems = samples[name]
        results.append({
            "command": name,
            "mean": statistics.fmean(times), "median": statistics.median(times),
            "min": min(times), "max": max(times),
            "user": statistics.fmean(users), "system": statistics.fmean(systems),
            "times": times,
        })
        print(f"  {name}: median {statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms", file=sys.stderr)
    with open(options.export_json, "w") as export:
        json.dump({"results": results, "interleaved": True, "seed": options.seed}, export, indent=1)


if __name__ == "__main__":
    main()
