"""Credence history walked back from the working tree (kb.snapshots) equals loading each commit's
claims/ whole: for generated histories of edits, additions, deletions, invalid files, duplicated
ids, hidden files, weights changes and uncommitted work."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb import history
from kb.errors import InvalidInput
from kb.weights import load_weights
from tests.conftest import REPO

POOL = sorted(p.name for p in (REPO / "claims" / "findings").glob("*.yaml"))[:8]
DRAWS = 50


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def _edit(root: Path, op: str, n: int) -> None:
    """One change to the knowledge base's files."""
    findings = root / "claims" / "findings"
    present = sorted(p for p in findings.glob("*.yaml"))
    source = REPO / "claims" / "findings" / POOL[n % len(POOL)]
    if op == "add":
        shutil.copy(source, findings / source.name)
    elif op == "delete" and present:
        present[n % len(present)].unlink()
    elif op == "strengthen" and present:
        path = present[n % len(present)]
        text = path.read_text(encoding="utf-8")
        for a, b in (
            ("strength: weak", "strength: strong"),
            ("strength: moderate", "strength: weak"),
            ("strength: strong", "strength: moderate"),
        ):
            if a in text:
                path.write_text(text.replace(a, b, 1), encoding="utf-8")
                break
    elif op == "break" and present:
        path = present[n % len(present)]
        path.write_text(path.read_text(encoding="utf-8").replace("kind: ", "kind: not-a-kind-", 1), encoding="utf-8")
    elif op == "duplicate":  # the same id under another file name: the first by path is kept
        shutil.copy(source, findings / f"aa-{n}.yaml")
    elif op == "hidden":
        (findings / ".hidden").mkdir(exist_ok=True)
        shutil.copy(source, findings / ".hidden" / source.name)
    elif op == "weights":
        weights = root / "claims" / "weights.yaml"
        text = weights.read_text(encoding="utf-8")
        weights.write_text(
            text + "\nnot_a_field: 1\n" if "not_a_field" not in text else text.replace("\nnot_a_field: 1\n", ""), encoding="utf-8"
        )
    elif op == "stronger":  # a valid change of weights: that commit's own weights count
        weights = root / "claims" / "weights.yaml"
        text = weights.read_text(encoding="utf-8")
        weights.write_text(
            text.replace("  strong: 8.0", "  strong: 12.0") if "strong: 8.0" in text else text.replace("  strong: 12.0", "  strong: 8.0"),
            encoding="utf-8",
        )
    elif op == "move" and present:  # into a subfolder: the same record under another path
        (findings / "sub").mkdir(exist_ok=True)
        present[n % len(present)].rename(findings / "sub" / f"{present[n % len(present)].name}")


OPS = st.sampled_from(["add", "add", "delete", "strengthen", "break", "duplicate", "hidden", "weights", "stronger", "move"])
EDITS = st.lists(st.tuples(OPS, st.integers(0, 50)), min_size=1, max_size=3)


def _fresh(tmp: Path) -> Path:
    root = tmp / "kb"
    shutil.copytree(REPO / "claims", root / "claims", ignore=shutil.ignore_patterns("findings", "discrepancies", "texts"))
    (root / "claims" / "findings").mkdir()
    for name in POOL[:3]:
        shutil.copy(REPO / "claims" / "findings" / name, root / "claims" / "findings" / name)
    git(root, "init", "-q")
    git(root, "add", "-A", "claims")
    git(root, "commit", "-qm", "start")
    return root


def _whole(root: Path, sha: str, tmp: Path) -> dict[str, history.Point]:
    """The reference: the commit checked out on its own, loaded whole (nothing to walk back)."""
    copy = tmp / f"at-{sha[:10]}"
    git(tmp, "clone", "-q", str(root), str(copy))
    git(copy, "checkout", "-q", sha)
    try:
        load_weights(copy)
    except InvalidInput:  # the commit's weights are invalid: the walk uses the working tree's, as here
        shutil.copy(root / "claims" / "weights.yaml", copy / "claims" / "weights.yaml")
    return {hid: points[-1] for hid, points in history.by_commit_all(copy, limit=1, draws=DRAWS).items()}


@settings(max_examples=12, deadline=None)
@given(commits=st.lists(EDITS, min_size=1, max_size=3), uncommitted=st.lists(st.tuples(OPS, st.integers(0, 50)), max_size=2))
def test_each_commit_walked_back_equals_that_commit_loaded_whole(
    commits: list[list[tuple[str, int]]], uncommitted: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        root = _fresh(tmp)
        for i, edits in enumerate(commits):
            for op, n in edits:
                _edit(root, op, n)
            git(root, "add", "-A", "claims")
            git(root, "commit", "-qm", f"step {i}", "--allow-empty")
        for op, n in uncommitted:  # the walk starts from the working tree, not from the last commit
            _edit(root, op, n)
        (root / "claims" / "weights.yaml").write_text((REPO / "claims" / "weights.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        walked = history.by_commit_all(root, limit=10, draws=DRAWS)
        shas = git(root, "log", "--format=%H", "--", "claims").split()[::-1]
        for sha in shas:
            whole = _whole(root, sha, tmp)
            assert {
                hid: next(p for p in points if p.commit == sha[:10])
                for hid, points in walked.items()
                if any(p.commit == sha[:10] for p in points)
            } == whole
