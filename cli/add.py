"""The curator's `add` commands for every record but claims (`kb hypothesis|confound|model|source|
discrepancy|question add`), plus `kb source import` and `kb text add|grep`. Each command only
gathers fields (flags, prompts in a terminal, or --from FILE) and hands them to kb.records, which
checks them against the knowledge base and writes atomically. (No postponed annotations: Typer
evaluates these signatures.)"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.options import RootOption
from cli.output import Format, FormatOption, UsageError, emit, message
from cli.prompt import ask, ask_many
from kb.vocab import Severity, SourceType, Stream

FromOption = Annotated[Path | None, typer.Option("--from", help="Read the whole record from a YAML or JSON file.")]
IdOption = Annotated[str | None, typer.Option("--id", help="Slug for the new record; also its file name.")]
Notes = Annotated[str | None, typer.Option(help="Free notes.")]


def _save(folder: str, data: Callable[[], dict[str, Any]], from_file: Path | None, root: Path | None) -> None:
    """Build the record (from --from FILE, else from `data()`, which may prompt), add it through
    kb.records and say where it went."""
    from kb.models import RECORD_FOLDERS
    from kb.paths import find_root
    from kb.records import add_record, parse_input, read_input_file

    base = find_root(root)
    model = RECORD_FOLDERS[folder]
    if from_file is not None:
        record = read_input_file(model, from_file)
    else:
        record = parse_input(model, {k: v for k, v in data().items() if v is not None and v != []}, "command line")
    if folder == "sources":
        from kb.sources import add_source

        path = add_source(base, record)  # type: ignore[arg-type]
    else:
        path = add_record(base, record)
    message(f"added {path.relative_to(base).as_posix()}")


def add_hypothesis(
    id: IdOption = None,
    title: Annotated[str | None, typer.Option(help="Short title.")] = None,
    statement: Annotated[str | None, typer.Option(help="What the hypothesis asserts.")] = None,
    stream: Annotated[Stream | None, typer.Option(help=Stream.described())] = None,
    prior: Annotated[float | None, typer.Option(help="Default prior credence, strictly between 0 and 1.")] = None,
    rival: Annotated[list[str] | None, typer.Option(help="A rival hypothesis id; repeat for several.")] = None,
    notes: Notes = None,
    from_file: FromOption = None,
    root: RootOption = None,
) -> None:
    """Add a hypothesis: validated (rivals exist) before anything is written, written atomically,
    refused if the id exists. Missing required flags are prompted for in a terminal."""
    _save(
        "hypotheses",
        lambda: {
            "id": ask(id, "--id", "Id (slug)"),
            "title": ask(title, "--title", "Title"),
            "statement": ask(statement, "--statement", "Statement"),
            "stream": ask(stream, "--stream", "Stream", Stream),
            "prior": ask(prior, "--prior", "Default prior (0-1)"),
            "rivals": rival,
            "notes": notes,
        },
        from_file,
        root,
    )


def add_confound(
    id: IdOption = None,
    name: Annotated[str | None, typer.Option(help="Short name.")] = None,
    definition: Annotated[str | None, typer.Option(help="What the confound is.")] = None,
    group: Annotated[str | None, typer.Option(help="The family it belongs to (e.g. elicitation, provenance).")] = None,
    question: Annotated[
        list[str] | None, typer.Option(help="A signalling question, phrased so Yes means the study guards against it; repeat.")
    ] = None,
    control: Annotated[str | None, typer.Option(help="How a study controls it.")] = None,
    severity: Annotated[Severity | None, typer.Option(help=Severity.described())] = None,
    from_file: FromOption = None,
    root: RootOption = None,
) -> None:
    """Add a confound type with its signalling questions: written atomically, refused if the id
    exists. Missing required flags are prompted for in a terminal."""
    _save(
        "confounds",
        lambda: {
            "id": ask(id, "--id", "Id (slug)"),
            "name": ask(name, "--name", "Name"),
            "definition": ask(definition, "--definition", "Definition"),
            "group": ask(group, "--group", "Group"),
            "signalling_questions": ask_many(question, "--question", "Signalling question"),
            "control": ask(control, "--control", "How a study controls it"),
            "severity": ask(severity, "--severity", "Default severity", Severity),
        },
        from_file,
        root,
    )


def add_model(
    id: IdOption = None,
    name: Annotated[str | None, typer.Option(help="The system's name.")] = None,
    developer: Annotated[str | None, typer.Option(help="Who built it.")] = None,
    family: Annotated[str | None, typer.Option(help="Model family.")] = None,
    size: Annotated[str | None, typer.Option(help="Size as reported (e.g. 70B).")] = None,
    open_weights: Annotated[bool | None, typer.Option("--open-weights/--closed-weights", help="Whether its weights are public.")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name documents use; repeat for several.")] = None,
    notes: Notes = None,
    from_file: FromOption = None,
    root: RootOption = None,
) -> None:
    """Add an AI system studied: written atomically, refused if the id exists. Unknown details
    stay 'not-reported'."""
    _save(
        "models",
        lambda: {
            "id": ask(id, "--id", "Id (slug)"),
            "name": ask(name, "--name", "Name"),
            "developer": developer,
            "family": family,
            "size": size,
            "open_weights": open_weights,
            "aliases": alias,
            "notes": notes,
        },
        from_file,
        root,
    )


def add_source(
    id: IdOption = None,
    title: Annotated[str | None, typer.Option(help="Exact title of the work or document.")] = None,
    author: Annotated[list[str] | None, typer.Option(help="An author, 'First Last'; repeat in order.")] = None,
    date: Annotated[str | None, typer.Option(help="Date: YYYY-MM-DD, or YYYY-MM / YYYY when that is all there is.")] = None,
    type: Annotated[SourceType | None, typer.Option(help=SourceType.described())] = None,
    arxiv: Annotated[str | None, typer.Option(help="arXiv id, e.g. 2401.01234.")] = None,
    doi: Annotated[str | None, typer.Option(help="DOI, e.g. 10.1000/xyz.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the document is.")] = None,
    notes: Notes = None,
    from_file: FromOption = None,
    root: RootOption = None,
) -> None:
    """Add a source (a work or document): refused if the id exists or if a source with the same DOI,
    arXiv id or title exists; written atomically. Missing required flags are prompted for in a terminal."""
    _save(
        "sources",
        lambda: {
            "id": ask(id, "--id", "Id (slug)"),
            "title": ask(title, "--title", "Title"),
            "authors": author,
            "date": date,
            "type": ask(type, "--type", "Type", SourceType),
            "identifiers": {k: v for k, v in (("arxiv", arxiv), ("doi", doi), ("url", url)) if v},
            "notes": notes,
        },
        from_file,
        root,
    )


def import_sources(
    file: Annotated[Path, typer.Argument(help="A BibTeX file, as a reference manager exports it.")],
    root: RootOption = None,
) -> None:
    """Add a source for each BibTeX entry. Reports each entry as added, already there (same DOI,
    arXiv id or title as an existing source) or refused (and why). A file with a malformed entry is
    refused whole: nothing is imported."""
    from kb.paths import find_root
    from kb.sources import import_bibtex
    from kb.store import record_path

    base = find_root(root)
    report = import_bibtex(base, file)
    for key, sid in report.added:
        message(f"added {key} as {record_path(base, 'sources', sid).relative_to(base).as_posix()}")
    for key, sid, why in report.existing:
        message(f"exists {key}: already source '{sid}' ({why})")
    for key, why in report.refused:
        message(f"refused {key}: {why}")
    message(f"{len(report.added)} added, {len(report.existing)} already there, {len(report.refused)} refused")


def add_discrepancy(
    id: IdOption = None,
    title: Annotated[str | None, typer.Option(help="Short title.")] = None,
    subject: Annotated[str | None, typer.Option(help="number, name, date, attribution, scale, model or other.")] = None,
    side: Annotated[list[str] | None, typer.Option(help="TEXT:LINES:QUOTE of one passage; repeat (at least two).")] = None,
    reading: Annotated[list[str] | None, typer.Option(help="What each side says, in the order of --side.")] = None,
    adopted: Annotated[str | None, typer.Option(help="The reading adopted.")] = None,
    why: Annotated[str | None, typer.Option(help="Why that reading.")] = None,
    claim: Annotated[list[str] | None, typer.Option(help="A claim id it affects; repeat for several.")] = None,
    from_file: FromOption = None,
    root: RootOption = None,
) -> None:
    """Add a discrepancy (passages that disagree): each side's quote is verified at its lines and
    the claims must exist before anything is written. Missing required flags are prompted for in a terminal."""

    def data() -> dict[str, Any]:
        sides = ask_many(side, "--side", "Side (TEXT:LINES:QUOTE)", 2)
        readings = ask_many(reading, "--reading", "Reading of that side", len(sides))
        if len(readings) != len(sides):
            raise UsageError(f"give one --reading per --side ({len(sides)} sides, {len(readings)} readings)")
        return {
            "id": ask(id, "--id", "Id (slug)"),
            "title": ask(title, "--title", "Title"),
            "subject": ask(subject, "--subject", "Subject (number/name/date/attribution/scale/model/other)"),
            "sides": [{"locator": _locator(s), "reading": r} for s, r in zip(sides, readings, strict=True)],
            "adopted": ask(adopted, "--adopted", "Reading adopted"),
            "why": ask(why, "--why", "Why"),
            "claims": claim,
        }

    _save("discrepancies", data, from_file, root)


def _locator(value: str) -> dict[str, Any]:
    parts = value.split(":", 2)
    try:
        if len(parts) < 3:
            raise ValueError
        lines = [int(p) for p in parts[1].split("-", 1)]
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' should look like TEXT:LINES:QUOTE (e.g. my-text:12-14:the words)", param_hint="--side"
        ) from None
    return {"text": parts[0].strip(), "lines": lines * 2 if len(lines) == 1 else lines, "quote": parts[2].strip()}


def add_question(
    id: IdOption = None,
    title: Annotated[str | None, typer.Option(help="Short title.")] = None,
    statement: Annotated[str | None, typer.Option(help="The question.")] = None,
    answer: Annotated[
        list[str] | None, typer.Option(help="A hypothesis id answering it; repeat (at least two, mutually exclusive, jointly exhaustive).")
    ] = None,
    notes: Notes = None,
    from_file: FromOption = None,
    root: RootOption = None,
) -> None:
    """Add a question whose answers are hypotheses: each must exist and belong to no other question.
    Written atomically, refused if the id exists; missing required flags are prompted for in a terminal."""
    _save(
        "questions",
        lambda: {
            "id": ask(id, "--id", "Id (slug)"),
            "title": ask(title, "--title", "Title"),
            "statement": ask(statement, "--statement", "Statement"),
            "answers": ask_many(answer, "--answer", "Answer (hypothesis id)", 2),
            "notes": notes,
        },
        from_file,
        root,
    )


def add_text(
    file: Annotated[Path, typer.Argument(help="A .txt/.md (kept as is), .html (main text) or .pdf (text layer) file.")],
    source: Annotated[str | None, typer.Option(help="Id of the source (work or document) it is a text of.")] = None,
    id: Annotated[str | None, typer.Option("--id", help="Slug for the text (default: the source's id).")] = None,
    description: Annotated[str, typer.Option(help="What the text is and how it was obtained.")] = "",
    retrieved_from: Annotated[str | None, typer.Option(help="Where it was read (a URL or a description).")] = None,
    retrieved_on: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="When it was read (YYYY-MM-DD).")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence of the text, e.g. CC0-1.0 or CC-BY-4.0.")] = None,
    root: RootOption = None,
) -> None:
    """Archive a text that locators can point into: converted to UTF-8 with LF line breaks, written
    to claims/texts/<id>.txt with its record (sha256, line count, the original file's sha256 and the
    conversion). Refused if the source is unknown, the same text is archived already, or the file has
    no text (a scanned PDF); then nothing is written."""
    from kb.archive import add_text as archive
    from kb.paths import find_root
    from kb.store import record_path

    base = find_root(root)
    record = archive(
        base,
        file,
        ask(source, "--source", "Source id"),
        id,
        description=description,
        retrieved_from=retrieved_from,
        retrieved_on=retrieved_on.date() if retrieved_on else None,
        licence=licence,
    )
    message(
        f"added {record.path} ({record.lines} lines, {record.conversion}) and {record_path(base, 'texts', record.id).relative_to(base).as_posix()}"
    )


def grep_texts(
    pattern: Annotated[str, typer.Argument(help="A regular expression (Python syntax), or a plain string with --fixed-strings.")],
    text: Annotated[list[str] | None, typer.Option(help="Only this archived text id; repeat for several (default: all).")] = None,
    ignore_case: Annotated[bool, typer.Option("--ignore-case", "-i", help="Match regardless of case.")] = False,
    fixed_strings: Annotated[bool, typer.Option("--fixed-strings", "-F", help="PATTERN is a plain string.")] = False,
    fmt: FormatOption = Format.TABLE,
    root: RootOption = None,
) -> None:
    """Print the lines of archived texts that match PATTERN (after whitespace normalisation), each
    with its number and, below it, the ready-to-paste '--text … --lines … --quote …' for 'kb claim
    add' (the quote is the line, or at most 300 characters of it around the match)."""
    import re

    from kb.grep import grep
    from kb.paths import find_root

    try:
        compiled = re.compile(re.escape(pattern) if fixed_strings else pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise typer.BadParameter(f"not a valid regular expression: {exc}", param_hint="PATTERN") from None
    hits = list(grep(find_root(root), compiled, text))
    if fmt is Format.TABLE:
        for hit in hits:
            shown = f"…{hit.quote}…" if hit.truncated else hit.quote
            typer.echo(f"{hit.text}:{hit.line}: {shown}\n    {hit.locator}")
    else:
        emit([{"text": h.text, "line": h.line, "quote": h.quote, "truncated": h.truncated, "locator": h.locator} for h in hits], fmt)
    if not hits:
        message("no matching lines")


ADD_COMMANDS: dict[str, list[tuple[str, Callable[..., None]]]] = {
    "hypothesis": [("add", add_hypothesis)],
    "confound": [("add", add_confound)],
    "model": [("add", add_model)],
    "source": [("add", add_source), ("import", import_sources)],
    "text": [("add", add_text), ("grep", grep_texts)],
    "discrepancy": [("add", add_discrepancy)],
    "question": [("add", add_question)],
}
"""The write commands each noun's sub-app gets besides list and show (cli.records attaches them)."""
