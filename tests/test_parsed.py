"""Record files parsed by a helper beside the loader (kb.parsed): a load that takes what the helper
parsed gives the same records and problems as one that parses every file itself, whatever the
files hold and whatever changes after the helper read them; the helper's work is used for files
old enough to trust; `kb check` and `kb db build` started from the command line give what they
give without it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import parsed
from kb.db.build import update
from kb.db.freshness import db_path
from kb.models import RECORD_FOLDERS
from kb.store import load
from tests.conftest import EXAMPLE, REPO

HOUR_AGO = time.time() - 3600
CLAIMS = 12


def _make(root: Path) -> None:
    """The reference records, and CLAIMS copies of the example claim under their own ids, all last
    modified an hour ago."""
    shutil.copytree(REPO / "claims", root / "claims", ignore=shutil.ignore_patterns("findings", "discrepancies"))
    (root / "claims" / "findings").mkdir()
    (root / "claims" / "discrepancies").mkdir()
    text = (REPO / "claims" / "findings" / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    for n in range(CLAIMS):
        cid = f"f-{n:04d}"
        (root / "claims" / "findings" / f"{cid}.yaml").write_text(text.replace(f"id: {EXAMPLE}", f"id: {cid}", 1), encoding="utf-8")
    _age(root)


def _age(root: Path) -> None:
    for path in (root / "claims").rglob("*"):
        os.utime(path, (HOUR_AGO, HOUR_AGO))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parsed") / "base"
    _make(root)
    return root


def _copy(base: Path, where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(base, where)  # copy2: the modification times come too
    return where


def _loaded(root: Path) -> tuple[dict[str, object], list[object]]:
    kb, problems = load(root)
    records = {f"{folder}/{rid}": r.model_dump(mode="json") for folder in RECORD_FOLDERS for rid, r in kb.folder(folder).items()}
    return records, problems


EDITS = {
    "same": lambda t: t,
    "bad yaml": lambda t: t + "\n  - : [\n",
    "a list": lambda t: "- just\n- a list\n",
    "empty": lambda _: "",
    "wrong id": lambda t: t.replace("id: f-", "id: g-", 1),
    "bad value": lambda t: t.replace("status: ", "status: nonsense-", 1),
    "unknown field": lambda t: t + "surprise: field\n",
    "new title": lambda t: t.replace("title: ", "title: Edited ", 1),
    "duplicate key": lambda t: t + "title: twice\n",
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.dictionaries(st.integers(0, CLAIMS - 1), st.sampled_from(sorted(EDITS)), max_size=4),
    after=st.dictionaries(st.integers(0, CLAIMS - 1), st.sampled_from(sorted(EDITS)), max_size=3),
    fresh=st.booleans(),
)
def test_a_load_with_the_helper_equals_one_without(
    base: Path, tmp_path: Path, before: dict[int, str], after: dict[int, str], fresh: bool
) -> None:
    """Files broken in every way before the helper starts (old, or just written: `fresh`), and
    files edited after it started (it may have read them already, or not yet): the load gives what
    a load parsing every file itself gives."""
    root = _copy(base, tmp_path / "kb")
    findings = root / "claims" / "findings"

    def edit(n: int, how: str) -> None:
        path = findings / f"f-{n:04d}.yaml"
        path.write_text(EDITS[how](path.read_text(encoding="utf-8")), encoding="utf-8")

    for n, how in before.items():
        edit(n, how)
    if not fresh:
        _age(root)
    parsed.start(root)
    for n, how in after.items():
        edit(n, "new title" if how == "same" else how)  # each changes the bytes, so the helper's reading is stale
    with_helper = _loaded(root)
    without = _loaded(root)  # the helper was taken: this load parses every file itself
    assert with_helper == without


def test_the_helper_parses_old_files_and_leaves_new_ones(base: Path, tmp_path: Path) -> None:
    root = _copy(base, tmp_path / "kb")
    new = root / "claims" / "findings" / "f-0003.yaml"
    new.write_text(new.read_text(encoding="utf-8"), encoding="utf-8")  # modified now: within the same tick of a coarse clock
    parsed.start(root)
    held = parsed.take(root)
    records = {str(p.relative_to(root)) for p in (root / "claims").rglob("*.yaml") if p.name != "weights.yaml"}
    assert set(held) == records - {"claims/findings/f-0003.yaml"}
    assert parsed.take(root) == {}  # taken once


def test_a_helper_started_for_another_root_is_not_taken(base: Path, tmp_path: Path) -> None:
    one, other = _copy(base, tmp_path / "one"), _copy(base, tmp_path / "other")
    parsed.start(one)
    try:
        assert parsed.take(other) == {}
    finally:
        assert len(parsed.take(one)) > CLAIMS


def test_a_helper_never_taken_is_stopped_at_exit(base: Path, tmp_path: Path) -> None:
    """A command that started a helper and ended without loading (a usage error, say) leaves no
    process behind: the helper, which would wait to send for ever, is stopped at exit."""
    root = _copy(base, tmp_path / "kb")
    script = "import sys; from pathlib import Path; from kb import parsed; parsed.start(Path(sys.argv[1])); print(parsed._started.pid)"
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, cwd=REPO, timeout=60, check=True)
    helper = int(done.stdout)
    with pytest.raises(ProcessLookupError):  # gone, and reaped
        os.kill(helper, 0)


def _kb(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args, "--root", str(root)], capture_output=True, text=True, cwd=REPO, check=False)


def _rows(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [line for line in conn.iterdump() if "fingerprint" not in line and 'INSERT INTO "file"' not in line]


def test_the_command_line_builds_and_checks_as_without_the_helper(base: Path, tmp_path: Path) -> None:
    """`kb db build` and `kb check` in a real process (their helper started by the entry point)
    write the same database, and report the same problems, as the library without a helper."""
    root = _copy(base, tmp_path / "kb")
    done = _kb(root, "db", "build")
    assert done.returncode == 0, done.stderr
    from_cli = _rows(db_path(root))
    db_path(root).unlink()
    update(root, strict=True)
    assert _rows(db_path(root)) == from_cli
    assert len([r for r in from_cli if r.startswith('INSERT INTO "claim"')]) == CLAIMS

    broken = root / "claims" / "findings" / "f-0005.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("status: ", "status: nonsense-", 1), encoding="utf-8")
    os.utime(broken, (HOUR_AGO, HOUR_AGO + 1))
    checked = _kb(root, "check")
    assert checked.returncode == 1
    _, problems = load(root)
    assert [p for p in problems if p.path.endswith("f-0005.yaml")]
    shown = checked.stdout + checked.stderr
    assert all(str(p) in shown for p in problems), shown
