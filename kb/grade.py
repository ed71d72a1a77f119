"""GRADE-style certainty of a hypothesis' evidence. Pure, and a function of the evidence alone:
never of the prior or the Monte Carlo seed.

- Start from the design of the weighted evidence: interventional or causal (4, high) > probing or
  correlational (3, moderate) > behavioural (2, low) > self-report (1.5) > argument, testimony,
  anecdote (1, very low); the weight-averaged score, rounded down to a level.
- One level down for each of: risk of bias, inconsistency, indirectness (a functional finding
  bearing on a claim about experience), imprecision (in log-odds: the net evidence moves by
  `imprecision_nats` or changes direction across the weighting profiles, or rests on fewer than
  `min_units` research groups), reporting bias, and concentration (one work, one research group or
  one channel carries most of the weight).
- Capped at low while most of the weight rests on unreviewed machine-extracted claims.
- Shares are of the directional weight at the profile's values; mixed links only ever add an
  inconsistency downgrade and neutral ones are not evidence, so neither can raise a grade.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from kb.aggregate import MIX, NEG, POS, Row, Run, direction
from kb.vocab import Controlled, Design, Grade, Kind, Severity, Tier
from kb.weights import GradeRules

LEVELS = (Grade.HIGH, Grade.MODERATE, Grade.LOW, Grade.VERY_LOW)
UNCONTROLLED = frozenset({Controlled.NO, Controlled.NOT_REPORTED, Controlled.UNKNOWN})
UNPUBLISHED_TIERS = frozenset({Tier.UNPUBLISHED, Tier.ANECDOTE})
WORDS = frozenset({Kind.TESTIMONY, Kind.ANECDOTE, Kind.ARGUMENT})
DESIGN_SCORE = {
    Design.STEERING: 4.0,
    Design.FINE_TUNING: 4.0,
    Design.TRAINING_COMPARISON: 4.0,
    Design.SIMULATION: 4.0,
    Design.PROBING: 3.0,
    Design.ANIMAL: 3.0,
    Design.BEHAVIOURAL: 2.0,
    Design.REVIEW: 2.0,
    Design.SELF_REPORT: 1.5,
    Design.NOT_REPORTED: 1.5,
    Design.CONCEPTUAL: 1.0,
    Design.OBSERVATION: 1.0,
}


@dataclass(frozen=True)
class Certainty:
    grade: Grade
    reasons: tuple[str, ...]
    units: int  # independent research groups behind the directional evidence
    unreviewed_share: float


def design_score(row: Row) -> float:
    """The row's place in the hierarchy of designs (testimony, anecdote and argument are 1
    whatever their design)."""
    return 1.0 if row.link.kind in WORDS else DESIGN_SCORE[row.link.design]


def _uncontrolled_high(row: Row) -> bool:
    """A high-severity confound threatening the link that most judgments (ties included) call
    uncontrolled."""
    return any(
        c.severity is Severity.HIGH and 2 * sum(x in UNCONTROLLED for x in c.controlled) >= len(c.controlled) for c in row.link.confounds
    )


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _largest(rows: list[Row], mags: np.ndarray, total: float, key: Callable[[Row], str]) -> tuple[str, float]:
    by: dict[str, float] = {}
    for r, m in zip(rows, mags.tolist(), strict=True):
        by[key(r)] = by.get(key(r), 0.0) + m
    name = max(sorted(by), key=lambda k: by[k])
    return name, by[name] / total


def certainty(run: Run, profile_nets: Mapping[str, float], rules: GradeRules) -> Certainty:
    """The grade of one run; `profile_nets`: its own net evidence (nats) under every profile."""
    rows, side = run.layout.rows, run.layout.side
    directional = (side == POS) | (side == NEG)
    mags = run.magnitudes[directional]
    used = [r for r, d in zip(rows, directional.tolist(), strict=True) if d]
    total = float(mags.sum())
    if not used or total <= 0:
        return Certainty(Grade.VERY_LOW, ("no directional evidence bears on this hypothesis",), 0, 0.0)

    def share(pred: Callable[[Row], bool]) -> float:
        return float(mags[np.array([pred(r) for r in used], dtype=bool)].sum()) / total

    score = float(np.dot(mags, [design_score(r) for r in used])) / total
    start = 0 if score >= 3.5 else 1 if score >= 2.5 else 2 if score >= 1.5 else 3
    reasons = [
        f"starts {LEVELS[start].value}: the weighted design score is {score:.1f} of 4 (4 interventional, 3 probing, 2 behavioural, 1.5 self-report, 1 argument, testimony or anecdote)"
    ]
    downgrades: list[str] = []
    biased = share(_uncontrolled_high)
    if biased >= rules.risk_of_bias_share:
        downgrades.append(f"risk of bias: {_pct(biased)} of the weight has an uncontrolled high-severity confound threatening the link")
    pos, neg = float(run.magnitudes[side == POS].sum()), float(run.magnitudes[side == NEG].sum())
    mixed = float(run.magnitudes[side == MIX].sum())
    if max(pos, neg) > 0 and min(pos, neg) / max(pos, neg) >= rules.inconsistency_ratio:
        downgrades.append(f"inconsistency: weight against is {_pct(min(pos, neg) / max(pos, neg))} of the weight for (or vice versa)")
    elif mixed / (total + mixed) >= rules.mixed_share:
        downgrades.append(f"inconsistency: {_pct(mixed / (total + mixed))} of the weight is mixed evidence")
    if run.evidence.experiential:
        downgrades.append("indirectness: the evidence is about function and behaviour; the hypothesis is about experience")
    units = len({r.link.deps.group for r in used})
    nets = list(profile_nets.values())
    span = max(nets) - min(nets) if nets else 0.0
    flips = len({direction(v) for v in nets}) > 1
    if flips or span >= rules.imprecision_nats or units < rules.min_units:
        downgrades.append(
            f"imprecision: across the weighting profiles the net evidence spans {span:.2f} nats"
            f"{' and changes direction' if flips else ''}; {units} independent research group(s)"
        )
    unpublished = share(lambda r: r.link.tier in UNPUBLISHED_TIERS)
    if unpublished >= rules.reporting_bias_share:
        downgrades.append(f"reporting bias: {_pct(unpublished)} of the weight is unpublished or anecdotal")
    for what, key in (
        ("one work", lambda r: r.link.deps.work),
        ("one research group", lambda r: r.link.deps.group),
        ("one channel", lambda r: r.link.deps.channel),
    ):
        name, top = _largest(used, mags, total, key)
        if top >= rules.concentration_share and units > 0:
            downgrades.append(f"concentration: {_pct(top)} of the weight comes through {what} ({name})")
            break
    level = min(start + len(downgrades), len(LEVELS) - 1)
    machine = share(lambda r: r.link.machine and not r.link.approved)
    if machine >= rules.machine_share and level < 2:
        level = 2
        downgrades.append(f"capped at low: {_pct(machine)} of the weight rests on unreviewed machine-extracted claims")
    unreviewed = share(lambda r: not r.link.approved)
    return Certainty(LEVELS[level], (*reasons, *downgrades), units, unreviewed)
