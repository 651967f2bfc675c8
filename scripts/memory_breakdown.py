#!/usr/bin/env python3
"""What a running server's resident memory consists of, from /proc/PID/smaps (issue 19 goal 5).

Usage: scripts/memory_breakdown.py PID [--malloc-stats FILE]

Prints one line per class of mapping, in KiB of RSS: the binary's own pages (text, read-only
data, writable data), the shared libraries, `[heap]` (the main glibc arena), the other glibc
arenas (64 MiB-aligned reservations, only their touched part is resident), thread stacks
(anonymous mappings below a one-page guard), other anonymous mappings (large allocations
mmapped by glibc, e.g. blocks over the mmap threshold) and the rest. With --malloc-stats, the
file holds glibc's `malloc_stats()` output for the same process (printed on the server's
stderr, e.g. `gdb -p PID -batch -ex 'call (void) malloc_stats()'`): the bytes the arenas hold
from the system against the bytes in use say how much of the heap is free space kept.
"""

import os
import re
import sys

HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$")


def mappings(pid):
    """Yields (start, end, perms, path, fields) for each mapping of the process."""
    current = None
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            match = HEADER.match(line)
            if match:
                if current:
                    yield current
                start, end, perms, path = match.groups()
                current = (int(start, 16), int(end, 16), perms, path.strip(), {})
                continue
            key, _, value = line.partition(":")
            parts = value.split()
            if current and parts and parts[0].isdigit():
                current[4][key] = int(parts[0])
    if current:
        yield current


def classify(pid):
    """KiB of RSS (and of size) per class."""
    exe = os.path.realpath(f"/proc/{pid}/exe")
    maps = list(mappings(pid))
    rows = {}

    def add(name, m):
        rss, size = rows.get(name, (0, 0))
        rows[name] = (rss + m[4].get("Rss", 0), size + m[4].get("Size", 0))

    for i, m in enumerate(maps):
        start, end, perms, path, _ = m
        previous = maps[i - 1] if i else None
        if path == exe or path.startswith(exe + " "):
            kind = {"r-x": "text", "r--": "read-only data", "rw-": "data"}.get(perms[:3], "other")
            add(f"binary: {kind}", m)
        elif path.startswith("/"):
            add("shared libraries and other files", m)
        elif path == "[heap]":
            add("[heap] (main arena)", m)
        elif path == "[stack]":
            add("main thread stack", m)
        elif path.startswith("["):
            add("vdso/vvar", m)
        elif perms.startswith("---"):
            add("guard pages and reserved arena space", m)
        elif previous and previous[2].startswith("---") and previous[1] == start \
                and previous[1] - previous[0] == 4096:
            add("thread stacks", m)
        elif start % (64 << 20) == 0 or (previous and previous[2].startswith("---")
                                          and previous[0] % (64 << 20) == 0
                                          and previous[1] == start):
            add("glibc thread arenas", m)
        else:
            add("other anonymous (mmapped blocks)", m)
    return rows


def malloc_stats(path):
    """(system bytes, in-use bytes) per arena from glibc's malloc_stats() output."""
    arenas, system = [], None
    for line in open(path):
        if line.startswith("system bytes"):
            system = int(line.split("=")[1])
        elif line.startswith("in use bytes") and system is not None:
            arenas.append((system, int(line.split("=")[1])))
            system = None
    return arenas


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    pid = sys.argv[1]
    rows = classify(pid)
    total = sum(rss for rss, _ in rows.values())
    print(f"| class | RSS KiB | mapped KiB |")
    print("|---|---|---|")
    for name, (rss, size) in sorted(rows.items(), key=lambda r: -r[1][0]):
        print(f"| {name} | {rss:,} | {size:,} |")
    print(f"| **total** | **{total:,}** | |")
    status = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        status[key] = value.strip()
    print(f"VmRSS {status['VmRSS']}, RssAnon {status['RssAnon']}, RssFile {status['RssFile']}, "
          f"threads {status['Threads']}")
    if len(sys.argv) == 4 and sys.argv[2] == "--malloc-stats":
        arenas = malloc_stats(sys.argv[3])
        if arenas:
            # glibc prints each arena, then the total of all arenas.
            *each, (system, in_use) = arenas
            print(f"glibc: {len(each)} arenas, {system / 1024:,.0f} KiB from the system, "
                  f"{in_use / 1024:,.0f} KiB in use, {(system - in_use) / 1024:,.0f} KiB free "
                  f"but kept")
            for n, (s, u) in enumerate(each):
                print(f"  arena {n}: system {s / 1024:,.0f} KiB, in use {u / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
