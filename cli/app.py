"""The root `kb` app: one sub-app per noun, and the error edge that turns domain errors into one
line on stderr with exit 1 (never a traceback)."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from cli.commands import COMMANDS
from kb.errors import InvalidKnowledgeBase, KbError
from kb.escape import shown

LINE_MAX = 2000  # a message longer than this is cut: one line, readable


class KbGroup(TyperGroup):
    """Loads each command's module on first use, and catches every domain error below the root
    command."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands.update(_load(COMMANDS[cmd_name]))
        return self.commands.get(cmd_name)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidKnowledgeBase as exc:
            if len(exc.problems) == 1:  # one problem: one line
                typer.echo(f"Error: {shown(str(exc.problems[0]), LINE_MAX)}", err=True)
                sys.exit(1)
            for problem in exc.problems:
                typer.echo(shown(str(problem), LINE_MAX), err=True)
            typer.echo(f"Error: {len(exc.problems)} problems in the knowledge base", err=True)
            sys.exit(1)
        except KbError as exc:
            typer.echo(f"Error: {shown(str(exc), LINE_MAX)}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            raise
        except OSError as exc:  # the machine's refusal (disk full, permission, read-only…): one line, not a traceback
            where = f"{exc.filename}: " if exc.filename else ""
            cause = exc.strerror or str(exc)
            if isinstance(exc, FileExistsError) and exc.filename and not os.path.isdir(exc.filename):
                cause = "is a file where a folder is needed"
            typer.echo(f"Error: {shown(where + cause, LINE_MAX)}", err=True)
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


def _load(module: str) -> dict[str, Any]:
    """The click commands one module registers, built from a throwaway Typer app."""
    import importlib

    from typer.main import get_group

    holder = typer.Typer(rich_markup_mode=None)
    holder.callback()(lambda: None)  # with a callback, even one command comes back as a group
    importlib.import_module(f"cli.{module}").register(holder)
    return dict(get_group(holder).commands)


def main() -> None:
    app()
