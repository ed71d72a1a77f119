"""Analyses kept between builds, one file per unit of hypotheses (kb.portfolio.unit_ids) and
view, under build/cache/analysis/. A file is named by the content hash of everything its analysis
reads: every record but the findings (`records`: the digest of their files, from the caller), each
finding linked to a hypothesis of the unit and every finding those restate, the weights, draws and
seed, and the aggregator's code. A finding counts by its path and its content without what no
analysis reads (SHOWN_ONLY: its title, tags, notes and history), so retitling one analyses nothing
again; that digest is kept by its file's sha256 (`files`, which the build already reads) in one
more file, so a build makes it only for the files that changed. (The date each finding arrived,
which the drift over dates reads, is in its content and in its work's and channel's records.)
After one claim changes, a build analyses again only the units that claim's links reach, and makes
the evidence of those alone; the others are read back, equal to what they would compute (a unit's
results do not depend on the rest). Without `records` (a knowledge base not read from its files),
the records themselves are hashed.

    memo = Memo(build / "cache/analysis", weights, draws=None, seed=None, records=..., files=...)
    if memo.due(kb): warm(weights)                             # some unit is to analyse
    explanations, others = explained(kb, weights, memo=memo)   # every hypothesis, every profile
    memo.prune(("explained",))                                 # only this build's files stay

Without a memo every function computes everything, as kb.portfolio does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from kb.bulk import beside, gc_paused
from kb.history import Point, by_date_all, code_digest
from kb.models import Claim
from kb.pickled import keep, kept
from kb.portfolio import UNIT_IDS, Explanation, HypothesisResult, compute_portfolio, evidence, explain_all, gather, unit_ids
from kb.store import KnowledgeBase
from kb.weights import Weights

T = TypeVar("T")
Others = dict[str, list[HypothesisResult]]  # profile -> results, sorted by hypothesis
Unit = list[str]  # hypothesis ids
_LINKED = "memo:linked"  # kb.cache: the findings linked to each hypothesis
_REACHED = "memo:reached"  # kb.cache: the findings each unit's analysis reads
_RECORDS = "memo:records"  # kb.cache: the digest of every record but the findings


def reached(kb: KnowledgeBase, unit: Sequence[str]) -> list[str]:
    """The findings a unit's analysis reads, sorted: each finding linked to one of its hypotheses
    (whatever its status), and every finding those restate (worked out once per unit)."""
    known: dict[tuple[str, ...], list[str]] = kb.cache.setdefault(_REACHED, {})
    if tuple(unit) in known:
        return known[tuple(unit)]
    held: tuple[dict[str, list[str]], dict[str, str]] | None = kb.cache.get(_LINKED)
    if held is None:  # one pass over the records; the units then walk these (50k, profiled: 0.49 -> 0.30 s)
        linked: dict[str, list[str]] = {}
        restated: dict[str, str] = {}
        for cid, c in kb.claims.items():
            for hid in {link.hypothesis for link in c.links}:
                linked.setdefault(hid, []).append(cid)
            if c.provenance.restates is not None:
                restated[cid] = c.provenance.restates
        held = kb.cache[_LINKED] = (linked, restated)
    linked, restated = held
    seen: set[str] = set()
    for cid in (cid for hid in unit for cid in linked.get(hid, [])):
        while cid in kb.claims and cid not in seen:
            seen.add(cid)
            cid = restated.get(cid, "")
    found = known[tuple(unit)] = sorted(seen)
    return found


SHOWN_ONLY = {"title", "tags", "notes", "history"}  # a finding's fields that no analysis reads
VIEWS = ("explained", "approved", "dates")  # each kept by unit (the salt holds the code: HISTORY_DRAWS too)
DIGESTS = "findings.pickle"  # in the memo's folder: (code digest, {file's sha256: content digest})
KEYS = "keys.pickle"  # in the memo's folder: what the last keys made in full were made of, and those keys (Memo.due)
STALE_UP_TO = 64  # files changed since KEYS was written whose digests a build makes again before it writes KEYS anew


KEPT_AS: dict[str, Any] = {
    "explained": tuple[dict[str, Explanation], Others],
    "approved": dict[str, HypothesisResult],
    "dates": dict[str, list[Point]],
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _kept_as(name: str) -> TypeAdapter[Any]:
    """How a view's analyses are kept: as the plain values their models dump to (dicts, lists,
    floats), validated back when read: half the bytes of the models pickled, and faster to read
    (10k findings: every unit explained read back in 0.05-0.08 s against 0.10)."""
    view = name.split("-", 1)[0]
    if view not in _ADAPTERS:
        _ADAPTERS[view] = TypeAdapter(KEPT_AS[view])
    return _ADAPTERS[view]


class _Findings(dict[str, bytes]):
    """Each finding's part of the keys, made when first looked up: its path and the digest of its
    content without SHOWN_ONLY, read back by its file's sha256 when an earlier build made it."""

    def __init__(self, kb: KnowledgeBase, files: Mapping[str, bytes] | None, known: Mapping[bytes, bytes]) -> None:
        super().__init__()
        self.kb, self.files, self.known = kb, files, known
        self.made: dict[bytes, bytes] = {}  # file's sha256 -> digest, made here

    def __missing__(self, cid: str) -> bytes:
        path = self.kb.path_of("findings", cid)
        sha = self.files.get(path) if self.files is not None else None
        digest = self.known.get(sha) if sha is not None else None
        if digest is None:
            digest = _content(self.kb.claims[cid])
            if sha is not None:
                self.made[sha] = digest
        out = self[cid] = _part(path, digest)
        return out


def _content(claim: Claim) -> bytes:
    """The digest of a finding's content without SHOWN_ONLY."""
    return hashlib.sha256(claim.model_dump_json(exclude=SHOWN_ONLY).encode()).digest()


def _part(path: str, content: bytes) -> bytes:
    """A finding's part of the keys: its path and its content's digest (`_content`)."""
    return path.encode() + b"\0" + content


class Memo:
    """The folder of kept analyses, and the keys this build used (`prune` removes the rest)."""

    def __init__(
        self,
        folder: Path,
        weights: Weights,
        draws: int | None,
        seed: int | None,
        *,
        records: str | None = None,
        files: Mapping[str, bytes] | None = None,
        fresh: bool = False,
    ) -> None:
        self.folder = folder
        self.fresh = fresh  # read nothing kept (`kb build --force`); keep what is computed
        self.salt = "\0".join([code_digest(), repr(weights), repr(draws), repr(seed)])
        self.records = records  # the digest of every record file but the findings'
        self.files = files  # the sha256 of each finding's file, by path from the root
        self.used: set[str] = set()
        self.read: dict[tuple[str, ...], str] = {}  # each unit's `_reads`, made once for every view
        self.findings: _Findings | None = None  # of the knowledge base `read` is of

    def key(self, view: str, kb: KnowledgeBase, unit: Unit) -> str:
        digest = hashlib.sha256(f"{view}\0{self.salt}\0{self._reads(kb, unit)}\0".encode())
        name = f"{view}-{digest.hexdigest()[:32]}.pickle"
        self.used.add(name)
        return name

    @gc_paused()  # a key per finding and unit: acyclic, over every record
    def due(self, kb: KnowledgeBase) -> bool:
        """Whether some unit of some view has no kept analysis. Makes every key once, for the
        processes forked after this (or takes them from the last build, `_reused`), and keeps the
        findings' digests it had to make."""
        reused = self._reused(kb)
        names = [self.key(view, kb, unit) for view in VIEWS for unit in unit_ids(kb)]
        if not reused:
            self._keep_keys(kb)
        return self.fresh or not all((self.folder / name).is_file() for name in names)

    def _keep_keys(self, kb: KnowledgeBase) -> None:
        """Keep the findings' digests made here (DIGESTS), and what every key of `kb` was made of
        (KEYS: each finding's file, its sha256 and its part of the keys; the units; each unit's
        digest of what it reads), for `_reused`."""
        if self.findings is None or self.files is None:
            return
        if self.records is not None:  # every finding's part, unreached ones too (made here, kept in DIGESTS below)
            paths = {cid: kb.path_of("findings", cid) for cid in kb.claims}
            entries = {path: (self.files.get(path), self.findings[cid]) for cid, path in paths.items()}
            keep(self.folder / KEYS, (self.salt, self.records, entries, unit_ids(kb), dict(self.read)))
        if self.findings.made:
            every = {**self.findings.known, **self.findings.made}
            keep(self.folder / DIGESTS, (code_digest(), {sha: every[sha] for sha in self.files.values() if sha in every}))

    def _reused(self, kb: KnowledgeBase) -> bool:
        """Take every unit and unit digest from KEYS when nothing any key reads changed since it
        was written: the same salt (code, weights, draws, seed), the same records but the findings,
        the same finding files, and each finding's part of the keys the same (made again only for
        the files whose sha256 changed: after a retitling, one). The units and what each reads are
        functions of those alone, so the keys are those a full pass would make (50k findings: 0.74 s
        for that pass). With more than STALE_UP_TO files changed since, KEYS is written anew."""
        if self.fresh or self.files is None or self.records is None:
            return False
        held = kept(self.folder / KEYS)
        if not (isinstance(held, tuple) and len(held) == 5 and held[0] == self.salt and held[1] == self.records):
            return False
        _, _, entries, units, reads = held
        if not (isinstance(entries, dict) and len(entries) == len(kb.claims)):
            return False
        stale: dict[str, tuple[bytes, bytes]] = {}
        for cid, claim in kb.claims.items():
            path = kb.path_of("findings", cid)
            sha, was = self.files.get(path), entries.get(path)
            if sha is None or was is None:
                return False
            if sha != was[0]:
                part = _part(path, _content(claim))
                if part != was[1]:
                    return False
                stale[path] = (sha, part)
        if len(stale) > STALE_UP_TO:
            keep(self.folder / KEYS, (self.salt, self.records, {**entries, **stale}, units, reads))
        kb.cache[UNIT_IDS] = [list(unit) for unit in units]
        self.findings = _Findings(kb, self.files, {})
        self.read = dict(reads)
        return True

    def analyses(self, kb: KnowledgeBase) -> dict[str, str]:
        """Each hypothesis' analyses in every view, named by their keys (those of its unit): equal
        keys, equal results, explanation and drift, so a page can be keyed by what it shows of
        them without reading them (kb.render.pages.Renderer.hypothesis_key)."""
        return {hid: "\0".join(self.key(view, kb, unit) for view in VIEWS) for unit in unit_ids(kb) for hid in unit}

    def by_analyses(self, name: str, analyses: dict[str, str], make: Callable[[str], T], code: str) -> dict[str, T]:
        """`make(hypothesis)` for every hypothesis, for a value that reads only what its analyses
        read (as kb.render.notes.robustness) and `code` (the digest of the code that makes it):
        kept in `name`.pickle by their keys (`analyses`, from `Memo.analyses`), so only the
        hypotheses whose analyses changed make it again."""
        path = self.folder / f"{name}.pickle"
        held = None if self.fresh else kept(path)
        known = held[1] if isinstance(held, tuple) and len(held) == 2 and held[0] == code and isinstance(held[1], dict) else {}
        out = {h: known[key] if key in known else make(h) for h, key in sorted(analyses.items())}
        now = {analyses[h]: value for h, value in out.items()}
        if now != known:
            keep(path, (code, now))
        return out

    def _records(self, kb: KnowledgeBase) -> str:
        if self.records is not None:
            return self.records
        if _RECORDS not in kb.cache:
            every = (kb.hypotheses, kb.confounds, kb.models, kb.sources, kb.texts, kb.discrepancies, kb.questions)
            kb.cache[_RECORDS] = hashlib.sha256(repr([sorted(folder.items()) for folder in every]).encode()).hexdigest()
        return str(kb.cache[_RECORDS])

    def _reads(self, kb: KnowledgeBase, unit: Sequence[str]) -> str:
        """The digest of what a unit's analysis reads in every view: the records but the findings,
        and each finding it reaches."""
        if self.findings is None or self.findings.kb is not kb:
            self.read, self.findings = {}, _Findings(kb, self.files, self._known())
        if tuple(unit) not in self.read:
            digest = hashlib.sha256(f"{self._records(kb)}\0{unit}\0".encode())
            digest.update(b"".join(self.findings[cid] + b"\0" for cid in reached(kb, unit)))
            self.read[tuple(unit)] = digest.hexdigest()
        return self.read[tuple(unit)]

    def _known(self) -> dict[bytes, bytes]:
        """The findings' digests an earlier build made, by file (none when fresh)."""
        held = None if self.fresh or self.files is None else kept(self.folder / DIGESTS)
        if isinstance(held, tuple) and len(held) == 2 and held[0] == code_digest() and isinstance(held[1], dict):
            return held[1]
        return {}

    def get(self, name: str) -> Any:
        """The kept value, None when there is none (or it cannot be read: it is computed again)."""
        held = None if self.fresh else kept(self.folder / name)
        if held is None:
            return None
        try:
            return _kept_as(name).validate_python(held)
        except ValidationError:
            return None

    def put(self, name: str, value: object) -> None:
        keep(self.folder / name, _kept_as(name).dump_python(value))

    def prune(self, views: Sequence[str]) -> None:
        """Remove the kept analyses of `views` that this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name.split("-", 1)[0] in views and path.name not in self.used:
                path.unlink(missing_ok=True)


def _split(memo: Memo | None, view: str, kb: KnowledgeBase) -> tuple[list[Any], list[tuple[str, Unit]], set[str]]:
    """The kept values of the units of `kb`, the units due (with the name to keep each under) and
    the hypotheses of those."""
    found: list[Any] = []
    due: list[tuple[str, Unit]] = []
    for unit in unit_ids(kb):
        name = memo.key(view, kb, unit) if memo is not None else ""
        value = memo.get(name) if memo is not None else None
        if value is None:
            due.append((name, unit))
        else:
            found.append(value)
    return found, due, {hid for _, unit in due for hid in unit}


def _kept(memo: Memo | None, due: list[tuple[str, Unit]], part: Callable[[set[str]], T]) -> list[T]:
    """Each due unit's part of what was just computed for all of them (`part(its ids)`), kept."""
    out = []
    for name, unit in due:
        value = part(set(unit))
        if memo is not None:
            memo.put(name, value)
        out.append(value)
    return out


def explained(
    kb: KnowledgeBase,
    weights: Weights,
    draws: int | None = None,
    seed: int | None = None,
    *,
    memo: Memo | None = None,
    ready: Callable[[], object] | None = None,
) -> tuple[dict[str, Explanation], Others]:
    """Every hypothesis explained under the default profile, and its results under every other
    profile (kb.db.aggregates.other_profiles; on the second core, in a process forked once
    `ready()` returns: kb.pipeline waits there for its other process, so that no more than two
    hold copies of the records' pages at once)."""
    from kb.db.aggregates import other_profiles

    found, due, wanted = _split(memo, "explained", kb)
    if due:
        gathered = gather(kb, hs=evidence(kb, only=wanted))
        if ready is not None:
            ready()
        explanations, others = beside(
            lambda: explain_all(kb, weights, draws=draws, seed=seed, gathered=gathered),
            lambda: other_profiles(kb, weights, draws, seed, gathered),
        )
        found += _kept(
            memo, due, lambda ids: ({h: explanations[h] for h in ids}, {p: [r for r in rs if r.id in ids] for p, rs in others.items()})
        )
    all_explained: dict[str, Explanation] = {}
    all_others: Others = {}
    for part, by_profile in found:
        all_explained.update(part)
        for profile, results in by_profile.items():
            all_others.setdefault(profile, []).extend(results)
    return dict(sorted(all_explained.items())), {p: sorted(rs, key=lambda r: r.id) for p, rs in sorted(all_others.items())}


def approved(
    kb: KnowledgeBase, weights: Weights, draws: int | None = None, seed: int | None = None, *, memo: Memo | None = None
) -> dict[str, HypothesisResult]:
    """The portfolio counting approved claims only (compute_portfolio with approved_only)."""
    found, due, wanted = _split(memo, "approved", kb)
    if due:
        gathered = gather(kb, approved_only=True, hs=evidence(kb, approved_only=True, only=wanted))
        results = {r.id: r for r in compute_portfolio(kb, weights, approved_only=True, draws=draws, seed=seed, gathered=gathered)}
        found += _kept(memo, due, lambda ids: {h: results[h] for h in ids})
    return dict(sorted(item for part in found for item in part.items()))


def dates(kb: KnowledgeBase, weights: Weights, *, memo: Memo | None = None) -> dict[str, list[Point]]:
    """The drift over finding dates (kb.history.by_date_all)."""
    found, due, wanted = _split(memo, "dates", kb)
    if due:
        points = by_date_all(kb, weights, only=wanted)
        found += _kept(memo, due, lambda ids: {h: points[h] for h in ids})
    return dict(sorted(item for part in found for item in part.items()))
