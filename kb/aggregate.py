"""The portfolio aggregator: typed evidence in, a credence per hypothesis out. Pure (no I/O) and
vectorised with numpy. The methodology page (site/docs/methodology.md) states every rule.

Per hypothesis the posterior log-odds are the prior log-odds plus the net log-likelihood ratio
(LLR) of its links:

- a link's magnitude is ln(LR of its strength) x kind weight x tier weight x, for each confound
  that threatens it, (1 - severity x control), all read from a weighting profile;
- links sharing a cluster (one study or work) are pooled per side (supports / undermines /
  mixed) as ``max + r x (sum - max)``: the strongest counts fully, every restatement only r;
- the net is the supporting sides minus the undermining sides; a mixed side enters each draw
  times a uniform draw in (-1, 1), widening the interval around an unmoved centre;
- the Monte Carlo draws every weight around its profile value (shared by all links in a draw,
  since a weight is one uncertain constant) and, for each link and confound with several
  judgments (curator and reviewers), one judgment per draw.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from kb.vocab import DIRECTIONLESS_KINDS, Bearing, Controlled, Kind, Severity, Strength, Tier
from kb.weights import Profile, Weights

F = npt.NDArray[np.float64]
I = npt.NDArray[np.intp]  # noqa: E741 - index arrays
LN10 = math.log(10.0)
MAX_SHRINK = 0.95  # one confound can remove at most 95% of a link: a threatened link is weakened, not deleted
STRENGTHS, KINDS, TIERS = list(Strength), list(Kind), list(Tier)
SEVERITIES, CONTROLS = list(Severity), list(Controlled)
POS, NEG, MIX = 0, 1, 2
SIGN = {Bearing.SUPPORTS: POS, Bearing.UNDERMINES: NEG, Bearing.MIXED: MIX}
INTERVAL = (0.05, 0.95)


# --- typed evidence -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    """One reading of a link: the curator's, or a reviewer's LinkJudgment."""

    bearing: Bearing
    strength: Strength


@dataclass(frozen=True)
class ConfoundEvidence:
    """A confound threatening a link; `controlled` holds the curator's status first, then each
    reviewer's judged status."""

    type: str
    group: str
    severity: Severity
    controlled: tuple[Controlled, ...]


@dataclass(frozen=True)
class LinkEvidence:
    """One claim's link to the hypothesis. `judgments`: curator first, then reviewers. `cluster`:
    the study or work it rests on (its own id when none). `sources`: the works it came through
    (origin, channel), for leave-one-source-out. `approved`: status approved."""

    claim: str
    kind: Kind
    tier: Tier
    cluster: str
    judgments: tuple[Judgment, ...]
    confounds: tuple[ConfoundEvidence, ...] = ()
    sources: tuple[str, ...] = ()
    approved: bool = True

    @property
    def bearing(self) -> Bearing:
        return self.judgments[0].bearing

    @property
    def directional(self) -> bool:
        """Whether the link can move the credence at all under some reading."""
        return self.kind not in DIRECTIONLESS_KINDS and any(j.bearing is not Bearing.NEUTRAL for j in self.judgments)


@dataclass(frozen=True)
class HypothesisEvidence:
    id: str
    prior: float
    links: tuple[LinkEvidence, ...]

    def canonical(self) -> HypothesisEvidence:
        """Directional links only, in a fixed order, so the input order never matters."""
        kept = sorted((lk for lk in self.links if lk.directional), key=lambda lk: (lk.claim, lk.cluster))
        return replace(self, links=tuple(kept))

    def without(self, claims: Iterable[str]) -> HypothesisEvidence:
        drop = set(claims)
        return replace(self, links=tuple(lk for lk in self.links if lk.claim not in drop))

    def without_group(self, group: str) -> HypothesisEvidence:
        """As if every confound of class `group` were absent."""
        return replace(
            self,
            links=tuple(replace(lk, confounds=tuple(c for c in lk.confounds if c.group != group)) for lk in self.links),
        )


# --- weight tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tables:
    """Every weight, one row per draw: ln LR by strength, kind, tier, and shrink factor
    (1 - severity x control) by (severity, control) pair."""

    llr: F
    kind: F
    tier: F
    shrink: F  # draws x (len(SEVERITIES) * len(CONTROLS))
    r: float

    @property
    def draws(self) -> int:
        return int(self.llr.shape[0])


def _strength_bounds(weights: Weights) -> tuple[F, F, F]:
    """ln LR of each level, and the geometric midpoints to its neighbours (LR 1 below weak; the
    top level mirrored above overwhelming)."""
    mode = np.log([weights.strength_lr[s] for s in STRENGTHS])
    below = np.concatenate([[0.0], mode[:-1]])
    above = np.concatenate([mode[1:], [2 * mode[-1] - mode[-2]]])
    return (below + mode) / 2, mode, (mode + above) / 2


def point_tables(weights: Weights, profile: Profile) -> Tables:
    """The profile's values themselves: one 'draw' for point estimates."""
    _, mode, _ = _strength_bounds(weights)
    sev = np.array([profile.severity[s] for s in SEVERITIES])
    ctl = np.array([profile.control[c] for c in CONTROLS])
    return Tables(
        llr=mode[None, :],
        kind=np.array([[profile.kind[k] for k in KINDS]]),
        tier=np.array([[profile.tier[t] for t in TIERS]]),
        shrink=(1 - np.minimum(np.outer(sev, ctl), MAX_SHRINK)).reshape(1, -1),
        r=profile.restatement_discount,
    )


def draw_tables(weights: Weights, profile: Profile, draws: int, seed: int) -> Tables:
    """`draws` samples of every weight. Strength: triangular in ln LR between the midpoints to the
    neighbouring levels (levels never overlap). Kind and tier weights: log-normal around the
    profile value, independently. Severity and control: one log-normal factor per table and draw,
    so their order (controlled < partial < uncontrolled) holds in every draw."""
    rng = np.random.default_rng([seed, 0])
    lo, mode, hi = _strength_bounds(weights)
    s = profile.weight_spread
    base = point_tables(weights, profile)
    llr = rng.triangular(lo, mode, hi, size=(draws, len(STRENGTHS)))
    kind = base.kind * np.exp(rng.normal(0, s, (draws, len(KINDS))))
    tier = base.tier * np.exp(rng.normal(0, s, (draws, len(TIERS))))
    sev = np.array([profile.severity[x] for x in SEVERITIES])[None, :] * np.exp(rng.normal(0, s, (draws, 1)))
    ctl = np.minimum(np.array([profile.control[c] for c in CONTROLS])[None, :] * np.exp(rng.normal(0, s, (draws, 1))), 1)
    shrink = 1 - np.minimum(sev[:, :, None] * ctl[:, None, :], MAX_SHRINK)
    return Tables(llr=llr, kind=kind, tier=tier, shrink=shrink.reshape(draws, -1), r=profile.restatement_discount)


def _pair(sev: Severity, ctl: Controlled) -> int:
    return SEVERITIES.index(sev) * len(CONTROLS) + CONTROLS.index(ctl)


# --- point estimate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PointLinks:
    """Per link at the profile's values: magnitude (>= 0, ln units), side, cluster index. A link
    with several judgments takes their average signed value (so disagreement cancels)."""

    magnitude: F
    side: I
    cluster: I
    n_clusters: int


def point_links(h: HypothesisEvidence, t: Tables) -> PointLinks:
    links = h.links
    mags = np.zeros(len(links))
    sides = np.zeros(len(links), dtype=np.intp)
    clusters = {c: i for i, c in enumerate(sorted({lk.cluster for lk in links}))}
    for i, lk in enumerate(links):
        base = t.kind[0, KINDS.index(lk.kind)] * t.tier[0, TIERS.index(lk.tier)]
        for c in lk.confounds:
            base *= float(np.mean([t.shrink[0, _pair(c.severity, x)] for x in c.controlled]))
        signed = [
            (+1 if j.bearing is Bearing.SUPPORTS else -1) * t.llr[0, STRENGTHS.index(j.strength)]
            for j in lk.judgments
            if j.bearing in (Bearing.SUPPORTS, Bearing.UNDERMINES)
        ]
        if all(j.bearing is Bearing.MIXED for j in lk.judgments):
            mags[i], sides[i] = base * float(np.mean([t.llr[0, STRENGTHS.index(j.strength)] for j in lk.judgments])), MIX
            continue
        value = base * sum(signed) / len(lk.judgments)
        mags[i], sides[i] = abs(value), (POS if value >= 0 else NEG)
    return PointLinks(mags, sides, np.array([clusters[lk.cluster] for lk in links], dtype=np.intp), len(clusters))


def _segments(p: PointLinks, mask: npt.NDArray[np.bool_], r: float) -> tuple[F, F]:
    """Per (cluster, side) segment: pooled value (max + r x rest) and plain sum."""
    seg = p.cluster * 3 + p.side
    n = p.n_clusters * 3
    m = np.where(mask, p.magnitude, 0.0)
    total = np.bincount(seg, weights=m, minlength=n)
    top: F = np.zeros(n)
    np.maximum.at(top, seg, m)
    pooled: F = (1 - r) * top + r * total
    return pooled, total.astype(np.float64)


def point_net(p: PointLinks, r: float, mask: npt.NDArray[np.bool_] | None = None) -> float:
    """Net LLR (natural log) of the links in `mask` (all by default); mixed sides add nothing."""
    mask = np.ones(len(p.magnitude), dtype=bool) if mask is None else mask
    pooled, _ = _segments(p, mask, r)
    return float(pooled[0::3].sum() - pooled[1::3].sum())


def point_contributions(p: PointLinks, r: float) -> F:
    """Each link's signed share of the net LLR: its segment's pooled value split in proportion to
    the members' magnitudes, so the shares add up to the net exactly."""
    pooled, total = _segments(p, np.ones(len(p.magnitude), dtype=bool), r)
    seg = p.cluster * 3 + p.side
    share = np.divide(p.magnitude, total[seg], out=np.zeros_like(p.magnitude), where=total[seg] > 0)
    sign = np.select([p.side == POS, p.side == NEG], [1.0, -1.0], 0.0)
    out: F = sign * share * pooled[seg]
    return out


# --- Monte Carlo --------------------------------------------------------------------------------


def _key(*parts: str) -> int:
    return zlib.crc32("\x00".join(parts).encode())


def _special(lk: LinkEvidence) -> bool:
    return len(set(lk.judgments)) > 1 or any(len(set(c.controlled)) > 1 for c in lk.confounds)


def _special_rows(lk: LinkEvidence, hid: str, t: Tables, seed: int) -> npt.NDArray[np.float32]:
    """3 x draws: the link's magnitude on the supporting, undermining and mixed side, one
    judgment sampled per draw (its own random stream, so other links never shift it)."""
    rng = np.random.default_rng([seed, _key(lk.claim, hid)])
    d = np.arange(t.draws)
    pick = rng.integers(0, len(lk.judgments), t.draws)
    strength = np.array([STRENGTHS.index(j.strength) for j in lk.judgments])[pick]
    side = np.array([SIGN.get(j.bearing, -1) for j in lk.judgments])[pick]
    mag = t.llr[d, strength] * t.kind[:, KINDS.index(lk.kind)] * t.tier[:, TIERS.index(lk.tier)]
    for c in lk.confounds:
        pairs = np.array([_pair(c.severity, x) for x in c.controlled])
        mag = mag * t.shrink[d, pairs[rng.integers(0, len(pairs), t.draws)]]
    return np.stack([np.where(side == s, mag, 0.0) for s in (POS, NEG, MIX)]).astype(np.float32)


def net_draws(h: HypothesisEvidence, t: Tables, seed: int) -> F:
    """The net LLR (natural log) in each draw. Rows are links sorted by (cluster, side); each row's
    log magnitude is a sum of table entries, so all rows come from one matrix product, then one
    exp, then segment max and sum with reduceat."""
    h = h.canonical()
    rows: list[tuple[str, int, LinkEvidence | None, list[int]]] = []  # cluster, side, special link, table columns
    n_llr, n_kind, n_tier = len(STRENGTHS), len(KINDS), len(TIERS)
    for lk in h.links:
        if _special(lk):
            rows.extend((lk.cluster, s, lk, []) for s in (POS, NEG, MIX))
            continue
        j = lk.judgments[0]
        cols = [STRENGTHS.index(j.strength), n_llr + KINDS.index(lk.kind), n_llr + n_kind + TIERS.index(lk.tier)]
        cols += [n_llr + n_kind + n_tier + _pair(c.severity, c.controlled[0]) for c in lk.confounds]
        rows.append((lk.cluster, SIGN[j.bearing], None, cols))
    if not rows:
        return np.zeros(t.draws)
    rows.sort(key=lambda row: (row[0], row[1]))
    with np.errstate(divide="ignore"):
        logs = np.log(np.hstack([t.llr, t.kind, t.tier, t.shrink])).astype(np.float32)
    logs = np.maximum(logs, np.float32(-80.0))  # weight 0 -> exp(-80): nothing, without -inf * 0
    a = np.zeros((len(rows), logs.shape[1]), dtype=np.float32)
    at_row = np.repeat(np.arange(len(rows)), [len(cols) for *_, cols in rows])
    np.add.at(a, (at_row, np.array([c for *_, cols in rows for c in cols], dtype=np.intp)), 1.0)
    mags = np.exp(a @ logs.T)  # rows x draws
    special: dict[str, npt.NDArray[np.float32]] = {}
    for i, (_, side, sp, _) in enumerate(rows):
        if sp is not None:
            if sp.claim not in special:
                special[sp.claim] = _special_rows(sp, h.id, t, seed)
            mags[i] = special[sp.claim][side]
    keys = [(c, s) for c, s, _, _ in rows]
    starts = np.array([i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]], dtype=np.intp)
    pooled = (1 - t.r) * np.maximum.reduceat(mags, starts, axis=0) + t.r * np.add.reduceat(mags, starts, axis=0)
    seg_keys = [keys[s] for s in starts]
    sign = np.array([1.0 if s == POS else -1.0 if s == NEG else 0.0 for _, s in seg_keys], dtype=np.float32)
    net = (sign @ pooled).astype(np.float64)
    for k, (cluster, s) in enumerate(seg_keys):
        if s == MIX:
            u = np.random.default_rng([seed, _key(cluster, h.id), 1]).uniform(-1, 1, t.draws)
            net += u * pooled[k]
    return net


# --- results ------------------------------------------------------------------------------------


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def expit(x: F | float) -> F:
    return np.asarray(0.5 * (1 + np.tanh(np.asarray(x, dtype=np.float64) / 2)))


def decibans(llr: float) -> float:
    return 10 * llr / LN10


@dataclass(frozen=True)
class Posterior:
    """Posterior credence for one prior: median and 90% interval of the draws."""

    prior: float
    median: float
    low: float
    high: float

    @classmethod
    def from_draws(cls, prior: float, net: F) -> Posterior:
        # quantiles pass through the monotone map from log-odds to probability
        lo, mid, hi = np.quantile(net, [INTERVAL[0], 0.5, INTERVAL[1]])
        post = expit(logit(prior) + np.array([mid, lo, hi]))
        return cls(prior, float(post[0]), float(post[1]), float(post[2]))


def direction(net: float, tol: float = 1e-9) -> int:
    """+1 net support, -1 net undermining, 0 none."""
    return 0 if abs(net) <= tol else (1 if net > 0 else -1)


@dataclass(frozen=True)
class Run:
    """One hypothesis aggregated under one profile: the Monte Carlo net LLR draws and the point
    estimate at the profile's values."""

    evidence: HypothesisEvidence
    net: F
    point: PointLinks
    r: float
    prior: float

    @property
    def posterior(self) -> Posterior:
        return Posterior.from_draws(self.prior, self.net)

    @property
    def point_net(self) -> float:
        return point_net(self.point, self.r)

    def at_prior(self, prior: float) -> Posterior:
        return Posterior.from_draws(prior, self.net)


def aggregate(
    h: HypothesisEvidence,
    weights: Weights,
    profile: str = "default",
    *,
    draws: int | None = None,
    seed: int | None = None,
    prior: float | None = None,
    tables: Tables | None = None,
) -> Run:
    """Aggregate one hypothesis. `tables` lets a caller share one set of weight draws across
    hypotheses (they must come from the same profile, draws and seed)."""
    prof = weights.profile(profile)
    seed = weights.seed if seed is None else seed
    t = tables or draw_tables(weights, prof, draws or weights.draws, seed)
    canon = h.canonical()
    return Run(
        canon, net_draws(canon, t, seed), point_links(canon, point_tables(weights, prof)), prof.restatement_discount, prior or h.prior
    )


def aggregate_all(
    hs: Sequence[HypothesisEvidence],
    weights: Weights,
    profile: str = "default",
    *,
    draws: int | None = None,
    seed: int | None = None,
    prior: float | None = None,
) -> list[Run]:
    """Aggregate every hypothesis with one shared set of weight draws."""
    seed = weights.seed if seed is None else seed
    t = draw_tables(weights, weights.profile(profile), draws or weights.draws, seed)
    return [aggregate(h, weights, profile, seed=seed, prior=prior, tables=t) for h in hs]


@dataclass(frozen=True)
class Counts:
    supports: int = 0
    undermines: int = 0
    mixed: int = 0
    neutral: int = 0
    by_claim: dict[str, Bearing] = field(default_factory=dict)


def counts(h: HypothesisEvidence) -> Counts:
    """Links by the curator's bearing (directionless kinds count as neutral)."""
    n = dict.fromkeys(Bearing, 0)
    for lk in h.links:
        n[lk.bearing if lk.kind not in DIRECTIONLESS_KINDS else Bearing.NEUTRAL] += 1
    return Counts(n[Bearing.SUPPORTS], n[Bearing.UNDERMINES], n[Bearing.MIXED], n[Bearing.NEUTRAL])
