"""The JSON Schema of each record type, generated from its pydantic model (the one source of truth
for the record's shape): `kb schema`, and downloads/schema/ on the site."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from kb.errors import NotFound
from kb.models import Claim, ConfoundType, Discrepancy, Hypothesis, Model, Question, Review, Source, SourceText

RECORDS: dict[str, type[BaseModel]] = {
    "claim": Claim,
    "hypothesis": Hypothesis,
    "confound": ConfoundType,
    "model": Model,
    "source": Source,
    "text": SourceText,
    "discrepancy": Discrepancy,
    "question": Question,
    "review": Review,
}


def json_schema(record: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record type's public JSON, by its CLI noun."""
    if record not in RECORDS:
        raise NotFound("record type", record, list(RECORDS))
    schema = RECORDS[record].model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{record}.schema.json", **schema}
