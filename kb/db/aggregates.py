"""The tables derived from the aggregator: the latest portfolio (per hypothesis and weighting
profile) and each claim's contribution. Filled by `kb build` and `kb db build --portfolio`; a read command's
in-place update empties them rather than leave them stale. The rows come through the public
functions the `kb portfolio` and `kb explain` commands use, all in `portfolio_rows`, so the
aggregator's internals can change underneath."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.bulk import gc_paused
from kb.db.build import Rows, empty_derived, insert
from kb.store import KnowledgeBase
from kb.weights import Weights

if TYPE_CHECKING:
    from kb.portfolio import Explanation, Gathered, HypothesisResult

CONTRIBUTION_PROFILE = "default"


def other_profiles(
    kb: KnowledgeBase, weights: Weights, draws: int | None = None, seed: int | None = None, gathered: Gathered | None = None
) -> dict[str, list[HypothesisResult]]:
    """compute_portfolio under every profile but the default one (which `explain_all` gives)."""
    from kb.portfolio import compute_portfolio, gather

    gathered = gathered or gather(kb)
    return {
        profile: compute_portfolio(kb, weights, profile, draws=draws, seed=seed, gathered=gathered)
        for profile in sorted(weights.profiles)
        if profile != CONTRIBUTION_PROFILE
    }


@gc_paused()  # acyclic objects per record: no collection need walk them (kb.bulk)
def portfolio_rows(
    kb: KnowledgeBase,
    weights: Weights,
    draws: int | None = None,
    seed: int | None = None,
    explained: dict[str, Explanation] | None = None,
    gathered: Gathered | None = None,
    others: dict[str, list[HypothesisResult]] | None = None,
) -> Rows:
    """One portfolio row per hypothesis and profile; one contribution row per claim and hypothesis
    (default profile). `explained`: `explain_all` under the default profile with the same draws and
    seed, if the caller has it (its summaries are what compute_portfolio gives for that profile);
    `gathered`: `gather(kb)`, likewise; `others`: `other_profiles` with the same draws and seed."""
    from kb.portfolio import explain_all, gather

    if explained is None or others is None:
        gathered = gathered or gather(kb)
        explained = explained or explain_all(kb, weights, CONTRIBUTION_PROFILE, draws=draws, seed=seed, gathered=gathered)
        others = others if others is not None else other_profiles(kb, weights, draws, seed, gathered)
    portfolio: list[dict[str, Any]] = []
    for profile in sorted(weights.profiles):
        results = [explained[hid].summary for hid in sorted(explained)] if profile == CONTRIBUTION_PROFILE else others[profile]
        for r in (row.to_json() for row in results):
            portfolio.append(
                {
                    "profile": profile,
                    "hypothesis": r["id"],
                    "prior": r["prior"],
                    "posterior": r["posterior"],
                    "low": r["interval"][0],
                    "high": r["interval"][1],
                    "decibans": r["decibans"],
                    "grade": r["grade"],
                    "n_supports": r["n_supports"],
                    "n_undermines": r["n_undermines"],
                    "n_mixed": r["n_mixed"],
                    "fragile": r["fragile"],
                    "top_driver": r["top_driver"],
                    "unreviewed_share": r["unreviewed_share"],
                    "data": json.dumps(r, ensure_ascii=False),
                }
            )
    contribution: list[dict[str, Any]] = []
    for hid in sorted(kb.hypotheses):
        out = explained[hid].to_json()
        contribution += [
            {
                "profile": CONTRIBUTION_PROFILE,
                "hypothesis": hid,
                "claim": c["claim"],
                "cluster": c["cluster"],
                "bearing": c["bearing"],
                "approved": c["approved"],
                "decibans": c["decibans"],
                "credence_points": c["credence_points"],
                "leave_one_out_decibans": c["leave_one_out_decibans"],
            }
            for c in out["contributions"]
        ]
    return {"portfolio": portfolio, "contribution": contribution}


def write_portfolio(database: Path, rows: Rows) -> None:
    """Replace the portfolio and contribution tables of `database` with `rows` (portfolio_rows)."""
    with closing(sqlite3.connect(database)) as conn, conn:
        empty_derived(conn)
        insert(conn, rows)


def credence(root: Path, hypothesis: str, profile: str = "default") -> dict[str, Any]:
    """A hypothesis' current credence (posterior median, 90% interval, grade) under `profile`:
    from the database's portfolio table when `kb build` / `kb db build --portfolio` filled it for the current
    claims, else computed now from the (checked) knowledge base."""
    from kb.db.queries import rows

    found = rows(root, "SELECT data FROM portfolio WHERE hypothesis = ? AND profile = ?", (hypothesis, profile))
    if found:
        return json.loads(found[0][0])  # type: ignore[no-any-return]
    from kb.db.build import load_checked
    from kb.portfolio import compute_portfolio
    from kb.weights import load_weights

    results = compute_portfolio(load_checked(root), load_weights(root), profile)
    return next(r.to_json() for r in results if r.id == hypothesis)
