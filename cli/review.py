"""`kb review start|confound|link|submit`: audit a claim's confounds, as in Cochrane's RoB 2."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import RootOption
from cli.output import Format, FormatOption, emit, message
from kb.vocab import Answer, Bearing, Controlled, Strength, Verdict

app = typer.Typer(help="Review a claim: answer signalling questions per confound, judge links, submit a verdict.", no_args_is_help=True)

ClaimArg = Annotated[str, typer.Argument(help="The claim's id.")]
Reviewer = Annotated[str, typer.Option("--reviewer", envvar="KB_REVIEWER", help="Your name (or set KB_REVIEWER).")]


def _answers(value: str) -> list[Answer]:
    parts = [p for p in value.replace(",", " ").split() if p]
    try:
        return [Answer(p.upper()) for p in parts]
    except ValueError:
        raise typer.BadParameter(f"'{value}': answers are Y, PY, PN, N or NI, comma-separated", param_hint="--answers") from None


@app.command("start")
def start(claim: ClaimArg, reviewer: Reviewer, root: RootOption = None) -> None:
    """Open a review of CLAIM; a draft claim moves to in-review."""
    from kb import review
    from kb.paths import find_root

    review.start(find_root(root), claim, reviewer)
    message(f"review of {claim} started by {reviewer}")


@app.command("confound")
def confound(
    claim: ClaimArg,
    confound: Annotated[str, typer.Argument(help="The confound type's id (see 'kb confound show ID' for its questions).")],
    reviewer: Reviewer,
    answers: Annotated[str, typer.Option(help="One answer per signalling question, in order: Y, PY, PN, N or NI (e.g. Y,PN,NI).")],
    override: Annotated[Controlled | None, typer.Option(help="Overrule the proposed control status (needs --why).")] = None,
    why: Annotated[str, typer.Option(help="Justification for an override.")] = "",
    fmt: FormatOption = Format.TABLE,
    root: RootOption = None,
) -> None:
    """Answer CONFOUND's signalling questions for CLAIM; prints the control status the answers
    imply (yes, partial, no, not-reported) and any override."""
    from kb import review
    from kb.paths import find_root

    judgment = review.judge_confound(find_root(root), claim, confound, reviewer, _answers(answers), override, why)
    emit(judgment.model_dump(mode="json"), fmt)


@app.command("link")
def link(
    claim: ClaimArg,
    hypothesis: Annotated[str, typer.Argument(help="The hypothesis id.")],
    reviewer: Reviewer,
    bearing: Annotated[Bearing, typer.Option(help=Bearing.described())],
    strength: Annotated[Strength, typer.Option(help=Strength.described())],
    why: Annotated[str, typer.Option(help="Your reason.")] = "",
    root: RootOption = None,
) -> None:
    """Record your own judgment of CLAIM's bearing on HYPOTHESIS; disagreement with the curator or
    other reviewers is kept and widens the portfolio's interval."""
    from kb import review
    from kb.paths import find_root

    review.judge_link(find_root(root), claim, hypothesis, reviewer, bearing, strength, why)
    message(f"{reviewer}: {claim} -> {hypothesis}: {bearing.value} {strength.value}")


@app.command("submit")
def submit(
    claim: ClaimArg,
    reviewer: Reviewer,
    verdict: Annotated[Verdict, typer.Option(help=Verdict.described())],
    comment: Annotated[str, typer.Option(help="A comment for the curator.")] = "",
    root: RootOption = None,
) -> None:
    """Close your review with a verdict: approve makes the claim approved; request-changes and
    reject send it back to draft."""
    from kb import review
    from kb.paths import find_root

    result = review.submit(find_root(root), claim, reviewer, verdict, comment)
    message(f"{claim}: {verdict.value} by {reviewer}; status {result.status.value}")


@app.command("status")
def status(claim: ClaimArg, fmt: FormatOption = Format.TABLE, root: RootOption = None) -> None:
    """What each reviewer of CLAIM has and has not judged (confounds and links), and their verdict."""
    from kb import review
    from kb.paths import find_root

    rows = review.status(find_root(root), claim)
    if fmt is Format.TABLE:
        rows = [{k: ", ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
    emit(rows, fmt, STATUS_COLUMNS)


STATUS_COLUMNS = (
    "reviewer",
    "started",
    "submitted",
    "verdict",
    "judged_confounds",
    "unjudged_confounds",
    "judged_links",
    "unjudged_links",
)


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="review")
