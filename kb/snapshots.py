"""The knowledge base as it was at past commits, walked back from the one already loaded: each
commit's state is the next newer one with only the record files that differ between the two
replaced by their older versions (git's trees name every file by the hash of its bytes, so the
difference is a comparison of two listings; the older versions are read from git in one batch).
A commit that changed ten files costs ten parses, not a load of the whole knowledge base.

What a state holds is what `kb.store.load(verify=False)` would give for that commit's claims/ with
the archived texts left out (a trend needs no quote check): the records that parse and validate,
the first of a duplicated id by path, and that commit's weights (the current ones when it had no
valid weights file)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from kb.git import GitUnavailable, git
from kb.models import RECORD_FOLDERS, Identified
from kb.paths import CLAIMS_DIR
from kb.store import KnowledgeBase, load_file, parse_record, record_files
from kb.weights import WEIGHTS_FILE, InvalidWeights, Weights, parse_weights

FOLDERS = [f for f in RECORD_FOLDERS if f != "texts"]
_ORDER = {folder: i for i, folder in enumerate(FOLDERS)}
WEIGHTS = f"{CLAIMS_DIR}/{WEIGHTS_FILE}"
REGULAR = ("100644", "100755")  # a symlink or a submodule is not a record the loader reads

Tree = dict[str, tuple[str, str]]  # path (from the knowledge base's root) -> (mode, blob id)


class Entry(NamedTuple):
    """A valid record file: its folder, its record, its place in the loader's order, its full path."""

    folder: str
    record: Identified
    order: tuple[int, list[str]]
    full: Path


Records = dict[str, Entry]  # path (from the root) -> its record


@dataclass(frozen=True)
class Snapshot:
    sha: str
    kb: KnowledgeBase
    weights: Weights


def folder_of(path: str) -> str | None:
    """The record folder a path (from the root) is read into by the loader, or None: a `*.yaml`
    under claims/<folder>/, no part hidden."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != CLAIMS_DIR or parts[1] not in _ORDER or not parts[-1].endswith(".yaml"):
        return None
    return None if any(p.startswith(".") for p in parts[1:]) else parts[1]


def tree(root: Path, sha: str) -> Tree:
    """Every file under claims/ at `sha`, with its mode and blob id."""
    out: Tree = {}
    for item in git(root, "ls-tree", "-r", "-z", sha, "--", CLAIMS_DIR).split(b"\0"):
        if item:
            meta, path = item.split(b"\t", 1)
            mode, _, oid = meta.decode().split()
            out[os.fsdecode(path)] = (mode, oid)
    return out


def _changed_since(root: Path, sha: str) -> set[str]:
    """Paths under claims/ whose working-tree file differs from `sha`'s, or that `sha` does not
    track (untracked and ignored files included: the loader reads them)."""
    changed = git(root, "diff", "--name-only", "--no-renames", "--relative", "-z", sha, "--", CLAIMS_DIR)
    others = git(root, "ls-files", "--others", "-z", "--", CLAIMS_DIR)
    return {os.fsdecode(p) for p in (changed + b"\0" + others).split(b"\0") if p}


def _blobs(root: Path, oids: Sequence[str]) -> dict[str, bytes]:
    """The bytes of each blob, in one `git cat-file --batch`."""
    if not oids:
        return {}
    out = git(root, "cat-file", "--batch", stdin="\n".join(oids).encode() + b"\n")
    found: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:  # "<oid> missing"
            pos = end + 1
            continue
        size = int(header[2])
        found[header[0].decode()] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return found


def _entry(root: Path, path: str, folder: str, record: Identified, full: Path | None = None) -> Entry:
    return Entry(folder, record, (_ORDER[folder], path.split("/")), full or root / path)  # the loader sorts Paths: by parts


def _records_of(kb: KnowledgeBase) -> Records:
    """Every valid record file of the working tree: those `kb` holds, and any it left out because
    another file had the same id first (an older commit may not have that other file)."""
    records = {
        rel: _entry(kb.root, rel, folder, kb.folder(folder)[id], path)
        for (folder, id), path in kb.paths.items()
        if folder in _ORDER and (rel := kb.rel(path))
    }
    for folder in FOLDERS:
        for path in record_files(kb.root, folder):
            rel = kb.rel(path)
            if rel not in records:  # a duplicate id (or an invalid file: None)
                record, _ = load_file(path, RECORD_FOLDERS[folder], rel)
                if record is not None:
                    records[rel] = _entry(kb.root, rel, folder, record, path)
    return records


def _replace(root: Path, records: Records, paths: set[str], older: Tree) -> None:
    """Put each of `paths` as it is in `older` into `records` (gone if `older` has no such record file)."""
    wanted: dict[str, tuple[str, str]] = {}  # path -> (folder, blob id)
    for path in paths:
        records.pop(path, None)
        entry, folder = older.get(path), folder_of(path)
        if entry is not None and entry[0] in REGULAR and folder is not None:
            wanted[path] = (folder, entry[1])
    blobs = _blobs(root, sorted({oid for _, oid in wanted.values()}))
    for path, (folder, oid) in wanted.items():
        try:
            text = blobs[oid].decode("utf-8")
        except (KeyError, UnicodeDecodeError):
            continue  # the loader refuses a file that is not UTF-8
        record, _ = parse_record(text, RECORD_FOLDERS[folder], path, PurePosixPath(path).stem)
        if record is not None:
            records[path] = _entry(root, path, folder, record)


def _knowledge_base(root: Path, records: Records) -> KnowledgeBase:
    """The records in the loader's order (folder by folder, by path), the first of an id kept."""
    kb = KnowledgeBase(root=root)
    for entry in sorted(records.values(), key=lambda e: e.order):
        into = kb.folder(entry.folder)
        if entry.record.id not in into:
            into[entry.record.id] = entry.record
            kb.paths[(entry.folder, entry.record.id)] = entry.full
    return kb


def _weights(root: Path, at: Tree, current: Weights, seen: dict[str, Weights]) -> Weights:
    entry = at.get(WEIGHTS)
    if entry is None or entry[0] not in REGULAR:
        return current
    oid = entry[1]
    if oid not in seen:
        try:
            seen[oid] = parse_weights(_blobs(root, [oid])[oid].decode("utf-8"), WEIGHTS)
        except (KeyError, UnicodeDecodeError, InvalidWeights):
            seen[oid] = current
    return seen[oid]


def walk_back(
    root: Path, current: KnowledgeBase, weights: Weights, commits: Sequence[str], wanted: Mapping[str, object]
) -> Iterator[Snapshot]:
    """The knowledge base at each commit of `commits` (newest last) that is in `wanted`, newest
    first, walked back from `current` (the records loaded from the working tree) and `weights`
    (the working tree's, used where a commit had no valid weights file). Stops at the first commit
    git cannot list."""
    records = _records_of(current)
    seen: dict[str, Weights] = {}
    remaining = sum(1 for sha in commits if sha in wanted)
    newer: Tree | None = None
    try:
        for sha in reversed(commits):
            if remaining == 0:
                return
            at = tree(root, sha)
            if newer is None:
                _replace(root, records, _changed_since(root, sha), at)
            else:
                _replace(root, records, {path for path, _ in at.items() ^ newer.items()}, at)
            newer = at
            if sha in wanted:
                remaining -= 1
                yield Snapshot(sha, _knowledge_base(root, records), _weights(root, at, weights, seen))
    except GitUnavailable:
        return
