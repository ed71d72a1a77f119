"""Analyses kept between builds, one file per unit of hypotheses (kb.portfolio.units) and view,
under build/cache/analysis/. A file is named by the content hash of everything its analysis
reads: the unit's hypothesis records and typed evidence (for the drift over dates, also the date
each of their claims arrived), the weights, draws and seed, and the aggregator's code. After one
claim changes, a build analyses again only the units that claim's links reach; the others are
read back, equal to what they would compute (a unit's results do not depend on the rest).

    memo = Memo(build / "cache/analysis", draws=None, seed=None, weights=weights)
    explanations, others = explained(kb, weights, memo=memo)   # every hypothesis, every profile
    memo.prune()                                               # only this build's files stay

Without a memo every function computes everything, as kb.portfolio does."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from kb.aggregate import HypothesisEvidence
from kb.bulk import beside
from kb.history import HISTORY_DRAWS, Point, by_date_all, claim_date, code_digest
from kb.portfolio import Explanation, HypothesisResult, compute_portfolio, evidence, explain_all, gather, units
from kb.store import KnowledgeBase
from kb.weights import Weights

T = TypeVar("T")
Others = dict[str, list[HypothesisResult]]  # profile -> results, sorted by hypothesis


class Memo:
    """The folder of kept analyses, and the keys this build used (`prune` removes the rest)."""

    def __init__(self, folder: Path, weights: Weights, draws: int | None, seed: int | None, *, fresh: bool = False) -> None:
        self.folder = folder
        self.fresh = fresh  # read nothing kept (`kb build --force`); keep what is computed
        self.salt = "\0".join([code_digest(), repr(weights), repr(draws), repr(seed)])
        self.used: set[str] = set()

    def key(self, view: str, kb: KnowledgeBase, unit: Sequence[HypothesisEvidence], *extra: str) -> str:
        digest = hashlib.sha256(f"{view}\0{self.salt}\0{sorted({ct.group for ct in kb.confounds.values()})}".encode())
        for h in unit:
            digest.update(repr(kb.hypotheses[h.id]).encode() + b"\0" + repr(h).encode() + b"\0")
        for part in extra:
            digest.update(part.encode() + b"\0")
        name = f"{view}-{digest.hexdigest()[:32]}.pickle"
        self.used.add(name)
        return name

    def get(self, name: str) -> Any:
        """The kept value, None when there is none (or it cannot be read: it is computed again)."""
        if self.fresh:
            return None
        try:
            with (self.folder / name).open("rb") as file:
                return pickle.load(file)  # noqa: S301 - our own build folder, written by put
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put(self, name: str, value: object) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.{os.getpid()}.tmp"
        with tmp.open("wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self.folder / name)

    def prune(self, views: Sequence[str]) -> None:
        """Remove the kept analyses of `views` that this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name.split("-", 1)[0] in views and path.name not in self.used:
                path.unlink(missing_ok=True)


def _split(
    memo: Memo | None,
    view: str,
    kb: KnowledgeBase,
    hs: Sequence[HypothesisEvidence],
    extra: Callable[[list[HypothesisEvidence]], list[str]],
) -> tuple[list[Any], list[tuple[str, list[HypothesisEvidence]]]]:
    """The kept values of the units of `hs`, and the units due (with the name to keep each under)."""
    found: list[Any] = []
    due: list[tuple[str, list[HypothesisEvidence]]] = []
    for unit in units(hs):
        name = memo.key(view, kb, unit, *extra(unit)) if memo is not None else ""
        value = memo.get(name) if memo is not None else None
        if value is None:
            due.append((name, unit))
        else:
            found.append(value)
    return found, due


def _bare(h: HypothesisEvidence) -> HypothesisEvidence:
    """`h` without its links: all a due unit needs once its key is made (at 50k findings the
    links of every hypothesis run to hundreds of megabytes)."""
    return HypothesisEvidence(h.id, h.prior, (), h.question, h.experiential)


def _none(_: list[HypothesisEvidence]) -> list[str]:
    return []


def _kept(memo: Memo | None, due: list[tuple[str, list[HypothesisEvidence]]], part: Callable[[set[str]], T]) -> list[T]:
    """Each due unit's part of what was just computed for all of them (`part(its ids)`), kept."""
    out = []
    for name, unit in due:
        value = part({h.id for h in unit})
        if memo is not None:
            memo.put(name, value)
        out.append(value)
    return out


def explained(
    kb: KnowledgeBase, weights: Weights, draws: int | None = None, seed: int | None = None, *, memo: Memo | None = None
) -> tuple[dict[str, Explanation], Others]:
    """Every hypothesis explained under the default profile, and its results under every other
    profile (kb.db.aggregates.other_profiles; on the second core)."""
    from kb.db.aggregates import other_profiles

    found, due = _split(memo, "explained", kb, evidence(kb), _none)
    if due:
        gathered = gather(kb, hs=[h for _, unit in due for h in unit])
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
    found, due = _split(memo, "approved", kb, evidence(kb, approved_only=True), _none)
    if due:
        gathered = gather(kb, approved_only=True, hs=[h for _, unit in due for h in unit])
        results = {r.id: r for r in compute_portfolio(kb, weights, approved_only=True, draws=draws, seed=seed, gathered=gathered)}
        found += _kept(memo, due, lambda ids: {h: results[h] for h in ids})
    return dict(sorted(item for part in found for item in part.items()))


def dates(kb: KnowledgeBase, weights: Weights, *, memo: Memo | None = None) -> dict[str, list[Point]]:
    """The drift over finding dates (kb.history.by_date_all). Besides the unit's evidence, its key
    holds the date of each claim linked to it and of every claim those restate (whether a
    restated claim had arrived by a date changes the restatement's dependence then)."""

    linked: dict[str, list[str]] = {}  # every claim linked, counted or not: each date is a point
    for cid, c in kb.claims.items():
        for link in c.links:
            linked.setdefault(link.hypothesis, []).append(cid)

    def arrivals(unit: list[HypothesisEvidence]) -> list[str]:
        seen: set[str] = set()
        for cid in (cid for h in unit for cid in linked.get(h.id, [])):
            while cid in kb.claims and cid not in seen:
                seen.add(cid)
                cid = kb.claims[cid].provenance.restates or ""
        return [f"draws:{HISTORY_DRAWS}", *(f"{cid}:{claim_date(kb, kb.claims[cid])}" for cid in sorted(seen))]

    found, due = _split(memo, "dates", kb, evidence(kb), arrivals)
    if due:
        wanted = {h.id for _, unit in due for h in unit}
        due = [(name, [_bare(h) for h in unit]) for name, unit in due]  # the evidence goes: by_date_all makes its own per date
        points = by_date_all(kb, weights, only=wanted)
        found += _kept(memo, due, lambda ids: {h: points[h] for h in ids})
    return dict(sorted(item for part in found for item in part.items()))
