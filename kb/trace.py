"""Traceability and sensitivity of one aggregated hypothesis: each finding's contribution,
leave-one-out, leave-one-source-out, the top driver, the smallest flipping set, the prior sweep,
the weighting profiles and confound-class drops. Pure, like kb.aggregate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from kb.aggregate import (
    HypothesisEvidence,
    Posterior,
    Run,
    aggregate,
    decibans,
    direction,
    expit,
    logit,
    point_contributions,
    point_links,
    point_net,
    point_net_without_each,
    point_tables,
    scratch,
)
from kb.weights import Weights

PRIOR_SWEEP = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


@dataclass(frozen=True)
class Contribution:
    """One finding's share of the net evidence (point estimate), in decibans and in credence
    points: the shift it alone would cause from the prior."""

    claim: str
    cluster: str
    bearing: str
    approved: bool
    decibans: float
    credence_points: float


@dataclass(frozen=True)
class Delta:
    """What removing a finding (or every finding from one work) does to the point estimate."""

    id: str
    removed: tuple[str, ...]
    decibans: float
    credence_points: float


@dataclass(frozen=True)
class Trace:
    net_decibans: float
    point_posterior: float
    contributions: tuple[Contribution, ...]
    leave_one_out: tuple[Delta, ...]
    leave_one_source_out: tuple[Delta, ...]
    top_driver: str | None
    flip_set: tuple[str, ...] | None


def _point(h: HypothesisEvidence, weights: Weights, profile: str) -> float:
    prof = weights.profile(profile)
    return point_net(point_links(h.canonical(), point_tables(weights, prof)), prof.restatement_discount)


def trace(run: Run, weights: Weights, profile: str = "default") -> Trace:
    """Contributions, leave-one-out, leave-one-source-out, top driver and flip set of one run.

    Flip set: greedy. While the net keeps its direction, remove the remaining finding with the
    largest contribution in that direction and recompute (clusters re-pool). None if even removing
    every such finding does not flip it, or if there is no net direction."""
    h, prior = run.evidence, run.prior
    lo = logit(prior)
    net = run.point_net
    post = float(expit(lo + net))
    shares = point_contributions(run.point, run.r)
    contributions = tuple(
        Contribution(lk.claim, lk.cluster, lk.bearing.value, lk.approved, decibans(c), float(expit(lo + c)) - prior)
        for lk, c in zip(h.links, shares, strict=True)
    )

    def delta(id: str, removed: tuple[str, ...], rest: float) -> Delta:
        return Delta(id, removed, decibans(rest - net), float(expit(lo + rest)) - post)

    without_each = point_net_without_each(run.point, run.r)
    loo = tuple(delta(lk.claim, (lk.claim,), float(rest)) for lk, rest in zip(h.links, without_each, strict=True))
    by_source: dict[str, list[int]] = {}
    for i, lk in enumerate(h.links):
        for s in lk.sources:
            by_source.setdefault(s, []).append(i)

    def without_source(rows: list[int]) -> float:
        keep = np.ones(len(h.links), dtype=bool)
        keep[rows] = False
        return point_net(run.point, run.r, keep)

    loso = tuple(delta(s, tuple(sorted({h.links[i].claim for i in rows})), without_source(rows)) for s, rows in sorted(by_source.items()))
    top = max(loo, key=lambda d: abs(d.decibans), default=None)
    return Trace(
        net_decibans=decibans(net),
        point_posterior=post,
        contributions=contributions,
        leave_one_out=loo,
        leave_one_source_out=loso,
        top_driver=top.id if top is not None and abs(top.decibans) > 0 else None,
        flip_set=flip_set(run),
    )


def flip_set(run: Run) -> tuple[str, ...] | None:
    h, p = run.evidence, run.point
    sign = direction(run.point_net)
    if sign == 0:
        return None
    keep = np.ones(len(h.links), dtype=bool)
    removed: list[str] = []
    while direction(point_net(p, run.r, keep)) == sign:
        left = replace(p, magnitude=np.where(keep, p.magnitude, 0.0))  # shares of what is left
        shares = point_contributions(left, run.r) * sign
        order = [int(i) for i in np.argsort(-shares, kind="stable") if keep[i] and shares[i] > 0]
        if not order:
            return None
        keep[order[0]] = False
        removed.append(h.links[order[0]].claim)
    return tuple(removed)


@dataclass(frozen=True)
class Scenario:
    """The hypothesis under one variation: point net evidence, its direction and (when the Monte
    Carlo was run) the posterior."""

    name: str
    decibans: float
    direction: int
    posterior: Posterior | None = None


@dataclass(frozen=True)
class Sensitivity:
    prior_sweep: tuple[Posterior, ...]
    profiles: tuple[Scenario, ...]
    confound_groups: tuple[Scenario, ...]
    fragile: bool
    fragile_reasons: tuple[str, ...]


def sensitivity(
    run: Run,
    weights: Weights,
    groups: Iterable[str],
    profile: str = "default",
    *,
    monte_carlo: bool = True,
    draws: int | None = None,
    seed: int | None = None,
) -> Sensitivity:
    """Prior sweep (from the run's draws), every weighting profile and every confound class
    dropped in turn (each with weights.scenario_draws draws, or `draws` if fewer). Fragile: the
    direction of the net evidence differs from the run's under some profile or confound-class
    drop. The prior sweep moves the posterior, never the direction."""
    h = run.evidence
    base = direction(run.point_net)
    seed = weights.seed if seed is None else seed
    n = min(draws or weights.draws, weights.scenario_draws)
    buffer = scratch(sum(3 if lk.special else 1 for lk in h.links), n)

    def scenario(name: str, ev: HypothesisEvidence, prof: str) -> Scenario:
        net = _point(ev, weights, prof)
        post = aggregate(ev, weights, prof, draws=n, seed=seed, prior=run.prior, buffer=buffer).posterior if monte_carlo else None
        return Scenario(name, decibans(net), direction(net), post)

    profiles = tuple(scenario(name, h, name) for name in weights.profiles)
    drops = tuple(scenario(g, h.without_group(g), profile) for g in sorted(set(groups)))
    reasons = [f"under the {s.name} profile the evidence points {_word(s.direction)}" for s in profiles if s.direction != base]
    reasons += [f"without {s.name} confounds the evidence points {_word(s.direction)}" for s in drops if s.direction != base]
    return Sensitivity(tuple(run.at_prior(p) for p in PRIOR_SWEEP), profiles, drops, bool(reasons), tuple(reasons))


def _word(sign: int) -> str:
    return {1: "for the hypothesis", -1: "against the hypothesis", 0: "nowhere"}[sign]
