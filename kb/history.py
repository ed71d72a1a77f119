"""How a hypothesis' credence moved: as findings arrived (by the finding's date, else its work's,
else its channel's) and over the repository's history (one point per commit that touched
claims/). Each point is the same aggregation as `kb portfolio`, on the claims known then."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kb import snapshots
from kb.aggregate import HypothesisEvidence, Run, aggregate_all
from kb.bulk import gc_paused, in_child
from kb.errors import NotFound
from kb.git import GitUnavailable, git
from kb.libraries import versions
from kb.models import Claim
from kb.paths import CLAIMS_DIR
from kb.portfolio import evidence, unit_ids
from kb.store import KnowledgeBase, load
from kb.vocab import Missing
from kb.weights import Weights, load_weights

HISTORY_DRAWS = 2000  # a trend needs less precision than a headline; keeps a long history quick


@dataclass(frozen=True)
class Point:
    axis: str  # "date" or "commit"
    at: str  # ISO date, or the commit's date
    commit: str | None
    n_claims: int
    n_links: int
    posterior: float
    interval: tuple[float, float]
    decibans: float

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "interval": list(self.interval)}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and not isinstance(value, Missing):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def claim_date(kb: KnowledgeBase, claim: Claim) -> dt.date | None:
    """The finding's own date, else its work's, else its channel document's."""
    for candidate in (
        claim.date,
        kb.sources[o].date if isinstance(o := claim.provenance.origin, str) and o in kb.sources else None,
        kb.sources[ch].date if (ch := claim.provenance.channel) in kb.sources else None,
    ):
        if (d := _date(candidate)) is not None:
            return d
    return None


def _points(
    kb: KnowledgeBase, weights: Weights, axis: str, at: str, commit: str | None, draws: int, only: Collection[str] | None = None
) -> dict[str, Point]:
    """One point per hypothesis (or per hypothesis in `only`), from one shared aggregation."""
    # the units of those asked for, whole: the answers of a question are aggregated together
    hs = evidence(kb, only=None if only is None else {hid for unit in unit_ids(kb) if any(h in only for h in unit) for hid in unit})
    runs = aggregate_all(hs, weights, draws=draws)
    return {h.id: _to_point(h, run, axis, at, commit) for h, run in zip(hs, runs, strict=True) if only is None or h.id in only}


def _to_point(h: HypothesisEvidence, run: Run, axis: str, at: str, commit: str | None) -> Point:
    post = run.posterior
    n_claims = len({lk.claim for lk in h.links})
    return Point(axis, at, commit, n_claims, len(h.links), run.point, (post.low, post.high), run.decibans)


def _check(kb: KnowledgeBase, hypothesis: str) -> None:
    if hypothesis not in kb.hypotheses:
        raise NotFound("hypothesis", hypothesis, kb.hypotheses)


def by_date(kb: KnowledgeBase, weights: Weights, hypothesis: str, draws: int = HISTORY_DRAWS) -> list[Point]:
    """One point per distinct date on which a finding linked to the hypothesis arrived; undated
    findings join at the end, as 'undated'."""
    _check(kb, hypothesis)
    return by_date_all(kb, weights, draws, only={hypothesis})[hypothesis]


def by_date_all(
    kb: KnowledgeBase, weights: Weights, draws: int = HISTORY_DRAWS, only: Collection[str] | None = None
) -> dict[str, list[Point]]:
    """`by_date` for every hypothesis (or those in `only`) at once: one aggregation per distinct
    date any linked finding arrived, each on the findings dated up to that day, and one on every
    finding for the hypotheses that have undated findings (or no dated point at all)."""
    wanted = sorted(kb.hypotheses) if only is None else sorted(set(only) & set(kb.hypotheses))
    dated = {cid: claim_date(kb, c) for cid, c in kb.claims.items()}
    arrivals: dict[str, set[dt.date | None]] = {h: set() for h in wanted}
    for c in kb.claims.values():
        for link in c.links:
            if link.hypothesis in arrivals:
                arrivals[link.hypothesis].add(dated[c.id])
    out: dict[str, list[Point]] = {h: [] for h in wanted}
    for day in sorted({d for ds in arrivals.values() for d in ds if d is not None}):
        subset = {cid: c for cid, c in kb.claims.items() if not c.links or ((d := dated[cid]) is not None and d <= day)}
        due = {h for h in wanted if day in arrivals[h]}
        for hid, point in _points(_with_claims(kb, subset), weights, "date", day.isoformat(), None, draws, due).items():
            out[hid].append(point)
    late = {h for h in wanted if None in arrivals[h] or not out[h]}
    if late:
        for hid, point in _points(kb, weights, "date", "undated", None, draws, late).items():
            out[hid].append(point)
    return out


def _with_claims(kb: KnowledgeBase, claims: dict[str, Claim]) -> KnowledgeBase:
    return replace(kb, claims=claims, cache={})


def _commits(root: Path, limit: int) -> list[tuple[str, str]]:
    """The last `limit` commits that touched claims/ (sha, committer date), oldest first; none
    outside a git repository or without git."""
    try:
        log = git(root, "log", f"-n{limit}", "--format=%H %cI", "--", CLAIMS_DIR).decode().split()
    except GitUnavailable:
        return []
    return list(zip(log[::2], log[1::2], strict=True))[::-1]


def by_commit(
    root: Path, hypothesis: str, limit: int = 20, draws: int = HISTORY_DRAWS, current: KnowledgeBase | None = None
) -> list[Point]:
    """One point per commit (the last `limit`, oldest first) that touched claims/, aggregating the
    claims as they were at that commit (with that commit's weights when it had them); `current`:
    the working tree's records, if the caller has them loaded."""
    return by_commit_all(root, limit, draws, only={hypothesis}, current=current).get(hypothesis, [])


def code_digest() -> str:
    """A digest of the kb package's own modules (the aggregator and what feeds it) and of the
    libraries' versions (kb.libraries): a result kept by an older version of either is stale
    (here and in kb.memo)."""
    digest = hashlib.sha256(versions().encode() + b"\0")
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_keys(root: Path, commits: list[tuple[str, str]], draws: int) -> dict[str, str]:
    """Per commit, the content address of its points: the git tree of claims/ at that commit
    (records and weights), the draws and the code; commits whose tree git cannot name are left out."""
    try:
        trees = git(root, "rev-parse", *[f"{sha}:{CLAIMS_DIR}" for sha, _ in commits]).decode().split()
    except GitUnavailable:
        return {}
    code = code_digest()
    return {sha: hashlib.sha256(f"{tree}:{draws}:{code}".encode()).hexdigest() for (sha, _), tree in zip(commits, trees, strict=True)}


def by_commit_all(
    root: Path,
    limit: int = 10,
    draws: int = HISTORY_DRAWS,
    only: Collection[str] | None = None,
    cache: Path | None = None,
    current: KnowledgeBase | None = None,
) -> dict[str, list[Point]]:
    """`by_commit` for every hypothesis (or those in `only`): each commit's knowledge base is
    aggregated in one pass. A hypothesis appears from the first commit that had it; outside git,
    or with no commit to claims/, the result is empty. With `cache` (a folder), each commit's
    points are kept there under their content address (_cache_keys) and a commit already seen is
    read back instead of aggregated again. The commits not in the cache are reached by walking back
    from the working tree's records (`current`, if the caller has them loaded; else they are
    loaded here), parsing only the files each commit changed (kb.snapshots)."""
    commits = _commits(root, limit)
    if not commits:
        return {}
    found, missing, keys = _cached(root, commits, draws, cache)
    if missing:  # in a child process: the knowledge bases of past commits go back to the system with it
        found |= in_child(lambda _: _aggregate(root, commits, missing, keys, draws, cache, current), lambda _: None)
    out: dict[str, list[Point]] = {}
    for sha, _ in commits:
        for hid, point in found.get(sha, {}).items():
            if only is None or hid in only:
                out.setdefault(hid, []).append(point)
    return out


def _cached(
    root: Path, commits: list[tuple[str, str]], draws: int, cache: Path | None
) -> tuple[dict[str, dict[str, Point]], dict[str, str], dict[str, str]]:
    """The points of the commits found in `cache`; the commits not found (sha -> date); every
    commit's cache key."""
    keys = _cache_keys(root, commits, draws) if cache is not None else {}
    found: dict[str, dict[str, Point]] = {}
    missing: dict[str, str] = {}
    for sha, when in commits:
        stored = cache / f"{keys[sha]}.json" if cache is not None and sha in keys else None
        if stored is not None and stored.is_file():
            saved = json.loads(stored.read_text(encoding="utf-8")).items()  # another commit may share the tree: its own sha and date
            found[sha] = {hid: Point(**{**p, "interval": tuple(p["interval"]), "at": when, "commit": sha[:10]}) for hid, p in saved}
        else:
            missing[sha] = when
    return found, missing, keys


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def _aggregate(
    root: Path,
    commits: list[tuple[str, str]],
    missing: dict[str, str],
    keys: dict[str, str],
    draws: int,
    cache: Path | None,
    current: KnowledgeBase | None,
) -> dict[str, dict[str, Point]]:
    """The points of each commit in `missing`, each stored in `cache` under its key."""
    weights = load_weights(root)
    if current is None:
        current, _ = load(root, verify=False, folders=snapshots.FOLDERS)
    found: dict[str, dict[str, Point]] = {}
    for snap in snapshots.walk_back(root, current, weights, [sha for sha, _ in commits], missing):
        points = found[snap.sha] = _points(snap.kb, snap.weights, "commit", missing[snap.sha], snap.sha[:10], draws)
        if cache is not None and snap.sha in keys:
            stored = cache / f"{keys[snap.sha]}.json"
            stored.parent.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_suffix(".tmp")
            tmp.write_text(json.dumps({hid: p.to_json() for hid, p in points.items()}), encoding="utf-8")
            tmp.replace(stored)
    return found
