"""`kb portfolio`, `kb explain HYP`, `kb sensitivity HYP`: the credence per hypothesis, and why."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.options import ColumnsOption, LimitOption, RootOption, SortOption
from cli.output import Format, FormatOption, count, emit, shape

PORTFOLIO_COLUMNS = (
    "id",
    "question",
    "prior",
    "posterior",
    "median",
    "interval",
    "decibans",
    "n_supports",
    "n_undermines",
    "n_mixed",
    "grade",
    "fragile",
    "top_driver",
)
CONTRIBUTION_COLUMNS = ("claim", "bearing", "decibans", "credence_points", "leave_one_out_decibans", "cluster", "approved", "via_confound")

ProfileOption = Annotated[str, typer.Option("--profile", help="Weighting profile in claims/weights.yaml (sceptical, default, credulous…).")]


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):  # NaN passes min/max comparisons
        raise typer.BadParameter(f"{value} is not a number between 0 and 1", param_hint="--prior")
    return value


PriorOption = Annotated[
    float | None,
    typer.Option(
        "--prior",
        min=0.0001,
        max=0.9999,
        callback=_finite,
        help="Use this prior for every free-standing hypothesis instead of its own (answers of a question keep theirs).",
    ),
]
SeedMax = 2**63 - 1
ApprovedOption = Annotated[
    bool, typer.Option("--approved-only", help="Count only approved claims (default: every claim not superseded or retracted).")
]
DrawsOption = Annotated[int | None, typer.Option("--draws", min=10, max=1_000_000, help="Monte Carlo draws (default 10,000).")]
SeedOption = Annotated[int | None, typer.Option("--seed", min=0, max=SeedMax, help="Random seed (default: the weights file's).")]
HypothesisArg = Annotated[str, typer.Argument(help="Hypothesis id, e.g. h-functional-introspection.", show_default=False)]


def _known(kb: Any, hypothesis: str) -> None:
    from kb.errors import NotFound

    if hypothesis not in kb.hypotheses:
        raise NotFound("hypothesis", hypothesis, kb.hypotheses)


def _load(root: Path | None) -> tuple[Any, Any]:
    from kb.db.build import load_checked
    from kb.paths import find_root
    from kb.weights import load_weights

    base = find_root(root)
    return load_checked(base), load_weights(base)


def _table_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if "interval" in row:
        out["interval"] = "{:.3f}–{:.3f}".format(*row["interval"])
    for key in ("posterior", "median"):
        if key in row:
            out[key] = f"{row[key]:.3f}"
    if "decibans" in row:
        out["decibans"] = f"{row['decibans']:+.2f}"
    return out


def portfolio(
    fmt: FormatOption = Format.TABLE,
    profile: ProfileOption = "default",
    prior: PriorOption = None,
    approved_only: ApprovedOption = False,
    draws: DrawsOption = None,
    seed: SeedOption = None,
    sort: SortOption = None,
    limit: LimitOption = None,
    columns: ColumnsOption = None,
    root: RootOption = None,
) -> None:
    """The credence per hypothesis: its question (answers of one question sum to 1), prior,
    posterior (the point estimate at the profile's values), the median and 90% interval of the
    Monte Carlo draws, the evidence in decibans that takes the prior to the posterior, supporting /
    undermining / mixed links, certainty grade, fragile flag and top driver. A credence conditional
    on this portfolio and these weights, not a probability that a model is conscious."""
    from kb.portfolio import compute_portfolio

    kb, weights = _load(root)
    rows = [r.to_json() for r in compute_portfolio(kb, weights, profile, prior, approved_only, draws, seed)]
    shaped, cols = shape(rows, sort, limit, columns, PORTFOLIO_COLUMNS)
    if fmt is Format.TABLE:
        shaped = [_table_row(r) for r in shaped]
    emit(shaped, fmt, cols or (PORTFOLIO_COLUMNS if fmt in (Format.TABLE, Format.CSV) else None))
    count(len(shaped), "hypothesis", "hypotheses")


def explain(
    hypothesis: HypothesisArg,
    fmt: FormatOption = Format.TABLE,
    profile: ProfileOption = "default",
    prior: PriorOption = None,
    approved_only: ApprovedOption = False,
    draws: DrawsOption = None,
    seed: SeedOption = None,
    root: RootOption = None,
) -> None:
    """Why a hypothesis stands where it does: each finding's contribution (decibans and credence
    points; they add up to its own net evidence), leave-one-out and leave-one-source-out, the weight
    that came through each channel and each work, the smallest set of
    findings whose removal flips the direction, sensitivity and the reasons for the grade. Table
    and CSV list the contributions; JSON holds everything."""
    from kb.portfolio import explain as explain_

    kb, weights = _load(root)
    _known(kb, hypothesis)
    out = explain_(kb, weights, hypothesis, profile, prior, approved_only, draws, seed).to_json()
    if fmt in (Format.JSON, Format.JSONL):
        emit(out, fmt)
        return
    emit(
        out["contributions"],
        fmt,
        CONTRIBUTION_COLUMNS,
        title=f"{hypothesis}: {out['net_decibans']:+.2f} dB own evidence, {out['decibans']:+.2f} dB from prior to posterior",
    )
    if fmt is Format.TABLE:
        s = out["summary"]
        emit(
            {
                "posterior": f"{s['posterior']:.3f} ({s['interval'][0]:.3f}–{s['interval'][1]:.3f}), prior {s['prior']}",
                "grade": f"{s['grade']}: " + "; ".join(s["grade_reasons"]),
                "flip set": ", ".join(out["flip_set"]) if out["flip_set"] else "none (the direction cannot be flipped)",
                "fragile": "; ".join(s["fragile_reasons"]) or "no",
                "unreviewed share": f"{s['unreviewed_share']:.0%}",
            },
            fmt,
        )
        emit(out["leave_one_source_out"], fmt, ("source", "decibans", "credence_points", "removed"), title="leave one source out")
        emit(out["channels"], fmt, ("id", "claims", "decibans", "share"), title="weight by channel")
        emit(out["works"], fmt, ("id", "claims", "decibans", "share"), title="weight by work")


def sensitivity(
    hypothesis: HypothesisArg,
    fmt: FormatOption = Format.TABLE,
    profile: ProfileOption = "default",
    prior: PriorOption = None,
    approved_only: ApprovedOption = False,
    draws: DrawsOption = None,
    seed: SeedOption = None,
    root: RootOption = None,
) -> None:
    """How robust a hypothesis' credence is: the posterior under a sweep of priors, under every
    weighting profile and with each confound class dropped in turn, and whether the direction of
    the evidence changes (fragile). Table and CSV: one row per scenario."""
    from kb.portfolio import sensitivity_report

    kb, weights = _load(root)
    _known(kb, hypothesis)
    out = sensitivity_report(kb, weights, hypothesis, profile, prior, approved_only, draws, seed).to_json()
    if fmt in (Format.JSON, Format.JSONL):
        emit(out, fmt)
        return
    rows = [
        {"scenario": f"prior {p['prior']}", "decibans": None, "posterior": p["posterior"], "interval": p["interval"]}
        for p in out["prior_sweep"]
    ]
    rows += [{"scenario": f"profile {s['name']}", **{k: s[k] for k in ("decibans", "posterior", "interval")}} for s in out["profiles"]]
    rows += [
        {"scenario": f"without {s['name']}", **{k: s[k] for k in ("decibans", "posterior", "interval")}} for s in out["confound_groups"]
    ]
    title = f"{hypothesis}: " + ("fragile: " + "; ".join(out["fragile_reasons"]) if out["fragile"] else "direction robust")
    emit(rows, fmt, ("scenario", "decibans", "posterior", "interval"), title=title)


def register(app: typer.Typer) -> None:
    app.command("portfolio")(portfolio)
    app.command("explain")(explain)
    app.command("sensitivity")(sensitivity)
