"""`kb claim add|show|list|edit|supersede|retract`: findings, the heart of the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import fresh_root
from cli.options import ColumnsOption, LimitOption, RefreshOption, RootOption, SortOption
from cli.output import Format, FormatOption, count, emit, emit_json_texts, message, shape
from cli.prompt import ask as _ask
from kb.vocab import Bearing, Controlled, Design, Extraction, Kind, Status, Stream, Tier

app = typer.Typer(help="Add, show and list claims (findings, arguments, testimony, definitions…).", no_args_is_help=True)

LIST_COLUMNS = ("id", "kind", "stream", "status", "links", "title")


def _lines(value: str) -> list[int]:
    try:
        parts = [int(p) for p in value.split("-", 1)]
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a line range like 120-124", param_hint="--lines") from None
    return parts * 2 if len(parts) == 1 else parts


def _split(value: str, n: int, flag: str, form: str) -> list[str]:
    parts = value.split(":", n - 1)
    if len(parts) < n:
        raise typer.BadParameter(f"'{value}' should look like {form}", param_hint=flag)
    return [p.strip() for p in parts]


@app.command("add")
def add(
    id: Annotated[str | None, typer.Option("--id", help="Slug for the new claim; also its file name.")] = None,
    title: Annotated[str | None, typer.Option(help="Short title.")] = None,
    statement: Annotated[str | None, typer.Option(help="The finding in our own words (never copied).")] = None,
    kind: Annotated[Kind | None, typer.Option(help=Kind.described())] = None,
    stream: Annotated[Stream | None, typer.Option(help=Stream.described())] = None,
    design: Annotated[Design, typer.Option(help="Method design class.")] = Design.NOT_REPORTED,
    method: Annotated[str | None, typer.Option(help="What was done, in a sentence.")] = None,
    result: Annotated[str | None, typer.Option(help="What was found (omit for definitions and positions).")] = None,
    model: Annotated[list[str] | None, typer.Option(help="MODEL_ID[:AS_WRITTEN]; repeat for several.")] = None,
    link: Annotated[list[str] | None, typer.Option(help="HYPOTHESIS:BEARING:STRENGTH:RATIONALE; repeat for several.")] = None,
    confound: Annotated[list[str] | None, typer.Option(help="TYPE:CONTROLLED:DETAIL; repeat for several.")] = None,
    tier: Annotated[Tier | None, typer.Option(help=Tier.described())] = None,
    channel: Annotated[str | None, typer.Option(help="Source id of the document it was read in.")] = None,
    origin: Annotated[str | None, typer.Option(help="Source id of the underlying work, if any.")] = None,
    study: Annotated[str | None, typer.Option(help="Slug shared by claims restating one study.")] = None,
    text: Annotated[str | None, typer.Option(help="Archived text id the locator points into.")] = None,
    lines: Annotated[str | None, typer.Option(help="Line range in the text, e.g. 120-124 (1-based).")] = None,
    quote: Annotated[str | None, typer.Option(help="Verbatim quote from those lines (at most 300 characters).")] = None,
    speaker: Annotated[str | None, typer.Option(help="Who says it.")] = None,
    speaker_inferred: Annotated[bool, typer.Option(help="The text does not label the speaker.")] = False,
    extraction: Annotated[Extraction, typer.Option(help=Extraction.described())] = Extraction.MANUAL,
    tag: Annotated[list[str] | None, typer.Option(help="A tag; repeat for several.")] = None,
    from_file: Annotated[Path | None, typer.Option("--from", help="Read the whole claim from a YAML or JSON file.")] = None,
    actor: Annotated[str, typer.Option("--actor", envvar="KB_REVIEWER", help="Who adds it (for the history).")] = "curator",
    root: RootOption = None,
) -> None:
    """Add a claim: from flags, from prompts (when a required flag is missing and stdin is a
    terminal) or from a file with --from. It is validated against the knowledge base (references,
    quote at its lines, no copied statement) before anything is written, written atomically, and
    refused if the id exists."""
    from kb.claims import add_claim, parse_claim, read_claim_file
    from kb.paths import find_root

    base = find_root(root)
    if from_file is not None:
        claim = read_claim_file(from_file)
    else:
        data: dict[str, Any] = {
            "id": _ask(id, "--id", "Id (slug)"),
            "title": _ask(title, "--title", "Title"),
            "statement": _ask(statement, "--statement", "Statement (your own words)"),
            "kind": _ask(kind, "--kind", "Kind", Kind),
            "stream": _ask(stream, "--stream", "Stream", Stream),
            "method": {"design": design, "text": _ask(method, "--method", "Method")},
            "provenance": {
                "tier": _ask(tier, "--tier", "Provenance tier", Tier),
                "channel": _ask(channel, "--channel", "Channel (source id of the document)"),
                "extraction": extraction,
            },
        }
        if origin:
            data["provenance"]["origin"] = origin
        if study:
            data["provenance"]["study"] = study
        if result:
            data["result"] = {"text": result}
        locator: dict[str, Any] = {
            "text": _ask(text, "--text", "Text id"),
            "lines": _lines(_ask(lines, "--lines", "Line range (e.g. 120-124)")),
            "quote": _ask(quote, "--quote", "Verbatim quote"),
            "speaker_inferred": speaker_inferred,
        }
        if speaker:
            locator["speaker"] = speaker
        data["locators"] = [locator]
        data["models"] = [{"model": m, "as_written": w or m} for m, _, w in (v.partition(":") for v in model or [])]
        data["links"] = [
            dict(
                zip(
                    ("hypothesis", "bearing", "strength", "rationale"),
                    _split(v, 4, "--link", "HYP:BEARING:STRENGTH:RATIONALE"),
                    strict=True,
                )
            )
            for v in link or []
        ]
        data["confounds"] = [
            dict(zip(("type", "controlled", "detail"), _split(v, 3, "--confound", "TYPE:CONTROLLED:DETAIL"), strict=True))
            for v in confound or []
        ]
        if tag:
            data["tags"] = tag
        claim = parse_claim(data, "command line")
    path = add_claim(base, claim, actor=actor)
    message(f"added {path.relative_to(base).as_posix()}")


@app.command("show")
def show(
    id: Annotated[str, typer.Argument(help="The claim's id.")],
    fmt: FormatOption = Format.TABLE,
    root: RootOption = None,
    refresh: RefreshOption = True,
) -> None:
    """Show one claim with every field."""
    from kb.db.queries import query_ids, query_record
    from kb.errors import NotFound

    base = fresh_root(root, refresh)
    record = query_record(base, "claim", id)
    if record is None:
        raise NotFound("claim", id, query_ids(base, "claim"))
    emit(record, fmt)


@app.command("list")
def list_(
    hypothesis: Annotated[str | None, typer.Option(help="Only claims linked to this hypothesis id.")] = None,
    stream: Annotated[Stream | None, typer.Option(help="Only this research stream.")] = None,
    kind: Annotated[Kind | None, typer.Option(help="Only this kind of claim.")] = None,
    model: Annotated[str | None, typer.Option(help="Only claims about this model id.")] = None,
    confound: Annotated[str | None, typer.Option(help="Only claims threatened by this confound type id.")] = None,
    controlled: Annotated[
        Controlled | None,
        typer.Option(help="Only claims with a confound of this control status (with --confound: that confound)."),
    ] = None,
    bearing: Annotated[
        Bearing | None, typer.Option(help="Only claims with a link of this bearing (with --hypothesis: to that hypothesis).")
    ] = None,
    status: Annotated[Status | None, typer.Option(help="Only this status.")] = None,
    source: Annotated[str | None, typer.Option(help="Only claims whose origin or channel is this source id.")] = None,
    text: Annotated[str | None, typer.Option(help="Only claims with a locator in this archived text id.")] = None,
    fmt: FormatOption = Format.TABLE,
    sort: SortOption = None,
    limit: LimitOption = None,
    columns: ColumnsOption = None,
    root: RootOption = None,
    refresh: RefreshOption = True,
) -> None:
    """List claims, filtered. Filters combine (AND); JSON gives full claim objects; the count goes
    to stderr."""
    from kb.db.queries import ClaimFilter, query_claims_json, query_ids, query_record
    from kb.errors import NotFound
    from kb.formats import claim_list_rows

    base = fresh_root(root, refresh)
    for value, table, noun in (
        (hypothesis, "hypothesis", "hypothesis"),
        (model, "model", "model"),
        (confound, "confound_type", "confound type"),
        (source, "source", "source"),
        (text, "text", "text"),
    ):
        if value is not None and query_record(base, table, value) is None:
            raise NotFound(noun, value, query_ids(base, table))
    flt = ClaimFilter(
        hypothesis=hypothesis,
        stream=stream and stream.value,
        kind=kind and kind.value,
        model=model,
        confound=confound,
        controlled=controlled and controlled.value,
        bearing=bearing and bearing.value,
        status=status and status.value,
        source=source,
        text=text,
    )
    if fmt in (Format.JSON, Format.JSONL) and not (sort or columns):  # the stored JSON goes out as it is: no parse, no re-encode
        found = query_claims_json(base, flt, limit)
        emit_json_texts(found, fmt)
        count(len(found), "claim", "claims")
        return
    rows = [json.loads(r) for r in query_claims_json(base, flt)]
    if fmt not in (Format.JSON, Format.JSONL):
        rows = claim_list_rows(rows)
    shaped, cols = shape(rows, sort, limit, columns, LIST_COLUMNS)
    emit(shaped, fmt, cols or (LIST_COLUMNS if fmt is Format.TABLE else None))
    count(len(shaped), "claim", "claims")


@app.command("edit")
def edit(
    id: Annotated[str, typer.Argument(help="The claim's id.")],
    actor: Annotated[str, typer.Option("--actor", envvar="KB_REVIEWER", help="Who makes the change (for the history).")] = "curator",
    root: RootOption = None,
) -> None:
    """Open the claim's YAML in $EDITOR (or $VISUAL, else vi). On save it is validated; if valid it
    replaces the file atomically (merged with any change recorded meanwhile, when the two do not
    overlap), otherwise the file is kept as it was and your edit is saved under build/rejected/ so
    nothing is lost."""
    import os
    import shlex
    import subprocess
    import tempfile

    from kb.edit import EditConflict, find_claim_file, keep_rejected, read_claim_text, replace_text
    from kb.errors import InvalidInput, InvalidKnowledgeBase
    from kb.ids import check_name
    from kb.paths import find_root

    base = find_root(root)
    actor = check_name(actor, "actor")
    path = find_claim_file(base, id)
    rel = path.relative_to(base).as_posix()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    original = read_claim_text(base, path)
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / path.name
        draft.write_text(original, encoding="utf-8")
        try:
            code = subprocess.call([*shlex.split(editor), str(draft)])
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"{rel}: the editor '{editor}' could not be started ({exc}); the file is unchanged") from None
        raw = draft.read_bytes() if draft.is_file() else b""
    try:
        edited = raw.decode("utf-8")
    except UnicodeDecodeError:
        edited = None
    if code != 0 or edited is None or "\x00" in edited:
        kept = keep_rejected(base, path.name, raw) if raw and raw != original.encode() else None
        cause = f"the editor '{editor}' failed (exit {code})" if code != 0 else "the edit is not UTF-8 text"
        where = f"; your draft is kept in {kept.relative_to(base).as_posix()}" if kept else ""
        raise InvalidInput(f"{rel}: {cause}; the file is unchanged{where}")
    if edited == original:
        message(f"{id}: no change")
        return
    try:
        replace_text(base, id, edited, original, actor)
    except (InvalidKnowledgeBase, EditConflict, InvalidInput):
        kept = keep_rejected(base, path.name, raw)
        if kept is not None:
            message(f"your edit was not saved to {rel}; it is kept in {kept.relative_to(base).as_posix()}")
        raise
    message(f"saved {rel}")


@app.command("supersede")
def supersede(
    id: Annotated[str, typer.Argument(help="The claim being replaced.")],
    by: Annotated[str, typer.Option("--by", help="The successor claim's id.")],
    actor: Annotated[str, typer.Option("--actor", envvar="KB_REVIEWER", help="Who makes the change.")] = "curator",
    root: RootOption = None,
) -> None:
    """Mark a claim superseded by its successor; it stops counting in the portfolio."""
    from kb import review
    from kb.paths import find_root

    review.supersede(find_root(root), id, by, actor)
    message(f"{id}: superseded by {by}")


@app.command("retract")
def retract(
    id: Annotated[str, typer.Argument(help="The claim's id.")],
    why: Annotated[str, typer.Option("--why", help="The reason (required).")],
    actor: Annotated[str, typer.Option("--actor", envvar="KB_REVIEWER", help="Who makes the change.")] = "curator",
    root: RootOption = None,
) -> None:
    """Retract a claim with a reason; it stops counting in the portfolio."""
    from kb import review
    from kb.paths import find_root

    review.retract(find_root(root), id, why, actor)
    message(f"{id}: retracted")


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="claim")
