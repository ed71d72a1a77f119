"""The site's data files: the explorer's findings.json, and the downloads (the SQLite database
and its Datasette metadata, and files equal to what the CLI prints for the same query)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from kb.bibtex import bibliography
from kb.db.publish import metadata, publish
from kb.formats import claim_list_row, json_list, json_text, write_csv, write_json_list
from kb.render.changes import atom
from kb.render.project import LICENCE
from kb.render.views import SiteData
from kb.schemas import RECORDS, json_schema


def _own_page(cid: str) -> str:
    return f"findings/{cid}.html"


def explorer_rows(data: SiteData, finding_url: Callable[[str], str] = _own_page) -> Iterator[dict[str, Any]]:
    """One row per finding with just what the explorer filters and shows; `finding_url` is the
    renderer's link to a finding (relative to the site's root)."""
    for cid in sorted(data.kb.claims):
        c = data.kb.claims[cid]
        yield {
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


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # compact: with `indent` the json module falls back to its pure-Python encoder (3 s at 10k claims)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dump_rows(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """`_dump` of a list, written row by row: the same bytes, never the whole list in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for n, row in enumerate(rows):
            out.write(("," if n else "") + _COMPACT.encode(row))
        out.write("]\n")


Writer = Callable[[TextIO], None]


def downloads(data: SiteData) -> dict[str, Writer]:
    """Every download, by file name under downloads/, each written exactly as a command prints
    it: claims.json `kb claim list -f json`, claims.csv `kb claim list -f csv`, portfolio.json `kb
    portfolio -f json`, portfolio-approved-only.json `kb portfolio --approved-only -f json`,
    sources.bib `kb source list -f bibtex`, schema/RECORD.schema.json `kb schema RECORD`. Each is
    a function writing one file, the claims one claim at a time (at 50k claims, hundreds of
    megabytes held at once otherwise)."""
    claims = [data.kb.claims[cid] for cid in sorted(data.kb.claims)]

    def text(value: str) -> Writer:
        def write(out: TextIO) -> None:
            out.write(value)

        return write

    files: dict[str, Writer] = {
        "claims.json": lambda out: write_json_list(out, (c.model_dump_json() for c in claims)),
        "claims.csv": lambda out: write_csv(out, (claim_list_row(c.model_dump(mode="json")) for c in claims)),
        "portfolio.json": text(json_list([json_text(r.to_json()) for _, r in sorted(data.results.items())])),
        "portfolio-approved-only.json": text(json_list([json_text(r.to_json()) for _, r in sorted(data.approved.items())])),
        "sources.bib": text(bibliography(data.kb.sources[s].model_dump(mode="json") for s in sorted(data.kb.sources))),
    }
    files |= {f"schema/{name}.schema.json": text(json_text(json_schema(name)) + "\n") for name in RECORDS}
    return files


def write_data(data: SiteData, docs: Path, database: Path | None, finding_url: Callable[[str], str] = _own_page) -> None:
    """Write the explorer's data and the downloads under `docs` (data/ and downloads/): the
    database (published copy) with its Datasette metadata, and the files of `downloads`."""
    _dump_rows(docs / "data" / "findings.json", explorer_rows(data, finding_url))
    for name, write in downloads(data).items():
        path = docs / "downloads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            write(out)
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
