"""The root `kb` app: one sub-app per noun, and the error edge that turns domain errors into one
line on stderr with exit 1 (never a traceback)."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from kb.errors import InvalidKnowledgeBase, KbError


class KbGroup(TyperGroup):
    """Catches every domain error below the root command."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidKnowledgeBase as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            n = len(exc.problems)
            typer.echo(f"Error: {n} problem{'s' if n != 1 else ''} in the knowledge base", err=True)
            sys.exit(1)
        except KbError as exc:
            typer.echo(f"Error: {exc}", err=True)
            sys.exit(1)


app = typer.Typer(
    cls=KbGroup,
    name="kb",
    help="The AI consciousness evidence portfolio: add, check, query, review and publish typed claims.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    """The AI consciousness evidence portfolio: add, check, query, review and publish typed claims."""
    if version:
        from kb import __version__

        typer.echo(__version__)
        raise typer.Exit()


# Each module holds one noun's commands and a `register(app)` function.
COMMAND_MODULES = ["check", "build", "db", "claim", "records", "review", "audit", "synth", "portfolio", "site", "history"]


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"cli.{name}").register(app)


_register()


def main() -> None:
    app()
