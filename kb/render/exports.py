"""The site's data files: the explorer's findings.json, and the downloads (the SQLite database,
claims.json, claims.csv, portfolio.json)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb.render.changes import atom
from kb.render.views import SiteData

CSV_COLUMNS = ("id", "title", "kind", "stream", "status", "statement", "date", "models", "links", "confounds", "provenance", "locators")


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
                "kind": c.kind.value,
                "stream": c.stream.value,
                "status": c.status.value,
                "models": sorted({m.model for m in c.models}),
                "links": [{"hypothesis": lk.hypothesis, "bearing": lk.bearing.value, "strength": lk.strength.value} for lk in c.links],
                "confounds": [{"type": e.type, "controlled": e.controlled.value} for e in c.confounds],
            }
        )
    return rows


def claims_json(data: SiteData) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") | {"path": data.kb.path_of("findings", cid)} for cid, c in sorted(data.kb.claims.items())]


def claims_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow(
            [json.dumps(r.get(k), ensure_ascii=False) if isinstance(r.get(k), list | dict) else r.get(k, "") for k in CSV_COLUMNS]
        )
    return out.getvalue()


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # compact: with `indent` the json module falls back to its pure-Python encoder (3 s at 10k claims)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_data(data: SiteData, docs: Path, database: Path | None, finding_url: Callable[[str], str] = _own_page) -> None:
    """Write the explorer's data and the downloads under `docs` (data/ and downloads/)."""
    _dump(docs / "data" / "findings.json", explorer_rows(data, finding_url))
    records = claims_json(data)
    _dump(docs / "downloads" / "claims.json", records)
    (docs / "downloads" / "claims.csv").write_text(claims_csv(records), encoding="utf-8")
    (docs / "changes.xml").write_text(
        atom(data.changes, "AI consciousness evidence portfolio: changes", "changes.html", data.version.built), encoding="utf-8"
    )
    _dump(
        docs / "downloads" / "portfolio.json",
        {
            "version": data.version.line(),
            "default": [r.to_json() for r in data.results.values()],
            "approved_only": [r.to_json() for r in data.approved.values()],
        },
    )
    if database is not None and database.is_file():
        shutil.copyfile(database, docs / "downloads" / "kb.sqlite")
