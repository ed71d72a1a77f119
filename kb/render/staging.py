"""Putting a freshly rendered docs folder in place of the last one file by file: a file whose bytes
did not change is left as it was, modification time included, so the engine's incremental build
(`mkdocs build --dirty`, which rebuilds a page only when its source is newer than its HTML) sees
exactly the pages whose content changed."""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path


def files_under(folder: Path) -> list[str]:
    """Every regular file under `folder`, by path relative to it (with os.sep)."""
    out = []
    for top, _, names in os.walk(folder):
        rel = os.path.relpath(top, folder)
        out += [name if rel == "." else os.path.join(rel, name) for name in names]
    return out


def replace_tree(new: Path, old: Path) -> list[str]:
    """Make `old` hold exactly the files of `new` (which is removed): a changed or added file is
    moved across, an identical one left in place, one `new` lacks deleted. Returns the paths
    (relative, with forward slashes) that were changed or added, sorted; every path when `old` was
    missing or its shape differs (a file where `new` has a folder, or the reverse), as `new` then
    replaces it whole."""
    fresh = files_under(new)
    if old.is_dir() and not _clash(old, fresh):
        changed = [rel for rel in fresh if _moved(new, old, rel)]
        filecmp.clear_cache()
        _prune(old, set(fresh))
        shutil.rmtree(new)
        return sorted(p.replace(os.sep, "/") for p in changed)
    if old.is_dir():
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


def _moved(new: Path, old: Path, rel: str) -> bool:
    """Move `rel` from `new` to `old` unless `old` has it with the same bytes; whether it moved."""
    src, dst = os.path.join(new, rel), os.path.join(old, rel)
    if os.path.isfile(dst) and (os.path.samefile(src, dst) or filecmp.cmp(src, dst, shallow=False)):
        return False
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.replace(src, dst)
    return True


def _prune(old: Path, keep: set[str]) -> None:
    """Delete the files under `old` not in `keep`, then the folders left empty."""
    for top, _, names in os.walk(old, topdown=False):
        rel = os.path.relpath(top, old)
        for name in names:
            if (name if rel == "." else os.path.join(rel, name)) not in keep:
                os.remove(os.path.join(top, name))
        if rel != "." and not os.listdir(top):
            os.rmdir(top)
