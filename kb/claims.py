"""Adding claims: validate first, then write atomically; an existing id is never overwritten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb import yamlio
from kb.errors import AlreadyExists, InvalidInput, InvalidKnowledgeBase
from kb.models import Claim
from kb.paths import CLAIMS_DIR
from kb.store import KnowledgeBase, check_new_claim, claim_path, dump_record, load, validation_problems


def parse_claim(data: Any, origin: str, text: str | None = None) -> Claim:
    """A Claim from already-parsed input (a `--from` file or assembled flags); problems are
    reported against `origin` with the field and id."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{origin}: (record): expected a mapping of claim fields")
    try:
        return Claim.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, data, origin, text, str(data.get("id", "?")))
        raise InvalidKnowledgeBase(problems) from None


def read_claim_file(path: Path) -> Claim:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = yamlio.parse(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's input
        raise InvalidInput(f"{path}: malformed YAML or JSON: {str(exc).splitlines()[0]}") from None
    return parse_claim(data, str(path), text)


def add_claim(root: Path, claim: Claim, kb: KnowledgeBase | None = None) -> Path:
    """Validate `claim` against the knowledge base and create `claims/findings/<id>.yaml`.
    Raises AlreadyExists if the id is taken (also when another writer wins a race) and
    InvalidKnowledgeBase with every problem otherwise; nothing is written unless all is well."""
    path = claim_path(root, claim.id)
    rel = f"{CLAIMS_DIR}/findings/{claim.id}.yaml"
    if path.exists():
        raise AlreadyExists(rel, claim.id)
    if kb is None:
        kb, _ = load(root, verify=False)
    if claim.id in kb.claims:
        raise AlreadyExists(kb.path_of("findings", claim.id), claim.id)
    content = dump_record(claim)
    problems = check_new_claim(kb, claim, path, content)
    if problems:
        raise InvalidKnowledgeBase(problems)
    try:
        yamlio.write_new(path, content)
    except FileExistsError:
        raise AlreadyExists(rel, claim.id) from None
    return path
