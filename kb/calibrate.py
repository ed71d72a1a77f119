"""Calibration of the aggregator, measured on simulated worlds. Pure (numpy), seeded.

The generative model is the aggregator's own assumptions, stated:

1. The constants (strength ranges, kind/tier/severity/control weights, dependence correlations)
   are one draw from the distributions the Monte Carlo samples: one column of `draw_tables`.
2. Each hypothesis' prior log-odds are its stated prior's plus the prior's own noise (normal with
   sd `prior_spread`, clipped to its 90% range); its truth is drawn from that prior.
3. Its evidence is a few independent studies ("units"), each of one kind, with one or more claims
   that share the study (some restating one result). Each claim's recorded strength may be a
   misreading of its true strength (one level off, at the rate of its read class).
4. Given the truth, the direction of every unit is drawn so that the likelihood ratio of the whole
   pattern of directions is exactly exp(N), N being the aggregator's pooled net evidence computed
   with the true constants and true strengths: P(pattern | H) ∝ exp(N/2), P(pattern | not H) ∝
   exp(-N/2) (all patterns enumerated; by symmetry both have the same normaliser).

The aggregator then sees only the recorded claims. Reported per scenario: coverage of its 90%
interval (how often the oracle credence, computed with the true constants, true strengths and true
prior, falls inside), a reliability table of the headline credence against the truth, expected
calibration error (ECE) and Brier score. Two misspecified scenarios break the assumptions on purpose:
correlations twice what the aggregator assumes, and anecdotes that, in half the worlds, all say
"supports" whatever the truth (a shared bias).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kb.aggregate import (
    POS,
    Dependence,
    HypothesisEvidence,
    Judgment,
    LinkEvidence,
    Tables,
    aggregate_all,
    build_rows,
    draw_tables,
    expit,
    layout,
    logit,
    row_magnitudes,
    side_pools,
)
from kb.vocab import Bearing, Kind, Strength, Tier
from kb.weights import Weights

KINDS = (Kind.EMPIRICAL, Kind.EMPIRICAL, Kind.EMPIRICAL, Kind.ARGUMENT, Kind.TESTIMONY, Kind.ANECDOTE)
PRIORS = (0.1, 0.2, 0.3, 0.5, 0.7)
MAX_UNITS = 6
BINS = 10


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    rho_factor: float = 1.0
    anecdote_bias: float = 0.0


SCENARIOS = (
    Scenario("assumed", "the generative model is exactly what the aggregator assumes"),
    Scenario("correlation-doubled", "true correlations between dependent claims are twice what the aggregator assumes", rho_factor=2.0),
    Scenario("anecdote-bias", "in half the worlds every anecdote says 'supports' whatever the truth (a shared bias)", anecdote_bias=0.5),
)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    predicted: float
    observed: float


@dataclass(frozen=True)
class Report:
    scenario: str
    description: str
    n: int
    coverage_90: float
    ece: float
    brier: float
    reliability: tuple[Bin, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "description": self.description,
            "n": self.n,
            "coverage_90": round(self.coverage_90, 4),
            "ece": round(self.ece, 4),
            "brier": round(self.brier, 4),
            "reliability": [{k: round(v, 4) if isinstance(v, float) else v for k, v in b.__dict__.items()} for b in self.reliability],
        }


@dataclass(frozen=True)
class _World:
    hypothesis: HypothesisEvidence  # what the aggregator sees
    truth: bool
    oracle: float


def _column(t: Tables, w: int, rho_factor: float) -> Tables:
    """The true constants of world w (one draw), correlations scaled for misspecification."""
    rho = np.minimum(t.rho[:, [w]] * rho_factor, 0.99)
    return Tables(t.llr[:, [w]], t.kind[:, [w]], t.tier[:, [w]], t.shrink[:, [w]], t.share[:, [w]], rho, None)


def _shift(s: Strength, step: int) -> Strength | None:
    levels = list(Strength)
    i = levels.index(s) + step
    return None if i < 0 else levels[min(i, len(levels) - 1)]


def _units(rng: np.random.Generator, hid: str, weights: Weights) -> list[list[tuple[LinkEvidence, Strength | None]]]:
    """Independent studies, each a list of (recorded link, true strength or None for no evidence)."""
    rates = (weights.reading_error.reviewed, weights.reading_error.unreviewed, weights.reading_error.unreviewed_machine)
    units = []
    for u in range(int(rng.integers(1, MAX_UNITS + 1))):
        kind = KINDS[int(rng.integers(len(KINDS)))]
        study = f"{hid}-u{u}"
        items = []
        for i in range(1 + int(rng.poisson(0.6))):
            recorded = list(Strength)[int(rng.integers(0, 3))]
            read = int(rng.integers(0, 3))
            x = rng.random()
            true = _shift(recorded, -1) if x < rates[read] / 2 else _shift(recorded, 1) if x < rates[read] else recorded
            result = f"{study}-r{0 if rng.random() < 0.5 else i}"
            deps = Dependence(result, study, study, study, f"{study}-ch")
            lk = LinkEvidence(
                f"{study}-c{i}",
                kind,
                list(Tier)[int(rng.integers(len(Tier)))],
                (Judgment(Bearing.SUPPORTS, recorded),),
                dependence=deps,
                approved=read == 0,
                machine=read == 2,
                key=f"{study}-c{i}",
            )
            items.append((lk, true))
        units.append(items)
    return units


def _pattern_nets(units: list[list[tuple[LinkEvidence, Strength | None]]], true_t: Tables) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Every pattern of unit directions (+1/-1) and its net evidence under the true constants and
    true strengths."""
    links, unit_of = [], []
    for u, items in enumerate(units):
        for lk, true in items:
            if true is not None:
                links.append(replace(lk, judgments=(Judgment(Bearing.SUPPORTS, true),)))
                unit_of.append(u)
    patterns = list(itertools.product((1, -1), repeat=len(units)))
    if not links:
        return patterns, np.zeros(len(patterns))
    h = HypothesisEvidence("truth", 0.5, tuple(links))
    lay = layout(build_rows([h])["truth"])
    mags = row_magnitudes(lay, true_t, None)[:, 0].astype(np.float64)
    unit_of_row = np.array([unit_of[links.index(r.link)] for r in lay.rows])
    signs = np.array(patterns).T  # units x patterns
    row_sign = signs[unit_of_row]  # rows x patterns
    pos = side_pools(lay, mags[:, None] * (row_sign > 0), true_t.rho)[POS]
    neg = side_pools(lay, mags[:, None] * (row_sign < 0), true_t.rho)[POS]
    return patterns, pos - neg


def _world(rng: np.random.Generator, w: int, k: int, t: Tables, weights: Weights, scenario: Scenario) -> _World:
    hid = f"w{w}-h{k}"
    prior = PRIORS[int(rng.integers(len(PRIORS)))]
    sd = weights.prior_spread
    prior_logit = logit(prior) + float(np.clip(sd * rng.standard_normal(), -1.6449 * sd, 1.6449 * sd))
    truth = bool(rng.random() < expit(prior_logit))
    units = _units(rng, hid, weights)
    true_t = _column(t, w, scenario.rho_factor)
    patterns, nets = _pattern_nets(units, true_t)
    # P(pattern | truth) ∝ exp(±N/2): the likelihood ratio of every pattern is exactly exp(N)
    weight = np.exp((0.5 if truth else -0.5) * (nets - nets.max() if truth else nets - nets.min()))
    choice = int(rng.choice(len(patterns), p=weight / weight.sum()))
    pattern = list(patterns[choice])
    oracle_net = float(nets[choice])
    if scenario.anecdote_bias and rng.random() < scenario.anecdote_bias:
        biased = [u for u, items in enumerate(units) if items[0][0].kind is Kind.ANECDOTE]
        for u in biased:
            pattern[u] = 1
        if biased:  # the oracle knows the anecdotes carry no information in this world
            informative = [items for u, items in enumerate(units) if u not in biased]
            ps, ns = _pattern_nets(informative, true_t)
            oracle_net = float(ns[ps.index(tuple(p for u, p in enumerate(pattern) if u not in biased))]) if informative else 0.0
    seen = []
    for u, items in enumerate(units):
        bearing = Bearing.SUPPORTS if pattern[u] > 0 else Bearing.UNDERMINES
        seen += [replace(lk, judgments=(Judgment(bearing, lk.judgments[0].strength),)) for lk, _ in items]
    return _World(HypothesisEvidence(hid, prior, tuple(seen)), truth, float(expit(prior_logit + oracle_net)))


def simulate(weights: Weights, scenario: Scenario, *, worlds: int = 500, per_world: int = 4, draws: int = 500, seed: int = 1) -> Report:
    """Run the aggregator on `worlds` simulated worlds of `per_world` hypotheses each."""
    rng = np.random.default_rng([seed, 7])
    t = draw_tables(weights, weights.profile("default"), worlds, seed + 1)
    sims = [_world(rng, w, k, t, weights, scenario) for w in range(worlds) for k in range(per_world)]
    runs = aggregate_all([s.hypothesis for s in sims], weights, draws=draws, seed=seed + 2)
    point = np.array([r.point for r in runs])
    truth = np.array([s.truth for s in sims], dtype=float)
    posts = [r.posterior for r in runs]
    covered = np.mean([p.low <= s.oracle <= p.high for p, s in zip(posts, sims, strict=True)])
    edges = np.linspace(0, 1, BINS + 1)
    which = np.minimum(np.digitize(point, edges[1:-1]), BINS - 1)
    bins = []
    ece = 0.0
    for b in range(BINS):
        mask = which == b
        n = int(mask.sum())
        if n:
            pred, obs = float(point[mask].mean()), float(truth[mask].mean())
            ece += n / len(point) * abs(pred - obs)
            bins.append(Bin(float(edges[b]), float(edges[b + 1]), n, pred, obs))
    brier = float(np.mean((point - truth) ** 2))
    return Report(scenario.name, scenario.description, len(point), float(covered), ece, brier, tuple(bins))


def calibrate(weights: Weights, *, worlds: int = 500, per_world: int = 4, draws: int = 500, seed: int = 1) -> list[Report]:
    """Every scenario, each on its own simulated worlds."""
    return [simulate(weights, s, worlds=worlds, per_world=per_world, draws=draws, seed=seed) for s in SCENARIOS]


__all__ = ["SCENARIOS", "Report", "Scenario", "calibrate", "simulate"]
