"""`kb db build`: the SQLite index."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import message

app = typer.Typer(help="The SQLite index built from claims/ (a git-ignored build artefact).", no_args_is_help=True)


@app.command("build")
def build(
    root: RootOption = None,
    portfolio: Annotated[
        bool, typer.Option("--portfolio", help="Also aggregate and fill the portfolio and contribution tables (as `kb build` does).")
    ] = False,
) -> None:
    """Check the knowledge base and bring build/kb.sqlite up to date: in place when only claim
    files were edited or added (only those are parsed and checked), else rebuilt from scratch;
    write build/metadata.json beside it for Datasette (`datasette build/kb.sqlite -m
    build/metadata.json`). With --portfolio, also fill its portfolio and contribution tables (an
    in-place update empties them rather than leave them stale). Refuses (exit 1) if the knowledge
    base has problems; the database is then left as it was."""
    from kb.db.build import load_checked, update
    from kb.db.freshness import db_path
    from kb.db.lock import build_lock
    from kb.db.publish import write_metadata
    from kb.db.queries import counts as table_counts
    from kb.paths import find_root

    base = find_root(root)
    update(base, strict=True)
    kb = load_checked(base) if portfolio else None
    with build_lock(base):
        if kb is not None:
            from kb.db.aggregates import portfolio_rows, write_portfolio
            from kb.weights import load_weights

            write_portfolio(db_path(base), portfolio_rows(kb, load_weights(base)))
        write_metadata(db_path(base))
    counts = table_counts(base)
    message(
        f"built {db_path(base).relative_to(base).as_posix()}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items() if n and t not in ("file", "problem"))
    )


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="db")
