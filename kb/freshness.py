"""The fingerprint of claims/: one stat per file, folded into a sum. Kept apart from kb.db, with
nothing but the standard library's os and zlib, because cli.prefetch computes it in forked
children that should start in a millisecond."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from kb.paths import CLAIMS_DIR


def fold(path: str, size: int, mtime_ns: int) -> int:
    return (mtime_ns + size) * (zlib.crc32(path.encode()) | 1)


def walk(root: Path, part: int = 0, parts: int = 1) -> Iterator[tuple[str, int, int]]:
    """Path, size and mtime of every file under claims/ (hidden ones skipped); with `parts` > 1,
    only every `parts`-th file in walking order, starting at `part` (the order is the same in
    processes that walk the same folders, so the parts are disjoint and cover everything)."""
    stack, seen = [str(root / CLAIMS_DIR)], 0
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        if not entry.name.startswith("."):
                            stack.append(entry.path)
                        continue
                    seen += 1
                    if seen % parts != part or entry.name.startswith("."):
                        continue
                    try:
                        st = entry.stat()
                    except OSError:  # a dangling or looping symlink: its own stat (the loader refuses it by name)
                        st = entry.stat(follow_symlinks=False)
                    yield entry.path, st.st_size, st.st_mtime_ns
        except FileNotFoundError:
            continue


def fingerprint_sum(root: Path, part: int = 0, parts: int = 1) -> tuple[int, int]:
    """Count and sum of the folded stats of the files in one part of claims/ (all of it by
    default). Sums of disjoint parts add up to the whole, so the check can be split across
    processes (cli.prefetch) and joined with kb.db.join_sums."""
    count = total = 0
    for path, size, mtime in walk(root, part, parts):
        total += fold(path, size, mtime)
        count += 1
    return count, total
