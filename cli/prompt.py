"""Required values for `add` commands: from the flag, else a prompt when stdin is a terminal, else
a usage error (exit 2) naming the flag."""

from __future__ import annotations

import sys
from typing import Any

import typer

from cli.output import UsageError


def ask(value: Any, flag: str, label: str, choices: type[Any] | None = None) -> Any:
    """A required value: the flag's, else a prompt when stdin is a terminal, else a usage error."""
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"missing option {flag} (or give --from FILE)")
    while True:
        answer = typer.prompt(f"{label} ({'/'.join(choices.values())})" if choices else label)
        if choices is None or answer in choices.values():
            return answer
        typer.echo(f"'{answer}' is not one of {', '.join(choices.values())}", err=True)


def ask_many(values: list[str] | None, flag: str, label: str, minimum: int = 1) -> list[str]:
    """A required repeatable value: the flags', else prompts (an empty answer ends the list) in a
    terminal, else a usage error."""
    if values:
        return values
    if not sys.stdin.isatty():
        raise UsageError(f"missing option {flag} (at least {minimum}; or give --from FILE)")
    answers: list[str] = []
    while True:
        answer = typer.prompt(f"{label} #{len(answers) + 1} (empty to finish)", default="", show_default=False).strip()
        if answer:
            answers.append(answer)
        elif len(answers) >= minimum:
            return answers
        else:
            typer.echo(f"give at least {minimum}", err=True)
