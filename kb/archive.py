"""Archiving a text that locators can point into: `claims/texts/<id>.txt` (made by kb.convert) and
its record `claims/texts/<id>.yaml`, written together or not at all."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from kb.convert import convert
from kb.errors import InvalidInput
from kb.models import SourceText
from kb.paths import CLAIMS_DIR
from kb.records import add_record, load_for, parse_input
from kb.store import KnowledgeBase
from kb.texts import ArchivedText, normalise


def text_rel(id: str) -> str:
    """Where the archived text `id` lives, relative to the repository root."""
    return f"{CLAIMS_DIR}/texts/{id}.txt"


def archived_path(root: Path, rel: str) -> Path | None:
    """The file a text record's `path` names, if it is a file under claims/ (nothing outside the
    knowledge base is read)."""
    path = (root / rel).resolve()
    return path if path.is_relative_to((root / CLAIMS_DIR).resolve()) and path.is_file() else None


def add_text(
    root: Path,
    file: Path,
    source: str,
    id: str | None = None,
    *,
    description: str = "",
    retrieved_from: str | None = None,
    retrieved_on: dt.date | None = None,
    licence: str | None = None,
) -> SourceText:
    """Convert `file`, check it against the knowledge base (the source exists, the same text is not
    archived already) and write the text and its record. `id` defaults to the source's id."""
    kb = load_for(root, "texts")
    text_id = id or source
    if source not in kb.sources:
        raise InvalidInput(f"{file}: source: unknown source '{source}' (text id {text_id}); add it first with 'kb source add'")
    converted = convert(file)
    data = converted.text.encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    same = _same_text(kb, sha, converted.original_sha256, converted.text)
    if same is not None:
        raise InvalidInput(f"{file}: file: the same text is already archived as '{same}' ({kb.path_of('texts', same)}); nothing written")
    record = parse_input(
        SourceText,
        {
            "id": text_id,
            "source": source,
            "path": text_rel(text_id),
            "sha256": sha,
            "lines": ArchivedText(root / text_rel(text_id), data).line_count,
            "description": description,
            "retrieved_from": retrieved_from,
            "retrieved_on": retrieved_on,
            "original_sha256": converted.original_sha256,
            "conversion": converted.conversion,
            "licence": licence,
        },
        "command line",
    )
    add_record(root, record, kb, files={root / text_rel(text_id): data})
    return record


def _same_text(kb: KnowledgeBase, sha: str, original_sha: str, text: str) -> str | None:
    """The archived text that `text` repeats: the same file or conversion (by sha256), else the same
    words with other line breaks or spacing."""
    for other in kb.texts.values():
        if {sha, original_sha} & {other.sha256, other.original_sha256}:
            return other.id
    words = normalise(text)
    for other in kb.texts.values():
        path = archived_path(kb.root, other.path)
        if path is not None and normalise(path.read_text(encoding="utf-8", errors="replace")) == words:
            return other.id
    return None
