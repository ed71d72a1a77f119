"""Helpers every read command shares: finding the repository and a fresh database."""

from __future__ import annotations

from pathlib import Path

from cli.output import message


def fresh_root(root: Path | None) -> Path:
    """The repository root, with its database rebuilt first if the YAML is newer."""
    from kb.index import ensure
    from kb.store import find_root

    base = find_root(root)
    problems = ensure(base)
    if problems:
        n = len(problems)
        message(
            f"warning: {n} problem{'s' if n != 1 else ''} in the knowledge base; the database holds the valid records only (run 'kb check')"
        )
    return base
