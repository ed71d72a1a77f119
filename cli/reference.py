"""The command-line reference page of the site (site/docs/cli.md), generated from every command's
`--help`: `python -m cli.reference > site/docs/cli.md`; a test keeps the page true."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

WIDTH = 100  # the help text's line width on the page


def commands() -> Iterator[tuple[str, ...]]:
    """Every command path under `kb` (groups first, then their commands), in `kb --help` order."""
    from typer.main import get_command

    from cli.app import app

    root = get_command(app)

    def walk(group: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        ctx = root.context_class(group, info_name=path[-1] if path else "kb")  # the Click that Typer uses
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            yield (*path, name)
            if hasattr(command, "list_commands"):  # a group: its commands follow
                yield from walk(command, (*path, name))

    yield from walk(root, ())


def help_text(path: tuple[str, ...]) -> str:
    from typer.testing import CliRunner

    from cli.app import app

    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH)}, terminal_width=WIDTH)
    return result.stdout.rstrip() + "\n"


def page() -> str:
    out = [
        "# Command line",
        "",
        "Every `kb` command with its `--help`, generated from the commands themselves "
        "(`python -m cli.reference > site/docs/cli.md`; a test keeps this page true). "
        "Read commands take `-f/--format table|json|jsonl|csv`; data goes to stdout, messages and row counts to stderr; "
        "exit 0 ok, 1 a problem with the data (one line naming file, field and id), 2 a usage error.",
        "",
        "```text",
        help_text(()).rstrip(),
        "```",
    ]
    for path in commands():
        out += ["", f"## kb {' '.join(path)}", "", "```text", help_text(path).rstrip(), "```"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(page(), end="")
