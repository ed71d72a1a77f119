"""The floor for a full build: parse the same YAML files with the tool's own YAML node builder
(kb.yamlio.parse: libyaml's parser, a direct builder) with the cyclic GC paused as the tool pauses
it (kb.bulk.gc_paused), read the archived texts they name, and insert the same rows (claims and
their links, confounds and locators, the other records, the texts' non-blank lines) with sqlite3
`executemany` in one transaction. Nothing is validated or checked and no index is built: the
difference to `kb db build` is the checking, the models, the secondary and full-text indexes.

    python benchmarks/floor.py ROOT OUT.sqlite
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from kb.bulk import gc_paused
from kb.yamlio import parse

FOLDERS = ("findings", "hypotheses", "confounds", "models", "sources", "texts", "discrepancies")


def main(root: Path, out: Path) -> None:
    records: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for folder in FOLDERS:
        records[folder] = [parse(p.read_text(encoding="utf-8")) for p in sorted((root / "claims" / folder).rglob("*.yaml"))]
    out.unlink(missing_ok=True)
    conn = sqlite3.connect(out)
    conn.executescript(
        """
        CREATE TABLE claim (id TEXT PRIMARY KEY, title TEXT, kind TEXT, stream TEXT, status TEXT, data TEXT);
        CREATE TABLE link (claim_id TEXT, position INT, hypothesis TEXT, bearing TEXT, strength TEXT);
        CREATE TABLE claim_confound (claim_id TEXT, position INT, type TEXT, controlled TEXT);
        CREATE TABLE locator (claim_id TEXT, position INT, text TEXT, start INT, "end" INT, quote TEXT);
        CREATE TABLE record (folder TEXT, id TEXT, data TEXT);
        CREATE TABLE text_line (text TEXT, line INT, content TEXT);
        """
    )
    with conn:
        claims = records["findings"]
        conn.executemany(
            "INSERT INTO claim VALUES (?,?,?,?,?,?)",
            [(c["id"], c["title"], c["kind"], c["stream"], c.get("status", "draft"), json.dumps(c, default=str)) for c in claims],
        )
        conn.executemany(
            "INSERT INTO link VALUES (?,?,?,?,?)",
            [(c["id"], i, x["hypothesis"], x["bearing"], x["strength"]) for c in claims for i, x in enumerate(c.get("links", []))],
        )
        conn.executemany(
            "INSERT INTO claim_confound VALUES (?,?,?,?)",
            [(c["id"], i, x["type"], str(x["controlled"])) for c in claims for i, x in enumerate(c.get("confounds", []))],
        )
        conn.executemany(
            "INSERT INTO locator VALUES (?,?,?,?,?,?)",
            [(c["id"], i, x["text"], x["lines"][0], x["lines"][1], x["quote"]) for c in claims for i, x in enumerate(c["locators"])],
        )
        conn.executemany(
            "INSERT INTO record VALUES (?,?,?)",
            [(f, r["id"], json.dumps(r, default=str)) for f in FOLDERS[1:] for r in records[f]],
        )
        for t in records["texts"]:
            lines = (root / t["path"]).read_text(encoding="utf-8").split("\n")
            conn.executemany("INSERT INTO text_line VALUES (?,?,?)", [(t["id"], n, x) for n, x in enumerate(lines, 1) if x.strip()])
    conn.close()


if __name__ == "__main__":
    with gc_paused():  # as the tool loads records and makes rows
        main(Path(sys.argv[1]), Path(sys.argv[2]))
