"""`kb check` on copies corrupted in each way the store must catch: one line per problem naming
file, line, field and id; exit 1; no traceback; no file changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import EXAMPLE, run, snapshot

CLAIM = f"claims/findings/{EXAMPLE}.yaml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    for number, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {rel}")


Corruption = Callable[[Path], str]


def malformed_yaml(root: Path) -> str:
    edit(root, CLAIM, "kind: empirical-finding", "kind: [empirical-finding")
    return f"{CLAIM}:{line_of(root, CLAIM, 'stream:')}: (yaml): malformed YAML: did not find expected ',' or ']' (id {EXAMPLE})"


def unknown_field(root: Path) -> str:
    edit(root, CLAIM, "kind: empirical-finding", "kind: empirical-finding\nkindd: oops")
    return f"{CLAIM}:{line_of(root, CLAIM, 'kindd')}: kindd: unknown field (not in the schema; check the spelling) (id {EXAMPLE})"


def wrong_enum(root: Path) -> str:
    edit(root, CLAIM, "bearing: supports", "bearing: support")
    return (
        f"{CLAIM}:{line_of(root, CLAIM, 'bearing: support')}: links[0].bearing: Input should be 'supports', 'undermines', "
        f"'mixed' or 'neutral' (got 'support') (id {EXAMPLE})"
    )


def wrong_type(root: Path) -> str:
    edit(root, CLAIM, "speaker_inferred: true", "speaker_inferred: sometimes")
    return (
        f"{CLAIM}:{line_of(root, CLAIM, 'speaker_inferred: sometimes')}: locators[0].speaker_inferred: Input should be a valid boolean, "
        f"unable to interpret input (got 'sometimes') (id {EXAMPLE})"
    )


def missing_field(root: Path) -> str:
    edit(root, CLAIM, "stream: introspection\n", "")
    return f"{CLAIM}:1: stream: required field is missing (id {EXAMPLE})"


def duplicate_id(root: Path) -> str:
    sub = root / "claims/findings/more"
    sub.mkdir()
    (sub / f"{EXAMPLE}.yaml").write_bytes((root / CLAIM).read_bytes())
    # files load in path order, so the one in the subfolder comes first and the other is the duplicate
    return f"{CLAIM}:1: id: duplicate id '{EXAMPLE}' (also in claims/findings/more/{EXAMPLE}.yaml)"


def unknown_hypothesis(root: Path) -> str:
    edit(root, CLAIM, "hypothesis: h-introspection-scales", "hypothesis: h-no-such-thing")
    edit(root, CLAIM, "  - h-introspection-scales", "  - h-no-such-thing")  # the confound that threatens that link follows it
    return f"{CLAIM}:{line_of(root, CLAIM, 'h-no-such-thing')}: links[1].hypothesis: unknown hypothesis 'h-no-such-thing' (id {EXAMPLE})"


def unknown_confound(root: Path) -> str:
    edit(root, CLAIM, "type: output-inference", "type: output-infer")
    return f"{CLAIM}:{line_of(root, CLAIM, 'output-infer')}: confounds[0].type: unknown confound type 'output-infer' (id {EXAMPLE})"


def unknown_model(root: Path) -> str:
    edit(root, CLAIM, "models: []", "models:\n- model: gpt-9\n  as_written: GPT 9")
    return f"{CLAIM}:{line_of(root, CLAIM, 'gpt-9')}: models[0].model: unknown model 'gpt-9' (id {EXAMPLE})"


def unknown_source(root: Path) -> str:
    edit(root, CLAIM, "origin: endogenous-steering-resistance", "origin: no-such-work")
    return f"{CLAIM}:{line_of(root, CLAIM, 'no-such-work')}: provenance.origin: unknown source 'no-such-work' (id {EXAMPLE})"


def unknown_text(root: Path) -> str:
    edit(root, CLAIM, "- text: cognitive-revolution-berg-2026\n  lines: [337", "- text: no-such-text\n  lines: [337")
    return f"{CLAIM}:{line_of(root, CLAIM, 'no-such-text')}: locators[0].text: unknown text 'no-such-text' (id {EXAMPLE})"


def lines_outside(root: Path) -> str:
    edit(root, CLAIM, "lines: [351, 354]", "lines: [1900, 1901]")
    return (
        f"{CLAIM}:{line_of(root, CLAIM, '1900')}: locators[1].lines: line range 1900-1901 is outside "
        f"'cognitive-revolution-berg-2026' (1855 lines) (id {EXAMPLE})"
    )


def quote_elsewhere(root: Path) -> str:
    edit(root, CLAIM, "lines: [351, 354]", "lines: [300, 304]")
    return (
        f"{CLAIM}:{line_of(root, CLAIM, 'quote: It does not happen')}: locators[1].quote: quote does not occur at lines 300-304 of "
        f"'cognitive-revolution-berg-2026'; it occurs at lines 353-354 (id {EXAMPLE})"
    )


def quote_absent(root: Path) -> str:
    edit(root, CLAIM, "It does not happen on the smaller models.", "It never happens on the smaller models.")
    return (
        f"{CLAIM}:{line_of(root, CLAIM, 'never happens')}: locators[1].quote: quote does not occur at lines 351-354 of "
        f"'cognitive-revolution-berg-2026'; it does not occur in the text (id {EXAMPLE})"
    )


def sha_mismatch(root: Path) -> str:
    rel = "claims/texts/claim-summaries.txt"
    (root / rel).write_bytes((root / rel).read_bytes() + b" ")
    record = "claims/texts/claim-summaries.yaml"
    import hashlib

    actual = hashlib.sha256((root / rel).read_bytes()).hexdigest()
    recorded = next(line.split(": ")[1] for line in (root / record).read_text().splitlines() if line.startswith("sha256"))
    return f"{record}:{line_of(root, record, 'sha256')}: sha256: sha256 of '{rel}' is {actual}, record says {recorded} (id claim-summaries)"


def copied_statement(root: Path) -> str:
    edit(
        root,
        CLAIM,
        "statement: >-",
        "statement: And this I think people can maybe have an intuition about how this seems introspective flavored.\nstatement_was: >-",
    )
    # the original statement moved to an unknown field; drop it to keep one problem
    text = (root / CLAIM).read_text()
    start = text.index("statement_was:")
    end = text.index("kind:")
    (root / CLAIM).write_text(text[:start] + text[end:])
    return (
        f"{CLAIM}:{line_of(root, CLAIM, 'statement:')}: statement: shares 12 or more consecutive words with "
        f"'cognitive-revolution-berg-2026' (\"and this i think people can maybe have an intuition about how\"); "
        f"paraphrase it (id {EXAMPLE})"
    )


def not_a_mapping(root: Path) -> str:
    (root / "claims/hypotheses/h-broken.yaml").write_text("- just\n- a list\n")
    return "claims/hypotheses/h-broken.yaml:1: (record): expected a mapping of fields, got a list (id h-broken)"


def id_mismatch(root: Path) -> str:
    (root / CLAIM).rename(root / "claims/findings/other-name.yaml")
    return f"claims/findings/other-name.yaml:1: id: id '{EXAMPLE}' does not match the file name 'other-name.yaml'"


def override_without_reason(root: Path) -> str:
    edit(
        root,
        CLAIM,
        "status: draft",
        "status: draft\nreviews:\n- reviewer: ana\n  started: 2026-11-01T10:00:00\n  confounds:\n"
        "  - confound: output-inference\n    answers: [N]\n    proposed: 'no'\n    override: partial",
    )
    return (
        f"{CLAIM}:{line_of(root, CLAIM, 'confound: output-inference')}: reviews[0].confounds[0]: an override needs a written "
        f"justification (why) (id {EXAMPLE})"
    )


def empirical_without_confounds(root: Path) -> str:
    text = (root / CLAIM).read_text()
    start, end = text.index("confounds:\n"), text.index("provenance:")
    (root / CLAIM).write_text(text[:start] + text[end:])
    return f"{CLAIM}:1: confounds: an empirical finding needs at least one confound entry (controlled: n-a where none can arise) (id {EXAMPLE})"


def bad_weights(root: Path) -> str:
    edit(root, "claims/weights.yaml", "weight_spread: 0.25", "weight_spread: 2.5")
    line = line_of(root, "claims/weights.yaml", "weight_spread: 2.5")
    return f"claims/weights.yaml:{line}: profiles.default.weight_spread: Input should be less than or equal to 2 (got 2.5)"


CASES: dict[str, Corruption] = {
    f.__name__: f
    for f in (
        malformed_yaml,
        unknown_field,
        wrong_enum,
        wrong_type,
        missing_field,
        duplicate_id,
        unknown_hypothesis,
        unknown_confound,
        unknown_model,
        unknown_source,
        unknown_text,
        lines_outside,
        quote_elsewhere,
        quote_absent,
        sha_mismatch,
        copied_statement,
        not_a_mapping,
        id_mismatch,
        override_without_reason,
        empirical_without_confounds,
        bad_weights,
    )
}


def test_check_passes_on_the_fixture(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "check")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ok: 1 claims")


@pytest.mark.parametrize("case", CASES)
def test_check_reports_each_corruption_in_one_line(runner: CliRunner, kb_root: Path, case: str) -> None:
    expected = CASES[case](kb_root)
    before = snapshot(kb_root)
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: {expected}"]
    assert "Traceback" not in result.output
    assert snapshot(kb_root) == before


def test_check_reports_all_problems_in_one_run(runner: CliRunner, kb_root: Path) -> None:
    expected = sorted([unknown_confound(kb_root), lines_outside(kb_root), not_a_mapping(kb_root), sha_mismatch(kb_root)])
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [*expected, "Error: 4 problems in the knowledge base"]


def test_db_build_refuses_a_broken_knowledge_base_and_keeps_the_old_database(runner: CliRunner, kb_root: Path) -> None:
    assert run(runner, kb_root, "db", "build").exit_code == 0
    db = kb_root / "build" / "kb.sqlite"
    old = db.read_bytes()
    unknown_model(kb_root)
    result = run(runner, kb_root, "db", "build")
    assert result.exit_code == 1
    assert "models[0].model: unknown model 'gpt-9'" in result.stderr
    assert db.read_bytes() == old


def test_the_copy_check_finds_a_twelve_word_run_and_nothing_shorter(tmp_path: Path) -> None:
    from kb.texts import ArchivedText

    path = tmp_path / "t.txt"
    path.write_text("Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi.\nOmicron pi.\n")
    text = ArchivedText.read(path)
    copied = "We note that beta, gamma delta epsilon zeta eta theta iota kappa lambda mu nu here."
    assert text.copied_run(copied) == "beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu"
    assert text.copied_run("Beta gamma delta epsilon zeta eta theta iota kappa lambda mu, then more.") is None


_WORDS = ["a", "b", "c", "the", "x"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), max_size=60),
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_WORDS), max_size=8),
            st.integers(0, 60),
            st.integers(0, 20),
            st.lists(st.sampled_from(_WORDS), max_size=8),
        ),
        max_size=5,
    ),
)
def test_the_copy_check_of_many_statements_at_once_is_the_first_shared_run_of_each(
    text_words: list[str], parts: list[tuple[list[str], int, int, list[str]]]
) -> None:
    """Against the definition: a statement's first run of COPY_RUN words (in its own order) that
    is also a run of the text, whatever else is checked against the same text at the same time."""
    from kb.texts import COPY_RUN, ArchivedText

    statements = [before + text_words[start : start + length] + after for before, start, length, after in parts]  # often a copied run
    text = ArchivedText(Path("t.txt"), " ".join(text_words).encode())
    runs_of_text = {tuple(text_words[i : i + COPY_RUN]) for i in range(len(text_words) - COPY_RUN + 1)}

    def expected(ws: list[str]) -> str | None:
        shared = [ws[i : i + COPY_RUN] for i in range(len(ws) - COPY_RUN + 1) if tuple(ws[i : i + COPY_RUN]) in runs_of_text]
        return " ".join(shared[0]) if shared else None

    got = text.copied_runs([" ".join(s) for s in statements])
    assert got == [expected(s) for s in statements]
    assert all(text.copied_run(" ".join(s)) == e for s, e in zip(statements, got, strict=True))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from(["not-reported", "n-a", "unknown"]), st.text(max_size=20)))
def test_a_typed_missing_value_is_the_same_member_from_yaml_and_from_json(value: str) -> None:
    """A missing-or-value field (here a model's variant) holds the Missing member exactly when the
    string is one of its values, whether validated from parsed YAML or from the database's JSON."""
    from kb.models import ModelRef
    from kb.vocab import Missing

    ref = ModelRef.model_validate({"model": "m-1", "as_written": "M", "variant": value})
    again = ModelRef.model_validate_json(ref.model_dump_json())
    expected = Missing(value) if value in Missing.values() else value
    assert ref.variant == expected and type(ref.variant) is type(expected)
    assert again == ref and type(again.variant) is type(ref.variant)


def test_a_bad_missing_or_date_names_the_missing_values_and_the_date() -> None:
    from pydantic import ValidationError

    from kb.models import Source
    from kb.store import validation_problems

    data = {"id": "w-1", "title": "T", "type": "paper", "date": ["x"]}
    with pytest.raises(ValidationError) as caught:
        Source.model_validate(data)
    (problem,) = [p for p in validation_problems(caught.value, data, "claims/sources/w-1.yaml", None, "w-1") if p.field == "date"]
    assert problem.message.startswith("Input should be 'not-reported', 'n-a' or 'unknown'")
    assert "date" in problem.message.split(" or ", 2)[-1]
