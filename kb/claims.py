"""Adding claims: validate first, then write atomically; an existing id is never overwritten
(the generic path in kb.records, with the claim's own checks: quotes at their lines, no copying)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.models import Claim
from kb.records import add_record, parse_input, read_input_file
from kb.store import KnowledgeBase


def parse_claim(data: Any, origin: str, text: str | None = None) -> Claim:
    """A Claim from already-parsed input (a `--from` file or assembled flags); problems are
    reported against `origin` with the field and id."""
    return parse_input(Claim, data, origin, text)


def read_claim_file(path: Path) -> Claim:
    return read_input_file(Claim, path)


def add_claim(root: Path, claim: Claim, kb: KnowledgeBase | None = None) -> Path:
    """Validate `claim` against the knowledge base and create `claims/findings/<id>.yaml`.
    Raises AlreadyExists if the id is taken (also when another writer wins a race) and
    InvalidKnowledgeBase with every problem otherwise; nothing is written unless all is well."""
    return add_record(root, claim, kb)
