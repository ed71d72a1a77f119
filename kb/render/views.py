"""What the pages show, computed once: the two portfolio views, each hypothesis' explanation,
and the cross-reference indexes (claims by hypothesis, confound, model, work, text)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb import history
from kb.audit import Dashboard, dashboard
from kb.bulk import gc_paused
from kb.errors import Problem
from kb.history import Point
from kb.memo import Memo, dates
from kb.memo import approved as memo_approved
from kb.models import Claim, Link
from kb.portfolio import Explanation, HypothesisResult, explain_all
from kb.render.changes import Change, changes
from kb.render.notes import robustness
from kb.render.project import Version
from kb.render.sizes import HISTORY_COMMITS
from kb.store import KnowledgeBase
from kb.vocab import Missing, Status, Stream
from kb.weights import Weights

NOT_COUNTED = frozenset({Status.SUPERSEDED, Status.RETRACTED})


@dataclass
class SiteData:
    """Everything the renderer needs, derived from one loaded knowledge base."""

    kb: KnowledgeBase
    weights: Weights
    results: dict[str, HypothesisResult]
    approved: dict[str, HypothesisResult]
    explanations: dict[str, Explanation]
    dashboard: Dashboard  # the reviewer dashboard's reports (Extras)
    links_of: dict[str, list[tuple[Claim, Link]]] = field(default_factory=lambda: defaultdict(list))
    threatened: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    studied: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    origin_of: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    channel_of: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    cites: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    discrepancies_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    drift_dates: dict[str, list[Point]] = field(default_factory=dict)
    drift_commits: dict[str, list[Point]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # newest first (kb.render.changes)
    notes: dict[str, str] = field(default_factory=dict)  # per hypothesis: kb.render.notes.robustness
    version: Version = field(default_factory=lambda: Version(None, None, "(not built)"))
    # per hypothesis: its analyses' content key (kb.memo.Memo.analyses), when the caller keeps them
    analyses: dict[str, str] = field(default_factory=dict)
    _contributions: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    def contribution(self, hypothesis: str, claim: str) -> float | None:
        """The claim's contribution (decibans) to the hypothesis, None when it is not counted."""
        if not self._contributions:
            self._contributions.update(((h, c.claim), c.decibans) for h, ex in self.explanations.items() for c in ex.contributions)
        return self._contributions.get((hypothesis, claim))

    def by_stream(self) -> list[tuple[Stream, list[HypothesisResult]]]:
        """Hypotheses grouped by research stream, in the vocabulary's order, empty streams left out."""
        groups = [(s, [self.results[h] for h in sorted(self.kb.hypotheses) if self.kb.hypotheses[h].stream is s]) for s in Stream]
        return [(s, rows) for s, rows in groups if rows]


@gc_paused()  # acyclic, over every record
def _index(data: SiteData) -> None:
    kb = data.kb
    for c in sorted(kb.claims.values(), key=lambda c: c.id):
        for link in c.links:
            data.links_of[link.hypothesis].append((c, link))
        for conf in c.confounds:
            data.threatened[conf.type].append(c)
        for mid in dict.fromkeys(m.model for m in c.models):
            data.studied[mid].append(c)
        if not isinstance(c.provenance.origin, Missing):
            data.origin_of[c.provenance.origin].append(c)
        data.channel_of[c.provenance.channel].append(c)
        for tid in dict.fromkeys(loc.text for loc in c.locators):
            data.cites[tid].append(c)
    for did, d in sorted(kb.discrepancies.items()):
        for cid in d.claims:
            data.discrepancies_of[cid].append(did)


@dataclass(frozen=True)
class Extras:
    """The views that need neither the explanations nor the default view's evidence: the
    approved-only portfolio and the drift over finding dates. Computed apart (`extras`), they can
    run on the second core while the default view is gathered and explained (kb.pipeline)."""

    approved: dict[str, HypothesisResult]
    drift_dates: dict[str, list[Point]]
    dashboard: Dashboard  # the reviewer dashboard's reports (kb.audit.dashboard), from the records alone


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def extras(
    kb: KnowledgeBase, weights: Weights, draws: int | None = None, seed: int | None = None, *, drift: bool = True, memo: Memo | None = None
) -> Extras:
    """`memo`: the analyses kept by earlier builds (kb.memo), if the caller keeps them."""
    return Extras(memo_approved(kb, weights, draws, seed, memo=memo), dates(kb, weights, memo=memo) if drift else {}, dashboard(kb))


def site_data(
    kb: KnowledgeBase,
    weights: Weights,
    *,
    draws: int | None = None,
    seed: int | None = None,
    drift: bool = True,
    problems: Sequence[Problem] = (),
    history_cache: Path | None = None,
    explanations: dict[str, Explanation] | None = None,
    computed: Extras | None = None,
    notes: dict[str, str] | None = None,
) -> SiteData:
    """Run the aggregator for both portfolio views (every counted claim; approved claims only),
    explain every hypothesis under the default view and, with `drift`, trace every hypothesis'
    credence over finding dates and the last HISTORY_COMMITS commits to claims/. `problems` (from a
    full check) feed the reviewer dashboard's list of quotes that no longer verify; `history_cache`
    is the folder where each commit's credences are kept (kb.history.by_commit_all), and each pair
    of commits' diff (kb.render.changes); `explanations`
    and `computed`: explain_all and `extras` with the same draws, seed and drift, if the caller
    already has them; `notes`: each hypothesis' robustness note (kb.render.notes), likewise."""
    if explanations is None:
        explanations = explain_all(kb, weights, draws=draws, seed=seed)
    if computed is None:
        computed = extras(kb, weights, draws, seed, drift=drift)
    hids = sorted(kb.hypotheses)
    results = {h: ex.summary for h, ex in explanations.items()}  # what compute_portfolio gives, without aggregating twice
    data = SiteData(kb, weights, results, computed.approved, explanations, computed.dashboard, problems=list(problems))
    if drift:
        data.drift_dates = computed.drift_dates
        data.drift_commits = history.by_commit_all(kb.root, HISTORY_COMMITS, cache=history_cache, current=kb)
        data.changes = changes(kb.root, data.drift_commits, history_cache)
    data.notes = notes if notes is not None else {h: robustness(kb, results[h], explanations[h]) for h in hids}
    _index(data)
    return data
