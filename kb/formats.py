"""The machine-readable formats as text: JSON, JSON lines and CSV, one style for every `-f` and
for the site's downloads, so a download is byte for byte what the CLI prints for the same query."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from kb import escape


def json_text(value: Any) -> str:
    """The one JSON style: compact, UTF-8 as is (what the database stores, so stored records pass
    through unchanged)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_list(records: Sequence[str]) -> str:
    """Records already serialised as JSON objects, as a JSON list: one record per line."""
    return "[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n"


def jsonl(records: Sequence[str]) -> str:
    return "".join(f"{r}\n" for r in records)


_NESTED = json.JSONEncoder(ensure_ascii=False)  # json.dumps(ensure_ascii=False) builds one per call


def csv_cell(value: Any) -> Any:
    """A CSV cell: nested values as JSON, nothing as empty, and text a spreadsheet would run as a
    formula (= + - @, tab, CR) neutralised with a leading apostrophe (OWASP)."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = _NESTED.encode(value)
    return escape.csv_cell(value)


def csv_text(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in records:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def claim_list_rows(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Claims as `kb claim list` shows them in a table or CSV: links flattened to
    'HYPOTHESIS BEARING, …', every other field as it is."""
    return [{**r, "links": ", ".join(f"{x['hypothesis']} {x['bearing']}" for x in r["links"])} for r in records]
