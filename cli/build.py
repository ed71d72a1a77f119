"""`kb build`: the maintainer's one command."""

from __future__ import annotations

import typer

from cli.options import RootOption
from cli.output import message


def build(root: RootOption = None) -> None:
    """Check the knowledge base, rebuild the database, aggregate the portfolio and render the site,
    all under build/. Stops at the first stage that fails, leaving earlier outputs as they were."""
    from kb import db, index
    from kb.store import find_root, load_valid

    base = find_root(root)
    files, fp = db.scan(base)
    kb = load_valid(base)
    message(f"check: ok ({len(kb.claims)} claims)")
    index.build(kb, files, fp, [])
    message(f"database: {db.db_path(base).relative_to(base).as_posix()}")


def register(app: typer.Typer) -> None:
    app.command()(build)
