"""The aggregator on typed inputs: each property the second edition promises, tested black-box on
generated portfolios (hypothesis), in the point estimate and in every Monte Carlo draw."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.aggregate import (
    ConfoundEvidence,
    Dependence,
    HypothesisEvidence,
    Judgment,
    LinkEvidence,
    Reading,
    Run,
    aggregate_all,
    build_rows,
    ceiling,
    draw_nets,
    layout,
    logit,
    point_nets,
    point_tables,
    specials,
)
from kb.grade import certainty
from kb.trace import trace
from kb.vocab import Bearing, Controlled, Design, Kind, Severity, Strength, Tier
from kb.weights import InvalidWeights, load_weights, parse_weights

REPO = Path(__file__).resolve().parents[1]
WEIGHTS = load_weights(REPO)
DRAWS = 300
FAST = settings(max_examples=30, deadline=None)
NAMES = ["a", "b", "c", "d"]

directional = st.sampled_from([Bearing.SUPPORTS, Bearing.UNDERMINES, Bearing.MIXED])
judgment = st.builds(Judgment, directional, st.sampled_from(list(Strength)))
confound = st.builds(
    ConfoundEvidence,
    type=st.sampled_from(["role-play", "output-inference", "affirmative-response-bias"]),
    group=st.sampled_from(["elicitation", "inference"]),
    severity=st.sampled_from(list(Severity)),
    controlled=st.lists(st.sampled_from(list(Controlled)), min_size=1, max_size=2).map(tuple),
    rival=st.sampled_from([None, None, "h-rival"]),
)
dependence = st.builds(
    Dependence,
    result=st.sampled_from(["r1", "r2", "r3", "r4", "r5"]),
    study=st.sampled_from(["s1", "s2", "s3"]),
    work=st.sampled_from(["w1", "w2"]),
    group=st.sampled_from(["g1", "g2"]),
    channel=st.sampled_from(["podcast", "paper", "thread"]),
)
links = st.builds(
    LinkEvidence,
    claim=st.uuids().map(lambda u: f"c-{u.hex[:8]}"),
    kind=st.sampled_from([Kind.EMPIRICAL, Kind.ARGUMENT, Kind.TESTIMONY, Kind.ANECDOTE]),
    tier=st.sampled_from(list(Tier)),
    judgments=st.lists(judgment, min_size=1, max_size=3).map(tuple),
    confounds=st.lists(confound, max_size=2, unique_by=lambda c: c.type).map(tuple),
    dependence=dependence,
    approved=st.booleans(),
    machine=st.booleans(),
    design=st.sampled_from(list(Design)),
    key=st.uuids().map(lambda u: u.hex),
)
portfolios = st.lists(links, max_size=10, unique_by=lambda lk: lk.claim)


def hyp(items: list[LinkEvidence], prior: float = 0.3, hid: str = "h-test", question: str | None = None) -> HypothesisEvidence:
    return HypothesisEvidence(hid, prior, tuple(items), question=question)


def runs(hs: list[HypothesisEvidence], **kw: object) -> dict[str, Run]:
    kw.setdefault("draws", DRAWS)
    return {r.evidence.id: r for r in aggregate_all(hs, WEIGHTS, **kw)}  # type: ignore[arg-type]


def one(items: list[LinkEvidence], **kw: object) -> Run:
    return runs([hyp(items), hyp([], 0.4, "h-rival")], **kw)["h-test"]


def link(name: str, bearing: Bearing = Bearing.SUPPORTS, strength: Strength = Strength.MODERATE, **kw: object) -> LinkEvidence:
    deps = kw.pop("dependence", Dependence(f"r-{name}", f"s-{name}", f"w-{name}", f"g-{name}", f"ch-{name}"))
    kw.setdefault("key", f"key-{name}")
    return LinkEvidence(name, Kind.EMPIRICAL, Tier.PRIMARY, (Judgment(bearing, strength),), dependence=deps, **kw)  # type: ignore[arg-type]


# --- 2. dependence that saturates -----------------------------------------------------------------


@FAST
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Strength)), st.sampled_from(list(Tier)), st.sampled_from(["r1", "r2", "r3"])),
        min_size=1,
        max_size=120,
    )
)
def test_restatements_of_one_study_never_count_more_than_twice_the_strongest(specs: list[tuple[Strength, Tier, str]]) -> None:
    items = [
        LinkEvidence(
            f"c{i}",
            Kind.EMPIRICAL,
            tier,
            (Judgment(Bearing.SUPPORTS, s),),
            dependence=Dependence(result, "study", "work", "group", f"ch{i % 7}"),
            key=f"k{i}",
        )
        for i, (s, tier, result) in enumerate(specs)
    ]
    together = one(items)
    alone = [one([lk]) for lk in items]
    assert together.net <= 2 * max(r.net for r in alone) + 1e-9
    assert (together.own_draws <= 2 * np.max([r.own_draws for r in alone], axis=0) + 1e-6).all()


def test_a_hundred_restatements_of_one_moderate_preprint_stay_far_from_certainty() -> None:
    items = [
        LinkEvidence(
            f"c{i}",
            Kind.EMPIRICAL,
            Tier.PREPRINT,
            (Judgment(Bearing.SUPPORTS, Strength.MODERATE),),
            dependence=Dependence(f"r{i}", "study", "work", "g", f"ch{i}"),
            key=f"k{i}",
        )
        for i in range(100)
    ]
    single, many = one(items[:1]), one(items)
    assert many.net <= 2 * single.net
    assert many.point < 0.75 and many.posterior.high < 0.99


@FAST
@given(st.integers(1, 1500), st.sampled_from([Strength.WEAK]), st.sampled_from(list(Tier)))
def test_no_number_of_weak_anecdotes_passes_the_stated_ceiling(n: int, strength: Strength, tier: Tier) -> None:
    items = [
        LinkEvidence(
            f"c{i}",
            Kind.ANECDOTE,
            tier,
            (Judgment(Bearing.SUPPORTS, strength),),
            dependence=Dependence(f"r{i}", f"s{i}", f"w{i}", f"g{i}", f"ch{i}"),
            key=f"k{i}",
        )
        for i in range(n)
    ]
    run = one(items)
    cap = ceiling(WEIGHTS, Kind.ANECDOTE, strength)
    assert run.net <= cap.point + 1e-9 and (run.own_draws <= cap.any_draw + 1e-6).all()
    assert run.point <= float(1 / (1 + math.exp(-(logit(0.3) + cap.point)))) + 1e-12


@FAST
@given(portfolios, links, st.booleans())
def test_adding_support_never_lowers_and_undermining_never_raises_in_the_point_or_any_draw(
    items: list[LinkEvidence], new: LinkEvidence, in_question: bool
) -> None:
    question = "q" if in_question else None

    def credences(extra: list[LinkEvidence]) -> tuple[float, np.ndarray]:
        hs = [
            hyp(items + extra, 0.3, "h-test", question),
            hyp([], 0.4, "h-rival"),
            hyp(items[:3], 0.7 if in_question else 0.5, "h-other", question),
        ]
        r = runs(hs, seed=11)["h-test"]
        return r.point, r.draws

    base_point, base_draws = credences([])
    for bearing, sign in ((Bearing.SUPPORTS, 1), (Bearing.UNDERMINES, -1)):
        added = replace(
            new, judgments=(Judgment(bearing, new.judgments[0].strength),), confounds=tuple(replace(c, rival=None) for c in new.confounds)
        )
        point, draws = credences([added])
        assert sign * (point - base_point) >= -1e-12
        worst = float((sign * (draws - base_draws)).min())
        assert worst >= -1e-9, (bearing.value, worst, int(np.argmin(sign * (draws - base_draws))))


@FAST
@given(portfolios, st.lists(st.sampled_from(list(Strength)), max_size=4))
def test_the_compiled_draws_pool_as_the_numpy_point_estimate_does(items: list[LinkEvidence], extra: list[Strength]) -> None:
    """The Monte Carlo's compiled loop (kb.montecarlo), fed the point's constants in every column and
    no reading error, gives the point's own net evidence in every draw (float32 against float64)."""
    one_reading = [
        replace(lk, judgments=lk.judgments[:1], confounds=tuple(replace(c, controlled=c.controlled[:1]) for c in lk.confounds))
        for lk in items
    ]
    restated = [replace(link(f"x{i}", strength=s), dependence=Dependence("r", "s", "w", "g", "ch")) for i, s in enumerate(extra)]
    h = hyp(one_reading + restated)
    expected = point_nets([h], WEIGHTS)["h-test"]
    pt = point_tables(WEIGHTS, WEIGHTS.profile("default"))
    n = 7
    t = replace(
        pt,
        llr=np.repeat(pt.llr, n, axis=1),
        kind=np.repeat(pt.kind, n, axis=1),
        tier=np.repeat(pt.tier, n, axis=1),
        shrink=np.repeat(pt.shrink, n, axis=1),
        share=np.repeat(pt.share, n, axis=1),
        rho=np.repeat(pt.rho, n, axis=1),
        reading=Reading(np.linspace(0, 1, n, endpoint=False), np.zeros(3), np.ones(len(Strength)), np.ones(len(Strength))),
    )
    lay = layout(build_rows([h])["h-test"])
    nets, _ = draw_nets(lay, t, t.linear(), t.rho.astype(np.float32), np.linspace(0, 1, n, endpoint=False), specials(lay))
    assert np.allclose(nets, expected, rtol=1e-5, atol=1e-5), (nets, expected)


def test_restatements_through_other_channels_move_the_credence_less_than_an_independent_study() -> None:
    first = link("a")
    restated = link("b", dependence=replace(first.deps, channel="ch-b"))
    independent = link("b")
    base, same, other = one([first]).net, one([first, restated]).net, one([first, independent]).net
    assert base < same < other


# --- 3. questions -------------------------------------------------------------------------------


@FAST
@given(portfolios, portfolios, st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3))
def test_answers_of_a_question_sum_to_one_in_the_point_and_in_every_draw(
    a: list[LinkEvidence], b: list[LinkEvidence], raw: list[float]
) -> None:
    priors = [x / sum(raw) for x in raw]
    hs = [hyp(a, priors[0], "h-a", "q"), hyp(b, priors[1], "h-b", "q"), hyp([], priors[2], "h-none", "q"), hyp([], 0.4, "h-rival")]
    out = runs(hs)
    assert sum(out[h].point for h in ("h-a", "h-b", "h-none")) == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(sum(out[h].draws for h in ("h-a", "h-b", "h-none")), 1.0, atol=1e-9)


def test_three_findings_for_three_rival_answers_cannot_all_pass_a_half() -> None:
    hs = [hyp([link(f"x{i}", strength=Strength.STRONG)], 1 / 3, f"h-{i}", "q") for i in range(3)]
    out = runs(hs)
    assert sum(r.point for r in out.values()) == pytest.approx(1.0)
    assert all(r.point < 0.5 for r in out.values())


def test_a_free_standing_hypothesis_is_the_question_h_or_not_h() -> None:
    r = one([link("a", strength=Strength.STRONG)])
    assert logit(r.point) == pytest.approx(logit(0.3) + r.net)


# --- 4. confounds per link, and rivals ----------------------------------------------------------


def test_an_uncontrolled_confound_moves_weight_toward_the_rival_it_embodies() -> None:
    def rival_credence(controlled: Controlled) -> float:
        conf = (ConfoundEvidence("affirmative-response-bias", "intervention", Severity.HIGH, (controlled,), "h-rival"),)
        return runs([hyp([link("a", strength=Strength.STRONG, confounds=conf)]), hyp([], 0.4, "h-rival")])["h-rival"].point

    assert rival_credence(Controlled.NO) > rival_credence(Controlled.PARTIAL) > rival_credence(Controlled.YES) > 0.4
    assert rival_credence(Controlled.NOT_APPLICABLE) == pytest.approx(0.4)


def test_within_a_question_a_confound_embodied_by_another_answer_discriminates_neither() -> None:
    conf = (ConfoundEvidence("role-play", "elicitation", Severity.HIGH, (Controlled.NO,), "h-sim"),)
    hs = [
        hyp([link("a", strength=Strength.STRONG, confounds=conf)], 0.3, "h-own", "q"),
        hyp([], 0.5, "h-sim", "q"),
        hyp([], 0.2, "h-neither", "q"),
    ]
    out = runs(hs)
    assert out["h-own"].point > 0.3 and out["h-sim"].point > out["h-neither"].point / 0.2 * 0.5 * 0.99


def test_a_better_controlled_confound_moves_the_credence_more() -> None:
    def moved(controlled: Controlled) -> float:
        conf = (ConfoundEvidence("output-inference", "inference", Severity.HIGH, (controlled,)),)
        return one([link("a", strength=Strength.STRONG, confounds=conf)]).point - 0.3

    assert moved(Controlled.YES) > moved(Controlled.PARTIAL) > moved(Controlled.NO) > 0


# --- 5. mixed evidence --------------------------------------------------------------------------


@FAST
@given(portfolios, st.lists(st.sampled_from(list(Strength)), min_size=1, max_size=30))
def test_mixed_links_never_move_the_centre_nor_raise_the_grade(items: list[LinkEvidence], strengths: list[Strength]) -> None:
    mixed = [link(f"m{i}", Bearing.MIXED, s, key=f"m{i}") for i, s in enumerate(strengths)]
    before, after = one(items), one(items + mixed)
    assert after.point == pytest.approx(before.point, abs=1e-12)
    nets = point_nets([hyp(items)], WEIGHTS, "default")
    grades = [
        certainty(r, {p: point_nets([r.evidence], WEIGHTS, p)["h-test"] for p in WEIGHTS.profiles}, WEIGHTS.grade).grade
        for r in (before, after)
    ]
    order = ["high", "moderate", "low", "very-low"]
    assert order.index(grades[1].value) >= order.index(grades[0].value)
    assert nets["h-test"] == pytest.approx(before.net)


@FAST
@given(st.lists(st.sampled_from(list(Strength)), min_size=1, max_size=40), st.floats(0.02, 0.98))
def test_mixed_evidence_alone_is_never_wider_than_the_prior_alone(strengths: list[Strength], prior: float) -> None:
    mixed = [link(f"m{i}", Bearing.MIXED, s, key=f"m{i}") for i, s in enumerate(strengths)]
    alone = runs([hyp([], prior)], draws=2000)["h-test"].posterior
    with_mixed = runs([hyp(mixed, prior)], draws=2000)["h-test"].posterior
    assert with_mixed.high - with_mixed.low <= alone.high - alone.low + 1e-9
    assert with_mixed.low >= alone.low - 1e-9 and with_mixed.high <= alone.high + 1e-9


# --- 6. an honest interval ----------------------------------------------------------------------


@FAST
@given(st.floats(0.01, 0.99))
def test_a_hypothesis_with_no_evidence_shows_its_prior_with_the_prior_s_own_uncertainty(prior: float) -> None:
    p = runs([hyp([], prior)], draws=2000)["h-test"]
    assert p.point == pytest.approx(prior)
    assert p.posterior.low < prior < p.posterior.high


@FAST
@given(portfolios, st.randoms(use_true_random=False))
def test_renaming_and_reordering_claims_changes_no_number(items: list[LinkEvidence], rnd: random.Random) -> None:
    renamed = [replace(lk, claim=f"renamed-{rnd.random()}") for lk in items]
    rnd.shuffle(renamed)
    a, b = one(items), one(renamed)
    assert a.point == b.point and np.array_equal(a.draws, b.draws)


@FAST
@given(portfolios, links)
def test_an_unrelated_anecdote_never_moves_another_hypothesis(items: list[LinkEvidence], other: LinkEvidence) -> None:
    other = replace(other, confounds=())
    base = runs([hyp(items), hyp([], 0.5, "h-unrelated")])["h-test"]
    more = runs([hyp(items), hyp([other], 0.5, "h-unrelated")])["h-test"]
    assert np.array_equal(base.draws, more.draws)


@FAST
@given(portfolios)
def test_the_same_seed_gives_the_same_output_and_the_posterior_stays_in_zero_one(items: list[LinkEvidence]) -> None:
    a, b = one(items, seed=7), one(items, seed=7)
    assert np.array_equal(a.draws, b.draws)
    assert 0 < a.posterior.low <= a.posterior.median <= a.posterior.high < 1


def test_reviewers_who_disagree_widen_the_interval() -> None:
    agree = link("a", key="same")
    disagree = replace(agree, judgments=(Judgment(Bearing.SUPPORTS, Strength.STRONG), Judgment(Bearing.UNDERMINES, Strength.STRONG)))
    wide, narrow = one([disagree], draws=3000).posterior, one([agree], draws=3000).posterior
    assert wide.high - wide.low > narrow.high - narrow.low


# --- 8. the grade -------------------------------------------------------------------------------


def _grade(r: Run) -> str:
    return certainty(r, {p: point_nets([r.evidence], WEIGHTS, p)[r.evidence.id] for p in WEIGHTS.profiles}, WEIGHTS.grade).grade.value


@FAST
@given(portfolios, st.floats(0.02, 0.98), st.integers(0, 10_000))
def test_the_grade_depends_neither_on_the_prior_nor_on_the_seed(items: list[LinkEvidence], prior: float, seed: int) -> None:
    assert _grade(one(items)) == _grade(one(items, prior=prior, seed=seed))


def test_unreviewed_machine_extracted_evidence_is_capped_at_low() -> None:
    strong = [
        link(f"c{i}", strength=Strength.STRONG, design=Design.STEERING, dependence=Dependence(f"r{i}", f"s{i}", f"w{i}", f"g{i}", f"ch{i}"))
        for i in range(6)
    ]
    reviewed = one(strong)
    machine = one([replace(lk, approved=False, machine=True) for lk in strong])
    assert _grade(reviewed) in ("high", "moderate")
    assert _grade(machine) == "low"


def test_the_grade_names_concentration_in_one_channel() -> None:
    items = [link(f"c{i}", dependence=Dependence(f"r{i}", f"s{i}", f"w{i}", f"g{i}", "one-podcast")) for i in range(4)]
    run = one(items)
    reasons = certainty(run, dict.fromkeys(WEIGHTS.profiles, 0.5), WEIGHTS.grade).reasons
    assert any(r.startswith("concentration: 100% of the weight comes through one channel (one-podcast)") for r in reasons)


# --- traceability -------------------------------------------------------------------------------


def test_contributions_add_up_to_the_net_and_name_the_driver() -> None:
    items = [
        link("a", strength=Strength.STRONG),
        link("b", strength=Strength.WEAK, dependence=Dependence("r-b", "s-a", "w-a", "g-a", "ch-a")),
        link("c", Bearing.UNDERMINES, Strength.MODERATE),
        link("d", Bearing.MIXED, Strength.MODERATE),
    ]
    tr = trace(one(items))
    assert sum(c.decibans for c in tr.contributions) == pytest.approx(tr.net_decibans)
    assert tr.top_driver == "a"
    assert tr.flip_set == ("a",)


@FAST
@given(st.lists(links, min_size=1, max_size=10, unique_by=lambda lk: lk.claim))
def test_leave_one_out_equals_removing_the_claim_and_recomputing(items: list[LinkEvidence]) -> None:
    run = one(items)
    loo = {d.id: d.decibans for d in trace(run).leave_one_out}
    for lk in items:
        if lk.claim in loo:
            rest = one([x for x in items if x is not lk]).net
            assert loo[lk.claim] == pytest.approx(10 * (rest - run.net) / math.log(10), abs=1e-6)


def test_a_bad_weights_file_fails_with_one_line_naming_path_line_and_field() -> None:
    text = (REPO / "claims" / "weights.yaml").read_text(encoding="utf-8").replace("testimony: 0.35", "testimony: 1.35", 1)
    with pytest.raises(InvalidWeights) as err:
        parse_weights(text, "claims/weights.yaml")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "testimony: 1.35" in ln)
    assert (
        str(err.value) == f"claims/weights.yaml:{line}: profiles.default.kind.testimony: Input should be less than or equal to 1 (got 1.35)"
    )


def test_correlations_that_would_let_restatements_count_more_than_twice_are_refused() -> None:
    text = (REPO / "claims" / "weights.yaml").read_text(encoding="utf-8").replace("    low: 0.6\n", "    low: 0.3\n", 1)
    with pytest.raises(InvalidWeights, match="result.low x study.low must be at least 0.5"):
        parse_weights(text, "claims/weights.yaml")


@FAST
@given(portfolios, st.integers(0, 2**16))
def test_leaving_each_claim_or_work_out_incrementally_equals_masking_it(items: list[LinkEvidence], seed: int) -> None:
    """Run.net_without_each (each group's rows dropped, computed incrementally up the trees where
    a group has one row per side) equals net_without with the explicit masks, for claims and for
    groups of several rows."""
    run = one(items, seed=seed)
    n = len(run.layout.rows)
    rnd = random.Random(seed)
    groups = [[i] for i in range(n)] + [sorted(rnd.sample(range(n), rnd.randint(1, n))) for _ in range(5) if n]
    by_claim: dict[str, list[int]] = {}
    for i, r in enumerate(run.layout.rows):
        by_claim.setdefault(r.link.claim, []).append(i)
    groups += list(by_claim.values())
    masks = np.ones((n, len(groups)), dtype=bool)
    for j, rows in enumerate(groups):
        masks[rows, j] = False
    assert np.allclose(run.net_without_each(groups), run.net_without(masks), rtol=1e-9, atol=1e-9)
