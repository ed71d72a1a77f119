"""`kb build`: the maintainer's one command."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import message

STAGES = ("check", "database", "aggregate", "render", "mkdocs")


def build(
    root: RootOption = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws", min=10, max=1_000_000, help="Monte Carlo draws per hypothesis (default: the weights file's).", show_default=False
        ),
    ] = None,
) -> None:
    """Check the knowledge base, rebuild the database, aggregate the portfolio and render the site,
    all under build/ (build/kb.sqlite with its Datasette metadata.json, build/docs/, build/site/).
    Stops at the first stage that fails, leaving earlier outputs as they were. Runs in one tree
    take turns. Progress goes to stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kb.check import check
    from kb.db.aggregates import write_portfolio
    from kb.db.build import build as build_database
    from kb.db.build import build_lock
    from kb.db.freshness import build_dir, db_path, scan
    from kb.db.publish import write_metadata
    from kb.errors import InvalidKnowledgeBase
    from kb.paths import find_root
    from kb.render.builder import build_site
    from kb.render.mkdocs_process import MkDocsRun, site_project
    from kb.weights import load_weights

    base = find_root(root)
    src = site_project(base)
    console = Console(stderr=True)
    with (
        build_lock(base),  # another `kb build` in this tree waits here
        MkDocsRun(src / "mkdocs.yml") as mkdocs,
        Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("check", total=len(STAGES))

        def step(name: str) -> None:
            progress.update(task, description=name, completed=STAGES.index(name))

        files, fp = scan(base)
        kb, problems = check(base)  # the same check as `kb check`, weights file included
        if problems:
            raise InvalidKnowledgeBase(problems)
        weights = load_weights(base)
        step("database")
        build_database(kb, files, fp, [])
        write_portfolio(db_path(base), kb, weights, draws)
        write_metadata(db_path(base))
        site = build_site(kb, weights, build_dir(base), src=src, database=db_path(base), draws=draws, step=step, mkdocs=mkdocs)
        progress.update(task, description="done", completed=len(STAGES))
    message(f"check: ok ({len(kb.claims)} claims)")
    message(f"database: {db_path(base).relative_to(base).as_posix()}")
    message(f"site: {site.relative_to(base).as_posix()}/index.html")


def register(app: typer.Typer) -> None:
    app.command()(build)
