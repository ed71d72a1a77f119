"""The aggregator on typed inputs: properties (hypothesis) and the behaviours the brief promises."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.aggregate import ConfoundEvidence, HypothesisEvidence, Judgment, LinkEvidence, aggregate, point_net, point_net_without_each
from kb.models import LinkJudgment, Review
from kb.portfolio import evidence
from kb.store import load
from kb.trace import trace
from kb.vocab import Bearing, Controlled, Kind, Severity, Strength, Tier
from kb.weights import InvalidWeights, load_weights, parse_weights

REPO = Path(__file__).resolve().parents[1]
WEIGHTS = load_weights(REPO)
DRAWS = 400
FAST = settings(max_examples=25, deadline=None)

directional = st.sampled_from([Bearing.SUPPORTS, Bearing.UNDERMINES, Bearing.MIXED])
links = st.builds(
    LinkEvidence,
    claim=st.uuids().map(lambda u: f"c-{u.hex[:8]}"),
    kind=st.sampled_from([Kind.EMPIRICAL, Kind.ARGUMENT, Kind.TESTIMONY, Kind.ANECDOTE]),
    tier=st.sampled_from(list(Tier)),
    cluster=st.sampled_from(["s1", "s2", "s3", "s4"]),
    judgments=st.tuples(st.builds(Judgment, directional, st.sampled_from(list(Strength)))),
    confounds=st.lists(
        st.builds(
            ConfoundEvidence,
            type=st.sampled_from(["role-play", "output-inference"]),
            group=st.sampled_from(["elicitation", "inference"]),
            severity=st.sampled_from(list(Severity)),
            controlled=st.tuples(st.sampled_from(list(Controlled))),
        ),
        max_size=2,
    ).map(tuple),
)
portfolios = st.lists(links, max_size=8, unique_by=lambda lk: lk.claim)


def hyp(items: list[LinkEvidence], prior: float = 0.3) -> HypothesisEvidence:
    return HypothesisEvidence("h-test", prior, tuple(items))


def post(items: list[LinkEvidence], **kw: object) -> tuple[float, float, float]:
    p = aggregate(hyp(items), WEIGHTS, draws=DRAWS, **kw).posterior  # type: ignore[arg-type]
    return p.median, p.low, p.high


def link(
    claim: str, bearing: Bearing = Bearing.SUPPORTS, strength: Strength = Strength.MODERATE, cluster: str | None = None, **kw: object
) -> LinkEvidence:
    return LinkEvidence(claim, Kind.EMPIRICAL, Tier.PRIMARY, cluster or claim, (Judgment(bearing, strength),), **kw)  # type: ignore[arg-type]


@FAST
@given(portfolios, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_claims(items: list[LinkEvidence], rnd: random.Random) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert post(items) == post(shuffled)


@FAST
@given(portfolios, st.sampled_from(list(Strength)), st.sampled_from([Kind.EMPIRICAL, Kind.DEFINITION]))
def test_adding_a_neutral_claim_changes_nothing(items: list[LinkEvidence], strength: Strength, kind: Kind) -> None:
    neutral = LinkEvidence("zz-neutral", Kind.EMPIRICAL, Tier.PRIMARY, "s1", (Judgment(Bearing.NEUTRAL, strength),))
    directionless = LinkEvidence("zz-definition", kind.DEFINITION, Tier.PRIMARY, "s2", (Judgment(Bearing.SUPPORTS, strength),))
    assert post([*items, neutral, directionless]) == post(items)


@FAST
@given(portfolios, st.sampled_from(list(Strength)), st.sampled_from(["s1", "s9"]))
def test_a_supporting_link_never_lowers_the_median_and_an_undermining_one_never_raises_it(
    items: list[LinkEvidence], strength: Strength, cluster: str
) -> None:
    base = post(items)[0]
    assert post([*items, link("zz-new", Bearing.SUPPORTS, strength, cluster)])[0] >= base - 1e-12
    assert post([*items, link("zz-new", Bearing.UNDERMINES, strength, cluster)])[0] <= base + 1e-12


@FAST
@given(st.sampled_from(list(Strength)), st.sampled_from([Bearing.SUPPORTS, Bearing.UNDERMINES]))
def test_a_restatement_from_the_same_work_moves_the_posterior_less_than_an_independent_finding(
    strength: Strength, bearing: Bearing
) -> None:
    first = link("a", bearing, strength, "study-1")
    base = post([first])[0]
    restated = post([first, link("b", bearing, strength, "study-1")])[0]
    independent = post([first, link("b", bearing, strength, "study-2")])[0]
    assert 0 < abs(restated - base) < abs(independent - base)


@FAST
@given(st.sampled_from(list(Severity)), st.sampled_from([Bearing.SUPPORTS, Bearing.UNDERMINES]))
def test_a_better_controlled_confound_moves_the_posterior_more_than_an_uncontrolled_one(severity: Severity, bearing: Bearing) -> None:
    def moved(controlled: Controlled) -> float:
        conf = (ConfoundEvidence("role-play", "elicitation", severity, (controlled,)),)
        return abs(post([link("a", bearing, Strength.STRONG, confounds=conf)])[0] - 0.3)

    assert moved(Controlled.YES) > moved(Controlled.PARTIAL) > moved(Controlled.NO)


@FAST
@given(portfolios, st.floats(0.001, 0.999))
def test_posteriors_stay_inside_zero_and_one(items: list[LinkEvidence], prior: float) -> None:
    median, low, high = post(items, prior=prior)
    assert 0 < low <= median <= high < 1


@FAST
@given(portfolios)
def test_the_same_seed_gives_the_same_output(items: list[LinkEvidence]) -> None:
    assert post(items, seed=7) == post(items, seed=7)


def test_mixed_evidence_widens_the_interval_without_moving_the_centre() -> None:
    base = aggregate(hyp([link("a")]), WEIGHTS, draws=4000).posterior
    mixed = aggregate(hyp([link("a"), link("b", Bearing.MIXED, Strength.STRONG)]), WEIGHTS, draws=4000).posterior
    assert mixed.high - mixed.low > base.high - base.low
    assert mixed.median == pytest.approx(base.median, abs=0.03)


def test_contributions_add_up_to_the_net_evidence() -> None:
    items = [
        link("a", Bearing.SUPPORTS, Strength.STRONG, "s1"),
        link("b", Bearing.SUPPORTS, Strength.WEAK, "s1"),
        link("c", Bearing.UNDERMINES, Strength.MODERATE, "s2"),
        link("d", Bearing.MIXED, Strength.MODERATE, "s3"),
    ]
    tr = trace(aggregate(hyp(items), WEIGHTS, draws=DRAWS), WEIGHTS)
    assert sum(c.decibans for c in tr.contributions) == pytest.approx(tr.net_decibans)
    assert tr.top_driver == "a"
    assert tr.flip_set == ("a",)


@FAST
@given(st.lists(links, min_size=1, max_size=12, unique_by=lambda lk: lk.claim))
def test_leave_one_out_in_one_pass_equals_removing_each_link_and_recomputing(items: list[LinkEvidence]) -> None:
    run = aggregate(hyp(items), WEIGHTS, draws=50)
    fast = point_net_without_each(run.point, run.r)
    for i in range(len(run.evidence.links)):
        keep = np.ones(len(run.evidence.links), dtype=bool)
        keep[i] = False
        assert fast[i] == pytest.approx(point_net(run.point, run.r, keep), abs=1e-9)


def _claim_review(reviewer: str, bearing: Bearing, strength: Strength) -> Review:
    return Review(
        reviewer=reviewer,
        started=dt.datetime(2026, 1, 1),
        links=[LinkJudgment(hypothesis="h-functional-introspection", bearing=bearing, strength=strength)],
    )


def test_two_reviewers_who_disagree_widen_the_interval_compared_with_two_who_agree(kb_root: Path) -> None:
    kb, _ = load(kb_root)
    claim = kb.claims["steering-resistance-self-correction"]

    def width(reviews: list[Review]) -> float:
        kb.claims[claim.id] = claim.model_copy(update={"reviews": reviews})
        h = next(h for h in evidence(kb) if h.id == "h-functional-introspection")
        p = aggregate(h, WEIGHTS, draws=2000).posterior
        return p.high - p.low

    agree = width([_claim_review("r1", Bearing.SUPPORTS, Strength.WEAK), _claim_review("r2", Bearing.SUPPORTS, Strength.WEAK)])
    disagree = width([_claim_review("r1", Bearing.SUPPORTS, Strength.STRONG), _claim_review("r2", Bearing.UNDERMINES, Strength.STRONG)])
    assert disagree > agree


def test_a_bad_weights_file_fails_with_one_line_naming_path_line_and_field() -> None:
    text = (REPO / "claims" / "weights.yaml").read_text(encoding="utf-8").replace("testimony: 0.35", "testimony: 1.35", 1)
    with pytest.raises(InvalidWeights) as err:
        parse_weights(text, "claims/weights.yaml")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "testimony: 1.35" in ln)
    assert (
        str(err.value) == f"claims/weights.yaml:{line}: profiles.default.kind.testimony: Input should be less than or equal to 1 (got 1.35)"
    )


def test_grade_downgrades_evidence_resting_mostly_on_one_work() -> None:
    from kb.grade import certainty

    def link(claim: str, study: str, work: str) -> LinkEvidence:
        return LinkEvidence(claim, Kind.EMPIRICAL, Tier.PRIMARY, study, (Judgment(Bearing.SUPPORTS, Strength.STRONG),), (), (work,))

    one_work = HypothesisEvidence("h", 0.3, tuple(link(f"c{i}", f"s{i}", "paper-a") for i in range(4)) + (link("c9", "s9", "paper-b"),))
    spread = HypothesisEvidence("h", 0.3, tuple(link(f"c{i}", f"s{i}", f"paper-{i}") for i in range(5)))
    reasons = {
        name: certainty(run := aggregate(h, WEIGHTS, draws=500), run.posterior, WEIGHTS.grade).reasons
        for name, h in (("one", one_work), ("spread", spread))
    }
    assert any(r.startswith("reporting bias: 80% of the weight rests on one work (paper-a)") for r in reasons["one"])
    assert not any(r.startswith("reporting bias") for r in reasons["spread"])
