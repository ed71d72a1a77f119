"""Adding claims: validate first, then write atomically; an existing id is never overwritten
(the generic path in kb.records, with the claim's own checks: quotes at their lines, no copying).
A `--from` file is read with the same bounds and parser as the knowledge base's own files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb import files, yamlio
from kb.errors import InvalidInput
from kb.ids import check_id, check_name, shown
from kb.models import Claim, Event
from kb.records import add_record, parse_input
from kb.store import KnowledgeBase, claim_path


def parse_claim(data: Any, origin: str, text: str | None = None) -> Claim:
    """A Claim from already-parsed input (a `--from` file or assembled flags); problems are
    reported against `origin` with the field and id."""
    return parse_input(Claim, data, origin, text)


TOOL_FIELDS = ("status", "reviews", "history", "superseded_by", "retraction_reason")  # written by kb, never given


def read_claim_file(path: Path) -> Claim:
    """A new claim from a YAML or JSON file (`kb claim add --from`), read with the same bounds and
    parser as the knowledge base's own files. Fields the tool writes (status, reviews, history,
    succession, retraction) are refused."""
    shown_path = shown(str(path), 200)
    try:
        text = files.read_text(path, shown_path)
    except files.UnreadableFile as exc:
        raise InvalidInput(str(exc)) from None
    try:
        data = yamlio.parse(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's input
        raise InvalidInput(f"{shown_path}: malformed YAML or JSON: {shown(str(exc).splitlines()[0], 200)}") from None
    if isinstance(data, dict):
        for name in TOOL_FIELDS:
            if name in data and data[name] not in ("draft", [], None):  # a new claim's own defaults are harmless
                id = shown(str(data.get("id", "?")))
                raise InvalidInput(
                    f"{shown_path}: {name}: is written by kb (reviews, status changes, history), not given in a new claim (id {id})"
                )
    return parse_claim(data, shown_path, text)


def add_claim(root: Path, claim: Claim, kb: KnowledgeBase | None = None, actor: str = "curator") -> Path:
    """Validate `claim` against the knowledge base and create `claims/findings/<id>.yaml`, its
    history opened with an 'added' event by `actor`. Raises AlreadyExists if the id is taken
    (also when another writer wins a race) and InvalidKnowledgeBase with every problem otherwise;
    nothing is written unless all is well."""
    from kb.edit import event, locked

    actor = check_name(actor, "actor")
    check_id(claim.id)
    claim = claim.model_copy(update={"history": [*claim.history, Event.model_validate(event(actor, "added"))]})
    with locked(root, claim_path(root, claim.id)):
        return add_record(root, claim, kb)
