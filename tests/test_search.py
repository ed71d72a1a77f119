"""`kb search`: full-text search over claims, hypotheses, confound types and archived text lines."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import EXAMPLE, run


def claim_text(path: Path) -> str:
    c = yaml.safe_load(path.read_text())
    return " ".join([c["title"], c["statement"], *(x["quote"] for x in c["locators"]), *(x["rationale"] for x in c.get("links", []))])


def test_search_finds_the_claims_that_mention_concept_injection_in_every_format(runner: CliRunner, full_root: Path) -> None:
    mentions = {
        p.stem for p in (full_root / "claims/findings").glob("*.yaml") if re.search(r"\bconcepts?[\s-]+inject", claim_text(p), re.I)
    }
    assert len(mentions) >= 2
    found = json.loads(run(runner, full_root, "search", "concept injection", "-f", "json").stdout)
    claims = [r["id"] for r in found if r["kind"] == "claim"]
    assert mentions <= set(claims)
    for r in found:  # every result holds both words (stemmed: injected, injections…)
        assert re.search(r"concept", r["match"], re.I) and re.search(r"inject", r["match"], re.I) or r["kind"] == "claim"
    assert [r["score"] for r in found] == sorted((r["score"] for r in found), reverse=True)
    lines = run(runner, full_root, "search", "concept injection", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(x) for x in lines] == found
    table = list(csv.DictReader(io.StringIO(run(runner, full_root, "search", "concept injection", "-f", "csv").stdout)))
    assert [r["id"] for r in table] == [r["id"] for r in found]
    shown = run(runner, full_root, "search", "concept injection", "--root", str(full_root))
    assert shown.exit_code == 0 and all(c in shown.stdout for c in mentions)
    assert shown.stderr == f"{len(found)} results\n"


def test_search_reaches_hypotheses_confound_types_and_text_lines(runner: CliRunner, kb_root: Path) -> None:
    found = json.loads(run(runner, kb_root, "search", "steering", "-f", "json").stdout)
    kinds = {r["kind"] for r in found}
    assert {"claim", "hypothesis", "confound", "text"} <= kinds
    line = next(r for r in found if r["kind"] == "text")
    text = (kb_root / "claims/texts" / f"{line['id']}.txt").read_text().split("\n")[line["line"] - 1]
    assert line["title"] == text and "steer" in text.lower()


def test_search_with_no_words_is_one_line_and_exit_1(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "search", " ?! ")
    assert (result.exit_code, result.stderr) == (1, "Error: nothing to search for in ' ?! ': give at least one word\n")


def test_fts_operators_in_the_text_are_plain_words(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "search", 'NOT "steering" OR (x* AND', "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


WORD = st.from_regex(r"[a-z]{6,12}", fullmatch=True).map(lambda w: "zq" + w)  # not in any English text


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=WORD, field=st.sampled_from(["title", "statement", "rationale"]))
def test_a_word_added_to_a_claim_is_found_after_the_edit(runner: CliRunner, kb_root: Path, word: str, field: str) -> None:
    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    original = path.read_text()
    anchor = {"title": "injected distractor feature", "statement": "(for example laundry)", "rationale": "The effect appears only"}[field]
    try:
        assert anchor in original
        path.write_text(original.replace(anchor, f"{anchor} {word}", 1))
        found = json.loads(run(runner, kb_root, "search", word.upper(), "-f", "json").stdout)
        assert [(r["kind"], r["id"]) for r in found] == [("claim", EXAMPLE)]
    finally:
        path.write_text(original)
    assert json.loads(run(runner, kb_root, "search", word, "-f", "json").stdout) == []
