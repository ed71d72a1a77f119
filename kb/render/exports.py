"""The site's data files: the explorer's findings.json, and the downloads (the SQLite database
and its Datasette metadata, and files equal to what the CLI prints for the same query)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from kb.bibtex import bibliography
from kb.db.publish import Published, metadata, publish, sha256_of
from kb.formats import JsonListOut, json_list, json_text, write_csv
from kb.render.changes import atom
from kb.render.project import LICENCE
from kb.render.rows import KeptRows, explorer_row, parts
from kb.render.views import SiteData
from kb.schemas import RECORDS, json_schema
from kb.store import KnowledgeBase


def _own_page(cid: str) -> str:
    return f"findings/{cid}.html"


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # compact: with `indent` the json module falls back to its pure-Python encoder (3 s at 10k claims)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


Writer = Callable[[TextIO], None]


def downloads(data: SiteData) -> dict[str, Writer]:
    """Every download but the claims' (`write_claims`), by file name under downloads/, each
    written exactly as a command prints it: portfolio.json `kb portfolio -f json`,
    portfolio-approved-only.json `kb portfolio --approved-only -f json`, sources.bib `kb source
    list -f bibtex`, schema/RECORD.schema.json `kb schema RECORD`."""

    def text(value: str) -> Writer:
        def write(out: TextIO) -> None:
            out.write(value)

        return write

    files: dict[str, Writer] = {
        "portfolio.json": text(json_list([json_text(r.to_json()) for _, r in sorted(data.results.items())])),
        "portfolio-approved-only.json": text(json_list([json_text(r.to_json()) for _, r in sorted(data.approved.items())])),
        "sources.bib": text(bibliography(data.kb.sources[s].model_dump(mode="json") for s in sorted(data.kb.sources))),
    }
    files |= {f"schema/{name}.schema.json": text(json_text(json_schema(name)) + "\n") for name in RECORDS}
    return files


CLAIMS_FILES = ("data/findings.json", "downloads/claims.json", "downloads/claims.csv")  # what write_claims writes
CLAIMS_DIGESTS = "digests.json"  # beside the claims' files written aside (write_claims_aside): the downloads' sha256


def write_claims_aside(
    kb: KnowledgeBase, folder: Path, finding_url: Callable[[str], str] = _own_page, rows: KeptRows | None = None
) -> None:
    """`write_claims` into `folder`, for write_data to move in (its `written`), with the sha256 of
    the downloads among them (CLAIMS_DIGESTS): worked out here, in a process with time to spare,
    rather than by the version manifest at the end of the render."""
    write_claims(kb, folder, finding_url, rows)
    _dump(folder / CLAIMS_DIGESTS, {name: sha256_of(folder / "downloads" / name) for name in _downloaded(CLAIMS_FILES)})


def _downloaded(names: tuple[str, ...]) -> list[str]:
    return [name.split("/", 1)[1] for name in names if name.startswith("downloads/")]


def write_claims(kb: KnowledgeBase, docs: Path, finding_url: Callable[[str], str] = _own_page, rows: KeptRows | None = None) -> None:
    """The files with a row per finding, in one pass over the findings (one at a time: at 50k,
    hundreds of megabytes held at once otherwise): the explorer's data/findings.json (just what
    it filters and shows) and downloads/claims.json and claims.csv, exactly as `kb claim list -f
    json` and `-f csv` print them. With `rows`, each finding's parts kept by the last build
    (kb.render.rows) are taken from there when its file did not change."""
    every = rows.parts(kb) if rows is not None else ((cid, parts(kb, cid)) for cid in sorted(kb.claims))
    (docs / "data").mkdir(parents=True, exist_ok=True)
    (docs / "downloads").mkdir(parents=True, exist_ok=True)
    with (
        (docs / "data" / "findings.json").open("w", encoding="utf-8") as explorer,
        (docs / "downloads" / "claims.json").open("w", encoding="utf-8", newline="") as records,
        (docs / "downloads" / "claims.csv").open("w", encoding="utf-8", newline="") as lines,
    ):
        listed = JsonListOut(records)
        n = 0
        for n, (cid, part) in enumerate(every, start=1):
            if n == 1:
                write_csv(lines, [], part.columns)  # the header
            explorer.write(("[" if n == 1 else ",") + explorer_row(cid, finding_url(cid), part))
            listed.add(part.record)
            lines.write(part.line)
        explorer.write("]\n" if n else "[]\n")
        listed.close()
        if not n:
            write_csv(lines, [])  # the empty header


def write_data(
    data: SiteData,
    docs: Path,
    database: Path | None,
    finding_url: Callable[[str], str] = _own_page,
    rows: KeptRows | None = None,
    *,
    written: Path | None = None,
    published: Published | None = None,
    meanwhile: Callable[[], object] = lambda: None,
) -> None:
    """Write the explorer's data and the downloads under `docs` (data/ and downloads/): the
    claims' files (`write_claims`; or, with `written`, moved from that folder, where the caller
    had them written with the same `finding_url`), the database (published copy, on a thread of
    its own: SQLite works without holding Python's lock, so the copy runs beside the claims'
    files; or, with `published`, the copy the caller started already, moved in when done) with its
    Datasette metadata, and the files of `downloads`. `meanwhile()` runs once every file but the
    database's is written, before the copy is waited for (the caller's other work)."""
    target = docs / "downloads" / "kb.sqlite"
    known: dict[str, str] = {}  # sha256 of downloads, by path under downloads/, worked out elsewhere
    with ThreadPoolExecutor(max_workers=1) as pool:
        copied = None
        if published is None and database is not None and database.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            copied = pool.submit(publish, database, target)
        if written is None:
            write_claims(data.kb, docs, finding_url, rows)
        else:
            for name in CLAIMS_FILES:
                (docs / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(written / name, docs / name)
            if (written / CLAIMS_DIGESTS).is_file():
                known |= json.loads((written / CLAIMS_DIGESTS).read_text(encoding="utf-8"))
        for name, write in downloads(data).items():
            path = docs / "downloads" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as out:
                write(out)
        (docs / "changes.xml").write_text(
            atom(data.changes, "AI consciousness evidence portfolio: changes", "changes.html", data.version.built), encoding="utf-8"
        )
        meanwhile()
        if copied is not None:
            copied.result()  # raises what the copy raised
        if published is not None:  # the caller's copy, moved in once done
            known[target.name] = published.wait()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(published.target, target)
        if target.is_file():
            (docs / "downloads" / "metadata.json").write_text(
                json.dumps(metadata("kb"), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    _dump(docs / "downloads" / "VERSION.json", version_manifest(data, docs / "downloads", known))


def version_manifest(data: SiteData, folder: Path, known: dict[str, str] | None = None) -> dict[str, Any]:
    """Which portfolio the downloads are (commit of claims/, build date, licence) and each file's
    sha256 (`known`: those already worked out, by path under `folder`): the downloads themselves
    stay byte-equal to what the CLI prints, so the version they carry is stated beside them, once,
    for all of them."""
    known = known or {}
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "VERSION.json"}
    return {
        "version": data.version.line(),
        "commit": data.version.commit,
        "committed": data.version.committed,
        "built": data.version.built,
        "licence": LICENCE,
        "files": {name: known.get(name) or sha256_of(p) for name, p in files.items()},
    }
