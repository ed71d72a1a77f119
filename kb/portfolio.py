"""From a KnowledgeBase to credences: the API the CLI and the site renderer call.

    weights = load_weights(root)
    results = compute_portfolio(kb, weights)            # list[HypothesisResult], one per hypothesis
    detail = explain(kb, weights, "h-functional-introspection")   # Explanation
    every = explain_all(kb, weights)                    # dict of Explanation, one Monte Carlo per scenario
    [r.to_json() for r in results]                      # JSON-ready dicts

Every function takes `profile` (a name in weights.yaml), `prior` (overrides the prior of every
free-standing hypothesis; answers of a question keep theirs), `approved_only` (count only approved
claims; by default every claim not superseded or retracted counts), `draws` and `seed` (default:
the weights file's)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from kb.aggregate import (
    ConfoundEvidence,
    Dependence,
    HypothesisEvidence,
    Judgment,
    LinkEvidence,
    Prepared,
    Run,
    aggregate_all,
    counts,
    prepare,
)
from kb.bulk import gc_paused
from kb.errors import NotFound
from kb.grade import certainty
from kb.models import Claim, ConfoundEntry, ConfoundType, Link
from kb.questions import question_of
from kb.store import KnowledgeBase
from kb.trace import Contribution, Drivers, Scenario, Sensitivity, by_route, drivers, sensitivity, trace
from kb.vocab import Extraction, Grade, Missing, Status
from kb.weights import Weights

COUNTED = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED})


def _r(x: float, n: int = 4) -> float:
    return round(float(x), n)


class _Out(BaseModel):
    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class HypothesisResult(_Out):
    """One row of the portfolio. `posterior` is the headline credence (the point estimate at the
    profile's values) and `decibans` the evidence that takes the prior there; `median` and
    `interval` summarise the Monte Carlo draws (90% interval). `question`: the question whose
    answers are updated jointly with this one (their posteriors sum to 1), or null. `n_clusters`:
    independent research groups behind the directional evidence. `largest_channel_share`: the
    share of the weight that came through the largest channel. `unreviewed_share` the share of the
    weight on claims not approved; `fragile` whether the direction of the evidence changes under
    another profile or with a confound class dropped."""

    id: str
    title: str
    question: str | None
    profile: str
    prior: float
    posterior: float
    median: float
    interval: tuple[float, float]
    decibans: float
    grade: Grade
    grade_reasons: list[str]
    n_supports: int
    n_undermines: int
    n_mixed: int
    n_neutral: int
    n_clusters: int
    fragile: bool
    fragile_reasons: list[str]
    top_driver: str | None
    largest_channel: str | None
    largest_channel_share: float
    unreviewed_share: float
    rivals: list[str]


class ContributionOut(_Out):
    claim: str
    cluster: str
    bearing: str
    approved: bool
    via_confound: bool
    decibans: float
    credence_points: float
    leave_one_out_decibans: float
    leave_one_out_credence_points: float


class DeltaOut(_Out):
    source: str
    removed: list[str]
    decibans: float
    credence_points: float


class RouteOut(_Out):
    """How much of the weight came through one channel or one work."""

    id: str
    claims: int
    decibans: float
    share: float


class ScenarioOut(_Out):
    name: str
    decibans: float
    direction: int
    posterior: float | None
    interval: tuple[float, float] | None


class PriorOut(_Out):
    prior: float
    posterior: float
    interval: tuple[float, float]


class SensitivityOut(_Out):
    id: str
    prior_sweep: list[PriorOut]
    profiles: list[ScenarioOut]
    confound_groups: list[ScenarioOut]
    fragile: bool
    fragile_reasons: list[str]


class Explanation(_Out):
    """`kb explain`: the summary row, each finding's contribution (they add up to `net_decibans`,
    the hypothesis' own evidence; `decibans` also counts the other answers of its question),
    leave-one-out and leave-one-source-out deltas, the weight by channel and by work, the
    smallest flipping set (greedy) and the sensitivity analysis."""

    id: str
    summary: HypothesisResult
    decibans: float
    net_decibans: float
    contributions: list[ContributionOut]
    leave_one_source_out: list[DeltaOut]
    channels: list[RouteOut]
    works: list[RouteOut]
    flip_set: list[str] | None
    sensitivity: SensitivityOut


# --- knowledge base -> typed evidence ---------------------------------------------------------


def _speaker(c: Claim) -> str | None:
    for loc in c.locators:
        if not isinstance(loc.speaker, Missing) and loc.speaker.strip():
            return " ".join(loc.speaker.lower().split())
    return None


def dependence(kb: KnowledgeBase, c: Claim) -> Dependence:
    """What a claim shares with others (one rule, here). A claim that restates another shares its
    result, study, work and group. Its work is its origin, else the speaker's own contribution to
    the channel; its research group is the work's `group`, else the speaker (one person's views
    are one group wherever they appear), else the work."""
    root = c
    seen = {c.id}
    while root.provenance.restates and root.provenance.restates in kb.claims and root.provenance.restates not in seen:
        seen.add(root.provenance.restates)
        root = kb.claims[root.provenance.restates]
    p, speaker = root.provenance, _speaker(root)
    if isinstance(p.origin, Missing):
        work = f"{p.channel}/{speaker}" if speaker else p.channel
        group = f"person:{speaker}" if speaker else work
    else:
        work = p.origin
        source = kb.sources.get(p.origin)
        group = source.group if source is not None and source.group else work
    study = p.study or f"{work}/claim:{root.id}"
    return Dependence(result=f"result:{root.id}", study=study, work=work, group=group, channel=c.provenance.channel)


def _key(c: Claim, hypothesis: str) -> str:
    """The content fingerprint that seeds a link's random stream: what it states and quotes, never
    its id, nor its title (a label: retitling a finding moves no number, and needs no analysis)."""
    body = "\x00".join([hypothesis, c.statement, *(loc.quote for loc in c.locators)])
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def _threats(kb: KnowledgeBase, c: Claim, hid: str) -> Iterator[tuple[ConfoundEntry, ConfoundType]]:
    """The confounds on `c` that threaten its link to `hid`, with their types (the unknown left out)."""
    for e in c.confounds:
        ct = kb.confounds.get(e.type)
        if ct is not None and (not e.threatens or hid in e.threatens):
            yield e, ct


def _link_evidence(kb: KnowledgeBase, c: Claim, link: Link, deps: Dependence) -> LinkEvidence:
    hid, reviews = link.hypothesis, c.reviews
    judgments = [Judgment(link.bearing, link.strength)]
    judgments += [Judgment(j.bearing, j.strength) for r in reviews for j in r.links if j.hypothesis == hid]
    confounds = []
    for e, ct in _threats(kb, c, hid):
        judged = [j.judged for r in reviews for j in r.confounds if j.confound == e.type]
        confounds.append(ConfoundEvidence(e.type, ct.group, ct.severity, (e.controlled, *judged), ct.embodies))
    origin, channel = c.provenance.origin, c.provenance.channel
    sources = (channel,) if isinstance(origin, Missing) or origin == channel else (origin, channel)
    return LinkEvidence(
        claim=c.id,
        kind=c.kind,
        tier=c.provenance.tier,
        judgments=tuple(judgments),
        confounds=tuple(confounds),
        dependence=deps,
        sources=sources,
        approved=c.status is Status.APPROVED,
        machine=c.provenance.extraction is Extraction.MACHINE_ASSISTED,
        design=c.method.design,
        key=_key(c, hid),
    )


def evidence(kb: KnowledgeBase, *, approved_only: bool = False, only: Collection[str] | None = None) -> list[HypothesisEvidence]:
    """Typed evidence per hypothesis (sorted by id; with `only`, of those hypotheses alone).
    Superseded and retracted claims never count; with `approved_only`, only approved ones do. A
    claim's first link to a hypothesis counts."""
    counted = COUNTED if not approved_only else frozenset({Status.APPROVED})
    questions = question_of(kb)
    links: dict[str, list[LinkEvidence]] = {hid: [] for hid in kb.hypotheses if only is None or hid in only}
    for cid in sorted(kb.claims):
        c = kb.claims[cid]
        if c.status not in counted:
            continue
        deps: Dependence | None = None  # made once per claim, and only for a claim that counts here
        seen: set[str] = set()
        for link in c.links:
            if link.hypothesis in links and link.hypothesis not in seen:
                seen.add(link.hypothesis)
                if deps is None:
                    deps = dependence(kb, c)
                links[link.hypothesis].append(_link_evidence(kb, c, link, deps))
    return [
        HypothesisEvidence(
            hid,
            kb.hypotheses[hid].prior,
            tuple(links[hid]),
            question=questions.get(hid),
            experiential=kb.hypotheses[hid].concerns == "experience",
        )
        for hid in sorted(links)
    ]


# --- results ------------------------------------------------------------------------------------


def _groups(kb: KnowledgeBase) -> list[str]:
    return sorted({ct.group for ct in kb.confounds.values()})


@dataclass(frozen=True)
class _Analysis:
    """Everything computed once for a set of hypotheses under one profile."""

    hs: list[HypothesisEvidence]
    runs: dict[str, Run]
    sens: dict[str, Sensitivity]
    profile_nets: dict[str, dict[str, float]]  # profile -> hypothesis -> point net (nats)


@dataclass(frozen=True)
class Gathered:
    """A knowledge base's evidence made ready for the aggregator once, for every analysis of it
    (each profile; the portfolio and the explanations): each hypothesis' evidence, prepared as it
    is and without each confound class in turn (the sensitivity's drops). Weights do not enter."""

    approved_only: bool
    hs: list[HypothesisEvidence]
    prepared: Prepared
    drops: dict[str, tuple[list[HypothesisEvidence], Prepared]]


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def gather(kb: KnowledgeBase, *, approved_only: bool = False, hs: Sequence[HypothesisEvidence] | None = None) -> Gathered:
    """`hs`: the evidence to prepare, if not every hypothesis' (`evidence(kb)`, or whole units of it)."""
    hs = list(evidence(kb, approved_only=approved_only) if hs is None else hs)
    drops = {}
    for g in _groups(kb):
        variant = [h.without_group(g) for h in hs]
        drops[g] = (variant, prepare(variant))
    return Gathered(approved_only, hs, prepare(hs), drops)


def units(hs: Sequence[HypothesisEvidence]) -> list[list[HypothesisEvidence]]:
    """The hypotheses whose analyses read each other's evidence, joined: the answers of a question
    (updated jointly), and a hypothesis with every rival that a confound on one of its links
    embodies (the rival gets a share of the link). A unit analysed alone gives the same results
    as analysed with the rest (tests/test_memo.py), so each can be computed, and kept, apart.
    Units in order of their first hypothesis, members in the order of `hs`."""
    by_id = {h.id: h for h in hs}
    rivals = ((h.id, c.rival) for h in hs for lk in h.links for c in lk.confounds if c.rival is not None)
    return [[by_id[hid] for hid in unit] for unit in _joined([h.id for h in hs], {h.id: h.question for h in hs}, rivals)]


UNIT_IDS = "unit_ids"  # kb.cache: the units of `unit_ids` (kb.memo puts there those it takes from its last build)


def unit_ids(kb: KnowledgeBase) -> list[list[str]]:
    """`units(evidence(kb))` by id, read from the records without making the evidence (once per
    knowledge base: its records are not changed in place)."""
    if UNIT_IDS in kb.cache:
        return [list(unit) for unit in kb.cache[UNIT_IDS]]
    questions = question_of(kb)
    hids = sorted(kb.hypotheses)

    embodied = {cid: ct.embodies for cid, ct in kb.confounds.items() if ct.embodies is not None}

    def rivals() -> Iterator[tuple[str, str]]:  # each link's threats (_threats) whose type embodies a rival
        for c in kb.claims.values():
            if c.status in COUNTED and c.confounds:
                for e in c.confounds:
                    if (rival := embodied.get(e.type)) is not None:
                        yield from ((hid, rival) for hid in {link.hypothesis for link in c.links} if not e.threatens or hid in e.threatens)

    joined = kb.cache[UNIT_IDS] = _joined(hids, {hid: questions.get(hid) for hid in hids}, rivals())
    return [list(unit) for unit in joined]


def _joined(hids: list[str], question: dict[str, str | None], rivals: Iterable[tuple[str, str]]) -> list[list[str]]:
    """`hids` joined by question and by rival (units), in order of their first; members in order.
    (Connected components by union-find: a few lines where importing networkx took 0.1 s of
    every build.)"""
    parent = {hid: hid for hid in hids}

    def root(hid: str) -> str:
        while parent[hid] != hid:
            parent[hid] = hid = parent[parent[hid]]
        return hid

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # a component's root is its least id

    answers: dict[str, str] = {}
    for hid in hids:
        if (q := question[hid]) is not None:
            join(hid, answers.setdefault(q, hid))
    for hid, rival in rivals:
        if rival in parent and hid in parent:
            join(hid, rival)
    joined: dict[str, list[str]] = {}
    for hid in hids:
        joined.setdefault(root(hid), []).append(hid)
    return [joined[k] for k in sorted(joined)]


def _analyse(
    kb: KnowledgeBase,
    weights: Weights,
    profile: str,
    prior: float | None,
    approved_only: bool,
    draws: int | None,
    seed: int | None,
    monte_carlo: bool,
    gathered: Gathered | None = None,
) -> _Analysis:
    weights.profile(profile)
    if gathered is None or gathered.approved_only != approved_only:
        gathered = gather(kb, approved_only=approved_only)
    hs, prepared = gathered.hs, gathered.prepared  # the main run and every profile's share it
    runs = {r.evidence.id: r for r in aggregate_all(hs, weights, profile, draws=draws, seed=seed, prior=prior, prepared=prepared)}
    sens = sensitivity(
        hs, runs, weights, gathered.drops, profile, monte_carlo=monte_carlo, draws=draws, seed=seed, prior=prior, prepared=prepared
    )
    # each profile's point nets, as its sensitivity scenario computed them (point_nets, or a run's point)
    profile_nets = {name: {h.id: sens[h.id].profiles[i].net for h in hs} for i, name in enumerate(weights.profiles)}
    return _Analysis(hs, runs, sens, profile_nets)


def _result(kb: KnowledgeBase, weights: Weights, a: _Analysis, hid: str, profile: str, tr: Drivers) -> HypothesisResult:
    run, full = a.runs[hid], next(h for h in a.hs if h.id == hid)
    post = run.posterior
    cert = certainty(run, {p: nets[hid] for p, nets in a.profile_nets.items()}, weights.grade)
    n = counts(full)  # neutral and directionless links included
    channels = by_route(run, tr, "channel")
    return HypothesisResult(
        id=hid,
        title=kb.hypotheses[hid].title,
        question=full.question,
        profile=profile,
        prior=_r(run.prior),
        posterior=_r(run.point),
        median=_r(post.median),
        interval=(_r(post.low), _r(post.high)),
        decibans=_r(run.decibans, 3),
        grade=cert.grade,
        grade_reasons=list(cert.reasons),
        n_supports=n.supports,
        n_undermines=n.undermines,
        n_mixed=n.mixed,
        n_neutral=n.neutral,
        n_clusters=cert.units,
        fragile=a.sens[hid].fragile,
        fragile_reasons=list(a.sens[hid].fragile_reasons),
        top_driver=tr.top_driver,
        largest_channel=channels[0].id if channels else None,
        largest_channel_share=_r(channels[0].share) if channels else 0.0,
        unreviewed_share=_r(cert.unreviewed_share),
        rivals=sorted(set(kb.hypotheses[hid].rivals)),
    )


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def compute_portfolio(
    kb: KnowledgeBase,
    weights: Weights,
    profile: str = "default",
    prior: float | None = None,
    approved_only: bool = False,
    draws: int | None = None,
    seed: int | None = None,
    gathered: Gathered | None = None,
) -> list[HypothesisResult]:
    """One HypothesisResult per hypothesis, sorted by id (`gathered`: `gather(kb)`, if the caller
    analyses the same knowledge base more than once)."""
    a = _analyse(kb, weights, profile, prior, approved_only, draws, seed, monte_carlo=False, gathered=gathered)
    return [_result(kb, weights, a, h.id, profile, drivers(a.runs[h.id])) for h in a.hs]  # no flip set: a summary shows none


def _sensitivity_out(hid: str, sens: Sensitivity) -> SensitivityOut:
    def scen(s: Scenario) -> ScenarioOut:
        p = s.posterior
        return ScenarioOut(
            name=s.name,
            decibans=_r(s.decibans, 3),
            direction=s.direction,
            posterior=_r(s.point) if s.point is not None else None,
            interval=(_r(p.low), _r(p.high)) if p else None,
        )

    return SensitivityOut(
        id=hid,
        prior_sweep=[PriorOut(prior=p.prior, posterior=_r(point), interval=(_r(p.low), _r(p.high))) for point, p in sens.prior_sweep],
        profiles=[scen(s) for s in sens.profiles],
        confound_groups=[scen(s) for s in sens.confound_groups],
        fragile=sens.fragile,
        fragile_reasons=list(sens.fragile_reasons),
    )


def _check(kb: KnowledgeBase, hypothesis: str) -> None:
    if hypothesis not in kb.hypotheses:
        raise NotFound("hypothesis", hypothesis)


def sensitivity_report(
    kb: KnowledgeBase,
    weights: Weights,
    hypothesis: str,
    profile: str = "default",
    prior: float | None = None,
    approved_only: bool = False,
    draws: int | None = None,
    seed: int | None = None,
) -> SensitivityOut:
    """Prior sweep, every profile and every confound class dropped, each with its Monte Carlo
    posterior. Raises NotFound for an unknown hypothesis."""
    _check(kb, hypothesis)
    a = _analyse(kb, weights, profile, prior, approved_only, draws, seed, monte_carlo=True)
    return _sensitivity_out(hypothesis, a.sens[hypothesis])


def _explanation(kb: KnowledgeBase, weights: Weights, a: _Analysis, hid: str, profile: str) -> Explanation:
    run = a.runs[hid]
    tr = trace(run)
    loo = {d.id: d for d in tr.leave_one_out}

    def route(kind: str) -> list[RouteOut]:
        return [RouteOut(id=r.id, claims=r.claims, decibans=_r(r.decibans, 4), share=_r(r.share)) for r in by_route(run, tr, kind)]

    merged: dict[str, list[Contribution]] = {}
    for c in tr.contributions:  # one entry per claim: its own row(s) and any share it gives as a rival's confound
        merged.setdefault(c.claim, []).append(c)
    contributions = []
    for claim, parts in merged.items():
        own = [c for c in parts if not c.derived] or parts
        total = sum(c.decibans for c in parts)
        bearing = max(own, key=lambda c: abs(c.decibans)).bearing
        contributions.append(
            ContributionOut(
                claim=claim,
                cluster=own[0].cluster,
                bearing=bearing,
                approved=own[0].approved,
                via_confound=all(c.derived for c in parts),
                decibans=_r(total, 4),
                credence_points=_r(float(run.credence(tr_net_of(total))) - float(run.credence(0.0))),
                leave_one_out_decibans=_r(loo[claim].decibans, 4),
                leave_one_out_credence_points=_r(loo[claim].credence_points),
            )
        )
    contributions.sort(key=lambda c: (-abs(c.decibans), c.claim))
    return Explanation(
        id=hid,
        summary=_result(kb, weights, a, hid, profile, tr),
        decibans=_r(run.decibans, 4),
        net_decibans=_r(tr.net_decibans, 4),
        contributions=contributions,
        leave_one_source_out=[
            DeltaOut(source=d.id, removed=list(d.removed), decibans=_r(d.decibans, 4), credence_points=_r(d.credence_points))
            for d in tr.leave_one_source_out
        ],
        channels=route("channel"),
        works=route("work"),
        flip_set=list(tr.flip_set) if tr.flip_set is not None else None,
        sensitivity=_sensitivity_out(hid, a.sens[hid]),
    )


def tr_net_of(decibans_value: float) -> float:
    """Decibans back to nats."""
    return decibans_value * math.log(10) / 10


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def explain(
    kb: KnowledgeBase,
    weights: Weights,
    hypothesis: str,
    profile: str = "default",
    prior: float | None = None,
    approved_only: bool = False,
    draws: int | None = None,
    seed: int | None = None,
) -> Explanation:
    """Everything behind one hypothesis' number. Raises NotFound for an unknown hypothesis."""
    _check(kb, hypothesis)
    a = _analyse(kb, weights, profile, prior, approved_only, draws, seed, monte_carlo=True)
    return _explanation(kb, weights, a, hypothesis, profile)


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def explain_all(
    kb: KnowledgeBase,
    weights: Weights,
    profile: str = "default",
    prior: float | None = None,
    approved_only: bool = False,
    draws: int | None = None,
    seed: int | None = None,
    only: Sequence[str] | None = None,
    gathered: Gathered | None = None,
) -> dict[str, Explanation]:
    """`explain` for every hypothesis (or those in `only`), sharing one Monte Carlo per scenario
    (`gathered`: as for compute_portfolio)."""
    a = _analyse(kb, weights, profile, prior, approved_only, draws, seed, monte_carlo=True, gathered=gathered)
    return {h.id: _explanation(kb, weights, a, h.id, profile) for h in a.hs if only is None or h.id in only}
