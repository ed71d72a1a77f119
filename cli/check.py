"""`kb check`: validate the whole knowledge base."""

from __future__ import annotations

import typer

from cli.options import RootOption
from cli.output import message


def check(root: RootOption = None) -> None:
    """Validate every record: schema, references, archived texts (sha256), quotes at their lines,
    statements copied from the text, empirical findings without a link or a confound, and the
    aggregator's weights file. Prints one line per problem and exits 1 if there is any."""
    from kb.check import check as check_all
    from kb.errors import InvalidKnowledgeBase
    from kb.paths import find_root
    from kb.questions import warnings

    base = find_root(root)
    kb, problems = check_all(base)
    if problems:
        raise InvalidKnowledgeBase(problems)
    for warning in warnings(kb):
        message(f"warning: {warning}")
    message(
        f"ok: {len(kb.claims)} claims, {len(kb.hypotheses)} hypotheses, {len(kb.confounds)} confound types, "
        f"{len(kb.models)} models, {len(kb.sources)} sources, {len(kb.texts)} texts, {len(kb.discrepancies)} discrepancies, "
        f"{len(kb.questions)} questions"
    )


def register(app: typer.Typer) -> None:
    app.command()(check)
