"""The portfolio aggregator: typed evidence in, a credence per hypothesis out. Pure (no I/O): the
point estimate in numpy, the Monte Carlo's draws in one compiled loop (kb/montecarlo.py). The
methodology page (site/docs/methodology.md) states every rule.

- A link's weight (nats) is ln(LR of its strength) x kind weight x tier weight x, for each confound
  that threatens it, (1 - severity x control).
- Dependent links are pooled per side (supports, undermines, mixed) so that they saturate
  (kb/pooling.py): restatements of one result, one study, one work, one research group, one channel
  and one kind of evidence can never carry a hypothesis to certainty.
- A hypothesis in a question is updated jointly with the other answers: p_k ∝ prior_k x exp(E_k),
  which sums to 1 in the point estimate and in every draw. A free-standing hypothesis is the
  question {H, not H}.
- A confound that is itself a hypothesis of the knowledge base (yes-bias -> steering artefact)
  does not only shrink the link it threatens: its share of the link supports that rival.
- Mixed links never move the point estimate; in the draws they add a symmetric spread which, with
  the prior's own spread, never exceeds the prior's own 90% range.
- The Monte Carlo draws every uncertain constant: strength ranges, kind/tier/severity/control
  weights (between the curators' profiles), the dependence correlations, the prior, reviewers'
  differing judgments and each link's chance of having been misread. Every random stream is keyed
  by the seed, the hypothesis id or the link's content: never by claim ids, file names or order.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from kb import pooling
from kb.bulk import gc_paused
from kb.pooling import Tree
from kb.vocab import DIRECTIONLESS_KINDS, Bearing, Controlled, Design, Kind, Severity, Strength, Tier
from kb.weights import Profile, Weights

if TYPE_CHECKING:
    from kb.montecarlo import Drawn, Rows

F = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I = npt.NDArray[np.intp]  # noqa: E741 - index arrays
LN10 = math.log(10.0)
MAX_SHRINK = 0.95  # one confound can remove at most 95% of a link: a threatened link is weakened, not deleted
STRENGTHS, KINDS, TIERS = list(Strength), list(Kind), list(Tier)
SEVERITIES, CONTROLS = list(Severity), list(Controlled)
WEIGHTED_KINDS = [k for k in KINDS if k not in DIRECTIONLESS_KINDS]
S_IDX, K_IDX, T_IDX = ({v: i for i, v in enumerate(vs)} for vs in (STRENGTHS, KINDS, TIERS))
SV_IDX, C_IDX = ({v: i for i, v in enumerate(vs)} for vs in (SEVERITIES, CONTROLS))
POS, NEG, MIX = 0, 1, 2
SIDES = (POS, NEG, MIX)
SIGN = {Bearing.SUPPORTS: POS, Bearing.UNDERMINES: NEG, Bearing.MIXED: MIX}
INTERVAL = (0.05, 0.95)
ERROR_BINS = 128  # reading-error offsets are binned: a link's misreadings follow one of these patterns
READ_CLASSES = ("reviewed", "unreviewed", "unreviewed_machine")


# --- typed evidence -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    """One reading of a link: the curator's, or a reviewer's."""

    bearing: Bearing
    strength: Strength


@dataclass(frozen=True)
class ConfoundEvidence:
    """A confound threatening a link. `controlled`: the curator's status first, then each
    reviewer's. `rival`: the hypothesis that embodies it as an alternative explanation, if any."""

    type: str
    group: str
    severity: Severity
    controlled: tuple[Controlled, ...]
    rival: str | None = None


@dataclass(frozen=True)
class Dependence:
    """What a link shares with others: the result it reports (restatements share it), its study,
    its work, the work's research group, and the channel that told us. Names only group links:
    renaming one consistently changes nothing."""

    result: str
    study: str
    work: str
    group: str
    channel: str


@dataclass(frozen=True)
class LinkEvidence:
    """One claim's link to the hypothesis. `judgments`: curator first, then reviewers. `sources`:
    the works it came through (origin, channel), for leave-one-source-out. `key`: the claim's
    content fingerprint, which seeds its random stream (by default one is made from the fields)."""

    claim: str
    kind: Kind
    tier: Tier
    judgments: tuple[Judgment, ...]
    confounds: tuple[ConfoundEvidence, ...] = ()
    dependence: Dependence | None = None
    sources: tuple[str, ...] = ()
    approved: bool = True
    machine: bool = False
    design: Design = Design.NOT_REPORTED
    key: str = ""

    @property
    def bearing(self) -> Bearing:
        return self.judgments[0].bearing

    @property
    def deps(self) -> Dependence:
        """Its dependence, each level its own when not given."""
        if self.dependence is not None:
            return self.dependence
        own = f"claim:{self.claim}"
        return Dependence(own, own, own, own, self.sources[-1] if self.sources else own)

    @property
    def fingerprint(self) -> str:
        """The content key of its random stream: never the claim id."""
        if self.key:
            return self.key
        body = repr((self.kind, self.tier, self.judgments, self.confounds, self.approved, self.machine, self.design))
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    @property
    def special(self) -> bool:
        """Whether readings differ (curator vs reviewers), so each draw samples one."""
        first = self.judgments[0]
        if any(j != first for j in self.judgments[1:]):
            return True
        return any(x is not c.controlled[0] for c in self.confounds for x in c.controlled[1:])

    @property
    def directional(self) -> bool:
        """Whether the link can move the credence at all under some reading."""
        return self.kind not in DIRECTIONLESS_KINDS and any(j.bearing is not Bearing.NEUTRAL for j in self.judgments)

    @property
    def read_class(self) -> int:
        if self.approved:
            return 0
        return 2 if self.machine else 1


@dataclass(frozen=True)
class HypothesisEvidence:
    id: str
    prior: float
    links: tuple[LinkEvidence, ...]
    question: str | None = None
    experiential: bool = False  # the hypothesis is about experience, not function (GRADE indirectness)

    def without(self, claims: Sequence[str] | set[str]) -> HypothesisEvidence:
        drop = set(claims)
        return replace(self, links=tuple(lk for lk in self.links if lk.claim not in drop))

    def without_group(self, group: str) -> HypothesisEvidence:
        """As if every confound of class `group` were absent."""
        return replace(
            self,
            links=tuple(
                replace(lk, confounds=tuple(c for c in lk.confounds if c.group != group))
                if any(c.group == group for c in lk.confounds)
                else lk
                for lk in self.links
            ),
        )


# --- constants, sampled -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """Reading error in the draws: a link with offset o (binned) is misread in draw d when
    frac(o + v_d) < its read class's rate, one level down in the first half of that window (below
    weak: no evidence), one level up in the second."""

    v: F  # one uniform per draw
    rates: F  # per read class
    down: F  # per strength level: the factor of a reading one level down
    up: F  # per strength level: one level up


@dataclass(frozen=True)
class Tables:
    """Every uncertain constant, one column per draw (one column for the point estimate): ln LR by
    strength, kind and tier weights, the shrink (1 - severity x control) and the share (severity x
    control) of each (severity, control) pair, the correlations (kb.pooling's rows), and the
    reading error (None for the point)."""

    llr: F  # strengths x draws
    kind: F
    tier: F
    shrink: F  # (severities x controls) x draws
    share: F
    rho: F  # parameters x draws
    reading: Reading | None

    @property
    def draws(self) -> int:
        return int(self.llr.shape[1])

    def _stacked(self) -> F:
        """The tables stacked in the order of the incidence matrix's columns, and a last row of ones
        (the padding)."""
        return np.vstack([self.llr, self.kind, self.tier, self.shrink, self.share, np.ones((1, self.draws))])

    def logs(self) -> F32:
        """The log tables stacked, float32."""
        with np.errstate(divide="ignore"):
            stacked = np.log(self._stacked())
        return np.maximum(stacked, -80.0).astype(np.float32)  # weight 0 -> exp(-80): nothing; the padding's log is 0

    def linear(self) -> F32:
        """The tables themselves stacked, float32."""
        return self._stacked().astype(np.float32)


N_COLS = len(STRENGTHS) + len(KINDS) + len(TIERS) + 2 * len(SEVERITIES) * len(CONTROLS)
OFF_KIND = len(STRENGTHS)
OFF_TIER = OFF_KIND + len(KINDS)
OFF_SHRINK = OFF_TIER + len(TIERS)
OFF_SHARE = OFF_SHRINK + len(SEVERITIES) * len(CONTROLS)


def _pair(sev: Severity, ctl: Controlled) -> int:
    return SV_IDX[sev] * len(CONTROLS) + C_IDX[ctl]


def strength_levels(weights: Weights) -> tuple[F, F, F]:
    """ln LR of each level, and the geometric midpoints to its neighbours (LR 1 below weak; the
    top level mirrored above overwhelming)."""
    mode = np.log([weights.strength_lr[s] for s in STRENGTHS])
    below = np.concatenate([[0.0], mode[:-1]])
    above = np.concatenate([mode[1:], [2 * mode[-1] - mode[-2]]])
    return (below + mode) / 2, mode, (mode + above) / 2


def _rho_values(weights: Weights, which: str) -> F:
    d = weights.dependence
    levels = [d.result, d.study, d.work, d.group, d.channel] + [d.kind[k] for k in WEIGHTED_KINDS]
    return np.array([getattr(u, which) for u in levels])


def point_tables(weights: Weights, profile: Profile) -> Tables:
    """The profile's values themselves: one 'draw' for point estimates."""
    _, mode, _ = strength_levels(weights)
    sev = np.array([profile.severity[s] for s in SEVERITIES])
    ctl = np.array([profile.control[c] for c in CONTROLS])
    both = np.minimum(np.outer(sev, ctl), MAX_SHRINK).reshape(-1, 1)
    return Tables(
        llr=mode[:, None],
        kind=np.array([[profile.kind[k]] for k in KINDS]),
        tier=np.array([[profile.tier[t]] for t in TIERS]),
        shrink=1 - both,
        share=both,
        rho=_rho_values(weights, "value")[:, None],
        reading=None,
    )


def _between_profiles(weights: Weights, profile: Profile, table: str, keys: Sequence[object], u: F, cap: float | None) -> F:
    """Draws of one weight table: triangular between the lowest profile value x e^-spread and the
    highest x e^+spread, mode at this profile's value; one quantile `u` per row and draw."""
    values = np.array([[getattr(p, table)[k] for p in weights.profiles.values()] for k in keys])
    mode = np.array([getattr(profile, table)[k] for k in keys])
    spread = math.exp(profile.weight_spread)
    lo, hi = np.minimum(values.min(axis=1), mode) / spread, np.maximum(values.max(axis=1), mode) * spread
    if cap is not None:
        hi = np.minimum(hi, cap)
    return _triangular(lo[:, None], mode[:, None], hi[:, None], u)


def _triangular(lo: F, mode: F, hi: F, u: F) -> F:
    """The triangular distribution's quantile function (monotone in lo, mode and hi)."""
    width = np.where(hi > lo, hi - lo, 1.0)
    cut = (mode - lo) / width
    left = lo + np.sqrt(u * width * (mode - lo))
    right = hi - np.sqrt((1 - u) * width * (hi - mode))
    out: F = np.where(hi > lo, np.where(u < cut, left, right), mode)
    return out


def draw_tables(weights: Weights, profile: Profile, draws: int, seed: int) -> Tables:
    """`draws` samples of every constant from one stream (seed, 0). Strength: ln LR triangular
    between the midpoints to the neighbouring levels (levels never overlap). Severity and control:
    one quantile per draw for the whole table, so their order holds in every draw. Correlations:
    triangular(low, value, high)."""
    rng = np.random.default_rng([seed, 0])
    lo, mode, hi = strength_levels(weights)
    llr = _triangular(lo[:, None], mode[:, None], hi[:, None], rng.random((len(STRENGTHS), draws)))
    kind = _between_profiles(weights, profile, "kind", KINDS, rng.random((len(KINDS), draws)), 1.0)
    tier = _between_profiles(weights, profile, "tier", TIERS, rng.random((len(TIERS), draws)), 1.0)
    sev = _between_profiles(weights, profile, "severity", SEVERITIES, np.broadcast_to(rng.random(draws), (len(SEVERITIES), draws)), 1.0)
    ctl = _between_profiles(weights, profile, "control", CONTROLS, np.broadcast_to(rng.random(draws), (len(CONTROLS), draws)), 1.0)
    both = np.minimum(sev[:, None, :] * ctl[None, :, :], MAX_SHRINK).reshape(-1, draws)
    rho = _triangular(
        _rho_values(weights, "low")[:, None],
        _rho_values(weights, "value")[:, None],
        _rho_values(weights, "high")[:, None],
        rng.random((5 + len(WEIGHTED_KINDS), draws)),
    )
    return Tables(llr, kind, tier, 1 - both, both, rho, _reading(weights, mode, rng.random(draws)))


def _reading(weights: Weights, mode: F, v: F) -> Reading:
    """Reading error: each read class's rate, and the factor of a strength misread one level down
    (below weak: no evidence) or up."""
    rates = np.array([getattr(weights.reading_error, c) for c in READ_CLASSES])
    above = np.append(mode[1:], 2 * mode[-1] - mode[-2])
    below = np.concatenate([[0.0], mode[:-1]])
    return Reading(v, rates, below / mode, above / mode)


# --- rows: what each hypothesis' evidence is made of --------------------------------------------


@dataclass(frozen=True)
class Row:
    """One term of a hypothesis' evidence: a link's own weight, or a rival's share of another
    hypothesis' link (`derived`, always in support). `cols`: table columns whose log-sum is its
    log magnitude at the first reading; `side`: where it counts at that reading."""

    link: LinkEvidence
    side: int
    cols: tuple[int, ...]
    derived: bool = False
    special: bool = False
    skip: frozenset[str] = frozenset()  # confound types whose shrink is lifted (their rival is in the same question)


def _base_cols(lk: LinkEvidence, skip: frozenset[str]) -> tuple[int, ...]:
    """A link whose readings differ: the columns every reading shares (kind, tier, and the
    confounds whose statuses all agree); the strength and the disagreeing statuses are drawn."""
    cols = [OFF_KIND + K_IDX[lk.kind], OFF_TIER + T_IDX[lk.tier]]
    cols += [OFF_SHRINK + _pair(c.severity, c.controlled[0]) for c in lk.confounds if c.type not in skip and len(set(c.controlled)) == 1]
    return tuple(cols)


def _own_cols(lk: LinkEvidence, judgment: Judgment, skip: frozenset[str]) -> tuple[int, ...]:
    cols = [S_IDX[judgment.strength], OFF_KIND + K_IDX[lk.kind], OFF_TIER + T_IDX[lk.tier]]
    cols += [OFF_SHRINK + _pair(c.severity, c.controlled[0]) for c in lk.confounds if c.type not in skip]
    return tuple(cols)


CONTROL_THREAT = (Controlled.NOT_APPLICABLE, Controlled.YES, Controlled.PARTIAL, Controlled.UNKNOWN, Controlled.NOT_REPORTED, Controlled.NO)


def _threat(c: ConfoundEvidence) -> tuple[int, int]:
    """How much of a link a confound could explain, as an order (severity, then how poorly controlled)."""
    return SV_IDX[c.severity], CONTROL_THREAT.index(c.controlled[0])


def build_rows(hs: Sequence[HypothesisEvidence]) -> dict[str, list[Row]]:
    """Every hypothesis' rows: its directional links (a link whose readings differ gets one row
    per side, zero in the draws where another reading is drawn) and its rivals' shares of other
    hypotheses' links (a supporting link's share that its most threatening uncontrolled confound
    embodied by that rival could explain; one row per link and rival). Rows come in content order,
    so ids and file order never matter."""
    question = {h.id: h.question for h in hs}
    rows: dict[str, list[Row]] = {h.id: [] for h in hs}
    for h in hs:
        for lk in h.links:
            if not lk.directional:
                continue
            # a confound embodied by a rival in the same question discriminates neither: lift its shrink
            skip = frozenset(
                c.type for c in lk.confounds if c.rival and c.rival != h.id and h.question and question.get(c.rival) == h.question
            )
            if lk.special:
                rows[h.id].extend(Row(lk, side, _base_cols(lk, skip), special=True, skip=skip) for side in SIDES)
            elif lk.bearing in SIGN:
                rows[h.id].append(Row(lk, SIGN[lk.bearing], _own_cols(lk, lk.judgments[0], skip), skip=skip))
            first = lk.judgments[0]
            if first.bearing is not Bearing.SUPPORTS:  # a confound explains the observation it could have produced: support
                continue
            strongest: dict[str, ConfoundEvidence] = {}  # per rival, the confound that explains the most of the link
            for c in lk.confounds:
                if c.rival and c.rival != h.id and c.rival in rows:
                    held = strongest.get(c.rival)
                    if held is None or _threat(c) > _threat(held):
                        strongest[c.rival] = c
            for rival, c in sorted(strongest.items()):
                base = [S_IDX[first.strength], OFF_KIND + K_IDX[lk.kind], OFF_TIER + T_IDX[lk.tier]]
                rows[rival].append(Row(lk, POS, (*base, OFF_SHARE + _pair(c.severity, c.controlled[0])), derived=True))
    for rs in rows.values():
        rs.sort(key=lambda r: (r.link.fingerprint, r.side, r.derived, r.cols))
    return rows


@dataclass(frozen=True)
class Layout:
    """A hypothesis' rows prepared for the tables: incidence matrix, reading-error lookups and
    the pooling trees of each side."""

    rows: tuple[Row, ...]
    cols: I  # rows x max columns: the table rows whose log-sum is each row's log weight (N_COLS: a zero row)
    side: I
    strength: I  # row -> its (first) reading's strength level
    read_class: I  # row -> its link's read class (-1: never misread by itself, its reading is drawn)
    offset: F  # the link's own uniform offset (its reading errors; which reading a special row draws)
    side_rows: tuple[I, I, I]
    trees: tuple[tuple[Tree, ...], tuple[Tree, ...], tuple[Tree, ...]]


def _offset(fingerprint: str) -> float:
    return int(hashlib.sha256(fingerprint.encode()).hexdigest()[:12], 16) / 16**12


def _codes(names: list[str]) -> npt.NDArray[np.int64]:
    """Codes by first appearance (rows are in content order, so codes never depend on names)."""
    seen: dict[str, int] = {}
    return np.array([seen.setdefault(n, len(seen)) for n in names], dtype=np.int64)


def _tree_keys(rows: Sequence[Row]) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]:
    deps = [r.link.deps for r in rows]
    kind = np.array([WEIGHTED_KINDS.index(r.link.kind) for r in rows], dtype=np.int64)
    group, work, study, result, channel = (_codes([getattr(d, f) for d in deps]) for f in ("group", "work", "study", "result", "channel"))
    return [kind, group, work, study, result], [kind, channel]


def _trees(provenance: list[npt.NDArray[np.int64]], channel: list[npt.NDArray[np.int64]]) -> tuple[Tree, ...]:
    """Kind > research group > work > study > result, and kind > channel (see kb.pooling)."""
    if not len(provenance[0]):
        return ()
    floor = (pooling.KIND0 + provenance[0]).astype(np.intp)
    return (
        pooling.tree(provenance, [floor, pooling.GROUP, pooling.WORK, pooling.STUDY, pooling.RESULT]),
        pooling.tree(channel, [floor, pooling.CHANNEL]),
    )


def layout(rows: Sequence[Row]) -> Layout:
    """Rows grouped by side, each side in its provenance tree's order (so that tree needs no
    gather and each side is a contiguous slice). Group codes are given in content order once, so
    they never depend on names."""
    ordered: list[Row] = []
    trees: list[tuple[Tree, ...]] = []
    for s in SIDES:
        mine = [r for r in rows if r.side == s]
        provenance, channel = _tree_keys(mine) if mine else ([np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)])
        perm = np.lexsort(tuple(reversed(provenance))) if mine else np.zeros(0, dtype=np.intp)
        ordered += [mine[i] for i in perm]
        trees.append(_trees([k[perm] for k in provenance], [k[perm] for k in channel]))
    rows = ordered
    width = max([len(r.cols) for r in rows] + [1])
    cols = np.full((len(rows), width), N_COLS, dtype=np.intp)  # padded with the zero row
    for i, r in enumerate(rows):
        cols[i, : len(r.cols)] = r.cols  # two confounds with the same (severity, control) shrink twice
    side = np.array([r.side for r in rows], dtype=np.intp)
    offsets = np.array([_offset(r.link.fingerprint) for r in rows])
    strength = np.array([S_IDX[r.link.judgments[0].strength] for r in rows], dtype=np.intp)
    read_class = np.array([-1 if r.special else r.link.read_class for r in rows], dtype=np.intp)  # special: drawn with the reading
    side_rows = tuple(np.flatnonzero(side == s) for s in SIDES)
    return Layout(tuple(rows), cols, side, strength, read_class, offsets, side_rows, tuple(trees))  # type: ignore[arg-type]


# --- magnitudes and pools -----------------------------------------------------------------------


@dataclass(frozen=True)
class Specials:
    """The links of a layout whose readings differ, as padded arrays: per link its judgments'
    strength and side, its confounds' (severity, control) pairs, and the rows (one per side) it
    fills. Each draw picks one judgment and one status per confound by frac(offset x k + v_d), so
    from the link's content, never its id."""

    rows: I  # links x 3: the row of each side (-1 if none)
    base: I  # links: one of its rows (each holds the shared part of its weight)
    offset: F
    n_judgments: I
    strength: I  # links x max judgments
    side: I
    kind: I
    tier: I
    read_class: I
    pairs: I  # links x max confounds x max statuses (-1: no confound)
    n_status: I  # links x max confounds


def specials(lay: Layout) -> Specials | None:
    by_link: dict[tuple[LinkEvidence, frozenset[str]], list[int]] = {}
    for i, r in enumerate(lay.rows):
        if r.special:
            by_link.setdefault((r.link, r.skip), [-1, -1, -1])[r.side] = i
    if not by_link:
        return None
    links = list(by_link)
    nj = max(len(lk.judgments) for lk, _ in links)

    def drawn(lk: LinkEvidence, skip: frozenset[str]) -> list[ConfoundEvidence]:
        return [c for c in lk.confounds if c.type not in skip and len(set(c.controlled)) > 1]

    nc = max([len(drawn(lk, skip)) for lk, skip in links] + [1])
    ns = max([len(c.controlled) for lk, _ in links for c in lk.confounds] + [1])
    strength = np.zeros((len(links), nj), dtype=np.intp)
    side = np.full((len(links), nj), -1, dtype=np.intp)
    pairs = np.full((len(links), nc, ns), -1, dtype=np.intp)
    n_status = np.ones((len(links), nc), dtype=np.intp)
    for i, (lk, skip) in enumerate(links):
        for j, jd in enumerate(lk.judgments):
            strength[i, j], side[i, j] = S_IDX[jd.strength], SIGN.get(jd.bearing, -1)
        for k, c in enumerate(drawn(lk, skip)):
            pairs[i, k, : len(c.controlled)] = [_pair(c.severity, x) for x in c.controlled]
            n_status[i, k] = len(c.controlled)
    first = [by_link[key][0] if by_link[key][0] >= 0 else max(by_link[key]) for key in links]
    return Specials(
        rows=np.array([by_link[key] for key in links], dtype=np.intp),
        base=np.array(first, dtype=np.intp),
        offset=lay.offset[first],
        n_judgments=np.array([len(lk.judgments) for lk, _ in links], dtype=np.intp),
        strength=strength,
        side=side,
        kind=np.array([K_IDX[lk.kind] for lk, _ in links], dtype=np.intp),
        tier=np.array([T_IDX[lk.tier] for lk, _ in links], dtype=np.intp),
        read_class=np.array([lk.read_class for lk, _ in links], dtype=np.intp),
        pairs=pairs,
        n_status=n_status,
    )


def _expected(r: Row, t: Tables) -> float:
    """A row of a link whose readings differ, at the point: the average signed value over its
    judgments (disagreement cancels), each confound at its average shrink, on the side that
    average falls (mixed only when every reading is mixed)."""
    lk = r.link
    base = float(t.kind[K_IDX[lk.kind], 0] * t.tier[T_IDX[lk.tier], 0])
    for c in lk.confounds:
        if c.type not in r.skip:
            base *= sum(float(t.shrink[_pair(c.severity, x), 0]) for x in c.controlled) / len(c.controlled)
    llr = [float(t.llr[S_IDX[j.strength], 0]) for j in lk.judgments]
    if all(j.bearing is Bearing.MIXED for j in lk.judgments):
        return base * sum(llr) / len(llr) if r.side == MIX else 0.0
    signed = (
        base
        * sum(
            v * (1 if j.bearing is Bearing.SUPPORTS else -1)
            for v, j in zip(llr, lk.judgments, strict=True)
            if j.bearing in (Bearing.SUPPORTS, Bearing.UNDERMINES)
        )
        / len(lk.judgments)
    )
    side = POS if signed >= 0 else NEG
    return abs(signed) if r.side == side else 0.0


def row_magnitudes(lay: Layout, t: Tables, sp: Specials | None) -> F32:
    """Rows x columns of `t` (the point: one): the magnitude of every row (>= 0), without reading
    error; a link whose readings differ takes its expected value. (The draws: kb.montecarlo.)"""
    # a row's log weight is a sum of table rows, always in the same order: no BLAS kernel whose
    # rounding depends on how many other rows there are, so adding a link never moves another
    block = t.logs()
    mags = block[lay.cols[:, 0]]
    for k in range(1, lay.cols.shape[1]):
        mags += block[lay.cols[:, k]]
    np.exp(mags, out=mags)
    if sp is not None:
        for i, r in enumerate(lay.rows):
            if r.special:
                mags[i] = _expected(r, t)
    out: F32 = mags
    return out


def side_pools(lay: Layout, mags: npt.NDArray[np.floating], rho: npt.NDArray[np.floating]) -> F:
    """3 x columns: the pooled supporting, undermining and mixed weight."""
    out = np.zeros((3, mags.shape[1]))
    coef = pooling.coefficients(rho)
    for s in SIDES:
        idx = lay.side_rows[s]
        if idx.size:  # each side is a contiguous run of rows: a view, not a copy
            out[s] = pooling.pool(mags[idx[0] : idx[-1] + 1], lay.trees[s], coef)
    return out


# --- the whole portfolio ------------------------------------------------------------------------


@dataclass(frozen=True)
class Posterior:
    """Median and 90% interval of the credence draws, at one prior."""

    prior: float
    median: float
    low: float
    high: float


@dataclass(frozen=True)
class Run:
    """One hypothesis aggregated under one profile. `point`: the headline credence at the
    profile's values; `net`: its own net evidence (nats) at those values; `shift`: logit(point)
    minus its own net, so any other net gives expit(shift + net) with the other answers held;
    `draws`: the credence in each Monte Carlo draw; `own_draws`: its own net evidence per draw."""

    evidence: HypothesisEvidence
    prior: float
    point: float
    net: float
    shift: float
    draws: F
    own_draws: F
    layout: Layout
    magnitudes: F  # the rows' point magnitudes
    rho: F  # the point correlations (parameters x 1)

    @property
    def posterior(self) -> Posterior:
        lo, mid, hi = _quantiles(self.draws, (INTERVAL[0], 0.5, INTERVAL[1]))
        return Posterior(self.prior, float(mid), float(lo), float(hi))

    @property
    def decibans(self) -> float:
        """The evidence that takes the prior to the headline credence (10 log10 of the odds ratio)."""
        return decibans(logit(self.point) - logit(self.prior))

    def at_prior(self, prior: float) -> tuple[float, Posterior]:
        """Point credence and draws' posterior with the prior set to `prior` (odds scale)."""
        delta = logit(prior) - logit(self.prior)
        draws = expit(_logit_array(self.draws) + delta)
        lo, mid, hi = _quantiles(draws, (INTERVAL[0], 0.5, INTERVAL[1]))
        return float(expit(logit(self.point) + delta)), Posterior(prior, float(mid), float(lo), float(hi))

    def net_without(self, masks: npt.NDArray[np.bool_]) -> F:
        """Own net evidence (nats, point) with the rows kept by each column of `masks` (rows x k)."""
        out = np.zeros(masks.shape[1])
        for start in range(0, masks.shape[1], 1024):
            block = masks[:, start : start + 1024]
            pools = side_pools(self.layout, self.magnitudes[:, None] * block, self.rho)
            out[start : start + block.shape[1]] = pools[POS] - pools[NEG]
        return out

    def net_without_each(self, groups: Sequence[Sequence[int]]) -> F:
        """`net_without` for k masks each of which drops one group of rows (a claim's, a work's):
        incrementally (kb.pooling.without_each) for a group with at most one row on each side,
        the general way for the others."""
        lay = self.layout
        base = side_pools(lay, self.magnitudes[:, None], self.rho)[:, 0]
        without: dict[int, F] = {}  # side -> its pool without each of its rows (by row index)
        for side in (POS, NEG):
            idx = lay.side_rows[side]
            if idx.size and lay.trees[side]:
                vals = self.magnitudes[idx[0] : idx[-1] + 1]
                per_tree = np.min([pooling.without_each(vals, t, self.rho) for t in lay.trees[side]], axis=0)
                full = np.full(len(lay.rows), base[side])
                full[idx[0] : idx[-1] + 1] = per_tree
                without[side] = full
        out = np.zeros(len(groups))
        slow: list[int] = []
        for j, rows in enumerate(groups):
            pools = {POS: base[POS], NEG: base[NEG]}
            for side in (POS, NEG):
                mine = [r for r in rows if lay.side[r] == side]
                if len(mine) > 1:
                    slow.append(j)
                    break
                if mine:
                    pools[side] = without[side][mine[0]]
            else:
                out[j] = pools[POS] - pools[NEG]
        if slow:
            masks = np.ones((len(lay.rows), len(slow)), dtype=bool)
            for k, j in enumerate(slow):
                masks[list(groups[j]), k] = False
            out[slow] = self.net_without(masks)
        return out

    def credence(self, net: float | F) -> F:
        return expit(self.shift + np.asarray(net))


BLOCK_ELEMENTS = 2_000_000  # rows x draws per block: memory stays bounded however many draws


def warm(weights: Weights) -> None:
    """Load the Monte Carlo's compiled code (numba's cache, kb.montecarlo) in this process with one
    tiny aggregation, so that the processes forked from it find it loaded: each loaded it itself,
    0.4-0.5 s apiece (a one-claim build forks three)."""
    judged = (Judgment(Bearing.SUPPORTS, Strength.MODERATE), Judgment(Bearing.UNDERMINES, Strength.WEAK))  # readings that differ
    aggregate_all(
        [HypothesisEvidence("warm", 0.5, (LinkEvidence("warm", Kind.EMPIRICAL, Tier.PRIMARY, judged),))], weights, draws=16, seed=0
    )


def aggregate_all(
    hs: Sequence[HypothesisEvidence],
    weights: Weights,
    profile: str = "default",
    *,
    draws: int | None = None,
    seed: int | None = None,
    prior: float | None = None,
    prepared: Prepared | None = None,
) -> list[Run]:
    """Aggregate every hypothesis (answers of one question jointly), in the order given.
    `prior` overrides the prior of every free-standing hypothesis (answers keep their question's);
    `prepared`: `prepare(hs)`, if the caller has it (used only when made from these very hs)."""
    prof = weights.profile(profile)
    seed = weights.seed if seed is None else seed
    n_draws = draws or weights.draws
    priors = {h.id: (prior if prior is not None and h.question is None else h.prior) for h in hs}
    layouts, sps, pt, point_mag, point_net = _point(hs, weights, prof, prepared)
    t = draw_tables(weights, prof, n_draws, seed)
    tab, rho32 = t.linear(), t.rho.astype(np.float32)
    v = np.random.default_rng([seed, 1]).random(n_draws)
    own, spread = {}, {}
    for h in hs:
        own[h.id], mixed = draw_nets(layouts[h.id], t, tab, rho32, v, sps[h.id])
        spread[h.id] = _spread(weights.prior_spread, h.id, seed, mixed)
    out: dict[str, Run] = {}
    for unit in _units(hs):
        _assemble(unit, priors, point_net, own, spread, out)
    return [replace(out[h.id], evidence=h, layout=layouts[h.id], magnitudes=point_mag[h.id], rho=pt.rho) for h in hs]


@dataclass(frozen=True)
class Prepared:
    """What the aggregator makes of a list of hypotheses before any weight enters: every
    hypothesis' layout and its links whose readings differ. The same evidence under several
    profiles can share it (`prepare` once, pass it to each run)."""

    evidence: tuple[HypothesisEvidence, ...]
    layouts: dict[str, Layout]
    specials: dict[str, Specials | None]


def prepare(hs: Sequence[HypothesisEvidence]) -> Prepared:
    with gc_paused():  # tens of thousands of small acyclic objects: no collection walks the whole heap for them
        rows = build_rows(hs)
        layouts = {h.id: layout(rows[h.id]) for h in hs}
    return Prepared(tuple(hs), layouts, {h.id: specials(layouts[h.id]) for h in hs})


def _point(
    hs: Sequence[HypothesisEvidence], weights: Weights, prof: Profile, prepared: Prepared | None = None
) -> tuple[dict[str, Layout], dict[str, Specials | None], Tables, dict[str, F], dict[str, float]]:
    """Rows, layouts and the point estimate of every hypothesis' own evidence."""
    if prepared is None or prepared.evidence != tuple(hs):
        prepared = prepare(hs)
    layouts, sps = prepared.layouts, prepared.specials
    pt = point_tables(weights, prof)
    point_mag = {h.id: row_magnitudes(layouts[h.id], pt, sps[h.id])[:, 0].astype(np.float64) for h in hs}
    point_net = {hid: float(_net(side_pools(layouts[hid], m[:, None], pt.rho))[0]) for hid, m in point_mag.items()}
    return layouts, sps, pt, point_mag, point_net


def point_nets(
    hs: Sequence[HypothesisEvidence],
    weights: Weights,
    profile: str = "default",
    *,
    prior: float | None = None,
    prepared: Prepared | None = None,
) -> dict[str, float]:
    """Each hypothesis' own net evidence (nats) at the profile's values, without the Monte Carlo
    (the prior does not enter: it is accepted for symmetry with aggregate_all)."""
    _ = prior
    return _point(hs, weights, weights.profile(profile), prepared)[4]


def _net(pools: F) -> F:
    out: F = pools[POS] - pools[NEG]
    return out


def draw_nets(lay: Layout, t: Tables, tab: F32, rho32: F32, v: F, sp: Specials | None) -> tuple[F, F]:
    """Own net evidence and pooled mixed weight in each draw (`tab`: t.linear(); `v`: the uniform
    of each draw that picks among differing readings)."""
    n = t.draws
    if not lay.rows:
        return np.zeros(n), np.zeros(n)
    from kb import montecarlo  # numba loads only when there are draws to make

    assert t.reading is not None
    rows, drawn, trees = _kernel_rows(lay, t.reading), _kernel_drawn(sp, t.reading), montecarlo.flatten(lay.side_rows, lay.trees)
    pools = montecarlo.side_pools(tab, rows, drawn, trees, rho32, t.reading.v, v)
    return pools[POS] - pools[NEG], pools[MIX]


def _binned(offset: F) -> F:
    """A link's offset as its reading errors use it: the middle of its bin (ERROR_BINS patterns)."""
    out: F = (np.minimum((offset * ERROR_BINS).astype(np.intp), ERROR_BINS - 1) + 0.5) / ERROR_BINS
    return out


def _kernel_rows(lay: Layout, reading: Reading) -> Rows:
    from kb.montecarlo import Rows

    drawn = lay.read_class < 0
    cols = lay.cols if lay.cols.shape[1] >= 3 else np.pad(lay.cols, ((0, 0), (0, 3 - lay.cols.shape[1])), constant_values=N_COLS)
    return Rows(
        cols,
        np.maximum((cols != N_COLS).sum(axis=1), 3),  # the padding comes last
        np.where(drawn, 0.5 / ERROR_BINS, _binned(lay.offset)),
        np.where(drawn, 0.0, reading.rates[np.maximum(lay.read_class, 0)]),
        reading.down[lay.strength].astype(np.float32),
        reading.up[lay.strength].astype(np.float32),
    )


def _kernel_drawn(sp: Specials | None, reading: Reading) -> Drawn:
    from kb.montecarlo import Drawn

    down, up = reading.down.astype(np.float32), reading.up.astype(np.float32)
    if sp is None:
        none = np.zeros(0, dtype=np.intp)
        return Drawn(
            np.zeros((0, 3), dtype=np.intp), none, np.zeros(0), none, np.zeros((0, 1), dtype=np.intp), np.zeros((0, 1), dtype=np.intp),
            np.zeros(0), np.zeros(0), np.full((0, 1, 1), -1, dtype=np.intp), np.ones((0, 1), dtype=np.intp), down, up,
        )  # fmt: skip
    pairs = np.where(sp.pairs >= 0, OFF_SHRINK + sp.pairs, -1)
    return Drawn(
        sp.rows, sp.base, sp.offset, sp.n_judgments, sp.strength, sp.side,
        _binned(sp.offset), reading.rates[sp.read_class], pairs.astype(np.intp), sp.n_status, down, up,
    )  # fmt: skip


def _spread(sd: float, hid: str, seed: int, mixed: F) -> F:
    """The prior's own noise plus the mixed links' symmetric spread, clipped to the prior's own 90%
    range: ambiguous evidence can make the credence as uncertain as the prior alone, never more."""
    rng = np.random.default_rng([seed, 2, int(hashlib.sha256(hid.encode()).hexdigest()[:8], 16)])
    z, u = rng.standard_normal(len(mixed)), rng.uniform(-1.0, 1.0, len(mixed))
    if sd <= 0:
        return np.zeros(len(mixed))
    lo, hi = _quantiles(sd * z, INTERVAL)  # the prior's own 90% range, as these very draws give it
    out: F = np.clip(sd * z + u * mixed, lo, hi)
    return out


def _units(hs: Sequence[HypothesisEvidence]) -> list[list[HypothesisEvidence]]:
    """Questions (their answers, jointly) and free-standing hypotheses (alone), in content order."""
    by_q: dict[str, list[HypothesisEvidence]] = {}
    units: list[list[HypothesisEvidence]] = []
    for h in sorted(hs, key=lambda h: h.id):
        if h.question is None:
            units.append([h])
        else:
            by_q.setdefault(h.question, []).append(h)
    return units + [by_q[q] for q in sorted(by_q)]


def _assemble(
    unit: list[HypothesisEvidence],
    priors: dict[str, float],
    point_net: dict[str, float],
    own: dict[str, F],
    spread: dict[str, F],
    out: dict[str, Run],
) -> None:
    """Credences of one unit: a free-standing hypothesis on the logit scale; the answers of a
    question by softmax of log prior + noise + own evidence, which sums to 1 in every draw."""
    empty_layout = layout([])
    if len(unit) == 1 and unit[0].question is None:
        h = unit[0]
        lo = logit(priors[h.id])
        point = float(expit(lo + point_net[h.id]))
        draws = expit(lo + spread[h.id] + own[h.id])
        out[h.id] = Run(h, priors[h.id], point, point_net[h.id], lo, draws, own[h.id], empty_layout, np.zeros(0), np.zeros((0, 1)))
        return
    total = sum(priors[h.id] for h in unit)
    log_pi = np.array([math.log(priors[h.id] / total) for h in unit])
    a_point = log_pi + np.array([point_net[h.id] for h in unit])
    a_draws = log_pi[:, None] + np.stack([spread[h.id] + own[h.id] for h in unit])
    p_point = _softmax(a_point[:, None])[:, 0]
    p_draws = _softmax(a_draws)
    for k, h in enumerate(unit):
        shift = logit(float(p_point[k])) - point_net[h.id]
        out[h.id] = Run(
            h,
            priors[h.id] / total,
            float(p_point[k]),
            point_net[h.id],
            shift,
            p_draws[k],
            own[h.id],
            empty_layout,
            np.zeros(0),
            np.zeros((0, 1)),
        )


def _softmax(a: F) -> F:
    e = np.exp(a - a.max(axis=0, keepdims=True))
    out: F = e / e.sum(axis=0, keepdims=True)
    return np.clip(out, 1e-15, 1 - 1e-15)


# --- small helpers ------------------------------------------------------------------------------


def _quantiles(x: F, qs: Sequence[float]) -> F:
    """Quantiles as order statistics (no interpolation), so they commute exactly with clipping and
    with any monotone map such as logit -> probability."""
    out: F = np.quantile(x, list(qs), method="inverted_cdf")
    return out


def logit(p: float) -> float:
    p = min(max(p, 1e-15), 1 - 1e-15)
    return math.log(p / (1 - p))


def _logit_array(p: F) -> F:
    q = np.clip(p, 1e-15, 1 - 1e-15)
    out: F = np.log(q / (1 - q))
    return out


def expit(x: F | float) -> F:
    return np.asarray(0.5 * (1 + np.tanh(np.asarray(x, dtype=np.float64) / 2)))


def decibans(llr: float) -> float:
    return 10 * llr / LN10


def direction(net: float, tol: float = 1e-9) -> int:
    """+1 net support, -1 net undermining, 0 none."""
    return 0 if abs(net) <= tol else (1 if net > 0 else -1)


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


@dataclass(frozen=True)
class Ceiling:
    """What links of one kind, at most a given strength, can do together however many there are
    and from however many sources (nats): `point` at a profile's values (strongest / the kind's
    floor correlation), `any_draw` in any Monte Carlo draw (every weight at the top of its range,
    the strength misread one level up, the floor at its lowest)."""

    kind: Kind
    strength: Strength
    point: float
    any_draw: float


def ceiling(weights: Weights, kind: Kind, strength: Strength = Strength.WEAK, profile: str = "default") -> Ceiling:
    _, mode, hi = strength_levels(weights)
    s = S_IDX[strength]
    above = mode[s + 1] if s + 1 < len(STRENGTHS) else 2 * mode[-1] - mode[-2]
    prof = weights.profile(profile)
    point = float(mode[s]) * prof.kind[kind] * max(prof.tier.values()) / weights.dependence.kind[kind].value
    top = float(hi[s] * above / mode[s])  # the top of its range, misread one level up
    spread = max(math.exp(p.weight_spread) for p in weights.profiles.values())
    kind_max = min(1.0, max(p.kind[kind] for p in weights.profiles.values()) * spread)
    tier_max = min(1.0, max(max(p.tier.values()) for p in weights.profiles.values()) * spread)
    return Ceiling(kind, strength, point, top * kind_max * tier_max / weights.dependence.kind[kind].low)


__all__ = [
    "ConfoundEvidence",
    "Counts",
    "Dependence",
    "HypothesisEvidence",
    "Judgment",
    "LinkEvidence",
    "Posterior",
    "Run",
    "aggregate_all",
    "ceiling",
    "point_nets",
    "prepare",
    "Prepared",
    "counts",
    "decibans",
    "direction",
    "expit",
    "logit",
]
