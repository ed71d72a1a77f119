"""One evidence path (YAML load and database read-back give identical evidence), questions in
`kb check` and the CLI, and `kb calibrate`, through real files and the real CLI."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.db import build as index
from kb.portfolio import evidence
from kb.store import load
from kb.synth import synthesise
from tests.conftest import EXAMPLE, run


def _evidence_bytes(root: Path, from_db: bool) -> str:
    if from_db:
        index.update(root, strict=True)
        kb = index.read(root)
    else:
        kb, problems = load(root)
        assert not problems
    return repr(evidence(kb))


def test_the_yaml_load_and_the_database_read_back_give_the_same_evidence_on_the_shipped_kb(full_root: Path) -> None:
    assert _evidence_bytes(full_root, False) == _evidence_bytes(full_root, True)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_yaml_load_and_the_database_read_back_give_the_same_evidence_on_generated_kbs(tmp_path: Path, seed: int) -> None:
    synthesise(tmp_path, 120, seed)
    assert _evidence_bytes(tmp_path, False) == _evidence_bytes(tmp_path, True)


def test_origin_not_reported_validates_and_never_becomes_a_work(runner: CliRunner, kb_root: Path) -> None:
    path = kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  origin: endogenous-steering-resistance\n", "  origin: not-reported\n"), encoding="utf-8"
    )
    assert run(runner, kb_root, "check").exit_code == 0
    out = json.loads(run(runner, kb_root, "explain", "h-functional-introspection", "-f", "json", "--draws", "100").stdout)
    assert "not-reported" not in {d["source"] for d in out["leave_one_source_out"]}
    assert all(not w["id"].startswith("not-reported") for w in out["works"])


def _write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def test_check_refuses_a_question_whose_answer_is_not_a_hypothesis(runner: CliRunner, kb_root: Path) -> None:
    _write(
        kb_root, "claims/questions/q-x.yaml", "id: q-x\ntitle: X?\nstatement: Which?\nanswers:\n- h-functional-introspection\n- h-nope\n"
    )
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    assert "claims/questions/q-x.yaml:6: answers[1]: unknown hypothesis 'h-nope' (id q-x)" in result.stderr


def test_check_refuses_overlapping_questions_and_priors_that_do_not_sum_to_one(runner: CliRunner, full_root: Path) -> None:
    _write(
        full_root,
        "claims/questions/q-zz.yaml",
        "id: q-zz\ntitle: Z?\nstatement: Which?\nanswers:\n- h-selfreports-suppressed\n- h-functional-introspection\n",
    )
    result = run(runner, full_root, "check")
    assert result.exit_code == 1
    assert "answers[0]: 'h-selfreports-suppressed' is already an answer of question 'q-selfreport-account' (id q-zz)" in result.stderr
    assert "the answers' priors sum to 0.6, not 1" in result.stderr


def test_check_warns_when_one_claim_supports_two_answers_of_a_question(runner: CliRunner, full_root: Path) -> None:
    path = full_root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    text = path.read_text(encoding="utf-8")
    extra = "".join(
        f"- hypothesis: {h}\n  bearing: supports\n  strength: strong\n  rationale: Test link.\n"
        for h in ("h-selfreports-suppressed", "h-selfreports-neither")
    )
    path.write_text(text.replace("links:\n", "links:\n" + extra, 1), encoding="utf-8")
    result = run(runner, full_root, "check")
    assert result.exit_code == 0, result.stderr
    assert (
        f"warning: claims/findings/{EXAMPLE}.yaml:1: links: supports h-selfreports-neither and h-selfreports-suppressed, "
        f"answers of question 'q-selfreport-account' that exclude each other, at moderate or above (id {EXAMPLE})"
    ) in result.stderr


def test_question_list_and_show_in_every_format(runner: CliRunner, full_root: Path) -> None:
    rows = json.loads(run(runner, full_root, "question", "list", "-f", "json").stdout)
    assert {r["id"] for r in rows} == {"q-selfreport-account", "q-emotion-owner"}
    shown = json.loads(run(runner, full_root, "question", "show", "q-emotion-owner", "-f", "json").stdout)
    assert shown["answers"] == ["h-emotions-own-states", "h-character-simulation", "h-emotions-neither"]
    for fmt in ("table", "csv", "jsonl"):
        result = run(runner, full_root, "question", "list", "-f", fmt)
        assert result.exit_code == 0 and "q-emotion-owner" in result.stdout
    missing = run(runner, full_root, "question", "show", "q-nope")
    assert missing.exit_code == 1 and missing.stderr == "Error: no question with id 'q-nope'\n"


def test_an_uncontrolled_confound_with_a_rival_moves_that_rival_through_the_cli(runner: CliRunner, full_root: Path) -> None:
    def steering_artefact(controlled: str) -> float:
        root = full_root.parent / f"kb-{controlled}"
        if not root.exists():
            shutil.copytree(full_root, root)
        for path in (root / "claims" / "findings").glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            if "type: affirmative-response-bias" in text:
                lines = text.splitlines(keepends=True)
                for i, line in enumerate(lines):
                    if line.strip().removeprefix("- ") == "type: affirmative-response-bias":
                        j = next(k for k in range(i, len(lines)) if lines[k].strip().startswith("controlled:"))
                        lines[j] = lines[j].split("controlled:")[0] + f"controlled: {controlled}\n"
                path.write_text("".join(lines), encoding="utf-8")
        rows = json.loads(run(runner, root, "portfolio", "-f", "json", "--draws", "100").stdout)
        return next(r["posterior"] for r in rows if r["id"] == "h-steering-artefact")

    assert steering_artefact("no") > steering_artefact("yes")


def test_calibrate_meets_its_figures_under_its_own_assumptions(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "calibrate", "-f", "json")
    assert result.exit_code == 0, result.output
    reports = {r["scenario"]: r for r in json.loads(result.stdout)}
    assert set(reports) == {"assumed", "correlation-doubled", "anecdote-bias"}
    assumed = reports["assumed"]
    assert 0.85 <= assumed["coverage_90"] <= 0.95
    assert assumed["ece"] <= 0.05
    assert 0 < assumed["brier"] < 0.25
    assert sum(b["n"] for b in assumed["reliability"]) == assumed["n"]


def _portfolio(runner: CliRunner, root: Path) -> dict[str, dict[str, object]]:
    result = run(runner, root, "portfolio", "-f", "json", "--draws", "300")
    assert result.exit_code == 0, result.output
    return {r["id"]: r for r in json.loads(result.stdout)}


def test_a_study_restated_a_hundred_times_in_a_copy_of_the_kb_counts_at_most_twice(runner: CliRunner, kb_root: Path) -> None:
    import math

    base = _portfolio(runner, kb_root)["h-functional-introspection"]
    text = (kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    for i in range(100):
        (kb_root / "claims" / "findings" / f"restated-{i}.yaml").write_text(
            text.replace(f"id: {EXAMPLE}", f"id: restated-{i}"), encoding="utf-8"
        )
    many = _portfolio(runner, kb_root)["h-functional-introspection"]
    assert float(many["decibans"]) <= 2 * float(base["decibans"]) + 1e-6  # type: ignore[arg-type]
    odds = math.log(float(many["posterior"]) / (1 - float(many["posterior"])))  # type: ignore[arg-type]
    assert odds < math.log(0.3 / 0.7) + 2 * float(base["decibans"]) * math.log(10) / 10 + 1e-6  # type: ignore[arg-type]
    assert float(many["interval"][1]) < 0.99  # type: ignore[index]


def test_a_thousand_weak_anecdotes_in_a_copy_of_the_kb_stay_under_the_ceiling(runner: CliRunner, kb_root: Path) -> None:
    from kb.aggregate import ceiling
    from kb.vocab import Kind, Strength
    from kb.weights import load_weights

    text = (kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    text = text.replace("kind: empirical-finding", "kind: anecdote").replace("strength: moderate", "strength: weak")
    for i in range(1000):
        body = text.replace(f"id: {EXAMPLE}", f"id: anecdote-{i}").replace("study: ", f"study: s-{i}-")
        (kb_root / "claims" / "findings" / f"anecdote-{i}.yaml").write_text(body, encoding="utf-8")
    (kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml").unlink()
    row = _portfolio(runner, kb_root)["h-functional-introspection"]
    cap = ceiling(load_weights(kb_root), Kind.ANECDOTE, Strength.WEAK)
    assert float(row["decibans"]) <= 10 * cap.point / math.log(10) + 1e-3  # type: ignore[arg-type]
