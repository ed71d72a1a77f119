"""The curator's `add` commands for sources, hypotheses, confound types, models, discrepancies and
questions, and `kb source import FILE.bib`, through the real CLI on real files: what they write,
and every refusal leaving claims/ as it was."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kb.errors import AlreadyExists, InvalidKnowledgeBase
from kb.models import Hypothesis
from kb.records import add_record
from kb.sources import arxiv_key, doi_key
from kb.store import load
from kb.vocab import Stream
from tests.conftest import EXAMPLE, REPO, run, snapshot

SOURCE = ["source", "add", "--id", "lindsey-2025", "--title", "Emergent Introspective Awareness in Imaginary Language Models",
          "--author", "Jack Lindsey", "--date", "2025-10-29", "--type", "preprint", "--arxiv", "2510.00001",
          "--doi", "10.1234/abc.5", "--url", "https://example.org/introspection"]  # fmt: skip

BIB = r"""@article{Lindsey2025,
  title = {Emergent Introspective Awareness in {Imaginary Language Models}},
  author = {Lindsey, Jack},
  year = {2025}, month = oct,
  eprint = {2510.00001v2}, archivePrefix = {arXiv}
}
@inproceedings{berg_2026,
  title = {Self-Reports of {G}{\"o}del Machines},
  author = {Berg, Cameron and de Lucena, Diogo and Rosenblatt, Judd},
  year = {2026},
  doi = {10.5555/Berg.2026}
}
@misc{untitled, author = {Nobody}, year = {2020}}
"""


def read(root: Path, rel: str) -> object:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))


def test_source_add_writes_the_work_with_its_identifiers(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, *SOURCE)
    assert (result.exit_code, result.stderr) == (0, "added claims/sources/lindsey-2025.yaml\n")
    shown = json.loads(run(runner, kb_root, "source", "show", "lindsey-2025", "-f", "json").stdout)
    assert shown["authors"] == ["Jack Lindsey"] and shown["date"] == "2025-10-29" and shown["type"] == "preprint"
    assert shown["identifiers"] == {"arxiv": "2510.00001", "doi": "10.1234/abc.5", "url": "https://example.org/introspection"}
    assert run(runner, kb_root, "check").exit_code == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (["--id", "lindsey-2025"], "Error: claims/sources/lindsey-2025.yaml: id: a record with id 'lindsey-2025' already exists; choose another id"),
        (["--id", "other", "--title", "Another", "--arxiv", "arXiv:2510.00001v3", "--doi", "10.9/x"],
         "Error: claims/sources/other.yaml: identifiers.arxiv: same arXiv id arXiv:2510.00001v3 as source 'lindsey-2025' (id other); nothing written"),
        (["--id", "other", "--title", "Another", "--arxiv", "2601.00002", "--doi", "https://doi.org/10.1234/ABC.5"],
         "Error: claims/sources/other.yaml: identifiers.doi: same DOI https://doi.org/10.1234/ABC.5 as source 'lindsey-2025' (id other); nothing written"),
        (["--id", "other", "--title", "emergent introspective awareness in imaginary language models.", "--arxiv", "2601.00002", "--doi", "10.9/x"],
         "Error: claims/sources/other.yaml: title: same title as source 'lindsey-2025' (id other); nothing written"),
        (["--id", "Bad Id"], "claims/sources/Bad Id.yaml"),
    ],
)  # fmt: skip
def test_source_add_refuses_a_taken_id_or_the_same_work(runner: CliRunner, kb_root: Path, change: list[str], expected: str) -> None:
    run(runner, kb_root, *SOURCE)
    before = snapshot(kb_root)
    args = list(SOURCE)
    for flag, value in zip(change[::2], change[1::2], strict=True):
        args[args.index(flag) + 1] = value
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    if expected.startswith("Error"):
        assert result.stderr == expected + "\n"
    else:  # an id that is no slug is a schema problem on the id field, in one line
        assert result.stderr.startswith("Error: command line: id: String should match pattern") and len(result.stderr.splitlines()) == 1
    assert snapshot(kb_root) == before


@settings(max_examples=100)
@given(st.from_regex(r"10\.[0-9]{4,5}/[a-z0-9.]{1,12}", fullmatch=True), st.from_regex(r"[0-9]{4}\.[0-9]{5}", fullmatch=True))
def test_identifier_spellings_of_one_work_compare_equal(doi: str, arxiv: str) -> None:
    assert doi_key(f"https://doi.org/{doi.upper()}") == doi_key(f"doi:{doi}") == doi_key(doi)
    assert arxiv_key(f"arXiv:{arxiv}v3") == arxiv_key(arxiv) == arxiv_key(f"https://arxiv.org/abs/{arxiv}")


def test_bibtex_import_reports_added_existing_and_refused(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    result = run(runner, kb_root, "source", "import", str(bib))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "added Lindsey2025 as claims/sources/lindsey2025.yaml",
        "added berg_2026 as claims/sources/berg-2026.yaml",
        "refused untitled: title: required field is missing (id untitled)",
        "2 added, 0 already there, 1 refused",
    ]
    assert read(kb_root, "claims/sources/berg-2026.yaml") == {
        "id": "berg-2026",
        "title": "Self-Reports of Gödel Machines",
        "authors": ["Cameron Berg", "Diogo de Lucena", "Judd Rosenblatt"],
        "date": "2026",
        "type": "paper",
        "identifiers": {"doi": "10.5555/Berg.2026"},
        "notes": "Imported from BibTeX entry 'berg_2026' (@inproceedings).",
    }
    lindsey = read(kb_root, "claims/sources/lindsey2025.yaml")
    assert isinstance(lindsey, dict)
    assert (lindsey["type"], lindsey["date"], lindsey["identifiers"]) == ("preprint", "2025-10", {"arxiv": "2510.00001v2"})
    again = run(runner, kb_root, "source", "import", str(bib))
    assert again.stderr.splitlines() == [
        "exists Lindsey2025: already source 'lindsey2025' (identifiers.arxiv: same arXiv id 2510.00001v2)",
        "exists berg_2026: already source 'berg-2026' (identifiers.doi: same DOI 10.5555/Berg.2026)",
        "refused untitled: title: required field is missing (id untitled)",
        "0 added, 2 already there, 1 refused",
    ]
    assert run(runner, kb_root, "check").exit_code == 0


def test_bibtex_import_finds_a_work_added_by_hand(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    run(runner, kb_root, *SOURCE)
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB.split("@inproceedings")[0], encoding="utf-8")
    result = run(runner, kb_root, "source", "import", str(bib))
    assert (
        result.stderr.splitlines()[0] == "exists Lindsey2025: already source 'lindsey-2025' (identifiers.arxiv: same arXiv id 2510.00001v2)"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("@article{ok, title={Fine}}\n@article{broken,\n  title = {never closed\n@misc{next, title={x}}\n",
         "refs.bib:2: (bibtex): malformed entry '@article{broken,': Unexpected block start: `@misc`. Was still looking for field-value closing `}`; nothing imported"),
        ("just some notes, no entries\n", "refs.bib: (bibtex): no BibTeX entries found; nothing imported"),
    ],
)  # fmt: skip
def test_a_malformed_bib_is_refused_whole_in_one_line(
    runner: CliRunner, kb_root: Path, tmp_path: Path, content: str, expected: str
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(content, encoding="utf-8")
    before = snapshot(kb_root)
    result = run(runner, kb_root, "source", "import", str(bib))
    assert (result.exit_code, result.stderr) == (1, f"Error: {tmp_path}/{expected}\n")
    assert snapshot(kb_root) == before


def test_duplicate_keys_in_a_bib_are_refused_entries(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{twice, title={First}}\n@misc{twice, title={Second}}\n", encoding="utf-8")
    result = run(runner, kb_root, "source", "import", str(bib))
    assert result.stderr.splitlines() == [
        "added twice as claims/sources/twice.yaml",
        "refused twice: the key or a field appears twice in the file",
        "1 added, 0 already there, 1 refused",
    ]


# --- hypotheses, confound types, models, questions, discrepancies -------------------------------

HYPOTHESIS = ["hypothesis", "add", "--id", "h-test", "--title", "A test hypothesis", "--statement", "Something holds.",
              "--stream", "introspection", "--prior", "0.6", "--rival", "h-functional-introspection"]  # fmt: skip
CONFOUND = ["confound", "add", "--id", "evaluation-awareness-test", "--name", "Evaluation awareness",
            "--definition", "The model behaves differently because it infers it is being tested.", "--group", "elicitation",
            "--question", "Was the setting indistinguishable from deployment?", "--question", "Was awareness probed and ruled out?",
            "--control", "Blind the evaluation context.", "--severity", "moderate"]  # fmt: skip
MODEL = ["model", "add", "--id", "test-7b", "--name", "Test 7B", "--developer", "Example Lab", "--open-weights", "--alias", "T7"]
QUESTION = ["question", "add", "--id", "q-test", "--title", "Which?", "--statement", "Which of the two holds?",
            "--answer", "h-test", "--answer", "h-steering-artefact"]  # fmt: skip
DISCREPANCY = ["discrepancy", "add", "--id", "d-test", "--title", "Two tellings", "--subject", "number",
               "--side", "cognitive-revolution-berg-2026:355:Most of the time the model misses it.", "--reading", "usually missed",
               "--side", "cognitive-revolution-berg-2026:355-356:the model misses it", "--reading", "missed",
               "--adopted", "usually missed", "--why", "The fuller passage.", "--claim", EXAMPLE]  # fmt: skip


def test_each_record_kind_is_added_and_the_knowledge_base_still_checks(runner: CliRunner, kb_root: Path) -> None:
    for args, rel in [
        (HYPOTHESIS, "claims/hypotheses/h-test.yaml"),
        (CONFOUND, "claims/confounds/evaluation-awareness-test.yaml"),
        (MODEL, "claims/models/test-7b.yaml"),
        (QUESTION, "claims/questions/q-test.yaml"),
        (DISCREPANCY, "claims/discrepancies/d-test.yaml"),
    ]:
        result = run(runner, kb_root, *args)
        assert (result.exit_code, result.stderr) == (0, f"added {rel}\n"), result.output
    assert read(kb_root, "claims/models/test-7b.yaml") == {
        "id": "test-7b", "name": "Test 7B", "developer": "Example Lab", "open_weights": True, "aliases": ["T7"],
    }  # fmt: skip
    kb, problems = load(kb_root)
    assert problems == []
    assert kb.hypotheses["h-test"].prior == 0.6 and kb.hypotheses["h-test"].rivals == ["h-functional-introspection"]
    assert len(kb.confounds["evaluation-awareness-test"].signalling_questions) == 2
    assert kb.questions["q-test"].answers == ["h-test", "h-steering-artefact"]
    assert [s.locator.lines for s in kb.discrepancies["d-test"].sides] == [(355, 355), (355, 356)]
    questions = json.loads(run(runner, kb_root, "question", "list", "-f", "json").stdout)
    assert "q-test" in [q["id"] for q in questions]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([*HYPOTHESIS[:-1], "h-nope"], ["claims/hypotheses/h-test.yaml:7: rivals[0]: unknown hypothesis 'h-nope' (id h-test)"]),
        ([*HYPOTHESIS[:-3], "1.5"], ["command line: prior: Input should be less than 1 (got 1.5) (id h-test)"]),
        ([*QUESTION[:-1], "h-nope"], ["claims/questions/q-test.yaml:6: answers[1]: unknown hypothesis 'h-nope' (id q-test)"]),
        ([*QUESTION[:-1], "h-test"], ["claims/questions/q-test.yaml:6: answers[1]: hypothesis 'h-test' is listed twice (id q-test)"]),
        ([*DISCREPANCY[:-1], "no-such-claim"], ["claims/discrepancies/d-test.yaml:22: claims[0]: unknown claim 'no-such-claim' (id d-test)"]),
        ([*DISCREPANCY[:9], "cognitive-revolution-berg-2026:354:Most of the time the model misses it.", *DISCREPANCY[10:]],
         ["claims/discrepancies/d-test.yaml:10: sides[0].locator.quote: quote does not occur at lines 354-354 of "
          "'cognitive-revolution-berg-2026'; it occurs at lines 355-355 (id d-test)"]),
    ],
)  # fmt: skip
def test_records_with_bad_references_are_refused_with_every_problem(
    runner: CliRunner, kb_root: Path, args: list[str], expected: list[str]
) -> None:
    if args[0] == "question":
        run(runner, kb_root, *HYPOTHESIS)
    before = snapshot(kb_root)
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1
    one = [f"Error: {expected[0]}"] if len(expected) == 1 else [*expected, f"Error: {len(expected)} problems in the knowledge base"]
    assert result.stderr.splitlines() == one
    assert snapshot(kb_root) == before


def test_a_hypothesis_already_answering_a_question_cannot_answer_another(runner: CliRunner, kb_root: Path) -> None:
    run(runner, kb_root, *HYPOTHESIS)
    run(runner, kb_root, *QUESTION)
    other = [*QUESTION]
    other[other.index("q-test")] = "q-other"
    result = run(runner, kb_root, *other)
    assert (
        result.stderr.splitlines()[0]
        == "claims/questions/q-other.yaml:5: answers[0]: hypothesis 'h-test' already answers question 'q-test' (id q-other)"
    )


@pytest.mark.parametrize("args", [HYPOTHESIS, CONFOUND, MODEL])
def test_an_existing_id_is_refused_and_nothing_changes(runner: CliRunner, kb_root: Path, args: list[str]) -> None:
    assert run(runner, kb_root, *args).exit_code == 0
    before = snapshot(kb_root)
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1 and result.stderr.endswith("already exists; choose another id\n")
    assert snapshot(kb_root) == before


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_add_from_a_yaml_or_json_file(runner: CliRunner, kb_root: Path, tmp_path: Path, suffix: str) -> None:
    record = {"id": "h-from-file", "title": "From a file", "statement": "Read from a file.", "stream": "welfare", "prior": 0.1}
    src = tmp_path / f"h{suffix}"
    src.write_text(json.dumps(record) if suffix == ".json" else yaml.safe_dump(record), encoding="utf-8")
    result = run(runner, kb_root, "hypothesis", "add", "--from", str(src))
    assert (result.exit_code, result.stderr) == (0, "added claims/hypotheses/h-from-file.yaml\n")
    assert read(kb_root, "claims/hypotheses/h-from-file.yaml") == record


def test_add_from_a_file_with_a_typo_names_file_line_field_and_id(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    src = tmp_path / "m.yaml"
    src.write_text("id: m-typo\nname: M\ndeveloper: X\nopen_weight: true\n", encoding="utf-8")
    before = snapshot(kb_root)
    result = run(runner, kb_root, "model", "add", "--from", str(src))
    assert result.stderr.splitlines() == [
        f"Error: {src}:4: open_weight: unknown field (not in the schema; check the spelling) (id m-typo)",
    ]
    assert snapshot(kb_root) == before


def test_a_missing_required_flag_without_a_terminal_is_a_usage_error(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "confound", "add", "--id", "x", "--name", "X")
    assert result.exit_code == 2
    assert "missing option --definition (or give --from FILE)" in result.stderr


def test_missing_flags_are_prompted_for_in_a_terminal(kb_root: Path) -> None:
    """A real pseudo-terminal: the prompts ask for each missing field, re-ask for a value outside
    the vocabulary, and the record is written."""
    answers = ["h-prompted", "Prompted", "Asked in a terminal.", "nonsense", "welfare", "0.3"]
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "hypothesis", "add", "--root", str(kb_root)],
        stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    for answer in answers:
        os.write(primary, f"{answer}\n".encode())
    output = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait(timeout=60) == 0, output.decode()
    text = output.decode()
    assert "Id (slug):" in text and "'nonsense' is not one of" in text and "added claims/hypotheses/h-prompted.yaml" in text
    assert read(kb_root, "claims/hypotheses/h-prompted.yaml") == {
        "id": "h-prompted", "title": "Prompted", "statement": "Asked in a terminal.", "stream": "welfare", "prior": 0.3,
    }  # fmt: skip


# --- properties of the one add path -------------------------------------------------------------

_KNOWN = sorted(p.stem for p in (REPO / "claims" / "hypotheses").glob("*.yaml"))
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(str.strip)


@settings(max_examples=40, deadline=None)
@given(
    title=_TEXT,
    statement=_TEXT,
    prior=st.floats(min_value=0.001, max_value=0.999),
    rivals=st.lists(st.sampled_from([*_KNOWN, "h-unknown-one", "h-unknown-two"]), max_size=3),
)
def test_an_added_record_reads_back_equal_and_a_refused_one_writes_nothing(
    tmp_path_factory: pytest.TempPathFactory, title: str, statement: str, prior: float, rivals: list[str]
) -> None:
    """Through kb.records: a hypothesis whose rivals all exist is written and loads back equal to
    what was given; one naming an unknown rival is refused with one problem per unknown rival, and
    the knowledge base is byte for byte as it was."""
    root = tmp_path_factory.mktemp("add")
    shutil.copytree(REPO / "claims" / "hypotheses", root / "claims" / "hypotheses")
    record = Hypothesis(id="h-new", title=title, statement=statement, stream=Stream.WELFARE, prior=prior, rivals=rivals)
    before = snapshot(root)
    unknown = [r for r in rivals if r not in _KNOWN]
    if unknown:
        with pytest.raises(InvalidKnowledgeBase) as refused:
            add_record(root, record)
        assert [p.field for p in refused.value.problems] == [f"rivals[{i}]" for i, r in enumerate(rivals) if r not in _KNOWN]
        assert snapshot(root) == before
    else:
        add_record(root, record)
        kb, problems = load(root)
        assert problems == [] and kb.hypotheses["h-new"] == record
        with pytest.raises(AlreadyExists):
            add_record(root, record)
