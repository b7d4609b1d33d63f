#!/usr/bin/env python3
"""Where unsafe code lives, counted per module and per file (issue 19; docs/architecture.md,
"Where unsafe code may live"). Scripts/unsafe-sites.sh runs it; see there for the options.

Two sources of truth:
  * the compiler: every Swift target builds with strict memory safety (SE-0458), so each use of an
    unsafe construct not written as an `unsafe` expression is a warning ("unmarked" here). They
    are collected by type-checking every module of Sources/ again with the compiler arguments
    SwiftPM wrote in its build manifest (a type-check emits every warning every time, unlike an
    incremental build, and takes well under a minute rather than the minutes of a rebuild).
  * the source: each acknowledged site is the keyword `unsafe` used as an expression (`unsafe x`,
    `for unsafe x in`), found by a small lexer that skips comments and string literals. Not counted:
    `@unsafe` (an attribute declaring something unsafe; its users are the sites),
    `nonisolated(unsafe)` (a concurrency escape, not a memory one), identifiers that merely contain
    the word (`UnsafePointer`, `withUnsafeBytes`, `unsafeBitCast`), `.unsafe` members, backquoted
    `unsafe` and `unsafe:` labels. Code in every `#if` branch counts, compiled here or not.

Scripts/unsafe-boundary.txt names every file allowed `unsafe` expressions, with its allowance and
what C or OS boundary it wraps. The check fails when
  (a) an unmarked strict-memory-safety warning remains anywhere,
  (b) a file not in the list has an `unsafe` expression,
  (c) a file has more `unsafe` expressions than its allowance,
  (d) an `unsafe` expression has no reason: a `//` comment on its line, or alone on the line above
      it or above the run of consecutive `unsafe` lines it belongs to,
  (e) a list entry has no reason of its own,
  (f) an `unsafe` covers nothing unsafe (the compiler says so): it only inflates the count.
Scripts/unsafe-pending.txt, while it exists, tolerates (a) and (d) up to a count per file, for
files their owners are still converting; a rise there fails too, and the file goes once empty.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

BOUNDARY = "Scripts/unsafe-boundary.txt"
PENDING = "Scripts/unsafe-pending.txt"
PLACEHOLDER = "TODO: say which C or OS boundary this file wraps"
WARNING = re.compile(r"^(/[^:\n]+\.swift):(\d+):(\d+): warning: .*\[#StrictMemorySafety\]", re.M)
NEEDLESS = re.compile(r"^(/[^:\n]+\.swift):(\d+):(\d+): warning: no unsafe operations occur within 'unsafe' expression", re.M)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --- The source: `unsafe` expressions and the comments beside them ---------------------------

class ScannedFile:
    def __init__(self, path):
        self.path = path
        self.sites = []            # line numbers of each `unsafe` expression, in order
        self.comment_lines = set()  # lines holding a `//` comment
        self.code_lines = set()     # lines holding code (outside comments and strings' insides too)

    def reason_missing(self):
        """The sites' lines without a reason: a `//` comment on the line, or a comment-only line
        directly above it or above the run of consecutive `unsafe` lines it belongs to (one
        comment may explain a block such as a C struct's fields set one per line)."""
        lines = set(self.sites)

        def comment_only(line):
            return line in self.comment_lines and line not in self.code_lines

        def explained(line):
            while True:
                if line in self.comment_lines or comment_only(line - 1):
                    return True
                if line - 1 not in lines:
                    return False
                line -= 1
        return sorted(line for line in lines if not explained(line))


def scan(path, text):
    """Finds the `unsafe` expressions of one Swift file (see the module's docstring for what counts)."""
    result = ScannedFile(path)
    i, n, line = 0, len(text), 1
    # A stack of contexts: ("code", parens) or ("string", hashes, multiline). An interpolation
    # pushes code on top of its string; its closing parenthesis pops back to the string.
    stack = [("code", 0)]
    previous = []  # the last two code tokens, to tell `@unsafe` and `nonisolated(unsafe)` apart

    def note_code():
        result.code_lines.add(line)

    while i < n:
        c = text[i]
        top = stack[-1]
        if c == "\n":
            line += 1
            i += 1
            continue
        if top[0] == "string":
            _, hashes, multiline = top
            closing = ('"""' if multiline else '"') + "#" * hashes
            if text.startswith(closing, i):
                stack.pop()
                i += len(closing)
                note_code()
                continue
            escape = "\\" + "#" * hashes
            if text.startswith(escape, i):
                after = i + len(escape)
                if after < n and text[after] == "(":
                    stack.append(("code", 1))
                    i = after + 1
                else:
                    i = after + 1  # an escaped character (or a line continuation)
                    if after < n and text[after] == "\n":
                        line += 1
                continue
            i += 1
            continue
        # Code.
        if c in " \t\r":
            i += 1
            continue
        if text.startswith("//", i):
            result.comment_lines.add(line)
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    if text[i] == "\n":
                        line += 1
                    i += 1
            continue
        note_code()
        string = re.match(r'(#*)("""|")', text[i:i + 12])
        if string:
            hashes = len(string.group(1))
            stack.append(("string", hashes, string.group(2) == '"""'))
            i += len(string.group(0))
            previous = (previous + ['"'])[-2:]
            continue
        if c == "`":
            end = text.find("`", i + 1)
            i = n if end < 0 else end + 1
            previous = (previous + ["`"])[-2:]
            continue
        if c == "(" and top[0] == "code" and len(stack) > 1:
            stack[-1] = ("code", top[1] + 1)
        if c == ")" and top[0] == "code" and len(stack) > 1:
            if top[1] == 1:
                stack.pop()
                i += 1
                continue
            stack[-1] = ("code", top[1] - 1)
        word = IDENTIFIER.match(text, i)
        if word:
            token = word.group(0)
            if token == "unsafe":
                rest = text[word.end():word.end() + 40].lstrip(" \t")
                attribute = previous[-1:] == ["@"]
                member = previous[-1:] == ["."]
                concurrency = previous == ["nonisolated", "("]
                label = rest.startswith(":") and not rest.startswith("::")
                if not (attribute or member or concurrency or label):
                    result.sites.append(line)
            previous = (previous + [token])[-2:]
            i = word.end()
            continue
        previous = (previous + [c])[-2:]
        i += 1
    return result


def swift_files(root):
    found = []
    for directory, _, names in os.walk(os.path.join(root, "Sources")):
        for name in names:
            if name.endswith(".swift"):
                found.append(os.path.relpath(os.path.join(directory, name), root))
    return sorted(found)


def module_of(path):
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "Sources" else "?"


# --- The compiler: unmarked warnings --------------------------------------------------------

def typecheck_commands(manifest, root):
    """(module, arguments) for each Swift module under Sources/, from SwiftPM's llbuild manifest,
    its compile turned into a type-check. Modules built without strict memory safety come back
    with arguments None."""
    text = open(manifest).read()
    commands = []
    dropped_with_value = {"-emit-module-path", "-output-file-map", "-index-store-path", "-emit-objc-header-path"}
    dropped = {"-emit-dependencies", "-emit-module", "-incremental", "-c", "-enable-batch-mode", "-serialize-diagnostics",
               "-parseable-output", "-emit-objc-header", "-g", "-enable-testing", "-whole-module-optimization"}
    sources = os.path.join(os.path.realpath(root), "Sources") + "/"
    for match in re.finditer(r'^  "C\.([^"]+?)-[^"-]+-[^"]+\.module":\n((?:    .*\n)+)', text, re.M):
        module, body = match.group(1), match.group(2)
        inputs = re.search(r"^    inputs: (\[.*\])$", body, re.M)
        args = re.search(r"^    args: (\[.*\])$", body, re.M)
        if not inputs or not args or not any(p.startswith(sources) and p.endswith(".swift") for p in json.loads(inputs.group(1))):
            continue
        args = json.loads(args.group(1))
        if args[0].endswith("swiftc") is False:
            continue
        if "-strict-memory-safety" not in args:
            commands.append((module, None))
            continue
        kept, i = [], 0
        while i < len(args):
            argument = args[i]
            if argument in ("-Xcc", "-Xfrontend", "-Xlinker") and i + 1 < len(args):
                kept += args[i:i + 2]
                i += 2
            elif argument in dropped_with_value:
                i += 2
            elif argument in dropped or re.fullmatch(r"-j\d+", argument):
                i += 1
            else:
                kept.append(argument)
                i += 1
        commands.append((module, ["nice"] + kept + ["-typecheck"]))
    return commands


def unmarked_warnings(commands, root):
    """{relative path: sorted unique (line, column)} of the strict-memory-safety warnings, the same
    of the `unsafe` expressions the compiler finds nothing unsafe in, and the modules that failed."""
    def run(command):
        module, arguments = command
        finished = subprocess.run(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return module, finished.returncode, finished.stdout

    warnings, needless, failures = {}, {}, []
    real_root = os.path.realpath(root)
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        for module, status, output in pool.map(run, commands):
            if status != 0:
                failures.append((module, output))
            for pattern, found in ((WARNING, warnings), (NEEDLESS, needless)):
                for path, line, column in pattern.findall(output):
                    relative = os.path.relpath(os.path.realpath(path), real_root)
                    found.setdefault(relative, set()).add((int(line), int(column)))
    return ({path: sorted(sites) for path, sites in warnings.items()},
            {path: sorted(sites) for path, sites in needless.items()}, failures)


# --- The lists ------------------------------------------------------------------------------

def read_list(path, with_reason):
    """Entries `path count reason…` (boundary) or `path warnings reasonless` (pending); # comments."""
    entries, header = {}, []
    if not os.path.exists(path):
        return entries, header
    for raw in open(path):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            if not entries:
                header.append(raw.rstrip("\n"))
            continue
        fields = stripped.split(None, 2 if with_reason else 3)
        if with_reason:
            entries[fields[0]] = (int(fields[1]), fields[2] if len(fields) > 2 else "")
        else:
            entries[fields[0]] = (int(fields[1]), int(fields[2]) if len(fields) > 2 else 0)
    return entries, header


def write_boundary(path, header, entries):
    width = max([len(p) for p in entries] + [20])
    with open(path, "w") as out:
        for line in header:
            out.write(line + "\n")
        for file in sorted(entries):
            count, reason = entries[file]
            out.write(f"{file:<{width}} {count:>3} {reason}\n")


def write_pending(path, header, entries):
    entries = {p: v for p, v in entries.items() if v != (0, 0)}
    if not entries:
        if os.path.exists(path):
            os.remove(path)
            print(f"unsafe-sites: nothing pending any more, removed {path}")
        return
    width = max(len(p) for p in entries)
    header = header or ["# Strict-memory-safety warnings not yet marked `unsafe`, and `unsafe` expressions without their",
                        "# reason, tolerated per file while its owner converts it (Scripts/unsafe-sites.sh): path,",
                        "# unmarked warnings, reasonless `unsafe`. --update only lowers them; the file goes once empty,",
                        "# and from then on every unmarked warning fails."]
    with open(path, "w") as out:
        for line in header:
            out.write(line + "\n")
        for file in sorted(entries):
            out.write(f"{file:<{width}} {entries[file][0]:>4} {entries[file][1]:>3}\n")


# --- The check ------------------------------------------------------------------------------

def check(root, warnings, needless, boundary, pending, out=sys.stdout):
    """Prints the tables; returns (problems, scanned) where problems are (rule, message)."""
    scanned = {}
    for path in swift_files(root):
        with open(os.path.join(root, path), encoding="utf-8") as source:
            scanned[path] = scan(path, source.read())
    problems = []
    for path, (count, reason) in sorted(boundary.items()):
        if not reason.strip() or reason.startswith("TODO"):
            problems.append(("e", f"{path}: the list gives no reason for this boundary file ({BOUNDARY})"))

    files = sorted(set(p for p, s in scanned.items() if s.sites) | set(warnings) | set(boundary))
    rows = []
    for path in files:
        sites = scanned.get(path).sites if path in scanned else []
        count = len(sites)
        allowed = boundary.get(path, (0, ""))[0]
        unmarked = warnings.get(path, [])
        reasonless = scanned[path].reason_missing() if path in scanned else []
        tolerated_unmarked, tolerated_reasonless = pending.get(path, (0, 0))
        status = []
        if count and path not in boundary:
            problems.append(("b", f"{path}: {count} `unsafe` expression(s) in a file not in {BOUNDARY} (lines {', '.join(map(str, sorted(set(sites))))})"))
            status.append("NOT LISTED")
        elif count > allowed:
            problems.append(("c", f"{path}: {count} `unsafe` expressions, {allowed} allowed"))
            status.append("ROSE")
        elif count < allowed:
            status.append("lower: --update")
        if len(unmarked) > tolerated_unmarked:
            shown = ", ".join(f"{line}:{column}" for line, column in unmarked[:12]) + (" …" if len(unmarked) > 12 else "")
            problems.append(("a", f"{path}: {len(unmarked)} unmarked strict-memory-safety warning(s) at {shown}"
                                  + (f" ({tolerated_unmarked} pending)" if tolerated_unmarked else "")))
            status.append("UNMARKED")
        elif unmarked:
            status.append("unmarked: pending")
        if len(reasonless) > tolerated_reasonless:
            problems.append(("d", f"{path}: `unsafe` without a reason comment on line(s) {', '.join(map(str, reasonless))}"
                                  + (f" ({tolerated_reasonless} pending)" if tolerated_reasonless else "")))
            status.append("NO REASON")
        elif reasonless:
            status.append("reasons: pending")
        if needless.get(path):
            problems.append(("f", f"{path}: `unsafe` with nothing unsafe in it (remove it) at "
                                  + ", ".join(f"{line}:{column}" for line, column in needless[path])))
            status.append("NEEDLESS")
        rows.append((path, count, allowed, len(unmarked), len(reasonless), ", ".join(status) or "ok"))

    modules = {}
    for path, count, allowed, unmarked, _, _ in rows:
        entry = modules.setdefault(module_of(path), [0, 0, 0, 0])
        entry[0] += count
        entry[1] += allowed
        entry[2] += unmarked
        entry[3] += 1 if count else 0
    for path in scanned:
        modules.setdefault(module_of(path), [0, 0, 0, 0])

    print(f"{'module':<20} {'unsafe':>7} {'allowed':>8} {'unmarked':>9} {'files':>6}", file=out)
    for module in sorted(modules):
        count, allowed, unmarked, files_with_sites = modules[module]
        print(f"{module:<20} {count:>7} {allowed:>8} {unmarked:>9} {files_with_sites:>6}", file=out)
    width = max([len(r[0]) for r in rows] + [4])
    print(file=out)
    print(f"{'file':<{width}} {'unsafe':>7} {'allowed':>8} {'unmarked':>9} {'no reason':>10}  status", file=out)
    for path, count, allowed, unmarked, reasonless, status in rows:
        print(f"{path:<{width}} {count:>7} {allowed:>8} {unmarked:>9} {reasonless:>10}  {status}", file=out)
    total = sum(r[1] for r in rows)
    total_unmarked = sum(r[3] for r in rows)
    outside = total_unmarked + sum(r[1] for r in rows if r[0] not in boundary)
    print(file=out)
    print(f"unsafe expressions: {total} in {sum(1 for r in rows if r[1])} boundary files; "
          f"unmarked warnings: {total_unmarked}", file=out)
    pending_count = sum(min(r[3], pending.get(r[0], (0, 0))[0]) for r in rows)
    print(f"unsafe sites outside the boundary files: {outside}"
          + (f" ({pending_count} of them unmarked warnings still pending in {PENDING})" if pending_count else ""), file=out)
    return problems, scanned


def update(root, scanned, warnings, boundary, boundary_header, pending, pending_header, admit):
    """Lowers every allowance to the current count (raises and adds too with `admit`)."""
    new_boundary = {}
    for path, (allowed, reason) in boundary.items():
        count = len(scanned[path].sites) if path in scanned else 0
        if count == 0:
            print(f"unsafe-sites: {path} has no `unsafe` expression any more: removed from the list")
            continue
        if count < allowed or (admit and count > allowed):
            print(f"unsafe-sites: {path}: {allowed} -> {count}")
            allowed = count
        new_boundary[path] = (allowed, reason)
    if admit:
        for path, file in scanned.items():
            if file.sites and path not in new_boundary:
                print(f"unsafe-sites: {path}: added with {len(file.sites)}; write its reason in {BOUNDARY}")
                new_boundary[path] = (len(file.sites), PLACEHOLDER)
    write_boundary(os.path.join(root, BOUNDARY), boundary_header, new_boundary)
    new_pending = {}
    for path in set(pending) | (set(warnings) | set(p for p, f in scanned.items() if f.reason_missing()) if admit else set()):
        unmarked = len(warnings.get(path, []))
        reasonless = len(scanned[path].reason_missing()) if path in scanned else 0
        tolerated = pending.get(path, (0, 0))
        new_pending[path] = (unmarked, reasonless) if admit else (min(unmarked, tolerated[0]), min(reasonless, tolerated[1]))
    write_pending(os.path.join(root, PENDING), pending_header, new_pending)


# --- Self-test: fixtures that break each rule -----------------------------------------------

FIXTURES = {
    # Every way of writing the word that is not an acknowledged site, and 5 that are.
    "Sources/Fixture/Lexer.swift": '''
// unsafe in a comment; /* unsafe */
/* nested /* unsafe */ still a comment: unsafe */
@unsafe func rawAddress() -> UnsafeRawPointer? { nil }
nonisolated(unsafe) var shared = 0
let sentence = "unsafe in a string \\(1 + 1) unsafe"
let raw = #"unsafe "quoted" \\(unsafe)"#
let block = """
    unsafe in a multi-line string
    """
let `unsafe` = 1
func withUnsafeNothing() {}
func uses() {
    // rawAddress is @unsafe: the pointer is only compared with nil.
    _ = unsafe rawAddress() == nil
    // Interpolated code is code.
    _ = "\\(unsafe rawAddress() == nil)"
    let bytes: [UInt8] = [1, 2]
    // The buffer is read inside the closure only.
    let sum = unsafe bytes.withUnsafeBufferPointer { buffer in unsafe buffer.reduce(0, +) }
    _ = sum
}
#if os(Windows)
// Not compiled here, counted all the same.
let elsewhere = unsafe rawAddress()
#endif
''',
    # Listed with the right count, each site with its reason: no problem.
    "Sources/Fixture/Good.swift": '''
func good() -> Int {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    // Initialised before it is read.
    unsafe p.initialize(to: 7)
    defer { unsafe p.deallocate() } // allocated above, deallocated once
    return unsafe p.pointee // initialised above
}
''',
    # (a) an unsafe call not marked at all: only the compiler sees it.
    "Sources/Fixture/Unmarked.swift": '''
func unmarked() {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    p.deallocate()
}
''',
    # (b) a file with an `unsafe` expression that the list does not name.
    "Sources/Fixture/Unlisted.swift": '''
func unlisted() {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    unsafe p.deallocate() // allocated above
}
''',
    # (c) two sites where the list allows one.
    "Sources/Fixture/Over.swift": '''
func over() {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    unsafe p.initialize(to: 1) // allocated above
    unsafe p.deallocate() // initialised above
}
''',
    # (d) a site with no reason: the line above is code without `unsafe`, not a comment. The run of
    # `unsafe` lines under the first comment shares it; the one after `let q` does not.
    "Sources/Fixture/NoReason.swift": '''
func noReason() {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    // Initialised, then freed: the pointer allocated just above.
    unsafe p.initialize(to: 1)
    unsafe p.deallocate()
    let q = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    unsafe q.deallocate()
}
''',
    # (f) an `unsafe` with nothing unsafe under it.
    "Sources/Fixture/Needless.swift": '''
// Nothing here is unsafe.
let needless = unsafe 1
''',
}


def self_test():
    root = tempfile.mkdtemp(prefix="unsafe-sites-test.")
    try:
        for path, text in FIXTURES.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as out:
                out.write(text)
        os.makedirs(os.path.join(root, "Scripts"))
        swiftc = shutil.which("swiftc") or "swiftc"
        sources = [os.path.join(root, p) for p in sorted(FIXTURES)]
        commands = [("Fixture", [swiftc, "-typecheck", "-parse-as-library", "-swift-version", "6", "-strict-memory-safety", "-module-name", "Fixture"] + sources)]
        warnings, needless, failures = unmarked_warnings(commands, root)
        failed = []

        def expect(condition, what):
            print(("ok   " if condition else "FAIL ") + what)
            if not condition:
                failed.append(what)

        expect(not failures, "the fixtures type-check" + (f": {failures[0][1][:800]}" if failures else ""))
        expect(sorted(warnings) == ["Sources/Fixture/Unmarked.swift"] and [l for l, _ in warnings["Sources/Fixture/Unmarked.swift"]] == [4],
               "the compiler's one unmarked warning is found, at Unmarked.swift:4 (rule a)")
        lexer = scan("Lexer.swift", FIXTURES["Sources/Fixture/Lexer.swift"])
        expect(lexer.sites == [15, 17, 20, 20, 25], f"the lexer counts the 5 `unsafe` expressions of Lexer.swift (one in an inactive #if) and nothing else (found lines {lexer.sites})")
        boundary = {"Sources/Fixture/Lexer.swift": (5, "fixture"), "Sources/Fixture/Good.swift": (3, "fixture"),
                    "Sources/Fixture/Over.swift": (1, "fixture"), "Sources/Fixture/NoReason.swift": (3, "fixture"),
                    "Sources/Fixture/Needless.swift": (1, "fixture")}
        sink = open(os.devnull, "w")
        problems, scanned = check(root, warnings, needless, boundary, {}, out=sink)
        found = sorted((rule, message.split(":")[0]) for rule, message in problems)
        expect(found == [("a", "Sources/Fixture/Unmarked.swift"), ("b", "Sources/Fixture/Unlisted.swift"),
                         ("c", "Sources/Fixture/Over.swift"), ("d", "Sources/Fixture/NoReason.swift"), ("f", "Sources/Fixture/Needless.swift")],
               f"exactly one problem each: (a) Unmarked, (b) Unlisted, (c) Over, (d) NoReason, (f) Needless (found {found})")
        expect(any(rule == "d" and "line(s) 8" in message for rule, message in problems), "only the reasonless site is named, by its line (NoReason.swift:8: a run of `unsafe` lines shares the comment above it)")
        problems, _ = check(root, warnings, needless, dict(boundary, **{"Sources/Fixture/Lexer.swift": (5, "")}), {}, out=sink)
        expect(any(rule == "e" for rule, _ in problems), "a list entry without a reason fails (rule e)")
        pending = {"Sources/Fixture/Unmarked.swift": (1, 0), "Sources/Fixture/NoReason.swift": (0, 1)}
        problems, _ = check(root, warnings, needless, boundary, pending, out=sink)
        expect(sorted(rule for rule, _ in problems) == ["b", "c", "f"], "pending tolerances cover (a) and (d) up to their counts, nothing else")
        problems, _ = check(root, warnings, needless, boundary, {"Sources/Fixture/NoReason.swift": (0, 0)}, out=sink)
        expect(any(rule == "d" for rule, _ in problems), "a pending count below the current one still fails")
        boundary_path = os.path.join(root, BOUNDARY)
        update(root, scanned, warnings, dict(boundary, **{"Sources/Fixture/Good.swift": (9, "fixture")}), ["# fixture list"], {}, [], admit=False)
        written, _ = read_list(boundary_path, with_reason=True)
        expect(written.get("Sources/Fixture/Good.swift") == (3, "fixture") and written.get("Sources/Fixture/Over.swift") == (1, "fixture")
               and "Sources/Fixture/Unlisted.swift" not in written,
               "--update lowers an allowance (9 -> 3) and neither raises one (Over stays 1) nor adds a file")
        update(root, scanned, warnings, written, ["# fixture list"], {}, [], admit=True)
        written, _ = read_list(boundary_path, with_reason=True)
        expect(written.get("Sources/Fixture/Over.swift") == (2, "fixture") and written.get("Sources/Fixture/Unlisted.swift", (0, ""))[1] == PLACEHOLDER,
               "--update --admit raises and adds, the added file with a placeholder reason that fails (e)")
        pending_written, _ = read_list(os.path.join(root, PENDING), with_reason=False)
        expect(pending_written == {"Sources/Fixture/Unmarked.swift": (1, 0), "Sources/Fixture/NoReason.swift": (0, 1)},
               "--update --admit writes the unmarked and reasonless counts as pending")
        print("unsafe-sites self-test: " + (f"{len(failed)} FAILED" if failed else "all passed"))
        return 1 if failed else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description="Counts unsafe code per module and file (Scripts/unsafe-sites.sh).")
    parser.add_argument("--update", action="store_true", help="lower the allowances to the current counts")
    parser.add_argument("--admit", action="store_true", help="with --update: also raise allowances and add files (review the diff)")
    parser.add_argument("--self-test", action="store_true", help="check the checker on fixtures that break each rule")
    parser.add_argument("--manifest", required=False, help="SwiftPM's llbuild manifest (.build/debug.yaml)")
    parser.add_argument("--root", default=".")
    options = parser.parse_args()
    if options.self_test:
        return self_test()
    if not options.manifest:
        parser.error("--manifest is needed (Scripts/unsafe-sites.sh passes it)")
    root = options.root
    commands = typecheck_commands(options.manifest, root)
    # Every module with Swift sources must be type-checked: one missing from the manifest would
    # otherwise pass with no warnings at all.
    missing = sorted(set(module_of(path) for path in swift_files(root)) - set(module for module, _ in commands))
    if missing:
        print(f"unsafe-sites: {options.manifest} has no compile command for {', '.join(missing)}", file=sys.stderr)
        return 2
    problems = [("a", f"{module}: built without strict memory safety (.strictMemorySafety() in Package.swift)")
                for module, arguments in commands if arguments is None]
    warnings, needless, failures = unmarked_warnings([c for c in commands if c[1] is not None], root)
    if failures:
        for module, output in failures:
            sys.stderr.write(output[-3000:])
            sys.stderr.write(f"unsafe-sites: type-checking {module} failed\n")
        return 2
    boundary, boundary_header = read_list(os.path.join(root, BOUNDARY), with_reason=True)
    pending, pending_header = read_list(os.path.join(root, PENDING), with_reason=False)
    found, scanned = check(root, warnings, needless, boundary, pending)
    problems += found
    if options.update:
        update(root, scanned, warnings, boundary, boundary_header, pending, pending_header, options.admit)
        return 0
    if problems:
        print(file=sys.stderr)
        for rule, message in problems:
            print(f"unsafe-sites ({rule}): {message}", file=sys.stderr)
        print("unsafe-sites: see docs/architecture.md, \"Where unsafe code may live\"", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
