"""`kb audit`: the reviewer's reports."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import Format, FormatOption, emit

# kept in step with kb.audit.REPORTS (a test checks); not imported so `kb --help` stays fast
REPORT_HELP = (
    "uncontrolled: confounds not controlled, per hypothesis; unreviewed: claims with no submitted review; "
    "disagreements: claims where reviewers disagree; single-work: hypotheses whose evidence rests on a single work; "
    "quotes: quotes that no longer verify"
)


def audit(
    report: Annotated[list[str] | None, typer.Option(help=f"Only these reports (repeat). {REPORT_HELP}.")] = None,
    fmt: FormatOption = Format.TABLE,
    root: RootOption = None,
) -> None:
    """Reports for reviewers: confounds not controlled per hypothesis, claims with no review, claims
    where reviewers disagree, hypotheses resting on a single work, quotes that no longer verify.
    JSON gives an object with one list per report; jsonl and csv give rows with a `report` field."""
    from kb import audit as audits
    from kb.audit import REPORTS
    from kb.errors import InvalidInput
    from kb.paths import find_root
    from kb.store import load

    names = report or list(REPORTS)
    unknown = [n for n in names if n not in REPORTS]
    if unknown:
        raise InvalidInput(f"unknown report '{unknown[0]}'; choose from {', '.join(REPORTS)}")
    kb, problems = load(find_root(root))
    results = audits.run(kb, problems, names)
    if fmt is Format.JSON:
        emit(results, fmt)
    elif fmt is Format.TABLE:
        for name, rows in results.items():
            if rows:
                emit(rows, fmt, title=f"{name}: {REPORTS[name][0]} ({len(rows)})")
            else:
                typer.echo(f"{name}: {REPORTS[name][0]}: none", err=True)
    else:
        emit([{"report": name, **row} for name, rows in results.items() for row in rows], fmt)


def register(app: typer.Typer) -> None:
    app.command()(audit)
