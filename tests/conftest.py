"""Shared fixtures: small, real knowledge bases in tmp_path, copied from the repository's own
reference records so tests exercise the real schema and texts."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "steering-resistance-self-correction"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root/claims, by relative path: to prove a failed command changed nothing."""
    base = root / "claims"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """A knowledge base with the repository's hypotheses, confounds, models, sources, texts and
    weights, and one claim (the curator guide's example), but none of the seed content."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "claims", root / "claims", ignore=shutil.ignore_patterns("findings", "discrepancies"))
    (root / "claims" / "findings").mkdir()
    (root / "claims" / "discrepancies").mkdir()
    shutil.copy(REPO / "claims" / "findings" / f"{EXAMPLE}.yaml", root / "claims" / "findings")
    return root


@pytest.fixture
def full_root(tmp_path: Path) -> Path:
    """A copy of the repository's whole knowledge base."""
    root = tmp_path / "full"
    shutil.copytree(REPO / "claims", root / "claims")
    return root


Invoke = Callable[..., "object"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, root: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--root", str(root)] if args and args[0] != "--help" else list(args), input=input)
