"""Building the SQLite index from a loaded knowledge base."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb import db
from kb.errors import Problem
from kb.models import Claim
from kb.store import KnowledgeBase, load
from kb.vocab import Missing

Progress = Callable[[int, int], None]


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, Missing):
        return None
    return str(value)


def _claim_rows(kb: KnowledgeBase) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {"claim": [], "link": [], "claim_confound": [], "claim_model": [], "locator": []}
    for cid in sorted(kb.claims):
        c: Claim = kb.claims[cid]
        data = c.model_dump(mode="json")
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
                json.dumps(data, ensure_ascii=False),
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
            (m.id, m.name, str(m.developer), kb.path_of("models", m.id), data(m))
            for m in sorted(kb.models.values(), key=lambda r: r.id)
        ],
        "source": [
            (s.id, s.title, s.type.value, kb.path_of("sources", s.id), data(s))
            for s in sorted(kb.sources.values(), key=lambda r: r.id)
        ],
        "text": [
            (t.id, t.source, t.path, t.sha256, t.lines, kb.path_of("texts", t.id), data(t))
            for t in sorted(kb.texts.values(), key=lambda r: r.id)
        ],
        "discrepancy": [
            (d.id, d.title, d.subject, kb.path_of("discrepancies", d.id), data(d))
            for d in sorted(kb.discrepancies.values(), key=lambda r: r.id)
        ],
    }


def create_schema(path: Path) -> None:
    from sqlmodel import SQLModel, create_engine

    from kb import tables  # noqa: F401 - registers the tables on SQLModel.metadata

    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()


def build(kb: KnowledgeBase, fingerprint: str, target: Path | None = None) -> Path:
    """Write the database for `kb` to a temporary file, then move it into place atomically, so a
    reader never sees a half-built database."""
    target = target or db.db_path(kb.root)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".kb-", suffix=".sqlite")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        create_schema(tmp)
        conn = sqlite3.connect(tmp)
        try:
            with conn:
                for table, rows in (_claim_rows(kb) | _record_rows(kb)).items():
                    if rows:
                        marks = ",".join("?" * len(rows[0]))
                        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 - fixed names
                conn.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("fingerprint", fingerprint), ("schema_version", db.SCHEMA_VERSION)],
                )
        finally:
            conn.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def ensure(root: Path) -> list[Problem]:
    """Rebuild the database if any file under `claims/` changed since it was built, so a reader
    never queries stale data. Returns the knowledge base's problems (the database then holds the
    valid records only); an empty list when nothing needed doing or all is well."""
    fp = db.fingerprint(root)
    if db.stored_fingerprint(db.db_path(root)) == fp:
        return []
    kb, problems = load(root)
    build(kb, fp)
    return problems
