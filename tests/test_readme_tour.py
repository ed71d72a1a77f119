"""The README's tour of adding a paper from a file, run exactly as written (its bash block, with
bash and the real `kb` console script) in a copy of the small fixture knowledge base, so the README
and the tool cannot drift apart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from tests.conftest import REPO, snapshot

HEADING = "## Adding a paper from a file, end to end"


def tour_commands() -> str:
    """The first bash block under the tour's heading in README.md."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(HEADING) :]
    start = section.index("```bash\n") + len("```bash\n")
    return section[start : section.index("```", start)]


def bash(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_readme_tour_adds_a_paper_end_to_end_and_its_undo_restores_the_knowledge_base(kb_root: Path) -> None:
    (kb_root / "examples").mkdir()
    shutil.copy(REPO / "examples" / "example-paper.pdf", kb_root / "examples")
    before = snapshot(kb_root)
    *steps, undo = tour_commands().rstrip("\n").split("\n")
    assert undo.startswith("rm claims/"), "the tour ends with the line that undoes it"

    result = bash(kb_root, "\n".join(steps))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:4] == [
        "added claims/sources/example-noticing-2026.yaml",
        f"added claims/texts/example-noticing-2026.txt (11 lines, pdf->text (pypdf {version('pypdf')})) and claims/texts/example-noticing-2026.yaml",
        "added claims/findings/example-largest-model-notices.yaml",
        "added claims/findings/example-smaller-models-do-not.yaml",
    ]
    assert "example-noticing-2026:7: In 18 of 100 trials the largest model named the injected concept" in result.stdout
    assert "--text example-noticing-2026 --lines 9 --quote 'The two smaller models never named it" in result.stdout
    assert result.stderr.splitlines()[4].startswith("ok: 3 claims")  # kb check, after the two new claims

    listed = json.loads(bash(kb_root, "kb claim list --source example-noticing-2026 -f json").stdout)
    assert sorted((c["id"], c["provenance"]["tier"]) for c in listed) == [
        ("example-largest-model-notices", "preprint"),
        ("example-smaller-models-do-not", "preprint"),
    ]
    portfolio = json.loads(bash(kb_root, "kb portfolio -f json --draws 200").stdout)
    assert {"h-functional-introspection", "h-introspection-scales"} <= {row["id"] for row in portfolio}

    assert bash(kb_root, undo).returncode == 0
    assert snapshot(kb_root) == before
