"""One output contract for every read command: `-f table|json|jsonl|csv`; data on stdout,
messages on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer

from kb.escape import visible
from kb.formats import csv_text, json_list, json_text, jsonl

# Typer vendors Click: its own UsageError is the one its error handling turns into exit 2.
UsageError = typer.BadParameter.__mro__[1]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    BIBTEX = "bibtex"  # sources only


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table for people; json, jsonl or csv for programs (bibtex: sources only).",
        case_sensitive=False,
    ),
]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


# Columns and fields that hold ids or paths: the table never truncates or folds them (other
# columns shrink or wrap first; where even that fails, the rows print as one block per record).
WHOLE = frozenset(
    {
        "id",
        "path",
        "file",
        "claim",
        "claim_id",
        "hypothesis",
        "top_driver",
        "source",
        "text",
        "channel",
        "origin",
        "model",
        "confound",
        "type",
    }
    | {"superseded_by", "links", "flip set", "removed", "rivals", "answers"}
)


def is_whole(column: str) -> bool:
    return column in WHOLE or column.endswith("_id")


def _width() -> int | None:
    """The terminal's width, COLUMNS when set; None when piped without COLUMNS (no limit)."""
    import os
    import shutil

    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def emit(rows: Sequence[Mapping[str, Any]] | Mapping[str, Any], fmt: Format, columns: Sequence[str] | None = None, title: str = "") -> None:
    """Print `rows` (a list of records, or one record for `show` commands) in format `fmt`."""
    out = sys.stdout
    if fmt is Format.BIBTEX:
        raise UsageError("-f bibtex: only sources are works ('kb source list|show -f bibtex')")
    if fmt is Format.JSON:
        out.write(json_list([json_text(r) for r in rows]) if not isinstance(rows, Mapping) else json_text(rows) + "\n")
        return
    records = [rows] if isinstance(rows, Mapping) else list(rows)
    if fmt is Format.JSONL:
        out.write(jsonl([json_text(r) for r in records]))
        return
    cols = list(columns or (records[0].keys() if records else []))
    if fmt is Format.CSV:
        out.write(csv_text(records, cols))
        return
    # control characters (ESC, BEL, bidi overrides) in data are shown as escapes, never sent to the terminal
    if isinstance(rows, Mapping):
        pairs = [(visible(str(k)), visible(v if isinstance(v, str) else _cell(v), keep="\n")) for k, v in rows.items()]
        out.write(
            render_table(["field", "value"], [list(p) for p in pairs], visible(title), whole_rows={k for k, _ in pairs if is_whole(k)})
        )
    else:
        out.write(render_table(cols, [[visible(_cell(row.get(c)), keep="\n") for c in cols] for row in records], visible(title)))


def render_table(
    cols: Sequence[str], cells: Sequence[Sequence[str]], title: str = "", whole_rows: set[str] | frozenset[str] = frozenset()
) -> str:
    """A Rich table as text, with every id and path whole: id columns keep their full width, the
    others wrap; if the ids still do not fit (or a whole value is cut), one block per record.
    `whole_rows`: for a field/value table, the fields whose values are ids."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = _width()
    whole_cols = [i for i, c in enumerate(cols) if is_whole(c)]
    # an id column may wrap between the ids of a list ("h-a supports, h-b undermines"), never inside one
    wanted = {w for row in cells for i in whole_cols for w in row[i].split()}
    wanted |= {w for row in cells if row[0] in whole_rows for w in row[1].split()}
    natural = [max([len(c)] + [max(map(len, row[i].split("\n")), default=0) for row in cells]) for i, c in enumerate(cols)]
    longest = [max([len(c)] + [len(w) for row in cells for w in row[i].split()]) for i, c in enumerate(cols)]
    if width is None:
        width = sum(natural) + 3 * len(cols) + 1
    # the least each column needs: an id column (or a field/value table) its longest word, others up to 6 characters
    keep = [longest[i] if i in whole_cols or whole_rows else min(natural[i], 6) for i in range(len(cols))]
    if sum(keep) + 3 * len(cols) + 1 <= width:  # each column adds two spaces of padding and a rule
        table = Table(title=title or None)
        for c, w in zip(cols, _share(keep, natural, width - 3 * len(cols) - 1), strict=True):
            table.add_column(c, overflow="fold", width=w)
        for row in cells:
            table.add_row(*[Text(v) for v in row])  # data is text, never Rich markup
        console = Console(width=width, soft_wrap=False, force_terminal=False, color_system=None)
        with console.capture() as captured:
            console.print(table)
        text = captured.get()
        shown = {w for line in text.splitlines() for w in line.replace("│", " ").replace("┃", " ").split()}
        if wanted <= shown and all(len(line) <= width for line in text.splitlines()):
            return text
    return blocks(cols, cells, title, _width())


def _share(floor: list[int], natural: list[int], room: int) -> list[int]:
    """Column widths: each column its floor, then the room left shared out evenly, none beyond
    its natural width."""
    widths = list(floor)
    while True:
        growing = [i for i, w in enumerate(widths) if w < natural[i]]
        spare = room - sum(widths)
        if not growing or spare <= 0:
            return widths
        step = max(1, spare // len(growing))
        for i in growing:
            widths[i] += min(step, natural[i] - widths[i], room - sum(widths))


def blocks(cols: Sequence[str], cells: Sequence[Sequence[str]], title: str = "", width: int | None = None) -> str:
    """One block per record, `field: value` per line, blank lines between records: what a table
    becomes when its ids cannot all be shown whole. Values wrap at `width` between words, so an
    id is never split."""
    import textwrap

    if len(cols) == 2 and cols[0] == "field":  # a field/value table is one record already
        cols, cells = [c[0] for c in cells], [[c[1] for c in cells]]
    pad = max(map(len, cols), default=0) + 2
    out = [title, ""] if title else []
    for row in cells:
        for c, v in zip(cols, row, strict=True):
            head = f"{c + ':':<{pad}}"
            lines = textwrap.wrap(v, max(width - pad, 10), break_long_words=False, break_on_hyphens=False) if width else [v]
            out += [head + (lines[0] if lines else "")] + [" " * pad + line for line in lines[1:]]
        out.append("")
    return "\n".join(out)


def shape(
    rows: Sequence[Mapping[str, Any]], sort: str | None, limit: int | None, columns: str | None, default: Sequence[str] | None
) -> tuple[list[Mapping[str, Any]], list[str] | None]:
    """`--sort FIELD` (or -FIELD), `--limit N` and `--columns a,b,c` of a list command: the rows
    to print and the columns to print them with (None: the command's own choice per format). An
    unknown field is a usage error naming the fields there are."""
    fields = list(dict.fromkeys(k for r in rows[:1] for k in r)) or list(default or [])
    out = list(rows)
    if sort:
        key = sort.removeprefix("-")
        if out and key not in fields:
            raise UsageError(f"--sort: no field '{key}' (fields: {', '.join(fields)})")
        out.sort(key=lambda r: (r.get(key) is None, _sortable(r.get(key))), reverse=sort.startswith("-"))
    if limit is not None:
        out = out[:limit]
    if not columns:
        return out, None
    chosen = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in chosen if out and c not in fields]
    if unknown or not chosen:
        raise UsageError(f"--columns: no field {', '.join(repr(c) for c in unknown) or 'given'} (fields: {', '.join(fields)})")
    return [{c: r.get(c) for c in chosen} for r in out], chosen


def _sortable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def count(n: int, one: str, many: str) -> None:
    """The row count of a list, on stderr (data stays alone on stdout)."""
    message(f"{n} {one if n == 1 else many}")


def emit_json_texts(records: Sequence[str], fmt: Format) -> None:
    """Records already serialised as compact JSON objects: a JSON list (the style `emit` gives
    every `-f json`), or one per line."""
    if fmt is Format.JSONL:
        sys.stdout.write(jsonl(records))
    else:
        sys.stdout.write(json_list(records))


def message(text: str) -> None:
    print(visible(text, keep="\n"), file=sys.stderr)
