"""Where the database lives and whether it still matches `claims/`: one stat per file, folded into
a sum. Standard library only (os, zlib), because cli.prefetch computes the fingerprint in forked
children that should start in a millisecond."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kb.paths import BUILD_DIR, CLAIMS_DIR

DB_NAME = "kb.sqlite"
# Part of every fingerprint, so a database written by another version of the schema never looks fresh.
SCHEMA_VERSION = "7"

FileStats = dict[str, tuple[int, int]]  # path relative to the root -> (size, mtime_ns)


def build_dir(root: Path) -> Path:
    return root / BUILD_DIR


def db_path(root: Path) -> Path:
    return build_dir(root) / DB_NAME


def is_hidden(name: str) -> bool:
    """Hidden files and folders under claims/ (editor swap files, temporary files of a write, .git
    debris) are neither read by the loader nor part of the fingerprint."""
    return name.startswith(".")


def fold(path: str, size: int, mtime_ns: int) -> int:
    return (mtime_ns + size) * (zlib.crc32(path.encode()) | 1)


def entries(root: Path, part: int = 0, parts: int = 1) -> Iterator[tuple[str, os.stat_result]]:
    """Path and stat of every file under claims/ (hidden ones skipped); with `parts` > 1, only
    every `parts`-th file in walking order, starting at `part` (the order is the same in processes
    that walk the same folders, so the parts are disjoint and cover everything)."""
    stack, seen = [str(root / CLAIMS_DIR)], 0
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        if not is_hidden(entry.name):
                            stack.append(entry.path)
                        continue
                    seen += 1
                    if seen % parts != part or is_hidden(entry.name):
                        continue
                    try:
                        st = entry.stat()
                    except OSError:  # a dangling symlink: its path still counts, so adding or removing it is seen
                        st = entry.stat(follow_symlinks=False)
                    yield entry.path, st
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue


def walk(root: Path, part: int = 0, parts: int = 1) -> Iterator[tuple[str, int, int]]:
    """`entries`' paths, with each file's size and mtime."""
    for path, st in entries(root, part, parts):
        yield path, st.st_size, st.st_mtime_ns


def fingerprint_sum(root: Path, part: int = 0, parts: int = 1) -> tuple[int, int]:
    """Count and sum of the folded stats of the files in one part of claims/ (all of it by
    default). Sums of disjoint parts add up to the whole, so the check can be split across
    processes (cli.prefetch) and joined with `join_sums`."""
    count = total = 0
    for path, size, mtime in walk(root, part, parts):
        total += fold(path, size, mtime)
        count += 1
    return count, total


def _digest(count: int, total: int) -> str:
    return f"{SCHEMA_VERSION}:{count}:{total & 0xFFFFFFFFFFFFFFFFFFFFFFFF:024x}"  # one width: see kb.db.publish


def join_sums(sums: Iterable[tuple[int, int]]) -> str:
    """The fingerprint of the whole from the sums of its parts."""
    counts, totals = zip(*sums, strict=True)
    return _digest(sum(counts), sum(totals))


def fingerprint(root: Path) -> str:
    """A digest of every file's path, size and modification time under `claims/`: one stat per
    file and no file read, so a read command can afford it at 50,000 files. Each file contributes
    (mtime + size) multiplied by an odd hash of its path, so an edit, an addition, a removal or a
    rename changes the sum."""
    return join_sums([fingerprint_sum(root)])


def scan(root: Path, each: Callable[[str, str, os.stat_result], object] | None = None) -> tuple[FileStats, str]:
    """Every file's stats, by path relative to the root, and the same digest as `fingerprint`.
    `each(rel, path, stat)` is called for every file on the way (a caller that reads them too
    need not stat them again)."""
    prefix = len(str(root / CLAIMS_DIR)) - len(CLAIMS_DIR)  # as walk() joins them: Path(".") / "claims" is "claims"
    files: FileStats = {}
    total = 0
    for path, st in entries(root):
        rel = path[prefix:]
        files[rel] = (st.st_size, st.st_mtime_ns)
        total += fold(path, st.st_size, st.st_mtime_ns)
        if each is not None:
            each(rel, path, st)
    return files, _digest(len(files), total)


def stored_fingerprint(path: Path) -> str | None:
    """The fingerprint the database at `path` was built for; None when there is no readable
    database of this schema version there (missing, not a database, damaged, another version):
    the caller rebuilds it."""
    import sqlite3

    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('fingerprint', 'schema_version')").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    if found.get("schema_version") != SCHEMA_VERSION:  # written by another version of the schema
        return None
    return found.get("fingerprint")
