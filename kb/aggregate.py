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
from dataclasses import dataclass, replace
from functools import cached_property

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
S_IDX, K_IDX, T_IDX = ({v: i for i, v in enumerate(vs)} for vs in (STRENGTHS, KINDS, TIERS))
SV_IDX, C_IDX = ({v: i for i, v in enumerate(vs)} for vs in (SEVERITIES, CONTROLS))
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

    @cached_property
    def special(self) -> bool:
        """Whether readings differ (curator vs reviewers), so each draw samples one."""
        first = self.judgments[0]
        if any(j != first for j in self.judgments[1:]):
            return True
        return any(x is not c.controlled[0] for c in self.confounds for x in c.controlled[1:])

    @cached_property
    def cols(self) -> list[int]:
        """Columns of the stacked log tables (ln LR, kind, tier, shrink) whose sum is the log
        magnitude of the link read by its first judgment (the site asks for the same links'
        columns under every profile and scenario)."""
        n_llr, n_kind, n_tier = len(STRENGTHS), len(KINDS), len(TIERS)
        cols = [S_IDX[self.judgments[0].strength], n_llr + K_IDX[self.kind], n_llr + n_kind + T_IDX[self.tier]]
        return cols + [n_llr + n_kind + n_tier + _pair(c.severity, c.controlled[0]) for c in self.confounds]

    @cached_property
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
        if self.__dict__.get("_canonical"):
            return self
        kept = sorted((lk for lk in self.links if lk.directional), key=lambda lk: (lk.claim, lk.cluster))
        return _canonical(replace(self, links=tuple(kept)))

    def without(self, claims: Iterable[str]) -> HypothesisEvidence:
        drop = set(claims)
        return replace(self, links=tuple(lk for lk in self.links if lk.claim not in drop))

    def without_group(self, group: str) -> HypothesisEvidence:
        """As if every confound of class `group` were absent (still canonical if this was: the
        links keep their order, and confounds never decide whether a link is directional)."""
        out = replace(
            self,
            links=tuple(
                replace(lk, confounds=tuple(c for c in lk.confounds if c.group != group))
                if any(c.group == group for c in lk.confounds)
                else lk
                for lk in self.links
            ),
        )
        return _canonical(out) if self.__dict__.get("_canonical") else out


def _canonical(h: HypothesisEvidence) -> HypothesisEvidence:
    h.__dict__["_canonical"] = True  # a cache flag on a frozen dataclass, like functools.cached_property
    return h


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

    @cached_property
    def logs(self) -> npt.NDArray[np.float32]:
        """All tables side by side, in log space (float32), for the matrix product."""
        return _log_tables(self)


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


_TABLES: dict[tuple[int, int, int, int], tuple[Weights, Tables]] = {}


def draw_tables(weights: Weights, profile: Profile, draws: int, seed: int) -> Tables:
    """`draws` samples of every weight (see `_draw_tables`). Every hypothesis and scenario under
    the same weights, profile, draws and seed shares one set, so the last few are kept (the weights
    are kept with them, so their ids cannot be reused). Callers only read them."""
    key = (id(weights), id(profile), draws, seed)
    if key not in _TABLES:
        if len(_TABLES) >= 8:
            del _TABLES[next(iter(_TABLES))]
        t = _draw_tables(weights, profile, draws, seed)
        for table in (t.llr, t.kind, t.tier, t.shrink):
            table.flags.writeable = False
        _TABLES[key] = (weights, t)
    return _TABLES[key][1]


def _draw_tables(weights: Weights, profile: Profile, draws: int, seed: int) -> Tables:
    """Strength: triangular in ln LR between the midpoints to the neighbouring levels (levels never
    overlap). Kind and tier weights: log-normal around the profile value, independently. Severity
    and control: one log-normal factor per table and draw, so their order (controlled < partial <
    uncontrolled) holds in every draw."""
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
    return SV_IDX[sev] * len(CONTROLS) + C_IDX[ctl]


# --- point estimate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PointLinks:
    """Per link at the profile's values: magnitude (>= 0, ln units), side, cluster index. A link
    with several judgments takes their average signed value (so disagreement cancels)."""

    magnitude: F
    side: I
    cluster: I
    n_clusters: int


def _incidence(cols: list[list[int]]) -> npt.NDArray[np.float32]:
    a = np.zeros((len(cols), len(STRENGTHS) + len(KINDS) + len(TIERS) + len(SEVERITIES) * len(CONTROLS)), dtype=np.float32)
    at_row = np.repeat(np.arange(len(cols)), [len(c) for c in cols])
    np.add.at(a, (at_row, np.array([c for row in cols for c in row], dtype=np.intp)), 1.0)
    return a


def _log_tables(t: Tables) -> npt.NDArray[np.float32]:
    with np.errstate(divide="ignore"):
        logs = np.log(np.hstack([t.llr, t.kind, t.tier, t.shrink])).astype(np.float32)
    return np.maximum(logs, np.float32(-80.0))  # weight 0 -> exp(-80): nothing, without -inf * 0


def _expected(lk: LinkEvidence, t: Tables) -> tuple[float, int]:
    """Point magnitude and side of a link with several judgments: the average signed value over
    its judgments (disagreement cancels), each confound at its average shrink."""
    base = float(t.kind[0, K_IDX[lk.kind]] * t.tier[0, T_IDX[lk.tier]])
    for c in lk.confounds:
        base *= sum(float(t.shrink[0, _pair(c.severity, x)]) for x in c.controlled) / len(c.controlled)
    llr = [float(t.llr[0, S_IDX[j.strength]]) for j in lk.judgments]
    if all(j.bearing is Bearing.MIXED for j in lk.judgments):
        return base * sum(llr) / len(llr), MIX
    signed = sum(
        v * (1 if j.bearing is Bearing.SUPPORTS else -1)
        for v, j in zip(llr, lk.judgments, strict=True)
        if j.bearing in (Bearing.SUPPORTS, Bearing.UNDERMINES)
    )
    value = base * signed / len(lk.judgments)
    return abs(value), (POS if value >= 0 else NEG)


def point_links(h: HypothesisEvidence, t: Tables) -> PointLinks:
    links = h.links
    mags = np.exp(_incidence([lk.cols for lk in links]).astype(np.float64) @ _log_tables(t)[0].astype(np.float64))
    sides = np.array([SIGN.get(lk.judgments[0].bearing, MIX) for lk in links], dtype=np.intp)
    for i, lk in enumerate(links):
        if lk.special:
            mags[i], sides[i] = _expected(lk, t)
    names = {c: i for i, c in enumerate(sorted({lk.cluster for lk in links}))}
    return PointLinks(mags, sides, np.array([names[lk.cluster] for lk in links], dtype=np.intp), len(names))


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


def point_net_without_each(p: PointLinks, r: float) -> F:
    """The net LLR with each link left out in turn, in one pass: removing a link changes only its
    own segment, whose sum loses the link and whose maximum falls to the runner-up when the link
    was the maximum (a tie leaves it where it was)."""
    n = len(p.magnitude)
    if n == 0:
        return np.zeros(0)
    seg = p.cluster * 3 + p.side
    pooled, total = _segments(p, np.ones(n, dtype=bool), r)
    order = np.lexsort((-p.magnitude, seg))  # by segment, largest first
    first = np.ones(n, dtype=bool)
    first[1:] = seg[order][1:] != seg[order][:-1]
    top1: F = np.zeros(len(pooled))
    top2: F = np.zeros(len(pooled))
    top1[seg[order][first]] = p.magnitude[order][first]
    second = np.zeros(n, dtype=bool)
    second[1:] = first[:-1] & ~first[1:]
    top2[seg[order][second]] = p.magnitude[order][second]
    top = np.where(p.magnitude >= top1[seg], top2[seg], top1[seg])
    changed = (1 - r) * top + r * (total[seg] - p.magnitude) - pooled[seg]
    sign = np.select([p.side == POS, p.side == NEG], [1.0, -1.0], 0.0)
    net = float(pooled[0::3].sum() - pooled[1::3].sum())
    out: F = net + sign * changed
    return out


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


def _special_rows(lk: LinkEvidence, hid: str, t: Tables, seed: int) -> tuple[F, I]:
    """Per draw, the link's magnitude and side under one sampled judgment (and one sampled control
    status per confound), from its own random stream so other links never shift it."""
    rng = np.random.default_rng([seed, _key(lk.claim, hid)])
    offset = np.arange(t.draws)
    pick = rng.integers(0, len(lk.judgments), t.draws)
    strength = np.array([S_IDX[j.strength] for j in lk.judgments])[pick]
    side = np.array([SIGN.get(j.bearing, -1) for j in lk.judgments], dtype=np.intp)[pick]
    mag = t.llr.ravel()[offset * t.llr.shape[1] + strength] * t.kind[:, K_IDX[lk.kind]] * t.tier[:, T_IDX[lk.tier]]
    width = t.shrink.shape[1]
    for c in lk.confounds:
        pairs = np.array([_pair(c.severity, x) for x in c.controlled])
        chosen = pairs[rng.integers(0, len(pairs), t.draws)] if len(pairs) > 1 else pairs[0]
        mag = mag * t.shrink.ravel()[offset * width + chosen]
    return mag, side


@dataclass(frozen=True)
class Layout:
    """Links of one hypothesis as rows sorted by (side, cluster), so each (cluster, side) segment
    is a run of rows and the mixed segments come last; a link whose judgments differ
    gets one row per side (zero in the draws where it is on another side). `cols` marks the table
    entries whose product is the row's magnitude (empty for such 'special' links)."""

    keys: list[tuple[str, int]]
    special: list[LinkEvidence | None]
    a: npt.NDArray[np.float32]


def layout(h: HypothesisEvidence) -> Layout:
    rows: list[tuple[str, int, LinkEvidence | None, list[int]]] = []
    for lk in h.links:
        if lk.special:
            rows.extend((lk.cluster, s, lk, []) for s in (POS, NEG, MIX))
        else:
            rows.append((lk.cluster, SIGN[lk.judgments[0].bearing], None, lk.cols))
    rows.sort(key=lambda row: (row[1], row[0]))
    return Layout([(c, s) for c, s, _, _ in rows], [sp for _, _, sp, _ in rows], _incidence([cols for *_, cols in rows]))


def net_draws(h: HypothesisEvidence, t: Tables, seed: int) -> F:
    """The net LLR (natural log) in each draw; see `_net_draws`."""
    return _net_draws(h.canonical(), t, seed)


BLOCK = 1024  # draws per block in _net_draws: rows x BLOCK float32 stays small (20 MB at 5,000 rows)


def scratch(rows: int, draws: int) -> npt.NDArray[np.float32]:
    """Scratch space for `_net_draws` (reuse it across hypotheses: it spares the page faults of a
    fresh array per call)."""
    return np.empty(rows * min(draws, BLOCK), dtype=np.float32)


def _net_draws(h: HypothesisEvidence, t: Tables, seed: int, buffer: npt.NDArray[np.float32] | None = None) -> F:
    """The net LLR (natural log) in each draw, without Python loops over draws.

    Each row's log magnitude is a sum of log table entries: one matrix product and one exp give
    rows x draws. Since a side's pooled value is (1 - r) max + r sum, the net is one matrix-vector
    product (every row's r share, plus the full value of single-member segments) plus (1 - r) x
    the maxima of the multi-member segments, taken member position by member position. Mixed
    segments (the last rows) get a uniform (-1, 1) factor per draw from the hypothesis' own
    stream. Draws are taken BLOCK at a time, so memory stays at rows x BLOCK however many draws
    are asked for (each draw is computed on its own, so the blocks change nothing)."""
    lay = layout(h)
    if not lay.keys:
        return np.zeros(t.draws)
    n, keys, r = len(lay.keys), lay.keys, t.r
    starts = np.array([i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]], dtype=np.intp)
    sizes = np.diff(np.append(starts, len(keys)))
    seg_side = np.array([keys[i][1] for i in starts])
    seg_sign = np.select([seg_side == POS, seg_side == NEG], [1.0, -1.0], 0.0)
    row_seg = np.repeat(np.arange(len(starts)), sizes)
    w = (seg_sign * (r + (1 - r) * (sizes == 1)))[row_seg].astype(np.float32)
    multi = np.flatnonzero((sizes > 1) & (seg_side != MIX))
    multi_sign = seg_sign[multi].astype(np.float32)
    mixed = np.flatnonzero(seg_side == MIX)
    u = _uniforms(seed, h.id, mixed.size, t.draws) if mixed.size else None
    special: dict[str, tuple[F, I]] = {}
    for sp in lay.special:
        if sp is not None and sp.claim not in special:
            special[sp.claim] = _special_rows(sp, h.id, t, seed)
    if buffer is None or buffer.size < n * min(t.draws, BLOCK):
        buffer = scratch(n, t.draws)
    net: F = np.empty(t.draws)
    for d0 in range(0, t.draws, BLOCK):
        d1 = min(d0 + BLOCK, t.draws)
        mags = np.matmul(lay.a, t.logs[d0:d1].T, out=buffer[: n * (d1 - d0)].reshape(n, d1 - d0))
        np.exp(mags, out=mags)
        for i, sp in enumerate(lay.special):
            if sp is not None:
                mag, side = special[sp.claim]
                mags[i] = np.where(side[d0:d1] == keys[i][1], mag[d0:d1], 0.0)
        block = (w @ mags).astype(np.float64)
        if multi.size:
            block += (1 - r) * (multi_sign @ _segment_max(mags, starts[multi], sizes[multi]))
        if u is not None:
            block += _mixed_draws(mags[starts[mixed[0]] : n], sizes[mixed], r, u[:, d0:d1])
        net[d0:d1] = block
    return net


def _segment_max(mags: npt.NDArray[np.float32], first: I, size: I) -> npt.NDArray[np.float32]:
    """Per segment (a run of rows from `first`), the largest row in each draw."""
    top = mags[first]
    for k in range(1, int(size.max())):
        has = np.flatnonzero(size > k)
        top[has] = np.maximum(top[has], mags[first[has] + k])
    return top


def _mixed_draws(rows: npt.NDArray[np.float32], sizes: I, r: float, u: npt.NDArray[np.float32]) -> F:
    """Sum over mixed segments of pooled value x that segment's uniform factor, per draw: every
    row counts r of its value (all of it when alone in its segment), and each multi-member segment
    adds (1 - r) x its largest row."""
    if (sizes == 1).all():  # the usual case: no copy of the rows at all
        alone: F = np.einsum("sd,sd->d", rows, u).astype(np.float64)
        return alone
    seg = np.repeat(np.arange(len(sizes)), sizes)
    coef = np.where(sizes == 1, 1.0, r).astype(np.float32)[seg]
    out: F = np.einsum("sd,sd->d", rows * coef[:, None], u[seg]).astype(np.float64)
    multi = np.flatnonzero(sizes > 1)
    first = np.append(0, np.cumsum(sizes)[:-1])[multi]
    out += (1 - r) * np.einsum("sd,sd->d", _segment_max(rows, first, sizes[multi]), u[multi])
    return out


_UNIFORMS: dict[tuple[int, str, int, int], npt.NDArray[np.float32]] = {}


def _uniforms(seed: int, hid: str, segments: int, draws: int) -> npt.NDArray[np.float32]:
    """The uniform (-1, 1) factors of a hypothesis' mixed segments (segments x draws). The same
    hypothesis is aggregated again for every sensitivity scenario, so the last two are kept
    (read-only) rather than drawn again."""
    key = (seed, hid, segments, draws)
    u = _UNIFORMS.get(key)
    if u is None:
        u = np.random.default_rng([seed, _key(hid), 1]).random((segments, draws), dtype=np.float32)
        u *= 2
        u -= 1
        u.flags.writeable = False
        if len(_UNIFORMS) >= 2:  # a hypothesis' scenarios come one after another
            del _UNIFORMS[next(iter(_UNIFORMS))]
        _UNIFORMS[key] = u
    return u


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
    buffer: npt.NDArray[np.float32] | None = None,
) -> Run:
    """Aggregate one hypothesis. `buffer` is `scratch` space reused between hypotheses."""
    prof = weights.profile(profile)
    seed = weights.seed if seed is None else seed
    t = draw_tables(weights, prof, draws or weights.draws, seed)
    canon = h.canonical()
    net = _net_draws(canon, t, seed, buffer)
    return Run(canon, net, point_links(canon, point_tables(weights, prof)), prof.restatement_discount, prior or h.prior)


def aggregate_all(
    hs: Sequence[HypothesisEvidence],
    weights: Weights,
    profile: str = "default",
    *,
    draws: int | None = None,
    seed: int | None = None,
    prior: float | None = None,
) -> list[Run]:
    """Aggregate every hypothesis (one shared set of weight draws, one scratch buffer)."""
    rows = max((sum(3 if lk.special else 1 for lk in h.links if lk.directional) for h in hs), default=0)
    buffer = scratch(rows, draws or weights.draws)
    return [aggregate(h, weights, profile, draws=draws, seed=seed, prior=prior, buffer=buffer) for h in hs]


@dataclass(frozen=True)
class Counts:
    supports: int = 0
    undermines: int = 0
    mixed: int = 0
    neutral: int = 0


def counts(h: HypothesisEvidence) -> Counts:
    """Links by the curator's bearing (directionless kinds count as neutral)."""
    n = dict.fromkeys(Bearing, 0)
    for lk in h.links:
        n[lk.bearing if lk.kind not in DIRECTIONLESS_KINDS else Bearing.NEUTRAL] += 1
    return Counts(n[Bearing.SUPPORTS], n[Bearing.UNDERMINES], n[Bearing.MIXED], n[Bearing.NEUTRAL])
