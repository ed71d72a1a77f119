"""The machine-readable formats as text: JSON, JSON lines and CSV, one style for every `-f` and
for the site's downloads, so a download is byte for byte what the CLI prints for the same query."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from kb import escape


def json_text(value: Any) -> str:
    """The one JSON style: compact, UTF-8 as is (what the database stores, so stored records pass
    through unchanged)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_list(records: Sequence[str]) -> str:
    """Records already serialised as JSON objects, as a JSON list: one record per line."""
    return "[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n"


class JsonListOut:
    """`json_list` written record by record (a download of every claim is never one string):
    `add` each, then `close`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.first = True

    def add(self, record: str) -> None:
        self.out.write(("[\n" if self.first else ",\n") + record)
        self.first = False

    def close(self) -> None:
        self.out.write("[]\n" if self.first else "\n]\n")


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


def _cells(record: Mapping[str, Any], columns: Sequence[str]) -> list[str]:
    return [csv_cell(record.get(c)) for c in columns]


def csv_text(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    write_csv(out, records, columns)
    return out.getvalue()


def write_csv(out: TextIO, records: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    """`csv_text` written row by row; `columns` None: the first record's keys (none without one)."""
    writer = csv.writer(out, lineterminator="\n")
    rows = iter(records)
    if columns is None:
        first = next(rows, None)
        columns = list(first) if first is not None else []
        rows = itertools.chain([first] if first is not None else [], rows)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_cells(row, columns))


def csv_line(record: Mapping[str, Any], columns: Sequence[str]) -> str:
    """One record's line as `write_csv` writes it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(_cells(record, columns))
    return out.getvalue()


def claim_list_rows(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Claims as `kb claim list` shows them in a table or CSV: links flattened to
    'HYPOTHESIS BEARING, …', every other field as it is."""
    return [claim_list_row(r) for r in records]


def claim_list_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """One claim as `claim_list_rows` shows it."""
    return {**record, "links": ", ".join(f"{x['hypothesis']} {x['bearing']}" for x in record["links"])}
