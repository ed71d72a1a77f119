"""`kb site build` and `kb site serve`: the published static site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import message

app = typer.Typer(help="The static site (MkDocs Material), built into build/site/.", no_args_is_help=True)

DrawsOption = Annotated[
    int | None,
    typer.Option(
        "--draws", min=10, max=1_000_000, help="Monte Carlo draws per hypothesis (default: the weights file's).", show_default=False
    ),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", min=0, max=2**63 - 1, help="Random seed (default: the weights file's).", show_default=False)
]


def build_site(root: Path | None, draws: int | None = None, seed: int | None = None, step: Callable[[str], None] | None = None) -> Path:
    """Check, bring the database up to date, aggregate and render; returns build/site."""
    from kb.paths import find_root
    from kb.render.mkdocs_process import MkDocsRun, site_project

    base = find_root(root)
    src = site_project(base)
    with MkDocsRun(src / "mkdocs.yml") as mkdocs:  # MkDocs gets ready on the other core meanwhile
        from kb.db.build import load_checked
        from kb.db.freshness import build_dir, db_path
        from kb.render.builder import build_site as render
        from kb.weights import load_weights

        kb = load_checked(base)
        weights = load_weights(base)
        return render(kb, weights, build_dir(base), src=src, database=db_path(base), draws=draws, seed=seed, step=step, mkdocs=mkdocs)


@app.command("build")
def build(root: RootOption = None, draws: DrawsOption = None, seed: SeedOption = None) -> None:
    """Render the knowledge base into build/docs/ and build/html/ and run a strict MkDocs build into build/site/.
    Refuses (exit 1) if the knowledge base has problems or MkDocs reports any warning."""
    site = build_site(root, draws, seed)
    message(f"site: {site.as_posix()}/index.html")


@app.command("serve")
def serve(
    root: RootOption = None,
    addr: Annotated[str, typer.Option("--addr", "-a", help="Address to serve on.")] = "127.0.0.1:8000",
) -> None:
    """Build the site, then preview it with MkDocs' development server (reloads on edits to the
    generated pages; run `kb site build` again after changing claims/)."""
    from kb.db.freshness import build_dir
    from kb.paths import find_root
    from kb.render.mkdocs_process import serve_mkdocs

    build_site(root)
    message(f"serving on http://{addr}/ (Ctrl-C to stop)")
    serve_mkdocs(build_dir(find_root(root)) / "mkdocs.yml", addr)


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="site")
