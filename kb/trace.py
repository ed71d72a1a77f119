"""Traceability and sensitivity of aggregated hypotheses: each finding's contribution,
leave-one-out, leave-one-source-out, the weight by channel and by work, the top driver, the
smallest flipping set, the prior sweep, the weighting profiles and confound-class drops. Pure,
like kb.aggregate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kb import pooling
from kb.aggregate import (
    MIX,
    NEG,
    POS,
    HypothesisEvidence,
    Posterior,
    Prepared,
    Row,
    Run,
    aggregate_all,
    decibans,
    direction,
    point_nets,
)
from kb.weights import Weights

PRIOR_SWEEP = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
FLIP_LIMIT = 200  # claims removed at most while looking for a flipping set


@dataclass(frozen=True)
class Contribution:
    """One row's share of the hypothesis' own net evidence (point estimate), in decibans and in
    credence points: the shift it alone would cause. `derived`: a rival's share of another
    hypothesis' link (the confound it embodies). `cluster`: the study it rests on."""

    claim: str
    cluster: str
    bearing: str
    approved: bool
    derived: bool
    channel: str
    work: str
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
class Drivers:
    """What a hypothesis' summary needs of its trace: each row's contribution, leave-one-out and the
    top driver (a portfolio row under another profile needs no more)."""

    net_decibans: float
    contributions: tuple[Contribution, ...]
    leave_one_out: tuple[Delta, ...]
    top_driver: str | None


@dataclass(frozen=True)
class Trace(Drivers):
    """A hypothesis' whole trace, as its explanation shows it: the drivers, leave-one-source-out
    and the flip set."""

    leave_one_source_out: tuple[Delta, ...]
    flip_set: tuple[str, ...] | None


def row_shares(run: Run, keep: np.ndarray | None = None) -> np.ndarray:
    """Each row's signed share of the net (point): its side's pool split down the binding tree in
    proportion to the members' values, so the shares add up to the net exactly."""
    lay = run.layout
    mags = run.magnitudes if keep is None else np.where(keep, run.magnitudes, 0.0)
    out = np.zeros(len(mags))
    for side, sign in ((POS, 1.0), (NEG, -1.0)):
        idx = lay.side_rows[side]
        if idx.size:
            out[idx] = sign * pooling.shares(mags[idx], lay.trees[side], run.rho)
    return out


def drivers(run: Run) -> Drivers:
    """Contributions, leave-one-out and top driver of one run."""
    return _drivers(run, _claims_of(run.layout.rows))


def _claims_of(rows: Sequence[Row]) -> dict[str, list[int]]:
    by_claim: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_claim.setdefault(r.link.claim, []).append(i)
    return by_claim


def _deltas(run: Run, removals: list[tuple[str, tuple[str, ...]]], rests: np.ndarray) -> tuple[Delta, ...]:
    """Each removal (its id and the claims it removes) leaves the net at its `rests` (nats)."""
    post = float(run.credence(run.net))
    moved = (run.credence(rests) - post).tolist()  # one array pass: the same values as one call per removal
    return tuple(
        Delta(id, removed, decibans(float(rest) - run.net), m) for (id, removed), rest, m in zip(removals, rests, moved, strict=True)
    )


def _drivers(run: Run, by_claim: dict[str, list[int]]) -> Drivers:
    rows, net = run.layout.rows, run.net
    base = float(run.credence(0.0))
    shares = row_shares(run)
    points = (run.credence(shares) - base).tolist()
    contributions = tuple(
        Contribution(
            r.link.claim,
            r.link.deps.study,
            "supports" if r.derived else ("mixed" if r.side == MIX else r.link.bearing.value),
            r.link.approved,
            r.derived,
            r.link.deps.channel,
            r.link.deps.work,
            decibans(float(c)),
            p,
        )
        for r, c, p in zip(rows, shares, points, strict=True)
    )
    claims = sorted(by_claim)
    loo_nets = run.net_without_each([by_claim[c] for c in claims]) if claims else np.zeros(0)
    loo = _deltas(run, [(c, (c,)) for c in claims], loo_nets)
    top = max(loo, key=lambda d: (abs(d.decibans), d.id), default=None)
    return Drivers(
        net_decibans=decibans(net),
        contributions=contributions,
        leave_one_out=loo,
        top_driver=top.id if top is not None and abs(top.decibans) > 1e-12 else None,
    )


def trace(run: Run) -> Trace:
    """Contributions, leave-one-out, leave-one-source-out, top driver and flip set of one run."""
    rows = run.layout.rows
    by_claim = _claims_of(rows)
    d = _drivers(run, by_claim)
    by_source: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        for s in r.link.sources:
            by_source.setdefault(s, []).append(i)
    sources = sorted(by_source)
    loso_nets = run.net_without_each([by_source[s] for s in sources]) if sources else np.zeros(0)
    loso = _deltas(run, [(s, tuple(sorted({rows[i].link.claim for i in by_source[s]}))) for s in sources], loso_nets)
    return Trace(
        **vars(d),
        leave_one_source_out=loso,
        flip_set=flip_set(run, by_claim),
    )


def flip_set(run: Run, by_claim: dict[str, list[int]]) -> tuple[str, ...] | None:
    """Greedy: while the net keeps its direction, remove the claim with the largest contribution
    in that direction and recompute (the pools re-form). None if that never flips it."""
    sign = direction(run.net)
    if sign == 0:
        return None
    keep = np.ones(len(run.layout.rows), dtype=bool)
    claims = sorted(by_claim)  # ties go to the first id
    claim_of = np.zeros(len(keep), dtype=np.intp)
    for k, c in enumerate(claims):
        claim_of[by_claim[c]] = k
    gone = np.zeros(len(claims), dtype=bool)
    removed: list[str] = []
    while len(removed) < FLIP_LIMIT:
        net = float(run.net_without(keep[:, None])[0])
        if direction(net) != sign:
            return tuple(removed)
        per_claim = np.bincount(claim_of, weights=row_shares(run, keep) * sign, minlength=len(claims))
        per_claim[gone] = -np.inf
        best = int(np.argmax(per_claim)) if len(claims) else -1
        if best < 0 or per_claim[best] <= 0:
            return None
        keep[by_claim[claims[best]]] = False
        gone[best] = True
        removed.append(claims[best])
    return None


@dataclass(frozen=True)
class Route:
    """Weight that came through one channel or one work: claims, net decibans, share of all."""

    id: str
    claims: int
    decibans: float
    share: float


def by_route(run: Run, tr: Drivers, kind: str) -> list[Route]:
    """The weight by `channel` or `work`, largest share first (shares of the absolute weight)."""
    weight: dict[str, float] = {}
    signed: dict[str, float] = {}
    claims: dict[str, set[str]] = {}
    for c in tr.contributions:
        key = c.channel if kind == "channel" else c.work
        weight[key] = weight.get(key, 0.0) + abs(c.decibans)
        signed[key] = signed.get(key, 0.0) + c.decibans
        claims.setdefault(key, set()).add(c.claim)
    total = sum(weight.values())
    if total <= 0:
        return []
    return sorted((Route(k, len(claims[k]), signed[k], weight[k] / total) for k in weight), key=lambda r: (-r.share, r.id))


@dataclass(frozen=True)
class Scenario:
    """The hypothesis under one variation: its own net evidence (nats; in decibans, and its
    direction) and, when the Monte Carlo was run, the headline credence and the draws' posterior."""

    name: str
    net: float
    point: float | None = None
    posterior: Posterior | None = None

    @property
    def decibans(self) -> float:
        return decibans(self.net)

    @property
    def direction(self) -> int:
        return direction(self.net)


@dataclass(frozen=True)
class Sensitivity:
    prior_sweep: tuple[tuple[float, Posterior], ...]
    profiles: tuple[Scenario, ...]
    confound_groups: tuple[Scenario, ...]
    fragile: bool
    fragile_reasons: tuple[str, ...]


def sensitivity(
    hs: Sequence[HypothesisEvidence],
    runs: dict[str, Run],
    weights: Weights,
    drops: dict[str, tuple[list[HypothesisEvidence], Prepared]],
    profile: str = "default",
    *,
    monte_carlo: bool = True,
    draws: int | None = None,
    seed: int | None = None,
    prior: float | None = None,
    prepared: Prepared | None = None,
) -> dict[str, Sensitivity]:
    """Per hypothesis: the prior sweep (from its run's draws), every weighting profile and every
    confound class dropped in turn (each a whole-portfolio run with weights.scenario_draws draws,
    or just the point without `monte_carlo`). Fragile: the direction of the hypothesis' own net
    evidence differs from the run's under some profile or confound-class drop. `prepared`:
    `prepare(hs)`, shared by the profiles' runs; `drops`: per confound class, the hypotheses
    without it and their preparation."""
    n = min(draws or weights.draws, weights.scenario_draws)

    def scenario(name: str, variant: Sequence[HypothesisEvidence], prep: Prepared | None, prof: str) -> dict[str, Scenario]:
        if not monte_carlo:
            return {hid: Scenario(name, v) for hid, v in point_nets(variant, weights, prof, prepared=prep).items()}
        out = aggregate_all(variant, weights, prof, draws=n, seed=seed, prior=prior, prepared=prep)
        return {r.evidence.id: Scenario(name, r.net, r.point, r.posterior) for r in out}

    profiles = {name: scenario(name, hs, prepared, name) for name in weights.profiles}
    dropped = {g: scenario(g, *drops[g], profile) for g in sorted(drops)}
    result: dict[str, Sensitivity] = {}
    for h in hs:
        run = runs[h.id]
        base = direction(run.net)
        ps = tuple(profiles[name][h.id] for name in weights.profiles)
        ds = tuple(dropped[g][h.id] for g in sorted(dropped))
        reasons = [f"under the {s.name} profile the evidence points {_word(s.direction)}" for s in ps if s.direction != base]
        reasons += [f"without {s.name} confounds the evidence points {_word(s.direction)}" for s in ds if s.direction != base]
        result[h.id] = Sensitivity(tuple(run.at_prior(p) for p in PRIOR_SWEEP), ps, ds, bool(reasons), tuple(reasons))
    return result


def _word(sign: int) -> str:
    return {1: "for the hypothesis", -1: "against the hypothesis", 0: "nowhere"}[sign]
