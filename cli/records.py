"""`kb hypothesis|confound|model|source|text|discrepancy|question list|show`: the reference records,
read from the database; their `add` (and `import`, `grep`) commands come from cli.add. One factory
serves every noun, since the commands differ only in table and columns. (No postponed annotations
here: the command signatures close over `noun`, and Typer evaluates them.)"""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.add import ADD_COMMANDS
from cli.context import fresh_root
from cli.options import ColumnsOption, LimitOption, RefreshOption, RootOption, SortOption
from cli.output import Format, FormatOption, UsageError, count, emit, shape


@dataclass(frozen=True)
class Noun:
    name: str
    table: str
    plural: str
    columns: tuple[str, ...]
    many: str = ""  # the plural in the row count (default: name + "s")


NOUNS = (
    Noun("hypothesis", "hypothesis", "hypotheses", ("id", "stream", "prior", "title"), "hypotheses"),
    Noun("confound", "confound_type", "confound types", ("id", "group", "severity", "name"), "confounds"),
    Noun("model", "model", "models", ("id", "name", "developer", "family", "open_weights"), "models"),
    Noun("source", "source", "sources (works and documents)", ("id", "type", "date", "title"), "sources"),
    Noun("text", "text", "archived source texts", ("id", "source", "path", "lines", "sha256"), "texts"),
    Noun(
        "discrepancy",
        "discrepancy",
        "discrepancies (passages that disagree, and the reading adopted)",
        ("id", "subject", "title"),
        "discrepancies",
    ),
    Noun(
        "question",
        "question",
        "questions (hypotheses that exclude each other, whose credences are updated jointly and sum to 1)",
        ("id", "answers", "title"),
        "questions",
    ),
)


def _as_is(base: Path, record: dict[str, Any]) -> dict[str, Any]:
    return record


def _hypothesis(base: Path, record: dict[str, Any]) -> dict[str, Any]:
    """The hypothesis with its current credence, interval and grade (default profile)."""
    from kb.db.aggregates import credence
    from kb.errors import InvalidKnowledgeBase

    try:
        c = credence(base, record["id"])
    except InvalidKnowledgeBase:
        return {**record, "credence": "not available: the knowledge base has problems (run 'kb check')"}
    lo, hi = c["interval"]
    return {
        **record,
        "credence": f"{c['posterior']:.3f} (90% interval {lo:.3f}–{hi:.3f}; prior {c['prior']}; {c['decibans']:+.2f} dB)",
        "grade": f"{c['grade']}: " + "; ".join(c["grade_reasons"]) if c["grade_reasons"] else c["grade"],
    }


def _confound(base: Path, record: dict[str, Any]) -> dict[str, Any]:
    """The confound type with its signalling questions numbered and the answer scale explained."""
    from kb.vocab import Answer

    questions = "\n".join(f"{n}. {q}" for n, q in enumerate(record["signalling_questions"], 1))
    scale = " · ".join(f"{a.value} {a.help}" for a in Answer) + " (a Yes means the study guards against the confound)"
    return {**record, "signalling_questions": questions, "answers": scale}


PRESENT: dict[str, Callable[[Path, dict[str, Any]], dict[str, Any]]] = {"hypothesis": _hypothesis, "confound": _confound}
SHOW_NOTES = {
    "hypothesis": " The table adds the current credence (posterior median, 90% interval) and the certainty grade.",
    "confound": " The table numbers the signalling questions and explains the answers Y/PY/PN/N/NI.",
    "source": " -f bibtex prints a BibTeX entry.",
}


def make_app(noun: Noun) -> typer.Typer:
    verbs = [name for name, _ in ADD_COMMANDS.get(noun.name, [])]
    app = typer.Typer(help=f"{', '.join([*verbs, 'list']).capitalize()} and show {noun.plural}.", no_args_is_help=True)
    for name, command in ADD_COMMANDS.get(noun.name, []):
        app.command(name)(command)

    def list_(
        fmt: FormatOption = Format.TABLE,
        sort: SortOption = None,
        limit: LimitOption = None,
        columns: ColumnsOption = None,
        root: RootOption = None,
        refresh: RefreshOption = True,
    ) -> None:
        from kb.db.queries import query_records

        rows, cols = shape(query_records(fresh_root(root, refresh), noun.table), sort, limit, columns, noun.columns)
        if fmt is Format.BIBTEX:
            from kb.bibtex import bibliography

            if noun.name != "source":
                raise UsageError("-f bibtex: only sources are works ('kb source list|show -f bibtex')")
            sys.stdout.write(bibliography(rows))
        else:
            emit(rows, fmt, cols or (noun.columns if fmt is Format.TABLE else None))
        count(len(rows), noun.name, noun.many or f"{noun.name}s")

    list_.__doc__ = f"List all {noun.plural}: {', '.join(noun.columns)} in a table, every field in json, jsonl or csv; the count on stderr."
    app.command("list")(list_)

    def show(
        id: Annotated[str, typer.Argument(help=f"The {noun.name}'s id.")],
        fmt: FormatOption = Format.TABLE,
        root: RootOption = None,
        refresh: RefreshOption = True,
    ) -> None:
        from kb.db.queries import query_ids, query_record
        from kb.errors import NotFound

        base = fresh_root(root, refresh)
        record = query_record(base, noun.table, id)
        if record is None:
            raise NotFound(noun.name, id, query_ids(base, noun.table))
        if fmt is Format.BIBTEX:
            from kb.bibtex import entry

            if noun.name != "source":
                raise UsageError("-f bibtex: only sources are works ('kb source list|show -f bibtex')")
            sys.stdout.write(entry(record))
            return
        emit(PRESENT.get(noun.name, _as_is)(base, record) if fmt is Format.TABLE else record, fmt)

    show.__doc__ = (
        f"Show one {noun.name} with every field (exit 1 if there is no such id, naming the closest ones).{SHOW_NOTES.get(noun.name, '')}"
    )
    app.command("show")(show)
    return app


def register(root_app: typer.Typer) -> None:
    for noun in NOUNS:
        root_app.add_typer(make_app(noun), name=noun.name)
