"""Putting a freshly rendered docs folder in place of the last one file by file: a file whose bytes
did not change is left as it was, modification time included, so the engine's incremental build
(`mkdocs build --dirty`, which rebuilds a page only when its source is newer than its HTML) sees
exactly the pages whose content changed.

A large file replaced or removed is first set aside in a trash folder (`set_aside`: a second
name, so the replacement only drops a name) and deleted later, beside the engine's run (`empty`):
freeing a file's blocks takes the file system about 10 ms per 50 MB (the database, the claims'
downloads), time the build would otherwise wait for."""

from __future__ import annotations

import filecmp
import itertools
import os
import shutil
import stat
from pathlib import Path

TRASH = "trash"  # under build/: large files set aside, deleted beside the engine's run
TRASH_FROM = 1 << 20  # bytes: a file this large is set aside rather than freed at once
_names = itertools.count()


def set_aside(path: str, trash: Path) -> bool:
    """Give the large file `path` a second name in `trash`, so that removing or replacing it frees
    nothing until `trash` is emptied; whether it did (not for a small file, or where the file
    system has no hard links: it is then freed when removed, as usual)."""
    try:
        if os.stat(path).st_size < TRASH_FROM:
            return False
        os.makedirs(trash, exist_ok=True)
        os.link(path, os.path.join(trash, f"{os.getpid()}-{next(_names)}"))
    except OSError:
        return False
    return True


def move_aside(path: str, trash: Path) -> None:
    """Move the large file `path` into `trash` (nothing for a small or missing file): a writer that
    replaces it then makes a new file instead of freeing the old one's blocks first."""
    try:
        if os.stat(path).st_size >= TRASH_FROM:
            discard(path, trash)
    except OSError:
        return


def discard(path: str, trash: Path) -> None:
    """Move `path`, a file or a folder, into `trash`, to be deleted with it (`empty`)."""
    os.makedirs(trash, exist_ok=True)
    os.replace(path, os.path.join(trash, f"{os.getpid()}-{next(_names)}"))


def empty(trash: Path) -> None:
    """Delete everything set aside in `trash` (and the folder)."""
    shutil.rmtree(trash, ignore_errors=True)


def files_under(folder: Path) -> list[str]:
    """Every regular file under `folder`, by path relative to it (with os.sep)."""
    out = []
    for top, _, names in os.walk(folder):
        rel = os.path.relpath(top, folder)
        out += [name if rel == "." else os.path.join(rel, name) for name in names]
    return out


def replace_tree(new: Path, old: Path, trash: Path | None = None) -> list[str]:
    """Make `old` hold exactly the files of `new` (which is removed): a changed or added file is
    moved across, an identical one left in place, one `new` lacks deleted (with `trash`, a large
    file replaced or deleted is set aside there: `set_aside`). Returns the paths (relative, with
    forward slashes) that were changed or added, sorted; every path when `old` was missing or its
    shape differs (a file where `new` has a folder, or the reverse), as `new` then replaces it
    whole."""
    fresh = files_under(new)
    if old.is_dir() and not _clash(old, fresh):
        changed = [rel for rel in fresh if _moved(new, old, rel, trash)]
        filecmp.clear_cache()
        _prune(old, set(fresh), trash)
        shutil.rmtree(new)
        return sorted(p.replace(os.sep, "/") for p in changed)
    if old.is_dir():
        if trash is not None:
            for rel in files_under(old):
                set_aside(os.path.join(old, rel), trash)
        shutil.rmtree(old)
    elif old.exists() or old.is_symlink():
        old.unlink()
    old.parent.mkdir(parents=True, exist_ok=True)
    new.rename(old)
    return sorted(p.replace(os.sep, "/") for p in fresh)


def _clash(old: Path, fresh: list[str]) -> bool:
    """Whether a path of `fresh` is a folder in `old`, or one of its folders a file there."""
    files = set(files_under(old))
    return any(os.path.isdir(os.path.join(old, rel)) or any(parent in files for parent in _parents(rel)) for rel in fresh)


def _parents(rel: str) -> list[str]:
    parts = rel.split(os.sep)[:-1]
    return [os.sep.join(parts[: i + 1]) for i in range(len(parts))]


def _moved(new: Path, old: Path, rel: str, trash: Path | None) -> bool:
    """Move `rel` from `new` to `old` unless `old` has it with the same bytes; whether it moved."""
    src, dst = os.path.join(new, rel), os.path.join(old, rel)
    try:
        there = os.stat(dst)
    except OSError:
        there = None
    if there is not None and stat.S_ISREG(there.st_mode):
        if os.path.samestat(os.stat(src), there) or filecmp.cmp(src, dst, shallow=False):
            return False
        if trash is not None:
            set_aside(dst, trash)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.replace(src, dst)
    return True


def _prune(old: Path, keep: set[str], trash: Path | None = None) -> None:
    """Delete the files under `old` not in `keep`, then the folders left empty."""
    for top, _, names in os.walk(old, topdown=False):
        rel = os.path.relpath(top, old)
        for name in names:
            if (name if rel == "." else os.path.join(rel, name)) not in keep:
                if trash is not None:
                    set_aside(os.path.join(top, name), trash)
                os.remove(os.path.join(top, name))
        if rel != "." and not os.listdir(top):
            os.rmdir(top)
