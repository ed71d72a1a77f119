"""Typing and lint hold on the committed code: ruff (check and format) and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_and_format_are_clean() -> None:
    check = run("ruff", "check", "kb", "cli", "tests", "benchmarks")
    assert check.returncode == 0, check.stdout
    fmt = run("ruff", "format", "--check", "kb", "cli", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_strict_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout
