"""`kb hypothesis|confound|model|source|text list|show`: the reference records, read from the
database. One factory serves every noun, since the commands differ only in table and columns. (No postponed annotations here:
the command signatures close over `noun`, and Typer evaluates them.)"""

from dataclasses import dataclass
from typing import Annotated

import typer

from cli.context import fresh_root
from cli.options import ColumnsOption, LimitOption, RefreshOption, RootOption, SortOption
from cli.output import Format, FormatOption, count, emit, shape


@dataclass(frozen=True)
class Noun:
    name: str
    table: str
    plural: str
    columns: tuple[str, ...]
    many: str = ""


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
)


def make_app(noun: Noun) -> typer.Typer:
    app = typer.Typer(help=f"List and show {noun.plural}.", no_args_is_help=True)

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
        emit(rows, fmt, cols or (noun.columns if fmt is Format.TABLE else None))
        count(len(rows), noun.name, noun.many)

    list_.__doc__ = f"List all {noun.plural}: {', '.join(noun.columns)} in a table, every field in json, jsonl or csv; the count on stderr."
    app.command("list")(list_)

    def show(
        id: Annotated[str, typer.Argument(help=f"The {noun.name}'s id.")],
        fmt: FormatOption = Format.TABLE,
        root: RootOption = None,
        refresh: RefreshOption = True,
    ) -> None:
        from kb.db.queries import query_record
        from kb.errors import NotFound

        record = query_record(fresh_root(root, refresh), noun.table, id)
        if record is None:
            raise NotFound(noun.name, id)
        emit(record, fmt)

    show.__doc__ = f"Show one {noun.name} with every field (exit 1 if there is no such id)."
    app.command("show")(show)
    return app


def register(root_app: typer.Typer) -> None:
    for noun in NOUNS:
        root_app.add_typer(make_app(noun), name=noun.name)
