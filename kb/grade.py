"""GRADE-style certainty of a hypothesis' evidence: a starting level by the kind of evidence, one
level down for each of risk of bias, inconsistency, indirectness, imprecision and reporting
bias, with the reason for each as text. Shares are of the absolute point weight of the
directional links (after kind, tier and confound weighting). Pure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.aggregate import MIX, NEG, POS, LinkEvidence, Posterior, Run
from kb.vocab import Controlled, Grade, Kind, Severity, Tier
from kb.weights import GradeRules

LEVELS = (Grade.HIGH, Grade.MODERATE, Grade.LOW, Grade.VERY_LOW)
UNCONTROLLED = frozenset({Controlled.NO, Controlled.NOT_REPORTED, Controlled.UNKNOWN})
INDIRECT_KINDS = frozenset({Kind.TESTIMONY, Kind.ANECDOTE, Kind.ARGUMENT})
INDIRECT_TIERS = frozenset({Tier.SECOND_HAND, Tier.UNPUBLISHED, Tier.ANECDOTE})
UNPUBLISHED_TIERS = frozenset({Tier.UNPUBLISHED, Tier.ANECDOTE})


@dataclass(frozen=True)
class Certainty:
    grade: Grade
    reasons: tuple[str, ...]


def _uncontrolled_high(lk: LinkEvidence) -> bool:
    """A high-severity confound that most judgments (ties included) call uncontrolled."""
    return any(c.severity is Severity.HIGH and 2 * sum(x in UNCONTROLLED for x in c.controlled) >= len(c.controlled) for c in lk.confounds)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _top_work(links: tuple[LinkEvidence, ...], mag: np.ndarray, total: float) -> tuple[str, float]:
    """The work carrying the most weight (a link's first source: its origin, else its channel)."""
    by_work: dict[str, float] = {}
    for lk, m in zip(links, mag.tolist(), strict=True):
        key = lk.sources[0] if lk.sources else lk.cluster
        by_work[key] = by_work.get(key, 0.0) + m
    work = max(sorted(by_work), key=lambda w: by_work[w])
    return work, by_work[work] / total


def certainty(run: Run, posterior: Posterior, rules: GradeRules) -> Certainty:
    links, mag, side = run.evidence.links, run.point.magnitude, run.point.side
    total = float(mag.sum())
    if not links or total <= 0:
        return Certainty(Grade.VERY_LOW, ("no directional evidence bears on this hypothesis",))

    def share(pred: list[bool]) -> float:
        return float(mag[np.array(pred, dtype=bool)].sum()) / total

    reasons: list[str] = []
    empirical = share([lk.kind is Kind.EMPIRICAL for lk in links])
    start = 0 if empirical >= rules.empirical_share_high else 1 if empirical > 0 else 2
    reasons.append(f"starts {LEVELS[start].value}: {_pct(empirical)} of the weight is empirical findings")
    downgrades: list[str] = []
    biased = share([_uncontrolled_high(lk) for lk in links])
    if biased >= rules.risk_of_bias_share:
        downgrades.append(f"risk of bias: {_pct(biased)} of the weight has an uncontrolled high-severity confound")
    pos, neg = float(mag[side == POS].sum()), float(mag[side == NEG].sum())
    mixed = float(mag[side == MIX].sum()) / total
    if max(pos, neg) > 0 and min(pos, neg) / max(pos, neg) >= rules.inconsistency_ratio:
        downgrades.append(f"inconsistency: weight against is {_pct(min(pos, neg) / max(pos, neg))} of the weight for (or vice versa)")
    elif mixed >= rules.mixed_share:
        downgrades.append(f"inconsistency: {_pct(mixed)} of the weight is mixed evidence")
    indirect = share([lk.kind in INDIRECT_KINDS or lk.tier in INDIRECT_TIERS for lk in links])
    if indirect >= rules.indirect_share:
        downgrades.append(f"indirectness: {_pct(indirect)} of the weight is testimony, anecdote, argument or second-hand")
    width = posterior.high - posterior.low
    n_clusters = run.point.n_clusters
    if width >= rules.imprecision_width or n_clusters < rules.min_clusters:
        downgrades.append(f"imprecision: 90% interval {width:.2f} wide, {n_clusters} independent cluster(s)")
    unpublished = share([lk.tier in UNPUBLISHED_TIERS for lk in links])
    if unpublished >= rules.reporting_bias_share:
        downgrades.append(f"reporting bias: {_pct(unpublished)} of the weight is unpublished or anecdotal")
    elif n_clusters == 1:
        downgrades.append("reporting bias: all the evidence rests on a single study or work")
    else:
        work, top = _top_work(links, mag, total)
        if top >= rules.single_work_share:
            downgrades.append(f"reporting bias: {_pct(top)} of the weight rests on one work ({work})")
    level = min(start + len(downgrades), len(LEVELS) - 1)
    return Certainty(LEVELS[level], (*reasons, *downgrades))
