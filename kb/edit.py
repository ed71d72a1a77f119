"""Safe edits of claim files: round-trip YAML (ruamel.yaml keeps comments, key order and
formatting), a per-claim lock on the resolved record file so concurrent writers serialise instead
of losing each other's changes, validation before anything is written, an atomic replace, and
minimal diffs (every top-level field and list item the change did not touch keeps its original
text, so ruamel's re-folding of long scalars never reaches the file)."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from kb import files, yamlio
from kb.errors import InvalidInput, InvalidKnowledgeBase, KbError, NotFound, WriteFailed
from kb.ids import check_id, check_name
from kb.models import Claim, Event
from kb.paths import BUILD_DIR, CLAIMS_DIR
from kb.store import check_new_claim, load, parse_record, record_files

LOCK_DIR = f"{BUILD_DIR}/locks"
REJECTED_DIR = f"{BUILD_DIR}/rejected"


class EditConflict(KbError):
    """The file changed under an edit and the two changes overlap."""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def event(actor: str, what: str, detail: str = "") -> dict[str, Any]:
    """One history entry (who, when, what) as it is written to a claim file."""
    return Event(at=now(), actor=actor, event=what, detail=detail).model_dump(mode="json", exclude_defaults=True)


def find_claim_file(root: Path, id: str) -> Path:
    """The file of claim `id`: the id is validated as a slug first, then matched exactly against
    the record files' names (never joined into a path unchecked, never used as a pattern)."""
    check_id(id)
    base = root / CLAIMS_DIR / "findings"
    direct = base / f"{id}.yaml"
    if os.path.lexists(direct):
        return direct
    for path in record_files(root, "findings"):
        if path.name == f"{id}.yaml":
            return path
    raise NotFound("claim", id)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _inside_build(root: Path, sub: str) -> Path:
    """`root/sub` (a folder under build/), refused if build/ or it leads out of the repository."""
    folder = root / sub
    if not files.inside(folder, root):
        raise WriteFailed(f"{sub}: leads outside the repository (a symlink?); refused, nothing was changed")
    return folder


def _lock_file(root: Path, path: Path) -> Path:
    rel = _rel(root, path)
    return root / LOCK_DIR / f"{path.stem}-{hashlib.sha256(rel.encode()).hexdigest()[:12]}.lock"


def clean_temp_files(root: Path, folder: Path) -> None:
    """Remove the temporary files that writes killed part-way (kill -9, power loss) left in
    `folder`: each `.NAME.yaml.XXXX.tmp` whose record's lock is free belongs to no running write."""
    for tmp in folder.glob(".*.yaml.*.tmp"):
        target = folder / tmp.name[1:-4].rsplit(".", 1)[0]
        try:
            fd = os.open(_lock_file(root, target), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        except OSError:
            return  # no lock folder: leave them for a run that can check
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            tmp.unlink(missing_ok=True)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            continue  # a write is in progress (or this process holds that lock): not stale
        finally:
            os.close(fd)


@contextmanager
def locked(root: Path, path: Path) -> Iterator[None]:
    """An exclusive lock on one record file, held across read-modify-write (advisory, via flock).
    The lock file is named after the record's path, so every spelling of an id takes one lock.
    Temporary files that killed writes left in the record's folder are removed first."""
    rel = _rel(root, path)
    folder = _inside_build(root, LOCK_DIR)
    name = _lock_file(root, path).name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)  # never through a planted symlink
    except FileExistsError:
        raise WriteFailed(f"{LOCK_DIR}: cannot create the lock for {rel}: {BUILD_DIR}/ is a file; nothing was changed") from None
    except OSError as exc:
        raise WriteFailed(f"{LOCK_DIR}: cannot create the lock for {rel}: {exc.strerror}; nothing was changed") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            for stale in path.parent.glob(f".{path.name}.*.tmp"):  # this record's: nobody else writes them now
                stale.unlink(missing_ok=True)
            clean_temp_files(root, path.parent)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_claim_text(root: Path, path: Path) -> str:
    """A claim file's text, with kb.files' bounds (regular file inside claims/, size cap, UTF-8)."""
    try:
        return files.read_text(path, _rel(root, path), root / CLAIMS_DIR)
    except files.UnreadableFile as exc:
        raise InvalidInput(str(exc)) from None


def _successor(root: Path, id: str) -> Claim | None:
    try:
        path = find_claim_file(root, id)
    except (NotFound, InvalidInput):
        return None
    claim, _ = parse_record(read_claim_text(root, path), Claim, _rel(root, path), path.stem)
    return claim


def validate_text(root: Path, path: Path, text: str) -> Claim:
    """Parse and fully check a claim's new text as if it stood at `path`; raise with every problem."""
    rel = _rel(root, path)
    claim, problems = parse_record(text, Claim, rel, path.stem)
    if claim is None or problems:
        raise InvalidKnowledgeBase(problems)
    kb, _ = load(root, verify=False, folders=("hypotheses", "confounds", "models", "sources", "texts"))
    if claim.superseded_by is not None:  # the one other claim this one may refer to
        successor = _successor(root, claim.superseded_by)
        if successor is not None:
            kb.claims[claim.superseded_by] = successor
    found = check_new_claim(kb, claim, path, text)
    if found:
        raise InvalidKnowledgeBase(found)
    return claim


def _current(root: Path, path: Path) -> str:
    """The claim file's text as it is now, refused (with the line) if its YAML is unsafe."""
    text = read_claim_text(root, path)
    try:
        yamlio.parse(text)
    except yaml.YAMLError as exc:
        _, problems = parse_record(text, Claim, _rel(root, path), path.stem)
        raise InvalidKnowledgeBase(problems) from exc
    return text


def _dump(y: YAML, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return _tidy(out.getvalue())


def modify(root: Path, id: str, change: Callable[[Any], None]) -> Claim:
    """Apply `change` to the claim's round-trip YAML tree under its lock, validate, and replace the
    file atomically, changing only the fields and list items `change` touched. On any problem
    the file is left exactly as it was."""
    path = find_claim_file(root, id)
    with locked(root, path):
        original = _current(root, path)
        y = _yaml()
        data = y.load(original)
        if not isinstance(data, dict):
            raise InvalidInput(f"{_rel(root, path)}: (record): expected a mapping of fields (id {id})")
        change(data)
        text = splice(original, _dump(y, data))
        claim = validate_text(root, path, text)
        write(root, path, text)
    return claim


def _tidy(text: str) -> str:
    """Drop the trailing spaces ruamel leaves where it folds a long plain scalar, unless that
    would change what the YAML means (a literal block keeps its trailing spaces)."""
    tidy = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    return tidy if tidy == text or yamlio.parse(tidy) == yamlio.parse(text) else text


# --- minimal diffs ------------------------------------------------------------------------------


def _blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`text` cut at its top-level keys: the head (comments, '---') and (key line, block text)."""
    head: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    for line in text.splitlines(keepends=True):
        starts = line[:1] not in ("", " ", "\t", "#", "-", "\n", "\r") and not line.startswith(("...", "---"))
        if starts:
            blocks.append((line.split(":", 1)[0], [line]))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            head.append(line)
    return "".join(head), [(k, "".join(lines)) for k, lines in blocks]


def _items(block: str) -> tuple[str, list[str]] | None:
    """A top-level key whose value is a block sequence (items at column 0, as this project writes
    them): its first line and the text of each item; None for any other value."""
    lines = block.splitlines(keepends=True)
    if len(lines) < 2 or lines[0].rstrip().split(":", 1)[1].strip() or not lines[1].startswith("-"):
        return None
    items: list[list[str]] = []
    for line in lines[1:]:
        if line.startswith("-"):
            items.append([line])
        elif items:
            items[-1].append(line)
    return lines[0], ["".join(i) for i in items]


def _same(a: str, b: str) -> bool:
    try:
        return bool(yamlio.parse(a) == yamlio.parse(b))
    except yaml.YAMLError:
        return False


def _merge_block(old: str, new: str) -> str:
    if _same(old, new):
        return old
    old_items, new_items = _items(old), _items(new)
    if old_items is None or new_items is None:
        return new
    kept = [o if i < len(old_items[1]) and _same(o := old_items[1][i], n) else n for i, n in enumerate(new_items[1])]
    return new_items[0] + "".join(kept)


def splice(original: str, new: str) -> str:
    """`new` (ruamel's dump of the changed tree) with the original text kept for every top-level
    field, and every item of a top-level list, whose value did not change; `new` itself if the
    result would not mean the same."""
    _, old_blocks = _blocks(original)
    head, new_blocks = _blocks(new)
    before = dict(old_blocks)
    out = head + "".join(_merge_block(before[k], b) if k in before else b for k, b in new_blocks)
    if not out.endswith("\n") and out:
        out += "\n"
    try:
        return out if yamlio.parse(out) == yamlio.parse(new) else new
    except yaml.YAMLError:
        return new


# --- writing -------------------------------------------------------------------------------------


def write(root: Path, path: Path, text: str) -> None:
    """Replace `path` atomically (its mode kept); WriteFailed, with every file as it was, if that
    is not possible."""
    try:
        yamlio.replace(path, text)
    except OSError as exc:
        raise WriteFailed(f"{_rel(root, path)}: cannot write: {exc.strerror}; the file is as it was") from None


def replace_text(root: Path, id: str, text: str, base: str, actor: str = "curator") -> Claim:
    """Replace a claim's whole text after an editor session that started from `base`, validated,
    under its lock, with an 'edited' event appended to its history. If the file changed in the
    meantime (a review recorded while the editor was open), the two changes are merged when they
    do not overlap (git merge-file); otherwise EditConflict, and the file is left as it is."""
    actor = check_name(actor, "actor")
    path = find_claim_file(root, id)
    with locked(root, path):
        current = _current(root, path)
        if current != base:
            text = _merge(root, base, current, text, path)
        try:
            after = yamlio.parse(text)
        except yaml.YAMLError:
            validate_text(root, path, text)  # reports the malformed YAML with its line
            raise
        y = _yaml()
        data = y.load(text)
        if isinstance(data, dict) and isinstance(after, dict):
            before = yamlio.parse(current)
            changed = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
            data.setdefault("history", []).append(event(actor, "edited", ", ".join(str(k) for k in changed)))
            text = splice(text, _dump(y, data))
        claim = validate_text(root, path, text)
        write(root, path, text)
    return claim


def _merge(root: Path, base: str, current: str, mine: str, path: Path) -> str:
    """Three-way merge of an edit (`mine`) with what the file became (`current`) since `base`."""
    rel = _rel(root, path)
    if shutil.which("git") is None:
        raise EditConflict(f"{rel}: the file changed while you were editing it; nothing was saved")
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for label, content in (("current", current), ("base", base), ("mine", mine)):
            (Path(tmp) / label).write_text(content, encoding="utf-8")
            names.append(str(Path(tmp) / label))
        done = subprocess.run(["git", "merge-file", "-p", *names], capture_output=True)
    if done.returncode != 0:
        raise EditConflict(f"{rel}: the file changed while you were editing it and the changes overlap; nothing was saved")
    return done.stdout.decode("utf-8")


def keep_rejected(root: Path, name: str, content: bytes) -> Path | None:
    """Keep a draft that could not be saved as build/rejected/NAME (NAME-2, -3… when an earlier
    draft is there, which is never overwritten); None if even that is impossible."""
    try:
        folder = _inside_build(root, REJECTED_DIR)
    except WriteFailed:
        return None
    stem, dot, ext = name.rpartition(".")
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem}-{n}{dot}{ext}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as f:
                f.write(content)
        except FileExistsError:
            continue
        except OSError:
            return None
        return target
    return None
