"""Audit reports for reviewers: what is uncontrolled, unreviewed, disputed, thinly sourced or no
longer verifies. Pure functions over a loaded knowledge base; each returns JSON-ready rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.errors import Problem
from kb.models import Claim
from kb.store import KnowledgeBase
from kb.vocab import Bearing, Controlled, Missing, Status

UNCONTROLLED = {Controlled.NO, Controlled.NOT_REPORTED, Controlled.UNKNOWN}
Row = dict[str, Any]


def counted(claim: Claim) -> bool:
    return claim.status not in (Status.SUPERSEDED, Status.RETRACTED)


def effective_control(claim: Claim) -> dict[str, Controlled]:
    """Each confound's control status: the latest submitted review's judgment where there is one,
    else the curator's."""
    status = {c.type: c.controlled for c in claim.confounds}
    for review in sorted((r for r in claim.reviews if r.submitted), key=lambda r: r.submitted or r.started):
        for judgment in review.confounds:
            status[judgment.confound] = judgment.judged
    return status


def work_of(claim: Claim) -> str:
    origin = claim.provenance.origin
    return claim.provenance.channel if isinstance(origin, Missing) else origin


def uncontrolled(kb: KnowledgeBase) -> list[Row]:
    """Per hypothesis and confound type: the counted claims linked to it whose confound is not
    controlled (no, not reported or unknown)."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for claim in kb.claims.values():
        if not counted(claim):
            continue
        bad = [t for t, s in effective_control(claim).items() if s in UNCONTROLLED]
        for link in claim.links:
            if link.bearing is Bearing.NEUTRAL:
                continue
            for confound in bad:
                found[(link.hypothesis, confound)].append(claim.id)
    return [
        {"hypothesis": h, "confound": c, "n_claims": len(ids), "claims": sorted(ids)}
        for (h, c), ids in sorted(found.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0][1]))
    ]


def unreviewed(kb: KnowledgeBase) -> list[Row]:
    """Counted claims without a submitted review."""
    return [
        {"claim": c.id, "status": c.status.value, "kind": c.kind.value, "open_reviews": sum(1 for r in c.reviews if not r.submitted)}
        for c in sorted(kb.claims.values(), key=lambda c: c.id)
        if counted(c) and not any(r.submitted for r in c.reviews)
    ]


def disagreements(kb: KnowledgeBase) -> list[Row]:
    """Claims where reviewers' judgments differ: a confound's control status, a link's bearing or
    strength, or the verdict."""
    rows: list[Row] = []
    for claim in sorted(kb.claims.values(), key=lambda c: c.id):
        reviews = [r for r in claim.reviews if r.submitted]
        if len(reviews) < 2:
            continue
        points: list[str] = []
        confounds: dict[str, set[str]] = defaultdict(set)
        links: dict[str, set[str]] = defaultdict(set)
        for r in reviews:
            for j in r.confounds:
                confounds[j.confound].add(f"{r.reviewer}={j.judged.value}")
            for lj in r.links:
                links[lj.hypothesis].add(f"{r.reviewer}={lj.bearing.value}/{lj.strength.value}")
        for name, judged in sorted(confounds.items()):
            if len({j.split("=", 1)[1] for j in judged}) > 1:
                points.append(f"confound {name}: {', '.join(sorted(judged))}")
        for name, judged in sorted(links.items()):
            if len({j.split("=", 1)[1] for j in judged}) > 1:
                points.append(f"link {name}: {', '.join(sorted(judged))}")
        verdicts = {r.verdict.value for r in reviews if r.verdict}
        if len(verdicts) > 1:
            points.append("verdict: " + ", ".join(sorted(f"{r.reviewer}={r.verdict.value}" for r in reviews if r.verdict)))
        if points:
            rows.append({"claim": claim.id, "reviewers": sorted({r.reviewer for r in reviews}), "disagreements": points})
    return rows


def single_work(kb: KnowledgeBase) -> list[Row]:
    """Hypotheses whose directional evidence rests on a single work."""
    works: dict[str, set[str]] = defaultdict(set)
    claims: dict[str, list[str]] = defaultdict(list)
    for claim in kb.claims.values():
        if not counted(claim):
            continue
        for link in claim.links:
            if link.bearing is not Bearing.NEUTRAL:
                works[link.hypothesis].add(work_of(claim))
                claims[link.hypothesis].append(claim.id)
    return [
        {"hypothesis": h, "work": next(iter(ws)), "n_claims": len(claims[h]), "claims": sorted(claims[h])}
        for h, ws in sorted(works.items())
        if len(ws) == 1
    ]


def uncontrolled_by_confound(kb: KnowledgeBase) -> list[Row]:
    """Per confound type: how many counted claims leave it uncontrolled (no, not reported or
    unknown, after reviews), out of how many name it, and which hypotheses those claims bear on.
    Most often uncontrolled first."""
    named: dict[str, set[str]] = defaultdict(set)
    bad: dict[str, set[str]] = defaultdict(set)
    hypotheses: dict[str, set[str]] = defaultdict(set)
    for claim in kb.claims.values():
        if not counted(claim):
            continue
        for confound, status in effective_control(claim).items():
            named[confound].add(claim.id)
            if status in UNCONTROLLED:
                bad[confound].add(claim.id)
                hypotheses[confound].update(lk.hypothesis for lk in claim.links if lk.bearing is not Bearing.NEUTRAL)
    return [
        {
            "confound": c,
            "n_uncontrolled": len(bad[c]),
            "n_claims": len(named[c]),
            "claims": sorted(bad[c]),
            "hypotheses": sorted(hypotheses[c]),
        }
        for c in sorted(named, key=lambda c: (-len(bad[c]), c))
    ]


def events(kb: KnowledgeBase, limit: int = 30) -> list[Row]:
    """The latest review and status events across every claim's history, newest first."""
    rows = [
        {"at": e.at.isoformat(), "claim": c.id, "actor": e.actor, "event": e.event, "detail": e.detail}
        for c in kb.claims.values()
        for e in c.history
    ]
    return sorted(rows, key=lambda r: (r["at"], r["claim"]), reverse=True)[:limit]


@dataclass(frozen=True)
class Dashboard:
    """The reports the reviewer dashboard shows (kb.render.pages.Renderer.reviewers), each row
    without the lists of claims the page does not show: worked out from the records alone, so a
    build can work them out beside the analyses (kb.render.views.extras)."""

    uncontrolled: list[Row]  # uncontrolled_by_confound
    unreviewed: list[Row]
    disagreements: list[Row]
    single_work: list[Row]
    events: list[Row]


def dashboard(kb: KnowledgeBase) -> Dashboard:
    def shown(rows: list[Row]) -> list[Row]:
        return [{k: v for k, v in r.items() if k != "claims"} for r in rows]

    return Dashboard(
        shown([r for r in uncontrolled_by_confound(kb) if r["confound"] in kb.confounds]),
        unreviewed(kb),
        disagreements(kb),
        shown(single_work(kb)),
        events(kb),
    )


def quotes(problems: list[Problem]) -> list[Row]:
    """Locators whose quote no longer verifies (from a full check's problems)."""
    return [
        {"file": p.path, "line": p.line, "field": p.field, "problem": p.message}
        for p in problems
        if p.field.endswith((".quote", ".lines", ".text")) and "locator" in p.field
    ]


REPORTS: dict[str, tuple[str, Callable[[KnowledgeBase], list[Row]] | None]] = {
    "uncontrolled": ("confounds not controlled, per hypothesis", uncontrolled),
    "unreviewed": ("claims with no submitted review", unreviewed),
    "disagreements": ("claims where reviewers disagree", disagreements),
    "single-work": ("hypotheses whose evidence rests on a single work", single_work),
    "quotes": ("quotes that no longer verify", None),
}


def run(kb: KnowledgeBase, problems: list[Problem], names: list[str]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for name in names:
        fn = REPORTS[name][1]
        out[name] = quotes(problems) if fn is None else fn(kb)
    return out
