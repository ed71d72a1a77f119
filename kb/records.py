"""Adding a record of any kind (claim, hypothesis, confound type, model, source, text, discrepancy,
question): parse the input, validate it against the knowledge base, then write atomically; an
existing id is never overwritten. One path for every kind, so each refuses the same way."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from kb import yamlio
from kb.errors import AlreadyExists, InvalidInput, InvalidKnowledgeBase, WriteFailed
from kb.models import RECORD_FOLDERS, Identified
from kb.paths import CLAIMS_DIR
from kb.store import NEEDED_FOLDERS, KnowledgeBase, check_new_record, dump_record, load, record_path, validation_problems

R = TypeVar("R", bound=Identified)

FOLDER_OF: dict[type[Identified], str] = {model: folder for folder, model in RECORD_FOLDERS.items()}
NOUN_OF: dict[str, str] = {
    "findings": "claim",
    "hypotheses": "hypothesis",
    "confounds": "confound type",
    "models": "model",
    "sources": "source",
    "texts": "text",
    "discrepancies": "discrepancy",
    "questions": "question",
}


def parse_input(model: type[R], data: Any, origin: str, text: str | None = None) -> R:
    """A record from already-parsed input (a `--from` file or assembled flags); problems are
    reported against `origin` with the field and id."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{origin}: (record): expected a mapping of {NOUN_OF[FOLDER_OF[model]]} fields")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, data, origin, text, str(data.get("id", "?")))
        raise InvalidKnowledgeBase(problems) from None


def read_input_file(model: type[R], path: Path) -> R:
    """A record from a YAML or JSON file (`--from FILE`), read with the same bounds as the
    knowledge base's own files (a regular file, of bounded size)."""
    from kb import files

    try:
        text = files.read_text(path, str(path))
    except files.UnreadableFile as exc:
        raise InvalidInput(str(exc)) from None
    try:
        data = yamlio.parse(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's input
        raise InvalidInput(f"{path}: malformed YAML or JSON: {str(exc).splitlines()[0]}") from None
    return parse_input(model, data, str(path), text)


def load_for(root: Path, folder: str) -> KnowledgeBase:
    """The part of the knowledge base a new record of `folder` is checked against."""
    kb, _ = load(root, verify=False, folders=NEEDED_FOLDERS[folder])
    return kb


def add_record(root: Path, record: Identified, kb: KnowledgeBase | None = None, files: Mapping[Path, bytes] | None = None) -> Path:
    """Validate `record` against the knowledge base and create `claims/<folder>/<id>.yaml`, after
    the companion `files` (an archived text) if any. Raises AlreadyExists if the id is taken (also
    when another writer wins a race) and InvalidKnowledgeBase with every problem otherwise; nothing
    is written unless all is well, and a write that fails half-way removes what it created."""
    folder = FOLDER_OF[type(record)]
    path = record_path(root, folder, record.id)
    rel = f"{CLAIMS_DIR}/{folder}/{record.id}.yaml"
    if path.exists():
        raise AlreadyExists(rel, record.id)
    if kb is None:
        kb = load_for(root, folder)
    if record.id in kb.folder(folder):
        raise AlreadyExists(kb.path_of(folder, record.id), record.id)
    for extra in files or {}:
        if extra.exists():
            raise InvalidInput(f"{extra.relative_to(root).as_posix()}: path: a file is already there (id {record.id}); nothing written")
    content = dump_record(record)
    problems = check_new_record(kb, folder, record, path, content)
    if problems:
        raise InvalidKnowledgeBase(problems)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. claims/findings is a file
        cause = "a file stands where its folder should be" if isinstance(exc, FileExistsError | NotADirectoryError) else exc.strerror
        raise WriteFailed(f"{rel}: cannot create its folder: {cause}; nothing was written") from None
    _write_all(root, record.id, {**(files or {}), path: content.encode("utf-8")}, rel)
    return path


def _write_all(root: Path, id: str, files: Mapping[Path, bytes], rel: str) -> None:
    """Create every file (each atomically, none replacing an existing one); if one fails, remove
    the ones already created, so the knowledge base is as it was."""
    created: list[Path] = []
    try:
        for target, data in files.items():
            yamlio.write_new(target, data)
            created.append(target)
    except FileExistsError:
        _remove(created)
        raise AlreadyExists(rel, id) from None
    except OSError as exc:
        _remove(created)
        raise WriteFailed(f"{rel}: cannot write: {exc.strerror}; nothing written (id {id})") from None


def _remove(paths: list[Path]) -> None:
    for p in paths:
        os.unlink(p)
