"""How a hypothesis' credence moved: as findings arrived (by the finding's date, else its work's,
else its channel's) and over the repository's history (one point per commit that touched
claims/). Each point is the same aggregation as `kb portfolio`, on the claims known then."""

from __future__ import annotations

import datetime as dt
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from kb.aggregate import aggregate_all, decibans
from kb.errors import NotFound
from kb.models import Claim
from kb.paths import CLAIMS_DIR
from kb.portfolio import evidence
from kb.store import KnowledgeBase, load
from kb.vocab import Missing
from kb.weights import InvalidWeights, Weights, load_weights

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


def _point(kb: KnowledgeBase, weights: Weights, hypothesis: str, axis: str, at: str, commit: str | None, draws: int) -> Point:
    (h,) = [e for e in evidence(kb) if e.id == hypothesis]
    (run,) = aggregate_all([h], weights, draws=draws)
    post = run.posterior
    return Point(
        axis, at, commit, len({lk.claim for lk in h.links}), len(h.links), post.median, (post.low, post.high), decibans(run.point_net)
    )


def by_date(kb: KnowledgeBase, weights: Weights, hypothesis: str, draws: int = HISTORY_DRAWS) -> list[Point]:
    """One point per distinct date on which a finding linked to the hypothesis arrived; undated
    findings join at the end, as 'undated'."""
    if hypothesis not in kb.hypotheses:
        raise NotFound("hypothesis", hypothesis)
    linked = {c.id: claim_date(kb, c) for c in kb.claims.values() if any(lk.hypothesis == hypothesis for lk in c.links)}
    dates = sorted({d for d in linked.values() if d is not None})
    points = []
    for day in dates:
        subset = {cid: c for cid, c in kb.claims.items() if cid not in linked or (linked[cid] is not None and linked[cid] <= day)}  # type: ignore[operator]
        points.append(_point(_with_claims(kb, subset), weights, hypothesis, "date", day.isoformat(), None, draws))
    if any(d is None for d in linked.values()) or not points:
        points.append(_point(kb, weights, hypothesis, "date", "undated", None, draws))
    return points


def _with_claims(kb: KnowledgeBase, claims: dict[str, Claim]) -> KnowledgeBase:
    return KnowledgeBase(kb.root, claims, kb.hypotheses, kb.confounds, kb.models, kb.sources, kb.texts, kb.discrepancies, kb.paths)


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


def by_commit(root: Path, hypothesis: str, limit: int = 20, draws: int = HISTORY_DRAWS) -> list[Point]:
    """One point per commit (the last `limit`, oldest first) that touched claims/, aggregating the
    claims as they were at that commit (with that commit's weights when it had them)."""
    try:
        log = _git(root, "log", f"-n{limit}", "--format=%H %cI", "--", CLAIMS_DIR).decode().split()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return []
    commits = list(zip(log[::2], log[1::2], strict=True))[::-1]
    current = load_weights(root)
    points = []
    for sha, when in commits:
        with tempfile.TemporaryDirectory() as tmp:
            tarfile.open(fileobj=BytesIO(_git(root, "archive", sha, CLAIMS_DIR))).extractall(tmp, filter="data")
            kb, _ = load(Path(tmp), verify=False)
            if hypothesis not in kb.hypotheses:
                continue
            try:
                weights = load_weights(Path(tmp))
            except (InvalidWeights, Exception):  # noqa: BLE001 - an old or missing weights file: use today's
                weights = current
            points.append(_point(kb, weights, hypothesis, "commit", when, sha[:10], draws))
    return points
