"""Tables that respect ids: at any width, piped or in a terminal, every id and path in a table is
printed whole (other columns wrap first; else one block per record)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from cli.output import render_table
from tests.conftest import run

LISTS = [
    (("claim", "list"), ("id",)),
    (("hypothesis", "list"), ("id",)),
    (("confound", "list"), ("id",)),
    (("model", "list"), ("id",)),
    (("source", "list"), ("id",)),
    (("text", "list"), ("id", "path", "source")),
    (("discrepancy", "list"), ("id",)),
    (("search", "concept injection"), ("id",)),
    (("portfolio", "--draws", "200"), ("id", "top_driver")),
]


def tokens(output: str) -> set[str]:
    return {w for line in output.splitlines() for w in line.replace("│", " ").replace("┃", " ").split()}


def expected_ids(runner: CliRunner, root: Path, args: tuple[str, ...], fields: tuple[str, ...]) -> set[str]:
    result = run(runner, root, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    found = {str(r[f]) for r in json.loads(result.stdout) for f in fields if r.get(f)}
    assert found
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("tables") / "full"
    shutil.copytree(Path(__file__).resolve().parents[1] / "claims", root / "claims")
    return root


@pytest.mark.parametrize("width", [80, 200])
@pytest.mark.parametrize(("args", "fields"), LISTS, ids=lambda a: " ".join(a) if isinstance(a, tuple) and "id" not in a else None)
def test_every_list_prints_every_id_whole(built: Path, args: tuple[str, ...], fields: tuple[str, ...], width: int) -> None:
    runner = CliRunner()
    ids = expected_ids(runner, built, args, fields)
    result = runner.invoke(app, [*args, "--root", str(built)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert ids <= tokens(result.stdout), sorted(ids - tokens(result.stdout))[:5]
    assert all(len(line) <= width for line in result.stdout.splitlines())
    assert "…" not in result.stdout.replace("«", "").replace("»", "") or args[0] == "search"


def test_a_list_in_a_terminal_of_80_columns_prints_every_id_whole(built: Path) -> None:
    """Through the real entry point on a pseudo-terminal, as a user in tmux would see it."""
    ids = expected_ids(CliRunner(), built, ("text", "list"), ("id", "path"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the kb command on the terminal
        os.environ.pop("COLUMNS", None)
        os.execv(sys.executable, [sys.executable, "-m", "cli", "text", "list", "--root", str(built)])
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 80, 0, 0))
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    output = b"".join(chunks).decode()
    assert ids <= tokens(output)
    assert all(len(line.rstrip("\r")) <= 80 for line in output.splitlines())


def test_piped_output_without_columns_is_not_squeezed_to_80(built: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "text", "list", "--root", str(built)], capture_output=True, text=True, env=env, check=True
    )
    assert "claims/texts/cognitive-revolution-berg-2026.txt" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) > 80  # one row per text: a table, not blocks


ID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,60}", fullmatch=True)
WORDS = st.lists(st.from_regex(r"[A-Za-z,.]{1,14}", fullmatch=True), min_size=0, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(ID, WORDS, st.lists(ID, max_size=3).map(", ".join), WORDS), min_size=1, max_size=6),
    width=st.integers(min_value=30, max_value=220),
)
def test_ids_are_never_cut_at_any_width(rows: list[tuple[str, str, str, str]], width: int) -> None:
    os.environ["COLUMNS"] = str(width)
    try:
        text = render_table(["id", "title", "links", "statement"], [list(r) for r in rows])
    finally:
        del os.environ["COLUMNS"]
    shown = tokens(text)
    for id, _, links, _ in rows:
        assert id in shown
        assert set(links.split()) <= shown
    assert all(len(line) <= width or len(line.split()) <= 2 for line in text.splitlines())  # only a lone unbreakable word overflows
