"""`kb build`: the maintainer's one command."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import message


def build(
    root: RootOption = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws", min=10, max=1_000_000, help="Monte Carlo draws per hypothesis (default: the weights file's).", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild every part even if its inputs did not change.")] = False,
) -> None:
    """Check the knowledge base, rebuild the database, aggregate the portfolio and render the site,
    all under build/ (build/kb.sqlite, build/docs/, build/site/). Parts whose inputs did not change
    (content hashes in build/stamps.json) are skipped. Stops at the first part that fails, leaving
    earlier outputs as they were. Progress goes to stderr."""
    from kb import pipeline
    from kb.paths import find_root

    base = find_root(root)
    # loads the renderer's modules (and starts a check from scratch) while this loads the progress display
    renderer = pipeline.start_renderer(base, force=force)
    try:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from kb.db.freshness import db_path

        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("check", total=len(pipeline.STEPS))

            def step(name: str) -> None:
                progress.update(task, description=name, completed=pipeline.STEPS.index(name))

            outcome = pipeline.build(base, pipeline.Settings(draws=draws), step=step, force=force, renderer=renderer)
            progress.update(task, description="done", completed=len(pipeline.STEPS))
    finally:
        renderer.cancel()
    message("check: unchanged" if outcome.claims is None else f"check: ok ({outcome.claims} claims)")
    message(f"database: {db_path(base).relative_to(base).as_posix()}")
    if outcome.skipped:
        message(f"skipped (inputs unchanged): {', '.join(outcome.skipped)}")
    if outcome.pages is not None:
        message(f"site: {outcome.pages} changed page(s) built into the last build")
    message(f"site: {outcome.site.relative_to(base).as_posix()}/index.html")


def register(app: typer.Typer) -> None:
    app.command()(build)
