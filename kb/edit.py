"""Safe edits of claim files: round-trip YAML (ruamel.yaml keeps comments, key order and
formatting), a per-claim lock so concurrent writers serialise instead of losing each other's
changes, validation before anything is written, and an atomic replace."""

from __future__ import annotations

import fcntl
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from kb import yamlio
from kb.errors import InvalidKnowledgeBase, NotFound
from kb.models import Claim
from kb.paths import CLAIMS_DIR
from kb.store import check_new_claim, load, parse_record

LOCK_DIR = "build/locks"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    y.indent(mapping=2, sequence=2, offset=0)
    return y


@contextmanager
def locked(root: Path, id: str) -> Iterator[None]:
    """An exclusive lock on one claim, held across read-modify-write (advisory, via flock)."""
    folder = root / LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{id}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def find_claim_file(root: Path, id: str) -> Path:
    base = root / CLAIMS_DIR / "findings"
    direct = base / f"{id}.yaml"
    if direct.is_file():
        return direct
    for path in base.rglob(f"{id}.yaml"):
        return path
    raise NotFound("claim", id)


def validate_text(root: Path, path: Path, text: str) -> Claim:
    """Parse and fully check a claim's new text as if it stood at `path`; raise with every problem."""
    rel = path.relative_to(root).as_posix()
    claim, problems = parse_record(text, Claim, rel, path.stem)
    if claim is None or problems:
        raise InvalidKnowledgeBase(problems)
    kb, _ = load(root, verify=False, folders=("hypotheses", "confounds", "models", "sources", "texts"))
    if claim.superseded_by is not None:  # the one other claim this one may refer to
        try:
            successor = find_claim_file(root, claim.superseded_by)
            kb.claims[claim.superseded_by], _ = parse_record(successor.read_text(encoding="utf-8"), Claim, "", successor.stem)  # type: ignore[assignment]
        except NotFound:
            pass
    found = check_new_claim(kb, claim, path, text)
    if found:
        raise InvalidKnowledgeBase(found)
    return claim


def modify(root: Path, id: str, change: Callable[[Any], None]) -> Claim:
    """Apply `change` to the claim's round-trip YAML tree under its lock, validate, and replace the
    file atomically. On any problem the file is left exactly as it was."""
    path = find_claim_file(root, id)
    with locked(root, id):
        y = _yaml()
        data = y.load(path.read_text(encoding="utf-8"))
        change(data)
        out = io.StringIO()
        y.dump(data, out)
        text = _tidy(out.getvalue())
        claim = validate_text(root, path, text)
        yamlio.replace(path, text)
    return claim


def _tidy(text: str) -> str:
    """Drop the trailing spaces ruamel leaves where it folds a long plain scalar, unless that
    would change what the YAML means (a literal block keeps its trailing spaces)."""
    tidy = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    return tidy if tidy == text or yamlio.parse(tidy) == yamlio.parse(text) else text


def replace_text(root: Path, id: str, text: str) -> Claim:
    """Replace a claim's whole text (after an editor session), validated, under its lock."""
    path = find_claim_file(root, id)
    with locked(root, id):
        claim = validate_text(root, path, text)
        yamlio.replace(path, text)
    return claim
