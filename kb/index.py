"""Building the SQLite index from a loaded knowledge base."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from kb import db
from kb.bulk import gc_paused
from kb.errors import InvalidKnowledgeBase, Problem
from kb.models import RECORD_FOLDERS, Claim, SourceText
from kb.store import KnowledgeBase, _Checker, load, load_file
from kb.vocab import Missing


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, Missing):
        return None
    return str(value)


def _claim_rows(kb: KnowledgeBase) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {"claim": [], "link": [], "claim_confound": [], "claim_model": [], "locator": []}
    for cid in sorted(kb.claims):
        c: Claim = kb.claims[cid]
        rows["claim"].append(
            (
                c.id,
                c.title,
                c.statement,
                c.kind.value,
                c.stream.value,
                c.status.value,
                c.provenance.tier.value,
                _str(c.provenance.origin),
                c.provenance.channel,
                c.provenance.study,
                _str(c.date),
                kb.path_of("findings", cid),
                c.model_dump_json(),
            )
        )
        rows["link"] += [(cid, i, x.hypothesis, x.bearing.value, x.strength.value, x.rationale) for i, x in enumerate(c.links)]
        rows["claim_confound"] += [(cid, i, x.type, x.controlled.value, x.detail) for i, x in enumerate(c.confounds)]
        rows["claim_model"] += [(cid, i, x.model, x.as_written) for i, x in enumerate(c.models)]
        rows["locator"] += [(cid, i, x.text, x.lines[0], x.lines[1], x.quote, str(x.speaker)) for i, x in enumerate(c.locators)]
    return rows


def _record_rows(kb: KnowledgeBase) -> dict[str, list[tuple[Any, ...]]]:
    def data(record: Any) -> str:
        return json.dumps(record.model_dump(mode="json"), ensure_ascii=False)

    return {
        "hypothesis": [
            (h.id, h.title, h.stream.value, h.prior, kb.path_of("hypotheses", h.id), data(h))
            for h in sorted(kb.hypotheses.values(), key=lambda r: r.id)
        ],
        "confound_type": [
            (x.id, x.name, x.group, x.severity.value, kb.path_of("confounds", x.id), data(x))
            for x in sorted(kb.confounds.values(), key=lambda r: r.id)
        ],
        "model": [
            (m.id, m.name, str(m.developer), kb.path_of("models", m.id), data(m)) for m in sorted(kb.models.values(), key=lambda r: r.id)
        ],
        "source": [
            (s.id, s.title, s.type.value, kb.path_of("sources", s.id), data(s)) for s in sorted(kb.sources.values(), key=lambda r: r.id)
        ],
        "text": [
            (t.id, t.source, t.path, t.sha256, t.lines, kb.path_of("texts", t.id), data(t))
            for t in sorted(kb.texts.values(), key=lambda r: r.id)
        ],
        "discrepancy": [
            (d.id, d.title, d.subject, kb.path_of("discrepancies", d.id), data(d))
            for d in sorted(kb.discrepancies.values(), key=lambda r: r.id)
        ],
        "question": [(q.id, q.title, kb.path_of("questions", q.id), data(q)) for q in sorted(kb.questions.values(), key=lambda r: r.id)],
    }


SCHEMA_SQL = Path(__file__).with_name("schema.sql")


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables declared in kb/tables.py (SQLModel). The DDL SQLModel generates is frozen
    in kb/schema.sql (`python -m kb.tables > kb/schema.sql`; a test keeps the two in step) so a
    build need not import SQLAlchemy, which costs more than parsing a thousand claims."""
    conn.executescript(SCHEMA_SQL.read_text(encoding="utf-8"))


def _insert(conn: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for table, values in rows.items():
        if values:
            marks = ",".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)  # noqa: S608 - fixed names


def _file_rows(kb: KnowledgeBase, files: db.FileStats) -> list[tuple[Any, ...]]:
    claim_of = {kb.rel(path): id for (folder, id), path in kb.paths.items() if folder == "findings"}
    return [(path, size, mtime, claim_of.get(path)) for path, (size, mtime) in sorted(files.items())]


def _meta(conn: sqlite3.Connection, fingerprint: str) -> None:
    conn.execute("DELETE FROM meta")
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("fingerprint", fingerprint), ("schema_version", db.SCHEMA_VERSION)])


def build(kb: KnowledgeBase, files: db.FileStats, fingerprint: str, problems: list[Problem], target: Path | None = None) -> Path:
    """Write the whole database for `kb` to a temporary file, then move it into place atomically, so
    a reader never sees a half-built database."""
    target = target or db.db_path(kb.root)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".kb-", suffix=".sqlite")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            create_schema(conn)
            with conn, gc_paused():  # hundreds of thousands of row tuples over the loaded records' heap
                _insert(conn, _claim_rows(kb) | _record_rows(kb))
                _insert(conn, {"file": _file_rows(kb, files), "problem": [tuple(vars(p).values()) for p in sorted(set(problems))]})
                _meta(conn, fingerprint)
        finally:
            conn.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


FINDINGS_PREFIX = "claims/findings/"


def _incremental(root: Path, files: db.FileStats, fingerprint: str, strict: bool) -> list[Problem] | None:
    """Update the database in place when only claim files were edited or added: parse and check
    just those, against the ids and texts already in the database. Returns the knowledge base's
    problems, or None when a full rebuild is needed (a removal, a change outside findings/, a
    duplicate id, or no usable database)."""
    path = db.db_path(root)
    if not path.is_file():
        return None
    conn = sqlite3.connect(path)
    try:
        if conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() != (db.SCHEMA_VERSION,):
            return None
        old = {p: (s, m, c) for p, s, m, c in conn.execute("SELECT path, size, mtime_ns, claim_id FROM file")}
        changed = sorted(p for p, st in files.items() if old.get(p, (None, None, None))[:2] != st)
        if set(old) - set(files) or any(not p.startswith(FINDINGS_PREFIX) or not p.endswith(".yaml") for p in changed):
            return None
        kb = KnowledgeBase(root=root)
        for table, folder in (("hypothesis", "hypotheses"), ("confound_type", "confounds"), ("model", "models"), ("source", "sources")):
            kb.folder(folder).update(dict.fromkeys(r[0] for r in conn.execute(f"SELECT id FROM {table}")))  # noqa: S608
        kb.texts.update({r[0]: SourceText.model_validate_json(r[1]) for r in conn.execute("SELECT id, data FROM text")})
        owner = {c: p for p, (_, _, c) in old.items() if c is not None}
        kb.claims.update(dict.fromkeys(owner))  # ids only (values None), for reference checks
        new: dict[str, Claim] = {}
        id_at: dict[str, str] = {}  # changed file -> the id it now holds
        problems: list[Problem] = []
        for rel in changed:
            record, found = load_file(root / rel, Claim, rel)
            problems += found
            if record is None:
                continue
            if owner.get(record.id, rel) != rel or record.id in new:
                return None  # a duplicate id: the full build decides which file wins
            new[record.id] = kb.claims[record.id] = record
            id_at[rel] = record.id
            kb.paths[("findings", record.id)] = root / rel
        checker = _Checker(kb)
        checker.texts_only({loc.text for c in new.values() for loc in c.locators})
        for c in new.values():
            checker.claim(c)
        checker.run_copies()
        problems += checker.problems
        kept = [Problem(*r) for r in conn.execute("SELECT path, line, field, message FROM problem") if r[0] not in changed]
        everything = sorted(set(kept + problems))
        if strict and everything:
            raise InvalidKnowledgeBase(everything)
        gone = [old[p][2] for p in changed if p in old and old[p][2] is not None]
        sub = KnowledgeBase(root=root, claims=new, paths=kb.paths)
        with conn:
            for table in ("link", "claim_confound", "claim_model", "locator", "claim"):
                column = "id" if table == "claim" else "claim_id"
                conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(c,) for c in gone])  # noqa: S608
            conn.executemany("DELETE FROM problem WHERE path = ?", [(p,) for p in changed])
            _insert(conn, _claim_rows(sub))
            conn.executemany(
                "INSERT OR REPLACE INTO file VALUES (?, ?, ?, ?)",
                [(p, *files[p], id_at.get(p)) for p in changed],
            )
            _insert(conn, {"problem": [tuple(vars(p).values()) for p in sorted(set(problems))]})
            _meta(conn, fingerprint)
        return everything
    finally:
        conn.close()


def update(root: Path, *, strict: bool = False) -> list[Problem]:
    """Bring the database up to date with `claims/`: in place when only claim files changed or
    were added, else a full rebuild. Returns the knowledge base's problems (the database then holds
    the valid records). With `strict`, refuses on any problem and leaves the database as it was."""
    files, fp = db.scan(root)
    if db.stored_fingerprint(db.db_path(root)) == fp:
        problems = db.stored_problems(root)
        if strict and problems:
            raise InvalidKnowledgeBase(problems)
        return problems
    found = _incremental(root, files, fp, strict)
    if found is not None:
        return found
    kb, problems = load(root)
    if strict and problems:
        raise InvalidKnowledgeBase(problems)
    build(kb, files, fp, problems)
    return problems


TABLES = {
    "findings": "claim",
    "hypotheses": "hypothesis",
    "confounds": "confound_type",
    "models": "model",
    "sources": "source",
    "texts": "text",
    "discrepancies": "discrepancy",
    "questions": "question",
}


def read(root: Path) -> KnowledgeBase:
    """Every record back from the JSON the database stores, in the order a YAML load gives (by
    path). The database must be fresh (see `update`). At 50k claims this takes seconds where
    parsing and checking the YAML takes a minute."""
    kb = KnowledgeBase(root=root)
    with gc_paused(), closing(sqlite3.connect(f"file:{db.db_path(root)}?mode=ro", uri=True)) as conn:
        for folder, table in TABLES.items():
            model, records = RECORD_FOLDERS[folder], kb.folder(folder)
            for id, path, data in conn.execute(f"SELECT id, path, data FROM {table} ORDER BY path"):  # noqa: S608
                records[id] = model.model_validate_json(data)
                kb.paths[(folder, id)] = root / path
    return kb


def load_checked(root: Path) -> KnowledgeBase:
    """The whole knowledge base, checked: the database is brought up to date (refusing, with every
    problem, if there is any), then the records are read back from it."""
    update(root, strict=True)
    return read(root)
