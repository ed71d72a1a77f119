"""`kb history HYP`: how a hypothesis' credence moved."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import Format, FormatOption, emit

COLUMNS = ("axis", "at", "commit", "n_claims", "posterior", "interval", "decibans")


def history(
    hypothesis: Annotated[str, typer.Argument(help="Hypothesis id.")],
    by: Annotated[str, typer.Option(help="date (as findings arrived), commit (over the repository's history) or both.")] = "both",
    commits: Annotated[int, typer.Option(min=1, max=10_000, help="How many of the latest commits that touched claims/.")] = 20,
    fmt: FormatOption = Format.TABLE,
    root: RootOption = None,
) -> None:
    """How HYPOTHESIS' credence moved as findings arrived (by the finding's date, else its work's,
    else its channel's) and over the repository's history (one point per commit to claims/). Each
    point is a posterior median with its 90% interval, from 2,000 draws."""
    from kb import history as hist
    from kb.db.build import load_checked
    from kb.errors import InvalidInput
    from kb.paths import find_root
    from kb.weights import load_weights

    if by not in ("date", "commit", "both"):
        raise InvalidInput(f"--by: '{by}' is not one of date, commit, both")
    base = find_root(root)
    kb = load_checked(base)
    points = []
    if by in ("date", "both"):
        points += hist.by_date(kb, load_weights(base), hypothesis)
    if by in ("commit", "both"):
        points += hist.by_commit(base, hypothesis, commits, current=kb)
    rows = [p.to_json() for p in points]
    if fmt is Format.TABLE:
        rows = [{**r, "posterior": f"{r['posterior']:.3f}", "interval": f"{r['interval'][0]:.3f}–{r['interval'][1]:.3f}"} for r in rows]
    emit(rows, fmt, COLUMNS)


def register(app: typer.Typer) -> None:
    app.command()(history)
