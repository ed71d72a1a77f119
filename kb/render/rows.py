"""Each finding's part of the site's data files, kept between builds: its record in
downloads/claims.json, its line in downloads/claims.csv and its row in data/findings.json but the
link to its page. A finding's parts depend on its file alone (and the code that reads and writes
it), so they are kept under its file's sha256 in build/cache/rows.pickle, salted with the code;
after one claim changes a build makes that claim's parts alone (at 10k findings the three files
took 2 s, most of a one-claim render). The file holds one entry per finding in id order, in
batches of BATCH (one pickle call per entry cost 0.14 s at 10k), read and written beside the
findings (in the same order), so no build holds them all.

    rows = KeptRows(build, salt=code_digest, files=finding_digests)
    for cid, part in rows.parts(kb): ...   # the last build's file is replaced once all are read"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.formats import claim_list_row, csv_line
from kb.store import KnowledgeBase

CACHE = "cache/rows.pickle"
BATCH = 256  # entries per pickle: (id, digest, record, columns, line, explorer)
COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Parts:
    """`record`: as `kb claim list -f json` prints it; `line`: its CSV line (`columns`, the header);
    `explorer`: its explorer row as compact JSON after the id and the link (from the first field's
    key to the closing brace)."""

    record: str
    columns: tuple[str, ...]
    line: str
    explorer: str


def parts(kb: KnowledgeBase, cid: str) -> Parts:
    c = kb.claims[cid]
    listed = claim_list_row(c.model_dump(mode="json"))
    explorer: dict[str, Any] = {
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
    columns = tuple(listed)
    return Parts(c.model_dump_json(), columns, csv_line(listed, columns), COMPACT.encode(explorer)[1:])


def explorer_row(cid: str, href: str, part: Parts) -> str:
    """The explorer's row of a finding: its id, the link to its page, then the rest."""
    return f'{{"id":{COMPACT.encode(cid)},"href":{COMPACT.encode(href)},{part.explorer}'


class KeptRows:
    """The last build's parts, and where this build's go."""

    def __init__(self, build: Path, salt: str, files: Mapping[str, bytes], *, fresh: bool = False) -> None:
        self.path = build / CACHE
        self.salt = salt
        self.files = files  # the sha256 of each finding's file, by path from the root
        self.fresh = fresh  # read nothing kept (`kb build --force`)
        self.made = 0  # the findings whose parts the last `parts` made

    def _kept(self) -> Iterator[tuple[str, bytes, Parts]]:
        """The last build's entries in id order (none if unreadable or made by other code)."""
        if self.fresh:
            return
        try:
            with self.path.open("rb") as file:
                if pickle.load(file) != self.salt:  # noqa: S301 - our own build folder, written by `parts`
                    return
                while (batch := pickle.load(file)) is not None:  # noqa: S301
                    for cid, digest, *fields in batch:
                        yield cid, digest, Parts(*fields)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return

    def kept(self) -> bool:
        """Whether the last build's parts can be read (so that few need making)."""
        return next(self._kept(), None) is not None

    def parts(self, kb: KnowledgeBase) -> Iterator[tuple[str, Parts]]:
        """Every finding's parts in id order: the last build's where its file's digest is the same,
        else made. This build's are written as they go, and take the last's place at the end."""
        self.made = 0
        kept = self._kept()
        held = next(kept, None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as out:
                pickle.dump(self.salt, out)
                loaded = kb.loaded_all(self.files)
                batch: list[tuple[Any, ...]] = []
                for cid in sorted(kb.claims):
                    while held is not None and held[0] < cid:
                        held = next(kept, None)
                    digest = loaded[cid]
                    if held is not None and held[0] == cid and held[1] == digest:
                        part = held[2]
                    else:
                        part = parts(kb, cid)
                        self.made += 1
                    batch.append((cid, digest, part.record, part.columns, part.line, part.explorer))
                    if len(batch) == BATCH:
                        pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                        batch = []
                    yield cid, part
                if batch:
                    pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(None, out)
            tmp.replace(self.path)
        finally:
            tmp.unlink(missing_ok=True)
