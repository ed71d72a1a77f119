"""`kb site build` and `kb site serve`: the published static site."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import message

app = typer.Typer(help="The static site (a plain MkDocs Material project), built into build/site/.", no_args_is_help=True)


class Engine(StrEnum):
    mkdocs = "mkdocs"
    zensical = "zensical"


DrawsOption = Annotated[
    int | None,
    typer.Option(
        "--draws", min=10, max=1_000_000, help="Monte Carlo draws per hypothesis (default: the weights file's).", show_default=False
    ),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", min=0, max=2**63 - 1, help="Random seed (default: the weights file's).", show_default=False)
]
EngineOption = Annotated[
    Engine, typer.Option("--engine", help="What builds the project: MkDocs Material, or Zensical (pip install '.[zensical]').")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Rebuild every part even if its inputs did not change.")]


@app.command("build")
def build(
    root: RootOption = None,
    draws: DrawsOption = None,
    seed: SeedOption = None,
    engine: EngineOption = Engine.mkdocs,
    force: ForceOption = False,
) -> None:
    """Check, bring the database up to date, render the knowledge base into build/docs/ and build it
    (strict) into build/site/; parts whose inputs did not change are skipped. Refuses (exit 1) if the
    knowledge base has problems or the engine reports any warning."""
    from kb import pipeline
    from kb.paths import find_root

    outcome = pipeline.build(find_root(root), pipeline.Settings(draws, seed, engine.value), force=force)
    if "site" in outcome.skipped:
        message("site: up to date (nothing changed)")
    elif outcome.pages is not None:
        message(f"site: {outcome.pages} changed page(s) built into the last build")
    message(f"site: {outcome.site.as_posix()}/index.html")


@app.command("serve")
def serve(
    root: RootOption = None,
    addr: Annotated[str, typer.Option("--addr", "-a", help="Address to serve on.")] = "127.0.0.1:8000",
    engine: EngineOption = Engine.mkdocs,
) -> None:
    """Build the site, then preview it with the engine's development server (reloads on edits to
    the generated pages; run `kb site build` again after changing claims/). Prints the address,
    then only rebuild notices and problems."""
    from kb import pipeline
    from kb.db.freshness import build_dir
    from kb.paths import find_root
    from kb.render.project import serve as serve_project

    base = find_root(root)
    pipeline.build(base, pipeline.Settings(engine=engine.value))
    message(f"serving on http://{addr}/ (Ctrl-C to stop)")
    serve_project(build_dir(base) / "mkdocs.yml", addr, engine.value)


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="site")
