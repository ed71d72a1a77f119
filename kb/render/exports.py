"""The site's data files: the explorer's findings.json, and the downloads (the SQLite database
and its Datasette metadata, and files equal to what the CLI prints for the same query)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb.bibtex import bibliography
from kb.db.publish import metadata, publish
from kb.formats import claim_list_rows, csv_text, json_list, json_text
from kb.render.changes import atom
from kb.render.project import LICENCE
from kb.render.views import SiteData
from kb.schemas import RECORDS, json_schema


def _own_page(cid: str) -> str:
    return f"findings/{cid}.html"


def explorer_rows(data: SiteData, finding_url: Callable[[str], str] = _own_page) -> list[dict[str, Any]]:
    """One row per finding with just what the explorer filters and shows; `finding_url` is the
    renderer's link to a finding (relative to the site's root)."""
    rows = []
    for cid, c in sorted(data.kb.claims.items()):
        rows.append(
            {
                "id": cid,
                "href": finding_url(cid),
                "title": c.title,
                "statement": c.statement,
                # the text `kb search` searches (the database's claim_fts): title, statement, quotes, rationale
                "quotes": " ".join(loc.quote for loc in c.locators),
                "rationale": " ".join(lk.rationale for lk in c.links),
                "kind": c.kind.value,
                "stream": c.stream.value,
                "status": c.status.value,
                "models": sorted({m.model for m in c.models}),
                "links": [{"hypothesis": lk.hypothesis, "bearing": lk.bearing.value, "strength": lk.strength.value} for lk in c.links],
                "confounds": [{"type": e.type, "controlled": e.controlled.value} for e in c.confounds],
            }
        )
    return rows


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # compact: with `indent` the json module falls back to its pure-Python encoder (3 s at 10k claims)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def downloads(data: SiteData) -> dict[str, str]:
    """Every download, by file name under downloads/, each exactly what a command prints:
    claims.json `kb claim list -f json`, claims.csv `kb claim list -f csv`, portfolio.json `kb
    portfolio -f json`, portfolio-approved-only.json `kb portfolio --approved-only -f json`,
    sources.bib `kb source list -f bibtex`, schema/RECORD.schema.json `kb schema RECORD`."""
    claims = [data.kb.claims[cid] for cid in sorted(data.kb.claims)]
    records = [c.model_dump(mode="json") for c in claims]
    files = {
        "claims.json": json_list([c.model_dump_json() for c in claims]),
        "claims.csv": csv_text(claim_list_rows(records), list(records[0]) if records else []),
        "portfolio.json": json_list([json_text(r.to_json()) for _, r in sorted(data.results.items())]),
        "portfolio-approved-only.json": json_list([json_text(r.to_json()) for _, r in sorted(data.approved.items())]),
        "sources.bib": bibliography(data.kb.sources[s].model_dump(mode="json") for s in sorted(data.kb.sources)),
    }
    files |= {f"schema/{name}.schema.json": json_text(json_schema(name)) + "\n" for name in RECORDS}
    return files


def write_data(data: SiteData, docs: Path, database: Path | None, finding_url: Callable[[str], str] = _own_page) -> None:
    """Write the explorer's data and the downloads under `docs` (data/ and downloads/): the
    database (published copy) with its Datasette metadata, and the files of `downloads`."""
    _dump(docs / "data" / "findings.json", explorer_rows(data, finding_url))
    for name, text in downloads(data).items():
        path = docs / "downloads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (docs / "changes.xml").write_text(
        atom(data.changes, "AI consciousness evidence portfolio: changes", "changes.html", data.version.built), encoding="utf-8"
    )
    if database is not None and database.is_file():
        publish(database, docs / "downloads" / "kb.sqlite")
        (docs / "downloads" / "metadata.json").write_text(json.dumps(metadata("kb"), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _dump(docs / "downloads" / "VERSION.json", version_manifest(data, docs / "downloads"))


def version_manifest(data: SiteData, folder: Path) -> dict[str, Any]:
    """Which portfolio the downloads are (commit of claims/, build date, licence) and each file's
    sha256: the downloads themselves stay byte-equal to what the CLI prints, so the version they
    carry is stated beside them, once, for all of them."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "VERSION.json")
    return {
        "version": data.version.line(),
        "commit": data.version.commit,
        "committed": data.version.committed,
        "built": data.version.built,
        "licence": LICENCE,
        "files": {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
