#!/usr/bin/env python3
"""What a commit's writes cost on this disk (BENCHMARKS.md, seventh session).

Why the app's commits go through a journal (src/store/journal.rs): redb writes a
commit's pages wherever its allocator finds room, scattered over the file. This
measures, on a 170 MB file like a 100 000-participant database, the p50 of:

- N scattered 4 KB pages written and synced (redb's own commit, N = 6 for a one-key
  commit, about 40 for a captured meeting);
- the same N pages side by side in one write, synced (the journal);
- writing 40 scattered pages without a sync (what the database file alone costs);
- a 160 KB journal record synced, in a file whose blocks exist, and in a new sparse one.

    python3 benches/disk_sync.py [DIR]      # DIR: where the test files go (default .)

Standard library only; writes about 180 MB and removes it.
"""

import os
import random
import sys
import time

PAGE = 4096
DIR = sys.argv[1] if len(sys.argv) > 1 else "."
MAIN = os.path.join(DIR, "disk_sync_main.bin")
JOURNAL = os.path.join(DIR, "disk_sync_journal.bin")
SIZE = 170 << 20
JSIZE = 8 << 20
ROUNDS = 200


def p50(f, rounds=ROUNDS):
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return times[len(times) // 2]


def filled(path, size):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    block = os.urandom(1 << 20)
    for off in range(0, size, 1 << 20):
        os.pwrite(fd, block, off)
    os.fsync(fd)
    return fd


def main():
    main_fd = filled(MAIN, SIZE)
    page = os.urandom(PAGE)
    record = os.urandom(40 * PAGE)

    def scattered(n, sync=True):
        def f():
            for _ in range(n):
                os.pwrite(main_fd, page, random.randrange(SIZE // PAGE) * PAGE)
            if sync:
                os.fdatasync(main_fd)
        return f

    def side_by_side(n):
        data = os.urandom(n * PAGE)
        def f():
            os.pwrite(main_fd, data, random.randrange(SIZE // PAGE - n) * PAGE)
            os.fdatasync(main_fd)
        return f

    def journal(fd):
        pos = [0]
        def f():
            if pos[0] + len(record) > JSIZE:
                pos[0] = 0
            os.pwrite(fd, record, pos[0])
            os.fdatasync(fd)
            pos[0] += len(record)
        return f

    print("| writes | p50 |")
    print("|---|---|")
    for n in (6, 40):
        print(f"| {n} scattered pages, synced | {p50(scattered(n)):.2f} ms |")
        print(f"| {n} pages side by side, one write, synced | {p50(side_by_side(n)):.2f} ms |")
    print(f"| 40 scattered pages, not synced | {p50(scattered(40, sync=False)):.2f} ms |")
    os.fdatasync(main_fd)
    fd = filled(JOURNAL, JSIZE)
    print(f"| 160 KB journal record, synced (blocks written before) | {p50(journal(fd)):.2f} ms |")
    os.close(fd)
    fd = os.open(JOURNAL, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    os.ftruncate(fd, JSIZE)
    # One lap of a sparse file: every record lands in a hole.
    print(f"| 160 KB journal record, synced (a sparse file's first lap) | {p50(journal(fd), JSIZE // len(record)):.2f} ms |")
    os.close(fd)
    os.close(main_fd)
    os.unlink(MAIN)
    os.unlink(JOURNAL)


if __name__ == "__main__":
    main()
