"""The layout rules of the design card: a thin CLI over a library that imports no CLI or
presentation packages; every command has help."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app

KB = Path(__file__).resolve().parents[1] / "kb"


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(KB.rglob("*.py")), ids=lambda p: str(p.relative_to(KB)))
def test_core_modules_import_neither_typer_nor_rich_and_only_the_renderer_jinja2(path: Path) -> None:
    names = imported(path)
    assert not names & {"typer", "rich", "click"}, f"{path} imports {names & {'typer', 'rich', 'click'}}"
    if "render" not in path.relative_to(KB).parts:
        assert "jinja2" not in names


def commands(group: Any = None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, found the way click finds them (the root loads its modules lazily)."""
    import typer.main

    group = typer.main.get_command(app) if group is None else group
    if not hasattr(group, "list_commands"):
        return []
    ctx = group.make_context("kb", ["--help"], resilient_parsing=True)
    found = []
    for name in group.list_commands(ctx):
        path = (*prefix, name)
        found.append(path)
        found += commands(group.get_command(ctx, name), path)
    return found


def test_every_module_command_is_listed_at_the_root() -> None:
    """The lazy root lists exactly the commands the modules register."""
    import importlib

    import typer

    from cli.app import COMMANDS

    registered: set[str] = set()
    for module in sorted(set(COMMANDS.values())):
        holder = typer.Typer()
        importlib.import_module(f"cli.{module}").register(holder)
        registered |= {c.name or c.callback.__name__ for c in holder.registered_commands if c.callback}
        registered |= {g.name for g in holder.registered_groups if g.name}
    assert registered == set(COMMANDS)


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_every_command_has_useful_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    usage, _, rest = result.stdout.partition("\n\n")
    assert usage.startswith("Usage: kb")
    assert len(rest.split("\n\n")[0].strip()) > 20, f"kb {' '.join(path)} has no description"
