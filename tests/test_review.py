"""The reviewer workflow: a scripted review, safe edits that keep comments, invalid edits that
change nothing, concurrent reviewers who both land, and the audit reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.review import propose_control
from kb.store import load
from kb.vocab import Answer, Controlled
from tests.conftest import EXAMPLE, run, snapshot

CLAIM = f"claims/findings/{EXAMPLE}.yaml"
Y, PY, PN, N, NI = Answer.YES, Answer.PROBABLY_YES, Answer.PROBABLY_NO, Answer.NO, Answer.NO_INFORMATION


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([Y, PY, Y], Controlled.YES),
        ([N, PN], Controlled.NO),
        ([N, NI, NI], Controlled.NO),
        ([NI, NI], Controlled.NOT_REPORTED),
        ([Y, N, NI], Controlled.PARTIAL),
        ([PY, NI], Controlled.PARTIAL),
    ],
)
def test_answers_propose_a_control_status(answers: list[Answer], expected: Controlled) -> None:
    assert propose_control(answers) is expected


def scripted_review(runner: CliRunner, root: Path, reviewer: str, bearing: str = "supports", strength: str = "moderate") -> None:
    steps = [
        ["review", "start", EXAMPLE, "--reviewer", reviewer],
        ["review", "confound", EXAMPLE, "output-inference", "--reviewer", reviewer, "--answers", "N,PN,NI"],
        [
            "review", "confound", EXAMPLE, "small-sample-generalisation", "--reviewer", reviewer,
            "--answers", "Y,N,NI", "--override", "no", "--why", "Only the largest models showed it",
        ],
        ["review", "confound", EXAMPLE, "transcription-error", "--reviewer", reviewer, "--answers", "N,NI,Y"],
        ["review", "confound", EXAMPLE, "steering-degrees-of-freedom", "--reviewer", reviewer, "--answers", "NI,NI,NI"],
        ["review", "confound", EXAMPLE, "capability-confound-in-scaling", "--reviewer", reviewer, "--answers", "N,NI,NI"],
        ["review", "link", EXAMPLE, "h-functional-introspection", "--reviewer", reviewer, "--bearing", bearing, "--strength", strength],
        ["review", "link", EXAMPLE, "h-introspection-scales", "--reviewer", reviewer, "--bearing", "supports", "--strength", "weak"],
        ["review", "submit", EXAMPLE, "--reviewer", reviewer, "--verdict", "approve"],
    ]  # fmt: skip
    for step in steps:
        result = run(runner, root, *step)
        assert result.exit_code == 0, (step, result.output)


def test_scripted_review_is_reflected_in_the_file_the_audit_and_the_status(runner: CliRunner, kb_root: Path) -> None:
    audit = json.loads(run(runner, kb_root, "audit", "-f", "json").stdout)
    assert [r["claim"] for r in audit["unreviewed"]] == [EXAMPLE]
    scripted_review(runner, kb_root, "ana")
    kb, problems = load(kb_root)
    assert problems == []
    claim = kb.claims[EXAMPLE]
    assert claim.status.value == "approved"
    (review,) = claim.reviews
    assert review.verdict is not None and review.verdict.value == "approve"
    judged = {j.confound: (j.proposed.value, j.judged.value, j.why) for j in review.confounds}
    assert judged == {
        "output-inference": ("no", "no", ""),
        "small-sample-generalisation": ("partial", "no", "Only the largest models showed it"),
        "transcription-error": ("partial", "partial", ""),
        "steering-degrees-of-freedom": ("not-reported", "not-reported", ""),
        "capability-confound-in-scaling": ("no", "no", ""),
    }
    assert [e.event for e in claim.history] == [
        "status",
        "review-started",
        "confound-judged",
        "confound-judged",
        "confound-judged",
        "confound-judged",
        "confound-judged",
        "link-judged",
        "link-judged",
        "review-submitted",
        "status",
    ]
    audit = json.loads(run(runner, kb_root, "audit", "-f", "json").stdout)
    assert audit["unreviewed"] == []
    assert {
        "hypothesis": "h-functional-introspection",
        "confound": "small-sample-generalisation",
        "n_claims": 1,
        "claims": [EXAMPLE],
    } in audit["uncontrolled"]
    listed = json.loads(run(runner, kb_root, "claim", "list", "--status", "approved", "-f", "json").stdout)
    assert [c["id"] for c in listed] == [EXAMPLE]


def test_override_without_reason_is_refused_and_changes_nothing(runner: CliRunner, kb_root: Path) -> None:
    assert run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana").exit_code == 0
    before = snapshot(kb_root)
    result = run(
        runner, kb_root, "review", "confound", EXAMPLE, "output-inference", "--reviewer", "ana", "--answers", "N,N,N", "--override", "yes"
    )
    assert result.exit_code == 1
    assert result.stderr == f"Error: {CLAIM}: reviews: an override of 'output-inference' needs --why (a written justification)\n"
    assert snapshot(kb_root) == before


def test_wrong_number_of_answers_is_refused(runner: CliRunner, kb_root: Path) -> None:
    run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana")
    result = run(runner, kb_root, "review", "confound", EXAMPLE, "output-inference", "--reviewer", "ana", "--answers", "Y")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: claims/confounds/output-inference.yaml: signalling_questions: 'output-inference' has 3 questions, "
        f"got 1 answers (claim {EXAMPLE})\n"
    )


def test_judging_without_an_open_review_is_refused(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "review", "submit", EXAMPLE, "--reviewer", "bob", "--verdict", "approve")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {CLAIM}: reviews: bob has no open review of '{EXAMPLE}'; run 'kb review start' first\n"


def test_review_keeps_comments_and_key_order(runner: CliRunner, kb_root: Path) -> None:
    path = kb_root / CLAIM
    text = path.read_text().replace("kind: empirical-finding", "kind: empirical-finding  # checked against the passage")
    path.write_text("# curated by hand\n" + text + "# end of claim\n")
    keys_before = [line.split(":")[0] for line in path.read_text().splitlines() if line and line[0].isalpha()]
    scripted_review(runner, kb_root, "ana")
    after = path.read_text()
    assert after.startswith("# curated by hand\n")
    assert "kind: empirical-finding  # checked against the passage\n" in after
    assert "# end of claim" in after
    keys_after = [line.split(":")[0] for line in after.splitlines() if line and line[0].isalpha()]
    assert keys_after[: len(keys_before)] == keys_before
    assert not any(line.endswith(" ") for line in after.splitlines())


def test_invalid_edit_leaves_the_file_as_it_was_and_keeps_the_attempt(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/bearing: supports/bearing: sideways/' \"$1\"\n")
    editor.chmod(0o755)
    before = snapshot(kb_root)
    os.environ["EDITOR"] = str(editor)
    try:
        result = run(runner, kb_root, "claim", "edit", EXAMPLE)
    finally:
        del os.environ["EDITOR"]
    assert result.exit_code == 1
    assert "links[0].bearing: Input should be 'supports', 'undermines', 'mixed' or 'neutral' (got 'sideways')" in result.stderr
    assert snapshot(kb_root) == before
    assert "bearing: sideways" in (kb_root / "build/rejected" / f"{EXAMPLE}.yaml").read_text()


def test_valid_edit_is_saved_with_comments(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    path = kb_root / CLAIM
    path.write_text("# keep me\n" + path.read_text())
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/strength: weak/strength: moderate/' \"$1\"\n")
    editor.chmod(0o755)
    os.environ["EDITOR"] = str(editor)
    try:
        result = run(runner, kb_root, "claim", "edit", EXAMPLE)
    finally:
        del os.environ["EDITOR"]
    assert result.exit_code == 0, result.output
    assert path.read_text().startswith("# keep me\n")
    assert "strength: moderate" in path.read_text()


def test_two_reviewers_writing_at_once_both_land(kb_root: Path) -> None:
    def kb(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", *args, "--root", str(kb_root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    procs = [kb("review", "start", EXAMPLE, "--reviewer", name) for name in ("ana", "bob", "cy", "dee")]
    assert [p.wait() for p in procs] == [0, 0, 0, 0], [p.stderr.read() for p in procs if p.stderr]
    procs = [
        kb("review", "confound", EXAMPLE, "output-inference", "--reviewer", name, "--answers", answers)
        for name, answers in (("ana", "Y,Y,Y"), ("bob", "N,N,N"), ("cy", "NI,NI,NI"), ("dee", "Y,N,Y"))
    ]
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    loaded, problems = load(kb_root)
    assert problems == []
    reviews = {r.reviewer: r for r in loaded.claims[EXAMPLE].reviews}
    assert sorted(reviews) == ["ana", "bob", "cy", "dee"]
    assert {name: r.confounds[0].proposed.value for name, r in reviews.items()} == {
        "ana": "yes",
        "bob": "no",
        "cy": "not-reported",
        "dee": "partial",
    }


def test_disagreeing_reviewers_show_in_the_audit(runner: CliRunner, kb_root: Path) -> None:
    scripted_review(runner, kb_root, "ana", "supports", "moderate")
    scripted_review(runner, kb_root, "bob", "undermines", "weak")
    rows = json.loads(run(runner, kb_root, "audit", "--report", "disagreements", "-f", "json").stdout)["disagreements"]
    assert rows == [
        {
            "claim": EXAMPLE,
            "reviewers": ["ana", "bob"],
            "disagreements": ["link h-functional-introspection: ana=supports/moderate, bob=undermines/weak"],
        }
    ]


def test_supersede_and_retract(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "claim", "retract", EXAMPLE, "--why", "")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {CLAIM}: retraction_reason: a retraction needs a reason (--why)\n"
    result = run(runner, kb_root, "claim", "supersede", EXAMPLE, "--by", "missing-successor")
    assert result.exit_code == 1
    assert "superseded_by: unknown claim 'missing-successor'" in result.stderr
    assert run(runner, kb_root, "claim", "retract", EXAMPLE, "--why", "Misread the passage").exit_code == 0
    claim = load(kb_root)[0].claims[EXAMPLE]
    assert (claim.status.value, claim.retraction_reason) == ("retracted", "Misread the passage")
    assert claim.history[-1].detail == "draft -> retracted: Misread the passage"


def test_audit_help_names_every_report() -> None:
    from cli.audit import REPORT_HELP
    from kb.audit import REPORTS

    assert REPORT_HELP == "; ".join(f"{name}: {desc}" for name, (desc, _) in REPORTS.items())


def test_portfolio_reflects_the_review(runner: CliRunner, kb_root: Path) -> None:
    def row() -> dict[str, object]:
        result = run(runner, kb_root, "portfolio", "-f", "json", "--draws", "500")
        assert result.exit_code == 0, result.output
        return next(r for r in json.loads(result.stdout) if r["id"] == "h-functional-introspection")

    assert row()["unreviewed_share"] == 1.0
    scripted_review(runner, kb_root, "ana")
    assert row()["unreviewed_share"] == 0.0
    result = run(runner, kb_root, "portfolio", "-f", "json", "--draws", "500", "--approved-only")
    assert next(r for r in json.loads(result.stdout) if r["id"] == "h-functional-introspection")["n_supports"] == 1
