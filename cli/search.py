"""`kb search TEXT`: full-text search over the database."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import fresh_root
from cli.options import ColumnsOption, LimitOption, RefreshOption, RootOption, SortOption
from cli.output import Format, FormatOption, count, emit, shape

COLUMNS = ("kind", "id", "line", "title", "match", "score")


def search(
    text: Annotated[str, typer.Argument(help="Words to find (all of them; stemmed, so 'injected' finds 'injection').")],
    fmt: FormatOption = Format.TABLE,
    sort: SortOption = None,
    limit: LimitOption = None,
    columns: ColumnsOption = None,
    root: RootOption = None,
    refresh: RefreshOption = True,
) -> None:
    """Search claims (title, statement, quotes, rationale), hypotheses (title, statement), confound
    types (name, definition, control) and the lines of the archived texts: every record holding
    all the words, best match first (SQLite FTS5, BM25; titles weigh most). `match` shows the
    words in context between « and »; a text line's `id` is the text and `line` its number."""
    from kb.db.queries import fts_query
    from kb.db.queries import search as run_search
    from kb.errors import InvalidInput

    if not fts_query(text):
        raise InvalidInput(f"nothing to search for in '{text}': give at least one word")
    found, cols = shape(run_search(fresh_root(root, refresh), text, None if sort else limit), sort, limit, columns, COLUMNS)
    emit(found, fmt, cols or COLUMNS)
    count(len(found), "result", "results")


def register(app: typer.Typer) -> None:
    app.command("search")(search)
