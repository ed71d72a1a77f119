"""`kb calibrate`: how well the aggregator's credences and intervals are calibrated, measured on
simulated worlds drawn from its own stated assumptions and from two misspecified ones."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.options import RootOption
from cli.output import Format, FormatOption, emit


def calibrate(
    fmt: FormatOption = Format.TABLE,
    worlds: Annotated[int, typer.Option(min=20, max=100_000, help="Simulated worlds per scenario.")] = 500,
    per_world: Annotated[int, typer.Option("--per-world", min=1, max=50, help="Hypotheses per world.")] = 4,
    draws: Annotated[int, typer.Option(min=100, max=100_000, help="Monte Carlo draws per aggregation.")] = 500,
    seed: Annotated[int, typer.Option(min=0, help="Random seed: the same seed gives the same figures.")] = 1,
    root: RootOption = None,
) -> None:
    """Simulate worlds from the aggregator's stated generative model (truth drawn from the prior,
    evidence drawn with the assumed likelihood ratios, dependence and reading errors), run the
    aggregator on each and report, per scenario: coverage of the 90% interval, expected
    calibration error (ECE), Brier score and a reliability table (table format). Scenarios:
    assumed, correlation-doubled, anecdote-bias. JSON: one object per scenario with coverage_90,
    ece, brier and the reliability bins."""
    from kb.calibrate import calibrate as run
    from kb.paths import find_root
    from kb.weights import load_weights

    reports = run(load_weights(find_root(root)), worlds=worlds, per_world=per_world, draws=draws, seed=seed)
    rows: list[dict[str, Any]] = [r.to_json() for r in reports]
    if fmt is Format.TABLE:
        emit(
            [{k: r[k] for k in ("scenario", "n", "coverage_90", "ece", "brier")} for r in rows],
            fmt,
            title="calibration on simulated worlds",
        )
        for r in rows:
            emit(r["reliability"], fmt, ("low", "high", "n", "predicted", "observed"), title=f"reliability: {r['scenario']}")
        return
    if fmt is Format.CSV:
        emit([{k: r[k] for k in ("scenario", "n", "coverage_90", "ece", "brier")} for r in rows], fmt)
        return
    emit(rows, fmt)


def register(app: typer.Typer) -> None:
    app.command()(calibrate)
