"""`kb schema [RECORD]`: the JSON Schema of each record type."""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def schema(
    record: Annotated[
        str | None,
        typer.Argument(
            help="claim, hypothesis, confound, model, source, text, discrepancy, question or review (default: all).", show_default=False
        ),
    ] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a record type's public JSON, generated from its
    model: what `kb … show -f json` prints and claims/ holds. Without RECORD, an object with every
    record type's schema. The site publishes the same files under downloads/schema/."""
    from kb.formats import json_text
    from kb.schemas import RECORDS, json_schema

    out = json_schema(record) if record is not None else {name: json_schema(name) for name in RECORDS}
    sys.stdout.write(json_text(out) + "\n")


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
