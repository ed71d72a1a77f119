"""Helpers every read command shares: finding the repository and a fresh database."""

from __future__ import annotations

from pathlib import Path

from cli import prefetch
from cli.output import message


def fresh_root(root: Path | None, refresh: bool = True) -> Path:
    """The repository root, with its database rebuilt first if the YAML is newer. The freshness
    check imports nothing heavy: the library (pydantic models, parsers) loads only to rebuild."""
    from kb.db.freshness import db_path, stored_fingerprint
    from kb.paths import find_root

    base = find_root(root)
    if not refresh and db_path(base).is_file():
        return base
    if stored_fingerprint(db_path(base)) == prefetch.fingerprint(base):
        return base
    from kb.db.build import update

    problems = update(base)
    if problems:
        n = len(problems)
        message(
            f"warning: {n} problem{'s' if n != 1 else ''} in the knowledge base; the database holds the valid records only (run 'kb check')"
        )
    return base
