"""What read commands ask of the database. Plain `sqlite3`, so a query command does not pay for
importing SQLAlchemy."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.db.freshness import db_path
from kb.errors import DatabaseUnreadable


@dataclass(frozen=True)
class ClaimFilter:
    """Filters for `kb claim list`; each set field narrows the result (AND)."""

    hypothesis: str | None = None
    stream: str | None = None
    kind: str | None = None
    model: str | None = None
    confound: str | None = None
    controlled: str | None = None
    bearing: str | None = None
    status: str | None = None
    source: str | None = None
    text: str | None = None

    def sql(self) -> tuple[str, list[str]]:
        where: list[str] = []
        args: list[str] = []
        for column in ("stream", "kind", "status"):
            value = getattr(self, column)
            if value is not None:
                where.append(f"c.{column} = ?")
                args.append(value)
        if self.hypothesis is not None or self.bearing is not None:
            cond, cargs = [], []
            if self.hypothesis is not None:
                cond.append("l.hypothesis = ?")
                cargs.append(self.hypothesis)
            if self.bearing is not None:
                cond.append("l.bearing = ?")
                cargs.append(self.bearing)
            where.append(f"c.id IN (SELECT l.claim_id FROM link l WHERE {' AND '.join(cond)})")
            args += cargs
        if self.confound is not None or self.controlled is not None:
            cond, cargs = [], []
            if self.confound is not None:
                cond.append("k.type = ?")
                cargs.append(self.confound)
            if self.controlled is not None:
                cond.append("k.controlled = ?")
                cargs.append(self.controlled)
            where.append(f"c.id IN (SELECT k.claim_id FROM claim_confound k WHERE {' AND '.join(cond)})")
            args += cargs
        if self.model is not None:
            where.append("c.id IN (SELECT m.claim_id FROM claim_model m WHERE m.model = ?)")
            args.append(self.model)
        if self.source is not None:
            where.append("(c.origin = ? OR c.channel = ?)")
            args += [self.source, self.source]
        if self.text is not None:
            where.append("c.id IN (SELECT t.claim_id FROM locator t WHERE t.text = ?)")
            args.append(self.text)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return clause, args


def connect(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db_path(root)}?mode=ro", uri=True)


def rows(root: Path, sql: str, args: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one query. A database that cannot be read (corrupt, truncated, not a database,
    tables missing) is rebuilt from claims/ once and the query asked again; if the rebuild cannot
    be written, WriteFailed says so in one line."""
    try:
        with closing(connect(root)) as conn:
            return conn.execute(sql, args).fetchall()
    except sqlite3.DatabaseError:
        from kb.db.build import rebuild

        rebuild(root)
    try:
        with closing(connect(root)) as conn:
            return conn.execute(sql, args).fetchall()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnreadable(
            f"{db_path(root).relative_to(root).as_posix()}: cannot read the database even after rebuilding it: {exc}"
        ) from None


def query_claims_json(root: Path, flt: ClaimFilter, limit: int | None = None) -> list[str]:
    """The matching claims' public JSON, as stored (no parsing: output can pass it straight on),
    by id, at most `limit` of them."""
    clause, args = flt.sql()
    clause += " ORDER BY c.id" + (f" LIMIT {int(limit)}" if limit is not None else "")
    return [r[0] for r in rows(root, f"SELECT c.data FROM claim c{clause}", args)]  # noqa: S608 - clause built from fixed SQL  # noqa: S608 - clause built from fixed SQL


def query_claims(root: Path, flt: ClaimFilter) -> list[dict[str, Any]]:
    return [json.loads(r) for r in query_claims_json(root, flt)]


def query_records(root: Path, table: str) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in rows(root, f"SELECT data FROM {table} ORDER BY id")]  # noqa: S608 - fixed table names


def query_record(root: Path, table: str, id: str) -> dict[str, Any] | None:
    found = rows(root, f"SELECT data FROM {table} WHERE id = ?", (id,))  # noqa: S608
    return json.loads(found[0][0]) if found else None


def query_ids(root: Path, table: str) -> list[str]:
    return [r[0] for r in rows(root, f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608


def counts(root: Path) -> dict[str, int]:
    names = [
        r[0] for r in rows(root, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta') AND name NOT LIKE '%fts%'")
    ]
    return {n: int(rows(root, f"SELECT count(*) FROM {n}")[0][0]) for n in sorted(names)}  # noqa: S608


def dump_rows(path: Path) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every row of every table (full-text indexes by their content, not their shadow tables), in a
    stable order: what 'same database content' compares."""
    with closing(sqlite3.connect(path)) as conn:
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%!_fts!_%' ESCAPE '!' ORDER BY name")
        for (name,) in names.fetchall():
            for row in sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr):  # noqa: S608
                yield name, tuple(row)


# What `kb search` searches, each as (kind, the id, line, title, full-text table, base table, column weights for bm25).
SEARCHED = (
    ("claim", "b.id", "NULL", "b.title", "claim_fts", "claim", "10.0, 5.0, 2.0, 2.0"),
    ("hypothesis", "b.id", "NULL", "b.title", "hypothesis_fts", "hypothesis", "10.0, 5.0"),
    ("confound", "b.id", "NULL", "b.name", "confound_type_fts", "confound_type", "10.0, 5.0, 2.0"),
    ("text", "b.text", "b.line", "b.content", "text_line_fts", "text_line", "1.0"),
)


def fts_query(text: str) -> str:
    """The words of `text` as an FTS5 query matching records that hold every one of them (each
    word quoted, so punctuation and FTS5 operators in the text are plain words)."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"' for w in words)


def search(root: Path, text: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Claims (title, statement, quotes, rationale), hypotheses (title, statement), confound types
    (name, definition, control) and archived text lines holding every word of `text` (stemmed:
    'injected' finds 'injection'), best first by BM25 with titles weighing most."""
    query = fts_query(text)
    if not query:
        return []
    parts = [
        f"SELECT '{kind}', {id}, {line}, {title}, snippet({fts}, -1, '«', '»', '…', 16), bm25({fts}, {w}) "
        f"FROM {fts} JOIN {table} b ON b.rowid = {fts}.rowid WHERE {fts} MATCH :q"
        for kind, id, line, title, fts, table, w in SEARCHED
    ]
    sql = " UNION ALL ".join(parts) + " ORDER BY 6, 1, 2, 3" + (" LIMIT :n" if limit is not None else "")
    found = rows(root, sql, {"q": query, "n": limit})
    return [
        {"kind": kind, "id": id, "line": line, "title": title, "match": snip, "score": round(-score, 3)}
        for kind, id, line, title, snip, score in found
    ]
