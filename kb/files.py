"""Reading files of the knowledge base safely: regular files only (never a FIFO, socket, device or
directory), never through a symlink that leaves the tree, and never more than a size cap."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from kb.errors import KbError
from kb.ids import shown

MAX_BYTES_ENV = "KB_MAX_FILE_BYTES"
MAX_BYTES = 256_000  # a record file larger than this is refused (the largest claim today is 6.5 kB)
# ns: a modification time this close to a reading of the file is not trusted to tell a later edit
# (one within the same tick of a coarse clock keeps it; FAT's tick is 2 s): kb.pipeline, kb.parsed
SAME_TICK = 2_000_000_000


class UnreadableFile(KbError):
    """A file that is not a regular file inside the knowledge base, too large, or unreadable."""

    def __init__(self, rel: str, reason: str) -> None:
        self.rel, self.reason = rel, reason
        super().__init__(f"{rel}: {reason}")


def max_bytes() -> int:
    """The per-file size cap: $KB_MAX_FILE_BYTES if set to a positive integer, else MAX_BYTES."""
    value = os.environ.get(MAX_BYTES_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_BYTES


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with '..' and every existing symlink resolved, lies inside `folder` (also
    resolved); a path that does not exist yet is judged by where it would be."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    return real.is_relative_to(folder.resolve())


def read_bytes(path: Path, rel: str, within: Path | None = None, limit: int | None = None) -> bytes:
    """The bytes of `path` (shown as `rel` in messages) if it is a regular file of at most `limit`
    bytes (default: max_bytes()), and, if it is a symlink, one that resolves inside `within`; else
    UnreadableFile naming the cause. Never blocks on a FIFO and never reads past the cap. (Callers
    with a path from a record check `inside()` first; paths from yaml_files are inside by walk.)"""
    cap = max_bytes() if limit is None else limit
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            try:
                real = path.resolve(strict=True)
            except RuntimeError:
                raise UnreadableFile(rel, "a symlink loop (refused)") from None
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise UnreadableFile(rel, "a symlink loop (refused)") from None
                raise UnreadableFile(rel, f"a dangling symlink to '{shown(os.readlink(path))}' (refused)") from None
            if within is not None and not real.is_relative_to(within.resolve()):
                raise UnreadableFile(rel, "a symlink to a file outside the knowledge base (refused)")
            mode = real.stat().st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(rel, f"{_kind(mode)}, not a regular file (refused)")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # swapped since the check above
                raise UnreadableFile(rel, f"{_kind(st.st_mode)}, not a regular file (refused)")
            if st.st_size > cap:
                raise UnreadableFile(rel, f"{st.st_size} bytes, more than the {cap}-byte cap (${MAX_BYTES_ENV})")
            # a read allocates the size it asks for: the first asks for the size fstat gave and one
            # byte more, the next (normally the empty one at the end) for 64 kB; asking for the cap
            # each time mapped and unmapped 256 kB twice per file (1,163 files: 20 ms against 13)
            chunks, total, want = [], 0, st.st_size + 1
            while chunk := os.read(fd, min(want, cap + 1 - total)):
                want = 1 << 16
                chunks.append(chunk)
                total += len(chunk)
                if total > cap:
                    raise UnreadableFile(rel, f"more than the {cap}-byte cap (${MAX_BYTES_ENV})")
            return b"".join(chunks)
        finally:
            os.close(fd)
    except UnreadableFile:
        raise
    except OSError as exc:
        raise UnreadableFile(rel, f"cannot read: {exc.strerror or exc}") from None


def read_text(path: Path, rel: str, within: Path | None = None, limit: int | None = None) -> str:
    """read_bytes decoded as UTF-8; UnreadableFile if it is not UTF-8."""
    data = read_bytes(path, rel, within, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(rel, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def yaml_files(base: Path) -> Iterator[Path]:
    """Every `*.yaml` entry under `base`, sorted, as the freshness fingerprint sees the tree:
    hidden files and folders skipped, symlinked folders not entered. Entries that are not regular
    files are yielded too, so the reader refuses them by name instead of skipping them silently."""
    found: list[str] = []
    stack = [str(base)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.name.startswith("."):
                        continue
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    if entry.name.endswith(".yaml"):  # a folder or symlink named *.yaml too: refused when read
                        found.append(entry.path)
                    elif is_dir:
                        stack.append(entry.path)
        except OSError:
            continue
    # Path order (part by part), sorted as strings split at the separator: comparing Path objects is slower
    return iter([Path(p) for p in sorted(found, key=lambda p: p.split(os.sep))])
