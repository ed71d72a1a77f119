"""The SQLite index: a build artefact, rebuilt from `claims/` and never edited by hand.

The schema is declared once with SQLModel; rows go in through the DB-API `executemany` in one
transaction (the ORM would be ten times slower at 50k claims). Reads use plain `sqlite3` so a
query command does not pay for importing SQLAlchemy. Same input, same database content: rows are
inserted in id order and nothing time-dependent is stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import Problem
from kb.freshness import fingerprint_sum, fold, walk
from kb.paths import BUILD_DIR

DB_NAME = "kb.sqlite"
SCHEMA_VERSION = "5"


def build_dir(root: Path) -> Path:
    return root / BUILD_DIR


def db_path(root: Path) -> Path:
    return build_dir(root) / DB_NAME


FileStats = dict[str, tuple[int, int]]  # path relative to the root -> (size, mtime_ns)


def _digest(count: int, total: int) -> str:
    return f"{SCHEMA_VERSION}:{count}:{total & 0xFFFFFFFFFFFFFFFFFFFFFFFF:x}"


def join_sums(sums: Iterable[tuple[int, int]]) -> str:
    """The fingerprint of the whole from the sums of its parts."""
    counts, totals = zip(*sums, strict=True)
    return _digest(sum(counts), sum(totals))


def fingerprint(root: Path) -> str:
    """A digest of every file's path, size and modification time under `claims/`: one stat per
    file and no file read, so a read command can afford it at 50,000 files. Each file contributes
    (mtime + size) multiplied by an odd hash of its path, so an edit, an addition, a removal or a
    rename changes the sum."""
    return join_sums([fingerprint_sum(root)])


def scan(root: Path) -> tuple[FileStats, str]:
    """Every file's stats, by path relative to the root, and the same digest as `fingerprint`."""
    prefix = len(str(root)) + 1
    files: FileStats = {}
    total = 0
    for path, size, mtime in walk(root):
        files[path[prefix:]] = (size, mtime)
        total += fold(path, size, mtime)
    return files, _digest(len(files), total)


def stored_fingerprint(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def stored_problems(root: Path) -> list[Problem]:
    with connect(root) as conn:
        return [Problem(*r) for r in conn.execute("SELECT path, line, field, message FROM problem ORDER BY path, line, field, message")]


# --- query side ----------------------------------------------------------------------------------


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


def query_claims_json(root: Path, flt: ClaimFilter) -> list[str]:
    """The matching claims' public JSON, as stored (no parsing: output can pass it straight on)."""
    clause, args = flt.sql()
    with connect(root) as conn:
        return [r[0] for r in conn.execute(f"SELECT c.data FROM claim c{clause} ORDER BY c.id", args)]


def query_claims(root: Path, flt: ClaimFilter) -> list[dict[str, Any]]:
    return [json.loads(r) for r in query_claims_json(root, flt)]


def query_records(root: Path, table: str) -> list[dict[str, Any]]:
    with connect(root) as conn:
        rows = conn.execute(f"SELECT data FROM {table} ORDER BY id").fetchall()  # noqa: S608 - fixed table names
    return [json.loads(r[0]) for r in rows]


def query_record(root: Path, table: str, id: str) -> dict[str, Any] | None:
    with connect(root) as conn:
        row = conn.execute(f"SELECT data FROM {table} WHERE id = ?", (id,)).fetchone()  # noqa: S608
    return json.loads(row[0]) if row else None


def counts(root: Path) -> dict[str, int]:
    with connect(root) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'")]
        return {n: int(conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0]) for n in sorted(names)}  # noqa: S608


def dump_rows(path: Path) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every row of every table, in a stable order: what 'same database content' compares."""
    with sqlite3.connect(path) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            for row in conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2"):  # noqa: S608
                yield name, tuple(row)
