"""`kb db build`: the SQLite index."""

from __future__ import annotations

import typer

from cli.options import RootOption
from cli.output import message

app = typer.Typer(help="The SQLite index built from claims/ (a git-ignored build artefact).", no_args_is_help=True)


@app.command("build")
def build(root: RootOption = None) -> None:
    """Check the knowledge base and rebuild build/kb.sqlite from it. Refuses (exit 1) if the
    knowledge base has problems; the previous database is left as it was."""
    from kb import db, index
    from kb.store import find_root, load_valid

    base = find_root(root)
    fp = db.fingerprint(base)
    kb = load_valid(base)
    path = index.build(kb, fp)
    counts = db.counts(base)
    message(f"built {kb.rel(path)}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="db")
