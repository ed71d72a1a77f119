"""The built database through Datasette's own test client: a table, a foreign-key label, a
full-text search and the metadata, over its JSON API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from tests.conftest import run


def datasette_get(database: Path, metadata: Path, *urls: str) -> list[Any]:
    from datasette.app import Datasette

    ds = Datasette([str(database)], metadata=json.loads(metadata.read_text()))

    async def fetch() -> list[Any]:
        out = []
        for url in urls:
            response = await ds.client.get(url)
            assert response.status_code == 200, (url, response.text)
            out.append(response.json())
        return out

    return asyncio.run(fetch())


def test_datasette_serves_tables_labels_search_portfolio_and_descriptions(runner: CliRunner, full_root: Path) -> None:
    result = run(runner, full_root, "db", "build", "--portfolio")
    assert result.exit_code == 0, result.output
    database, metadata = full_root / "build" / "kb.sqlite", full_root / "build" / "metadata.json"
    links, found, portfolio, meta, tables = datasette_get(
        database,
        metadata,
        "/kb/link.json?_shape=array&_labels=on&hypothesis=h-functional-introspection",
        "/kb/claim.json?_shape=array&_col=title&_search=concept+injection",
        "/kb/portfolio.json?_shape=array&_labels=on&profile=default",
        "/-/metadata.json",
        "/kb.json",
    )
    title = yaml.safe_load((full_root / "claims/hypotheses/h-functional-introspection.yaml").read_text())["title"]
    assert links and all(x["hypothesis"] == {"value": "h-functional-introspection", "label": title} for x in links)
    ids = {r["id"] for r in found}
    assert {"concept-injection-detection-at-token-zero", "introspection-evidence-converging"} <= ids
    assert {r["hypothesis"]["value"] for r in portfolio} == {h.stem for h in (full_root / "claims" / "hypotheses").glob("*.yaml")}
    assert all(0 < r["posterior"] < 1 and r["low"] <= r["posterior"] <= r["high"] for r in portfolio)
    described = meta["databases"]["kb"]["tables"]
    names = {t["name"] for t in tables["tables"] if not t["hidden"]} | {v["name"] for v in tables["views"]}
    assert names <= set(described), names - set(described)
    assert all(described[n].get("description") for n in names)
    assert meta["license"] and meta["source"] and meta["title"]
