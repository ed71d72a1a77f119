"""From a KnowledgeBase to credences: the API the CLI and the site renderer call.

    weights = load_weights(root)
    results = compute_portfolio(kb, weights)            # list[HypothesisResult], one per hypothesis
    detail = explain(kb, weights, "h-functional-introspection")   # Explanation
    [r.to_json() for r in results]                      # JSON-ready dicts

Every function takes `profile` (a name in weights.yaml), `prior` (overrides every hypothesis'
prior), `approved_only` (count only approved claims; by default every claim not superseded or
retracted counts), `draws` and `seed` (default: the weights file's)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from kb.aggregate import (
    ConfoundEvidence,
    HypothesisEvidence,
    Judgment,
    LinkEvidence,
    Run,
    aggregate,
    aggregate_all,
    counts,
)
from kb.bulk import gc_paused
from kb.errors import NotFound
from kb.grade import certainty
from kb.graph import build_graph, clusters
from kb.models import Claim, Link
from kb.store import KnowledgeBase
from kb.trace import Scenario, Sensitivity, Trace, sensitivity, trace
from kb.vocab import Grade, Missing, Status
from kb.weights import Weights

COUNTED = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED})


def _r(x: float, n: int = 4) -> float:
    return round(float(x), n)


class _Out(BaseModel):
    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class HypothesisResult(_Out):
    """One row of the portfolio. `posterior` is the Monte Carlo median and `interval` its 90%
    interval; `decibans` the net evidence at the profile's values (10 log10 LR); `unreviewed_share`
    the share of the absolute evidence weight on claims not approved; `fragile` whether the
    direction of the evidence changes under another profile or with a confound class dropped."""

    id: str
    title: str
    profile: str
    prior: float
    posterior: float
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
    unreviewed_share: float
    rivals: list[str]


class ContributionOut(_Out):
    claim: str
    cluster: str
    bearing: str
    approved: bool
    decibans: float
    credence_points: float
    leave_one_out_decibans: float
    leave_one_out_credence_points: float


class DeltaOut(_Out):
    source: str
    removed: list[str]
    decibans: float
    credence_points: float


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
    """`kb explain`: the summary row, each finding's contribution (they add up to `decibans`),
    leave-one-out and leave-one-source-out deltas, the smallest flipping set (greedy) and the
    sensitivity analysis."""

    id: str
    summary: HypothesisResult
    decibans: float
    contributions: list[ContributionOut]
    leave_one_source_out: list[DeltaOut]
    flip_set: list[str] | None
    sensitivity: SensitivityOut


# --- knowledge base -> typed evidence ---------------------------------------------------------


def _link_evidence(kb: KnowledgeBase, c: Claim, link: Link, cluster: str) -> LinkEvidence:
    hid, reviews = link.hypothesis, c.reviews
    judgments = [Judgment(link.bearing, link.strength)]
    if reviews:
        judgments += [Judgment(j.bearing, j.strength) for r in reviews for j in r.links if j.hypothesis == hid]
    confounds = []
    for e in c.confounds:
        ct = kb.confounds.get(e.type)
        if ct is not None:
            judged = [j.judged for r in reviews for j in r.confounds if j.confound == e.type] if reviews else []
            confounds.append(ConfoundEvidence(type=e.type, group=ct.group, severity=ct.severity, controlled=(e.controlled, *judged)))
    origin, channel = c.provenance.origin, c.provenance.channel
    sources = (channel,) if isinstance(origin, Missing) or origin == channel else (origin, channel)
    return LinkEvidence(
        claim=c.id,
        kind=c.kind,
        tier=c.provenance.tier,
        cluster=cluster,
        judgments=tuple(judgments),
        confounds=tuple(confounds),
        sources=sources,
        approved=c.status is Status.APPROVED,
    )


def evidence(kb: KnowledgeBase, *, approved_only: bool = False) -> list[HypothesisEvidence]:
    """Typed evidence per hypothesis (sorted by id). Superseded and retracted claims never count;
    with `approved_only`, only approved ones do. Clusters come from the graph. Computed once per
    loaded knowledge base (explaining every hypothesis would otherwise rebuild it every time)."""
    # keyed by the claim objects themselves, so replacing or adding a claim misses the cache
    key = ("evidence", approved_only, hash(tuple(map(id, kb.claims.values()))), len(kb.hypotheses), len(kb.confounds))
    if key not in kb.cache:  # the claims are kept with the result so their ids cannot be reused
        if approved_only:  # approved claims are counted claims: the same links, the others left out
            every = evidence(kb)
            kb.cache[key] = (list(kb.claims.values()), [replace(h, links=tuple(lk for lk in h.links if lk.approved)) for h in every])
        else:
            with gc_paused():
                kb.cache[key] = (list(kb.claims.values()), _evidence(kb))
    cached: list[HypothesisEvidence] = kb.cache[key][1]
    return cached


def _evidence(kb: KnowledgeBase) -> list[HypothesisEvidence]:
    cluster = clusters(build_graph(kb))
    links: dict[str, list[LinkEvidence]] = {hid: [] for hid in kb.hypotheses}
    for c in kb.claims.values():
        if c.status not in COUNTED:
            continue
        seen: set[str] = set()
        for link in c.links:  # a claim's first link to a hypothesis is the one that counts
            if link.hypothesis in links and link.hypothesis not in seen:
                seen.add(link.hypothesis)
                links[link.hypothesis].append(_link_evidence(kb, c, link, cluster[c.id]))
    return [HypothesisEvidence(hid, kb.hypotheses[hid].prior, tuple(links[hid])) for hid in sorted(kb.hypotheses)]


# --- results ------------------------------------------------------------------------------------


def _groups(kb: KnowledgeBase) -> list[str]:
    return sorted({ct.group for ct in kb.confounds.values()})


def _result(
    kb: KnowledgeBase, weights: Weights, full: HypothesisEvidence, run: Run, profile: str, sens: Sensitivity, tr: Trace | None = None
) -> HypothesisResult:
    h, post = run.evidence, run.posterior
    tr = tr or trace(run, weights, profile)
    total = float(run.point.magnitude.sum())
    unreviewed = sum(m for lk, m in zip(h.links, run.point.magnitude, strict=True) if not lk.approved)
    cert = certainty(run, post, weights.grade)
    n = counts(full)  # neutral and directionless links included
    return HypothesisResult(
        id=h.id,
        title=kb.hypotheses[h.id].title,
        profile=profile,
        prior=run.prior,
        posterior=_r(post.median),
        interval=(_r(post.low), _r(post.high)),
        decibans=_r(tr.net_decibans, 3),
        grade=cert.grade,
        grade_reasons=list(cert.reasons),
        n_supports=n.supports,
        n_undermines=n.undermines,
        n_mixed=n.mixed,
        n_neutral=n.neutral,
        n_clusters=run.point.n_clusters,
        fragile=sens.fragile,
        fragile_reasons=list(sens.fragile_reasons),
        top_driver=tr.top_driver,
        unreviewed_share=_r(unreviewed / total if total > 0 else 0.0),
        rivals=sorted(set(kb.hypotheses[h.id].rivals)),
    )


def compute_portfolio(
    kb: KnowledgeBase,
    weights: Weights,
    profile: str = "default",
    prior: float | None = None,
    approved_only: bool = False,
    draws: int | None = None,
    seed: int | None = None,
) -> list[HypothesisResult]:
    """One HypothesisResult per hypothesis, sorted by id."""
    weights.profile(profile)
    hs = evidence(kb, approved_only=approved_only)
    runs = aggregate_all(hs, weights, profile, draws=draws, seed=seed, prior=prior)
    groups = _groups(kb)
    out = []
    for h, run in zip(hs, runs, strict=True):
        sens = sensitivity(run, weights, groups, profile, monte_carlo=False)
        out.append(_result(kb, weights, h, run, profile, sens))
    return out


def _one(kb: KnowledgeBase, hypothesis: str, approved_only: bool) -> HypothesisEvidence:
    if hypothesis not in kb.hypotheses:
        raise NotFound("hypothesis", hypothesis)
    return next(h for h in evidence(kb, approved_only=approved_only) if h.id == hypothesis)


def _analysed(
    kb: KnowledgeBase,
    weights: Weights,
    hypothesis: str,
    profile: str,
    prior: float | None,
    approved_only: bool,
    draws: int | None,
    seed: int | None,
) -> tuple[HypothesisEvidence, Run, Sensitivity]:
    """One hypothesis' evidence, its Monte Carlo run and its full sensitivity analysis."""
    weights.profile(profile)
    h = _one(kb, hypothesis, approved_only)
    run = aggregate(h, weights, profile, draws=draws, seed=seed, prior=prior)
    return h, run, sensitivity(run, weights, _groups(kb), profile, draws=draws, seed=seed)


def _sensitivity_out(hid: str, sens: Sensitivity) -> SensitivityOut:
    def scen(s: Scenario) -> ScenarioOut:
        p = s.posterior
        return ScenarioOut(
            name=s.name,
            decibans=_r(s.decibans, 3),
            direction=s.direction,
            posterior=_r(p.median) if p else None,
            interval=(_r(p.low), _r(p.high)) if p else None,
        )

    return SensitivityOut(
        id=hid,
        prior_sweep=[PriorOut(prior=p.prior, posterior=_r(p.median), interval=(_r(p.low), _r(p.high))) for p in sens.prior_sweep],
        profiles=[scen(s) for s in sens.profiles],
        confound_groups=[scen(s) for s in sens.confound_groups],
        fragile=sens.fragile,
        fragile_reasons=list(sens.fragile_reasons),
    )


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
    h, _, sens = _analysed(kb, weights, hypothesis, profile, prior, approved_only, draws, seed)
    return _sensitivity_out(h.id, sens)


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
    h, run, sens = _analysed(kb, weights, hypothesis, profile, prior, approved_only, draws, seed)
    tr = trace(run, weights, profile)
    loo = {d.id: d for d in tr.leave_one_out}
    contributions = [
        ContributionOut(
            claim=c.claim,
            cluster=c.cluster,
            bearing=c.bearing,
            approved=c.approved,
            decibans=_r(c.decibans, 4),
            credence_points=_r(c.credence_points),
            leave_one_out_decibans=_r(loo[c.claim].decibans, 4),
            leave_one_out_credence_points=_r(loo[c.claim].credence_points),
        )
        for c in sorted(tr.contributions, key=lambda c: (-abs(c.decibans), c.claim))
    ]
    return Explanation(
        id=h.id,
        summary=_result(kb, weights, h, run, profile, sens, tr),
        decibans=_r(tr.net_decibans, 4),
        contributions=contributions,
        leave_one_source_out=[
            DeltaOut(source=d.id, removed=list(d.removed), decibans=_r(d.decibans, 4), credence_points=_r(d.credence_points))
            for d in tr.leave_one_source_out
        ],
        flip_set=list(tr.flip_set) if tr.flip_set is not None else None,
        sensitivity=_sensitivity_out(h.id, sens),
    )
