"""The layout rules of the design card: a thin CLI over a library that imports no CLI or
presentation packages; every command has help."""

from __future__ import annotations

import ast
from pathlib import Path

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


def commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import typer.main

    click_group = typer.main.get_command(app) if not prefix else group
    found = []
    for name, cmd in getattr(click_group, "commands", {}).items():
        path = (*prefix, name)
        found.append(path)
        found += commands(cmd, path)
    return found


@pytest.mark.parametrize("path", commands(app), ids=" ".join)
def test_every_command_has_useful_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    usage, _, rest = result.stdout.partition("\n\n")
    assert usage.startswith("Usage: kb")
    assert len(rest.split("\n\n")[0].strip()) > 20, f"kb {' '.join(path)} has no description"
