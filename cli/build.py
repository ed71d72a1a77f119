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
    all under build/ (build/kb.sqlite, build/docs/, build/site/). Stops at the first stage that
    fails, leaving earlier outputs as they were. Progress goes to stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kb import db, index
    from kb.check import check
    from kb.errors import InvalidKnowledgeBase
    from kb.paths import find_root
    from kb.render.builder import build_site
    from kb.render.mkdocs_process import MkDocsRun, site_project
    from kb.weights import load_weights

    base = find_root(root)
    src = site_project(base)
    console = Console(stderr=True)
    with (
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

        files, fp = db.scan(base)
        kb, problems = check(base)  # the same check as `kb check`, weights file included
        if problems:
            raise InvalidKnowledgeBase(problems)
        weights = load_weights(base)
        step("database")
        index.build(kb, files, fp, [])
        site = build_site(kb, weights, db.build_dir(base), src=src, database=db.db_path(base), draws=draws, step=step, mkdocs=mkdocs)
        progress.update(task, description="done", completed=len(STAGES))
    message(f"check: ok ({len(kb.claims)} claims)")
    message(f"database: {db.db_path(base).relative_to(base).as_posix()}")
    message(f"site: {site.relative_to(base).as_posix()}/index.html")


def register(app: typer.Typer) -> None:
    app.command()(build)
