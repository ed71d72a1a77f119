"""Writing the database from a loaded knowledge base: whole (to a temporary file moved into place),
or in place when only claim files were edited or added. Rows are dicts keyed by column name, so
an insert names its columns and the schema (kb/db/schema.sql) is their only source of truth. Same
input, same content: rows go in in id order and nothing time-dependent is stored except the
`file` table and the fingerprint, which `publish` leaves out.

A database that cannot be used (missing, corrupt, truncated, not a database, another schema
version, out of step with its fingerprint) is rebuilt from `claims/`; builds in one tree take
turns under a lock (build/.kb.lock)."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import orjson

from kb.bulk import gc_paused
from kb.db.freshness import SCHEMA_VERSION, FileStats, db_path, scan, stored_fingerprint
from kb.db.lock import build_lock
from kb.errors import InvalidKnowledgeBase, Problem, WriteFailed
from kb.models import RECORD_FOLDERS, Claim, SourceText
from kb.store import KnowledgeBase, _Checker, load, load_file
from kb.vocab import Missing

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
METADATA_JSON = Path(__file__).with_name("metadata.json")

Row = dict[str, Any]
Rows = dict[str, list[Row]]
DERIVED = ("portfolio", "contribution")  # the tables made from every record (kb.db.aggregates), filled last by a build


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, Missing):
        return None
    return str(value)


def _claim_rows(kb: KnowledgeBase) -> Rows:
    rows: Rows = {
        t: []
        for t in ("claim", "link", "claim_confound", "claim_model", "locator", "review", "review_confound", "review_link", "claim_event")
    }
    for cid in sorted(kb.claims):
        c: Claim = kb.claims[cid]
        p = c.provenance
        rows["claim"].append(
            {
                "id": c.id,
                "title": c.title,
                "statement": c.statement,
                "kind": c.kind.value,
                "stream": c.stream.value,
                "status": c.status.value,
                "tier": p.tier.value,
                "origin": _str(p.origin),
                "channel": p.channel,
                "study": p.study,
                "date": _str(c.date),
                "superseded_by": c.superseded_by,
                "path": kb.path_of("findings", cid),
                "data": c.model_dump_json(),
            }
        )
        rows["link"] += [
            {
                "claim_id": cid,
                "position": i,
                "hypothesis": x.hypothesis,
                "bearing": x.bearing.value,
                "strength": x.strength.value,
                "rationale": x.rationale,
            }
            for i, x in enumerate(c.links)
        ]
        rows["claim_confound"] += [
            {
                "claim_id": cid,
                "position": i,
                "type": x.type,
                "controlled": x.controlled.value,
                "detail": x.detail,
                "how": _str(x.how),
                "threatens": ", ".join(x.threatens),
                "reason": x.reason,
            }
            for i, x in enumerate(c.confounds)
        ]
        rows["claim_model"] += [
            {"claim_id": cid, "position": i, "model": x.model, "as_written": x.as_written, "variant": _str(x.variant)}
            for i, x in enumerate(c.models)
        ]
        rows["locator"] += [
            {
                "claim_id": cid,
                "position": i,
                "text": x.text,
                "start": x.lines[0],
                "end": x.lines[1],
                "quote": x.quote,
                "speaker": str(x.speaker),
            }
            for i, x in enumerate(c.locators)
        ]
        for r, rv in enumerate(c.reviews):
            rows["review"].append(
                {
                    "claim_id": cid,
                    "position": r,
                    "reviewer": rv.reviewer,
                    "started": rv.started.isoformat(),
                    "submitted": rv.submitted.isoformat() if rv.submitted else None,
                    "verdict": rv.verdict.value if rv.verdict else None,
                    "comment": rv.comment,
                }
            )
            rows["review_confound"] += [
                {
                    "claim_id": cid,
                    "review": r,
                    "position": i,
                    "confound": j.confound,
                    "answers": ",".join(a.value for a in j.answers),
                    "proposed": j.proposed.value,
                    "override": j.override.value if j.override else None,
                    "judged": j.judged.value,
                    "why": j.why,
                }
                for i, j in enumerate(rv.confounds)
            ]
            rows["review_link"] += [
                {
                    "claim_id": cid,
                    "review": r,
                    "position": i,
                    "hypothesis": j.hypothesis,
                    "bearing": j.bearing.value,
                    "strength": j.strength.value,
                    "why": j.why,
                }
                for i, j in enumerate(rv.links)
            ]
        rows["claim_event"] += [
            {"claim_id": cid, "position": i, "at": e.at.isoformat(), "actor": e.actor, "event": e.event, "detail": e.detail}
            for i, e in enumerate(c.history)
        ]
    return rows


def _text_lines(kb: KnowledgeBase) -> list[Row]:
    rows: list[Row] = []
    for tid in sorted(kb.texts):
        try:
            lines = kb.archived(tid).lines
        except OSError:  # `kb check` reports the missing file; the database still holds the record
            continue
        count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
        rows += [{"text": tid, "line": n, "content": lines[n - 1]} for n in range(1, count + 1) if lines[n - 1].strip()]
    return rows


def _record_rows(kb: KnowledgeBase) -> Rows:
    def data(record: Any) -> str:
        return json.dumps(record.model_dump(mode="json"), ensure_ascii=False)

    def ordered(records: Mapping[str, Any]) -> list[Any]:
        return [records[k] for k in sorted(records)]

    question_of = {h: q.id for q in kb.questions.values() for h in q.answers}
    return {
        "hypothesis": [
            {
                "id": h.id,
                "title": h.title,
                "statement": h.statement,
                "stream": h.stream.value,
                "prior": h.prior,
                "question": question_of.get(h.id),
                "path": kb.path_of("hypotheses", h.id),
                "data": data(h),
            }
            for h in ordered(kb.hypotheses)
        ],
        "hypothesis_rival": [
            {"hypothesis": h.id, "position": i, "rival": r} for h in ordered(kb.hypotheses) for i, r in enumerate(h.rivals)
        ],
        "confound_type": [
            {
                "id": x.id,
                "name": x.name,
                "grp": x.group,
                "definition": x.definition,
                "control": x.control,
                "severity": x.severity.value,
                "path": kb.path_of("confounds", x.id),
                "data": data(x),
            }
            for x in ordered(kb.confounds)
        ],
        "signalling_question": [
            {"confound_type": x.id, "position": i, "question": q}
            for x in ordered(kb.confounds)
            for i, q in enumerate(x.signalling_questions, 1)
        ],
        "model": [
            {
                "id": m.id,
                "name": m.name,
                "developer": str(m.developer),
                "family": str(m.family),
                "path": kb.path_of("models", m.id),
                "data": data(m),
            }
            for m in ordered(kb.models)
        ],
        "source": [
            {
                "id": s.id,
                "title": s.title,
                "type": s.type.value,
                "date": _str(s.date),
                "authors": "; ".join(s.authors),
                "path": kb.path_of("sources", s.id),
                "data": data(s),
            }
            for s in ordered(kb.sources)
        ],
        "text": [
            {
                "id": t.id,
                "source": t.source,
                "file": t.path,
                "sha256": t.sha256,
                "lines": t.lines,
                "path": kb.path_of("texts", t.id),
                "data": data(t),
            }
            for t in ordered(kb.texts)
        ],
        "text_line": _text_lines(kb),
        "discrepancy": [
            {"id": d.id, "title": d.title, "subject": d.subject, "path": kb.path_of("discrepancies", d.id), "data": data(d)}
            for d in ordered(kb.discrepancies)
        ],
        "discrepancy_claim": [
            {"discrepancy": d.id, "position": i, "claim": c} for d in ordered(kb.discrepancies) for i, c in enumerate(d.claims)
        ],
        "question": [{"id": q.id, "title": q.title, "path": kb.path_of("questions", q.id), "data": data(q)} for q in ordered(kb.questions)],
        "question_answer": [
            {"question": q.id, "position": i, "hypothesis": h} for q in ordered(kb.questions) for i, h in enumerate(q.answers)
        ],
    }


def schema_parts() -> tuple[str, str]:
    """kb/db/schema.sql (the tables, full-text indexes and views declared in kb/db/schema.py) in two
    scripts: everything but the secondary indexes, and those indexes. A bulk load creates the
    indexes after the rows are in: one sort per index instead of a B-tree update per row."""
    statements = [s.strip() for s in SCHEMA_SQL.read_text(encoding="utf-8").split(";\n") if s.strip()]
    indexes = [s for s in statements if s.startswith("CREATE INDEX ")]
    rest = [s for s in statements if not s.startswith("CREATE INDEX ")]
    return ";\n".join(rest) + ";\n", ";\n".join(indexes) + ";\n"


def has_derived(conn: sqlite3.Connection) -> bool:
    """Whether any DERIVED table holds a row."""
    return any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in DERIVED)  # noqa: S608 - our names


def empty_derived(conn: sqlite3.Connection) -> None:
    """Delete every DERIVED table's rows (in the caller's transaction)."""
    for table in DERIVED:
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - our names


def insert(conn: sqlite3.Connection, rows: Mapping[str, list[Row]]) -> None:
    """Insert rows (dicts keyed by column name) into their tables; SQLite refuses a name the
    schema does not declare."""
    for table, values in rows.items():
        if values:
            cols = list(values[0])
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608 - names from code
            conn.executemany(sql, [tuple(v.values()) for v in values])


CLAIM_SEARCH = (
    "INSERT INTO claim_fts (rowid, title, statement, quotes, rationale) SELECT c.rowid, c.title, c.statement, "
    "(SELECT group_concat(quote, ' ') FROM locator WHERE claim_id = c.id), "
    "(SELECT group_concat(rationale, ' ') FROM link WHERE claim_id = c.id) FROM claim c"
)


def _index_text(conn: sqlite3.Connection) -> None:
    """Fill the full-text indexes of every record (claims: title, statement, quotes, rationale)."""
    conn.execute(CLAIM_SEARCH)
    conn.execute("INSERT INTO hypothesis_fts (rowid, title, statement) SELECT rowid, title, statement FROM hypothesis")
    conn.execute(
        "INSERT INTO confound_type_fts (rowid, name, definition, control) SELECT rowid, name, definition, control FROM confound_type"
    )
    conn.execute("INSERT INTO text_line_fts (rowid, content) SELECT rowid, content FROM text_line")


def _stat(n: int) -> str:
    """A file's size or modification time as the `file` table holds it: 20 digits, so every row
    has the same width and the published copy (kb.db.publish) the same layout whatever they are."""
    return f"{n:020d}"


def _file_rows(kb: KnowledgeBase, files: FileStats) -> list[Row]:
    claim_of = {kb.rel(path): id for (folder, id), path in kb.paths.items() if folder == "findings"}
    return [
        {"path": path, "size": _stat(size), "mtime_ns": _stat(mtime), "claim_id": claim_of.get(path)}
        for path, (size, mtime) in sorted(files.items())
    ]


def _problem_rows(problems: list[Problem]) -> list[Row]:
    return [vars(p) for p in sorted(set(problems))]


def _meta(conn: sqlite3.Connection, fingerprint: str) -> None:
    conn.execute("DELETE FROM meta")
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [("fingerprint", fingerprint), ("schema_version", SCHEMA_VERSION)])


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build(kb: KnowledgeBase, files: FileStats, fingerprint: str, problems: list[Problem], target: Path | None = None) -> Path:
    """Write the whole database for `kb` to a temporary file, then move it into place atomically, so
    a reader never sees a half-built database. Raises WriteFailed (every file as it was) when the
    build folder cannot be written."""
    target = target or db_path(kb.root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".kb-", suffix=".sqlite")
    except OSError as exc:
        raise WriteFailed(f"{_rel(kb.root, target)}: cannot write the database: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tables, indexes = schema_parts()
        with closing(sqlite3.connect(tmp)) as conn:
            # a new file that only replaces the database once complete and synced (below): no journal
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.executescript(tables)
            with conn, gc_paused():  # hundreds of thousands of rows over the loaded records' heap
                insert(conn, _claim_rows(kb) | _record_rows(kb))
                insert(conn, {"file": _file_rows(kb, files), "problem": _problem_rows(problems)})
                _index_text(conn)
                _meta(conn, fingerprint)
            conn.executescript(indexes)
        _sync(tmp)
        os.replace(tmp, target)
    except (OSError, sqlite3.OperationalError) as exc:
        tmp.unlink(missing_ok=True)
        cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise WriteFailed(f"{_rel(kb.root, target)}: cannot write the database: {cause}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


FINDINGS_PREFIX = "claims/findings/"


def _incremental(root: Path, files: FileStats, fingerprint: str, strict: bool) -> list[Problem] | None:
    """Update the database in place when only claim files were edited or added: parse and check
    just those, against the ids and texts already in the database. Returns the knowledge base's
    problems, or None when a full rebuild is needed (a removal, a change outside findings/, a
    duplicate id, or no usable database: missing, damaged, another schema version)."""
    path = db_path(root)
    if not path.is_file():
        return None
    try:
        return _update_in_place(root, path, files, fingerprint, strict)
    except sqlite3.DatabaseError:  # corrupt, truncated, not a database, tables missing: rebuild it whole
        return None


def _claim_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table holding rows of one claim (a `claim_id` column), as the schema declares them."""
    found = conn.execute(
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'claim_id' AND m.name != 'file'"
    )
    return [r[0] for r in found]


def _update_in_place(root: Path, path: Path, files: FileStats, fingerprint: str, strict: bool) -> list[Problem] | None:
    with closing(sqlite3.connect(path)) as conn:
        if conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() != (SCHEMA_VERSION,):
            return None
        old = {p: (int(s), int(m), c) for p, s, m, c in conn.execute("SELECT path, size, mtime_ns, claim_id FROM file")}
        changed = sorted(p for p, st in files.items() if old.get(p, (None, None, None))[:2] != st)
        if set(old) - set(files) or any(not p.startswith(FINDINGS_PREFIX) or not p.endswith(".yaml") for p in changed):
            return None
        kb = KnowledgeBase(root=root)
        for table, folder in (("hypothesis", "hypotheses"), ("confound_type", "confounds"), ("model", "models"), ("source", "sources")):
            kb.folder(folder).update(dict.fromkeys(r[0] for r in conn.execute(f"SELECT id FROM {table}")))  # noqa: S608
        kb.texts.update({r[0]: SourceText.model_validate(json.loads(r[1])) for r in conn.execute("SELECT id, data FROM text")})
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
        gone = [(old[p][2],) for p in changed if p in old and old[p][2] is not None]
        sub = KnowledgeBase(root=root, claims=new, paths=kb.paths)
        with conn:
            conn.executemany("DELETE FROM claim_fts WHERE rowid IN (SELECT rowid FROM claim WHERE id = ?)", gone)
            for table in _claim_tables(conn):
                conn.executemany(f"DELETE FROM {table} WHERE claim_id = ?", gone)  # noqa: S608 - names from the schema
            conn.executemany("DELETE FROM claim WHERE id = ?", gone)
            conn.executemany("DELETE FROM problem WHERE path = ?", [(p,) for p in changed])
            insert(conn, _claim_rows(sub))
            conn.executemany(CLAIM_SEARCH + " WHERE c.id = ?", [(c,) for c in sorted(new)])
            empty_derived(conn)  # made from every claim: stale now (kb build / kb db build refill them)
            conn.executemany(
                "INSERT OR REPLACE INTO file (path, size, mtime_ns, claim_id) VALUES (?, ?, ?, ?)",
                [(p, _stat(files[p][0]), _stat(files[p][1]), id_at.get(p)) for p in changed],
            )
            insert(conn, {"problem": _problem_rows(problems)})
            _meta(conn, fingerprint)
        return everything


def update(root: Path, *, strict: bool = False) -> list[Problem]:
    """Bring the database up to date with `claims/`: in place when only claim files changed or
    were added, else a full rebuild (also when the database is damaged or from another schema
    version). Returns the knowledge base's problems (the database then holds the valid records).
    With `strict`, refuses on any problem and leaves the database as it was."""
    with build_lock(root):
        return refresh(root, strict=strict)


def refresh(root: Path, *, strict: bool = False, scanned: tuple[FileStats, str] | None = None) -> list[Problem]:
    """`update` for a caller that already holds `build_lock` (the build pipeline); `scanned`:
    `scan(root)`, if the caller made it under the lock already."""
    files, fp = scanned or scan(root)
    if stored_fingerprint(db_path(root)) == fp:
        try:
            problems = stored_problems(root)
        except sqlite3.DatabaseError:
            problems = None
        if problems is not None:
            if strict and problems:
                raise InvalidKnowledgeBase(problems)
            return problems
    found = _incremental(root, files, fp, strict)
    if found is not None:
        return found
    return _from_scratch(root, files, fp, strict)


def _from_scratch(root: Path, files: FileStats, fingerprint: str, strict: bool) -> list[Problem]:
    """Load, check and write the whole database. The collector stays paused until the records are
    gone: re-enabled while they live, its next collection would walk every object the load made
    (0.4 s at 10k claims)."""
    with gc_paused():
        kb, problems = load(root)
        if strict and problems:
            raise InvalidKnowledgeBase(problems)
        build(kb, files, fingerprint, problems)
        del kb
    return problems


def rebuild(root: Path) -> list[Problem]:
    """Rebuild the database from scratch (it could not be read), whatever its fingerprint says."""
    with build_lock(root):
        files, fp = scan(root)
        return _from_scratch(root, files, fp, strict=False)


def stored_problems(root: Path) -> list[Problem]:
    with closing(sqlite3.connect(f"file:{db_path(root)}?mode=ro", uri=True)) as conn:
        return [Problem(*r) for r in conn.execute("SELECT path, line, field, message FROM problem ORDER BY path, line, field, message")]


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
    with gc_paused(), closing(sqlite3.connect(f"file:{db_path(root)}?mode=ro", uri=True)) as conn:
        for folder, table in TABLES.items():
            model, records = RECORD_FOLDERS[folder], kb.folder(folder)
            for id, path, data in conn.execute(f"SELECT id, path, data FROM {table} ORDER BY path"):  # noqa: S608
                records[id] = model.model_validate(orjson.loads(data))  # Python input: kb.models.StrictMissing
                full = kb.paths[(folder, id)] = root / path
                kb.known_path(folder, id, full, path)
    return kb


def load_checked(root: Path) -> KnowledgeBase:
    """The whole knowledge base, checked: the database is brought up to date (refusing, with every
    problem, if there is any), then the records are read back from it (rebuilt once if it cannot be read)."""
    update(root, strict=True)
    try:
        return read(root)
    except sqlite3.DatabaseError:
        rebuild(root)
        return read(root)
