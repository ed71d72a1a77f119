"""One output contract for every read command: `-f table|json|jsonl|csv`; data on stdout,
messages on stderr."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer

from kb.escape import csv_cell, visible

# Typer vendors Click: its own UsageError is the one its error handling turns into exit 2.
UsageError = typer.BadParameter.__mro__[1]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format: table for people; json, jsonl or csv for programs.", case_sensitive=False),
]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def emit(rows: Sequence[Mapping[str, Any]] | Mapping[str, Any], fmt: Format, columns: Sequence[str] | None = None, title: str = "") -> None:
    """Print `rows` (a list of records, or one record for `show` commands) in format `fmt`."""
    out = sys.stdout
    if fmt is Format.JSON:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    records = [rows] if isinstance(rows, Mapping) else list(rows)
    if fmt is Format.JSONL:
        for row in records:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    cols = list(columns or (records[0].keys() if records else []))
    if fmt is Format.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in cols])
        for row in records:
            writer.writerow([csv_cell(_cell(row.get(c))) if not isinstance(row.get(c), float) else row.get(c) for c in cols])
        return
    from rich.console import Console
    from rich.table import Column, Table
    from rich.text import Text

    def text(value: str) -> Text:  # a Text is never read as Rich markup; control characters are shown escaped
        return Text(visible(value, keep="\n"))

    console = Console(soft_wrap=False)
    if isinstance(rows, Mapping):
        table = Table("field", "value", title=text(title) if title else None, show_lines=False)
        for key, value in rows.items():
            table.add_row(text(key), text(_cell(value) if not isinstance(value, str) else value))
    else:
        table = Table(*[Column(header=text(c)) for c in cols], title=text(title) if title else None)
        for row in records:
            table.add_row(*[text(_cell(row.get(c))) for c in cols])
    console.print(table)


def emit_json_texts(records: Sequence[str], fmt: Format) -> None:
    """Records already serialised as JSON objects: a JSON list, or one per line."""
    if fmt is Format.JSONL:
        sys.stdout.write("".join(f"{r}\n" for r in records))
    else:
        sys.stdout.write("[" + ",\n".join(records) + "]\n")


def message(text: str) -> None:
    print(visible(text, keep="\n"), file=sys.stderr)
