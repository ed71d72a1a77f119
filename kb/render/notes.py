"""Plain-language notes a reader can trust, computed from the data: how robust each hypothesis'
credence is (where its weight comes from, how much of it a reviewer has approved), and the terms
the pages use, each with its definition for the glossary."""

from __future__ import annotations

from collections import defaultdict

from kb.portfolio import Explanation, HypothesisResult
from kb.store import KnowledgeBase
from kb.vocab import Tier

MOST = 0.5  # a share above this is "most of the weight"
ALL = 0.99  # and above this, "all of it"

# Every term the generated pages use without explaining it on the spot: the glossary defines each
# (id `term-<slug>`), and tests/test_site.py checks every term() call in the templates is here.
TERMS: dict[str, str] = {
    "credence": "the aggregator's degree of belief that a hypothesis is true, given the findings recorded here and the stated weights; not a measured frequency, a verdict or a consensus of the field",
    "prior": "the credence a hypothesis starts from before any finding is counted, stated in its file",
    "posterior": "the credence after every counted finding: the median of the Monte Carlo draws",
    "interval": "the 90% interval of the credence over the Monte Carlo draws: how far it could move if the weights, the dependence between findings, the prior, our reading of each link and the reviewers' readings were different within their stated uncertainty",
    "dB": "decibans, the unit of net evidence: 10 × log10 of the likelihood ratio; +10 dB multiplies the odds by 10, 0 dB leaves them as they were",
    "cluster": "a group of findings that share a study, a work, a research group or a channel; findings in one cluster are combined as dependent, so restatements count once with a little more",
    "grade": "a GRADE-style certainty rating (high, moderate, low, very low), downgraded for risk of bias, imprecision, inconsistency, indirectness and thin sourcing, each reason stated",
    "top driver": "the finding whose removal would move the credence most",
    "fragile": "the direction of the evidence changes under another prior, weighting profile or with one confound class dropped",
    "flip set": "the fewest findings whose removal would turn the net evidence to the other side",
    "profile": "a set of weights (sceptical, default, credulous) applied to every finding: how much the answer depends on how evidence is weighed",
    "robustness": "a one-line note on where a credence's weight comes from: how many channels and works, which kind of source, and how much of it a reviewer has approved",
}


def slug(term: str) -> str:
    return "term-" + "-".join(term.lower().split())


def _share_by(contributions: dict[str, float], key: dict[str, str]) -> list[tuple[str, float]]:
    total = sum(contributions.values())
    shares: dict[str, float] = defaultdict(float)
    for claim, weight in contributions.items():
        shares[key.get(claim, "?")] += weight / total
    return sorted(shares.items(), key=lambda kv: -kv[1])


def robustness(kb: KnowledgeBase, result: HypothesisResult, explanation: Explanation) -> str:
    """One sentence on where the hypothesis' weight (absolute contributions) comes from."""
    weights = {c.claim: abs(c.decibans) for c in explanation.contributions if c.claim in kb.claims and c.decibans}
    if not weights:
        return "No counted finding bears on it yet: the credence is its prior."
    channel = {cid: kb.claims[cid].provenance.channel for cid in weights}
    tier = {cid: kb.claims[cid].provenance.tier.value for cid in weights}
    (top, share), n_channels = _share_by(weights, channel)[0], len(set(channel.values()))
    source = kb.sources.get(top)
    what = f"one {source.type.value}" if source is not None else "one document"
    if share > ALL:
        where = f"all of the weight comes through {what}"
    elif share > MOST:
        where = f"most of the weight ({share:.0%}) comes through {what}"
    else:
        where = f"the weight is spread over {n_channels} channels (the largest carries {share:.0%})"
    second = sum(s for t, s in _share_by(weights, tier) if t in {Tier.SECOND_HAND.value, Tier.UNPUBLISHED.value, Tier.ANECDOTE.value})
    retold = (
        "; all of it second-hand, unpublished or anecdotal"
        if second > ALL
        else f"; {second:.0%} of it second-hand, unpublished or anecdotal"
        if second > MOST
        else ""
    )
    unreviewed = result.unreviewed_share
    if unreviewed > ALL:
        review = "; all of it from unreviewed drafts"
    elif unreviewed > MOST:
        review = f"; {unreviewed:.0%} of it from claims no reviewer has approved"
    else:
        review = f"; {1 - unreviewed:.0%} of it approved by a reviewer"
    n = len(weights)
    return f"{n} finding{'s' if n != 1 else ''}: {where}{retold}{review}."
