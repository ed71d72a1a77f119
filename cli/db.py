"""`kb db build`: the SQLite index."""

from __future__ import annotations

import typer

from cli.options import RootOption
from cli.output import message

app = typer.Typer(help="The SQLite index built from claims/ (a git-ignored build artefact).", no_args_is_help=True)


@app.command("build")
def build(root: RootOption = None) -> None:
    """Check the knowledge base and bring build/kb.sqlite up to date: in place when only claim
    files were edited or added (only those are parsed and checked), else rebuilt from scratch.
    Refuses (exit 1) if the knowledge base has problems; the database is then left as it was."""
    from kb import db, index
    from kb.paths import find_root

    base = find_root(root)
    index.update(base, strict=True)
    counts = db.counts(base)
    message(
        f"built {db.db_path(base).relative_to(base).as_posix()}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items() if t not in ("file", "problem"))
    )


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="db")
