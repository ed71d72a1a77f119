"""The build lock: one writer of a tree's build/ at a time. Apart from kb.db.build so that taking
it does not load the records' models (kb.pipeline takes it before its rendering child has them)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.db.freshness import build_dir
from kb.errors import WriteFailed

LOCK_NAME = ".kb.lock"


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Serialise writers of one tree's database (`kb build`, `kb db build`, a read command's
    rebuild): an exclusive lock on build/.kb.lock, released when the process ends, however."""
    folder = build_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)  # never a file elsewhere through a link
    except OSError as exc:
        raise WriteFailed(f"{folder.relative_to(root).as_posix()}: cannot write the database there: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
