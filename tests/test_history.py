"""`kb history`: credence over finding dates and over commits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import EXAMPLE, run


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=root, check=True, capture_output=True)


def _example_provenance(root: Path) -> tuple[Path, Path]:
    """The source files of the example finding's work (origin) and channel document."""
    provenance = yaml.safe_load((root / f"claims/findings/{EXAMPLE}.yaml").read_text())["provenance"]
    return (root / f"claims/sources/{provenance['origin']}.yaml", root / f"claims/sources/{provenance['channel']}.yaml")


def _set_date(source: Path, date: str) -> None:
    record = yaml.safe_load(source.read_text())
    record["date"] = date
    source.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True))


@pytest.mark.parametrize(
    ("work_date", "expected"),
    [("2026-02-06", "2026-02-06"), ("not-reported", "2026-04-23")],
    ids=["the work's date when the finding has none", "the channel's date when the finding and its work have none"],
)
def test_history_by_date_falls_back_to_the_work_then_the_channel_date(
    runner: CliRunner, kb_root: Path, work_date: str, expected: str
) -> None:
    work, channel = _example_provenance(kb_root)
    _set_date(work, work_date)
    _set_date(channel, "2026-04-23")
    result = run(runner, kb_root, "history", "h-functional-introspection", "--by", "date", "-f", "json")
    assert result.exit_code == 0, result.output
    (point,) = json.loads(result.stdout)
    assert (point["axis"], point["at"], point["n_claims"]) == ("date", expected, 1)
    assert 0 < point["interval"][0] <= point["posterior"] <= point["interval"][1] < 1


def test_history_by_commit_has_one_point_per_commit_and_moves_with_the_evidence(runner: CliRunner, kb_root: Path) -> None:
    git(kb_root, "init", "-q")
    git(kb_root, "add", "claims")
    git(kb_root, "commit", "-qm", "one finding")
    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    path.write_text(path.read_text().replace("strength: weak", "strength: strong", 1))
    git(kb_root, "commit", "-qam", "stronger")
    result = run(runner, kb_root, "history", "h-functional-introspection", "--by", "commit", "-f", "json")
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.stdout)
    assert first["axis"] == second["axis"] == "commit"
    assert second["decibans"] > first["decibans"] > 0


def test_history_of_an_unknown_hypothesis_is_one_line(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "history", "h-nope", "--by", "date")
    assert (result.exit_code, result.stderr) == (1, "Error: no hypothesis with id 'h-nope'\n")


def test_all_hypotheses_at_once_match_one_at_a_time(kb_root: Path) -> None:
    from kb import history
    from kb.store import load_valid
    from kb.weights import load_weights

    kb, weights = load_valid(kb_root), load_weights(kb_root)
    every = history.by_date_all(kb, weights, draws=200)
    assert sorted(every) == sorted(kb.hypotheses)
    assert every["h-functional-introspection"] == history.by_date(kb, weights, "h-functional-introspection", draws=200)


def test_history_by_commit_outside_git_is_empty(kb_root: Path) -> None:
    from kb import history

    assert history.by_commit_all(kb_root) == {}
    assert history.by_commit(kb_root, "h-functional-introspection") == []
