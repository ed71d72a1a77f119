"""Properties the seed portfolio must keep after the review corrections (issue 14, points 3 and 4;
issue 13, point 4), read through the real CLI from a copy of the whole knowledge base."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, run

SUMMARIES = "claim-summaries"
DIRECTIONAL = {"supports", "undermines", "mixed"}


def _listed(runner: CliRunner, root: Path, noun: str) -> list[dict[str, Any]]:
    result = run(runner, root, noun, "list", "-f", "json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("seed") / "repo"
    shutil.copytree(REPO / "claims", root / "claims")
    runner = CliRunner()
    return {noun: _listed(runner, root, noun) for noun in ("claim", "source", "confound")}


def _counted(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in claims if c["status"] not in ("superseded", "retracted")]


def test_every_not_applicable_confound_entry_says_why(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    missing = [
        (c["id"], e["type"]) for c in portfolio["claim"] for e in c["confounds"] if e["controlled"] == "n-a" and not e["reason"].strip()
    ]
    assert missing == []


def test_a_confound_threatens_only_links_its_claim_has(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    stray = [
        (c["id"], e["type"], h)
        for c in portfolio["claim"]
        for e in c["confounds"]
        for h in e["threatens"]
        if h not in {link["hypothesis"] for link in c["links"]}
    ]
    assert stray == []


def test_transcription_error_is_never_marked_not_applicable(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    """Every seed claim is read in an automatic transcript, a thread, a generated card or an unattributed
    summary, so transcription and second-hand error can always arise."""
    marked = [
        c["id"] for c in portfolio["claim"] for e in c["confounds"] if e["type"] == "transcription-error" and e["controlled"] == "n-a"
    ]
    assert marked == []


def test_no_one_is_a_second_hand_reporter_of_their_own_work(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    """`second-hand-report` is someone describing a work they did not write: a claim whose every speaker
    is an author of its origin is the author's own account."""
    authors = {s["id"]: {a.split(" (")[0] for a in s["authors"]} for s in portfolio["source"]}
    own = [
        c["id"]
        for c in portfolio["claim"]
        if c["provenance"]["tier"] == "second-hand-report"
        and c["provenance"]["origin"] in authors
        and all(str(loc["speaker"]) in authors[c["provenance"]["origin"]] for loc in c["locators"])
    ]
    assert own == []


def test_a_summary_sentence_moves_a_hypothesis_through_one_claim_only(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    """Two counted claims on one summary sentence never both carry a directional link to the same
    hypothesis (the split pairs are merged, the successor superseding the other)."""
    by_sentence: dict[tuple[int, str], list[str]] = defaultdict(list)
    for c in _counted(portfolio["claim"]):
        lines = {loc["lines"][0] for loc in c["locators"] if loc["text"] == SUMMARIES}
        for line in lines:
            for link in c["links"]:
                if link["bearing"] in DIRECTIONAL:
                    by_sentence[(line, link["hypothesis"])].append(c["id"])
    doubled = {key: ids for key, ids in by_sentence.items() if len(ids) > 1}
    assert doubled == {}


def test_a_summary_claim_shares_its_study_with_the_podcast_claims_it_restates(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    claims = _counted(portfolio["claim"])
    studies_elsewhere = {c["provenance"]["study"] for c in claims if c["provenance"]["channel"] != SUMMARIES}
    alone = [
        c["id"]
        for c in claims
        if c["provenance"]["channel"] == SUMMARIES
        and any(link["bearing"] in DIRECTIONAL for link in c["links"])
        and c["provenance"]["study"] not in studies_elsewhere
    ]
    assert alone == []


def test_a_superseded_claim_points_to_a_counted_successor_on_the_same_passage(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    by_id = {c["id"]: c for c in portfolio["claim"]}
    for c in portfolio["claim"]:
        if c["status"] != "superseded":
            continue
        successor = by_id[c["superseded_by"]]
        assert successor["status"] not in ("superseded", "retracted"), c["id"]
        passages = {(loc["text"], tuple(loc["lines"])) for loc in successor["locators"]}
        assert any((loc["text"], tuple(loc["lines"])) in passages for loc in c["locators"]), c["id"]


def test_every_confound_type_is_applied_to_some_claim(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    used = {e["type"] for c in portfolio["claim"] for e in c["confounds"]}
    assert sorted(t["id"] for t in portfolio["confound"] if t["id"] not in used) == []


def test_the_podcast_refusal_claim_keeps_its_quote_s_lower_bound(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    """The transcript says 'upwards of 50%' (a floor); the claim must not turn it into a ceiling."""
    claim = next(c for c in portfolio["claim"] if c["id"] == "refusal-ablation-improves-introspection")
    assert any("upwards of 50%" in loc["quote"] for loc in claim["locators"])
    text = " ".join([claim["title"], claim["statement"], claim["result"]["text"]]).lower()
    assert "upwards of 50%" in text
    assert "as much as" not in text and "up to" not in text
    assert "lower bound" in claim["result"]["numbers"][0]["unit"]


def test_claims_read_in_one_summary_sentence_share_a_tier(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    tiers: dict[int, set[str]] = defaultdict(set)
    for c in portfolio["claim"]:
        if c["provenance"]["channel"] == SUMMARIES:
            for loc in c["locators"]:
                if loc["text"] == SUMMARIES:
                    tiers[loc["lines"][0]].add(c["provenance"]["tier"])
    assert {line: found for line, found in tiers.items() if len(found) > 1} == {}


def test_statements_are_single_paragraphs(portfolio: dict[str, list[dict[str, Any]]]) -> None:
    """A folded statement written with hard line breaks keeps them as text; a statement is one paragraph."""
    assert [c["id"] for c in portfolio["claim"] if "\n" in c["statement"].strip()] == []
